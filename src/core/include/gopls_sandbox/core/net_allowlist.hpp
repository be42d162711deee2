// Issue 14: the network modes and the allowlist of the proxy mode. Pure: the caller passes the
// Go environment (GOPROXY, GOSUMDB, GONOSUMDB, GOPRIVATE, GONOPROXY) and the --allow-host
// patterns; the result says which host:port pairs the launcher's proxy may connect to.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

// none: a network namespace with only lo (the default). proxy: the same, plus an HTTP proxy
// endpoint on 127.0.0.1:kSandboxProxyPort inside, served by the launcher with the allowlist.
// host: the host's network namespace (--share-net).
enum class NetMode { None, Proxy, Host };
const char* net_mode_name(NetMode m);
Result<NetMode> parse_net_mode(std::string_view s);

// The endpoint inside the sandbox's own network namespace (nothing else listens there).
inline constexpr uint16_t kSandboxProxyPort = 3128;

// One allowed destination: an exact host or "*.suffix" (any name below suffix, not suffix
// itself), and a port (0: the default ports 80 and 443).
struct HostPattern {
  std::string host;  // lower case; "*.example.com" for a suffix pattern; IPv6 without brackets
  uint16_t port = 0;
  std::string source;  // "GOPROXY", "GOSUMDB", "--allow-host", ...
  bool matches(std::string_view host, uint16_t port) const;
  std::string text() const;  // "example.com:443", "*.example.com" (any default port)
};

// "--allow-host" syntax: HOST, *.SUFFIX, HOST:PORT, [IPV6]:PORT. Errors are one line.
Result<HostPattern> parse_host_pattern(std::string_view s, std::string source = "--allow-host");

// Host and port of a URL with an http or https scheme ("https://proxy.golang.org/x" ->
// proxy.golang.org:443). Anything else (a file:// URL, no scheme, an empty host) is an error.
Result<HostPattern> url_host(std::string_view url, std::string source);

struct GoNetEnv {
  std::string goproxy = "https://proxy.golang.org,direct";
  std::string gosumdb = "sum.golang.org";
  std::string gonosumdb, goprivate, gonoproxy;
};
// From `go env` output or an environment map: the values the variables have ("" -> go's default
// for GOPROXY and GOSUMDB, as go itself treats an empty value).
GoNetEnv go_net_env(const std::map<std::string, std::string>& vars);

struct Allowlist {
  std::vector<HostPattern> hosts;
  bool direct = false;  // GOPROXY has "direct": VCS fetches, only to allowed hosts
  bool off = false;     // GOPROXY ends in "off" before any proxy
  // Hosts that GOPRIVATE/GONOPROXY send to VCS directly and no pattern allows: fetches from
  // them will be refused (the launcher says so with -v, doctor lists them).
  std::vector<std::string> private_hosts_not_allowed;
  bool allows(std::string_view host, uint16_t port) const;
  const HostPattern* match(std::string_view host, uint16_t port) const;
  // True when an exact (not "*.") entry allows host:port: only then may the destination resolve
  // to a local address (see is_local_address). A wildcard's DNS answer cannot open the host's
  // loopback; an entry naming the host (GOPROXY's, an --allow-host IP literal) can.
  bool allows_local(std::string_view host, uint16_t port) const;
};

// An address the proxy connects to only for an exact allowlist entry: loopback (127/8, ::1),
// unspecified (0/8, ::), link-local (169.254/16, fe80::/10: a cloud's metadata service),
// IPv4-mapped forms of these, and any of `own` (the host's interface addresses). `family` is
// AF_INET (4 bytes) or AF_INET6 (16 bytes); own entries are {family, bytes}.
struct IpAddr {
  int family = 0;  // 2 (AF_INET) or 10 (AF_INET6)
  unsigned char bytes[16] = {};
  bool operator==(const IpAddr& o) const;
};
bool is_local_address(const IpAddr& a, const std::vector<IpAddr>& own = {});
// Unspecified or link-local: never reached through a name, even an exact entry's (an IP literal
// entry may name one explicitly).
bool is_never_by_name(const IpAddr& a);

// GOPROXY entries separated by ',' or '|': URLs, "direct", "off". An entry that is neither is a
// usage error, as go itself refuses it. GOSUMDB: "off", "NAME", "NAME+KEY", "NAME+KEY URL".
Result<Allowlist> build_allowlist(const GoNetEnv& go, const std::vector<std::string>& allow_host);

// The environment the program gets in proxy mode: every *_PROXY variable points at the endpoint
// and NO_PROXY/no_proxy are removed (nothing may bypass it: there is no route anyway).
void apply_proxy_env(std::vector<std::string>& env, uint16_t port = kSandboxProxyPort);

// The host part of a GOPRIVATE-style pattern list ("*.corp.example.com,github.com/me/*"):
// the first path element of each entry.
std::vector<std::string> private_pattern_hosts(std::string_view patterns);

// go.mod's requirements and the module cache's case encoding: core/workspace_discovery.hpp.

}  // namespace gsb::core
