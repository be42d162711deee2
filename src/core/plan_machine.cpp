#include "gopls_sandbox/core/plan_machine.hpp"

namespace gsb::core {

std::vector<MountOp> machine_fact_mounts(const MachineFacts& facts, const HostProbe& probe,
                                         std::vector<std::string>& notes) {
  std::vector<MountOp> ops;
  auto ro_file = [](const std::string& path, std::string why) {
    MountOp op{MountKind::RoBind, path, path, 0, true, true, std::move(why)};
    op.noexec = true;
    return op;
  };

  // Transparent huge pages: the runtime's huge page size (all Go versions).
  if (probe(kThpSizePath).resolved == PathFacts::File)
    ops.push_back(ro_file(kThpSizePath, "Go runtime: transparent huge page size"));
  else
    notes.push_back(std::string("machine facts: ") + kThpSizePath +
                    ": not a file on this host (no THP); the runtime finds none inside either");

  // The own cgroup's CPU limit (Go 1.25+ GOMAXPROCS).
  if (!facts.cpu_cgroup) {
    notes.push_back("machine facts: no cgroup CPU limit to show: " +
                    (facts.cpu_cgroup_error.empty() ? std::string("not probed") : facts.cpu_cgroup_error));
    return ops;
  }
  const CpuCgroup& cg = *facts.cpu_cgroup;
  std::string dir = normalize_path(cg.dir);
  std::string v = "cgroup v" + std::to_string(cg.version);
  if (dir.empty() || dir == "/") {
    notes.push_back("machine facts: " + v + " directory \"" + cg.dir + "\" is not a usable path; not shown");
    return ops;
  }
  if (probe(dir).resolved != PathFacts::Dir) {
    notes.push_back("machine facts: " + v + " " + dir + ": not a directory on this host; not shown");
    return ops;
  }
  std::vector<std::string> files = cpu_limit_files(cg);
  for (auto& f : files) {
    f = normalize_path(f);
    if (probe(f).resolved != PathFacts::File) {
      // The runtime cannot open it on the host either: it applies no limit, as it will inside.
      notes.push_back("machine facts: " + f + " does not exist (no CPU controller there): no CPU limit to show");
      return ops;
    }
  }
  MountOp dir_bind{MountKind::RoBind, dir, dir, 0, false, true,
                   "GOMAXPROCS: own " + v + ", the mount Go's runtime finds in /proc/self/mountinfo (covered)"};
  dir_bind.noexec = true;
  ops.push_back(std::move(dir_bind));
  MountOp cover{MountKind::Tmpfs, "tmpfs", dir, 0555, false, false, "GOMAXPROCS: hides the rest of the own cgroup"};
  cover.noexec = true;
  ops.push_back(std::move(cover));
  for (const auto& f : files) ops.push_back(ro_file(f, "GOMAXPROCS: own cgroup CPU limit"));
  ops.push_back({MountKind::RemountRo, "", dir, 0, false, false, "GOMAXPROCS: the cover, read-only"});
  return ops;
}

}  // namespace gsb::core
