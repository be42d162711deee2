// Descriptors for the launcher's threads (the LSP relay, the metrics proxy, the denial-log
// supervisor): pipes, eventfds used as wake-ups, poll, read, close, SIGPIPE held off while
// threads start. Thin: the read and poll wrappers return what the call returned with errno
// intact (their callers handle EINTR/EAGAIN as before); creating calls return typed errors.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/types.h>

#include <cstddef>
#include <string>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

// close(2) when fd >= 0; fd becomes -1.
void close_fd(int& fd);

struct Pipe {
  int r = -1, w = -1;
};
// pipe2(O_CLOEXEC). `what` names it in the error ("lsp relay: stdin pipe: pipe2: ...").
Result<Pipe> make_pipe(const std::string& what);
// F_SETPIPE_SZ: a bigger pipe, fewer wake-ups (best effort, failure ignored).
void grow_pipe(int fd, int bytes);

// eventfd(0, EFD_CLOEXEC [| EFD_NONBLOCK]).
Result<int> make_eventfd(const std::string& what, bool nonblock);
// Adds 1 to the counter (wakes a poller). A failure (a full counter) is ignored.
void eventfd_signal(int fd);
// Reads the counter back to 0 (nonblocking eventfds: EAGAIN when another reader took it).
void eventfd_drain(int fd);

// poll(2) and read(2), unchanged (-1 with errno set on failure).
int poll_fds(pollfd* fds, nfds_t n, int timeout_ms);
ssize_t read_fd(int fd, void* buf, size_t len);

// SIGPIPE blocked in the calling thread while in scope: threads started meanwhile inherit the
// mask (a write to a closed pipe then fails with EPIPE instead of killing the launcher).
class SigpipeBlocked {
 public:
  SigpipeBlocked();
  ~SigpipeBlocked();
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t old_;
};

}  // namespace gsb::sys
