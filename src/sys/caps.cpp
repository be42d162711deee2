#include "gopls_sandbox/sys/caps.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <cerrno>

namespace gsb::sys {

int drop_all_capabilities(const char** what) noexcept {
  // The bounding set first (needs CAP_SETPCAP, which we still hold in the user namespace).
  *what = "cap_drop_bound";
  for (cap_value_t c = 0; c <= CAP_LAST_CAP; ++c) {
    if (cap_drop_bound(c) != 0 && errno != EINVAL) return errno;
  }
  *what = "cap_reset_ambient";
  if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() != 0) return errno;
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
