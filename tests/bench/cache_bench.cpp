// Issue 12: what the copy-on-write caches cost. On a warm host cache, in one run (interleaved
// repetitions, medians):
//   - gopls under gopls-sandbox, initialize -> first diagnostics: cow vs shared (target <= 1.05x),
//     and private with a fresh domain each time (the cold cost the lower layer saves);
//   - `go build` of an already-built module: inside (cow, shared) vs bare on the host (target
//     <= 1.05x for cow; the sandbox's own launch is included), and private cold.
// Everything runs with its own HOME, GOCACHE, GOMODCACHE and state directory.
//
//   cache_bench [REPS]   (default 7)
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

std::map<std::string, std::string> g_env;

// initialize -> first publishDiagnostics for main.go, in milliseconds (-1 on failure).
double first_diagnostics(const std::vector<std::string>& argv, const std::string& ws) {
  SpawnOptions so;
  so.cwd = ws;
  so.env = g_env;
  Proc p = spawn(As::Root, argv, so);
  LspClient c(p);
  const std::string uri = "file://" + ws + "/main.go";
  auto t0 = std::chrono::steady_clock::now();
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
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  c.request("shutdown", nullptr);
  c.notify("exit", nullptr);
  p.close_stdin();
  p.wait(std::chrono::seconds(30));
  return ms;
}

double timed(const std::vector<std::string>& argv, const std::string& cwd) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = run(As::Root, argv, {cwd, g_env, false});
  if (r.status != 0) {
    std::fprintf(stderr, "failed (%d): %s\n", r.status, r.err.c_str());
    return -1;
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 7;
  TempDir root(As::Root, "cachebench");
  const std::string ws = root.path + "/ws";
  for (const char* d : {"/ws", "/home", "/gocache", "/gomodcache", "/state", "/xdgcache", "/config"})
    if (std::system(("mkdir -p " + shell_quote(root.path + d)).c_str()) != 0) return 1;
  write_go_module(ws, As::Root);
  const char* path = std::getenv("PATH");
  g_env = {{"HOME", root.path + "/home"},           {"GOCACHE", root.path + "/gocache"},
           {"GOMODCACHE", root.path + "/gomodcache"}, {"XDG_STATE_HOME", root.path + "/state"},
           {"XDG_CACHE_HOME", root.path + "/xdgcache"}, {"XDG_CONFIG_HOME", root.path + "/config"},
           {"GOTELEMETRY", "off"},                    {"PATH", path ? path : "/usr/local/go/bin:/usr/bin:/bin"}};
  const std::string L = world().launcher;
  auto lsp = [&](const char* mode, const std::string& domain = {}) {
    std::vector<std::string> a = {L, "run", "--log", "off", "--workspace", ws, "--cache-mode", mode};
    if (!domain.empty()) a.insert(a.end(), {"--cache-domain", domain});
    return a;
  };
  auto build_in = [&](const char* mode, const std::string& domain = {}) {
    std::vector<std::string> a = {L, "exec", "--log", "off", "--workspace", ws, "--cache-mode", mode};
    if (!domain.empty()) a.insert(a.end(), {"--cache-domain", domain});
    a.insert(a.end(), {"--", "/usr/bin/env", "go", "build", "-o", "/tmp/app", "."});
    return a;
  };
  const std::vector<std::string> bare = {"/usr/bin/env", "go", "build", "-o", root.path + "/app", "."};

  // Warm the host's caches (and the cow domain's first session).
  timed(bare, ws);
  first_diagnostics({"/usr/bin/env", "gopls"}, ws);
  first_diagnostics(lsp("shared"), ws);
  first_diagnostics(lsp("cow"), ws);
  timed(build_in("cow"), ws);

  std::map<std::string, std::vector<double>> lt, bt;
  for (int i = 0; i < reps; ++i) {
    std::string cold = "bench-cold-" + std::to_string(i);
    lt["cow"].push_back(first_diagnostics(lsp("cow"), ws));
    lt["shared"].push_back(first_diagnostics(lsp("shared"), ws));
    lt["private (cold)"].push_back(first_diagnostics(lsp("private", cold + "-lsp"), ws));
    bt["bare"].push_back(timed(bare, ws));
    bt["cow"].push_back(timed(build_in("cow"), ws));
    bt["shared"].push_back(timed(build_in("shared"), ws));
    bt["private (cold)"].push_back(timed(build_in("private", cold + "-build"), ws));
  }
  std::printf("machine: %s\n\n## Copy-on-write caches (%d repetitions, interleaved; medians)\n\n", bench::machine().c_str(),
              reps);
  double shared = bench::median(lt["shared"]);
  std::printf("| %-40s | %9s | %-28s |\n|---|---:|---|\n", "initialize -> first diagnostics", "median ms", "ratio to shared");
  for (const char* n : {"shared", "cow", "private (cold)"})
    std::printf("| %-40s | %9.1f | %6.3fx %-20s |\n", n, bench::median(lt[n]), bench::median(lt[n]) / shared,
                std::string(n) == "cow" ? "(target <=1.05x)" : "");
  double b = bench::median(bt["bare"]);
  std::printf("\n| %-40s | %9s | %-28s |\n|---|---:|---|\n", "go build of a built module", "median ms", "ratio to bare");
  for (const char* n : {"bare", "shared", "cow", "private (cold)"})
    std::printf("| %-40s | %9.1f | %6.3fx %-20s |\n", n, bench::median(bt[n]), bench::median(bt[n]) / b,
                std::string(n) == "cow" ? "(target <=1.05x)" : "");
  return 0;
}
