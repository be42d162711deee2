// Reading /proc/PID for `inspect`. See procfs_read.hpp.
#include "gopls_sandbox/sys/procfs_read.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace gsb::sys {

namespace {

ProcText slurp(const std::string& path) {
  ProcText t;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    t.err = errno;
    return t;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      t.err = errno;
      break;
    }
    if (n == 0) break;
    t.text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return t;
}

std::string link(const std::string& path, int* err) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n < 0) {
    if (err) *err = errno;
    return "";
  }
  return std::string(buf, static_cast<size_t>(n));
}

bool all_digits(const char* s) {
  if (!*s) return false;
  for (; *s; ++s)
    if (*s < '0' || *s > '9') return false;
  return true;
}

std::vector<std::pair<std::string, std::string>> read_ns_dir(const std::string& dir, int* err) {
  std::vector<std::pair<std::string, std::string>> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (err) *err = errno;
    return out;
  }
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    int le = 0;
    std::string t = link(dir + "/" + e->d_name, &le);
    if (!t.empty()) out.emplace_back(e->d_name, t);
    else if (err && le) *err = le;
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<ProcSnapshot> read_proc(int pid) {
  std::string base = "/proc/" + std::to_string(pid);
  ProcSnapshot s;
  s.pid = pid;
  s.status = slurp(base + "/status");
  if (s.status.err == ENOENT || s.status.err == ESRCH)
    return Error::usage("pid " + std::to_string(pid) + ": no such process",
                        "check the pid with `pgrep -a gopls` (inside a sandbox use the host pid, not the one gopls sees)");
  if (s.status.err != 0)
    return Error::sys("pid " + std::to_string(pid) + ": /proc/" + std::to_string(pid) + "/status", "open",
                      s.status.err);
  s.maps = slurp(base + "/maps");
  s.environ = slurp(base + "/environ");
  s.cgroup = slurp(base + "/cgroup");
  s.cmdline = slurp(base + "/cmdline");
  s.exe = link(base + "/exe", &s.exe_err);
  s.ns = read_ns_dir(base + "/ns", &s.ns_err);
  DIR* d = ::opendir((base + "/fd").c_str());
  if (!d) {
    s.fds_err = errno;
  } else {
    while (dirent* e = ::readdir(d)) {
      if (!all_digits(e->d_name)) continue;
      int fd = std::atoi(e->d_name);
      std::string t = link(base + "/fd/" + e->d_name, nullptr);
      if (!t.empty()) s.fds.emplace_back(fd, t);
    }
    ::closedir(d);
    std::sort(s.fds.begin(), s.fds.end());
  }
  // The process may have exited while we read.
  if (::access(base.c_str(), F_OK) != 0 && s.maps.err == ESRCH)
    return Error::usage("pid " + std::to_string(pid) + ": the process exited while it was inspected");
  return s;
}

std::vector<std::pair<std::string, std::string>> read_self_ns() { return read_ns_dir("/proc/self/ns", nullptr); }

std::vector<FdHolder> find_fd_holders(const std::string& target, int skip_pid) {
  std::vector<FdHolder> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (dirent* e = ::readdir(proc)) {
    if (!all_digits(e->d_name)) continue;
    int pid = std::atoi(e->d_name);
    if (pid == skip_pid) continue;
    std::string fddir = std::string("/proc/") + e->d_name + "/fd";
    DIR* d = ::opendir(fddir.c_str());
    if (!d) continue;
    while (dirent* f = ::readdir(d)) {
      if (!all_digits(f->d_name)) continue;
      if (link(fddir + "/" + f->d_name, nullptr) == target) out.push_back({pid, proc_comm(pid), std::atoi(f->d_name)});
    }
    ::closedir(d);
  }
  ::closedir(proc);
  std::sort(out.begin(), out.end(), [](const FdHolder& a, const FdHolder& b) {
    return a.pid != b.pid ? a.pid < b.pid : a.fd < b.fd;
  });
  return out;
}

unsigned long unix_peer_inode(unsigned long inode) {
  int s = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (s < 0) return 0;
  struct {
    nlmsghdr nh;
    unix_diag_req req;
  } msg;
  std::memset(&msg, 0, sizeof msg);
  msg.nh.nlmsg_len = sizeof msg;
  msg.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nh.nlmsg_flags = NLM_F_REQUEST;
  msg.req.sdiag_family = AF_UNIX;
  msg.req.udiag_states = ~0u;
  msg.req.udiag_ino = static_cast<unsigned>(inode);
  msg.req.udiag_show = UDIAG_SHOW_PEER;
  msg.req.udiag_cookie[0] = msg.req.udiag_cookie[1] = ~0u;  // INET_DIAG_NOCOOKIE
  unsigned long peer = 0;
  if (::send(s, &msg, sizeof msg, 0) == static_cast<ssize_t>(sizeof msg)) {
    alignas(nlmsghdr) char buf[8192];
    ssize_t n = ::recv(s, buf, sizeof buf, 0);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); n > 0 && NLMSG_OK(h, static_cast<unsigned>(n));
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) break;
      auto* m = static_cast<unix_diag_msg*>(NLMSG_DATA(h));
      int len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
      for (auto* a = reinterpret_cast<rtattr*>(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == UNIX_DIAG_PEER) std::memcpy(&peer, RTA_DATA(a), sizeof(uint32_t)), peer &= 0xffffffffu;
      break;
    }
  }
  ::close(s);
  return peer;
}

std::string proc_comm(int pid) {
  ProcText t = slurp("/proc/" + std::to_string(pid) + "/comm");
  while (!t.text.empty() && t.text.back() == '\n') t.text.pop_back();
  return t.text;
}

int proc_ppid(int pid) {
  ProcText t = slurp("/proc/" + std::to_string(pid) + "/status");
  size_t i = t.text.find("\nPPid:");
  if (i == std::string::npos) return 0;
  return std::atoi(t.text.c_str() + i + 6);
}

}  // namespace gsb::sys
