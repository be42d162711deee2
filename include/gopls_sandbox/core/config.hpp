// The launcher's settings: one schema for every source, one precedence rule, one merge, one codec.
//
// Sources, lowest first: the profile's [sandbox] table < the config file < GOPLS_SANDBOX_* < argv.
// The rule (merge()): a scalar set by a later source wins; lists accumulate in source order
// (binds, ro_binds, env, unset_env, set_env), except workspaces, which a later source replaces.
// A profile may set only binds, ro_binds, share_net, unset_env and set_env (core/profile.cpp);
// the launcher resolves all sources before the sandbox's pid 1 exists (app/settings.cpp).
// Parsing is pure: the caller reads the file and the environment and passes them in.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

enum class InodeCheck { Off, Warn, Strict };

// Each field is "unset" when absent from a source, so sources can be layered.
struct Options {
  std::vector<std::string> workspaces;  // replaced by a later source that sets any
  std::vector<std::string> binds;       // SRC[:DST], accumulated across sources
  std::vector<std::string> ro_binds;    // SRC[:DST], accumulated across sources
  std::optional<bool> share_net;
  std::optional<std::string> gopls;
  std::optional<std::string> profile;
  std::optional<std::string> log;
  std::optional<std::string> metrics;  // Prometheus text file; enables the stdio relay
  std::optional<bool> verbose;
  std::optional<InodeCheck> inode_check;
  // Environment passed in beyond the default allowlist: "NAME" (the caller's value) or
  // "NAME=VALUE"; accumulated across sources (config `env`, GOPLS_SANDBOX_ENV, --env).
  std::vector<std::string> env;
  // Bind the workspace's .git/.hg/.jj/.svn, .envrc, .vscode, .idea read-write (default: read-only).
  std::optional<bool> writable_vcs;
  // Issue 12: how the Go caches are seen inside (cow, private, shared) and the trust domain whose
  // layers a launch uses (default: one per workspace). See core/cache_domains.hpp.
  std::optional<CacheMode> cache_mode;
  std::optional<std::string> cache_domain;
  // Profile-only (its [sandbox] table): variables removed from the program's environment, and
  // "KEY=VALUE" set in it after that (the last one for a key wins).
  std::vector<std::string> unset_env;
  std::vector<std::string> set_env;
  bool share_tty = false;  // exec --share-tty: the program keeps the caller's session and terminal
  bool dry_run = false;
};
using Settings = Options;

// Parse config.toml text; errors are "FILE:LINE:COL: message".
Result<Options> parse_config(std::string_view text, const std::string& file_name);
// GOPLS_SANDBOX_WORKSPACE (':'-separated), _BIND, _RO_BIND (':'-separated pairs use ','),
// _SHARE_NET, _GOPLS, _PROFILE, _LOG, _VERBOSE, _INODE_CHECK, _ENV (','-separated), _WRITABLE_VCS,
// _CACHE_MODE, _CACHE_DOMAIN.
Result<Options> parse_env(const std::map<std::string, std::string>& env);
// The precedence rule (see the top of this file): `over` is the later source.
Options merge(const Options& base, const Options& over);
// The codec: every field that is set, as a JSON object (lists always present), and back.
// Used wherever settings are stored (the compiled-filter cache) or shown.
json::Value settings_to_json(const Options& o);
Result<Options> settings_from_json(const json::Value& v);
Result<InodeCheck> parse_inode_check(std::string_view s);
// An --env / config `env` entry: "NAME" or "NAME=VALUE"; TMPDIR and GOPLS_SANDBOX* are refused.
Result<void> check_env_entry(const std::string& entry);
Result<bool> parse_bool(std::string_view s, const std::string& what);
// "~", "~/x", "$HOME/x", "${HOME}/x" -> home + rest (other text unchanged; "" home: unchanged).
std::string expand_home(const std::string& path, const std::string& home);
// The same for every path-valued option (workspaces, both sides of binds, gopls, log, metrics):
// applied to the config file's and the environment's values, which no shell expanded.
void expand_home(Options& o, const std::string& home);
// "SRC[:DST]" -> {src, dst}; dst empty when absent.
std::pair<std::string, std::string> split_bind(const std::string& spec);

}  // namespace gsb::core
