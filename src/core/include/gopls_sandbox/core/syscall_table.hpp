// x86_64 system call names and numbers (the table profiles are checked against), plus the
// name lookups the profile loader needs. Pure.
#pragma once

#include "gopls_sandbox/core/suggest.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gsb::core {

struct SyscallInfo {
  std::string_view name;
  int nr;
};

// Sorted by number; every x86_64 syscall of the table version.
const std::vector<SyscallInfo>& x86_64_syscalls();
// "linux-6.1/x86_64": which kernel's table this is.
std::string_view syscall_table_version() noexcept;
// -1 when the name is not in the table.
int syscall_nr(std::string_view name) noexcept;
// "" when the number is not in the table.
std::string_view syscall_name(int nr) noexcept;
// Largest number in the table.
int syscall_table_max_nr() noexcept;
// Up to `max` table names closest to `name` by edit distance (only reasonably close ones),
// best first. Used for "did you mean" hints.
std::vector<std::string> closest_syscall_names(std::string_view name, size_t max = 3);
// edit_distance: core/suggest.hpp

}  // namespace gsb::core
