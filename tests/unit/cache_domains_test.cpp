// Issue 12: the pure decisions behind the copy-on-write caches.
#include <gtest/gtest.h>

#include <map>

#include "gopls_sandbox/core/cache_domains.hpp"
#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/spec_wire.hpp"

using namespace gsb;
using namespace gsb::core;

namespace {

TEST(CacheDomains, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')).substr(0, 16), "41edece42d63e8d9");
}

TEST(CacheDomains, ModeParsing) {
  EXPECT_EQ(*parse_cache_mode("cow"), CacheMode::Cow);
  EXPECT_EQ(*parse_cache_mode("private"), CacheMode::Private);
  EXPECT_EQ(*parse_cache_mode("shared"), CacheMode::Shared);
  for (const char* bad : {"", "COW", "copy", "overlay", "shared "}) {
    auto r = parse_cache_mode(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::Usage);
    EXPECT_NE(r.error().message.find("cow, private or shared"), std::string::npos) << r.error().message;
  }
}

TEST(CacheDomains, ModeAndDomainFromConfigAndEnvironment) {
  auto c = parse_config("cache_mode = \"private\"\ncache_domain = \"team\"\n", "c.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->cache_mode, CacheMode::Private);
  EXPECT_EQ(c->cache_domain, "team");
  auto bad = parse_config("cache_mode = \"nope\"\n", "c.toml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("c.toml:1:"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("cow, private or shared"), std::string::npos);
  EXPECT_FALSE(parse_config("cache_domain = \"../x\"\n", "c.toml"));
  auto e = parse_env({{"GOPLS_SANDBOX_CACHE_MODE", "shared"}, {"GOPLS_SANDBOX_CACHE_DOMAIN", "d1"}});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->cache_mode, CacheMode::Shared);
  EXPECT_FALSE(parse_env({{"GOPLS_SANDBOX_CACHE_MODE", "x"}}));
  Options cli;
  cli.cache_mode = CacheMode::Cow;
  auto m = merge(*e, cli);
  EXPECT_EQ(m.cache_mode, CacheMode::Cow);
  EXPECT_EQ(m.cache_domain, "d1");
}

TEST(CacheDomains, DomainNames) {
  for (const char* ok : {"team", "a", "proj-1.2_x", "A9"}) EXPECT_TRUE(check_domain_name(ok)) << ok;
  for (const char* bad : {"", ".", "..", ".hidden", "a/b", "../x", "ws-mine", "-x", "a b", "é"})
    EXPECT_FALSE(check_domain_name(bad)) << bad;
  EXPECT_FALSE(check_domain_name(std::string(65, 'a')));

  std::string a = workspace_domain({"/home/u/src/proj"});
  EXPECT_EQ(a.rfind("ws-proj-", 0), 0u) << a;
  EXPECT_EQ(a.size(), std::string("ws-proj-").size() + 16);
  EXPECT_EQ(a, workspace_domain({"/home/u/src/proj"}));             // stable
  EXPECT_NE(a, workspace_domain({"/home/v/src/proj"}));             // same name elsewhere: another domain
  EXPECT_NE(a, workspace_domain({"/home/u/src/proj", "/home/u/x"}));
  EXPECT_EQ(workspace_domain({"/b/y", "/a/x"}), workspace_domain({"/a/x", "/b/y"}));  // order-free
  std::string odd = workspace_domain({"/tmp/a b:c/../..x"});
  EXPECT_TRUE(check_domain_name("n" + odd.substr(3)));  // only safe characters
  EXPECT_EQ(workspace_domain({"/"}).rfind("ws-root-", 0), 0u);
  EXPECT_EQ(workspace_domain({"/" + std::string(100, 'x')}).size(), 3 + 24 + 1 + 16u);
}

TEST(CacheDomains, StateRoot) {
  EXPECT_EQ(cache_state_root({{"XDG_STATE_HOME", "/s"}, {"HOME", "/h"}}), "/s/gopls-sandbox/caches");
  EXPECT_EQ(cache_state_root({{"XDG_STATE_HOME", "rel"}, {"HOME", "/h"}}), "/h/.local/state/gopls-sandbox/caches");
  EXPECT_EQ(cache_state_root({{"HOME", "/h/"}}), "/h/.local/state/gopls-sandbox/caches");
  EXPECT_EQ(cache_state_root({}), "");
}

TEST(CacheDomains, MountOpPerMode) {
  auto paths = cache_layer_paths("/s/d", "gocache");
  EXPECT_EQ(paths.upper, "/s/d/gocache/upper");
  EXPECT_EQ(paths.work, "/s/d/gocache/work");
  EXPECT_EQ(paths.private_dir, "/s/d/private/gocache");

  MountOp cow = cache_mount_op(CacheMode::Cow, "/real/gb", "/h/.cache/go-build", paths, "GOCACHE");
  EXPECT_EQ(cow.kind, MountKind::Overlay);
  EXPECT_EQ(cow.src, "/real/gb");
  EXPECT_EQ(cow.dst, "/h/.cache/go-build");
  EXPECT_EQ(cow.upper, paths.upper);
  EXPECT_EQ(cow.work, paths.work);
  EXPECT_EQ(cow.fallback, paths.private_dir);  // never the host's cache

  MountOp priv = cache_mount_op(CacheMode::Private, "/real/gb", "/h/.cache/go-build", paths, "GOCACHE");
  EXPECT_EQ(priv.kind, MountKind::Overlay);
  EXPECT_TRUE(priv.src.empty());  // no lower layer: the host's cache is not seen
  EXPECT_EQ(priv.fallback, paths.private_dir);

  MountOp shared = cache_mount_op(CacheMode::Shared, "/real/gb", "/h/.cache/go-build", paths, "GOCACHE");
  EXPECT_EQ(shared.kind, MountKind::Bind);
  EXPECT_EQ(shared.src, "/real/gb");

  json::Value v;
  cache_op_to_json(cow, v);
  EXPECT_EQ(v["type"].as_string(), "overlay");
  EXPECT_EQ(v["lower"].as_string(), "/real/gb");
  EXPECT_EQ(v["upper"].as_string(), paths.upper);
  EXPECT_EQ(v["work"].as_string(), paths.work);
  json::Value p;
  cache_op_to_json(priv, p);
  EXPECT_EQ(p["type"].as_string(), "bind");
  EXPECT_EQ(p["source"].as_string(), paths.private_dir);
  EXPECT_TRUE(p["private"].as_bool());
}

TEST(CacheDomains, OverlayOpsSurviveTheWire) {
  Plan plan;
  plan.argv = {"/usr/bin/gopls"};
  plan.mounts.push_back(cache_mount_op(CacheMode::Cow, "/l", "/d", cache_layer_paths("/s/x", "gocache"), "GOCACHE"));
  plan.mounts.push_back(cache_mount_op(CacheMode::Private, "/l2", "/d2", cache_layer_paths("/s/x", "gopls"), "gopls"));
  auto bytes = encode_spec(plan, {}, {}, {"/d"});
  auto back = decode_spec(bytes);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->plan.mounts.size(), 2u);
  const MountOp& m = back->plan.mounts[0];
  EXPECT_EQ(m.kind, MountKind::Overlay);
  EXPECT_EQ(m.src, "/l");
  EXPECT_EQ(m.upper, "/s/x/gocache/upper");
  EXPECT_EQ(m.work, "/s/x/gocache/work");
  EXPECT_EQ(m.fallback, "/s/x/private/gocache");
  EXPECT_TRUE(back->plan.mounts[1].src.empty());
  EXPECT_FALSE(decode_spec(bytes.substr(0, bytes.size() - 30)));
}

TEST(CacheDomains, LayoutProblems) {
  const std::string root = "/h/.local/state/gopls-sandbox/caches";
  EXPECT_EQ(cache_layout_problem(root, {"/h/.cache/go-build", "/h/go/pkg/mod"}, {"/h/src/p"}), "");
  EXPECT_NE(cache_layout_problem(root, {"/h/.local"}, {}), "");           // state inside a cache
  EXPECT_NE(cache_layout_problem(root, {root + "/x/gocache"}, {}), "");   // a cache inside the state
  EXPECT_NE(cache_layout_problem(root, {}, {"/h"}), "");                  // workspace = home
  EXPECT_NE(cache_layout_problem(root, {}, {root}), "");
}

TEST(CacheDomains, Durations) {
  EXPECT_EQ(*parse_duration("45"), 45);
  EXPECT_EQ(*parse_duration("45s"), 45);
  EXPECT_EQ(*parse_duration("90m"), 5400);
  EXPECT_EQ(*parse_duration("12h"), 43200);
  EXPECT_EQ(*parse_duration("30d"), 30 * 86400);
  EXPECT_EQ(*parse_duration("2w"), 14 * 86400);
  for (const char* bad : {"", "d", "-1d", "1y", "1.5d", "99999999999999999999d"}) EXPECT_FALSE(parse_duration(bad)) << bad;
}

}  // namespace
