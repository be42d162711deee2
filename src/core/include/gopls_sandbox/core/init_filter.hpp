// The seccomp filter of the sandbox's pid 1 once setup is done. pid 1 then only reaps, forwards
// signals and exits; everything else kills it (and with it the whole pid namespace), so code
// that somehow took it over can do no more than the program itself could. Pure: a fixed
// classic-BPF program, tested on the emitted instructions (tests/unit/init_filter_test.cpp).
#pragma once

#include <linux/filter.h>

#include <vector>

namespace gsb::core {

// The syscalls pid 1 makes after the program was started: rt_sigtimedwait (sigwaitinfo), kill,
// wait4 (waitpid), exit_group/exit (_exit), rt_sigreturn (its no-op handlers), restart_syscall, close (its message socket).
// Any other syscall, the x32 ABI and any other architecture: SECCOMP_RET_KILL_PROCESS.
std::vector<sock_filter> init_filter();

}  // namespace gsb::core
