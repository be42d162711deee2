// Kernel feature probes for `doctor`, each in a throw-away child or a harmless query.
#pragma once

namespace gsb::sys {

// unshare(CLONE_NEWUSER) in a forked child (first dropping to uid/gid 65534 with as_nobody, which
// needs root): 0 when a user namespace could be created, else the errno (fork's errno when the
// child could not be started; EPERM when dropping to nobody failed).
int probe_unshare_user(bool as_nobody);
// seccomp(SECCOMP_GET_ACTION_AVAIL, SECCOMP_RET_ERRNO): filters can be installed.
bool seccomp_filters_available();

}  // namespace gsb::sys
