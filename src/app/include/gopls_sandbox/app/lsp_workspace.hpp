// Issue 13: the launcher's hooks for following what the editor opens — reading the client's
// initialize request before the sandbox starts (LSP server mode only), and binding what Go
// needs outside the folders (go.work, replace targets, GOPATH; core/workspace_discovery.hpp).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::app {

struct LaunchRequest;

struct LspStart {
  bool relay = false;                 // stdin was read: the bytes must be handed over (LspRelay)
  bool from_initialize = false;       // the folders came from initialize
  std::string prefix;                 // bytes read from the client so far
  std::string source;                 // "workspaceFolders", "rootUri", "rootPath"
  std::vector<std::string> folders;   // existing directories to bind
  std::vector<std::string> messages;  // what could not be bound, for the client
};

// Whether this launch reads initialize: gopls in LSP stdio server mode, no workspace named by
// --workspace/config/GOPLS_SANDBOX_WORKSPACE, not --dry-run or --metrics, and
// GOPLS_SANDBOX_FROM_INITIALIZE not "off".
bool wants_initialize(const LaunchRequest& req, const core::Options& o, const std::map<std::string, std::string>& env);
// Reads stdin (fd) up to the end of the first frame and extracts the folders.
Result<LspStart> read_lsp_start(int fd);

// Adds the binds Go needs outside the workspaces to `in` (as read-only/read-write binds with
// origin "go.work", "replace", ...); notes what it refused in `notes`.
void add_go_discovery(core::PlanInputs& in, const std::map<std::string, std::string>& env,
                      std::vector<std::string>& notes);

}  // namespace gsb::app

namespace gsb::core {
struct DenialRecord;
}
namespace gsb::app {
class LspRelay;
struct Prepared;
// launch()'s hook: when wants_initialize, reads initialize, fills `out.lsp_folders` and returns
// the relay that hands the bytes over (null otherwise). Messages for what could not be bound are
// queued on the relay.
Result<std::unique_ptr<LspRelay>> lsp_relay_for(const LaunchRequest& req, const core::Options& o,
                                                const std::map<std::string, std::string>& env, LaunchRequest& out);
// Queues the client messages a prepared launch has (paths not bound, reduced modes).
void notify_prepared(LspRelay& relay, const Prepared& prep, bool seccomp_notify);
// The first refusal of each system call: a message naming it and how to allow it.
void notify_denial(LspRelay& relay, const core::DenialRecord& r, const std::string& log_path);
}  // namespace gsb::app
