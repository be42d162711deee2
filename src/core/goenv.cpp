#include "gopls_sandbox/core/goenv.hpp"

#include <cstdint>
#include <cstdio>

#include "gopls_sandbox/core/json.hpp"

namespace gsb::core {

Result<GoEnv> parse_go_env_json(std::string_view text) {
  auto v = json::parse(text);
  if (!v) return Error::setup("go env -json: " + v.error().message);
  if (!v->is_object()) return Error::setup("go env -json: expected a JSON object");
  GoEnv g;
  g.goroot = (*v)["GOROOT"].as_string();
  g.gopath = (*v)["GOPATH"].as_string();
  g.gomodcache = (*v)["GOMODCACHE"].as_string();
  g.gocache = (*v)["GOCACHE"].as_string();
  g.goenv_file = (*v)["GOENV"].as_string();
  g.goversion = (*v)["GOVERSION"].as_string();
  if (g.goroot.empty()) return Error::setup("go env -json: GOROOT is empty");
  // GOCACHE may be "off"; GOENV may be "off" too.
  if (g.gocache == "off") g.gocache.clear();
  if (g.goenv_file == "off") g.goenv_file.clear();
  return g;
}

std::string go_env_cache_key(const std::string& go_identity, const std::string& cwd_identity,
                             const std::map<std::string, std::string>& env) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator
    h *= 1099511628211ULL;
  };
  mix(go_identity);
  mix(cwd_identity);
  for (const auto& [k, v] : env) {  // std::map: sorted, so the key is order-independent
    bool relevant = k.rfind("GO", 0) == 0 || k.rfind("CGO_", 0) == 0 || k == "HOME" || k == "XDG_CONFIG_HOME" ||
                    k == "XDG_CACHE_HOME" || k == "PATH" || k == "CC" || k == "CXX";
    if (!relevant || k.rfind("GOPLS_SANDBOX_", 0) == 0) continue;
    mix(k);
    mix(v);
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string go_env_to_json(const GoEnv& g) {
  json::Value v;
  v.set("GOROOT", g.goroot);
  v.set("GOPATH", g.gopath);
  v.set("GOMODCACHE", g.gomodcache);
  v.set("GOCACHE", g.gocache.empty() ? "off" : g.gocache);
  v.set("GOENV", g.goenv_file.empty() ? "off" : g.goenv_file);
  v.set("GOVERSION", g.goversion);
  return v.dump();
}

UserDirs user_dirs(const std::map<std::string, std::string>& env) {
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  std::string home = get("HOME");
  std::string cache = get("XDG_CACHE_HOME");
  if (cache.empty() || cache[0] != '/') cache = home.empty() ? "" : home + "/.cache";
  std::string config = get("XDG_CONFIG_HOME");
  if (config.empty() || config[0] != '/') config = home.empty() ? "" : home + "/.config";
  UserDirs d;
  std::string gc = get("GOPLSCACHE");
  d.gopls_cache = !gc.empty() ? gc : (cache.empty() ? "" : cache + "/gopls");
  d.goimports_cache = cache.empty() ? "" : cache + "/goimports";
  d.telemetry_dir = config.empty() ? "" : config + "/go/telemetry";
  d.gopls_config = config.empty() ? "" : config + "/gopls";
  return d;
}

}  // namespace gsb::core
