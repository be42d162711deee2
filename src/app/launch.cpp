// launch(): settings, profile, go env and plan first (prepare), then the sandbox in one go
// (sys::run_sandbox) with the supervisor answering the profile's notifications. (An earlier
// version cloned pid 1 before the plan was computed: it saved about 60 µs of a launch and cost a
// restart path for profiles that share the network; issue 18 removed it.)
#include "gopls_sandbox/app/launch.hpp"

#include "gopls_sandbox/app/landlock_only.hpp"
#include <cstdio>

#include "gopls_sandbox/app/launch_output.hpp"
#include "gopls_sandbox/app/learn.hpp"
#include "gopls_sandbox/app/lsp_attach.hpp"
#include "gopls_sandbox/app/lsp_relay.hpp"
#include "gopls_sandbox/app/lsp_workspace.hpp"
#include "gopls_sandbox/app/metrics.hpp"
#include "gopls_sandbox/app/net_proxy.hpp"
#include "gopls_sandbox/app/settings.hpp"
#include "gopls_sandbox/app/supervisor.hpp"
#include "gopls_sandbox/core/lsp_initialize.hpp"
#include "gopls_sandbox/core/untrusted_settings.hpp"
#include "gopls_sandbox/sys/sandbox.hpp"

namespace gsb::app {

namespace {

// What decide() needs for the supervisor: the profile the filter was compiled from — compiled
// now, or the cache entry's decision table, decoded on the first notification on the
// supervisor's thread (its only user), so that a launch without refusals does not pay for it.
std::function<const core::Profile*()> supervisor_profile(const ResolvedPolicy& pol) {
  auto held = std::make_shared<std::shared_ptr<const core::Profile>>(pol.profile);
  return [held, &pol]() -> const core::Profile* {
    if (!*held) {
      auto p = policy_profile(pol);
      if (!p) return nullptr;
      *held = std::move(*p);
    }
    return held->get();
  };
}

}  // namespace

int launch(const LaunchRequest& req) {
  auto env = environment_map();
  auto opts = resolve_options(req.cli, env);
  if (!opts) return report(opts.error());
  LaunchRequest lreq;  // issue 13: with the folders of the client's initialize (app/lsp_workspace.cpp)
  auto lsp = lsp_relay_for(req, *opts, env, lreq);
  if (!lsp) return report(lsp.error());
  // Settings that weaken the sandbox from argv or the environment, which a repository's editor
  // settings can set (core/untrusted_settings.hpp): said where the user of an editor looks.
  if (req.kind == ProgramKind::Gopls) {
    auto weak = untrusted_weakenings(req.cli, env);
    // gopls' own -remote: its daemon is gopls started again, whose traffic the relay never sees
    // and whose socket code inside can connect to (docs/threat-model.md, "forged server messages").
    for (const auto& a : req.args)
      if (a.rfind("-remote", 0) == 0 || a.rfind("--remote", 0) == 0) {
        weak.push_back("gopls " + a + " (its daemon's traffic is not checked)");
        break;
      }
    // A go/packages driver of the caller's: gopls starts it itself, outside the go shim's domain.
    if (auto d = env.find("GOPACKAGESDRIVER"); d != env.end() && !d->second.empty() && d->second != "off")
      weak.push_back("GOPACKAGESDRIVER=" + d->second + " (gopls runs it outside the go shim's domain)");
    if (std::string w = core::weakening_message(weak); !w.empty()) {
      std::fprintf(stderr, "gopls-sandbox: warning: %s\n", w.c_str());
      if (*lsp) (*lsp)->notify("reduced:settings", w);
    }
  }
  auto prep = prepare(lreq, std::move(*opts), env);
  if (!prep) return report(prep.error());
  const core::Options& o = prep->opts;
  if (auto r = check_output_files(o); !r) return report(r.error());
  bool verbose = o.verbose.value_or(false);
  if (o.dry_run) {
    print_dry_run(*prep);
    return 0;
  }
  say_plan(*prep, verbose);
  // A second sandbox of a cache domain wrote to a session layer of its own: dropped at the end.
  struct SessionLayerGuard {
    const CacheSetup& c;
    ~SessionLayerGuard() { release_session_layer(c); }
  } session_layer{prep->caches};
  if (verbose && prep->caches.session_layer)
    std::fprintf(stderr, "gopls-sandbox: note: another sandbox of cache domain %s is running: this one's cache writes go "
                 "to %s and are dropped at exit\n", prep->caches.domain.c_str(), prep->caches.layer_dir.c_str());

  DenialLog log(o.log.value_or(default_denial_log(env)), 4u << 20);
  Supervisor::Options so;
  if (prep->policy) so.profile = supervisor_profile(*prep->policy);
  so.verbose = verbose;
  so.log = &log;
  so.learn = req.learn;
  for (const auto& m : prep->plan.mounts)  // issue 12: no copy-up for an mtime refresh
    if (m.kind == core::MountKind::Overlay) so.skip_times_under.push_back(m.dst);
  Learner learner;
  for (const auto& a : prep->plan.argv) learner.command_line += (learner.command_line.empty() ? "" : " ") + a;
  if (req.learn) so.on_record = [&learner](const core::DenialRecord& r) { learner.add(r); };
  else if (*lsp) so.on_record = [&lsp, &log](const core::DenialRecord& r) { notify_denial(**lsp, r, log.path()); };
  Supervisor supervisor(so);
  bool notify = prep->policy && prep->policy->delivery != core::Delivery::Errno;

  sys::SandboxSpec spec;
  spec.plan = &prep->plan;
  if (prep->policy) spec.filter = &prep->policy->program;
  spec.want_listener = notify;
  spec.filter_log = prep->policy && !notify && !(o.log && *o.log == "off");
  spec.identity_checks = prep->identity_paths;
  spec.identity_strict = o.inode_check.value_or(core::InodeCheck::Warn) == core::InodeCheck::Strict;
  sys::SandboxEvents events;
  events.on_listener = [&supervisor](int fd) { supervisor.start(fd); };
  if (*lsp) {  // issue 13: initialize was read; hand it over, then splice (app/lsp_relay.cpp)
    spec.program_stdin = (*lsp)->child_stdin();
    spec.program_stdout = (*lsp)->child_stdout();
    events.on_started = [&lsp] {
      (*lsp)->close_child_ends();
      (*lsp)->start();
    };
    notify_prepared(**lsp, *prep, notify);
  }
  // Issue 13.2: folders the editor adds later, attached before gopls hears of them.
  std::unique_ptr<FolderAttacher> attacher;
  // (GOPLS_SANDBOX_TEST_NO_ATTACH=1: stdin spliced as before, for lsp_bench's comparison.)
  if (*lsp && prep->inputs && !o.metrics && test_hook(env, "GOPLS_SANDBOX_TEST_NO_ATTACH") != "1") {
    attacher = std::make_unique<FolderAttacher>(**lsp, *prep, verbose);
    if (test_hook(env, "GOPLS_SANDBOX_TEST_ATTACH_AS_GIVEN") == "1") attacher->test_as_given();
    spec.send_namespaces = true;
    events.on_namespace = [&attacher](int kind, int fd) { attacher->set_namespace(kind, fd); };
    (*lsp)->set_folder_hook([&attacher](const std::vector<std::string>& f) { attacher->on_added(f); });
  }
  // The server->client guard's folders (core/lsp_guard.hpp): the plan's, and those attached later.
  core::LspGuardFolders plan_folders = plan_guard_folders(prep->plan);
  auto guard_folders = [&attacher, plan_folders] {
    core::LspGuardFolders f = attacher ? attacher->guard_folders() : plan_folders;
    f.real_path = real_path_of_ancestor;
    return f;
  };
  if (*lsp) (*lsp)->set_guard_folders(guard_folders);
  // --metrics: relay stdio through the LSP-aware proxy instead of handing the descriptors over.
  std::unique_ptr<MetricsProxy> proxy;
  if (o.metrics) {
    auto mp = MetricsProxy::create(*o.metrics);
    if (!mp) return report(mp.error());
    proxy = std::move(*mp);
    if (req.kind == ProgramKind::Gopls && core::is_lsp_stdio_server(req.args)) proxy->set_guard_folders(guard_folders);
    spec.program_stdin = proxy->child_stdin();
    spec.program_stdout = proxy->child_stdout();
    events.on_started = [&proxy] {
      proxy->close_child_ends();
      proxy->start();
    };
  }
  // Issue 14: --net proxy (and none, refusing): pid 1 creates the endpoint inside and passes it
  // out; served here (app/net_proxy.cpp), the first refusal told to the editor.
  std::unique_ptr<NetSession> net;
  if (net_endpoint_port(prep->net)) {
    net = std::make_unique<NetSession>(prep->net, &log, verbose);
    if (*lsp) net->set_tell_client([&lsp](const std::string& key, const std::string& text) { (*lsp)->notify(key, text); });
    spec.net_proxy_port = prep->net.port;
    spec.net_proxy_addr = prep->net.listen_addr;
    events.on_net_listener = [&net](int fd, pid_t pid1) {
      net->set_sandbox_pid(pid1);
      if (int e = net->start(fd))
        std::fprintf(stderr, "gopls-sandbox: network proxy: cannot start: %s\n", errno_text(e).c_str());
    };
  }
  if (*lsp && !prep->net.missing_modules.empty()) (*lsp)->notify(NetSession::kNoneKey, prep->net.missing_modules);
  say_net(prep->net, verbose);
  SandboxReports reports(*prep, log, verbose);
  events.on_report = [&reports](const core::Pid1Report& r) { reports.on_report(r); };
  std::function<void(const std::string&)> tell_client;
  if (*lsp) {  // issue 13: reduced modes reach the editor too
    reports.tell_client = [&lsp](const std::string& key, const std::string& text) { (*lsp)->notify(key, text); };
    tell_client = [&lsp, &attacher](const std::string& text) {
      (*lsp)->notify("isolation", text);
      if (attacher) attacher->no_namespaces();  // (only the fallback says this: app/landlock_only.cpp)
    };
  }

  auto ex = run_isolated(*prep, spec, events, verbose, tell_client);  // issue 16: namespaces, else Landlock-only (app/landlock_only.cpp)
  supervisor.stop();
  if (net) net->stop();
  if (*lsp) (*lsp)->finish();
  if (proxy) proxy->finish(ex ? ex->status : 125);
  if (net && !net->summary(log.path()).empty())
    std::fprintf(stderr, "gopls-sandbox: %s\n", net->summary(log.path()).c_str());
  if (!ex) return report(ex.error());
  if (!req.learn) say_denials(supervisor, log);
  if (req.learn && !ex->failure) {
    if (auto w = learner.write(prep->policy->name, prep->policy->source_path, req.learn_output); !w)
      return report(w.error());
  }
  if (ex->failure) return report(launch_failure(*ex->failure));
  return ex->status;
}

}  // namespace gsb::app
