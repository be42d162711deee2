#include "gopls_sandbox/sys/splice.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "gopls_sandbox/sys/io.hpp"

namespace gsb::sys {

ssize_t splice_step(int in, int out_pipe, size_t max, bool* fallback, char* buf, size_t buf_len) noexcept {
  if (!*fallback) {
    for (;;) {
      ssize_t n = ::splice(in, nullptr, out_pipe, nullptr, max, SPLICE_F_MOVE);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno == EINVAL) {
        *fallback = true;
        break;
      }
      return -errno;
    }
  }
  for (;;) {
    ssize_t n = ::read(in, buf, buf_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) return 0;
    if (int e = write_all(out_pipe, buf, static_cast<size_t>(n)); e != 0) return -e;
    return n;
  }
}

}  // namespace gsb::sys
