// Issue 16 in the launcher: which isolation a launch gets, and the Landlock-only mode's setup.
//   namespaces (+ Landlock when the kernel has it)  — the default, always tried first
//   landlock-only — when user namespaces cannot be created (clone/unshare refused with EPERM,
//                   ENOSPC or EINVAL, or a namespace whose id maps or mounts are refused with
//                   EPERM/EACCES, as under Ubuntu's AppArmor restriction)
//   seccomp-only  — only with --require none, when Landlock is missing or below ABI 6 (no signal
//                   scoping: code inside could signal every process of the user)
// A weaker level is never silent: one stderr line names it and why. --require namespaces (config
// `require`, GOPLS_SANDBOX_REQUIRE) exits 125 instead of falling back.
#pragma once

#include <functional>
#include <string>

#include <string>
#include <vector>

#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/sys/sandbox.hpp"

namespace gsb::app {

// Runs the prepared launch at the strongest level available and allowed. A reduced level is
// said on stderr and, when given, through tell_client (issue 13: the editor's window/showMessage).
Result<sys::SandboxExit> run_isolated(const Prepared& prep, sys::SandboxSpec& spec, sys::SandboxEvents& events,
                                      bool verbose,
                                      const std::function<void(const std::string&)>& tell_client = {});
// --dry-run's "isolation" object: the level this machine gives (a probe), and in the
// Landlock-only mode the rules on host paths and the environment changes.
json::Value isolation_json(const Prepared& prep);
// doctor's first lines when user namespaces are unavailable here (empty when they work).
std::vector<std::string> isolation_doctor_lines();

}  // namespace gsb::app
