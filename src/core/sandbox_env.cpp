#include "gopls_sandbox/core/sandbox_env.hpp"

#include <algorithm>
#include <array>

namespace gsb::core {

namespace {

constexpr std::array<std::string_view, 30> kExact = {
    "PATH",       "HOME",           "USER",           "LOGNAME",         "PWD",
    "SHELL",      "LANG",           "LANGUAGE",       "TERM",            "COLORTERM",
    "NO_COLOR",   "TZ",             "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
    "GOPACKAGESDRIVER", "CC",       "CXX",            "AR",              "FC",
    "GCCGO",      "PKG_CONFIG",     "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR",
    "CPATH",      "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "LIBRARY_PATH", "GOTELEMETRY"};
// Go's own variables (`go help environment`, the runtime's and gopls'), by name: a prefix would
// also pass GOOGLE_APPLICATION_CREDENTIALS or a GOPASSWORD.
constexpr std::array<std::string_view, 43> kGo = {
    "GO111MODULE", "GOARCH",     "GOAUTH",      "GOBIN",      "GOCACHE",    "GOCACHEPROG", "GODEBUG",
    "GOENV",       "GOFLAGS",    "GOINSECURE",  "GOMODCACHE", "GONOPROXY",  "GONOSUMDB",   "GOOS",
    "GOPATH",      "GOPRIVATE",  "GOPROXY",     "GOROOT",     "GOSUMDB",    "GOTMPDIR",    "GOTOOLCHAIN",
    "GOVCS",       "GOWORK",     "GOFIPS140",   "GOEXPERIMENT", "GOARM",    "GOARM64",     "GO386",
    "GOAMD64",     "GOMIPS",     "GOMIPS64",    "GOPPC64",    "GORISCV64",  "GOWASM",      "GOTELEMETRYDIR",
    "GOCOVERDIR",  "GOGC",       "GOMAXPROCS",  "GOMEMLIMIT", "GOTRACEBACK", "GORACE",     "GOPLSCACHE",
    "GOROOT_FINAL"};
constexpr std::array<std::string_view, 10> kNetwork = {"http_proxy",  "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                                       "no_proxy",    "NO_PROXY",   "all_proxy",   "ALL_PROXY",
                                                       "SSL_CERT_FILE", "SSL_CERT_DIR"};
constexpr std::array<std::string_view, 5> kUrlValued = {"GOPROXY", "GOSUMDB", "GONOSUMDB", "GOFLAGS", "GOVCS"};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

template <size_t N>
bool in(const std::array<std::string_view, N>& a, std::string_view n) {
  return std::find(a.begin(), a.end(), n) != a.end();
}

}  // namespace

bool env_passes_by_default(std::string_view name, bool network) {
  if (name.empty() || starts_with(name, "GOPLS_SANDBOX") || name == "TMPDIR") return false;
  if (in(kExact, name)) return true;
  if (starts_with(name, "LC_") || starts_with(name, "CGO_") || starts_with(name, "GOTELEMETRY_")) return true;
  if (in(kGo, name)) return true;
  return network && in(kNetwork, name);
}

std::string strip_url_credentials(std::string_view v) {
  std::string out;
  size_t i = 0;
  while (i < v.size()) {
    size_t s = v.find("://", i);
    if (s == std::string_view::npos) break;
    size_t host = s + 3;
    out.append(v.substr(i, host - i));
    // The authority ends at '/', or at a list separator of GOPROXY/GOFLAGS/GOVCS.
    size_t end = v.find_first_of("/,| \t?#", host);
    if (end == std::string_view::npos) end = v.size();
    size_t at = v.substr(host, end - host).rfind('@');
    i = at == std::string_view::npos ? host : host + at + 1;
  }
  out.append(v.substr(i));
  return out;
}

std::vector<std::string> sandbox_environment(const std::vector<std::string>& caller, const std::vector<std::string>& extra,
                                             bool network) {
  std::vector<std::string> env;
  auto name_of = [](std::string_view kv) { return kv.substr(0, kv.find('=')); };
  auto set = [&](const std::string& kv) {
    std::string_view n = name_of(kv);
    std::erase_if(env, [&](const std::string& e) { return name_of(e) == n; });
    env.push_back(kv);
  };
  for (const auto& kv : caller) {
    std::string_view n = name_of(kv);
    if (!env_passes_by_default(n, network)) continue;
    if (!network && n == "GOAUTH") continue;
    if (!network && in(kUrlValued, n)) {
      set(std::string(n) + "=" + strip_url_credentials(std::string_view(kv).substr(n.size() + 1)));
      continue;
    }
    set(kv);
  }
  for (const auto& e : extra) {
    if (e.find('=') != std::string::npos) {
      set(e);
      continue;
    }
    for (const auto& kv : caller)  // NAME alone: the caller's value, if it has one
      if (name_of(kv) == e) set(kv);
  }
  return env;
}

}  // namespace gsb::core
