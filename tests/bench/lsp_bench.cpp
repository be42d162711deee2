// LSP session: the same scripted session (initialize .. diagnostics, definition, hover,
// completion .. shutdown/exit) against bare gopls, gopls under gopls-sandbox, and gopls under
// bwrap with the same namespaces and mounts; interleaved repetitions, medians.
//
//   lsp_bench [REPS]   (default 9)
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

double session(const std::vector<std::string>& argv, const std::string& ws) {
  auto t0 = std::chrono::steady_clock::now();
  SpawnOptions so;
  so.cwd = ws;
  so.host_caches = true;  // the runner's caches, warmed once, the same for every variant (bwrap's plan binds them)
  Proc p = spawn(As::Root, argv, so);
  LspClient c(p);
  const std::string uri = "file://" + ws + "/main.go";
  json::Value init;
  init.set("processId", nullptr);
  init.set("rootUri", "file://" + ws);
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

int main(int argc, char** argv) {
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
  return 0;
}
