// Turning settings into a plan (prepare) and running it (launch): shared by run, exec, the
// drop-in mode, learn and doctor.
#pragma once

#include <memory>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gopls_sandbox/app/cache_setup.hpp"
#include "gopls_sandbox/app/net_proxy.hpp"
#include "gopls_sandbox/app/policy_cache.hpp"
#include "gopls_sandbox/app/settings.hpp"
#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::app {

enum class ProgramKind { Gopls, Any };

struct LaunchRequest {
  core::Options cli;                  // options from argv (layered over config and env)
  bool learn = false;                 // learn mode: unknown syscalls are recorded and allowed
  std::string learn_output;           // learn mode: where the profile goes
  ProgramKind kind = ProgramKind::Gopls;
  std::vector<std::string> args;      // gopls args, or PROGRAM + args for ProgramKind::Any
  // Issue 13 (app/lsp_workspace.hpp): the folders of the client's initialize request, used
  // like the default workspace (same refusals) when no workspace is configured.
  std::vector<std::string> lsp_folders;
  // Issue 13.2: the LSP relay runs, so folders added later are attached (app/lsp_attach.hpp):
  // the plan gets Landlock spares and Prepared keeps the plan's inputs.
  bool lsp_attach = false;
  std::string notify_client;          // --notify-client on|off ("" = GOPLS_SANDBOX_NOTIFY_CLIENT)
};

// (The settings' sources — environment_map(), resolve_options(), profile_search_path() — are in
// app/settings.hpp; the pieces of a launch are app/prepare.cpp, app/launch.cpp and the output in
// app/launch_output.cpp.)

struct Prepared {
  core::Options opts;                       // the final settings (profile's [sandbox] included)
  core::Plan plan;
  std::vector<std::string> identity_paths;  // host paths for the inode check
  std::vector<std::string> identity_names;  // "GOROOT", "GOCACHE", ...
  std::optional<ResolvedPolicy> policy;     // absent with --profile none
  CacheSetup caches;                        // issue 12: cache mode and trust domain
  int cache_lock_fd = -1;                   // the domain's lock (shared), held until exit
  NetSetup net;                             // issue 14: network mode and the proxy's allowlist
  std::vector<std::string> client_notes;    // issue 13: paths Go needs that were not bound
  std::shared_ptr<const core::PlanInputs> inputs;  // issue 13.2: kept when req.lsp_attach
};
Result<Prepared> prepare(const LaunchRequest& req);
// The same with the options already resolved (resolve_options) from `env`.
Result<Prepared> prepare(const LaunchRequest& req, core::Options resolved, const std::map<std::string, std::string>& env);

// Full launch; returns the exit status (prints its own errors).
int launch(const LaunchRequest& req);

// "gopls-sandbox: <message>" (+ hint line) on stderr; returns the exit code for the error.
int report(const Error& e);

}  // namespace gsb::app
