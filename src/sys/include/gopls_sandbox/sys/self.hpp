// Facts about the running launcher process: its pid, whether it is root, its environment; its
// signal disposition. (getcwd and the effective uid: sys/host_probe.hpp.)
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

pid_t own_pid();
bool is_root();  // effective uid 0
// getenv(3): nullopt when unset.
std::optional<std::string> env_var(const char* name);
// SIGPIPE ignored: a write to a reader that is gone fails with EPIPE instead of killing us.
void ignore_sigpipe();

}  // namespace gsb::sys
