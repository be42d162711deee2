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

// The i386 and x32 tables of the same kernel (sorted by number; x32 numbers without
// __X32_SYSCALL_BIT), for naming the calls of 32-bit and x32 logs (profile generation refuses
// them). scripts/gen-syscall-tables writes all three; a unit test of the system layer checks
// them against libseccomp's.
const std::vector<SyscallInfo>& i386_syscalls();
const std::vector<SyscallInfo>& x32_syscalls();
enum class SyscallAbi { x86_64, i386, x32 };
// -1 when the name is not in the ABI's table.
int syscall_nr(SyscallAbi abi, std::string_view name) noexcept;
// "" when the number is not in the ABI's table. x32 takes numbers with or without
// __X32_SYSCALL_BIT (0x40000000), like libseccomp.
std::string_view syscall_name(SyscallAbi abi, int nr) noexcept;

}  // namespace gsb::core
