// seccomp user notification, the kernel side of the denial log: receive a notification,
// answer it (an errno, or "continue" in learn mode), and read what the record needs from
// /proc of the calling task — outside the sandbox, without privileges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace gsb::sys {

struct Notification {
  uint64_t id = 0;
  uint32_t tid = 0;   // host thread id of the caller
  int nr = -1;
  uint32_t arch = 0;  // AUDIT_ARCH_*
  uint64_t ip = 0;
  uint64_t args[6] = {};
};

// Blocks until a notification arrives. 0, or an errno (ENOENT: the target went away
// mid-receive, retry; EBADF/other: stop).
int notif_receive(int listener, Notification* n) noexcept;
// Answer with -err (err > 0), or let the call proceed (cont). ENOENT (the caller vanished or
// was interrupted and will retry) is tolerated and reported as 0.
int notif_respond(int listener, uint64_t id, int err, bool cont) noexcept;
bool notif_id_valid(int listener, uint64_t id) noexcept;
// Synchronous wake-ups (kernel 6.6+): lower latency per round trip. 0 or errno.
int notif_set_sync_wakeup(int listener) noexcept;

struct TaskInfo {
  int tgid = 0;    // host pid
  int ns_pid = 0;  // innermost pid namespace
  std::string comm, exe;
};
TaskInfo read_task(uint32_t tid);

// How read_task_string reaches the task's memory. Auto: process_vm_readv (one system call per
// chunk, no file), falling back to /proc/TID/mem when it is refused (EPERM) or absent (ENOSYS).
// ProcMem: /proc/TID/mem only (open + pread + close), the fallback on its own, for the tests.
enum class MemReader { Auto, ProcMem };
// Longest string read_task_string accepts, without its NUL: PATH_MAX - 1, the kernel's own limit
// for a path argument.
inline constexpr size_t kTaskStringMax = 4095;
// The NUL-terminated string at `addr` in task `tid`'s memory, into *out. Reads up to the end of
// addr's page first, then page by page, so a string ending just before an unmapped page is read
// whole. 0, or an errno: EFAULT (addr is 0, unmapped or unreadable, or the string runs into an
// unmapped page; /proc/TID/mem's EIO is reported as EFAULT), ENAMETOOLONG (no NUL within max + 1
// bytes), ESRCH (the task or its memory is gone), or what opening /proc/TID/mem returned. The
// bytes are whatever the task's memory held at the time: see read_string_arg.
int read_task_string(uint32_t tid, uint64_t addr, size_t max, std::string* out, MemReader how = MemReader::Auto);
// read_task_string(tid, addr, kTaskStringMax), but only if the notification is still valid after
// the read (SECCOMP_IOCTL_NOTIF_ID_VALID: the task is still blocked in that call, so the memory
// was the call's); nullopt otherwise.
std::optional<std::string> read_string_arg(int listener, uint64_t id, uint32_t tid, uint64_t addr);

}  // namespace gsb::sys
