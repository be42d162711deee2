#include "gopls_sandbox/core/init_filter.hpp"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>

namespace gsb::core {

std::vector<sock_filter> init_filter() {
  // close: the message socket, right after the filter is loaded. Kept in step with sandbox_init's final loop (src/sys/sandbox.cpp): add a call there, add it
  // here, and the unit test.
  static constexpr unsigned kAllowed[] = {SYS_rt_sigtimedwait, SYS_kill,         SYS_wait4,          SYS_exit_group,
                                          SYS_exit,            SYS_rt_sigreturn, SYS_restart_syscall, SYS_close};
  constexpr unsigned n = sizeof kAllowed / sizeof kAllowed[0];
  std::vector<sock_filter> p;
  auto stmt = [&](unsigned short code, unsigned k) { p.push_back(BPF_STMT(code, k)); };
  auto jump = [&](unsigned short code, unsigned k, unsigned char jt, unsigned char jf) {
    p.push_back(BPF_JUMP(code, k, jt, jf));
  };
  // Only the native x86_64 ABI: another arch (i386 through int 0x80) or the x32 bit is killed.
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
  jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, static_cast<unsigned char>(n), 0);  // x32: to the kill
  for (unsigned i = 0; i < n; ++i)  // match: jump to the allow at the end; else next test
    jump(BPF_JMP | BPF_JEQ | BPF_K, kAllowed[i], static_cast<unsigned char>(n - i), 0);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  return p;
}

}  // namespace gsb::core
