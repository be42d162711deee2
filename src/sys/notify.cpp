#include "gopls_sandbox/sys/notify.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gopls_sandbox/sys/io.hpp"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

namespace gsb::sys {

int notif_receive(int listener, Notification* n) noexcept {
  struct seccomp_notif req;
  std::memset(&req, 0, sizeof req);
  if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return errno;
  n->id = req.id;
  n->tid = req.pid;
  n->nr = req.data.nr;
  n->arch = req.data.arch;
  n->ip = req.data.instruction_pointer;
  for (int i = 0; i < 6; ++i) n->args[i] = req.data.args[i];
  return 0;
}

int notif_respond(int listener, uint64_t id, int err, bool cont) noexcept {
  struct seccomp_notif_resp resp;
  std::memset(&resp, 0, sizeof resp);
  resp.id = id;
  if (cont) {
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    resp.error = -err;
  }
  for (;;) {
    if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0) return 0;
    if (errno == EINTR) continue;
    if (errno == ENOENT) return 0;  // interrupted (e.g. Go's SIGURG) or gone: the kernel retries or drops it
    return errno;
  }
}

bool notif_id_valid(int listener, uint64_t id) noexcept {
  return ::ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

int notif_set_sync_wakeup(int listener) noexcept {
  if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) != 0) return errno;
  return 0;
}

TaskInfo read_task(uint32_t tid) {
  TaskInfo t;
  std::string base = "/proc/" + std::to_string(tid);
  if (auto s = read_file(base + "/status")) {
    const std::string& st = *s;
    auto field = [&](const char* key) -> std::string {
      auto p = st.find(key);
      if (p == std::string::npos) return {};
      auto e = st.find('\n', p + 1);
      return st.substr(p + std::strlen(key), e == std::string::npos ? std::string::npos : e - p - std::strlen(key));
    };
    t.tgid = std::atoi(field("\nTgid:\t").c_str());
    std::string nspid = field("\nNSpid:\t");
    auto last = nspid.find_last_of("\t ");
    t.ns_pid = std::atoi(last == std::string::npos ? nspid.c_str() : nspid.c_str() + last + 1);
    t.comm = field("Name:\t");
  }
  char buf[4096];
  ssize_t n = ::readlink((base + "/exe").c_str(), buf, sizeof buf - 1);
  if (n > 0) t.exe.assign(buf, static_cast<size_t>(n));
  return t;
}

std::optional<std::string> read_string_arg(int listener, uint64_t id, uint32_t tid, uint64_t addr) {
  if (addr == 0) return std::nullopt;
  std::string path = "/proc/" + std::to_string(tid) + "/mem";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[256];
  uint64_t at = addr;
  bool done = false;
  while (!done && out.size() < 4096) {
    // Read up to the end of the page so an unmapped next page does not fail the read.
    size_t to_page = 4096 - (at & 4095);
    size_t want = std::min(sizeof buf, to_page);
    ssize_t n = ::pread(fd, buf, want, static_cast<off_t>(at));
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == 0) {
        done = true;
        break;
      }
      out.push_back(buf[i]);
    }
    at += static_cast<uint64_t>(n);
  }
  ::close(fd);
  // The memory we read may have been reused unless the call is still the same one.
  if (!done || !notif_id_valid(listener, id)) return std::nullopt;
  return out;
}

}  // namespace gsb::sys
