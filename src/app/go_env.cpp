#include "gopls_sandbox/app/go_env.hpp"

#include <cstdio>

#include "gopls_sandbox/app/settings.hpp"
#include "gopls_sandbox/core/goenv.hpp"
#include "gopls_sandbox/sys/cache_file.hpp"
#include "gopls_sandbox/sys/process.hpp"

namespace gsb::app {

std::optional<core::GoEnv> go_env(const std::string& go, const std::map<std::string, std::string>& env,
                                  const std::string& cache_dir, bool verbose) {
  auto get = [&env](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  std::string goenv_file = get("GOENV");
  if (goenv_file.empty()) {
    std::string cfg = get("XDG_CONFIG_HOME");
    if (cfg.empty() || cfg[0] != '/') cfg = get("HOME") + "/.config";
    goenv_file = cfg + "/go/env";
  }
  // The key: the go binary and every variable go reads; the entry is valid while the go binary
  // and the GOENV file are as they were. (go env runs in "/" with GOTOOLCHAIN=local: the
  // workspace's go.mod/go.work play no part.)
  std::string key = core::go_env_cache_key(go + "\n" + goenv_file, "/", env);
  if (auto e = sys::cache_load(cache_dir, "goenv", key)) {
    if (auto g = core::parse_go_env_json(e->meta)) return *g;
  }
  // Only the variables we need: a bare `go env -json` also runs the C compiler (GOGCCFLAGS).
  auto r = sys::run_capture({go, "env", "-json", "GOROOT", "GOPATH", "GOMODCACHE", "GOCACHE", "GOENV", "GOVERSION"},
                            host_go_environment());
  if (!r || r->status != 0) {
    if (verbose) std::fprintf(stderr, "gopls-sandbox: `go env -json` failed; Go directories are not mounted\n");
    return std::nullopt;
  }
  auto g = core::parse_go_env_json(r->out);
  if (!g) {
    if (verbose) std::fprintf(stderr, "gopls-sandbox: %s\n", g.error().message.c_str());
    return std::nullopt;
  }
  sys::cache_store(cache_dir, "goenv", key, {go, goenv_file}, core::go_env_to_json(*g), {});
  return *g;
}

}  // namespace gsb::app
