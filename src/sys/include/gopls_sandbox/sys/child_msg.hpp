// The message protocol between the sandboxed child (pid 1 and the program it forks) and the
// launcher, over a CLOEXEC SOCK_SEQPACKET socketpair. EOF on the launcher's end means the
// program's execve succeeded.
#pragma once

#include <cstdint>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

enum class Phase : int32_t {
  None = 0,
  ParentGone,
  IdMaps,
  MountNamespace,
  Mount,
  PivotRoot,
  Hostname,
  Loopback,
  Capabilities,
  NoNewPrivs,
  Fork,
  Chdir,
  Seccomp,
  SendListener,
  Exec,
  InodeCheck,
  Harden,      // pid 1: not dumpable, its own seccomp filter
  Session,     // the program's new session (setsid)
  Landlock,    // the second wall
  NetProxy,    // issue 14: the proxy endpoint inside (--net proxy)
  Namespaces,  // issue 13.2: the namespace descriptors for attaching folders later
};

const char* phase_name(Phase p) noexcept;

enum class MsgType : uint32_t {
  Error = 1,     // setup failed: phase, err, detail
  Listener = 2,  // carries the seccomp user-notification fd (SCM_RIGHTS)
  Report = 3,    // one of pid 1's reports: detail holds `len` bytes of core::encode_report
  NetListener = 4,  // issue 14: the proxy endpoint's listening socket inside the sandbox's netns (SCM_RIGHTS)
  Namespace = 5,    // issue 13.2: pid 1's user (index 0) or mount (index 1) namespace (SCM_RIGHTS)
};

struct ChildMsg {
  MsgType type;
  Phase phase;
  int32_t err;
  int32_t index;    // mount op index for Phase::Mount, else -1
  uint32_t len;     // Report: the record's length in detail
  char detail[1024];  // Error: text; Report: the record
};

// Sends one message (detail: text, truncated to fit; pass_fd >= 0 travels with SCM_RIGHTS),
// retrying on EINTR. Async-signal-safe, no allocation: used between clone and execve.
// Returns 0 or the errno of sendmsg.
int send_child_msg(int fd, MsgType type, Phase phase, int err, int index, const char* detail,
                   int pass_fd = -1) noexcept;
// Receives one message without blocking: its size, 0 at EOF, -1 when nothing is waiting.
// passed_fd: a descriptor that came with it (CLOEXEC), else -1.
Result<int> recv_child_msg(int fd, ChildMsg& m, int& passed_fd);

}  // namespace gsb::sys
