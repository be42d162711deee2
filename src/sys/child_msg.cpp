// The message protocol between the sandboxed child (pid 1, the program's process, or the
// Landlock-only mode's program) and the launcher: one ChildMsg per SOCK_SEQPACKET message.
#include "gopls_sandbox/sys/child_msg.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace gsb::sys {

int send_child_msg(int fd, MsgType type, Phase phase, int err, int index, const char* detail, int pass_fd) noexcept {
  ChildMsg m;
  std::memset(&m, 0, sizeof m);
  m.type = type;
  m.phase = phase;
  m.err = err;
  m.index = index;
  if (detail) std::snprintf(m.detail, sizeof m.detail, "%s", detail);
  struct iovec iov = {&m, sizeof m};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  std::memset(&u, 0, sizeof u);
  struct msghdr msg;
  std::memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (pass_fd >= 0) {
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass_fd, sizeof pass_fd);
  }
  while (::sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

Result<int> recv_child_msg(int fd, ChildMsg& m, int& passed_fd) {
  passed_fd = -1;
  struct iovec iov = {&m, sizeof m};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg;
  std::memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  // ECONNRESET: the child exited with our spec still unread in its queue (a setup step failed
  // first). Reading the error clears it; the messages it sent before exiting — the reason — are
  // still queued, so read once more instead of losing them.
  ssize_t n;
  bool reset_seen = false;
  while ((n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT)) < 0 &&
         (errno == EINTR || (errno == ECONNRESET && !reset_seen))) {
    if (errno == ECONNRESET) reset_seen = true;
  }
  if (n < 0) {
    if (errno == EAGAIN) return -1;
    return Error::sys("sandbox message socket", "recvmsg", errno);
  }
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) std::memcpy(&passed_fd, CMSG_DATA(c), sizeof(int));
  return static_cast<int>(n);
}

}  // namespace gsb::sys
