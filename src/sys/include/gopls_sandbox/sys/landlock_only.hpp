// Issue 16: running the program without namespaces (the Landlock-only mode, and the seccomp-only
// mode --require none allows). There is no pid 1 of a namespace: the launcher does its work.
//  - It marks itself a child subreaper (PR_SET_CHILD_SUBREAPER): whatever the program leaves
//    behind is re-parented to the launcher, not to the host's init, and is reaped by it.
//  - It forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to the program and returns the
//    program's exit status (128 + signal when it was killed).
//  - When the program exits, every process still below the launcher (daemons that called setsid,
//    double-forked orphans) is killed with SIGKILL and reaped, as the end of a pid namespace would.
//  - The program's process (forked by the launcher) gets, in this order: its own session (unless
//    --share-tty), the plan's cwd, no capabilities (when it has any: root), no_new_privs, the
//    Landlock ruleset (host paths), a small socket filter, the seccomp profile, execve. It dies with
//    the launcher (PR_SET_PDEATHSIG).
// Messages (errors, the seccomp listener) use the same ChildMsg records as the namespace mode.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "gopls_sandbox/core/landlock_plan.hpp"
#include "gopls_sandbox/core/result.hpp"
#include "gopls_sandbox/sys/sandbox.hpp"

namespace gsb::sys {

struct LandlockOnlySpec {
  const core::LandlockPlan* ll = nullptr;  // rules on host paths
  int abi = 0;                              // 0: no Landlock (seccomp-only)
  std::vector<std::string> env;             // the program's environment
};

// Runs spec.plan->argv as described above; spec.identity_checks are ignored (nothing is mounted).
Result<SandboxExit> run_landlock_only(const SandboxSpec& spec, const LandlockOnlySpec& lo, SandboxEvents& events);

// The filter loaded before the profile in this mode: socket(AF_UNIX) is refused (EACCES) — a
// pathname socket's connect is not a Landlock access right (before ABI 8), so /run/docker.sock or
// a session bus would be reachable — and without the shared network every family but AF_INET and
// AF_INET6 stream sockets (Landlock ABI 4 denies their bind/connect) and AF_NETLINK (read-only
// routing information, which Go's net package asks for). Other architectures get EPERM; x32's
// socket is checked like the native one.
std::vector<sock_filter> landlock_only_socket_filter(bool share_net);

// Whether user namespaces with a working mount namespace can be created here: forks a child that
// tries (unshare, id maps, a private mount); "" if they can, else what failed ("unshare: …").
// Costs about a millisecond; used by --dry-run, doctor and before a --metrics launch.
std::string probe_user_namespaces();

}  // namespace gsb::sys
