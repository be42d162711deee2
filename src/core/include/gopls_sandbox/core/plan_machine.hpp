// The mounts that show the machine facts of core/machine_facts.hpp inside the sandbox: each
// file read-only, nosuid, nodev, noexec, at the host's path, optional; nothing else of /sys.
#pragma once

#include <string>
#include <vector>

#include "gopls_sandbox/core/machine_facts.hpp"
#include "gopls_sandbox/core/plan.hpp"

namespace gsb::core {

// From the facts and the probe's view of the host paths. What is skipped is said in `notes`.
//
// The own cgroup: Go's runtime only uses a cgroup/cgroup2 mount whose root is a prefix of its
// cgroup path, so the own cgroup directory is bound (read-only) at its host path; a read-only
// tmpfs then covers it, and only the CPU limit files are bound into that tmpfs. Inside,
// mountinfo names the directory bind (the runtime's match) and opening DIR/cpu.max resolves
// through the tmpfs to the host file: the other files of the cgroup (cgroup.procs with host
// pids, memory.*, io.*) and, for a root cgroup, the whole hierarchy stay hidden.
std::vector<MountOp> machine_fact_mounts(const MachineFacts& facts, const HostProbe& probe,
                                         std::vector<std::string>& notes);

}  // namespace gsb::core
