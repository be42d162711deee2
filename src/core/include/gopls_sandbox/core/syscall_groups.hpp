// Named syscall groups ("@go-runtime", "@file-read", ...) in the spirit of systemd's
// @system-service. A member is a syscall name or "@other-group". Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

struct SyscallGroup {
  std::string_view name;         // "@go-runtime"
  std::string_view description;  // one line
  std::vector<std::string_view> members;  // syscall names or "@group"
};

// The shipped table, sorted by name.
const std::vector<SyscallGroup>& builtin_groups();
// nullptr when unknown. `name` with or without the leading '@'.
const SyscallGroup* find_group(std::string_view name);
// Flattened, sorted, de-duplicated syscall names of a group (groups may include groups).
// Error (usage) for an unknown group, an unknown member or a cycle.
Result<std::vector<std::string>> expand_group(std::string_view name);

}  // namespace gsb::core
