// User namespace: map the caller's uid/gid to themselves (run in the new namespace's first
// process; an unprivileged process may map exactly its own ids once setgroups is denied).
#pragma once
namespace gsb::sys {
// Returns 0 or an errno; `what` receives the file that failed.
int write_self_id_maps(unsigned uid, unsigned gid, const char** what) noexcept;
}  // namespace gsb::sys
