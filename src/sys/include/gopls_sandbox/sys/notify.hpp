// seccomp user notification, the kernel side of the denial log: receive a notification,
// answer it (an errno, or "continue" in learn mode), and read what the record needs from
// /proc of the calling task — outside the sandbox, without privileges.
#pragma once

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
// A NUL-terminated string at `addr` in the task's memory (at most 4096 bytes), but only if the
// notification is still valid after the read (the memory belonged to that call).
std::optional<std::string> read_string_arg(int listener, uint64_t id, uint32_t tid, uint64_t addr);

}  // namespace gsb::sys
