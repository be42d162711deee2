// Issue 13 §5: `doctor --workspace DIR` tells the truth about the workspace — whether gopls'
// cache is writable, what Go needs outside the folder (go.work, replace, GOPATH) and whether the
// sandbox binds it, dependencies missing from GOMODCACHE (the sandbox has no network), and
// whether the module's packages load inside the sandbox (`go list` with gopls' flags).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gopls_sandbox/core/doctor.hpp"

namespace gsb::app {

std::vector<core::Check> check_workspace_truths(const std::string& workspace, const std::optional<std::string>& gopls,
                                                const std::map<std::string, std::string>& env,
                                                const std::string& gomodcache, bool load_packages);

}  // namespace gsb::app
