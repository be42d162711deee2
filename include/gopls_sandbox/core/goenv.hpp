// Parsing `go env -json` and the per-user directories gopls uses (pure).
#pragma once

#include <map>
#include <string>

#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

Result<GoEnv> parse_go_env_json(std::string_view json_text);

struct UserDirs {
  std::string gopls_cache, goimports_cache, telemetry_dir, gopls_config;
};
// Go's os.UserCacheDir/UserConfigDir rules: $XDG_CACHE_HOME or $HOME/.cache, $XDG_CONFIG_HOME or
// $HOME/.config; gopls' cache is $GOPLSCACHE when set.
UserDirs user_dirs(const std::map<std::string, std::string>& env);

}  // namespace gsb::core
