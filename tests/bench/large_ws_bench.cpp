// Large real workspace (issue 15): the current gopls on the source of its own module
// (golang.org/x/tools/gopls@v0.23.0, copied from the module cache scripts/build.sh filled), bare vs
// sandboxed (default profile, default cache mode), interleaved, with bootstrap 95% CIs of the
// ratio of medians. The operations gopls' own benchmarks measure: initial workspace load
// (initialize -> first diagnostics for a file deep in the module), definition, references across
// the module, completion, rename, workspace/symbol, didChange -> diagnostics; plus gopls' peak RSS
// and the launcher's (launcher + the sandbox's pid 1).
//
//   large_ws_bench [REPS]   (default 7)
#include <algorithm>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>

#include "../bench/bench_util.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "integration/harness.hpp"
#include "integration/lsp_client.hpp"

using namespace gsb;
using namespace gsb::test;

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

long vm_hwm_kb(pid_t pid) {
  std::string s = read_file("/proc/" + std::to_string(pid) + "/status");
  auto p = s.find("VmHWM:");
  return p == std::string::npos ? 0 : std::atol(s.c_str() + p + 6);
}
long status_kb(pid_t pid, const char* key) {
  std::string s = read_file("/proc/" + std::to_string(pid) + "/status");
  auto p = s.find(key);
  return p == std::string::npos ? 0 : std::atol(s.c_str() + p + std::strlen(key));
}
long pss_kb(pid_t pid) {
  std::string s = read_file("/proc/" + std::to_string(pid) + "/smaps_rollup");
  auto p = s.find("\nPss:");
  return p == std::string::npos ? 0 : std::atol(s.c_str() + p + 5);
}
std::string first_line(const std::string& path) {
  std::string s = read_file(path);
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}
std::string comm(pid_t pid) {
  std::string s = read_file("/proc/" + std::to_string(pid) + "/comm");
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string tail(const std::string& s) { return s.size() > 2000 ? s.substr(s.size() - 2000) : s; }

const char* kOps[] = {"initial load", "definition", "references", "completion", "rename", "workspace/symbol",
                      "didChange->diagnostics", "gopls peak RSS (MB)", "launcher+pid1 RSS (MB)",
                      "launcher+pid1 PSS (MB)", "launcher+pid1 peak RSS (MB)"};

// One session; fills op -> value. false when something failed.
bool session(const std::vector<std::string>& argv, const std::string& ws, const std::string& file,
             const std::shared_ptr<GoCaches>& caches, const GoplsGen& gen, std::map<std::string, double>* out) {
  SpawnOptions so;
  so.cwd = ws;
  so.caches = caches;
  gen.apply(so.env);
  so.env["GOMODCACHE"] = caches->gomodcache;
  auto t0 = Clock::now();
  Proc p = spawn(As::Root, argv, so);
  LspClient c(p);
  const std::string uri = "file://" + ws + "/" + file;
  const std::string text = read_file(ws + "/" + file);
  json::Value init;
  init.set("processId", nullptr);
  init.set("rootUri", "file://" + ws);
  init.set("capabilities", json::Object{});
  if (!c.response(c.request("initialize", init), std::chrono::seconds(300))) {
    std::fprintf(stderr, "large_ws_bench: no initialize response\n%s\n", tail(p.err_buf).c_str());
    return false;
  }
  c.notify("initialized", json::Object{});
  json::Value open, item;
  item.set("uri", uri);
  item.set("languageId", "go");
  item.set("version", 1);
  item.set("text", text);
  open.set("textDocument", item);
  c.notify("textDocument/didOpen", open);
  auto for_uri = [&](const json::Value& n) { return n["params"]["uri"].as_string() == uri; };
  if (!c.notification("textDocument/publishDiagnostics", for_uri, std::chrono::seconds(300))) {
    std::fprintf(stderr, "large_ws_bench: no diagnostics for %s\n%s\n", file.c_str(), tail(p.err_buf).c_str());
    return false;
  }
  (*out)["initial load"] = ms_since(t0);
  // The first `map[protocol.DocumentURI]` in the file (code, not a comment): line and column of
  // DocumentURI, the module's most referenced type.
  size_t at = text.find("map[protocol.DocumentURI]");
  if (at == std::string::npos) return false;
  at += 4 + 9;
  int line = 0, col = 0;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 0;
    } else {
      ++col;
    }
  }
  auto timed = [&](const std::string& name, const std::string& method, json::Value params) {
    auto t = Clock::now();
    auto r = c.response(c.request(method, std::move(params)), std::chrono::seconds(300));
    if (!r || r->find("error")) {
      std::fprintf(stderr, "large_ws_bench: %s failed: %s\n%s\n", method.c_str(), r ? r->dump().c_str() : "no response",
                   tail(p.err_buf).c_str());
      return false;
    }
    (*out)[name] = ms_since(t);
    return true;
  };
  if (!timed("definition", "textDocument/definition", doc_pos(uri, line, col + 3))) return false;
  json::Value refs = doc_pos(uri, line, col + 3);
  json::Value ctx;
  ctx.set("includeDeclaration", true);
  refs.set("context", ctx);
  if (!timed("references", "textDocument/references", refs)) return false;
  if (!timed("completion", "textDocument/completion", doc_pos(uri, line, col))) return false;
  json::Value ren = doc_pos(uri, line, col + 3);
  ren.set("newName", "DocumentURIRenamed");
  if (!timed("rename", "textDocument/rename", ren)) return false;
  json::Value ws_sym;
  ws_sym.set("query", "DocumentURI");
  if (!timed("workspace/symbol", "workspace/symbol", ws_sym)) return false;
  // didChange: a type error at the end of the file; time until its diagnostic arrives.
  json::Value change, vdoc, changes, whole;
  vdoc.set("uri", uri);
  vdoc.set("version", 2);
  change.set("textDocument", vdoc);
  whole.set("text", text + "\nvar _ int = \"gsb\"\n");
  changes.push(whole);
  change.set("contentChanges", changes);
  auto t = Clock::now();
  c.notify("textDocument/didChange", change);
  if (!c.notification("textDocument/publishDiagnostics",
                      [&](const json::Value& n) { return for_uri(n) && !n["params"]["diagnostics"].as_array().empty(); },
                      std::chrono::seconds(300)))
    return false;
  (*out)["didChange->diagnostics"] = ms_since(t);
  // During the session (after the operations above): resident now, proportional share, peak.
  long gopls_kb = 0, rss_kb = 0, pss = 0, hwm_kb = 0;
  for (pid_t q : process_tree(p.pid)) {
    std::string n = comm(q);
    if (n == "gopls") {
      gopls_kb = std::max(gopls_kb, vm_hwm_kb(q));
    } else if (n == "gopls-sandbox") {
      rss_kb += status_kb(q, "VmRSS:");
      pss += pss_kb(q);
      hwm_kb += vm_hwm_kb(q);
    }
  }
  (*out)["gopls peak RSS (MB)"] = gopls_kb / 1024.0;
  (*out)["launcher+pid1 RSS (MB)"] = rss_kb / 1024.0;
  (*out)["launcher+pid1 PSS (MB)"] = pss / 1024.0;
  (*out)["launcher+pid1 peak RSS (MB)"] = hwm_kb / 1024.0;
  if (!c.response(c.request("shutdown", nullptr))) return false;
  c.notify("exit", nullptr);
  p.close_stdin();
  return p.wait(std::chrono::seconds(60)) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 7;
  const GoplsGen& gen = gopls_gen(Gen::Current);
  if (!gen.why_unavailable.empty()) {
    std::fprintf(stderr, "large_ws_bench: %s\n", gen.why_unavailable.c_str());
    return 1;
  }
  // The gopls module as scripts/build.sh left it in its private module cache (with every dependency).
  const std::string modcache = std::string(GSB_TEST_SOURCE_DIR) + "/build/gopls-v0.23.0/gopath/pkg/mod";
  const std::string src = modcache + "/golang.org/x/tools/gopls@v0.23.0";
  const std::string file = "internal/golang/change_signature.go";
  struct stat st;
  if (::stat((src + "/" + file).c_str(), &st) != 0) {
    std::fprintf(stderr, "large_ws_bench: %s missing (run scripts/build.sh)\n", (src + "/" + file).c_str());
    return 1;
  }
  // The workspace is a copy: a workspace inside GOMODCACHE would keep the sandbox from layering
  // the module cache (it refuses to bind a cache that holds a workspace), and gopls could not
  // resolve the module's dependencies there.
  TempDir tmp(As::Root, "largews");
  const std::string ws = tmp.path + "/gopls";
  if (std::system(("cp -a " + shell_quote(src) + " " + shell_quote(ws) + " && chmod -R u+w " + shell_quote(ws)).c_str()) != 0)
    return 1;
  // One set of caches for both variants, warmed once by each; the module cache is the install's.
  auto caches = fresh_go_caches(As::Root);
  caches->gomodcache = modcache;
  std::map<std::string, std::vector<std::string>> variants = {{"bare", {gen.gopls}}, {"sandboxed", {world().launcher}}};
  // GSB_LARGE_FACTORS=1: also the sandbox without each suspect (which one costs what).
  if (const char* f = std::getenv("GSB_LARGE_FACTORS"); f && *f == '1') {
    variants["sandboxed, no stdout relay"] = {"/usr/bin/env", "GOPLS_SANDBOX_NOTIFY_CLIENT=off", world().launcher};
    variants["sandboxed, cache-mode shared"] = {world().launcher, "run", "--cache-mode", "shared", "--"};
    variants["sandboxed, profile none"] = {world().launcher, "run", "--profile", "none", "--"};
  }
  std::map<std::string, std::map<std::string, std::vector<double>>> t;  // variant -> op -> samples
  for (auto& [n, av] : variants) {
    std::map<std::string, double> warm;
    if (!session(av, ws, file, caches, gen, &warm)) {
      std::fprintf(stderr, "large_ws_bench: warm-up session (%s) failed\n", n.c_str());
      return 1;
    }
  }
  for (int i = 0; i < reps; ++i) {
    std::vector<std::string> order;
    for (auto& [n, av] : variants) order.push_back(n);
    if (i % 2) std::reverse(order.begin(), order.end());
    for (const auto& n : order) {
      std::map<std::string, double> r;
      if (!session(variants[n], ws, file, caches, gen, &r)) {
        std::fprintf(stderr, "large_ws_bench: session %d (%s) failed\n", i, n.c_str());
        return 1;
      }
      for (auto& [op, v] : r) t[n][op].push_back(v);
    }
  }
  std::printf("machine: %s\n%s\nworkspace: %s (%s)\n", bench::machine().c_str(), gen.describe().c_str(), ws.c_str(),
              file.c_str());
  // Issue 19: both sides see these (the sandbox binds them read-only).
  std::printf("transparent huge pages: enabled %s, hpage_pmd_size %s\nload average at the end: %s\n\n",
              first_line("/sys/kernel/mm/transparent_hugepage/enabled").c_str(),
              first_line("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size").c_str(),
              first_line("/proc/loadavg").c_str());
  std::printf("## Large workspace: golang.org/x/tools/gopls@v0.23.0 (%d repetitions, interleaved; medians, bootstrap 95%% CI)\n\n",
              reps);
  std::printf("| %-24s | %10s | %10s | %7s | %-17s |\n|---|---:|---:|---:|---|\n", "operation", "bare", "sandboxed",
              "ratio", "95% CI");
  for (const char* op : kOps) {
    const auto& a = t["bare"][op];
    const auto& b = t["sandboxed"][op];
    std::string unit = std::string(op).find("RSS") != std::string::npos ? "" : " ms";
    if (std::string(op).rfind("launcher+pid1", 0) == 0) {
      std::printf("| %-24s | %10s | %10.2f | %7s | %-17s |\n", op, "-", bench::median(b), "-",
                  std::string(op) == "launcher+pid1 RSS (MB)" ? "target <= 4 MB" : "");
      continue;
    }
    auto [lo, hi] = bench::ratio_ci(a, b);
    std::printf("| %-24s | %10.1f | %10.1f | %6.3fx | %.3f-%.3fx |\n", op, bench::median(a), bench::median(b),
                bench::median(b) / bench::median(a), lo, hi);
  }
  std::printf("\n(times in ms; target: every ratio <= 1.02x, CI upper bound <= 1.05x)\n");
  for (auto& [n, ops] : t) {
    if (n == "bare" || n == "sandboxed") continue;
    std::printf("\n%s vs bare:", n.c_str());
    for (const char* op : kOps) {
      if (std::string(op).find("RSS") != std::string::npos || std::string(op).find("PSS") != std::string::npos) continue;
      auto [lo, hi] = bench::ratio_ci(t["bare"][op], ops[op]);
      std::printf(" %s %.3fx [%.3f-%.3f];", op, bench::median(ops[op]) / bench::median(t["bare"][op]), lo, hi);
    }
    std::printf("\n");
  }
  return 0;
}
