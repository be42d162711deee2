#include "gopls_sandbox/app/settings.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/untrusted_settings.hpp"
#include "gopls_sandbox/sys/files.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/host_probe.hpp"
#include "gopls_sandbox/sys/io.hpp"

extern char** environ;

namespace gsb::app {

namespace {

std::string get(const std::map<std::string, std::string>& env, const char* k) {
  auto it = env.find(k);
  return it == env.end() ? std::string() : it->second;
}

std::string config_path(const std::map<std::string, std::string>& env) {
  std::string p = get(env, "GOPLS_SANDBOX_CONFIG");
  if (!p.empty()) return p;
  std::string x = get(env, "XDG_CONFIG_HOME");
  if (x.empty() || x[0] != '/') {
    std::string home = get(env, "HOME");
    if (home.empty()) return {};
    x = home + "/.config";
  }
  return x + "/gopls-sandbox/config.toml";
}

}  // namespace

std::map<std::string, std::string> environment_map() {
  std::map<std::string, std::string> m;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (!eq) continue;
    m.emplace(std::string(*e, static_cast<size_t>(eq - *e)), std::string(eq + 1));
  }
  return m;
}

std::vector<std::string> environment_list() {
  std::vector<std::string> v;
  for (char** e = environ; e && *e; ++e) v.emplace_back(*e);
  return v;
}

std::vector<std::string> host_go_environment() {
  std::vector<std::string> v;
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, "GOTOOLCHAIN=", 12) != 0) v.emplace_back(*e);
  // Never let a go.mod/go.work `toolchain` line make the host download and run another Go.
  v.emplace_back("GOTOOLCHAIN=local");
  return v;
}

std::vector<std::string> profile_search_path(const std::map<std::string, std::string>& env) {
  // GOPLS_SANDBOX_PROFILE_PATH (':'-separated) comes first, then the standard places.
  std::vector<std::string> path;
  std::string extra = get(env, "GOPLS_SANDBOX_PROFILE_PATH");
  for (size_t i = 0; i <= extra.size();) {
    size_t j = extra.find(':', i);
    if (j == std::string::npos) j = extra.size();
    if (j > i) path.push_back(extra.substr(i, j - i));
    i = j + 1;
  }
  std::string xdg = get(env, "XDG_CONFIG_HOME"), home = get(env, "HOME");
  for (auto& d : core::profile_search_path(xdg.c_str(), home.c_str())) path.push_back(d);
  return path;
}

std::string launcher_cache_dir(const std::map<std::string, std::string>& env) {
  std::string c = get(env, "XDG_CACHE_HOME");
  if (c.empty() || c[0] != '/') {
    std::string home = get(env, "HOME");
    if (home.empty()) return {};
    c = home + "/.cache";
  }
  return c + "/gopls-sandbox";
}

Result<core::Options> resolve_options(const core::Options& cli, const std::map<std::string, std::string>& env) {
  core::Options base;
  std::string cfg = config_path(env);
  if (!cfg.empty() && sys::access_err(cfg, F_OK) == 0) {
    auto text = sys::read_file(cfg);
    if (!text) return Error::usage("config " + text.error().message);
    auto parsed = core::parse_config(*text, cfg);
    if (!parsed) return std::move(parsed).error();
    base = *parsed;
  } else if (!get(env, "GOPLS_SANDBOX_CONFIG").empty()) {
    return Error::usage("config " + cfg + ": " + errno_text(ENOENT) + " (from GOPLS_SANDBOX_CONFIG)");
  }
  auto from_env = core::parse_env(env);
  if (!from_env) return std::move(from_env).error();
  core::expand_home(base, get(env, "HOME"));
  core::expand_home(*from_env, get(env, "HOME"));
  return core::merge(core::merge(base, *from_env), cli);
}

bool test_hooks_enabled() {
  static const bool on = [] {
    std::string exe = sys::self_exe();
    size_t slash = exe.rfind('/');
    return slash != std::string::npos &&
           sys::access_err(exe.substr(0, slash) + "/gopls-sandbox.test-hooks", F_OK) == 0;
  }();
  return on;
}

std::string test_hook(const std::map<std::string, std::string>& env, const char* name) {
  std::string v = get(env, name);
  if (v.empty() || test_hooks_enabled()) return v;
  static bool said = false;
  if (!said) std::fprintf(stderr, "gopls-sandbox: warning: %s is a test hook: ignored by an installed launcher\n", name);
  said = true;
  return {};
}

std::vector<std::string> untrusted_weakenings(const core::Options& cli, const std::map<std::string, std::string>& env) {
  core::Options named;  // a config file named by the environment is as untrusted as the environment
  if (std::string cfg = get(env, "GOPLS_SANDBOX_CONFIG"); !cfg.empty()) {
    if (auto text = sys::read_file(cfg)) {
      if (auto parsed = core::parse_config(*text, cfg)) named = *parsed;
    }
  }
  auto from_env = core::parse_env(env);
  core::Options o = core::merge(core::merge(named, from_env ? *from_env : core::Options{}), cli);
  auto w = core::weakenings(o);
  // Profile names are looked up here first: a directory of the repository's could hold a "gopls"
  // profile that allows everything.
  if (std::string pp = get(env, "GOPLS_SANDBOX_PROFILE_PATH"); !pp.empty()) w.push_back("GOPLS_SANDBOX_PROFILE_PATH=" + pp);
  return w;
}

Result<void> check_output_files(const core::Options& o) {
  auto check = [](core::OutputKind k, const std::string& path) -> Result<void> {
    auto head = sys::read_head(path, core::kOutputHeadBytes);
    if (!head) return Error::usage(std::string(k == core::OutputKind::DenialLog ? "--log " : "--metrics ") +
                                   head.error().message);
    return core::check_output_target(k, path, *head);
  };
  if (o.log && *o.log != "off" && !o.log->empty())
    if (auto r = check(core::OutputKind::DenialLog, *o.log); !r) return r;
  if (o.metrics && !o.metrics->empty())
    if (auto r = check(core::OutputKind::Metrics, *o.metrics); !r) return r;
  return {};
}

core::Options with_profile_settings(const core::Options& profile_settings, const core::Options& resolved) {
  return core::merge(profile_settings, resolved);
}

}  // namespace gsb::app
