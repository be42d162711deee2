// The host Go toolchain's directories (`go env`), cached: running go costs tens of
// milliseconds, the cache (sys/cache_file.hpp, kind "goenv") a stat or two.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "gopls_sandbox/core/plan.hpp"

namespace gsb::app {

// `go env` of the go binary `go` under the caller's environment; nullopt when it fails (then
// the Go directories are not mounted; with verbose, a line on stderr says so).
std::optional<core::GoEnv> go_env(const std::string& go, const std::map<std::string, std::string>& env,
                                  const std::string& cache_dir, bool verbose);

}  // namespace gsb::app
