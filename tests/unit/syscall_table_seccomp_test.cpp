// Core's syscall tables (src/core/syscall_table_data.cpp, written by scripts/gen-syscall-tables)
// against libseccomp's, which the system layer compiles filters with: every entry must resolve
// the same way in both directions, and libseccomp may know only numbers above the x86_64 table's
// largest (syscalls newer than the table's kernel). A drift fails here, not in a profile.
// libseccomp's own conventions: x32 names resolve to numbers with __X32_SYSCALL_BIT; the i386
// socketcall and ipc calls (socket, bind, shmget, ...) resolve by name to its pseudo numbers
// (< 0: it multiplexes them), while their numbers still resolve to the names. Those names are
// all x86_64 names, which profile generation never looks up in the i386 table.
#include <gtest/gtest.h>
#include <seccomp.h>

#include <cstdlib>
#include <set>
#include <string>

#include "gopls_sandbox/core/profile_gen.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"

namespace {

using gsb::core::SyscallAbi;
using gsb::core::SyscallInfo;

constexpr int kX32Bit = 0x40000000;

std::string seccomp_name(uint32_t arch, int nr) {
  char* n = seccomp_syscall_resolve_num_arch(arch, nr);
  if (!n) return {};
  std::string s(n);
  std::free(n);
  return s;
}

struct Abi {
  const char* what;
  SyscallAbi abi;
  uint32_t arch;
  const std::vector<SyscallInfo>& (*table)();
};
const Abi kAbis[] = {
    {"x86_64", SyscallAbi::x86_64, SCMP_ARCH_X86_64, &gsb::core::x86_64_syscalls},
    {"i386", SyscallAbi::i386, SCMP_ARCH_X86, &gsb::core::i386_syscalls},
    {"x32", SyscallAbi::x32, SCMP_ARCH_X32, &gsb::core::x32_syscalls},
};

TEST(SyscallTableVsLibseccomp, EveryEntryResolvesTheSameWay) {
  for (const Abi& a : kAbis) {
    SCOPED_TRACE(a.what);
    const auto& t = a.table();
    ASSERT_GT(t.size(), 300u);
    for (const auto& s : t) {
      std::string name(s.name);
      int lib = seccomp_syscall_resolve_name_arch(a.arch, name.c_str());
      if (a.abi == SyscallAbi::x32) {
        EXPECT_EQ(lib, s.nr + kX32Bit) << name;
      } else if (a.abi == SyscallAbi::i386 && lib < 0) {
        EXPECT_GE(gsb::core::syscall_nr(name), 0) << name << ": multiplexed on i386 but not an x86_64 name";
      } else {
        EXPECT_EQ(lib, s.nr) << name;
      }
      EXPECT_EQ(seccomp_name(a.arch, s.nr), name) << s.nr;
      EXPECT_EQ(gsb::core::syscall_nr(a.abi, name), s.nr) << name;
      EXPECT_EQ(gsb::core::syscall_name(a.abi, s.nr), s.name) << s.nr;
    }
  }
}

TEST(SyscallTableVsLibseccomp, NoNumberUpToTheTablesLargestIsMissing) {
  for (const Abi& a : kAbis) {
    SCOPED_TRACE(a.what);
    const auto& t = a.table();
    int max = t.back().nr;
    // Numbers above the kernel's newest syscall (x86_64's largest) up to x32's fixed compat
    // range at 512 may be known to a newer libseccomp only.
    const int newest = gsb::core::x86_64_syscalls().back().nr;
    std::set<std::string> newer;
    for (int nr = 0; nr <= max + 64; ++nr) {
      std::string lib = seccomp_name(a.arch, nr);
      std::string ours(gsb::core::syscall_name(a.abi, nr));
      if (nr > max || (nr > newest && nr < 512)) {
        EXPECT_EQ(ours, "") << nr;
        if (!lib.empty()) newer.insert(lib);  // newer than the table's kernel: "unknown" to profiles
        continue;
      }
      EXPECT_EQ(ours, lib) << a.what << " number " << nr;
    }
    if (!newer.empty()) {
      std::string all;
      for (const auto& n : newer) all += " " + n;
      std::printf("[ info ] %s: libseccomp knows %zu syscalls newer than %s:%s\n", a.what, newer.size(),
                  std::string(gsb::core::syscall_table_version()).c_str(), all.c_str());
    }
  }
}

TEST(SyscallTableVsLibseccomp, X32NumbersWithTheX32BitAndForeignNames) {
  for (const auto& s : gsb::core::x32_syscalls()) {
    EXPECT_EQ(gsb::core::syscall_name(SyscallAbi::x32, s.nr + kX32Bit), s.name);
    EXPECT_EQ(seccomp_name(SCMP_ARCH_X32, s.nr + kX32Bit), std::string(s.name));
  }
  // Neither the x86_64 nor the i386 table takes x32's bit.
  EXPECT_EQ(gsb::core::syscall_name(SyscallAbi::x86_64, kX32Bit), "");
  EXPECT_EQ(seccomp_name(SCMP_ARCH_X86_64, kX32Bit), "");
  EXPECT_EQ(gsb::core::syscall_name(SyscallAbi::i386, kX32Bit + 3), "");
  EXPECT_EQ(seccomp_name(SCMP_ARCH_X86, kX32Bit + 3), "");
  // What profile generation asks: i386-only names are not x86_64 names, in both.
  for (const char* n : {"mmap2", "_llseek", "socketcall", "stat64", "waitpid", "sigreturn"}) {
    EXPECT_LT(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, n), 0) << n;
    EXPECT_FALSE(gsb::profile_gen::is_known_syscall(n)) << n;
    EXPECT_GE(gsb::core::syscall_nr(SyscallAbi::i386, n), 0) << n;
    EXPECT_EQ(gsb::core::syscall_nr(SyscallAbi::i386, n), seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, n)) << n;
  }
}

}  // namespace
