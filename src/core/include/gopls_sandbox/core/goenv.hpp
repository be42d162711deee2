// Parsing `go env -json` and the per-user directories gopls uses (pure).
#pragma once

#include <map>
#include <string>

#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

Result<GoEnv> parse_go_env_json(std::string_view json_text);

// The cache key of a `go env` answer: the go binary's identity, the working directory's go.mod
// and go.work identities (GOTOOLCHAIN can switch toolchains per module), and every environment
// variable go reads (GO*, HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME, CGO_*, CC/CXX, PATH). FNV-1a 64.
std::string go_env_cache_key(const std::string& go_identity, const std::string& cwd_identity,
                             const std::map<std::string, std::string>& env);
std::string go_env_to_json(const GoEnv& g);

struct UserDirs {
  std::string gopls_cache, goimports_cache, telemetry_dir, gopls_config;
};
// Go's os.UserCacheDir/UserConfigDir rules: $XDG_CACHE_HOME or $HOME/.cache, $XDG_CONFIG_HOME or
// $HOME/.config; gopls' cache is $GOPLSCACHE when set.
UserDirs user_dirs(const std::map<std::string, std::string>& env);

}  // namespace gsb::core
