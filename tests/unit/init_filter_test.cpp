// The filter of the sandbox's pid 1 (issue 11: pid 1 must not be a way out once the program
// runs): exactly what the reaping loop needs is allowed, everything else kills pid 1.
#include <linux/audit.h>
#include <sys/syscall.h>

#include <gtest/gtest.h>

#include "gopls_sandbox/core/bpf_sim.hpp"
#include "gopls_sandbox/core/init_filter.hpp"

namespace gsb::core {
namespace {

uint32_t action_of(int nr, uint32_t arch = AUDIT_ARCH_X86_64) {
  const uint64_t args[6] = {};
  auto r = run_bpf(init_filter(), arch, nr, args);
  EXPECT_TRUE(r.ok) << r.error;
  return r.action();
}

TEST(InitFilter, AllowsOnlyWhatReapingAndForwardingNeed) {
  for (int nr : {SYS_rt_sigtimedwait, SYS_kill, SYS_wait4, SYS_exit_group, SYS_exit, SYS_rt_sigreturn,
                 SYS_restart_syscall, SYS_close})
    EXPECT_EQ(action_of(nr), SECCOMP_RET_ALLOW) << nr;
}

TEST(InitFilter, KillsEverythingAnAttackerWouldUse) {
  for (int nr : {SYS_ioctl, SYS_open, SYS_openat, SYS_read, SYS_write, SYS_mmap, SYS_mprotect, SYS_execve,
                 SYS_execveat, SYS_clone, SYS_clone3, SYS_fork, SYS_unshare, SYS_setns, SYS_mount, SYS_ptrace,
                 SYS_process_vm_writev, SYS_socket, SYS_sendmsg, SYS_prctl, SYS_seccomp, SYS_chdir, SYS_bpf,
                 SYS_tgkill, SYS_pidfd_open, SYS_rt_sigaction, SYS_rt_sigprocmask})
    EXPECT_EQ(action_of(nr), SECCOMP_RET_KILL_PROCESS) << nr;
}

TEST(InitFilter, KillsX32AndForeignArchitectures) {
  EXPECT_EQ(action_of(SYS_kill | 0x40000000), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(action_of(SYS_wait4 | 0x40000000), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(action_of(37 /* kill on i386 */, AUDIT_ARCH_I386), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(action_of(SYS_kill, AUDIT_ARCH_AARCH64), SECCOMP_RET_KILL_PROCESS);
}

}  // namespace
}  // namespace gsb::core
