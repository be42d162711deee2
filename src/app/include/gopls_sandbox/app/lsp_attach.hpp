// Issue 13.2: workspace folders the editor adds while gopls runs (workspace/didChangeWorkspaceFolders),
// attached to the running sandbox before gopls hears of them. The relay holds the message
// (app/lsp_relay.hpp) while on_added() checks each folder with the rules of the initial
// workspace (core::default_workspace_refusal, core/plan_protect) and mounts it (sys/attach.hpp).
// What cannot be attached is said once per folder in a window/showMessage and on stderr.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/core/landlock_plan.hpp"
#include "gopls_sandbox/core/lsp_guard.hpp"

namespace gsb::app {

class LspRelay;

// Where the plan shows the workspace read-write (its folders, not pinned copies) and what else it
// shows from the host (read-only views, caches), for core::lsp_guard_check.
core::LspGuardFolders plan_guard_folders(const core::Plan& plan);
// The host's real path of p, or of its deepest existing ancestor with the rest appended; "" when
// nothing resolves (LspGuardFolders::real_path).
std::string real_path_of_ancestor(const std::string& p);

class FolderAttacher {
 public:
  FolderAttacher(LspRelay& relay, const Prepared& prep, bool verbose);
  ~FolderAttacher();
  FolderAttacher(const FolderAttacher&) = delete;
  FolderAttacher& operator=(const FolderAttacher&) = delete;
  // From pid 1 (sys::SandboxEvents::on_namespace): kind 0 user, 1 mount; takes the fd.
  void set_namespace(int kind, int fd);
  // The sandbox runs without namespaces (Landlock-only or seccomp-only): none will come.
  void no_namespaces();
  // The relay's hook: attaches what it can, returns when done.
  void on_added(const std::vector<std::string>& folders);
  // GOPLS_SANDBOX_TEST_ATTACH_AS_GIVEN: check the path as given, not its real path — what the
  // launcher sees when a directory is swapped for a symlink right after its check.
  void test_as_given() { as_given_ = true; }
  // The server->client guard's folders (core/lsp_guard.hpp): the plan's, plus those attached
  // since; thread-safe (the relay's output thread asks while on_added() runs on its input thread).
  core::LspGuardFolders guard_folders() const;

 private:
  void tell(const std::string& folder, const std::string& text);

  LspRelay& relay_;
  std::shared_ptr<const core::PlanInputs> in_;
  bool verbose_;
  bool as_given_ = false;
  int landlock_abi_;
  core::LandlockPlan landlock_;
  std::vector<std::string> bound_;          // where a workspace is visible read-write inside
  std::vector<std::string> private_roots_;  // the sandbox's own tmpfs mounts (and its root)
  std::vector<core::MountOp> mounts_;       // the plan's mounts (what a new folder must not cover)
  std::mutex mu_;
  mutable std::mutex bound_mu_;  // bound_ and added_, for guard_folders()
  std::vector<std::string> added_;  // attached since the start
  core::LspGuardFolders plan_folders_;
  std::condition_variable cv_;
  int ns_[2] = {-1, -1};
  bool no_ns_ = false;
};

}  // namespace gsb::app
