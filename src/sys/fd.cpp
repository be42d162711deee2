#include "gopls_sandbox/sys/fd.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace gsb::sys {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

Result<Pipe> make_pipe(const std::string& what) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return Error::sys(what, "pipe2", errno);
  return Pipe{p[0], p[1]};
}

void grow_pipe(int fd, int bytes) { (void)::fcntl(fd, F_SETPIPE_SZ, bytes); }

Result<int> make_eventfd(const std::string& what, bool nonblock) {
  int fd = ::eventfd(0, EFD_CLOEXEC | (nonblock ? EFD_NONBLOCK : 0));
  if (fd < 0) return Error::sys(what, "eventfd", errno);
  return fd;
}

void eventfd_signal(int fd) {
  uint64_t one = 1;
  if (::write(fd, &one, sizeof one) < 0) { /* the counter cannot overflow here */ }
}

void eventfd_drain(int fd) {
  uint64_t v;
  if (::read(fd, &v, sizeof v) < 0) { /* EAGAIN: another reader took it */ }
}

int poll_fds(pollfd* fds, nfds_t n, int timeout_ms) { return ::poll(fds, n, timeout_ms); }

ssize_t read_fd(int fd, void* buf, size_t len) { return ::read(fd, buf, len); }

SigpipeBlocked::SigpipeBlocked() {
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
}

SigpipeBlocked::~SigpipeBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

}  // namespace gsb::sys
