// Capabilities: drop everything (bounding, ambient, effective, permitted, inheritable) with
// libcap, then set no_new_privs.
#pragma once
namespace gsb::sys {
// Returns 0 or an errno; `what` names the step that failed.
int drop_all_capabilities(const char** what) noexcept;
int set_no_new_privs() noexcept;
}  // namespace gsb::sys
