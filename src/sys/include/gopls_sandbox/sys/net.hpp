// Network namespace: bring the loopback interface up (it starts down in a new namespace).
#pragma once
namespace gsb::sys {
int loopback_up() noexcept;  // 0 or errno
// Issue 14: a listening TCP socket on addr:port (host order) in the caller's network namespace
// (CLOEXEC). Returns 0 and *fd, or an errno.
int proxy_listener(unsigned addr, unsigned short port, int* fd) noexcept;
}  // namespace gsb::sys
