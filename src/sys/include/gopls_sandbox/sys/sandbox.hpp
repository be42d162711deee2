// Starting and supervising a sandbox from a plan. The launcher (outside) clones pid 1 of the
// sandbox; pid 1 builds the filesystem, drops privileges, forks the program, then reaps and
// forwards signals until the program exits.
#pragma once

#include <linux/filter.h>

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"
#include "gopls_sandbox/core/spec_wire.hpp"
#include "gopls_sandbox/sys/child_msg.hpp"

namespace gsb::sys {

struct SandboxSpec {
  const core::Plan* plan = nullptr;
  // Seccomp filter loaded by the program's process right before execve (empty: none).
  const std::vector<sock_filter>* filter = nullptr;
  bool want_listener = false;  // ask for a user-notification fd and send it to the launcher
  bool filter_log = false;     // SECCOMP_FILTER_FLAG_LOG (the no-listener fallback)
  // Host paths whose identity (dev, ino) the child compares inside after the mounts.
  std::vector<std::string> identity_checks;
  bool identity_strict = false;  // a mismatch aborts before the program starts
  // When >= 0, the program's stdin/stdout (the --metrics proxy's pipes) instead of ours.
  int program_stdin = -1;
  int program_stdout = -1;
  // Issue 14 (--net proxy): pid 1 listens on addr:port (host order) in the sandbox's network
  // namespace and passes the socket out (on_net_listener). 0: no endpoint.
  uint16_t net_proxy_port = 0;
  uint32_t net_proxy_addr = 0x7f000001;
  // Issue 13.2: pid 1 passes descriptors of its user and mount namespaces out (on_namespace),
  // for attaching workspace folders the editor adds later (sys/attach.hpp).
  bool send_namespaces = false;
};

struct SandboxEvents {
  // Called in the launcher right after the sandbox's pid 1 was cloned (threads may start now).
  std::function<void()> on_started;
  // Called in the launcher with the user-notification fd when the child sends it.
  std::function<void(int fd)> on_listener;
  // Issue 14: the proxy endpoint's listening socket (ownership passed) and pid 1's host pid.
  std::function<void(int fd, pid_t pid1)> on_net_listener;
  // Called for each report pid 1 sends (inode check results, a cache fallback).
  std::function<void(const core::Pid1Report&)> on_report;
  // Called when the listener fd is readable (the supervisor's work). Return false to stop polling it.
  std::function<bool(int fd)> on_listener_ready;
  // Issue 13.2: a namespace descriptor of pid 1 (ownership passed): kind 0 user, 1 mount.
  std::function<void(int kind, int fd)> on_namespace;
};

struct SandboxExit {
  int status = 0;                    // exit status to return (program's, or 128+signal)
  std::optional<ChildMsg> failure;  // set when setup or exec failed
};

// The launcher's side of a running sandbox: drains the signalfd `sfd`; a signal other than
// SIGCHLD goes to `child`, SIGCHLD reaps it (and, with reap_orphans — the Landlock-only mode's
// subreaper — every other process that ended below us) and sets ex.status. True when `child` ended.
bool forward_signals_and_reap(int sfd, pid_t child, bool reap_orphans, SandboxExit& ex);

// What pid 1 needs at clone time (clone flags, id maps, hostname, the program's stdio); the rest
// of the spec (plan, filter, inode checks) follows over the message socket in the spec encoding
// (core/spec_wire.hpp), while pid 1 sets up its namespaces.
struct EarlySpec {
  unsigned uid = 0, gid = 0;
  bool share_net = false;
  std::string hostname = "gopls-sandbox";
  int program_stdin = -1;  // see SandboxSpec
  int program_stdout = -1;
  uint16_t net_proxy_port = 0;  // see SandboxSpec
  uint32_t net_proxy_addr = 0x7f000001;
  bool send_namespaces = false;  // see SandboxSpec
  sigset_t orig_mask{};    // (filled by start_sandbox)
};

struct StartedSandbox {
  pid_t pid = -1;
  int sock = -1, sfd = -1;
  sigset_t orig_mask{};
  bool share_net = false;
  std::string hostname;
};

// Clone pid 1 into the six namespaces; it sets up what EarlySpec allows, then waits for the spec.
// Signals the launcher forwards are blocked from here until run_sandbox/abort_sandbox returns.
Result<StartedSandbox> start_sandbox(const EarlySpec& early);
// Kill a started sandbox that will not get its spec (the launcher failed before); reaps it.
void abort_sandbox(StartedSandbox& st) noexcept;
// Send the spec (plan, filter, checks) to a started sandbox and run it to the end. The plan's
// share_net and hostname must be the ones the sandbox was started with.
Result<SandboxExit> run_sandbox(StartedSandbox& st, const SandboxSpec& spec, SandboxEvents& events);
// start_sandbox + run_sandbox: runs the sandbox to completion. Signals SIGTERM, SIGINT, SIGHUP,
// SIGQUIT, SIGUSR1, SIGUSR2 received by the launcher are forwarded to the program.
Result<SandboxExit> run_sandbox(const SandboxSpec& spec, SandboxEvents& events);

// One-line description of a child failure ("bind /x -> /x: mount: Permission denied (EACCES)").
std::string describe_failure(const ChildMsg& m);

}  // namespace gsb::sys
