// LSP session: the same scripted session (initialize .. diagnostics, definition, hover,
// completion .. shutdown/exit) against bare gopls, gopls under gopls-sandbox, and gopls under
// bwrap with the same namespaces and mounts; interleaved repetitions, medians.
//
//   lsp_bench [REPS]   (default 9)
//   lsp_bench --initialize [REPS]   (issue 13; default 21) the current gopls bare, through the
//       launcher that reads initialize (cwd /: the folder comes from initialize; stdout relayed
//       for client messages, and with --notify-client off: stdin spliced, stdout inherited),
//       and through today's path (GOPLS_SANDBOX_FROM_INITIALIZE=off, cwd = the workspace);
//       ratios to bare gopls and to today's path with bootstrap 95% CIs.
#include <chrono>
#include <cstdlib>
#include <map>

#include "../bench/bench_util.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "integration/harness.hpp"
#include "integration/lsp_client.hpp"

using namespace gsb;
using namespace gsb::test;

namespace {

double session(const std::vector<std::string>& argv, const std::string& ws, const std::string& cwd = {},
               const std::map<std::string, std::string>& env = {}) {
  auto t0 = std::chrono::steady_clock::now();
  SpawnOptions so;
  so.cwd = cwd.empty() ? ws : cwd;
  so.env = env;
  so.host_caches = true;  // the runner's caches, warmed once, the same for every variant (bwrap's plan binds them)
  Proc p = spawn(As::Root, argv, so);
  LspClient c(p);
  const std::string uri = "file://" + ws + "/main.go";
  json::Value init;
  init.set("processId", nullptr);
  init.set("rootUri", "file://" + ws);
  {
    json::Value folders, f;
    f.set("uri", "file://" + ws);
    f.set("name", "ws");
    folders.push(f);
    init.set("workspaceFolders", folders);
  }
  init.set("capabilities", json::Object{});
  if (!c.response(c.request("initialize", init))) return -1;
  c.notify("initialized", json::Object{});
  json::Value open, item;
  item.set("uri", uri);
  item.set("languageId", "go");
  item.set("version", 1);
  item.set("text", read_file(ws + "/main.go"));
  open.set("textDocument", item);
  c.notify("textDocument/didOpen", open);
  if (!c.notification("textDocument/publishDiagnostics",
                      [&](const json::Value& n) { return n["params"]["uri"].as_string() == uri; }))
    return -1;
  if (!c.response(c.request("textDocument/definition", doc_pos(uri, 10, 15)))) return -1;
  if (!c.response(c.request("textDocument/hover", doc_pos(uri, 9, 6)))) return -1;
  if (!c.response(c.request("textDocument/completion", doc_pos(uri, 10, 15)))) return -1;
  if (!c.response(c.request("shutdown", nullptr))) return -1;
  c.notify("exit", nullptr);
  p.close_stdin();
  if (p.wait(std::chrono::seconds(30)) != 0) return -1;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// Issue 13: the initialize-reading launcher against today's path and bare gopls.
int initialize_mode(int reps) {
  const GoplsGen& gen = gopls_gen(Gen::Current);
  if (!gen.why_unavailable.empty()) {
    std::fprintf(stderr, "current gopls unavailable: %s\n", gen.why_unavailable.c_str());
    return 1;
  }
  TempDir ws(As::Root, "lspbench");
  write_go_module(ws.path, As::Root);
  std::map<std::string, std::string> env;
  gen.apply(env);
  auto off = env;
  off["GOPLS_SANDBOX_FROM_INITIALIZE"] = "off";
  auto quiet = env;
  quiet["GOPLS_SANDBOX_NOTIFY_CLIENT"] = "off";
  auto spliced = env;  // issue 13.2: without attaching added folders, stdin is spliced (no framing)
  spliced["GOPLS_SANDBOX_TEST_NO_ATTACH"] = "1";
  struct Variant {
    std::string name;
    std::vector<std::string> argv;
    std::string cwd;
    std::map<std::string, std::string> env;
  };
  std::vector<Variant> vs = {
      {"bare gopls", {gen.gopls}, ws.path, env},
      {"today's path (cwd)", {world().launcher}, ws.path, off},
      {"from initialize (cwd /)", {world().launcher}, "/", env},
      {"from initialize, notify off", {world().launcher}, "/", quiet},
      {"from initialize, spliced", {world().launcher}, "/", spliced},
  };
  for (auto& v : vs) session(v.argv, ws.path, v.cwd, v.env);  // warm-up
  std::map<std::string, std::vector<double>> t;
  for (int i = 0; i < reps; ++i)
    for (auto& v : vs) {
      double ms = session(v.argv, ws.path, v.cwd, v.env);
      if (ms < 0) {
        std::fprintf(stderr, "%s: session failed\n", v.name.c_str());
        return 1;
      }
      t[v.name].push_back(ms);
    }
  std::printf("machine: %s\n%s\n\n## LSP session, workspace from initialize (%d repetitions, interleaved; medians, "
              "bootstrap 95%% CI)\n\n",
              bench::machine().c_str(), gen.describe().c_str(), reps);
  std::printf("| %-28s | %9s | %-24s | %-24s | %-24s |\n|---|---:|---|---|---|\n", "variant", "median ms",
              "vs bare gopls", "vs today's path", "vs spliced stdin");
  for (auto& v : vs) {
    auto [blo, bhi] = bench::ratio_ci(t["bare gopls"], t[v.name]);
    auto [tlo, thi] = bench::ratio_ci(t["today's path (cwd)"], t[v.name]);
    auto [slo, shi] = bench::ratio_ci(t["from initialize, spliced"], t[v.name]);
    std::printf("| %-28s | %9.1f | %.3fx [%.3f, %.3f] | %.3fx [%.3f, %.3f] | %.3fx [%.3f, %.3f] |\n", v.name.c_str(),
                bench::median(t[v.name]), bench::median(t[v.name]) / bench::median(t["bare gopls"]), blo, bhi,
                bench::median(t[v.name]) / bench::median(t["today's path (cwd)"]), tlo, thi,
                bench::median(t[v.name]) / bench::median(t["from initialize, spliced"]), slo, shi);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--initialize") return initialize_mode(argc > 2 ? std::atoi(argv[2]) : 21);
  int reps = argc > 1 ? std::atoi(argv[1]) : 9;
  TempDir ws(As::Root, "lspbench");
  write_go_module(ws.path, As::Root);
  std::string plan_text;
  bench::time_run({GSB_LAUNCHER, "run", "--dry-run"}, &plan_text, ws.path);
  auto plan = json::parse(plan_text);
  if (!plan) return 1;
  std::vector<std::string> bw = {"/usr/bin/bwrap", "--unshare-user", "--unshare-pid", "--unshare-uts", "--unshare-ipc",
                                 "--unshare-net", "--die-with-parent"};
  for (const auto& m : (*plan)["mounts"].as_array()) {
    const std::string &t = m["type"].as_string(), &s = m["source"].as_string(), &d = m["destination"].as_string();
    // A "copy" (small /etc file) as a ro-bind: one launch per multi-second session, so the
    // difference from bwrap's --file copy does not show here (launch_bench uses --file).
    if (t == "ro-bind" || t == "copy") bw.insert(bw.end(), {"--ro-bind", s, d});
    else if (t == "bind") bw.insert(bw.end(), {"--bind", s, d});
    else if (t == "dev-bind") bw.insert(bw.end(), {"--dev-bind", s, d});
    else if (t == "symlink") bw.insert(bw.end(), {"--symlink", s, d});
    else if (t == "proc") bw.insert(bw.end(), {"--proc", d});
    else if (t == "tmpfs") bw.insert(bw.end(), {"--perms", m["mode"].as_string(), "--tmpfs", d});
  }
  bw.insert(bw.end(), {"--chdir", ws.path, "--setenv", "TMPDIR", "/tmp", "--", "/usr/bin/gopls"});
  std::map<std::string, std::vector<std::string>> variants = {
      {"bare gopls", {"/usr/bin/gopls"}}, {"gopls-sandbox", {world().launcher}}, {"bwrap", bw}};
  // GSB_BASELINE_LAUNCHER: an older build of the launcher, for "no slower" checks of a refactor.
  const char* baseline = std::getenv("GSB_BASELINE_LAUNCHER");
  TempDir state(As::Root, "lspstate");
  if (baseline && *baseline) {  // both with a state directory each (see launch_bench.cpp)
    variants["baseline launcher"] = {"/usr/bin/env", "XDG_STATE_HOME=" + state.path + "/before", baseline};
    variants["this launcher, the same way"] = {"/usr/bin/env", "XDG_STATE_HOME=" + state.path + "/after",
                                               world().launcher};
  }
  for (auto& [n, av] : variants) session(av, ws.path);  // warm-up: caches
  std::map<std::string, std::vector<double>> t;
  for (int i = 0; i < reps; ++i)
    for (auto& [n, av] : variants) t[n].push_back(session(av, ws.path));
  double bare = bench::median(t["bare gopls"]);
  std::printf("machine: %s\n\n## LSP session (%d repetitions, interleaved; medians)\n\n", bench::machine().c_str(), reps);
  std::printf("| %-28s | %9s | %-24s |\n|---|---:|---|\n", "variant", "median ms", "ratio to bare gopls");
  for (auto& [n, v] : t)
    std::printf("| %-28s | %9.1f | %6.3fx %-16s |\n", n.c_str(), bench::median(v), bench::median(v) / bare,
                n == "gopls-sandbox" ? "(target <=1.03x)" : "");
  if (baseline && *baseline) {
    auto [lo, hi] = bench::ratio_ci(t["baseline launcher"], t["this launcher, the same way"]);
    std::printf("\nthis launcher vs the baseline launcher (%s): %.3fx, bootstrap 95%% CI [%.3f, %.3f]\n", baseline,
                bench::median(t["this launcher, the same way"]) / bench::median(t["baseline launcher"]), lo, hi);
  }
  return 0;
}
