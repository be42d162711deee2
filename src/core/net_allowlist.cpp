#include "gopls_sandbox/core/net_allowlist.hpp"

#include <algorithm>
#include <cctype>

namespace gsb::core {

const char* net_mode_name(NetMode m) {
  switch (m) {
    case NetMode::None: return "none";
    case NetMode::Proxy: return "proxy";
    case NetMode::Host: return "host";
  }
  return "none";
}

Result<NetMode> parse_net_mode(std::string_view s) {
  if (s == "none") return NetMode::None;
  if (s == "proxy") return NetMode::Proxy;
  if (s == "host") return NetMode::Host;
  return Error::usage("net: expected none, proxy or host, got \"" + std::string(s) + "\"");
}

namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A DNS name or an IPv4 literal: labels of letters, digits, '-' and '_', no empty label.
bool valid_name(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    char c = h[i];
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

bool valid_ipv6(std::string_view h) {
  if (h.size() < 2 || h.find(':') == std::string_view::npos) return false;
  return std::all_of(h.begin(), h.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; });
}

// "443" -> 443; "" or anything not 1..65535 -> nullopt.
std::optional<uint16_t> parse_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return std::nullopt;
  unsigned v = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v == 0 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

std::vector<std::string_view> split_any(std::string_view s, std::string_view seps) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find_first_of(seps, i);
    if (j == std::string_view::npos) j = s.size();
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

bool HostPattern::matches(std::string_view h, uint16_t p) const {
  if (port == 0 ? (p != 80 && p != 443) : p != port) return false;
  std::string lh = lower(h);
  while (!lh.empty() && lh.back() == '.') lh.pop_back();  // "example.com." is example.com
  if (host.rfind("*.", 0) == 0) {
    std::string_view suffix = std::string_view(host).substr(1);  // ".example.com"
    return lh.size() > suffix.size() && lh.compare(lh.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  return lh == host;
}

std::string HostPattern::text() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return port ? h + ":" + std::to_string(port) : h;
}

Result<HostPattern> parse_host_pattern(std::string_view s, std::string source) {
  auto bad = [&](const std::string& why) {
    return Error::usage(source + " \"" + std::string(s) + "\": " + why +
                        " (expected HOST, *.DOMAIN, HOST:PORT or [IPV6]:PORT)");
  };
  HostPattern p;
  p.source = source;
  std::string_view h = s, port;
  if (!h.empty() && h.front() == '[') {
    size_t close = h.find(']');
    if (close == std::string_view::npos) return bad("unclosed [");
    std::string_view rest = h.substr(close + 1);
    h = h.substr(1, close - 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("text after ]");
      port = rest.substr(1);
      if (port.empty()) return bad("empty port");
    }
    if (!valid_ipv6(h)) return bad("not an IPv6 address");
  } else {
    size_t colon = h.find(':');
    if (colon != std::string_view::npos) {
      port = h.substr(colon + 1);
      h = h.substr(0, colon);
      if (port.empty()) return bad("empty port");
    }
    if (h.empty()) return bad("empty host");
    if (h == "*") return bad("\"*\" would allow every host");
    std::string_view name = h;
    if (h.rfind("*.", 0) == 0) {
      name = h.substr(2);
      if (name.find('.') == std::string_view::npos) return bad("a wildcard needs a domain with a dot (*.example.com)");
    }
    if (name.find('*') != std::string_view::npos) return bad("'*' only as the first label (*.example.com)");
    if (!valid_name(name)) return bad("not a host name");
  }
  if (!port.empty()) {
    auto v = parse_port(port);
    if (!v) return bad("port must be 1-65535");
    p.port = *v;
  }
  p.host = lower(h);
  return p;
}

Result<HostPattern> url_host(std::string_view url, std::string source) {
  auto bad = [&](const std::string& why) {
    return Error::usage(source + ": \"" + std::string(url) + "\": " + why);
  };
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return bad("not a URL (expected http://HOST[:PORT]/... or https://...)");
  std::string scheme = lower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") return bad("scheme " + scheme + " (expected http or https)");
  std::string_view rest = url.substr(sep + 3);
  std::string_view auth = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = auth.rfind('@'); at != std::string_view::npos) auth = auth.substr(at + 1);
  if (auth.empty()) return bad("no host");
  auto p = parse_host_pattern(auth, source);
  if (!p) return bad("host " + std::string(auth) + " is not a host name");
  if (p->host.rfind("*.", 0) == 0) return bad("a wildcard is not a host");
  if (p->port == 0) p->port = scheme == "https" ? 443 : 80;
  return p;
}

GoNetEnv go_net_env(const std::map<std::string, std::string>& vars) {
  GoNetEnv g;
  auto get = [&](const char* k) -> std::string {
    auto it = vars.find(k);
    return it == vars.end() ? std::string() : it->second;
  };
  if (auto v = get("GOPROXY"); !v.empty()) g.goproxy = v;
  if (auto v = get("GOSUMDB"); !v.empty()) g.gosumdb = v;
  g.gonosumdb = get("GONOSUMDB");
  g.goprivate = get("GOPRIVATE");
  g.gonoproxy = get("GONOPROXY");
  return g;
}

const HostPattern* Allowlist::match(std::string_view host, uint16_t port) const {
  for (const auto& h : hosts)
    if (h.matches(host, port)) return &h;
  return nullptr;
}

bool Allowlist::allows(std::string_view host, uint16_t port) const { return match(host, port) != nullptr; }

bool Allowlist::allows_local(std::string_view host, uint16_t port) const {
  for (const auto& h : hosts)
    if (h.host.rfind("*.", 0) != 0 && h.matches(host, port)) return true;
  return false;
}

bool IpAddr::operator==(const IpAddr& o) const {
  if (family != o.family) return false;
  size_t n = family == 2 ? 4 : 16;
  return std::equal(bytes, bytes + n, o.bytes);
}

namespace {
constexpr int kInet = 2, kInet6 = 10;  // AF_INET, AF_INET6 (core makes no system calls)

// The IPv4 address an IPv6 one stands for (v4-mapped ::ffff:a.b.c.d, v4-compatible ::a.b.c.d is
// obsolete but still routed by some stacks): true and `v4` set.
bool embedded_v4(const IpAddr& a, IpAddr& v4) {
  if (a.family != kInet6) return false;
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const unsigned char zero[12] = {};
  if (!std::equal(a.bytes, a.bytes + 12, mapped) && !std::equal(a.bytes, a.bytes + 12, zero)) return false;
  v4.family = kInet;
  std::copy(a.bytes + 12, a.bytes + 16, v4.bytes);
  return true;
}
}  // namespace

bool is_never_by_name(const IpAddr& a) {
  IpAddr v4;
  if (a.family == kInet6 && embedded_v4(a, v4)) {
    // :: and ::1 are v4-compatible in form; judge them as IPv6.
    static const unsigned char zero15[15] = {};
    if (std::equal(a.bytes, a.bytes + 15, zero15) && a.bytes[15] <= 1) return a.bytes[15] == 0;
    return is_never_by_name(v4);
  }
  if (a.family == kInet) return a.bytes[0] == 0 || (a.bytes[0] == 169 && a.bytes[1] == 254);
  if (a.family == kInet6) {
    static const unsigned char zero[16] = {};
    if (std::equal(a.bytes, a.bytes + 16, zero)) return true;
    return a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;  // fe80::/10
  }
  return true;  // an unknown family is never connected to
}

bool is_local_address(const IpAddr& a, const std::vector<IpAddr>& own) {
  if (is_never_by_name(a)) return true;
  IpAddr v4;
  if (a.family == kInet6 && embedded_v4(a, v4)) {
    static const unsigned char zero15[15] = {};
    if (std::equal(a.bytes, a.bytes + 15, zero15) && a.bytes[15] == 1) return true;  // ::1
    return is_local_address(v4, own);
  }
  if (a.family == kInet && a.bytes[0] == 127) return true;
  for (const auto& o : own)
    if (o == a) return true;
  return false;
}

std::vector<std::string> private_pattern_hosts(std::string_view patterns) {
  std::vector<std::string> out;
  for (auto e : split_any(patterns, ",")) {
    e = trim(e);
    if (e.empty()) continue;
    std::string h = lower(e.substr(0, e.find('/')));
    if (!h.empty() && std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
  }
  return out;
}

Result<Allowlist> build_allowlist(const GoNetEnv& go, const std::vector<std::string>& allow_host) {
  Allowlist a;
  auto add = [&](HostPattern p) {
    for (const auto& h : a.hosts)
      if (h.host == p.host && h.port == p.port) return;
    a.hosts.push_back(std::move(p));
  };
  // GOPROXY: go reads the list left to right and stops at "off"; ',' and '|' differ only in when
  // go falls through, not in which hosts it may contact.
  for (auto e : split_any(go.goproxy, ",|")) {
    e = trim(e);
    if (e.empty()) return Error::usage("GOPROXY \"" + go.goproxy + "\": empty entry");
    if (e == "direct") {
      a.direct = true;
      continue;
    }
    if (e == "off") {
      if (a.hosts.empty() && !a.direct) a.off = true;
      break;
    }
    if (lower(e.substr(0, 7)) == "file://") continue;  // a local directory: no network
    auto p = url_host(e, "GOPROXY entry");
    if (!p) return Error::usage(p.error().message + " (in GOPROXY=\"" + go.goproxy + "\": entries are URLs, direct or off)");
    add(*p);
  }
  // GOSUMDB: "off", "NAME", "NAME+KEY" (go contacts https://NAME) or "NAME+KEY URL".
  std::string_view sum = trim(go.gosumdb);
  if (!sum.empty() && sum != "off") {
    auto fields = split_any(sum, " \t");
    std::erase_if(fields, [](std::string_view f) { return f.empty(); });
    if (fields.size() > 2) return Error::usage("GOSUMDB \"" + go.gosumdb + "\": expected NAME[+KEY] [URL] or off");
    if (fields.size() == 2) {
      auto p = url_host(fields[1], "GOSUMDB URL");
      if (!p) return Error::usage(p.error().message + " (GOSUMDB=\"" + go.gosumdb + "\")");
      add(*p);
    } else {
      std::string_view name = fields[0].substr(0, fields[0].find('+'));
      auto p = parse_host_pattern(name, "GOSUMDB");
      if (!p || p->host.rfind("*.", 0) == 0 || p->port != 0)
        return Error::usage("GOSUMDB \"" + go.gosumdb + "\": " + std::string(name) + " is not a host name");
      p->port = 443;
      add(*p);
    }
  }
  for (const auto& s : allow_host) {
    auto p = parse_host_pattern(s, "--allow-host");
    if (!p) return std::move(p).error();
    add(*p);
  }
  // GOPRIVATE/GONOPROXY modules come from their VCS hosts directly (when GOPROXY has direct):
  // only those the patterns above allow are reachable.
  std::vector<std::string> priv = private_pattern_hosts(go.goprivate);
  for (const auto& h : private_pattern_hosts(go.gonoproxy))
    if (std::find(priv.begin(), priv.end(), h) == priv.end()) priv.push_back(h);
  for (const auto& h : priv) {
    bool covered = false;
    std::string probe = h.rfind("*.", 0) == 0 ? "x" + h.substr(1) : h;
    for (const auto& p : a.hosts)
      if (p.matches(probe, p.port ? p.port : 443) && (h.rfind("*.", 0) != 0 || p.host == h || p.host.rfind("*.", 0) == 0))
        covered = true;
    if (!covered) a.private_hosts_not_allowed.push_back(h);
  }
  return a;
}

void apply_proxy_env(std::vector<std::string>& env, uint16_t port) {
  static const char* const kNames[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                       "ALL_PROXY",  "all_proxy",  "NO_PROXY",    "no_proxy"};
  std::erase_if(env, [](const std::string& kv) {
    std::string_view n = std::string_view(kv).substr(0, kv.find('='));
    for (const char* k : kNames)
      if (n == k) return true;
    return false;
  });
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  for (int i = 0; i < 6; ++i) env.push_back(std::string(kNames[i]) + "=" + url);
}

}  // namespace gsb::core
