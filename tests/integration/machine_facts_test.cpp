// Issue 19: a Go program inside sees the machine facts Go's runtime reads exactly as outside
// (the THP size and the own cgroup's CPU limit), as root and as the unprivileged user, also
// under a CPU limit the test sets; and nothing else of /sys is visible or writable.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <set>
#include <sstream>

#include "gopls_sandbox/core/machine_facts.hpp"
#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/sys/machine_facts.hpp"
#include "harness.hpp"

namespace gsb::test {
namespace {

constexpr const char* kGo = "/usr/local/go/bin/go";

// tests/fixtures/machine_probe built once with Go 1.26 into a world-readable temp dir
// (private HOME, GOPATH and GOCACHE).
struct ProbeBuild {
  std::string dir, probe, error;
};
const ProbeBuild& probe_build() {
  static ProbeBuild b = [] {
    ProbeBuild r;
    char tmpl[] = "/tmp/gsb-it-probe-XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();
    r.dir = tmpl;
    ::chmod(r.dir.c_str(), 0755);
    r.probe = r.dir + "/machine_probe";
    if (::access(kGo, X_OK) != 0) {
      r.error = std::string(kGo) + " is missing";
      return r;
    }
    SpawnOptions so;
    so.cwd = std::string(GSB_TEST_FIXTURES) + "/machine_probe";
    so.env = {{"HOME", r.dir + "/home"}, {"GOPATH", r.dir + "/gopath"}, {"GOCACHE", r.dir + "/cache"},
              {"GOFLAGS", ""}, {"CGO_ENABLED", "0"}};
    so.pipe_stdin = false;
    auto o = run(As::Root, {kGo, "build", "-o", r.probe, "."}, so, std::chrono::seconds(240));
    if (o.status != 0) r.error = "go build: " + o.err;
    ::chmod(r.probe.c_str(), 0755);
    return r;
  }();
  return b;
}

std::string line_of(const std::string& out, const std::string& key) {
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);)
    if (l.rfind(key + "=", 0) == 0) return l.substr(key.size() + 1);
  return "<no " + key + ">";
}

std::string unique_tag() {
  std::random_device rd;
  std::ostringstream s;
  s << std::hex << rd();
  return std::to_string(::getpid()) + "-" + s.str();
}

class MachineFacts : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (GetParam() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
    ASSERT_TRUE(probe_build().error.empty()) << probe_build().error;
  }
  As as() const { return GetParam(); }
  std::vector<std::string> inside(const std::vector<std::string>& program) const {
    std::vector<std::string> argv = {world().launcher, "exec", "--profile", "gopls", "--"};  // gopls' own filter
    argv.insert(argv.end(), program.begin(), program.end());
    return argv;
  }
};
INSTANTIATE_TEST_SUITE_P(As, MachineFacts, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

bool host_has_thp() { return ::access(core::kThpSizePath, R_OK) == 0; }

TEST_P(MachineFacts, GoProbePrintsTheSameBareAndInside) {
  TempDir ws(as());
  const std::string probe = probe_build().probe;
  auto bare = run(as(), {probe}, {ws.path, {}, false});
  ASSERT_EQ(bare.status, 0) << bare.err;
  auto in = run(as(), inside({probe}), {ws.path, {}, false});
  ASSERT_EQ(in.status, 0) << in.err;
  EXPECT_EQ(in.out, bare.out) << "bare:\n" << bare.out << "inside:\n" << in.out;
  // What the test would miss if both sides lacked the facts:
  if (host_has_thp()) {
    EXPECT_EQ(line_of(in.out, "hpage_pmd_size"), sys::read_machine_view(0).files[0].value) << in.out;
  }
  auto facts = sys::probe_machine_facts();
  if (facts.cpu_cgroup) {
    EXPECT_EQ(line_of(in.out, "cgroup_cpu").rfind("v" + std::to_string(facts.cpu_cgroup->version) + " " +
                                                      facts.cpu_cgroup->dir + " limit=",
                                                  0),
              0u)
        << in.out;
  }
  EXPECT_EQ(line_of(in.out, "memlimit"), "9223372036854775807");  // the runtime reads no memory limit
}

// The probe under a CPU limit set by the test on a child of the test's own CPU cgroup; the
// runner (root or the user) is moved into it before it starts the launcher (or the probe).
class CpuLimit : public MachineFacts {};
INSTANTIATE_TEST_SUITE_P(As, CpuLimit, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

bool write_text(const std::string& path, const std::string& text, std::string* err) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    *err = path + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

struct ChildCgroup {
  std::string dir, why_not, undelegate;
  int version = 0;
  ChildCgroup(double cpus) {
    auto f = sys::probe_machine_facts();
    if (!f.cpu_cgroup) {
      why_not = "no CPU cgroup: " + f.cpu_cgroup_error;
      return;
    }
    version = f.cpu_cgroup->version;
    std::string parent = f.cpu_cgroup->dir;
    if (version == 2) {
      // cgroup v2: a child gets cpu.max only if its parent delegates the cpu controller, which
      // the kernel refuses (EBUSY) while that parent, not the root, has processes in it. Our
      // own cgroup first, then the hierarchy's root (exempt from that rule) when we see it.
      std::vector<std::string> candidates = {parent};
      if (f.cpu_cgroup->mount_root == "/" && f.cpu_cgroup->mount_point != parent)
        candidates.push_back(f.cpu_cgroup->mount_point);
      parent.clear();
      for (const auto& c : candidates) {
        std::string ctrls = read_file(c + "/cgroup.controllers"), e;
        if (ctrls.find("cpu") == std::string::npos) {
          why_not += "cgroup v2 " + c + " has no cpu controller (cgroup.controllers: \"" + ctrls + "\"); ";
          continue;
        }
        bool was = (" " + read_file(c + "/cgroup.subtree_control")).find(" cpu") != std::string::npos;
        if (was || write_text(c + "/cgroup.subtree_control", "+cpu", &e)) {
          parent = c;
          if (!was) undelegate = c;
          break;
        }
        why_not += "cgroup v2: cannot delegate cpu below " + e + "; ";
      }
      if (parent.empty()) return;
      why_not.clear();
    }
    dir = parent + "/gsb-it-cpu-" + unique_tag();
    if (::mkdir(dir.c_str(), 0755) != 0) {
      why_not = "mkdir " + dir + ": " + std::strerror(errno);
      dir.clear();
      return;
    }
    long period = 100000, quota = static_cast<long>(cpus * period);
    std::string e;
    bool ok = version == 2 ? write_text(dir + "/cpu.max", std::to_string(quota) + " " + std::to_string(period), &e)
                           : write_text(dir + "/cpu.cfs_period_us", std::to_string(period), &e) &&
                                 write_text(dir + "/cpu.cfs_quota_us", std::to_string(quota), &e);
    if (!ok) why_not = "setting the CPU limit: " + e;
  }
  ~ChildCgroup() {
    if (dir.empty()) return;
    std::vector<pid_t> left;
    std::istringstream in(read_file(dir + "/cgroup.procs"));
    for (pid_t p; in >> p;) left.push_back(p);
    wait_gone(left, std::chrono::seconds(10));
    ::rmdir(dir.c_str());
    std::string e;
    if (!undelegate.empty()) write_text(undelegate + "/cgroup.subtree_control", "-cpu", &e);  // as it was
  }
  // Runs argv as `as` inside this cgroup: `sh` waits for one line on stdin, by which time the
  // test has written its pid into cgroup.procs, then execs argv.
  Output run_in(As as, const std::vector<std::string>& argv, const std::string& cwd) const {
    std::vector<std::string> full = {"/bin/sh", "-c", "read go && exec \"$0\" \"$@\""};
    full.insert(full.end(), argv.begin(), argv.end());
    SpawnOptions so;
    so.cwd = cwd;
    Proc p = spawn(as, full, so);
    std::string e;
    Output o;
    if (!write_text(dir + "/cgroup.procs", std::to_string(p.pid), &e)) {
      o.err = "moving pid into the cgroup: " + e;
      p.close_stdin();
      p.wait(std::chrono::seconds(30));
      return o;
    }
    p.write_all("go\n");
    p.close_stdin();
    o.status = p.wait(std::chrono::seconds(120));
    o.out = p.out_buf;
    o.err += p.err_buf;
    return o;
  }
};

TEST_P(CpuLimit, GoProbeSeesTheSameLimitBareAndInside) {
  if (::geteuid() != 0) GSB_SKIP_OR_FAIL("creating a child cgroup needs the root runner");
  ChildCgroup cg(1.5);
  if (!cg.why_not.empty()) GSB_SKIP_OR_FAIL("no CPU-limited cgroup on this machine: " + cg.why_not);
  TempDir ws(as());
  const std::string probe = probe_build().probe;
  auto bare = cg.run_in(as(), {probe}, ws.path);
  ASSERT_EQ(bare.status, 0) << bare.err;
  auto in = cg.run_in(as(), inside({probe}), ws.path);
  ASSERT_EQ(in.status, 0) << in.err;
  EXPECT_EQ(in.out, bare.out) << "bare:\n" << bare.out << "inside:\n" << in.out;
  EXPECT_EQ(line_of(in.out, "cgroup_cpu"), "v" + std::to_string(cg.version) + " " + cg.dir + " limit=1.50") << in.out;
  // Go 1.25+: GOMAXPROCS = min(NumCPU, max(2, ceil(limit))) — 2 here whatever NumCPU is.
  int ncpu = std::stoi(line_of(in.out, "NumCPU"));
  EXPECT_EQ(line_of(in.out, "GOMAXPROCS"), std::to_string(std::min(ncpu, 2))) << in.out;

  // Inside, the cgroup shows only its two (v1) or one (v2) limit files; the parent's files and
  // the cgroup's own other files (cgroup.procs with host pids, tasks, cpu.stat) do not exist.
  std::string parent = cg.dir.substr(0, cg.dir.rfind('/'));
  auto ls = cg.run_in(as(), inside({"/usr/bin/find", parent}), ws.path);
  ASSERT_EQ(ls.status, 0) << ls.err;
  std::set<std::string> want = {parent, cg.dir}, got;
  for (const auto& f : core::cpu_limit_files({cg.version, "", "", "", cg.dir})) want.insert(f);
  std::istringstream s(ls.out);
  for (std::string l; std::getline(s, l);) got.insert(l);
  EXPECT_EQ(got, want) << ls.out;
}

// ---- escapes -------------------------------------------------------------------------------

// Every path the sandbox shows under /sys: the exposed files and their parent directories.
std::set<std::string> expected_sys_tree() {
  std::set<std::string> want;
  auto add = [&](const std::string& p) {
    for (const auto& pre : core::path_prefixes(p)) want.insert(pre);
  };
  if (host_has_thp()) add(core::kThpSizePath);
  auto f = sys::probe_machine_facts();
  if (f.cpu_cgroup) {
    bool all = true;
    for (const auto& p : core::cpu_limit_files(*f.cpu_cgroup)) all = all && ::access(p.c_str(), F_OK) == 0;
    if (all)
      for (const auto& p : core::cpu_limit_files(*f.cpu_cgroup)) add(p);
  }
  return want;
}

TEST_P(MachineFacts, OnlyTheListedFilesAreUnderSys) {
  TempDir ws(as());
  auto r = run(as(), inside({"/usr/bin/find", "/sys"}), {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  std::set<std::string> got;
  std::istringstream s(r.out);
  for (std::string l; std::getline(s, l);) got.insert(l);
  EXPECT_EQ(got, expected_sys_tree()) << r.out;
  EXPECT_FALSE(got.empty());  // this machine has THP and a CPU cgroup: the test must see them
  // By name, too: nothing of sysfs' other trees, the rest of THP, or the cgroup hierarchy.
  std::vector<std::string> absent = {"/sys/class", "/sys/firmware", "/sys/devices", "/sys/block", "/sys/module",
                                     "/sys/kernel/mm/hugepages", "/sys/kernel/mm/transparent_hugepage/enabled",
                                     "/sys/kernel/mm/transparent_hugepage/khugepaged", "/sys/kernel/security",
                                     "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/cgroup.procs",
                                     "/sys/devices/system/cpu/online"};
  auto f = sys::probe_machine_facts();
  if (f.cpu_cgroup) {
    absent.push_back(f.cpu_cgroup->dir + "/cgroup.procs");
    absent.push_back(f.cpu_cgroup->dir + (f.cpu_cgroup->version == 1 ? "/tasks" : "/memory.max"));
    absent.push_back(f.cpu_cgroup->dir + "/cpu.stat");
  }
  std::vector<std::string> probe = {world().helper("escape_fs")};
  for (const auto& p : absent) probe.push_back("stat:" + p);
  auto st = run(as(), inside(probe), {ws.path, {}, false});
  ASSERT_EQ(st.status, 0) << st.err;
  for (const auto& p : absent) EXPECT_NE(st.out.find("stat " + p + " errno=ENOENT\n"), std::string::npos) << st.out;
}

TEST_P(MachineFacts, NothingUnderSysIsWritable) {
  TempDir ws(as());
  std::vector<std::string> files, dirs;
  for (const auto& p : expected_sys_tree()) {
    struct stat sb {};
    if (::stat(p.c_str(), &sb) != 0) continue;
    (S_ISDIR(sb.st_mode) ? dirs : files).push_back(p);
  }
  ASSERT_FALSE(files.empty());
  std::vector<std::string> probe = {world().helper("escape_fs")};
  for (const auto& f : files) probe.push_back("write:" + f);
  for (const auto& d : dirs) probe.push_back("create:" + d + "/gsb-it-x");
  for (const auto& f : files) probe.push_back("unlink:" + f);
  auto r = run(as(), inside(probe), {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const auto& f : files) {
    EXPECT_NE(r.out.find("write " + f + " errno=E"), std::string::npos) << f << " is writable inside\n" << r.out;
    EXPECT_NE(r.out.find("unlink " + f + " errno=E"), std::string::npos) << r.out;
  }
  for (const auto& d : dirs) EXPECT_NE(r.out.find("create " + d + "/gsb-it-x errno=E"), std::string::npos) << r.out;
  // Every mount under /sys is read-only, nosuid, nodev and noexec.
  auto mi = run(as(), inside({"/bin/grep", " /sys", "/proc/self/mountinfo"}), {ws.path, {}, false});
  ASSERT_EQ(mi.status, 0) << mi.err;
  std::istringstream s(mi.out);
  size_t n = 0;
  for (std::string l; std::getline(s, l);) {
    std::istringstream ls(l);
    std::string id, parent, dev, root, mnt, opts;
    ls >> id >> parent >> dev >> root >> mnt >> opts;
    if (mnt.rfind("/sys/", 0) != 0) continue;
    ++n;
    for (const char* o : {"ro", "nosuid", "nodev", "noexec"})
      EXPECT_NE(("," + opts + ",").find(std::string(",") + o + ","), std::string::npos) << l;
  }
  EXPECT_GE(n, files.size()) << mi.out;
}

TEST_P(MachineFacts, InspectShowsTheValuesTheProcessSees) {
  TempDir ws(as());
  SpawnOptions so;
  so.cwd = ws.path;
  Proc p = spawn(as(), inside({probe_build().probe, "wait"}), so);
  ASSERT_TRUE(p.read_until([](const std::string& s) { return s.find("cgroup_cpu=") != std::string::npos; },
                           std::chrono::seconds(60)))
      << p.err_buf;
  pid_t target = -1;
  for (pid_t t : process_tree(p.pid)) {
    std::string c = read_file("/proc/" + std::to_string(t) + "/comm");
    if (c.rfind("machine_probe", 0) == 0) target = t;
  }
  ASSERT_GT(target, 0);
  auto r = run(as(), {world().launcher, "inspect", std::to_string(target)}, {"/", {}, false});
  p.close_stdin();
  EXPECT_EQ(p.wait(std::chrono::seconds(30)), 0) << p.err_buf;
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("machine facts the Go runtime reads"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("(yours:"), std::string::npos) << "the process sees other values than the host\n" << r.out;
  if (host_has_thp()) {
    EXPECT_NE(r.out.find(std::string(core::kThpSizePath) + ": " + line_of(p.out_buf, "hpage_pmd_size") + "\n"),
              std::string::npos)
        << r.out;
  }
  auto f = sys::probe_machine_facts();
  if (f.cpu_cgroup) {
    EXPECT_NE(r.out.find("Go runtime CPU limit: cgroup v" + std::to_string(f.cpu_cgroup->version) + " " +
                         f.cpu_cgroup->dir + ": "),
              std::string::npos)
        << r.out;
  }
}

}  // namespace
}  // namespace gsb::test
