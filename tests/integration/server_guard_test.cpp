// The server->client guard (core/lsp_guard.hpp; threat model "forged server messages"), attacked
// from inside: tests/helpers/lsp_forge stands in for gopls and, when told, has a child process
// open /proc/<server>/fd/1 and write a whole frame into the server's stdout — what a cgo build, a
// test or go generate could do. A workspace/applyEdit for a file outside the workspace (directly,
// through a symbolic link planted in the workspace, as a resource operation) and a
// window/showDocument with external must never reach the client; the server gets
// applied:false / success:false; the editor hears of it once. A legitimate applyEdit inside the
// workspace passes byte for byte. Every relay path: notifications on and off, --workspace, --metrics.
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"
#include "harness.hpp"
#include "lsp_session.hpp"

namespace gsb::test {
namespace {

class ServerGuard : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (as() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  }
  As as() const { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(As, ServerGuard, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

int landlock_abi() {
  long v = ::syscall(444 /* landlock_create_ruleset */, nullptr, 0, 1u);
  return v < 0 ? 0 : static_cast<int>(v);
}

size_t count_of(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

std::string apply_edit(int id, const std::string& edit) {
  return "{\"jsonrpc\":\"2.0\",\"id\":" + std::to_string(id) +
         ",\"method\":\"workspace/applyEdit\",\"params\":{\"label\":\"forged\",\"edit\":" + edit + "}}";
}
std::string change(const std::string& path) {
  return "{\"changes\":{\"file://" + path +
         "\":[{\"range\":{\"start\":{\"line\":0,\"character\":0},\"end\":{\"line\":0,\"character\":0}},"
         "\"newText\":\"echo pwned\\n\"}]}}";
}

struct Session {
  std::string out, err;
  int status = -1;
  bool done = false;
};

// Runs the launcher on lsp_forge with `extra` flags, forges each message of `forged` in turn
// (waiting for its forge/done and, for the first `answers`, the launcher's answer), then ends.
// `method` forge/exec: the child is started as `go` from PATH (env: the PATH that finds the link).
Session run_forge(As as, const std::string& ws, const std::vector<std::string>& extra,
                  const std::vector<std::string>& forged, size_t answers,
                  const std::map<std::string, std::string>& env = {}, const std::string& method = "forge/run") {
  Session s;
  std::vector<std::string> argv = {world().launcher, "run"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.insert(argv.end(), {"--gopls", world().helper("lsp_forge")});
  SpawnOptions so;
  so.cwd = ws;
  so.env = env;
  Proc p = spawn(as, argv, so);
  p.write_all(core::lsp_frame("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"rootUri\":\"file://" +
                              ws + "\",\"workspaceFolders\":[{\"uri\":\"file://" + ws + "\",\"name\":\"ws\"}]," +
                              "\"capabilities\":{}}}"));
  bool ok = p.read_until([](const std::string& o) { return o.find("\"capabilities\"") != std::string::npos; },
                         std::chrono::seconds(60));
  for (size_t i = 0; ok && i < forged.size(); ++i) {
    p.write_all(core::lsp_frame("{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + forged[i] + "}"));
    size_t want_answers = std::min(i + 1, answers);
    ok = p.read_until(
        [&](const std::string& o) {
          return count_of(o, "\"forge/done\"") >= i + 1 && count_of(o, "\"forge/answer\"") >= want_answers;
        },
        std::chrono::seconds(30));
  }
  s.done = ok;
  p.close_stdin();
  s.status = p.wait(std::chrono::seconds(30));
  s.out = p.out_buf;
  s.err = p.err_buf;
  return s;
}

TEST_P(ServerGuard, ForgedEditsOutsideTheWorkspaceNeverReachTheEditor) {
  TempDir ws(as()), outside(as(), "outside");
  write_go_module(ws.path, as());
  std::string victim = outside.path + "/.bashrc";
  write_file(victim, "# the host's\n", as());
  // A symbolic link the code inside planted in the workspace, to a directory outside it.
  ASSERT_EQ(::symlink(outside.path.c_str(), (ws.path + "/link").c_str()), 0);
  std::vector<std::string> evil = {
      apply_edit(901, change(victim)),
      apply_edit(902, change(ws.path + "/../" + outside.path.substr(outside.path.rfind('/') + 1) + "/.bashrc")),
      apply_edit(903, "{\"documentChanges\":[{\"kind\":\"rename\",\"oldUri\":\"file://" + ws.path +
                          "/main.go\",\"newUri\":\"file://" + victim + "\",\"options\":{\"overwrite\":true}}]}"),
      apply_edit(904, change(ws.path + "/link/.bashrc")),
      "{\"jsonrpc\":\"2.0\",\"id\":905,\"method\":\"window/showDocument\",\"params\":{\"uri\":\"https://evil.example/\","
      "\"external\":true}}",
  };
  std::string legit = apply_edit(906, change(ws.path + "/main.go"));
  std::vector<std::string> all = evil;
  all.push_back(legit);
  for (const auto& mode : std::vector<std::string>{"default", "notify-off", "workspace", "metrics"}) {
    SCOPED_TRACE(mode);
    std::vector<std::string> extra;
    TempDir m(as(), "metrics");
    if (mode == "notify-off") extra = {"--notify-client", "off"};
    if (mode == "workspace") extra = {"--workspace", ws.path};
    if (mode == "metrics") extra = {"--metrics", m.path + "/m.prom"};
    // (lsp_forge's child is a fork, not a go command: the route is open to it, the guard's own test.)
    Session s = run_forge(as(), ws.path, extra, all, evil.size());
    ASSERT_TRUE(s.done) << s.out.substr(0, 2000) << "\n--- stderr ---\n" << s.err;
    EXPECT_EQ(s.status, 0) << s.err;
    // The child could open the server's stdout and write (the route stays open; the frames don't pass).
    EXPECT_EQ(count_of(s.out, "\"forge/done\",\"params\":0"), all.size()) << s.out.substr(0, 2000) << s.err;
    std::vector<std::string> frames = frames_of(s.out);
    std::vector<std::string> answers;
    size_t shown = 0;
    for (const auto& f : frames) {
      bool answer = f.find("\"forge/answer\"") != std::string::npos;
      if (answer) answers.push_back(f);
      if (f.find("\"window/showMessage\"") != std::string::npos) {
        if (f.find("workspace/applyEdit") != std::string::npos) ++shown;
        continue;
      }
      if (answer) continue;
      for (int id = 901; id <= 905; ++id)
        EXPECT_EQ(f.find("\"id\":" + std::to_string(id) + ","), std::string::npos) << "forged frame reached the client: " << f;
    }
    // The legitimate edit, byte for byte.
    EXPECT_NE(s.out.find(core::lsp_frame(legit)), std::string::npos) << s.out.substr(0, 2000);
    // The server got its answers.
    ASSERT_EQ(answers.size(), evil.size()) << s.out.substr(0, 3000) << s.err;
    for (int id = 901; id <= 904; ++id) {
      auto it = std::find_if(answers.begin(), answers.end(), [&](const std::string& a) {
        return a.find("\"id\":" + std::to_string(id) + ",") != std::string::npos;
      });
      ASSERT_NE(it, answers.end()) << id;
      EXPECT_NE(it->find("\"applied\":false"), std::string::npos) << *it;
      EXPECT_NE(it->find("refused by gopls-sandbox"), std::string::npos) << *it;
    }
    EXPECT_EQ(count_of(s.out, "\"id\":905,\"result\":{\"success\":false}"), 1u) << s.out.substr(0, 3000);
    // Once in the editor (per method), when notifications reach it; on stderr with the URI.
    EXPECT_EQ(shown, mode == "notify-off" || mode == "metrics" ? 0u : 1u) << s.out.substr(0, 3000);
    EXPECT_NE(s.err.find("file://" + victim), std::string::npos) << s.err;
    EXPECT_EQ(read_file(victim), "# the host's\n");
  }
}

// The route itself (threat model "forged server messages"): gopls starts every go command as
// `go` from PATH, and inside the sandbox that is the go shim (src/shim/go_nest.cpp), which nests a
// Landlock domain before it runs the real go. Here the stand-in server starts `go FRAME`; the next
// `go` on PATH after the shim is a copy of lsp_forge, which then — as cgo, a test or go generate
// could — opens /proc/<server>/fd/1 to write a showMessage (a message the guard lets through),
// /proc/<server>/fd/0 to read what the editor sends, and signals the server. All three are refused
// and nothing reaches the editor. The control run without the shim (a test hook) shows the same
// child succeeding: the test can fail.
TEST_P(ServerGuard, WhatTheServerStartsAsGoCannotReachItsDescriptors) {
  if (landlock_abi() < 1) GSB_SKIP_OR_FAIL("Landlock is not available: no nested domain for the server's children");
  TempDir ws(as());
  write_go_module(ws.path, as());
  // A directory of the workspace (visible inside) with `go` (a copy of lsp_forge), after the shim on PATH.
  std::string bin = ws.path + "/fakebin";
  ASSERT_EQ(::mkdir(bin.c_str(), 0755), 0);
  ASSERT_EQ(std::system(("cp " + shell_quote(world().helper("lsp_forge")) + " " + shell_quote(bin + "/go")).c_str()), 0);
  const char* path = std::getenv("PATH");
  std::string forged =
      "{\"jsonrpc\":\"2.0\",\"method\":\"window/showMessage\",\"params\":{\"type\":1,\"message\":\"FORGED-THROUGH-PROC\"}}";
  for (bool shim : {true, false}) {
    SCOPED_TRACE(shim ? "with the go shim" : "control: without the go shim");
    std::map<std::string, std::string> env = {{"PATH", bin + ":" + (path ? path : "/usr/bin:/bin")}};
    if (!shim) env["GOPLS_SANDBOX_TEST_NO_GO_SHIM"] = "1";
    Session s = run_forge(as(), ws.path, {}, {forged}, 0, env, "forge/exec");
    ASSERT_TRUE(s.done) << s.out.substr(0, 2000) << "\n--- stderr ---\n" << s.err;
    EXPECT_EQ(s.status, 0) << s.err;
    if (shim) {
      EXPECT_EQ(count_of(s.out, "\"forge/done\",\"params\":5"), 1u) << s.out.substr(0, 2000) << s.err;
      EXPECT_EQ(s.out.find("FORGED-THROUGH-PROC"), std::string::npos) << s.out.substr(0, 2000);
      EXPECT_NE(s.err.find("/fd/1: EACCES"), std::string::npos) << s.err;
      EXPECT_NE(s.err.find("/fd/0: EACCES"), std::string::npos) << s.err;
      if (landlock_abi() >= 6) EXPECT_NE(s.err.find("kill(parent, 0): EPERM"), std::string::npos) << s.err;
    } else {
      EXPECT_EQ(count_of(s.out, "\"forge/done\",\"params\":0"), 1u) << s.out.substr(0, 2000) << s.err;
      EXPECT_NE(s.out.find("FORGED-THROUGH-PROC"), std::string::npos) << s.out.substr(0, 2000);
      EXPECT_EQ(s.err.find("EACCES"), std::string::npos) << s.err;
    }
  }
}

// Review of the go shim: a shim the sandbox would show read-write (a build tree inside the opened
// folder) could be replaced from inside, or a directory above it renamed and another file put at
// its path; gopls' next go command would run that, outside the nested domain. Such a shim is used
// from a copy in the launcher's cache directory, which is not bound inside.
TEST_P(ServerGuard, AGoShimInsideAReadWriteFolderIsUsedFromACopy) {
  if (landlock_abi() < 1) GSB_SKIP_OR_FAIL("Landlock is not available: no go shim");
  TempDir cache(as(), "xdgcache");
  std::map<std::string, std::string> env = {{"XDG_CACHE_HOME", cache.path}};
  auto path_of = [&](const std::string& ws) {
    auto r = run(as(), {world().launcher, "run", "--dry-run", "--workspace", ws}, {ws, env, false});
    EXPECT_EQ(r.status, 0) << r.err;
    auto v = json::parse(r.out);
    EXPECT_TRUE(v.ok()) << r.out;
    if (!v.ok()) return std::string();
    for (const auto& e : (*v)["env"].as_array())
      if (e.as_string().rfind("PATH=", 0) == 0) return e.as_string().substr(5);
    return std::string();
  };
  TempDir ws(as());
  std::string plain = path_of(ws.path);
  EXPECT_EQ(plain.rfind(world().bin_dir + "/libexec/gopls-sandbox/bin:", 0), 0u) << plain;
  // The launcher's own tree as the workspace: the shim in it is not what gopls gets.
  std::string inside = path_of(world().bin_dir);
  EXPECT_EQ(inside.rfind(cache.path + "/gopls-sandbox/go-shim:", 0), 0u) << inside;
  EXPECT_EQ(read_file(cache.path + "/gopls-sandbox/go-shim/go"), read_file(world().bin_dir + "/libexec/gopls-sandbox/bin/go"));
}

}  // namespace
}  // namespace gsb::test
