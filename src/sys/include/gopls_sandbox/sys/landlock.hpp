// Landlock (landlock_create_ruleset / add_rule / restrict_self): the second wall. The ruleset is
// built in the sandbox's pid 1 after pivot_root (paths are inside), and the program's process
// enforces it on itself right before its seccomp filter and execve.
#pragma once

#include "gopls_sandbox/core/landlock_plan.hpp"

namespace gsb::sys {

// The running kernel's Landlock ABI version, 0 when Landlock is absent or disabled.
int landlock_abi() noexcept;
// A ruleset fd (O_CLOEXEC) for `lp` as far as `abi` handles it, or -errno. Missing paths are
// skipped (optional binds). `what` names the failing step.
int landlock_build(const core::LandlockPlan& lp, int abi, const char** what) noexcept;
// Enforce on the calling thread (no_new_privs must be set). 0 or an errno. Does not allocate.
int landlock_enforce(int ruleset_fd) noexcept;

}  // namespace gsb::sys
