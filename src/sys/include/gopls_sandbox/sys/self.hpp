// Facts about the running launcher process: its pid, whether it is root, its environment; its
// signal disposition. (getcwd and the effective uid: sys/host_probe.hpp.)
#pragma once

#include <sys/types.h>

#include <string>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

pid_t own_pid();
bool is_root();  // effective uid 0
// getenv(3): the value, or nullptr when unset (valid until the environment changes).
const char* env_or_null(const char* name);
// SIGPIPE ignored: a write to a reader that is gone fails with EPIPE instead of killing us.
void ignore_sigpipe();

}  // namespace gsb::sys
