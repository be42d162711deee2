// Machine facts Go's runtime reads at startup, found on the host and shown unchanged inside.
//
// Measured (strace -f -e trace=%file of go 1.26 and go 1.19 binaries, of `go build` with cgo
// — go, compile, asm, cgo, link, gcc, cc1, as, collect2, ld — and of gopls) and read in Go
// 1.26's src/runtime/os_linux.go and src/internal/runtime/cgroup:
//   - every Go binary (1.19 and 1.26): /sys/kernel/mm/transparent_hugepage/hpage_pmd_size
//     (the runtime's physHugePageSize: without it the heap is never backed by huge pages);
//   - Go 1.25+: /proc/self/cgroup, /proc/self/mountinfo, then the own cgroup's CPU limit,
//     cpu.max (v2) or cpu.cfs_quota_us + cpu.cfs_period_us (v1), under the cgroup mount
//     mountinfo names (for GOMAXPROCS; the files stay open and are re-read while running).
// Nothing else of /sys or of the cgroup is read: not the memory limit (GOMEMLIMIT is only an
// environment variable), not the CPU online/possible lists (NumCPU is sched_getaffinity; gcc,
// as and ld never call sysconf(_SC_NPROCESSORS_*), and glibc would fall back to /proc/stat),
// not NUMA or cache topology.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

// The cgroup whose CPU limit Go's runtime applies, found the way internal/runtime/cgroup's
// FindCPU finds it: a v1 hierarchy with the "cpu" controller wins over the v2 (unified) one;
// the mount is the first cgroup (v1, "cpu" in its super options) or cgroup2 mount whose root is
// a path prefix of the cgroup path.
struct CpuCgroup {
  int version = 0;          // 1 or 2
  std::string cgroup;       // the path in /proc/self/cgroup ("/user.slice/…")
  std::string mount_root;   // that mount's root within the cgroup filesystem (unescaped)
  std::string mount_point;  // where it is mounted (unescaped)
  std::string dir;          // mount_point + the cgroup path below mount_root: the directory read
};

// From the texts of /proc/self/cgroup and /proc/self/mountinfo. Errors say why there is none
// ("not in a CPU cgroup", "no cgroup mount reaches …"); the runtime then applies no limit.
Result<CpuCgroup> find_cpu_cgroup(std::string_view proc_cgroup, std::string_view mountinfo);

// The files of `cg` the runtime reads, in the order it opens them.
std::vector<std::string> cpu_limit_files(const CpuCgroup& cg);

// The CPU limit (CPUs, e.g. 1.5) from those files' contents, as the runtime computes it; nullopt
// when there is none ("max", -1) or a text is malformed.
std::optional<double> parse_cpu_limit(int version, std::string_view quota_or_max, std::string_view period);

constexpr const char* kThpSizePath = "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size";

// What the launcher found on the host (src/sys/machine_facts.cpp).
struct MachineFacts {
  std::optional<CpuCgroup> cpu_cgroup;  // absent: the runtime finds no CPU cgroup here either
  std::string cpu_cgroup_error;         // why absent
};

// What one process sees of those facts (`gopls-sandbox inspect`): read by the system layer
// through /proc/PID/root, /proc/PID/cgroup and /proc/PID/mountinfo.
struct MachineFile {
  std::string path;   // as the process names it
  std::string value;  // first line
  int err = 0;        // errno when unreadable
};
struct MachineView {
  std::vector<MachineFile> files;  // the THP size, then the CPU limit files
  std::optional<CpuCgroup> cpu_cgroup;
  std::string cpu_cgroup_error;
  std::optional<double> cpu_limit;  // CPUs; nullopt: no limit (or unreadable)
};
// "  PATH: VALUE" lines for a process's view, with "(yours: …)" where `mine` differs.
std::vector<std::string> describe_machine_view(const MachineView& proc, const MachineView& mine);

}  // namespace gsb::core
