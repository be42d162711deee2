// Issue 7: hardening. Escapes that must fail from inside `exec --profile gopls` (host files,
// host processes, host network and IPC, read-only binds, set-user-ID programs, the syscall
// list) and the fault patterns an editor produces (shutdown then SIGKILL of the tree, many
// launches in a row, two sandboxes on one workspace). Every probe runs as root and as the
// unprivileged test user; the probes are tests/helpers/escape_*.c.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <random>
#include <sstream>

#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"
#include "lsp_client.hpp"

namespace gsb::test {
namespace {

// Issue 16: the probes run in both isolation modes where they mean something. Landlock-only is
// forced without changing the host: tests/helpers/no_userns makes clone(CLONE_NEWUSER) fail with
// EPERM for the launcher (as user.max_user_namespaces=0 or a container's seccomp profile would).
// Where the outcome differs per mode (pid namespace facts, EROFS vs EACCES, visible host paths),
// the test says so explicitly.
enum class Mode { Namespaces, LandlockOnly };

int kernel_landlock_abi() {
  long v = ::syscall(444 /* landlock_create_ruleset */, nullptr, 0, 1u);
  return v < 0 ? 0 : static_cast<int>(v);
}

class Hardening : public ::testing::TestWithParam<std::tuple<As, Mode>> {
 protected:
  void SetUp() override {
    if (as() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
    if (ll_only() && kernel_landlock_abi() < 6) GSB_SKIP_OR_FAIL("Landlock ABI 6 not available: no Landlock-only mode");
  }
  As as() const { return std::get<0>(GetParam()); }
  bool ll_only() const { return std::get<1>(GetParam()) == Mode::LandlockOnly; }
  // The launcher's argv, behind the helper that takes user namespaces away in the Landlock-only mode.
  std::vector<std::string> launcher() const {
    if (ll_only()) return {world().helper("no_userns"), "clone", world().launcher};
    return {world().launcher};
  }

  // `gopls-sandbox exec OPTIONS -- PROGRAM...` in `cwd`, as the test's runner.
  Output exec(const std::string& cwd, std::vector<std::string> options, const std::vector<std::string>& program) {
    std::vector<std::string> argv = launcher();
    argv.push_back("exec");
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--");
    argv.insert(argv.end(), program.begin(), program.end());
    auto r = run(as(), argv, {cwd, {}, false});
    // Never silent: the weaker level says so on stderr, the normal one does not. (Exits 2, 126 and
    // 127: bad input or a missing program, refused before any sandbox.)
    if (r.status == 2 || r.status == 126 || r.status == 127) return r;
    if (ll_only()) EXPECT_NE(r.err.find("isolation: landlock-only"), std::string::npos) << r.err;
    else EXPECT_EQ(r.err.find("isolation: landlock-only"), std::string::npos) << r.err;
    return r;
  }
};
INSTANTIATE_TEST_SUITE_P(AsMode, Hardening,
                         ::testing::Combine(::testing::Values(As::Root, As::User),
                                            ::testing::Values(Mode::Namespaces, Mode::LandlockOnly)),
                         [](const auto& info) {
                           return as_name(std::get<0>(info.param)) +
                                  (std::get<1>(info.param) == Mode::Namespaces ? "_namespaces" : "_landlock_only");
                         });

// The probes about the mount namespace itself (chroot escapes end on the sandbox's root): only
// where there is one. (Landlock-only: landlock_only_test.cpp reads and lists host paths instead.)
class HardeningNs : public Hardening {};
INSTANTIATE_TEST_SUITE_P(As, HardeningNs,
                         ::testing::Combine(::testing::Values(As::Root, As::User), ::testing::Values(Mode::Namespaces)),
                         [](const auto& info) { return as_name(std::get<0>(info.param)); });

bool has(const std::string& out, const std::string& line) { return out.find(line + "\n") != std::string::npos; }

std::string dev_ino(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  return std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
         std::to_string(static_cast<unsigned long long>(st.st_ino));
}

std::string unique_tag() {
  std::random_device rd;
  std::ostringstream s;
  s << std::hex << rd() << rd();
  return std::to_string(::getpid()) + "-" + s.str();
}

size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char ch : s) n += ch == '\n';
  return n;
}

size_t count_fds() {
  size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n;
}

// Host processes (any state, zombies included) whose command line names the launcher.
std::vector<pid_t> launcher_processes() {
  std::vector<pid_t> out;
  if (DIR* d = ::opendir("/proc")) {
    while (auto* e = ::readdir(d)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      std::string cmd = read_file(std::string("/proc/") + e->d_name + "/cmdline");
      if (cmd.find(world().launcher) != std::string::npos) out.push_back(std::atoi(e->d_name));
    }
    ::closedir(d);
  }
  return out;
}

// A world-readable file that exists only on the host, in a directory the sandbox never binds
// (/var is not in the sandbox). Identified by device:inode, so a probe finds it under any name.
struct HostMarker {
  HostMarker() {
    char tmpl[] = "/var/tmp/gsb-marker-XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();
    dir = tmpl;
    ::chmod(dir.c_str(), 0755);
    path = dir + "/host-only-" + unique_tag();
    write_file(path, "host secret\n", As::Root, 0644);
    id = dev_ino(path);
  }
  ~HostMarker() {
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
  std::string dir, path, id;
};

// ---- 1. chroot breakout -------------------------------------------------------------------

TEST_P(HardeningNs, ChrootBreakoutIsRefusedBySeccompAndTheMarkerIsNowhere) {
  TempDir ws(as());
  HostMarker m;
  ASSERT_FALSE(m.id.empty());
  std::string log = ws.path + "/denials.jsonl";
  auto r = exec(ws.path, {"--profile", "gopls", "--log", log},
                {world().helper("escape_chroot"), m.id, m.path, dev_ino("/")});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_TRUE(has(r.out, "chroot_jail errno=EPERM")) << r.out;
  EXPECT_TRUE(has(r.out, "escaped=no")) << r.out;
  EXPECT_EQ(r.out.find("VISIBLE"), std::string::npos) << r.out;
  EXPECT_TRUE(has(r.out, "marker_path=absent")) << r.out;
  EXPECT_TRUE(has(r.out, "marker_scan=absent")) << r.out;
  // The walk really covered the sandbox (/usr alone has thousands of entries).
  auto sc = r.out.find("scanned=");
  ASSERT_NE(sc, std::string::npos) << r.out;
  EXPECT_GT(std::stol(r.out.substr(sc + 8)), 1000) << r.out;
  // It was the seccomp filter that refused chroot (not only the missing capability).
  bool logged = false;
  std::istringstream in(read_file(log));
  for (std::string line; std::getline(in, line);) {
    auto v = json::parse(line);
    if (v && (*v)["syscall"].as_string() == "chroot") logged = true;
  }
  EXPECT_TRUE(logged) << "no chroot record in the denial log:\n" << read_file(log);
}

TEST_P(HardeningNs, ChrootBreakoutWithoutSeccompStopsAtTheSandboxRoot) {
  TempDir ws(as());
  HostMarker m;
  // --profile none: no seccomp at all. The probe gets CAP_SYS_CHROOT in a nested user
  // namespace, runs the textbook escape, and lands on the sandbox's own root: the mount
  // namespace (pivot_root, old root detached) is what stops it.
  auto r = exec(ws.path, {"--profile", "none"},
                {world().helper("escape_chroot"), m.id, m.path, dev_ino("/"), "userns"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_TRUE(has(r.out, "chroot_jail errno=EPERM")) << "no capabilities in the sandbox itself\n" << r.out;
  EXPECT_EQ(r.out.find("VISIBLE"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("root_end_is_host=yes"), std::string::npos) << r.out;
  if (has(r.out, "unshare errno=0")) {
    // The escape ran to completion: it must end on the sandbox's root, not the host's.
    EXPECT_TRUE(has(r.out, "escaped=yes")) << r.out;
    EXPECT_TRUE(has(r.out, "root_end_is_host=no")) << r.out;
    EXPECT_TRUE(has(r.out, "root_end_is_start=yes")) << r.out;
    size_t scans = 0;
    for (size_t p = r.out.find("marker_scan=absent"); p != std::string::npos; p = r.out.find("marker_scan=absent", p + 1))
      ++scans;
    EXPECT_EQ(scans, 2u) << "before and after the escape\n" << r.out;
  } else {
    // No nested user namespace on this machine: chroot stays impossible, but the escape
    // itself was not exercised.
    EXPECT_TRUE(has(r.out, "escaped=no")) << r.out;
    GSB_SKIP_OR_FAIL("no nested user namespace inside the sandbox: the escape could not run\n" + r.out);
  }
}

// ---- 2./3. host processes -------------------------------------------------------------------

TEST_P(Hardening, ProcShowsOnlyTheSandboxAndHostPidsDoNotExist) {
  TempDir ws(as());
  HostMarker m;
  pid_t me = ::getpid();
  auto r = exec(ws.path, {"--profile", "gopls"},
                {world().helper("escape_pid"), std::to_string(me), "0", m.id, m.path, dev_ino("/")});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  if (ll_only()) {
    // No pid namespace: the host's processes are listed, but Landlock's signal scope refuses
    // signals to them and ptrace-class access (/proc/1/root) to anything outside the domain.
    EXPECT_FALSE(has(r.out, "self=2")) << r.out;
    EXPECT_TRUE(has(r.out, "host_pid_in_proc=yes")) << r.out;
    EXPECT_TRUE(has(r.out, "kill errno=EPERM")) << r.out;
    EXPECT_TRUE(has(r.out, "proc1_root=EACCES")) << r.out;
    EXPECT_TRUE(has(r.out, "proc1_root_marker=absent")) << r.out;
    return;
  }
  EXPECT_TRUE(has(r.out, "self=2")) << r.out;
  EXPECT_TRUE(has(r.out, "pids=1,2")) << "only the sandbox's init and the probe\n" << r.out;
  EXPECT_NE(r.out.find("pid1_cmdline=" + world().launcher + " exec "), std::string::npos) << r.out;
  EXPECT_TRUE(has(r.out, "host_pid_in_proc=no")) << r.out;
  EXPECT_TRUE(has(r.out, "kill errno=ESRCH")) << r.out;
  EXPECT_TRUE(has(r.out, "pidfd_open errno=ESRCH")) << r.out;
  // /proc/1/root is the sandbox's root (or not readable at all), never the host's.
  EXPECT_TRUE(has(r.out, "proc1_root=sandbox") || has(r.out, "proc1_root=EACCES")) << r.out;
  EXPECT_TRUE(has(r.out, "proc1_root_marker=absent")) << r.out;
}

TEST_P(Hardening, KillOfAHostProcessOfTheSameUserFails) {
  TempDir ws(as());
  // The victim runs as the same user as the sandbox: only the pid namespace protects it.
  // cat blocks on its stdin pipe until we close it, and then exits 0 (not 128+9).
  SpawnOptions so;
  so.cwd = ws.path;
  Proc victim = spawn(as(), {"/bin/cat"}, so);
  ASSERT_GT(victim.pid, 0);
  auto r = exec(ws.path, {"--profile", "gopls"},
                {world().helper("escape_pid"), std::to_string(victim.pid), std::to_string(SIGKILL)});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  // Landlock-only: the pid exists, Landlock's signal scope refuses the signal.
  EXPECT_TRUE(has(r.out, ll_only() ? "kill errno=EPERM" : "kill errno=ESRCH")) << r.out;
  EXPECT_TRUE(has(r.out, ll_only() ? "host_pid_in_proc=yes" : "host_pid_in_proc=no")) << r.out;
  int st = 0;
  EXPECT_EQ(::waitpid(victim.pid, &st, WNOHANG), 0) << "the host process died";
  victim.close_stdin();
  EXPECT_EQ(victim.wait(std::chrono::seconds(10)), 0) << "the host process was killed";
}

// A descriptor of a host directory that leaks into the sandbox is a way out of any mount
// namespace (openat(fd, "..")). The test process holds two without O_CLOEXEC while it starts
// the launcher: the host's "/" and the marker's directory, at fixed high numbers.
TEST_P(Hardening, InheritedHostDirectoryDescriptorsAreClosed) {
  TempDir ws(as());
  HostMarker m;
  int root = ::open("/", O_RDONLY | O_DIRECTORY);
  int dir = ::open(m.dir.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(root, 0);
  ASSERT_GE(dir, 0);
  ASSERT_EQ(::dup2(root, 50), 50);
  ASSERT_EQ(::dup2(dir, 51), 51);
  ::close(root);
  ::close(dir);
  auto r = exec(ws.path, {"--profile", "gopls"}, {world().helper("escape_fd"), "50", "51"});
  ::close(50);
  ::close(51);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_TRUE(has(r.out, "self_fds=0,1,2")) << r.out;
  EXPECT_TRUE(has(r.out, "fd 50 errno=EBADF")) << r.out;
  EXPECT_TRUE(has(r.out, "fd 51 errno=EBADF")) << r.out;
  // The sandbox's init keeps nothing of the host either (the probe could open its descriptors
  // through /proc/1/fd, which seccomp cannot filter). Its only other descriptor is the message
  // socket to the launcher, which it closes right after fork (so the probe may still see it).
  // (Landlock-only: pid 1 is the host's init. As root its descriptor *numbers* can be listed,
  // but each one is refused — Landlock denies ptrace-class access outside the domain.)
  if (!ll_only()) {
    EXPECT_EQ(r.out.find("pid1_fds 50 "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("pid1_fds 51 "), std::string::npos) << r.out;
  } else {
    std::istringstream lines(r.out);
    for (std::string l; std::getline(lines, l);)
      if (l.rfind("pid1_fds ", 0) == 0) EXPECT_NE(l.find(" type=EACCES"), std::string::npos) << l;
  }
  EXPECT_EQ(r.out.find(" type=dir\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(" type=reg\n"), std::string::npos) << r.out;
  // (Landlock-only: pid 1 is the host's init, whose descriptors Landlock keeps out of reach.)
  if (!ll_only())
    EXPECT_TRUE(r.out.find("pid1_fds=0,1,2\n") != std::string::npos || r.out.find("pid1_fds=0,1,2,3\n") != std::string::npos ||
                has(r.out, "pid1_fds=EACCES"))
        << r.out;
}

// ---- 4./5. host network ---------------------------------------------------------------------

// No pending connection on a listening socket (poll with timeout 0).
bool nothing_pending(int fd) {
  pollfd p = {fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

TEST_P(Hardening, HostLoopbackTcpListenerIsUnreachable) {
  TempDir ws(as());
  int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(l, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(l, 8), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len), 0);
  int port = ntohs(a.sin_port);

  auto r = exec(ws.path, {"--profile", "gopls"}, {world().helper("escape_net"), "tcp", std::to_string(port)});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  if (ll_only())  // no network namespace: Landlock ABI 4 refuses the connect
    EXPECT_TRUE(has(r.out, "connect errno=EACCES")) << r.out;
  else
    EXPECT_TRUE(has(r.out, "connect errno=ECONNREFUSED") || has(r.out, "connect errno=ENETUNREACH")) << r.out;
  EXPECT_TRUE(nothing_pending(l)) << "the host listener saw a connection from the sandbox";

  // Control: the listener does register a connection from the host.
  int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  pollfd p = {l, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 5000), 1);
  ::close(c);
  ::close(l);
}

TEST_P(Hardening, HostAbstractUnixSocketIsUnreachable) {
  TempDir ws(as());
  std::string name = "gsb-hardening-" + unique_tag();
  int l = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(l, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path + 1, name.data(), name.size());
  auto alen = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  ASSERT_EQ(::bind(l, reinterpret_cast<sockaddr*>(&a), alen), 0);
  ASSERT_EQ(::listen(l, 8), 0);

  auto r = exec(ws.path, {"--profile", "gopls"}, {world().helper("escape_net"), "abstract", name});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  if (ll_only())  // unix sockets are refused at socket() in this mode (pathname ones escape Landlock)
    EXPECT_TRUE(has(r.out, "socket errno=EACCES")) << r.out;
  else
    EXPECT_TRUE(has(r.out, "connect errno=ECONNREFUSED")) << r.out;
  EXPECT_TRUE(nothing_pending(l)) << "the host's abstract socket saw a connection from the sandbox";

  int c = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&a), alen), 0) << "control: reachable from the host";
  pollfd p = {l, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 5000), 1);
  ::close(c);
  ::close(l);
}

// ---- 6. SysV IPC ----------------------------------------------------------------------------

// A shared-memory segment, a message queue and a semaphore set under one fixed key, mode 0666
// (so permissions would not hide them from the test user); removed at destruction.
struct HostIpc {
  HostIpc() {
    for (key_t k = 0x47534237; k < 0x47534237 + 64; ++k) {  // "GSB7", the next free one
      int s = ::shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0666);
      if (s < 0) continue;
      int q = ::msgget(k, IPC_CREAT | IPC_EXCL | 0666);
      int m = ::semget(k, 1, IPC_CREAT | IPC_EXCL | 0666);
      if (q < 0 || m < 0) {
        ::shmctl(s, IPC_RMID, nullptr);
        if (q >= 0) ::msgctl(q, IPC_RMID, nullptr);
        if (m >= 0) ::semctl(m, 0, IPC_RMID);
        continue;
      }
      key = k;
      shm = s;
      msg = q;
      sem = m;
      return;
    }
  }
  ~HostIpc() {
    if (shm >= 0) ::shmctl(shm, IPC_RMID, nullptr);
    if (msg >= 0) ::msgctl(msg, IPC_RMID, nullptr);
    if (sem >= 0) ::semctl(sem, 0, IPC_RMID);
  }
  key_t key = -1;
  int shm = -1, msg = -1, sem = -1;
};

TEST_P(Hardening, HostSysvIpcKeysAreInvisible) {
  TempDir ws(as());
  HostIpc ipc;
  ASSERT_NE(ipc.key, -1) << "could not create the host's IPC objects";
  // Control: visible on the host under that key.
  EXPECT_EQ(::shmget(ipc.key, 0, 0), ipc.shm);
  EXPECT_EQ(::msgget(ipc.key, 0), ipc.msg);
  EXPECT_EQ(::semget(ipc.key, 0, 0), ipc.sem);
  // The gopls profile does not allow SysV IPC at all ...
  auto r = exec(ws.path, {"--profile", "gopls"}, {world().helper("escape_ipc"), std::to_string(ipc.key)});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  for (const char* call : {"shmget", "msgget", "semget"})
    EXPECT_TRUE(has(r.out, std::string(call) + " errno=EPERM") || has(r.out, std::string(call) + " errno=ENOENT"))
        << r.out;
  // ... and without seccomp the ipc namespace alone hides the host's key. The Landlock-only mode
  // has no IPC namespace and Landlock does not cover SysV IPC: there only the profile protects
  // it, and --profile none sees the host's objects (docs/threat-model.md says so).
  if (ll_only()) {
    auto n = exec(ws.path, {"--profile", "none"}, {world().helper("escape_ipc"), std::to_string(ipc.key)});
    ASSERT_EQ(n.status, 0) << n.err << n.out;
    EXPECT_TRUE(has(n.out, "shmget errno=0")) << "the documented gap changed?\n" << n.out;
    return;
  }
  auto n = exec(ws.path, {"--profile", "none"}, {world().helper("escape_ipc"), std::to_string(ipc.key)});
  ASSERT_EQ(n.status, 0) << n.err << n.out;
  EXPECT_TRUE(has(n.out, "shmget errno=ENOENT")) << n.out;
  EXPECT_TRUE(has(n.out, "msgget errno=ENOENT")) << n.out;
  EXPECT_TRUE(has(n.out, "semget errno=ENOENT")) << n.out;
}

// ---- 7. secrets -------------------------------------------------------------------------------

TEST_P(Hardening, ShadowOtherHomesAndHostHomeContentsAreAbsent) {
  TempDir ws(as());
  // Another user's home, made for this test, plus every home that exists on the host.
  std::string other = "/home/gsb-other-" + unique_tag();
  ASSERT_EQ(::mkdir(other.c_str(), 0755), 0) << std::strerror(errno);
  write_file(other + "/file", "other's\n", As::Root, 0644);
  std::string own_home = as() == As::Root ? std::string("/root") : world().user_home;
  std::vector<std::string> absent = {"/etc/shadow", "/etc/gshadow", "/etc/sudoers", other, other + "/file"};
  if (as() == As::User) absent.push_back("/root");
  if (DIR* d = ::opendir("/home")) {
    while (auto* e = ::readdir(d)) {
      std::string h = std::string("/home/") + e->d_name;
      // Other tests running in parallel make and remove their own gsb-other-* homes: not ours to judge.
      if (e->d_name[0] != '.' && h != own_home && h != other && h.rfind("/home/gsb-other-", 0) != 0)
        absent.push_back(h);
    }
    ::closedir(d);
  }
  // A file in the runner's real home on the host: $HOME inside is an empty private tmpfs.
  std::string host_home_file;
  if (as() == As::User) {
    host_home_file = world().user_home + "/.gsb-hardening-" + unique_tag();
    write_file(host_home_file, "host home\n", As::User, 0600);
    absent.push_back(host_home_file);
  }
  std::vector<std::string> probe = {world().helper("escape_fs")};
  // Landlock-only: the host's paths exist (stat works), but opening them is refused.
  std::vector<bool> on_host;  // (before the clean-up below)
  for (const auto& p : absent) {
    probe.push_back((ll_only() ? "read:" : "stat:") + p);
    on_host.push_back(::access(p.c_str(), F_OK) == 0 || errno != ENOENT);
  }
  auto r = exec(ws.path, {"--profile", "gopls"}, probe);
  if (!host_home_file.empty()) ::unlink(host_home_file.c_str());
  ::unlink((other + "/file").c_str());
  ::rmdir(other.c_str());
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  for (size_t i = 0; i < absent.size(); ++i) {
    const std::string& p = absent[i];
    // Landlock-only: what exists on the host is refused, what does not is not there either.
    EXPECT_TRUE(ll_only() ? has(r.out, "read " + p + (on_host[i] ? " errno=EACCES" : " errno=ENOENT"))
                          : has(r.out, "stat " + p + " errno=ENOENT"))
        << p << "\n" << r.out;
  }
}

// ---- 8. read-only binds ---------------------------------------------------------------------

TEST_P(Hardening, WritesToReadOnlyBindsFailWithErofs) {
  TempDir ws(as());
  TempDir ro(as(), "ro");
  // Owned by the runner and writable by it: only the read-only bind can refuse the write.
  write_file(ro.path + "/f", "keep\n", as(), 0644);
  const std::string goroot = "/usr/lib/go-1.19";
  ASSERT_EQ(::access(goroot.c_str(), F_OK), 0) << goroot;
  auto r = exec(ws.path, {"--profile", "gopls", "--ro-bind", ro.path},
                {world().helper("escape_fs"), "create:/usr/bin/gsb-hardening-x", "create:" + goroot + "/gsb-hardening-x",
                 "create:/etc/gsb-hardening-x", "write:/etc/passwd", "unlink:/etc/passwd", "write:" + ro.path + "/f",
                 "create:" + ro.path + "/g", "unlink:" + ro.path + "/f", "create:" + ws.path + "/writable"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  for (const std::string& line : std::vector<std::string>{
           "create /usr/bin/gsb-hardening-x", "create " + goroot + "/gsb-hardening-x", "create /etc/gsb-hardening-x",
        std::string("unlink /etc/passwd"), "write /etc/passwd", "write " + ro.path + "/f",
        "create " + ro.path + "/g", "unlink " + ro.path + "/f"})
    EXPECT_TRUE(has(r.out, line + (ll_only() ? " errno=EACCES" : " errno=EROFS"))) << line << "\n" << r.out;
  // /etc/passwd is a copy in the sandbox's /etc tmpfs (owned by the runner inside, 0644): only
  // the sealed, read-only /etc can refuse the write, for root and for the unprivileged user.
  // Control: the workspace is writable, so the probe could write where allowed.
  EXPECT_TRUE(has(r.out, "create " + ws.path + "/writable errno=0")) << r.out;
  EXPECT_EQ(read_file(ro.path + "/f"), "keep\n");
  EXPECT_NE(::access((ro.path + "/g").c_str(), F_OK), 0);
  EXPECT_NE(::access("/usr/bin/gsb-hardening-x", F_OK), 0);
  EXPECT_NE(::access((goroot + "/gsb-hardening-x").c_str(), F_OK), 0);
}

// Global sysctls are guarded by the caller's uid, not by capabilities: for the root runner
// (uid 0 mapped to itself) a writable /proc/sys would let the sandbox set kernel.core_pattern
// to "|/workspace/prog", which the kernel then runs as real root on the host. /proc/sys must
// be read-only inside (as container runtimes mount it). The probe only opens for writing.
TEST_P(Hardening, GlobalSysctlsAndSysrqAreNotWritable) {
  TempDir ws(as());
  const std::vector<std::string> files = {"/proc/sys/kernel/core_pattern", "/proc/sys/kernel/panic",
                                          "/proc/sys/vm/swappiness", "/proc/sys/fs/protected_symlinks",
                                          "/proc/sysrq-trigger"};
  std::vector<std::string> probe = {world().helper("escape_fs")};
  for (const auto& f : files) probe.push_back("write:" + f);
  auto r = exec(ws.path, {"--profile", "gopls"}, probe);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  for (const auto& f : files) {
    EXPECT_NE(r.out.find("write " + f + " errno="), std::string::npos) << r.out;
    EXPECT_FALSE(has(r.out, "write " + f + " errno=0")) << f << " is writable inside the sandbox\n" << r.out;
  }
}

// ---- 9. set-user-ID programs ----------------------------------------------------------------

TEST(HardeningUser, SetuidRootProgramGainsNothingInside) {
  if (!world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  TempDir ws(As::User);
  TempDir dir(As::Root, "suid");
  std::string prog = dir.path + "/escape_euid";
  write_file(prog, read_file(world().helper("escape_euid")), As::Root, 0755);
  ASSERT_EQ(::chown(prog.c_str(), 0, 0), 0);
  ASSERT_EQ(::chmod(prog.c_str(), 04755), 0);
  std::string uid = std::to_string(world().user_uid);
  // Control: on the host the set-user-ID bit works for the test user.
  auto host = run(As::User, {prog}, {ws.path, {}, false});
  ASSERT_EQ(host.status, 0) << host.err;
  ASSERT_TRUE(has(host.out, "ruid=" + uid + " euid=0")) << "control failed (nosuid /tmp?)\n" << host.out;
  auto r = run(As::User, {world().launcher, "exec", "--profile", "gopls", "--ro-bind", dir.path, "--", prog},
               {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_TRUE(has(r.out, "ruid=" + uid + " euid=" + uid)) << r.out;
  EXPECT_TRUE(has(r.out, "NoNewPrivs=1")) << r.out;
}

TEST(HardeningUser, SuToRootFailsInside) {
  if (!world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  const char* su = ::access("/usr/bin/su", X_OK) == 0 ? "/usr/bin/su" : ::access("/bin/su", X_OK) == 0 ? "/bin/su" : nullptr;
  if (!su) GSB_SKIP_OR_FAIL("no su on this machine");
  TempDir ws(As::User);
  auto r = run(As::User, {world().launcher, "exec", "--profile", "gopls", "--", su, "-c", "id -u", "root"},
               {ws.path, {}, false});
  // (Inside, su runs without its set-user-ID root and gives up before asking for a password.)
  EXPECT_NE(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out, "0\n") << r.err;
  EXPECT_EQ(("\n" + r.out).find("\n0\n"), std::string::npos) << r.out;
}

// ---- 10. the syscall list ------------------------------------------------------------------

TEST_P(Hardening, EveryTrySyscallsProbeIsRefused) {
  // seccomp_test.cpp (GoplsProfileRefusesEscapeSyscallsWithEperm) checks its named list; this
  // runs every probe try_syscalls has, including ones added later: all must be refused with
  // EPERM except the three whose outcome is the profile's design.
  const std::map<std::string, std::string> expected_otherwise = {
      {"getpid", "ret=2 errno=0"},                 // allowed, and pid 2 under the sandbox's init
      {"personality_query", "errno=0"},            // querying is allowed
      {"clone3", "ret=-1 errno=ENOSYS"},           // ENOSYS so runtimes fall back to clone
      {"netlink_route", "errno=0"}};               // Go's interface listing; audit/uevent are refused
  TempDir ws(as());
  auto list = run(as(), {world().helper("try_syscalls"), "list"}, {ws.path, {}, false});
  ASSERT_EQ(list.status, 0) << list.err;
  std::vector<std::string> names;
  std::istringstream in(list.out);
  for (std::string n; std::getline(in, n);)
    if (!n.empty()) names.push_back(n);
  ASSERT_GT(names.size(), 20u) << list.out;
  auto r = exec(ws.path, {"--profile", "gopls"}, {world().helper("try_syscalls")});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  std::map<std::string, std::string> outcome;  // probe name -> "ret=R errno=E"
  std::istringstream lines(r.out);
  for (std::string l; std::getline(lines, l);) {
    auto sp = l.find(' ');
    if (sp != std::string::npos) outcome[l.substr(0, sp)] = l.substr(sp + 1);
  }
  for (const auto& n : names) {
    ASSERT_TRUE(outcome.count(n)) << n << " did not report\n" << r.out;
    auto it = expected_otherwise.find(n);
    if (it == expected_otherwise.end())
      EXPECT_EQ(outcome[n], "ret=-1 errno=EPERM") << n;
    else if (ll_only() && n == "getpid")  // no pid namespace: a host pid
      EXPECT_NE(outcome[n].find("errno=0"), std::string::npos) << n << " " << outcome[n];
    else
      EXPECT_NE(outcome[n].find(it->second), std::string::npos) << n << " " << outcome[n];
  }
}

// ---- 11. the editor's shutdown pattern ----------------------------------------------------

TEST_P(Hardening, EditorShutdownThenKillOfTheTreeLeavesNothingAlive) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  SpawnOptions so;
  so.cwd = ws.path;
  Proc p = spawn(as(), launcher(), so);
  LspClient c(p);
  json::Value init;
  init.set("processId", nullptr);
  init.set("rootUri", "file://" + ws.path);
  init.set("capabilities", json::Object{});
  auto ir = c.response(c.request("initialize", init), std::chrono::seconds(60));
  ASSERT_TRUE(ir) << "no initialize response; stderr:\n" << p.err_buf;
  c.notify("initialized", json::Object{});
  // The tree as the editor would see it, collected before stdin is closed.
  auto tree = process_tree(p.pid);
  // Landlock-only: the launcher is the subreaper in place of the sandbox's init.
  ASSERT_GE(tree.size(), ll_only() ? 2u : 3u) << "launcher, the sandbox's init, gopls";
  std::vector<int> pidfds;
  for (pid_t t : tree) {
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, t, 0));
    if (fd >= 0) pidfds.push_back(fd);
  }
  auto sd = c.response(c.request("shutdown", nullptr), std::chrono::seconds(30));
  EXPECT_TRUE(sd) << p.err_buf;
  c.notify("exit", nullptr);
  p.close_stdin();
  EXPECT_EQ(p.wait(std::chrono::seconds(4)), 0) << "the launcher did not exit within 4 s\n" << p.err_buf;
  // The editor's last resort: SIGKILL every process of the tree it knew.
  for (int fd : pidfds) {
    ::syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0);
    ::close(fd);
  }
  auto alive = wait_gone(tree, std::chrono::seconds(1));
  EXPECT_TRUE(alive.empty()) << alive.size() << " processes of the tree alive 1 s after SIGKILL";
  // Nothing the tree started escaped it either: no process left runs the launcher.
  EXPECT_TRUE(launcher_processes().empty());
}

// ---- 12. many launches ----------------------------------------------------------------------

TEST_P(Hardening, FiftyLaunchesLeaveNoMountsProcessesOrFds) {  // and ten failed ones
  TempDir ws(as());
  auto run_true = [&] { return exec(ws.path, {}, {"/bin/true"}); };
  ASSERT_EQ(run_true().status, 0);  // warm-up: anything allocated once (world(), caches) is there now
  size_t mounts0 = count_lines(read_file("/proc/self/mountinfo"));
  size_t fds0 = count_fds();
  auto kids0 = process_tree(::getpid());
  ASSERT_TRUE(launcher_processes().empty());
  for (int i = 0; i < 50; ++i) {
    auto r = run_true();
    ASSERT_EQ(r.status, 0) << "launch " << i << ": " << r.err;
    // Launches that fail after the sandbox's pid 1 was started (it is cloned before the plan
    // exists) must take it down with them: a missing program (127), an unknown profile (2).
    if (i % 10 == 4) {
      auto missing = exec(ws.path, {}, {"/nonexistent-gsb-program"});
      ASSERT_EQ(missing.status, 127) << missing.err;
      auto bad = exec(ws.path, {"--profile", "no-such-profile-gsb"}, {"/bin/true"});
      ASSERT_EQ(bad.status, 2) << bad.err;
    }
  }
  EXPECT_EQ(count_lines(read_file("/proc/self/mountinfo")), mounts0);
  EXPECT_EQ(count_fds(), fds0);
  EXPECT_EQ(process_tree(::getpid()), kids0) << "new children of the test process";
  EXPECT_TRUE(launcher_processes().empty());
}

// ---- 13. two sandboxes on one workspace ----------------------------------------------------

TEST_P(Hardening, TwoConcurrentSandboxesOnOneWorkspace) {
  TempDir ws(as());
  SpawnOptions so;
  so.cwd = ws.path;
  std::vector<Proc> ps;
  for (int i = 1; i <= 2; ++i)
  {
    std::vector<std::string> argv = launcher();
    for (const char* a : {"exec", "--profile", "gopls", "--", "/bin/sh", "-c"}) argv.push_back(a);
    argv.push_back("echo $$ > F" + std::to_string(i) + " && echo ready; read x; exit 0");
    ps.push_back(spawn(as(), argv, so));
  }
  for (auto& p : ps)
    ASSERT_TRUE(p.read_until([](const std::string& s) { return s.find("ready\n") != std::string::npos; },
                             std::chrono::seconds(30)))
        << p.err_buf;
  // Both are running at this moment (each waits on its stdin), each as pid 2 of its own sandbox.
  int st = 0;
  for (auto& p : ps) EXPECT_EQ(::waitpid(p.pid, &st, WNOHANG), 0);
  if (ll_only()) {  // host pids, one each
    EXPECT_NE(read_file(ws.path + "/F1"), read_file(ws.path + "/F2"));
    EXPECT_FALSE(read_file(ws.path + "/F1").empty());
  } else {
    EXPECT_EQ(read_file(ws.path + "/F1"), "2\n");
    EXPECT_EQ(read_file(ws.path + "/F2"), "2\n");
  }
  for (auto& p : ps) p.close_stdin();
  for (auto& p : ps) EXPECT_EQ(p.wait(std::chrono::seconds(30)), 0) << p.err_buf;
}

}  // namespace
}  // namespace gsb::test
