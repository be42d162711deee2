#include "gopls_sandbox/sys/sandbox.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gopls_sandbox/core/init_filter.hpp"
#include "gopls_sandbox/core/spec_wire.hpp"
#include "gopls_sandbox/sys/caps.hpp"
#include "gopls_sandbox/sys/landlock.hpp"
#include "gopls_sandbox/sys/mounts.hpp"
#include "gopls_sandbox/sys/net.hpp"
#include "gopls_sandbox/sys/memtrim.hpp"
#include "gopls_sandbox/sys/seccomp.hpp"
#include "gopls_sandbox/sys/userns.hpp"

namespace gsb::sys {

const char* phase_name(Phase p) noexcept {
  switch (p) {
    case Phase::None: return "setup";
    case Phase::ParentGone: return "parent check";
    case Phase::IdMaps: return "user namespace id maps";
    case Phase::MountNamespace: return "new root";
    case Phase::Mount: return "mount";
    case Phase::PivotRoot: return "pivot_root";
    case Phase::Hostname: return "hostname";
    case Phase::Loopback: return "loopback";
    case Phase::Capabilities: return "capabilities";
    case Phase::NoNewPrivs: return "no_new_privs";
    case Phase::Fork: return "fork";
    case Phase::Chdir: return "chdir";
    case Phase::Seccomp: return "seccomp";
    case Phase::SendListener: return "send listener";
    case Phase::Exec: return "execve";
    case Phase::InodeCheck: return "inode check";
    case Phase::Harden: return "harden pid 1";
    case Phase::Session: return "new session";
    case Phase::Landlock: return "landlock";
    case Phase::NetProxy: return "network proxy endpoint";
    case Phase::Namespaces: return "send namespaces";
  }
  return "setup";
}

std::string describe_failure(const ChildMsg& m) {
  std::string s = m.detail;
  if (s.empty()) s = phase_name(m.phase);
  if (m.err > 0) {
    s += ": ";
    s += errno_text(m.err);
  }
  return s;
}

namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
constexpr int kMsgFd = 3;     // where the child keeps its end of the message socket
constexpr int kStdinFd = 4;   // the program's stdin/stdout when a proxy relays them
constexpr int kStdoutFd = 5;

void send_msg(int fd, MsgType type, Phase phase, int err, int index, const char* detail) noexcept {
  (void)send_child_msg(fd, type, phase, err, index, detail);
}

[[noreturn]] void fail(Phase phase, int err, const char* detail, int index = -1) noexcept {
  send_msg(kMsgFd, MsgType::Error, phase, err, index, detail);
  ::_exit(125);
}
[[noreturn]] void fail(Phase phase, int err, const std::string& detail, int index = -1) noexcept {
  fail(phase, err, detail.c_str(), index);
}

int send_fd(int sock, int fd, MsgType type = MsgType::Listener) noexcept {
  return send_child_msg(sock, type, Phase::None, 0, 0, nullptr, fd);
}

void noop_handler(int) {}

// The program's process: forked by pid 1, ends in execve. It starts running code of the
// program's only once pid 1 is locked down: it waits for EOF on `gate` (pid 1 closes the write
// end after loading its own filter).
[[noreturn]] void exec_program(const SandboxSpec& spec, const sigset_t& orig_mask, char* const* argv,
                               char* const* envp, int gate_rd, int gate_wr, int landlock_fd) noexcept {
  const core::Plan& plan = *spec.plan;
  ::close(gate_wr);
  char c;
  ssize_t g;
  while ((g = ::read(gate_rd, &c, 1)) < 0 && errno == EINTR) {
  }
  if (g != 0) fail(Phase::Harden, g < 0 ? errno : EPROTO, "wait for pid 1's filter");
  ::close(gate_rd);
  for (int s : kForwarded) ::signal(s, SIG_DFL);
  ::signal(SIGCHLD, SIG_DFL);
  if (spec.program_stdin >= 0 && ::dup2(kStdinFd, 0) < 0) fail(Phase::Exec, errno, "dup2 proxy stdin");
  if (spec.program_stdout >= 0 && ::dup2(kStdoutFd, 1) < 0) fail(Phase::Exec, errno, "dup2 proxy stdout");
  // A session of its own: nothing inside has the user's terminal as its controlling tty, so
  // TIOCSTI (push input to the shell that started us) and job-control signals to the editor's
  // process group are out of reach whatever the seccomp profile says. stdio stays as it is:
  // reading and writing a terminal fd needs no controlling tty. (bubblewrap's --new-session;
  // `exec --share-tty` keeps the session for an interactive program.)
  if (!plan.keep_tty && ::setsid() < 0) fail(Phase::Session, errno, "setsid");
  if (::chdir(plan.cwd.c_str()) != 0) fail(Phase::Chdir, errno, "chdir " + plan.cwd);
  // The second wall: from here on the program reaches only what the plan's mounts give it, even
  // through a mount the namespace setup got wrong, and (ABI 6) no abstract unix socket or process
  // outside the sandbox — which matters with --share-net, where the host's are otherwise reachable.
  if (landlock_fd >= 0) {
    if (int e = landlock_enforce(landlock_fd)) fail(Phase::Landlock, e, "landlock_restrict_self");
    ::close(landlock_fd);
  }
  char exec_msg[600];
  std::snprintf(exec_msg, sizeof exec_msg, "execve %s", argv[0]);
  ::sigprocmask(SIG_SETMASK, &orig_mask, nullptr);
  if (spec.filter && !spec.filter->empty()) {
    int listener = -1;
    int e = load_filter(spec.filter->data(), spec.filter->size(), spec.want_listener, &listener, spec.filter_log);
    if (e) fail(Phase::Seccomp, e, "seccomp: load filter");
    if (listener >= 0) {
      // Only sendmsg, close and execve (all in the launcher's always-allowed set) from here.
      if ((e = send_fd(kMsgFd, listener))) fail(Phase::SendListener, e, "send seccomp listener");
      ::close(listener);
    }
  }
  ::execve(argv[0], argv, envp);
  // After the filter is loaded: no allocation (the profile need not allow brk/mmap); the
  // message was formatted before.
  fail(Phase::Exec, errno, exec_msg);
}

// The program's process shares pid 1's memory until its execve (CLONE_VM, as posix_spawn does):
// no page tables to copy. It runs on its own stack. Not CLONE_VFORK: pid 1 must run on, to load
// its own filter, while the child waits at the gate; pid 1 then only blocks in sigwaitinfo, so
// the two do not touch the same memory (errno aside, which only an error message could read).
struct ExecArgs {
  const SandboxSpec* spec;
  const sigset_t* orig_mask;
  char* const* argv;
  char* const* envp;
  int gate_rd, gate_wr;
  int landlock_fd;
};
int exec_program_entry(void* p) {
  auto* a = static_cast<ExecArgs*>(p);
  exec_program(*a->spec, *a->orig_mask, a->argv, a->envp, a->gate_rd, a->gate_wr, a->landlock_fd);
}
alignas(64) char g_exec_stack[1 << 20];
// AddressSanitizer cannot follow a process onto another stack (it warns, then may report false
// positives): sanitizer builds fork instead.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kVforkProgram = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kVforkProgram = false;
#else
constexpr bool kVforkProgram = true;
#endif
#else
constexpr bool kVforkProgram = true;
#endif

// The launch spec, sent by the launcher: a header message with its size, then chunks (each one
// SOCK_SEQPACKET message of at most kSpecChunk bytes).
constexpr size_t kSpecChunk = 65536;
struct SpecHeader {
  char magic[8];
  uint64_t size;
};

bool receive_spec_bytes(std::string& out) noexcept {
  SpecHeader h;
  ssize_t n;
  while ((n = ::recv(kMsgFd, &h, sizeof h, 0)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof h) || std::memcmp(h.magic, "GSBSPECH", 8) != 0 || h.size > (1u << 30))
    return false;
  out.resize(h.size);
  for (size_t got = 0; got < h.size;) {
    size_t want = std::min(kSpecChunk, static_cast<size_t>(h.size) - got);
    while ((n = ::recv(kMsgFd, out.data() + got, want, 0)) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(want)) return false;
    got += want;
  }
  return true;
}

// One of pid 1's reports (core/spec_wire.hpp) to the launcher.
void send_report(const core::Pid1Report& r) noexcept {
  std::string bytes = core::encode_report(r);
  ChildMsg m;
  std::memset(&m, 0, sizeof m);
  m.type = MsgType::Report;
  m.index = -1;
  m.len = static_cast<uint32_t>(std::min(bytes.size(), sizeof m.detail));
  std::memcpy(m.detail, bytes.data(), m.len);
  while (::send(kMsgFd, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

// ---------------------------------------------------------------------------------------------
// pid 1 of the sandbox: the steps, in order. What one step hands to the next is in Pid1.

struct Pid1 {
  const EarlySpec& early;
  std::string what;                 // the failing operation's description, from the mount code
  core::WireSpec wire;              // the launch spec as received
  SandboxSpec spec;                 // the same, as the program's process reads it
  std::vector<int> host_ids;        // O_PATH descriptors of the inode-check directories on the host
  std::vector<struct stat> planned; // a cache path's identity right after its own mount
  std::vector<char> from_plan;      // ... when that mount was made
  int landlock_fd = -1;
  std::vector<char*> argv, envp;
  std::vector<sock_filter> init_prog;
  int gate[2] = {-1, -1};
  pid_t child = -1;
};

// The message socket at a known fd and nothing else above stderr: no descriptor of the
// launcher's reaches the program by accident. (The proxy's pipe ends move first, to fds that
// cannot collide with 3..5.)
void arrange_descriptors(const EarlySpec& early, int msg_fd) noexcept {
  int in_fd = early.program_stdin, out_fd = early.program_stdout;
  if (in_fd >= 0 && (in_fd = ::fcntl(in_fd, F_DUPFD_CLOEXEC, 10)) < 0) ::_exit(125);
  if (out_fd >= 0 && (out_fd = ::fcntl(out_fd, F_DUPFD_CLOEXEC, 10)) < 0) ::_exit(125);
  if (msg_fd != kMsgFd) {
    if (::dup3(msg_fd, kMsgFd, O_CLOEXEC) < 0) ::_exit(125);
    ::close(msg_fd);
  }
  if (in_fd >= 0 && ::dup3(in_fd, kStdinFd, O_CLOEXEC) < 0) ::_exit(125);
  if (out_fd >= 0 && ::dup3(out_fd, kStdoutFd, O_CLOEXEC) < 0) ::_exit(125);
  ::syscall(SYS_close_range, kStdoutFd + 1, ~0U, 0);
  if (in_fd < 0) ::close(kStdinFd);
  if (out_fd < 0) ::close(kStdoutFd);
}

// Die with the launcher; then close the race where it died before prctl: its end of the socket
// is gone, which poll reports as a hangup.
void die_with_launcher() noexcept {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(Phase::ParentGone, errno, "prctl PR_SET_PDEATHSIG");
  struct pollfd p = {kMsgFd, 0, 0};
  if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) ::_exit(125);
}

// Our uid/gid inside = the caller's outside. First privileged step: until the maps exist, the
// capabilities the new user namespace gave us are useless (no mount, no sethostname).
void map_ids(Pid1& p) noexcept {
  const char* what = "";
  if (int e = write_self_id_maps(p.early.uid, p.early.gid, &what)) fail(Phase::IdMaps, e, std::string("write ") + what);
}

// Not dumpable from here on (the id maps above were the last write to our own /proc files):
// the program shares our uid, and a dumpable pid 1 — which holds capabilities in this user
// namespace, the launcher's socket and, for exec, the user's terminal — could be opened through
// /proc/1/mem, ptrace or process_vm_writev by anything the program starts.
void make_undumpable() noexcept {
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail(Phase::Harden, errno, "prctl PR_SET_DUMPABLE");
}

// Issue 13.2: our user and mount namespaces, for the launcher: it enters them later to attach a
// workspace folder the editor adds (sys/attach.cpp). Early, before anything is mounted: a
// namespace descriptor names the namespace for its whole life, whatever is mounted in it later.
// Our own /proc/self/ns is open to us whether or not we are dumpable.
void send_namespaces(Pid1& p) noexcept {
  if (!p.early.send_namespaces) return;
  static const char* const kNs[] = {"/proc/self/ns/user", "/proc/self/ns/mnt"};
  for (int i = 0; i < 2; ++i) {
    int fd = ::open(kNs[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(Phase::Namespaces, errno, std::string("open ") + kNs[i]);
    if (int e = send_child_msg(kMsgFd, MsgType::Namespace, Phase::None, 0, i, nullptr, fd))
      fail(Phase::Namespaces, e, "send the namespace descriptors");
    ::close(fd);
  }
}

// A private mount tree with the host's root at /oldroot and an empty tmpfs at /newroot: needs
// the id maps (CAP_SYS_ADMIN in our namespace) and comes before every mount of the plan.
void begin_root(Pid1& p) noexcept {
  if (int e = begin_new_root(p.what)) fail(Phase::MountNamespace, e, p.what);
}

// Our own UTS and network namespaces: the hostname, and lo up in the private network (unless
// the plan shares the host's). Independent of the mounts; before the spec only to overlap the
// launcher's sending it.
void set_up_uts_and_net(Pid1& p) noexcept {
  const std::string& h = p.early.hostname;
  if (::sethostname(h.data(), h.size()) != 0) fail(Phase::Hostname, errno, "sethostname");
  if (!p.early.share_net) {
    if (int e = loopback_up()) fail(Phase::Loopback, e, "bring up lo");
  }
}

// Issue 14 (--net proxy): the endpoint, a listening socket in our own network namespace, passed
// to the launcher, which serves it. After the spec is read: a failure before that would leave the
// spec unread, and the launcher's socket would report ECONNRESET ahead of our error message.
void create_net_endpoint(Pid1& p) noexcept {
  if (p.early.net_proxy_port && !p.early.share_net) {
    int lfd = -1;
    char where[96];
    std::snprintf(where, sizeof where, "proxy endpoint %u.%u.%u.%u:%u inside: listen", p.early.net_proxy_addr >> 24,
                  (p.early.net_proxy_addr >> 16) & 255, (p.early.net_proxy_addr >> 8) & 255, p.early.net_proxy_addr & 255,
                  p.early.net_proxy_port);
    if (int e = proxy_listener(p.early.net_proxy_addr, p.early.net_proxy_port, &lfd)) fail(Phase::NetProxy, e, where);
    if (int e = send_fd(kMsgFd, lfd, MsgType::NetListener)) fail(Phase::NetProxy, e, "send the proxy endpoint");
    ::close(lfd);
  }
}

// The plan, the program's filter and the inode checks, from the launcher.
void receive_spec(Pid1& p) noexcept {
  std::string bytes;
  if (!receive_spec_bytes(bytes)) ::_exit(125);  // the launcher gave up (or died): nothing to report to
  auto decoded = core::decode_spec(bytes);
  if (!decoded) fail(Phase::None, 0, decoded.error().message);
  p.wire = std::move(*decoded);
  p.spec.plan = &p.wire.plan;
  p.spec.filter = &p.wire.filter;
  p.spec.want_listener = p.wire.want_listener;
  p.spec.filter_log = p.wire.filter_log;
  p.spec.identity_checks = p.wire.identity_checks;
  p.spec.identity_strict = p.wire.identity_strict;
  p.spec.program_stdin = p.early.program_stdin;
  p.spec.program_stdout = p.early.program_stdout;
}

// Descriptors on the host directories the inode check compares, opened before any of our
// mounts can shadow them.
void open_host_identities(Pid1& p) noexcept {
  for (const auto& path : p.spec.identity_checks) {
    std::string hp = std::string(kOldRoot) + path;
    p.host_ids.push_back(::open(hp.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  p.planned.resize(p.host_ids.size());
  p.from_plan.assign(p.host_ids.size(), 0);
}

// Every mount of the plan, in its order, under /newroot. Issue 12: a cache path must show the
// overlay (or private cache) made for it, as it was right after that mount: whatever covers it
// later is a mismatch, as for a host directory.
void apply_mounts(Pid1& p) noexcept {
  const core::Plan& plan = *p.spec.plan;
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    int e = apply_mount(plan.mounts[i], p.what);
    if (e > 0) fail(Phase::Mount, e, p.what, static_cast<int>(i));
    if (plan.mounts[i].kind != core::MountKind::Overlay) continue;
    core::Pid1Report r;
    r.kind = core::Pid1Report::Kind::CacheFallback;
    if (int fe = take_cache_fallback(r.fallback.detail)) {
      r.fallback.mount_index = static_cast<uint32_t>(i);
      r.fallback.err = fe;
      send_report(r);
    }
    for (size_t j = 0; j < p.host_ids.size(); ++j)
      if (p.spec.identity_checks[j] == plan.mounts[i].dst)
        p.from_plan[j] = ::stat((std::string(kNewRoot) + plan.mounts[i].dst).c_str(), &p.planned[j]) == 0;
  }
}

// /newroot becomes / and the host's root is detached: after the last mount, before anything
// that must see the final tree.
void finish_root(Pid1& p) noexcept {
  if (int e = finish_new_root(p.what)) fail(Phase::PivotRoot, e, p.what);
}

// Compare what the program will see with what the host had: one report per path; with
// --inode-check strict a mismatch stops the launch before the program exists.
void check_identities(Pid1& p) noexcept {
  bool mismatch = false;
  for (size_t i = 0; i < p.host_ids.size(); ++i) {
    struct stat host_st, in_st;
    bool have_host = p.from_plan[i] ? (host_st = p.planned[i], true)
                                    : p.host_ids[i] >= 0 && ::fstat(p.host_ids[i], &host_st) == 0;
    bool have_in = ::stat(p.spec.identity_checks[i].c_str(), &in_st) == 0;
    core::Pid1Report r;
    r.kind = core::Pid1Report::Kind::InodeCheck;
    core::InodeCheckReport& c = r.inode;
    c.index = static_cast<uint32_t>(i);
    if (!have_host) c.result = core::InodeResult::HostMissing;
    else if (!have_in) c.result = core::InodeResult::Missing;
    else if (host_st.st_dev != in_st.st_dev || host_st.st_ino != in_st.st_ino) c.result = core::InodeResult::Mismatch;
    if (have_host) c.host_dev = host_st.st_dev, c.host_ino = host_st.st_ino;
    if (have_in) c.inside_dev = in_st.st_dev, c.inside_ino = in_st.st_ino;
    mismatch = mismatch || c.result == core::InodeResult::Mismatch || c.result == core::InodeResult::Missing;
    send_report(r);
    if (p.host_ids[i] >= 0) ::close(p.host_ids[i]);
  }
  if (mismatch && p.spec.identity_strict) fail(Phase::InodeCheck, 0, "inode check failed (--inode-check strict)");
}

// The Landlock ruleset, from the same plan, on the paths of the new root (so after
// finish_root); the program's process enforces it on itself: pid 1 stays outside the domain,
// under its own seccomp filter.
void build_landlock(Pid1& p) noexcept {
  const char* what = "";
  if (int abi = landlock_abi(); abi >= 1) {
    p.landlock_fd = landlock_build(core::landlock_plan(*p.spec.plan), abi, &what);
    if (p.landlock_fd < 0) fail(Phase::Landlock, -p.landlock_fd, what);
  }
}

// No capability from here on, for pid 1 and so for the program: the last privileged operation
// (the mounts, hostname, lo) is done.
void drop_privileges() noexcept {
  const char* what = "";
  if (int e = drop_all_capabilities(&what)) fail(Phase::Capabilities, e, what);
  // no_new_privs: execve cannot gain privileges (setuid files), and it lets both seccomp filters
  // load without CAP_SYS_ADMIN.
  if (int e = set_no_new_privs()) fail(Phase::NoNewPrivs, e, "prctl PR_SET_NO_NEW_PRIVS");
}

// Everything that allocates, done while allocating is still allowed: argv/envp as C arrays,
// pid 1's own filter (pid 1 is single-threaded), and the signal handlers — installed because
// the kernel drops signals with default disposition sent to a namespace's init; they arrive
// through sigwaitinfo.
void prepare_program(Pid1& p) noexcept {
  const core::Plan& plan = *p.spec.plan;
  for (const auto& a : plan.argv) p.argv.push_back(const_cast<char*>(a.c_str()));
  p.argv.push_back(nullptr);
  for (const auto& e : plan.env) p.envp.push_back(const_cast<char*>(e.c_str()));
  p.envp.push_back(nullptr);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = noop_handler;
  for (int s : kForwarded) ::sigaction(s, &sa, nullptr);
  ::sigaction(SIGCHLD, &sa, nullptr);
  p.init_prog = core::init_filter();
  if (::pipe2(p.gate, O_CLOEXEC) != 0) fail(Phase::Fork, errno, "pipe2 (program start gate)");
}

// The program's process, created now but held at the gate until pid 1 is locked down.
void start_program(Pid1& p, ExecArgs& args) noexcept {
  args = ExecArgs{&p.spec, &p.early.orig_mask, p.argv.data(), p.envp.data(), p.gate[0], p.gate[1], p.landlock_fd};
  if (kVforkProgram) {
    p.child = ::clone(exec_program_entry, g_exec_stack + sizeof g_exec_stack, CLONE_VM | SIGCHLD, &args);
    if (p.child < 0) fail(Phase::Fork, errno, "clone the program's process");
  } else {
    p.child = ::fork();
    if (p.child < 0) fail(Phase::Fork, errno, "fork the program's process");
    if (p.child == 0) exec_program_entry(&args);
  }
  ::close(p.gate[0]);
  if (p.landlock_fd >= 0) ::close(p.landlock_fd);
}

// From here pid 1 only reaps, forwards signals and exits: its filter allows exactly that
// (core/init_filter.cpp) and kills it — and so the namespace — on anything else. Loaded after
// the program's process was created (a filter is inherited by children) but before it runs
// anything of the program's (the gate is still closed). no_new_privs is set.
void lock_down(Pid1& p) noexcept {
  trim_resident_image(true);  // issue 15: pid 1 only waits from here (sys/memtrim.hpp)
  if (int e = load_filter(p.init_prog.data(), p.init_prog.size(), false, nullptr)) {
    send_msg(kMsgFd, MsgType::Error, Phase::Harden, e, -1, "seccomp: load pid 1 filter");
    ::kill(p.child, SIGKILL);
    ::_exit(125);
  }
}

// The program may start now; pid 1 has nothing more to say to the launcher.
void open_gate(Pid1& p) noexcept {
  ::close(p.gate[1]);
  ::close(kMsgFd);
}

// Forward signals to the program; when it is done, exit with its status (everything else in
// the namespace dies with pid 1). exit_group itself, not _exit: a sanitizer runtime intercepts
// _exit to run its leak check, which needs syscalls pid 1's filter kills it for. Deliberately
// not [[noreturn]]: AddressSanitizer instruments every call of a noreturn function with
// __asan_handle_no_return, which calls sigaltstack — after pid 1's filter is loaded that is
// SIGSYS (every sandbox ended with 159 in the sanitizer run). The loop never ends anyway.
void reap_until_program_exits(Pid1& p) noexcept {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kForwarded) sigaddset(&set, s);
  sigaddset(&set, SIGCHLD);
  for (;;) {
    siginfo_t si;
    int sig = ::sigwaitinfo(&set, &si);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      ::kill(p.child, sig);
      continue;
    }
    for (;;) {
      int st = 0;
      pid_t r = ::waitpid(-1, &st, WNOHANG);
      if (r <= 0) break;
      if (r == p.child) ::syscall(SYS_exit_group, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
  }
}

// pid 1, top to bottom (nsjail's containProc, bubblewrap's setup order). A failing step reports
// (phase, errno, what) on the message socket and exits 125; the launcher turns it into an error.
[[noreturn]] void sandbox_init(const EarlySpec& early, int msg_fd) noexcept {
  Pid1 p{early};
  ExecArgs args{};
  arrange_descriptors(early, msg_fd);
  die_with_launcher();
  map_ids(p);
  make_undumpable();
  send_namespaces(p);
  begin_root(p);
  set_up_uts_and_net(p);
  receive_spec(p);
  create_net_endpoint(p);
  open_host_identities(p);
  apply_mounts(p);
  finish_root(p);
  check_identities(p);
  build_landlock(p);
  drop_privileges();
  prepare_program(p);
  start_program(p, args);
  lock_down(p);
  open_gate(p);
  reap_until_program_exits(p);
  __builtin_unreachable();  // not a call: no sanitizer hook (see reap_until_program_exits)
}

Result<int> recv_msg(int fd, ChildMsg& m, int& passed_fd) { return recv_child_msg(fd, m, passed_fd); }

// A report from pid 1, decoded for the launcher (a malformed one is dropped: pid 1 is ours, and
// the launch goes on without it).
void deliver_report(const ChildMsg& m, SandboxEvents& events) {
  if (!events.on_report || m.len > sizeof m.detail) return;
  if (auto r = core::decode_report(std::string_view(m.detail, m.len))) events.on_report(*r);
}

}  // namespace

Result<StartedSandbox> start_sandbox(const EarlySpec& early_in) {
  EarlySpec early = early_in;
  sigset_t set;
  sigemptyset(&set);
  for (int s : kForwarded) sigaddset(&set, s);
  sigaddset(&set, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &set, &early.orig_mask) != 0) return Error::sys("signals", "sigprocmask", errno);
  int sfd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    int e = errno;
    ::sigprocmask(SIG_SETMASK, &early.orig_mask, nullptr);
    return Error::sys("signals", "signalfd", e);
  }
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    int e = errno;
    ::close(sfd);
    ::sigprocmask(SIG_SETMASK, &early.orig_mask, nullptr);
    return Error::sys("sandbox message socket", "socketpair", e);
  }

  unsigned long flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
  if (!early.share_net) flags |= CLONE_NEWNET;
  pid_t pid = static_cast<pid_t>(::syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr));
  if (pid == 0) {
    ::close(sv[0]);
    ::close(sfd);
    sandbox_init(early, sv[1]);
  }
  int clone_err = errno;
  ::close(sv[1]);
  if (pid < 0) {
    ::close(sv[0]);
    ::close(sfd);
    ::sigprocmask(SIG_SETMASK, &early.orig_mask, nullptr);
    Error e = Error::sys("create namespaces", "clone", clone_err);
    if (clone_err == EPERM || clone_err == ENOSPC || clone_err == EINVAL || clone_err == EACCES)
      e.hint =
          "unprivileged user namespaces look disabled: check `sysctl user.max_user_namespaces` (must be > 0), "
          "`sysctl kernel.unprivileged_userns_clone=1` (Debian), and on Ubuntu 23.10+ "
          "`sysctl kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor profile for gopls-sandbox";
    return e;
  }
  StartedSandbox st;
  st.pid = pid;
  st.sock = sv[0];
  st.sfd = sfd;
  st.orig_mask = early.orig_mask;
  st.share_net = early.share_net;
  st.hostname = early.hostname;
  return st;
}

void abort_sandbox(StartedSandbox& st) noexcept {
  if (st.pid <= 0) return;
  ::kill(st.pid, SIGKILL);
  int status;
  while (::waitpid(st.pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::close(st.sock);
  ::close(st.sfd);
  ::sigprocmask(SIG_SETMASK, &st.orig_mask, nullptr);
  st.pid = -1;
}

Result<SandboxExit> run_sandbox(const SandboxSpec& spec, SandboxEvents& events) {
  EarlySpec early;
  early.uid = spec.plan->uid;
  early.gid = spec.plan->gid;
  early.share_net = spec.plan->share_net;
  early.hostname = spec.plan->hostname;
  early.program_stdin = spec.program_stdin;
  early.program_stdout = spec.program_stdout;
  early.net_proxy_port = spec.net_proxy_port;
  early.net_proxy_addr = spec.net_proxy_addr;
  early.send_namespaces = spec.send_namespaces;
  auto st = start_sandbox(early);
  if (!st) return std::move(st).error();
  return run_sandbox(*st, spec, events);
}

namespace {

// Hand pid 1 its spec. When pid 1 is gone (EPIPE, ECONNRESET) what it said and its status are
// collected afterwards; any other failure would leave it waiting for the rest forever: it is
// killed, and the errno returned.
int send_spec(int sock, pid_t pid, const SandboxSpec& spec) {
  static const std::vector<sock_filter> kNoFilter;
  std::string bytes = core::encode_spec(*spec.plan, spec.filter ? *spec.filter : kNoFilter,
                                        {spec.want_listener, spec.filter_log, spec.identity_strict},
                                        spec.identity_checks);
  SpecHeader h;
  std::memcpy(h.magic, "GSBSPECH", 8);
  h.size = bytes.size();
  auto send_all = [&](const void* p, size_t n) {
    ssize_t w;
    while ((w = ::send(sock, p, n, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
    }
    if (w == static_cast<ssize_t>(n)) return 0;
    return w < 0 ? errno : EMSGSIZE;
  };
  int e = send_all(&h, sizeof h);
  for (size_t off = 0; !e && off < bytes.size(); off += kSpecChunk)
    e = send_all(bytes.data() + off, std::min(kSpecChunk, bytes.size() - off));
  if (!e || e == EPIPE || e == ECONNRESET) return 0;
  ::kill(pid, SIGKILL);
  return e;
}

// Everything pid 1 (or the program's process) has said so far: the listener fd, a failure,
// reports. Returns false once the socket is closed (EOF: execve succeeded, or they are gone).
// After the sandbox ended (accept_listener false) a listener is closed, not handed on.
bool read_messages(int sock, SandboxExit& ex, int& listener, SandboxEvents& events, pid_t pid,
                   bool accept_listener = true) {
  for (;;) {
    ChildMsg m;
    int passed = -1;
    auto r = recv_msg(sock, m, passed);
    if (!r) return false;
    if (*r == 0) {  // EOF: execve succeeded (or the child is gone)
      if (accept_listener) trim_resident_image(false);  // issue 15: start-up is over (sys/memtrim.hpp)
      return false;
    }
    if (*r < 0) return true;  // nothing more right now
    if (m.type == MsgType::Listener && passed >= 0 && accept_listener && listener < 0) {
      listener = passed;
      if (events.on_listener) events.on_listener(listener);
    } else if (m.type == MsgType::NetListener && passed >= 0 && accept_listener && events.on_net_listener) {
      events.on_net_listener(passed, pid);  // issue 14: the proxy endpoint inside, served by the launcher
    } else if (m.type == MsgType::Namespace && passed >= 0 && accept_listener && events.on_namespace) {
      events.on_namespace(m.index, passed);  // issue 13.2: for attaching folders later (sys/attach.hpp)
    } else if (passed >= 0) {
      ::close(passed);
    }
    if (m.type == MsgType::Error) ex.failure = m;
    if (m.type == MsgType::Report) deliver_report(m, events);
  }
}


}  // namespace

bool forward_signals_and_reap(int sfd, pid_t child, bool reap_orphans, SandboxExit& ex) {
  bool done = false;
  struct signalfd_siginfo si;
  while (::read(sfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    int sig = static_cast<int>(si.ssi_signo);
    if (sig != SIGCHLD) {
      ::kill(child, sig);
      continue;
    }
    int st = 0;
    pid_t r;
    while ((r = ::waitpid(reap_orphans ? -1 : child, &st, WNOHANG)) > 0) {
      if (r == child) {
        ex.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        done = true;
      }
      if (!reap_orphans) break;
    }
  }
  return done;
}

Result<SandboxExit> run_sandbox(StartedSandbox& st, const SandboxSpec& spec, SandboxEvents& events) {
  const pid_t pid = st.pid;
  const int sfd = st.sfd, sock = st.sock;
  const sigset_t orig = st.orig_mask;
  st.pid = -1;  // owned by this call from here on
  if (spec.plan->share_net != st.share_net || spec.plan->hostname != st.hostname) {
    st.pid = pid;
    abort_sandbox(st);
    return Error::setup("internal: the sandbox was started for another network/hostname setting than the plan's");
  }
  if (events.on_started) events.on_started();
  int send_err = send_spec(sock, pid, spec);

  // Until pid 1 exits: its messages, the supervisor's listener (when polled here) and signals.
  SandboxExit ex;
  int listener = -1;
  bool msgs_open = true, done = false;
  while (!done) {
    struct pollfd fds[3];
    int n = 0;
    fds[n++] = {sfd, POLLIN, 0};
    int msg_i = -1, lis_i = -1;
    if (msgs_open) {
      msg_i = n;
      fds[n++] = {sock, POLLIN, 0};
    }
    if (listener >= 0 && events.on_listener_ready) {
      lis_i = n;
      fds[n++] = {listener, POLLIN, 0};
    }
    if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (msg_i >= 0 && fds[msg_i].revents) msgs_open = read_messages(sock, ex, listener, events, pid);
    if (lis_i >= 0 && fds[lis_i].revents) {
      if ((fds[lis_i].revents & (POLLHUP | POLLERR)) || !events.on_listener_ready(listener))
        events.on_listener_ready = nullptr;  // keep the fd for the owner; just stop polling it
    }
    if (fds[0].revents & POLLIN) done = forward_signals_and_reap(sfd, pid, false, ex);
  }
  // Collect anything the child said before it went away.
  if (msgs_open) (void)read_messages(sock, ex, listener, events, pid, false);
  ::close(sock);
  ::close(sfd);
  ::sigprocmask(SIG_SETMASK, &orig, nullptr);
  if (send_err && !ex.failure) return Error::sys("sandbox launch spec", "send", send_err);
  return ex;
}

}  // namespace gsb::sys
