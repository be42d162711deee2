// Reading the machine facts Go's runtime uses (core/machine_facts.hpp) on this host, and as a
// given process sees them (for `inspect`).
#pragma once

#include "gopls_sandbox/core/machine_facts.hpp"

namespace gsb::sys {

// This process's own CPU cgroup, from /proc/self/cgroup and /proc/self/mountinfo.
core::MachineFacts probe_machine_facts();

// What process `pid` sees (0: this process): the THP size and its cgroup CPU limit, read
// through /proc/PID/root at the paths the runtime would use inside that process's mounts.
core::MachineView read_machine_view(int pid);

}  // namespace gsb::sys
