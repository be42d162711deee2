#include "gopls_sandbox/sys/landlock_only.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "gopls_sandbox/sys/caps.hpp"
#include "gopls_sandbox/sys/landlock.hpp"
#include "gopls_sandbox/sys/seccomp.hpp"
#include "gopls_sandbox/sys/userns.hpp"

namespace gsb::sys {

namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

void send_msg(int fd, MsgType type, Phase phase, int err, const char* detail, int pass_fd = -1) noexcept {
  (void)send_child_msg(fd, type, phase, err, -1, detail, pass_fd);
}

[[noreturn]] void fail(int fd, Phase phase, int err, const char* detail) noexcept {
  send_msg(fd, MsgType::Error, phase, err, detail);
  ::_exit(125);
}

bool has_capabilities() noexcept {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  std::memset(d, 0, sizeof d);
  if (::syscall(SYS_capget, &h, d) != 0) return true;  // unknown: try to drop
  return d[0].permitted || d[1].permitted || d[0].effective || d[1].effective;
}

struct ChildArgs {
  const SandboxSpec* spec;
  const std::vector<sock_filter>* sockf;
  char* const* argv;
  char* const* envp;
  int msg_fd;
  int ruleset_fd;
  pid_t parent;
  sigset_t orig_mask;
};

[[noreturn]] void child_main(const ChildArgs& a) noexcept {
  const core::Plan& plan = *a.spec->plan;
  int fd = a.msg_fd;
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(fd, Phase::ParentGone, errno, "prctl PR_SET_PDEATHSIG");
  if (::getppid() != a.parent) ::_exit(125);
  for (int s : kForwarded) ::signal(s, SIG_DFL);
  ::signal(SIGCHLD, SIG_DFL);
  if (a.spec->program_stdin >= 0 && ::dup2(a.spec->program_stdin, 0) < 0) fail(fd, Phase::Exec, errno, "dup2 proxy stdin");
  if (a.spec->program_stdout >= 0 && ::dup2(a.spec->program_stdout, 1) < 0)
    fail(fd, Phase::Exec, errno, "dup2 proxy stdout");
  // Nothing of the launcher's beyond stdio reaches the program (the cache lock, log files…).
  ::syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);
  if (!plan.keep_tty && ::setsid() < 0) fail(fd, Phase::Session, errno, "setsid");
  if (::chdir(plan.cwd.c_str()) != 0) fail(fd, Phase::Chdir, errno, "chdir");
  const char* what = "";
  // Root without a user namespace is the host's root: no capability survives into the program.
  if ((::geteuid() == 0 || has_capabilities()))
    if (int e = drop_all_capabilities(&what)) fail(fd, Phase::Capabilities, e, what);
  if (int e = set_no_new_privs()) fail(fd, Phase::NoNewPrivs, e, "prctl PR_SET_NO_NEW_PRIVS");
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail(fd, Phase::Harden, errno, "prctl PR_SET_DUMPABLE");
  if (a.ruleset_fd >= 0) {
    if (int e = landlock_enforce(a.ruleset_fd)) fail(fd, Phase::Landlock, e, "landlock_restrict_self");
    ::close(a.ruleset_fd);
  }
  char exec_msg[600];
  std::snprintf(exec_msg, sizeof exec_msg, "execve %s", a.argv[0]);
  if (int e = load_filter(a.sockf->data(), a.sockf->size(), false, nullptr))
    fail(fd, Phase::Seccomp, e, "seccomp: load socket filter");
  ::sigprocmask(SIG_SETMASK, &a.orig_mask, nullptr);
  const SandboxSpec& spec = *a.spec;
  if (spec.filter && !spec.filter->empty()) {
    int listener = -1;
    int e = load_filter(spec.filter->data(), spec.filter->size(), spec.want_listener, &listener, spec.filter_log);
    if (e) fail(fd, Phase::Seccomp, e, "seccomp: load filter");
    if (listener >= 0) {
      send_msg(fd, MsgType::Listener, Phase::SendListener, 0, nullptr, listener);
      ::close(listener);
    }
  }
  ::execve(a.argv[0], a.argv, a.envp);
  fail(fd, Phase::Exec, errno, exec_msg);
}

Result<int> recv_msg(int fd, ChildMsg& m, int& passed_fd) { return recv_child_msg(fd, m, passed_fd); }

// The launcher's children (with PR_SET_CHILD_SUBREAPER: the orphans below it too), from every
// thread's /proc/self/task/TID/children.
std::vector<pid_t> own_children() {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc/self/task");
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::string p = std::string("/proc/self/task/") + e->d_name + "/children";
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buf[4096];
    std::string text;
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    ::close(fd);
    size_t i = 0;
    while (i < text.size()) {
      size_t j = text.find(' ', i);
      if (j == std::string::npos) j = text.size();
      if (j > i) out.push_back(static_cast<pid_t>(std::atol(text.substr(i, j - i).c_str())));
      i = j + 1;
    }
  }
  ::closedir(d);
  return out;
}

// What pid 1's exit does to a pid namespace: everything left below the launcher dies.
void kill_leftovers() {
  for (int round = 0; round < 1000; ++round) {
    auto kids = own_children();
    int st;
    if (kids.empty()) {
      while (::waitpid(-1, &st, WNOHANG) > 0) {
      }
      return;
    }
    for (pid_t p : kids)
      if (p > 0) ::kill(p, SIGKILL);
    // Each one reaped; what it had below it is re-parented to us for the next round.
    for (pid_t p : kids)
      while (p > 0 && ::waitpid(p, &st, 0) < 0 && errno == EINTR) {
      }
  }
}

}  // namespace

std::vector<sock_filter> landlock_only_socket_filter(bool share_net) {
  std::vector<sock_filter> f;
  auto stmt = [&](uint16_t code, uint32_t k) { f.push_back(BPF_STMT(code, k)); };
  auto jump = [&](uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { f.push_back(BPF_JUMP(code, k, jt, jf)); };
  const uint32_t deny = SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA);
#if defined(__x86_64__)
  const uint32_t arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  const uint32_t arch = AUDIT_ARCH_AARCH64;
#else
#error "landlock_only_socket_filter: unsupported architecture"
#endif
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  jump(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));  // (the profile decides its errno)
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
  jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket | 0x40000000u, 2, 0);  // x32's socket: the same arguments
#else
  jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 2, 0);  // (keeps the jump offsets below the same)
#endif
  jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 1, 0);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  // socket(domain, type, protocol): the low 32 bits of domain and type.
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
  jump(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1);
  stmt(BPF_RET | BPF_K, deny);
  if (share_net) {
    stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    return f;
  }
  jump(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  jump(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 1, 0);
  jump(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, 6);
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
  stmt(BPF_ALU | BPF_AND | BPF_K, 0xf);  // the type without SOCK_CLOEXEC / SOCK_NONBLOCK
  jump(BPF_JMP | BPF_JEQ | BPF_K, SOCK_STREAM, 0, 3);
  // TCP only: Landlock's TCP rights ignore other stream protocols, and an MPTCP (262), SCTP or
  // SMC socket would connect anywhere, the host's loopback services included.
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2]));
  jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0);
  jump(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 1, 0);
  stmt(BPF_RET | BPF_K, deny);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  return f;
}

Result<SandboxExit> run_landlock_only(const SandboxSpec& spec, const LandlockOnlySpec& lo, SandboxEvents& events) {
  const core::Plan& plan = *spec.plan;
  // The ruleset, built here on host paths (the program's process enforces it on itself).
  int ruleset = -1;
  if (lo.abi >= 1) {
    const char* what = "";
    ruleset = landlock_build(*lo.ll, lo.abi, &what);
    if (ruleset < 0) return Error::sys("Landlock ruleset", what, -ruleset);
  }
  const std::vector<sock_filter> sockf = landlock_only_socket_filter(plan.share_net);
  std::vector<char*> argv, envp;
  for (const auto& s : plan.argv) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  for (const auto& s : lo.env) envp.push_back(const_cast<char*>(s.c_str()));
  envp.push_back(nullptr);

  auto close_ruleset = [&] {
    if (ruleset >= 0) ::close(ruleset);
  };
  sigset_t set, orig;
  sigemptyset(&set);
  for (int s : kForwarded) sigaddset(&set, s);
  sigaddset(&set, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &set, &orig) != 0) {
    close_ruleset();
    return Error::sys("signals", "sigprocmask", errno);
  }
  int sfd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  int sv[2] = {-1, -1};
  if (sfd < 0 || ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    int e = errno;
    if (sfd >= 0) ::close(sfd);
    ::sigprocmask(SIG_SETMASK, &orig, nullptr);
    close_ruleset();
    return Error::sys("sandbox message socket", sfd < 0 ? "signalfd" : "socketpair", e);
  }
  // The launcher stands in for pid 1: orphans come to it, and code inside cannot read its memory
  // (Landlock refuses ptrace-class access outside the domain anyway; this also covers --require none).
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  ChildArgs args{&spec, &sockf, argv.data(), envp.data(), sv[1], ruleset, ::getpid(), orig};
  pid_t child = ::fork();
  if (child == 0) {
    ::close(sv[0]);
    ::close(sfd);
    child_main(args);
  }
  int fork_err = errno;
  ::close(sv[1]);
  close_ruleset();
  if (child < 0) {
    ::close(sv[0]);
    ::close(sfd);
    ::sigprocmask(SIG_SETMASK, &orig, nullptr);
    return Error::sys("the program's process", "fork", fork_err);
  }
  if (events.on_started) events.on_started();

  SandboxExit ex;
  int listener = -1;
  bool msgs_open = true, done = false;
  auto take_msg = [&](const ChildMsg& m0, int passed) {
    ChildMsg m = m0;
    if (m.type == MsgType::Listener && passed >= 0) {
      listener = passed;
      if (events.on_listener) events.on_listener(listener);
    } else if (passed >= 0) {
      ::close(passed);
    }
    if (m.type == MsgType::Error) ex.failure = m;
  };
  while (!done) {
    struct pollfd fds[3];
    int n = 0;
    fds[n++] = {sfd, POLLIN, 0};
    int msg_i = -1, lis_i = -1;
    if (msgs_open) {
      msg_i = n;
      fds[n++] = {sv[0], POLLIN, 0};
    }
    if (listener >= 0 && events.on_listener_ready) {
      lis_i = n;
      fds[n++] = {listener, POLLIN, 0};
    }
    if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (msg_i >= 0 && fds[msg_i].revents) {
      for (;;) {
        ChildMsg m;
        int passed = -1;
        auto r = recv_msg(sv[0], m, passed);
        if (!r || *r == 0) {
          msgs_open = false;
          break;
        }
        if (*r < 0) break;
        take_msg(m, passed);
      }
    }
    if (lis_i >= 0 && fds[lis_i].revents) {
      if ((fds[lis_i].revents & (POLLHUP | POLLERR)) || !events.on_listener_ready(listener))
        events.on_listener_ready = nullptr;
    }
    // Reap everything that is done: the program, and orphans re-parented to us.
    if (fds[0].revents & POLLIN) done = forward_signals_and_reap(sfd, child, true, ex) || done;
  }
  while (msgs_open) {
    ChildMsg m;
    int passed = -1;
    auto r = recv_msg(sv[0], m, passed);
    if (!r || *r <= 0) break;
    take_msg(m, passed);
  }
  kill_leftovers();
  ::close(sv[0]);
  ::close(sfd);
  ::sigprocmask(SIG_SETMASK, &orig, nullptr);
  return ex;
}

std::string probe_user_namespaces() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return std::string("pipe2: ") + errno_text(errno);
  unsigned uid = ::geteuid(), gid = ::getegid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    char msg[200] = "";
    const char* what = "";
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
      std::snprintf(msg, sizeof msg, "unshare(CLONE_NEWUSER): %s", errno_text(errno).c_str());
    else if (int e = write_self_id_maps(uid, gid, &what))
      std::snprintf(msg, sizeof msg, "write %s: %s", what, errno_text(e).c_str());
    else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      std::snprintf(msg, sizeof msg, "mount in the new namespace: %s", errno_text(errno).c_str());
    ssize_t w = ::write(p[1], msg, std::strlen(msg));
    (void)w;
    ::_exit(0);
  }
  ::close(p[1]);
  if (pid < 0) {
    int e = errno;
    ::close(p[0]);
    return std::string("fork: ") + errno_text(e);
  }
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  int st;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return out;
}

}  // namespace gsb::sys
