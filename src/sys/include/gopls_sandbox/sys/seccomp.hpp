// Loading a compiled seccomp program (the raw seccomp(2) syscall) and probing the kernel.
#pragma once

#include <linux/filter.h>

#include <cstddef>

namespace gsb::sys {

// Install `prog` on the calling thread (SECCOMP_SET_MODE_FILTER, TSYNC not used). With
// want_listener, asks for SECCOMP_FILTER_FLAG_NEW_LISTENER and stores the listener fd in
// *listener_fd. The caller must have set no_new_privs (or hold CAP_SYS_ADMIN). Returns 0 or
// an errno. Async-signal-safe, does not allocate: meant for a forked child right before execve.
int load_filter(const sock_filter* prog, size_t len, bool want_listener, int* listener_fd,
                bool log = false) noexcept;

// Whether SECCOMP_RET_USER_NOTIF is available (kernel >= 5.0 and not disabled).
bool kernel_supports_user_notif() noexcept;

}  // namespace gsb::sys
