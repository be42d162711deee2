// Loading a compiled seccomp filter (the child's last step before execve) and probing kernel
// support. Compilation lives in the pure core (core/policy.hpp).
#pragma once

#include <linux/filter.h>

#include <cstddef>

namespace gsb::sys {

// Loads `prog` with seccomp(2). Requires no_new_privs (or CAP_SYS_ADMIN). When want_listener is
// set, asks for a user-notification fd (SECCOMP_FILTER_FLAG_NEW_LISTENER) and stores it in
// *listener_fd. Returns 0 or an errno. Does not allocate (safe between fork and execve).
int load_filter(const sock_filter* prog, size_t len, bool want_listener, int* listener_fd) noexcept;

// Whether the kernel can deliver SECCOMP_RET_USER_NOTIF.
bool kernel_supports_user_notif() noexcept;

}  // namespace gsb::sys
