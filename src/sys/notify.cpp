#include "gopls_sandbox/sys/notify.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>

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

namespace {

// Chunks: the rest of addr's page first, then whole pages, at most kChunk bytes at a time (most
// paths fit the first chunk; a chunk never crosses a page, so it is read whole or fails whole).
constexpr uint64_t kPage = 4096;  // the smallest page size on x86_64: a safe boundary everywhere
constexpr size_t kChunk = 512;

// Once process_vm_readv is known to be missing (ENOSYS: CONFIG_CROSS_MEMORY_ATTACH=n), every read
// goes to /proc/TID/mem directly.
std::atomic<bool> g_vm_missing{false};

// One chunk into buf through process_vm_readv: bytes read, or -errno.
ssize_t vm_read(uint32_t tid, uint64_t addr, char* buf, size_t n) noexcept {
  struct iovec local = {buf, n};
  struct iovec remote = {reinterpret_cast<void*>(static_cast<uintptr_t>(addr)), n};
  ssize_t r = ::process_vm_readv(static_cast<pid_t>(tid), &local, 1, &remote, 1, 0);
  return r < 0 ? -errno : r;
}

// One chunk through /proc/TID/mem (opened on first use into *fd): bytes read, or -errno. pread
// reports an unmapped address as EIO and a task whose memory is gone as 0 bytes.
ssize_t mem_read(uint32_t tid, int* fd, uint64_t addr, char* buf, size_t n) noexcept {
  if (*fd < 0) {
    std::string path = "/proc/" + std::to_string(tid) + "/mem";
    *fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (*fd < 0) return errno == ENOENT ? -ESRCH : -errno;
  }
  if (addr > static_cast<uint64_t>(std::numeric_limits<off_t>::max())) return -EFAULT;
  for (;;) {
    ssize_t r = ::pread(*fd, buf, n, static_cast<off_t>(addr));
    if (r > 0) return r;
    if (r == 0) return -ESRCH;
    if (errno == EINTR) continue;
    return errno == EIO ? -EFAULT : -errno;
  }
}

}  // namespace

int read_task_string(uint32_t tid, uint64_t addr, size_t max, std::string* out, MemReader how) {
  out->clear();
  if (addr == 0) return EFAULT;
  bool vm = how == MemReader::Auto && !g_vm_missing.load(std::memory_order_relaxed);
  int fd = -1;
  int err = ENAMETOOLONG;  // unless a NUL or an error ends the loop first
  char buf[kChunk];
  uint64_t at = addr;
  while (out->size() <= max) {
    size_t want = std::min<size_t>({kPage - (at & (kPage - 1)), kChunk, max + 1 - out->size()});
    ssize_t n = vm ? vm_read(tid, at, buf, want) : mem_read(tid, &fd, at, buf, want);
    if (vm && (n == -EPERM || n == -ENOSYS)) {
      if (n == -ENOSYS) g_vm_missing.store(true, std::memory_order_relaxed);
      vm = false;  // refused (an LSM, ptrace rules differing from /proc's): the file may still work
      continue;
    }
    if (n < 0) {
      err = static_cast<int>(-n);
      break;
    }
    const char* nul = static_cast<const char*>(std::memchr(buf, 0, static_cast<size_t>(n)));
    out->append(buf, nul ? static_cast<size_t>(nul - buf) : static_cast<size_t>(n));
    if (nul) {
      err = out->size() <= max ? 0 : ENAMETOOLONG;
      break;
    }
    at += static_cast<uint64_t>(n);
    if (at < addr) {  // wrapped around the address space
      err = EFAULT;
      break;
    }
  }
  if (fd >= 0) ::close(fd);
  if (err) out->clear();
  return err;
}

std::optional<std::string> read_string_arg(int listener, uint64_t id, uint32_t tid, uint64_t addr) {
  std::string out;
  if (read_task_string(tid, addr, kTaskStringMax, &out) != 0) return std::nullopt;
  // The memory we read may have been reused unless the call is still the same one.
  if (!notif_id_valid(listener, id)) return std::nullopt;
  return out;
}

}  // namespace gsb::sys
