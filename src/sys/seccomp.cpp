#include "gopls_sandbox/sys/seccomp.hpp"

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace gsb::sys {

long load_filter_wait_killable(unsigned long flags, const void* fprog) noexcept;  // at the end of the file

int load_filter(const sock_filter* prog, size_t len, bool want_listener, int* listener_fd, bool log) noexcept {
  if (!prog || len == 0 || len > BPF_MAXINSNS) return EINVAL;
  if (want_listener && !listener_fd) return EINVAL;
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(len);
  fprog.filter = const_cast<sock_filter*>(prog);
  unsigned long flags = want_listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
  // Without a listener, at least let the kernel's audit log see refusals (where it is read).
  if (log) flags |= SECCOMP_FILTER_FLAG_LOG;
  long r = -1;
  if (want_listener) r = load_filter_wait_killable(flags, &fprog);
  if (r < 0) r = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (r < 0) return errno;
  if (want_listener) *listener_fd = static_cast<int>(r);
  return 0;
}

bool kernel_supports_user_notif() noexcept {
  uint32_t action = SECCOMP_RET_USER_NOTIF;
  if (::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) return false;
  struct seccomp_notif_sizes sizes {};
  return ::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0;
}

// Issue 17 §3: with a listener, ask for SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19+):
// once the supervisor has received a notification, the caller waits killable, so Go's
// preemption signal (SIGURG, every 10 ms) no longer interrupts a notified call and makes it
// restart and notify again. On any failure (EINVAL: a kernel without the flag) the caller loads
// the filter the old way, which reports a real failure again.
long load_filter_wait_killable(unsigned long flags, const void* fprog) noexcept {
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
  return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, fprog);
}

}  // namespace gsb::sys
