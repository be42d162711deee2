#include <gtest/gtest.h>

#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/net_allowlist.hpp"
#include "gopls_sandbox/core/workspace_discovery.hpp"

using namespace gsb;
using namespace gsb::core;

TEST(NetAllowlist, ParsesModes) {
  EXPECT_EQ(*parse_net_mode("none"), NetMode::None);
  EXPECT_EQ(*parse_net_mode("proxy"), NetMode::Proxy);
  EXPECT_EQ(*parse_net_mode("host"), NetMode::Host);
  auto bad = parse_net_mode("all");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::Usage);
}

TEST(NetAllowlist, HostPatterns) {
  auto p = parse_host_pattern("Git.Corp.Example.com");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->host, "git.corp.example.com");
  EXPECT_EQ(p->port, 0);
  EXPECT_TRUE(p->matches("git.corp.example.com", 443));
  EXPECT_TRUE(p->matches("GIT.corp.example.com.", 80));
  EXPECT_FALSE(p->matches("git.corp.example.com", 22));
  EXPECT_FALSE(p->matches("x.git.corp.example.com", 443));

  auto w = parse_host_pattern("*.corp.example.com:8443");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_TRUE(w->matches("a.corp.example.com", 8443));
  EXPECT_TRUE(w->matches("a.b.corp.example.com", 8443));
  EXPECT_FALSE(w->matches("corp.example.com", 8443));
  EXPECT_FALSE(w->matches("evilcorp.example.com", 8443));
  EXPECT_FALSE(w->matches("a.corp.example.com", 443));
  EXPECT_EQ(w->text(), "*.corp.example.com:8443");

  auto v6 = parse_host_pattern("[::1]:8080");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
  EXPECT_EQ(v6->text(), "[::1]:8080");

  for (const char* s : {"", "*", "*.com", "a.*.com", "ex ample.com", "example.com:", "example.com:0",
                        "example.com:65536", "example.com:http", "a..b", "[::1", "[zz]:1", "[::1]x", "-:80/x",
                        "example.com/path"}) {
    auto r = parse_host_pattern(s);
    EXPECT_FALSE(r) << s;
    if (!r) {
      EXPECT_EQ(r.error().kind, ErrorKind::Usage) << s;
      EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << s;
      EXPECT_NE(r.error().message.find("--allow-host"), std::string::npos) << r.error().message;
    }
  }
}

TEST(NetAllowlist, UrlHost) {
  auto a = url_host("https://proxy.golang.org", "GOPROXY entry");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "proxy.golang.org");
  EXPECT_EQ(a->port, 443);
  auto b = url_host("http://user:pw@Mirror.Local:3000/go/", "GOPROXY entry");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->host, "mirror.local");
  EXPECT_EQ(b->port, 3000);
  auto c = url_host("http://mirror.local/go", "x");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, 80);
  EXPECT_FALSE(url_host("ftp://x.org", "x"));
  EXPECT_FALSE(url_host("proxy.golang.org", "x"));
  EXPECT_FALSE(url_host("https://", "x"));
  EXPECT_FALSE(url_host("https://*.x.org", "x"));
}

TEST(NetAllowlist, DefaultGoEnvironment) {
  auto a = build_allowlist(go_net_env({}), {});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->direct);
  EXPECT_FALSE(a->off);
  EXPECT_TRUE(a->allows("proxy.golang.org", 443));
  EXPECT_TRUE(a->allows("sum.golang.org", 443));
  EXPECT_FALSE(a->allows("proxy.golang.org", 80));
  EXPECT_FALSE(a->allows("github.com", 443));  // direct does not open everything
  EXPECT_FALSE(a->allows("127.0.0.1", 22));
}

TEST(NetAllowlist, BothSeparatorsDirectAndOff) {
  GoNetEnv g;
  g.goproxy = "https://a.example.com|http://b.example.com:8080, direct ,https://c.example.com,off,https://d.example.com";
  g.gosumdb = "off";
  auto a = build_allowlist(g, {});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->allows("a.example.com", 443));
  EXPECT_TRUE(a->allows("b.example.com", 8080));
  EXPECT_TRUE(a->allows("c.example.com", 443));
  EXPECT_FALSE(a->allows("d.example.com", 443));  // after off: never contacted
  EXPECT_FALSE(a->allows("sum.golang.org", 443));
  EXPECT_TRUE(a->direct);

  g.goproxy = "off";
  auto off = build_allowlist(g, {});
  ASSERT_TRUE(off);
  EXPECT_TRUE(off->off);
  EXPECT_TRUE(off->hosts.empty());

  g.goproxy = "file:///srv/goproxy,direct";
  auto f = build_allowlist(g, {});
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_TRUE(f->hosts.empty());
}

TEST(NetAllowlist, UnparseableGoproxy) {
  GoNetEnv g;
  for (const char* v : {"proxy.golang.org", "https://a.org,,direct", "ftp://a.org", "https://", "https://a b.org"}) {
    g.goproxy = v;
    auto a = build_allowlist(g, {});
    EXPECT_FALSE(a) << v;
    if (!a) {
      EXPECT_EQ(a.error().kind, ErrorKind::Usage);
      EXPECT_NE(a.error().message.find("GOPROXY"), std::string::npos) << a.error().message;
    }
  }
}

TEST(NetAllowlist, Gosumdb) {
  GoNetEnv g;
  g.goproxy = "off";
  g.gosumdb = "sum.golang.google.cn";
  auto a = build_allowlist(g, {});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->allows("sum.golang.google.cn", 443));
  g.gosumdb = "sum.example.com+abcdef+AbCd https://mirror.example.com:8443/sumdb";
  auto b = build_allowlist(g, {});
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_TRUE(b->allows("mirror.example.com", 8443));
  EXPECT_FALSE(b->allows("sum.example.com", 443));
  g.gosumdb = "sum.example.com+key";
  auto c = build_allowlist(g, {});
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->allows("sum.example.com", 443));
  for (const char* v : {"a b c", "x+k ftp://y", "bad name+k"}) {
    g.gosumdb = v;
    EXPECT_FALSE(build_allowlist(g, {})) << v;
  }
}

TEST(NetAllowlist, AllowHostAndPrivateHosts) {
  GoNetEnv g;
  g.goprivate = "git.corp.example.com/team/*,*.internal.example.org";
  g.gonoproxy = "github.com/me/*";
  auto a = build_allowlist(g, {"git.corp.example.com"});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->allows("git.corp.example.com", 443));
  ASSERT_EQ(a->private_hosts_not_allowed.size(), 2u);
  EXPECT_EQ(a->private_hosts_not_allowed[0], "*.internal.example.org");
  EXPECT_EQ(a->private_hosts_not_allowed[1], "github.com");
  auto b = build_allowlist(g, {"*.internal.example.org", "github.com", "git.corp.example.com"});
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->private_hosts_not_allowed.empty());
  auto bad = build_allowlist(g, {"*"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::Usage);
}

TEST(NetAllowlist, ProxyEnvironmentHasNoBypass) {
  std::vector<std::string> env = {"PATH=/usr/bin", "NO_PROXY=*", "no_proxy=evil", "HTTPS_PROXY=http://x:1",
                                  "all_proxy=socks5://y"};
  apply_proxy_env(env, 3128);
  for (const auto& e : env) {
    EXPECT_NE(e.rfind("NO_PROXY", 0), 0u) << e;
    EXPECT_NE(e.rfind("no_proxy", 0), 0u) << e;
  }
  int proxies = 0;
  for (const auto& e : env)
    if (e.find("_PROXY=") != std::string::npos || e.find("_proxy=") != std::string::npos) {
      EXPECT_NE(e.find("=http://127.0.0.1:3128"), std::string::npos) << e;
      ++proxies;
    }
  EXPECT_EQ(proxies, 6);
}

TEST(NetAllowlist, OptionsWiring) {
  auto c = parse_config("net = \"proxy\"\nallow_host = [\"git.corp.example.com\", \"*.x.example.org:8443\"]\n", "c.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->net, NetMode::Proxy);
  EXPECT_EQ(c->allow_hosts.size(), 2u);
  auto bad = parse_config("allow_host = \"*\"\n", "c.toml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("c.toml:1:"), std::string::npos) << bad.error().message;
  auto alias = parse_config("share_net = true\n", "c.toml");
  ASSERT_TRUE(alias);
  EXPECT_EQ(alias->net, NetMode::Host);
  auto e = parse_env({{"GOPLS_SANDBOX_NET", "proxy"}, {"GOPLS_SANDBOX_ALLOW_HOST", "a.example.com,b.example.com:22"}});
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->net, NetMode::Proxy);
  EXPECT_EQ(e->allow_hosts.size(), 2u);
  EXPECT_FALSE(parse_env({{"GOPLS_SANDBOX_NET", "everything"}}));
  EXPECT_FALSE(parse_env({{"GOPLS_SANDBOX_ALLOW_HOST", "a b"}}));
  auto m = merge(*c, *parse_env({{"GOPLS_SANDBOX_NET", "none"}}));
  EXPECT_EQ(m.net, NetMode::None);
  EXPECT_EQ(m.allow_hosts.size(), 2u);
  EXPECT_EQ(effective_net_mode(m), NetMode::None);
  Options share;
  share.share_net = true;
  EXPECT_EQ(effective_net_mode(share), NetMode::Host);
  EXPECT_EQ(effective_net_mode(Options{}), NetMode::None);
}

TEST(NetAllowlist, GoModRequires) {  // the none-mode check reads requirements with parse_gomod
  auto r = parse_gomod(
      "module x\n\ngo 1.21\n\nrequire example.net/greet v1.0.0 // indirect\nrequire (\n\tgithub.com/BurntSushi/toml v1.3.2\n"
      "\t\"golang.org/x/mod\" v0.14.0\n)\nrequired v9\n").require;
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].first, "example.net/greet");
  EXPECT_EQ(r[0].second, "v1.0.0");
  EXPECT_EQ(r[1].first, "github.com/BurntSushi/toml");
  EXPECT_EQ(r[2].first, "golang.org/x/mod");
  EXPECT_EQ(escape_module_path("github.com/BurntSushi/toml"), "github.com/!burnt!sushi/toml");
}

namespace {
IpAddr v4(unsigned a, unsigned b, unsigned c, unsigned d) {
  IpAddr x;
  x.family = 2;
  x.bytes[0] = static_cast<unsigned char>(a), x.bytes[1] = static_cast<unsigned char>(b);
  x.bytes[2] = static_cast<unsigned char>(c), x.bytes[3] = static_cast<unsigned char>(d);
  return x;
}
IpAddr v6(std::initializer_list<unsigned> head, std::initializer_list<unsigned> tail) {
  IpAddr x;
  x.family = 10;
  size_t i = 0;
  for (unsigned b : head) x.bytes[i++] = static_cast<unsigned char>(b);
  i = 16 - tail.size();
  for (unsigned b : tail) x.bytes[i++] = static_cast<unsigned char>(b);
  return x;
}
}  // namespace

// Review finding: a wildcard's DNS answer must not open the host's loopback, link-local or own
// addresses; an exact entry (GOPROXY's host, an IP literal) may.
TEST(NetAllowlist, LocalAddressesNeedAnExactEntry) {
  auto a = build_allowlist(go_net_env({{"GOPROXY", "http://goproxy.test:8080"}, {"GOSUMDB", "off"}}),
                           {"*.example.com", "127.0.0.1:9000", "[::1]:9001"});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->allows("x.example.com", 443));
  EXPECT_FALSE(a->allows_local("x.example.com", 443));
  EXPECT_TRUE(a->allows_local("goproxy.test", 8080));
  EXPECT_FALSE(a->allows_local("goproxy.test", 443));
  EXPECT_TRUE(a->allows_local("127.0.0.1", 9000));
  EXPECT_TRUE(a->allows_local("::1", 9001));
  EXPECT_FALSE(a->allows_local("evil.test", 443));

  for (const IpAddr& l : {v4(127, 0, 0, 1), v4(127, 1, 2, 3), v4(0, 0, 0, 0), v4(169, 254, 169, 254), v6({}, {1}),
                          v6({}, {}), v6({0xfe, 0x80}, {1}), v6({0xfe, 0xbf}, {1}),
                          v6({}, {0xff, 0xff, 127, 0, 0, 1}), v6({}, {0xff, 0xff, 169, 254, 1, 1}),
                          v6({}, {0xff, 0xff, 0, 0, 0, 0})})
    EXPECT_TRUE(is_local_address(l)) << static_cast<int>(l.bytes[0]) << "." << static_cast<int>(l.bytes[15]);
  for (const IpAddr& r : {v4(93, 184, 216, 34), v4(10, 0, 0, 1), v4(128, 0, 0, 1), v4(169, 253, 0, 1),
                          v6({0x20, 0x01, 0x0d, 0xb8}, {1}), v6({0xfe, 0xc0}, {1}), v6({}, {0xff, 0xff, 8, 8, 8, 8})})
    EXPECT_FALSE(is_local_address(r)) << static_cast<int>(r.bytes[0]);
  // The host's own addresses (an interface's, in either form).
  std::vector<IpAddr> own = {v4(192, 168, 1, 5), v6({0x20, 0x01, 0x0d, 0xb8}, {5})};
  EXPECT_TRUE(is_local_address(v4(192, 168, 1, 5), own));
  EXPECT_TRUE(is_local_address(v6({}, {0xff, 0xff, 192, 168, 1, 5}), own));
  EXPECT_TRUE(is_local_address(v6({0x20, 0x01, 0x0d, 0xb8}, {5}), own));
  EXPECT_FALSE(is_local_address(v4(192, 168, 1, 6), own));
  // Never through a name: unspecified and link-local; loopback only through an exact entry.
  EXPECT_TRUE(is_never_by_name(v4(0, 1, 2, 3)));
  EXPECT_TRUE(is_never_by_name(v4(169, 254, 0, 1)));
  EXPECT_TRUE(is_never_by_name(v6({}, {})));
  EXPECT_TRUE(is_never_by_name(v6({0xfe, 0x80}, {1})));
  EXPECT_FALSE(is_never_by_name(v4(127, 0, 0, 1)));
  EXPECT_FALSE(is_never_by_name(v6({}, {1})));
}
