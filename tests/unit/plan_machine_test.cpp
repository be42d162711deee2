// Issue 19: the machine facts Go's runtime reads, found from host texts (find_cpu_cgroup follows
// internal/runtime/cgroup's FindCPU) and turned into mounts (machine_fact_mounts): facts in,
// mount operations out.
#include <gtest/gtest.h>

#include <map>

#include "gopls_sandbox/core/machine_facts.hpp"
#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/plan_machine.hpp"

using namespace gsb::core;

namespace {

// This very machine: cgroup v1 hierarchies (cpu alone) under a tmpfs plus an empty unified one.
const char* kHybridCgroup =
    "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/2af5\n2:cpuacct:/\n1:cpu:/\n0::/\n";
const char* kHybridMountinfo =
    "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

TEST(FindCpuCgroup, V1CpuHierarchyWinsOverTheUnifiedOneAndCpuacctIsNotCpu) {
  auto c = find_cpu_cgroup(kHybridCgroup, kHybridMountinfo);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->version, 1);
  EXPECT_EQ(c->cgroup, "/");
  EXPECT_EQ(c->mount_point, "/sys/fs/cgroup/cpu");
  EXPECT_EQ(c->dir, "/sys/fs/cgroup/cpu");
  EXPECT_EQ(cpu_limit_files(*c),
            (std::vector<std::string>{"/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"}));
}

TEST(FindCpuCgroup, V2SystemdScope) {
  auto c = find_cpu_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n",
                           "22 1 0:21 / /proc rw - proc proc rw\n"
                           "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
                           "rw,nsdelegate,memory_recursiveprot\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->version, 2);
  EXPECT_EQ(c->dir, "/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope");
  EXPECT_EQ(cpu_limit_files(*c),
            std::vector<std::string>{"/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/cpu.max"});
}

TEST(FindCpuCgroup, V1CombinedCpuCpuacctBelowTheRoot) {
  auto c = find_cpu_cgroup("3:cpu,cpuacct:/user.slice\n1:name=systemd:/user.slice\n",
                           "40 31 0:35 / /sys/fs/cgroup/cpu,cpuacct rw shared:9 - cgroup cgroup rw,cpu,cpuacct\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->version, 1);
  EXPECT_EQ(c->dir, "/sys/fs/cgroup/cpu,cpuacct/user.slice");
}

TEST(FindCpuCgroup, MountRootIsStrippedAndMustBeAPathPrefix) {
  // A container without a cgroup namespace: its mount root is its own cgroup.
  auto c = find_cpu_cgroup("0::/docker/abc\n",
                           "50 40 0:30 /docker/abcd /x rw - cgroup2 cgroup2 rw\n"  // not at a path boundary
                           "51 40 0:30 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->mount_root, "/docker/abc");
  EXPECT_EQ(c->dir, "/sys/fs/cgroup");
  auto none = find_cpu_cgroup("0::/docker/abc\n", "51 40 0:30 /other /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n");
  EXPECT_FALSE(none.ok());
}

TEST(FindCpuCgroup, EscapedMountPointAndOutOfNamespaceCgroup) {
  auto c = find_cpu_cgroup("0::/a b\n", "51 40 0:30 / /mnt/my\\040cg ro - cgroup2 cgroup2 rw\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->dir, "/mnt/my cg/a b");
  // In a cgroup namespace rooted elsewhere the path climbs out ("/../init"): unreachable.
  EXPECT_FALSE(find_cpu_cgroup("0::/../init\n", "51 40 0:30 / /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n").ok());
}

TEST(FindCpuCgroup, NoCpuHierarchyOrMalformedIsAnError) {
  auto c = find_cpu_cgroup("4:memory:/x\n", kHybridMountinfo);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("not in a CPU cgroup"), std::string::npos);
  EXPECT_FALSE(find_cpu_cgroup("garbage\n", kHybridMountinfo).ok());
  EXPECT_FALSE(find_cpu_cgroup("0::/\n", "").ok());
}

TEST(ParseCpuLimit, AsTheRuntimeReadsIt) {
  EXPECT_FALSE(parse_cpu_limit(2, "max 100000\n", "").has_value());
  EXPECT_DOUBLE_EQ(*parse_cpu_limit(2, "150000 100000\n", ""), 1.5);
  EXPECT_FALSE(parse_cpu_limit(2, "150000 100000", "").has_value());  // no newline: malformed
  EXPECT_FALSE(parse_cpu_limit(1, "-1\n", "100000\n").has_value());
  EXPECT_DOUBLE_EQ(*parse_cpu_limit(1, "50000\n", "100000\n"), 0.5);
  EXPECT_FALSE(parse_cpu_limit(1, "x\n", "100000\n").has_value());
}

HostProbe host(std::map<std::string, PathFacts::Type> paths) {
  return [paths](const std::string& p) -> PathFacts {
    auto it = paths.find(p);
    if (it == paths.end()) return {};
    return {it->second, {}, it->second};
  };
}

MachineFacts v2_facts() {
  MachineFacts f;
  f.cpu_cgroup = CpuCgroup{2, "/user.slice/s.scope", "/", "/sys/fs/cgroup", "/sys/fs/cgroup/user.slice/s.scope"};
  return f;
}

const std::string kScope = "/sys/fs/cgroup/user.slice/s.scope";

TEST(MachineFactMounts, V2ScopeWithThp) {
  std::vector<std::string> notes;
  auto ops = machine_fact_mounts(v2_facts(),
                                 host({{kThpSizePath, PathFacts::File},
                                       {kScope, PathFacts::Dir},
                                       {kScope + "/cpu.max", PathFacts::File},
                                       {kScope + "/memory.max", PathFacts::File}}),
                                 notes);
  EXPECT_TRUE(notes.empty());
  ASSERT_EQ(ops.size(), 5u);
  // The THP size: a read-only file at its host path.
  EXPECT_EQ(ops[0].kind, MountKind::RoBind);
  EXPECT_EQ(ops[0].src, kThpSizePath);
  EXPECT_EQ(ops[0].dst, kThpSizePath);
  EXPECT_TRUE(ops[0].is_file);
  // The own cgroup where mountinfo leads the runtime, then covered: only cpu.max shows.
  EXPECT_EQ(ops[1].kind, MountKind::RoBind);
  EXPECT_EQ(ops[1].src, kScope);
  EXPECT_EQ(ops[1].dst, kScope);
  EXPECT_FALSE(ops[1].is_file);
  EXPECT_EQ(ops[2].kind, MountKind::Tmpfs);
  EXPECT_EQ(ops[2].dst, kScope);
  EXPECT_EQ(ops[2].mode, 0555u);
  EXPECT_EQ(ops[3].kind, MountKind::RoBind);
  EXPECT_EQ(ops[3].dst, kScope + "/cpu.max");
  EXPECT_TRUE(ops[3].is_file);
  EXPECT_EQ(ops[4].kind, MountKind::RemountRo);
  EXPECT_EQ(ops[4].dst, kScope);
  for (const auto& op : ops) {
    EXPECT_FALSE(op.why.empty());
    if (op.kind == MountKind::RoBind) {
      EXPECT_TRUE(op.optional) << op.dst;
      EXPECT_TRUE(op.noexec) << op.dst;
    }
    if (op.kind == MountKind::Tmpfs) {
      EXPECT_TRUE(op.noexec);
    }
    EXPECT_EQ(op.dst.find("memory"), std::string::npos) << op.dst;
  }
}

TEST(MachineFactMounts, V1BothLimitFiles) {
  MachineFacts f;
  f.cpu_cgroup = CpuCgroup{1, "/", "/", "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu"};
  std::vector<std::string> notes;
  auto ops = machine_fact_mounts(f,
                                 host({{"/sys/fs/cgroup/cpu", PathFacts::Dir},
                                       {"/sys/fs/cgroup/cpu/cpu.cfs_quota_us", PathFacts::File},
                                       {"/sys/fs/cgroup/cpu/cpu.cfs_period_us", PathFacts::File}}),
                                 notes);
  ASSERT_EQ(ops.size(), 5u);  // no THP on this host: noted
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find(kThpSizePath), std::string::npos);
  EXPECT_EQ(ops[0].dst, "/sys/fs/cgroup/cpu");
  EXPECT_EQ(ops[1].kind, MountKind::Tmpfs);
  EXPECT_EQ(ops[2].dst, "/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
  EXPECT_EQ(ops[3].dst, "/sys/fs/cgroup/cpu/cpu.cfs_period_us");
  EXPECT_EQ(ops[4].kind, MountKind::RemountRo);
}

TEST(MachineFactMounts, NoLimitFileOrNoCgroupMeansNoCgroupMounts) {
  std::vector<std::string> notes;
  // cgroup v2 without the cpu controller: no cpu.max, the runtime applies no limit on the host.
  auto ops = machine_fact_mounts(v2_facts(), host({{kThpSizePath, PathFacts::File}, {kScope, PathFacts::Dir}}), notes);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].dst, kThpSizePath);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("cpu.max"), std::string::npos);

  notes.clear();
  MachineFacts none;
  none.cpu_cgroup_error = "not in a CPU cgroup";
  ops = machine_fact_mounts(none, host({{kThpSizePath, PathFacts::File}}), notes);
  ASSERT_EQ(ops.size(), 1u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("not in a CPU cgroup"), std::string::npos);

  notes.clear();  // the directory vanished (or is a file): nothing of it
  ops = machine_fact_mounts(v2_facts(), host({{kScope + "/cpu.max", PathFacts::File}}), notes);
  EXPECT_TRUE(ops.empty());
  EXPECT_EQ(notes.size(), 2u);
}

TEST(MachineFactMounts, BuildPlanPutsThemBeforeTheSealAndDryRunShowsNoexec) {
  PlanInputs in;
  in.argv = {"/usr/bin/gopls"};
  in.cwd = "/";
  in.machine = v2_facts();
  auto p = build_plan(in, host({{"/usr", PathFacts::Dir},
                                {kThpSizePath, PathFacts::File},
                                {kScope, PathFacts::Dir},
                                {kScope + "/cpu.max", PathFacts::File}}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_GE(p->mounts.size(), 6u);
  const auto& last = p->mounts.back();
  EXPECT_EQ(last.kind, MountKind::RemountRo);
  EXPECT_EQ(last.dst, "/");
  size_t n = p->mounts.size();
  EXPECT_EQ(p->mounts[n - 6].dst, kThpSizePath);
  EXPECT_EQ(p->mounts[n - 2].dst, kScope);
  EXPECT_EQ(p->mounts[n - 2].kind, MountKind::RemountRo);
  auto j = plan_to_json(*p);
  bool seen = false;
  for (const auto& m : j["mounts"].as_array()) {
    if (m["destination"].as_string() != kThpSizePath) continue;
    seen = true;
    std::vector<std::string> flags;
    for (const auto& f : m["flags"].as_array()) flags.push_back(f.as_string());
    EXPECT_EQ(flags, (std::vector<std::string>{"bind", "rec", "ro", "nosuid", "nodev", "noexec"}));
    EXPECT_EQ(m["why"].as_string(), "Go runtime: transparent huge page size");
  }
  EXPECT_TRUE(seen);
}

}  // namespace

namespace {

TEST(DescribeMachineView, ShowsTheProcessValuesAndWhereTheyDifferFromTheCallers) {
  MachineView mine;
  mine.files = {{kThpSizePath, "2097152", 0}, {"/sys/fs/cgroup/x/cpu.max", "150000 100000", 0}};
  mine.cpu_cgroup = CpuCgroup{2, "/x", "/", "/sys/fs/cgroup", "/sys/fs/cgroup/x"};
  mine.cpu_limit = 1.5;
  auto same = describe_machine_view(mine, mine);
  ASSERT_EQ(same.size(), 3u);
  EXPECT_EQ(same[0], std::string("  ") + kThpSizePath + ": 2097152");
  EXPECT_EQ(same[2], "  Go runtime CPU limit: cgroup v2 /sys/fs/cgroup/x: 1.50 CPUs");

  MachineView unsandboxed_view;  // what a sandbox without the binds showed
  unsandboxed_view.files = {{kThpSizePath, "", 2}};
  unsandboxed_view.cpu_cgroup_error = "no cgroup2 mount in /proc/self/mountinfo reaches /x";
  auto d = describe_machine_view(unsandboxed_view, mine);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], std::string("  ") + kThpSizePath + ": unreadable (absent)   (yours: 2097152)");
  EXPECT_NE(d[1].find("no CPU cgroup (no cgroup2 mount"), std::string::npos) << d[1];
  EXPECT_NE(d[1].find("(yours: cgroup v2 /sys/fs/cgroup/x: 1.50 CPUs)"), std::string::npos) << d[1];
}

}  // namespace
