// Issue 15: what the current gopls does that Debian's never did, each handled on purpose:
// telemetry (modes on/local/off), -remote=auto daemons (one per sandbox, in its private /tmp),
// and `gopls mcp` over stdio.
#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <functional>
#include <optional>
#include <set>

#include "harness.hpp"
#include "lsp_client.hpp"
#include "lsp_session.hpp"

namespace gsb::test {
namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') out.push_back(e->d_name);
    ::closedir(d);
  }
  return out;
}

std::string cmdline(pid_t pid) {
  std::string s = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : s)
    if (c == '\0') c = ' ';
  return s;
}

std::string pid_ns(pid_t pid) {
  char buf[128] = {};
  ssize_t n = ::readlink(("/proc/" + std::to_string(pid) + "/ns/pid").c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

class CurrentGopls : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override { GSB_REQUIRE_AS_GEN(as(), Gen::Current); }
  As as() const { return GetParam(); }
  const GoplsGen& gen() const { return gopls_gen(Gen::Current); }
};
INSTANTIATE_TEST_SUITE_P(As, CurrentGopls, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

// ---- telemetry --------------------------------------------------------------------------------
// The host's ~/.config/go/telemetry is bound read-write when it exists, so the mode the user chose
// with `gopls telemetry on|local|off` holds inside: counters land in that directory for on and
// local, and nowhere for off. The telemetry child gopls re-executes (X_TELEMETRY_CHILD) lives in
// the sandbox's pid namespace: it never outlives the sandbox and never delays its exit.
void telemetry_session(As as, const GoplsGen& gen, const std::string& mode, const std::string& gocache,
                       std::vector<std::string>* counters, std::vector<pid_t>* tree, int* status) {
  auto caches = fresh_go_caches(as);  // a fresh HOME (and telemetry dir) for each mode ...
  caches->gocache = gocache;          // ... and this test's one GOCACHE for its three sessions
  std::string tdir = caches->xdg_config + "/go";
  for (const std::string& d : {tdir, tdir + "/telemetry"}) {
    ASSERT_EQ(::mkdir(d.c_str(), 0755), 0);
    if (as == As::User) {
      ASSERT_EQ(::chown(d.c_str(), world().user_uid, world().user_gid), 0);
    }
  }
  tdir += "/telemetry";
  write_file(tdir + "/mode", mode + "\n", as);
  LspSessionOptions o;
  o.gen = &gen;
  o.caches = caches;
  o.before_shutdown = [&](Proc& p) { *tree = process_tree(p.pid); };
  LspSessionResult r;
  ASSERT_NO_FATAL_FAILURE(full_lsp_session(as, o, &r));
  *status = r.exit_status;
  for (const auto& f : list_dir(tdir + "/local"))
    if (f.rfind("gopls@", 0) == 0 && f.size() > 6 && f.substr(f.size() - 6) == ".count") counters->push_back(f);
  // Everything the sandbox ran is gone once the launcher has exited.
  auto alive = wait_gone(*tree, std::chrono::seconds(5));
  EXPECT_TRUE(alive.empty()) << alive.size() << " processes outlived the sandbox, e.g. " << cmdline(alive[0]);
}

TEST_P(CurrentGopls, TelemetryOnAndLocalCountInTheBoundDirOffWritesNothing) {
  TempDir gocache(as(), "gocache");
  for (const std::string mode : {"on", "local", "off"}) {
    SCOPED_TRACE("telemetry mode " + mode);
    std::vector<std::string> counters;
    std::vector<pid_t> tree;
    int status = -1;
    ASSERT_NO_FATAL_FAILURE(telemetry_session(as(), gen(), mode, gocache.path, &counters, &tree, &status));
    EXPECT_EQ(status, 0);
    if (mode == "off") {
      EXPECT_TRUE(counters.empty()) << counters[0];
    } else {
      EXPECT_FALSE(counters.empty()) << "no gopls counter file in the bound telemetry dir";
    }
  }
}

// ---- -remote=auto -----------------------------------------------------------------------------
// Decision: allowed. gopls -remote=auto starts (or finds) a daemon listening on
// $TMPDIR/gopls-<hash>-daemon.<user>; TMPDIR is the sandbox's private /tmp tmpfs, so every sandbox
// starts its own daemon inside its own pid namespace and never reaches another sandbox's (or the
// host's) daemon; the daemon dies with the sandbox. Two concurrent sandboxes prove it.
TEST_P(CurrentGopls, RemoteAutoGivesEachSandboxItsOwnDaemon) {
  struct Side {
    std::unique_ptr<TempDir> ws;
    Proc p;
    std::unique_ptr<LspClient> c;
    std::string uri;
  };
  Side s[2];
  // One user, two editor windows: the same HOME and caches, hence the same daemon socket name
  // ($TMPDIR/gopls-<hash>-daemon.<user>). gopls names it after `go tool buildid GOPLS`, which go
  // 1.24+ builds on first use: build it once, bare, so both sandboxes start at the same point.
  auto caches = fresh_go_caches(as());
  {
    SpawnOptions so;
    so.caches = caches;
    gen().apply(so.env);
    so.cwd = "/";
    auto b = run(as(), {gen().go, "tool", "buildid", gen().gopls}, so, std::chrono::seconds(240));
    ASSERT_EQ(b.status, 0) << b.err;
  }
  for (auto& x : s) {
    x.ws = std::make_unique<TempDir>(as());
    write_go_module(x.ws->path, as());
    SpawnOptions so;
    so.cwd = x.ws->path;
    so.caches = caches;
    gen().apply(so.env);
    x.p = spawn(as(), {world().launcher, "-remote=auto"}, so);
    x.c = std::make_unique<LspClient>(x.p);
    x.uri = "file://" + x.ws->path + "/main.go";
  }
  // Both forwarders are up and talking to their daemons before either says anything more.
  for (auto& x : s) {
    json::Value init;
    init.set("processId", nullptr);
    init.set("rootUri", "file://" + x.ws->path);
    init.set("capabilities", json::Object{});
    auto r = x.c->response(x.c->request("initialize", init));
    ASSERT_TRUE(r) << x.p.err_buf;
    x.c->notify("initialized", json::Object{});
    json::Value open, item;
    item.set("uri", x.uri);
    item.set("languageId", "go");
    item.set("version", 1);
    item.set("text", read_file(x.ws->path + "/main.go"));
    open.set("textDocument", item);
    x.c->notify("textDocument/didOpen", open);
  }
  std::vector<pid_t> daemons[2];
  std::vector<pid_t> trees[2];
  for (int i = 0; i < 2; ++i) {
    auto& x = s[i];
    // The definition request answers only from a daemon that loaded this sandbox's workspace.
    auto def = x.c->response(x.c->request("textDocument/definition", doc_pos(x.uri, 10, 15)));
    ASSERT_TRUE(def) << x.p.err_buf;
    const json::Value& loc = (*def)["result"].is_array() ? (*def)["result"][0] : (*def)["result"];
    EXPECT_EQ(loc["uri"].as_string(), x.uri) << def->dump();
    trees[i] = process_tree(x.p.pid);
    for (pid_t p : trees[i])
      if (cmdline(p).find("unix;/tmp/gopls-") != std::string::npos) daemons[i].push_back(p);
  }
  ASSERT_EQ(daemons[0].size(), 1u) << "sandbox 0 has no daemon of its own";
  ASSERT_EQ(daemons[1].size(), 1u) << "sandbox 1 has no daemon of its own";
  EXPECT_NE(pid_ns(daemons[0][0]), pid_ns(daemons[1][0]));
  EXPECT_NE(pid_ns(daemons[0][0]), pid_ns(::getpid()));
  for (auto& x : s) {
    auto sd = x.c->response(x.c->request("shutdown", nullptr));
    ASSERT_TRUE(sd) << x.p.err_buf;
    x.c->notify("exit", nullptr);
    x.p.close_stdin();
    // gopls' forwarder exits 2 with "remote disconnected" once the daemon drops the session after
    // exit, or "client disconnected" when it sees our closed stdin first (a race inside gopls):
    // bare gopls v0.23.0 -remote=auto does exactly the same; the launcher passes it on.
    int st = x.p.wait(std::chrono::seconds(30));
    EXPECT_TRUE(st == 0 || (st == 2 && (x.p.err_buf.find("gopls: remote disconnected") != std::string::npos ||
                                        x.p.err_buf.find("gopls: client disconnected") != std::string::npos)))
        << st << "\n" << x.p.err_buf;
    // Said as a weakening (threat model: the daemon's traffic is not checked).
    EXPECT_NE(x.p.err_buf.find("gopls -remote=auto (its daemon's traffic is not checked)"), std::string::npos) << x.p.err_buf;
  }
  for (auto& t : trees) EXPECT_TRUE(wait_gone(t, std::chrono::seconds(5)).empty()) << "a daemon outlived its sandbox";
}

// ---- gopls mcp ----------------------------------------------------------------------------------
// MCP over stdio (newline-delimited JSON-RPC): initialize, tools/list and a tool call on the
// sample workspace give the same bytes sandboxed as bare, and nothing is refused.
std::string mcp_transcript(As as, const std::vector<std::string>& argv, const std::string& ws,
                           const std::map<std::string, std::string>& env, const std::shared_ptr<GoCaches>& caches,
                           std::string* err) {
  SpawnOptions so;
  so.cwd = ws;
  so.env = env;
  so.caches = caches;
  Proc p = spawn(as, argv, so);
  auto line_with = [&](const std::string& id) {
    return p.read_until([&](const std::string& s) {
      auto at = s.find("\"id\":" + id + ",");
      return at != std::string::npos && s.find('\n', at) != std::string::npos;
    }, std::chrono::seconds(90));
  };
  auto send = [&](const std::string& m) { p.write_all(m + "\n"); };
  send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"gsb-test","version":"1"}}})");
  EXPECT_TRUE(line_with("1")) << p.err_buf;
  send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  send(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  EXPECT_TRUE(line_with("2")) << p.err_buf;
  send(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"go_workspace","arguments":{}}})");
  EXPECT_TRUE(line_with("3")) << p.err_buf;
  send(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"go_file_context","arguments":{"file":")" + ws +
       R"(/main.go"}}})");
  EXPECT_TRUE(line_with("4")) << p.err_buf;
  p.close_stdin();
  EXPECT_EQ(p.wait(std::chrono::seconds(30)), 0) << p.err_buf;
  *err = p.err_buf;
  return p.out_buf;
}

TEST_P(CurrentGopls, McpOverStdioIsByteForByteAsBare) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  std::map<std::string, std::string> env;
  gen().apply(env);
  TempDir logdir(as(), "log");
  std::string bare_err, sb_err;
  auto caches = fresh_go_caches(as());  // this test's own, for both runs
  std::string bare = mcp_transcript(as(), {gen().gopls, "mcp"}, ws.path, env, caches, &bare_err);
  std::string sb = mcp_transcript(as(), {world().launcher, "run", "--log", logdir.path + "/d.jsonl", "--", "mcp"}, ws.path,
                                  env, caches, &sb_err);
  EXPECT_NE(bare.find("\"go_workspace\""), std::string::npos) << bare << bare_err;
  EXPECT_NE(bare.find("example.com/hello"), std::string::npos) << bare;
  EXPECT_NE(bare.find("\"id\":4,\"result\""), std::string::npos) << bare;
  EXPECT_EQ(sb, bare) << "stderr:\n" << sb_err;
  EXPECT_EQ(read_file(logdir.path + "/d.jsonl"), "");
}

// ---- what gopls starts cannot reach gopls ---------------------------------------------------------
// Threat model, "forged server messages": code gopls starts looks for gopls in /proc and writes a
// frame into its stdout — the pipe the launcher relays to the editor — and the editor must never
// see it. Two routes, each with a control run in which the walls are down (test hooks) and the
// same attack succeeds: go generate (gopls.generate, the code lens) runs the workspace's script
// below the go shim's nested Landlock domain, where /proc/<gopls>/fd is refused; a
// GOPACKAGESDRIVER named by the editor's settings (which a repository's .vscode/settings.json can
// set) would be started by gopls itself, in its own domain — the launcher removes it from the
// settings before gopls sees them, so the driver never runs. The forged frame, when it passes, is
// in gopls' stdout before gopls' answer to the request that made the code run (the code ends
// before gopls answers), so that answer is where the client stops looking.
struct ProcForgeRun {
  std::string result;  // what the code inside wrote to result.txt
  bool forged = false;  // the forged showMessage reached the client
};
ProcForgeRun proc_forge_session(As as, const GoplsGen& gen, const std::string& ws, bool walls, const json::Value& init_options,
                                const std::function<std::optional<json::Value>(LspClient&)>& trigger,
                                const std::vector<std::string>& launcher_args = {}) {
  ProcForgeRun out;
  ::unlink((ws + "/result.txt").c_str());
  SpawnOptions so;
  so.cwd = ws;
  gen.apply(so.env);
  so.env["GOTELEMETRY"] = "off";
  if (!walls) so.env["GOPLS_SANDBOX_TEST_NO_GO_SHIM"] = so.env["GOPLS_SANDBOX_TEST_KEEP_SETTINGS_ENV"] = "1";
  std::vector<std::string> argv = {world().launcher, "run"};
  argv.insert(argv.end(), launcher_args.begin(), launcher_args.end());
  Proc p = spawn(as, argv, so);
  LspClient c(p);
  json::Value init;
  init.set("processId", nullptr);
  init.set("rootUri", "file://" + ws);
  init.set("capabilities", json::Object{});
  init.set("initializationOptions", init_options);
  EXPECT_TRUE(c.response(c.request("initialize", init))) << p.err_buf;
  c.notify("initialized", json::Object{});
  EXPECT_TRUE(trigger(c)) << p.err_buf;
  out.result = read_file(ws + "/result.txt");
  out.forged = c.notification("window/showMessage", [](const json::Value& n) {
    return n["params"]["message"].as_string() == "FORGED-THROUGH-PROC";
  }, std::chrono::milliseconds(1)).has_value();
  c.request("shutdown", nullptr);
  c.notify("exit", nullptr);
  p.close_stdin();
  EXPECT_EQ(p.wait(std::chrono::seconds(30)), 0) << p.err_buf;
  return out;
}

// The attacker's script: every process named gopls gets a forged frame on its stdout; the outcome
// goes to result.txt in the workspace.
std::string proc_forge_script(const std::string& ws, const std::string& targets) {
  return "body='{\"jsonrpc\":\"2.0\",\"method\":\"window/showMessage\",\"params\":{\"type\":1,\"message\":\"FORGED-THROUGH-PROC\"}}'\n"
         "for d in " + targets + "; do\n"
         "  [ \"$(cat $d/comm 2>/dev/null)\" = gopls ] || continue\n"
         "  if { printf 'Content-Length: %d\\r\\n\\r\\n%s' ${#body} \"$body\" > $d/fd/1; } 2>>" + ws + "/result.txt; then\n"
         "    echo \"written $d\" >> " + ws + "/result.txt\n"
         "  else echo \"refused $d\" >> " + ws + "/result.txt; fi\n"
         "done\n"
         "echo end >> " + ws + "/result.txt\n";
}

void expect_refused(const ProcForgeRun& r, bool walls, bool runs_when_defended = true) {
  if (walls && !runs_when_defended) {
    EXPECT_EQ(r.result, "") << "the code inside ran";
    EXPECT_FALSE(r.forged) << "the forged message reached the editor";
    return;
  }
  ASSERT_NE(r.result.find("end"), std::string::npos) << "the code inside did not run: " << r.result;
  if (walls) {
    EXPECT_EQ(r.result.find("written"), std::string::npos) << r.result;
    EXPECT_NE(r.result.find("refused"), std::string::npos) << r.result;
    EXPECT_NE(r.result.find("Permission denied"), std::string::npos) << r.result;
    EXPECT_FALSE(r.forged) << "the forged message reached the editor";
  } else {
    EXPECT_NE(r.result.find("written"), std::string::npos) << r.result;
    EXPECT_TRUE(r.forged) << "control: the forged message should have reached the editor";
  }
}

TEST_P(CurrentGopls, GoGenerateCannotWriteIntoGoplsThroughProc) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  write_file(ws.path + "/gen.go", "package main\n\n//go:generate sh forge.sh\n", as());
  write_file(ws.path + "/forge.sh", proc_forge_script(ws.path, "/proc/[0-9]*"), as());
  for (bool walls : {true, false}) {
    SCOPED_TRACE(walls ? "default" : "control: no go shim, no settings filter");
    auto r = proc_forge_session(as(), gen(), ws.path, walls, json::Object{}, [&](LspClient& c) {
      json::Value arg, args, cmd;
      arg.set("Dir", "file://" + ws.path);
      arg.set("Recursive", false);
      args.push(arg);
      cmd.set("command", "gopls.generate");
      cmd.set("arguments", args);
      return c.response(c.request("workspace/executeCommand", cmd));
    });
    expect_refused(r, walls);
  }
}

TEST_P(CurrentGopls, AGopackagesdriverFromTheSettingsNeverRuns) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  // The driver is gopls' own child ($PPID): it forges, records, and fails (gopls reports the load error).
  write_file(ws.path + "/drv", "#!/bin/sh\n" + proc_forge_script(ws.path, "/proc/$PPID") + "exit 1\n", as(), 0755);
  json::Value opts, env;
  env.set("GOPACKAGESDRIVER", ws.path + "/drv");
  opts.set("env", env);
  TempDir m(as(), "metrics");
  for (int k = 0; k < 3; ++k) {
    bool walls = k < 2;
    // (--metrics has a relay of its own: the filter is in it too)
    std::vector<std::string> args;
    if (k == 1) args = {"--metrics", m.path + "/m.prom"};
    SCOPED_TRACE(k == 0 ? "default" : k == 1 ? "--metrics" : "control: no go shim, no settings filter");
    auto r = proc_forge_session(as(), gen(), ws.path, walls, opts, [&](LspClient& c) {
      // Anything that needs the workspace loaded runs the driver first.
      return c.response(c.request("workspace/symbol", [] {
        json::Value q;
        q.set("query", "main");
        return q;
      }()));
    }, args);
    expect_refused(r, walls, /*runs_when_defended=*/false);
  }
}

}  // namespace
}  // namespace gsb::test
