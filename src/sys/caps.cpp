#include "gopls_sandbox/sys/caps.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <cerrno>

namespace gsb::sys {

int drop_all_capabilities(const char** what) noexcept {
  // The bounding set first (needs CAP_SETPCAP, which we still hold in the user namespace): one
  // prctl per capability, straight to the kernel (libcap's wrappers probe before each drop).
  *what = "prctl PR_CAPBSET_DROP";
  for (int c = 0; c <= CAP_LAST_CAP; ++c) {
    if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL) return errno;
  }
  // Capabilities newer than these headers: drop until the kernel says there are no more.
  for (int c = CAP_LAST_CAP + 1; c < 64; ++c) {
    if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;
      return errno;
    }
  }
  *what = "prctl PR_CAP_AMBIENT_CLEAR_ALL";
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return errno;
  *what = "cap_set_proc";
  cap_t empty = cap_init();
  if (!empty) return errno ? errno : ENOMEM;
  int rc = cap_set_proc(empty);
  int e = errno;
  cap_free(empty);
  return rc == 0 ? 0 : e;
}

int set_no_new_privs() noexcept {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  return 0;
}

}  // namespace gsb::sys
