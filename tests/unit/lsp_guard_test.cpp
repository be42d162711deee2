// core/lsp_guard: which server->client messages the relay forwards (threat model: forged server
// messages through /proc/<gopls>/fd/1).
#include <gtest/gtest.h>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/lsp_guard.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/core/lsp_settings_filter.hpp"

namespace gsb::core {
namespace {

LspGuardFolders ws() {
  LspGuardFolders f;
  f.rw = {"/ws", "/home/u/proj"};
  f.visible = {"/usr/lib/go"};
  return f;
}

std::string apply_edit(const std::string& edit, const std::string& id = "7") {
  return R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"workspace/applyEdit","params":{"label":"x","edit":)" + edit +
         "}}";
}
std::string changes(const std::string& uri) {
  return R"({"changes":{")" + uri + R"(":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"newText":"x"}]}})";
}
std::string doc_edit(const std::string& uri) {
  return R"({"documentChanges":[{"textDocument":{"uri":")" + uri + R"(","version":1},"edits":[]}]})";
}

LspGuardDecision check(const std::string& body, const LspGuardFolders& f = ws()) { return lsp_guard_check(body, f); }

TEST(LspGuard, OrdinaryMessagesPass) {
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///etc/x","diagnostics":[]}})").action,
            LspGuardDecision::Forward);
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","id":1,"result":{"applied":true}})").action, LspGuardDecision::Forward);
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","id":2,"method":"workspace/configuration","params":{"items":[]}})").action,
            LspGuardDecision::Forward);
  // A string value that merely mentions the method is not the method.
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","method":"window/logMessage","params":{"message":"workspace/applyEdit"}})").action,
            LspGuardDecision::Forward);
}

TEST(LspGuard, ApplyEditInsideTheWorkspacePasses) {
  EXPECT_EQ(check(apply_edit(changes("file:///ws/a.go"))).action, LspGuardDecision::Forward);
  EXPECT_EQ(check(apply_edit(doc_edit("file:///home/u/proj/sub/b.go"))).action, LspGuardDecision::Forward);
  EXPECT_EQ(check(apply_edit(R"({"documentChanges":[{"kind":"create","uri":"file:///ws/new.go"},)"
                        R"({"kind":"rename","oldUri":"file:///ws/a.go","newUri":"file:///ws/b.go"},)"
                        R"({"kind":"delete","uri":"file:///ws/c.go"}]})")).action,
            LspGuardDecision::Forward);
  EXPECT_EQ(check(apply_edit(changes("file:///ws/with%20space.go"))).action, LspGuardDecision::Forward);
  EXPECT_EQ(check(apply_edit(R"({})")).action, LspGuardDecision::Forward);
}

TEST(LspGuard, ApplyEditOutsideIsRefusedWithAnAnswer) {
  auto d = check(apply_edit(changes("file:///home/u/.bashrc"), "\"abc\""));
  ASSERT_EQ(d.action, LspGuardDecision::Refuse);
  EXPECT_EQ(d.uri, "file:///home/u/.bashrc");
  auto r = json::parse(d.reply);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["id"].as_string(), "abc");
  EXPECT_FALSE((*r)["result"]["applied"].as_bool(true));
  EXPECT_NE((*r)["result"]["failureReason"].as_string().find("gopls-sandbox"), std::string::npos);
  auto n = check(apply_edit(doc_edit("file:///etc/passwd"), "12"));
  ASSERT_EQ(n.action, LspGuardDecision::Refuse);
  EXPECT_EQ((*json::parse(n.reply))["id"].as_int(), 12);
}

TEST(LspGuard, EveryShapeIsChecked) {
  for (const std::string& edit : std::vector<std::string>{
           changes("file:///ws/a.go").insert(std::string(R"({"changes":{)").size(),
                                             R"("file:///home/u/.bashrc":[],)"),
           doc_edit("file:///home/u/.profile"),
           std::string(R"({"documentChanges":[{"kind":"create","uri":"file:///home/u/.bashrc"}]})"),
           std::string(R"({"documentChanges":[{"kind":"delete","uri":"file:///home/u/.ssh","options":{"recursive":true}}]})"),
           std::string(R"({"documentChanges":[{"kind":"rename","oldUri":"file:///ws/evil","newUri":"file:///home/u/.bashrc"}]})"),
           std::string(R"({"documentChanges":[{"kind":"rename","oldUri":"file:///home/u/.ssh/id","newUri":"file:///ws/id"}]})"),
           std::string(R"({"documentChanges":[{"kind":"move","uri":"file:///ws/a"}]})"),
           std::string(R"({"documentChanges":[{"kind":"create"}]})"),
           std::string(R"({"documentChanges":[{"textDocument":{"uri":7},"edits":[]}]})"),
           std::string(R"({"documentChanges":["file:///ws/a"]})"),
           std::string(R"({"changes":[]})"),
           std::string(R"({"futureField":{"file:///home/u/.bashrc":[]}})"),
           std::string(R"("file:///ws/a")"),
       }) {
    EXPECT_EQ(check(apply_edit(edit)).action, LspGuardDecision::Refuse) << edit;
  }
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","id":1,"method":"workspace/applyEdit"})").action, LspGuardDecision::Refuse);
}

TEST(LspGuard, UriTricks) {
  for (const char* uri : {
           "file:///ws/../home/u/.bashrc", "file:///ws/%2e%2e/home/u/.bashrc", "file:///ws/%2E%2E%2Fetc%2Fpasswd",
           "file:///ws/./a.go", "file://host/ws/a.go", "file://localhost/ws/a.go", "file:/ws/a.go", "FILE:///ws/a.go",
           "untitled:///ws/a.go", "https://example.com/x", "vscode://settings", "file:///ws2/a.go", "file:///w",
           "file:///ws", "file:///ws/", "file:///ws/a%00.go", "file:///ws/a%2", "file:///ws/a%zz", "file:///ws/a?x=1",
           "file:///ws/a#frag", "file:///ws\\\\..\\\\etc", "file:///ws/a\\tb", "file:///ws/a%5c..%5cb", "file:///", "ws/a.go",
       }) {
    EXPECT_EQ(check(apply_edit(changes(uri))).action, LspGuardDecision::Refuse) << uri;
  }
  EXPECT_EQ(check(apply_edit(changes("file:////ws//a.go"))).action, LspGuardDecision::Forward);
}

TEST(LspGuard, UriPaths) {
  EXPECT_EQ(lsp_file_uri_path("file:///a/b%20c").value_or(""), "/a/b c");
  EXPECT_EQ(lsp_file_uri_path("file:///a//b/").value_or(""), "/a/b");
  EXPECT_FALSE(lsp_file_uri_path("file:///a/..").has_value());
  EXPECT_TRUE(path_strictly_beneath("/ws/a", "/ws"));
  EXPECT_FALSE(path_strictly_beneath("/ws", "/ws"));
  EXPECT_FALSE(path_strictly_beneath("/ws2/a", "/ws"));
  EXPECT_TRUE(path_strictly_beneath("/a", "/"));
}

TEST(LspGuard, RealPathsAreCheckedWhenGiven) {
  LspGuardFolders f = ws();
  // /ws/link is a symbolic link to /home/u (planted by the code inside).
  f.real_path = [](const std::string& p) {
    if (p.rfind("/ws/link", 0) == 0) return "/home/u" + p.substr(8);
    return p;
  };
  EXPECT_EQ(check(apply_edit(changes("file:///ws/link/.bashrc")), f).action, LspGuardDecision::Refuse);
  EXPECT_EQ(check(apply_edit(changes("file:///ws/ok.go")), f).action, LspGuardDecision::Forward);
  f.real_path = [](const std::string&) { return std::string(); };
  EXPECT_EQ(check(apply_edit(changes("file:///ws/ok.go")), f).action, LspGuardDecision::Refuse);
}

TEST(LspGuard, JsonTricks) {
  // Escaped method names are still the method.
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","id":1,"method":"workspace\/applyEdit","params":{"edit":)" +
                  changes("file:///etc/x") + "}}").action,
            LspGuardDecision::Refuse);
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","id":1,"\u006dethod":"workspace/\u0061pplyEdit","params":{"edit":)" +
                  changes("file:///etc/x") + "}}").action,
            LspGuardDecision::Refuse);
  // Repeated keys: an editor may keep the other one.
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","id":1,"method":"window/logMessage","method":"workspace/applyEdit","params":{}})").action,
            LspGuardDecision::Drop);
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","id":1,"method":"workspace/applyEdit","params":{"edit":)" + changes("file:///ws/a") +
                  R"(,"edit":)" + changes("file:///etc/x") + "}}").action,
            LspGuardDecision::Drop);
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","method":"workspace/applyEdit","params":{"edit":{}}})").action,
            LspGuardDecision::Drop);  // no id: nothing to answer, not forwarded
  EXPECT_EQ(check(R"([{"jsonrpc":"2.0","id":1,"method":"workspace/applyEdit"}])").action, LspGuardDecision::Drop);
  EXPECT_EQ(check(R"({"jsonrpc":"2.0","id":1,"method":"workspace/applyEdit")").action, LspGuardDecision::Drop);
  EXPECT_EQ(check(R"({"a":1} {"b":2})").action, LspGuardDecision::Drop);
  EXPECT_EQ(check("not json").action, LspGuardDecision::Drop);
}

TEST(LspGuard, ShowDocument) {
  auto show = [](const std::string& params) {
    return R"({"jsonrpc":"2.0","id":3,"method":"window/showDocument","params":)" + params + "}";
  };
  EXPECT_EQ(check(show(R"({"uri":"file:///ws/a.go","takeFocus":true})")).action, LspGuardDecision::Forward);
  EXPECT_EQ(check(show(R"({"uri":"file:///usr/lib/go/src/fmt/print.go"})")).action, LspGuardDecision::Forward);
  EXPECT_EQ(check(show(R"({"uri":"file:///ws/a.go","external":false})")).action, LspGuardDecision::Forward);
  auto d = check(show(R"({"uri":"file:///ws/a.go","external":true})"));
  ASSERT_EQ(d.action, LspGuardDecision::Refuse);
  EXPECT_EQ(json::parse(d.reply)->dump(), R"({"jsonrpc":"2.0","id":3,"result":{"success":false}})");
  EXPECT_EQ(check(show(R"({"uri":"https://evil.example/","external":true})")).action, LspGuardDecision::Refuse);
  EXPECT_EQ(check(show(R"({"uri":"file:///home/u/.bashrc"})")).action, LspGuardDecision::Refuse);
  EXPECT_EQ(check(show(R"({"uri":"file:///ws/a.go","external":"yes"})")).action, LspGuardDecision::Refuse);
}

std::string frame(const std::string& body) { return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body; }

TEST(LspServerFilter, ForwardsWholeFramesByteExactAndWithholdsRefused) {
  LspServerFilter f([] { return ws(); });
  std::string good = frame(apply_edit(changes("file:///ws/a.go"))) +
                     "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" +
                     frame(R"({"jsonrpc":"2.0","method":"x"})");
  std::string bad = frame(apply_edit(changes("file:///home/u/.bashrc")));
  std::string in = good + bad + good;
  std::string out;
  std::vector<std::string> replies;
  std::vector<LspServerFilter::Refusal> refused;
  for (char c : in) f.feed(std::string_view(&c, 1), out, replies, refused);
  EXPECT_EQ(out, good + good);
  ASSERT_EQ(replies.size(), 1u);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].uri, "file:///home/u/.bashrc");
  EXPECT_EQ(f.buffered(), 0u);
}

TEST(LspServerFilter, OversizedAndUnusualFrames) {
  LspServerFilter f([] { return ws(); }, 64);
  std::string out;
  std::vector<std::string> replies;
  std::vector<LspServerFilter::Refusal> refused;
  std::string big = frame(apply_edit(changes("file:///home/u/.bashrc")));
  std::string small = frame(R"({"jsonrpc":"2.0","method":"x"})");
  f.feed(big.substr(0, 40), out, replies, refused);
  f.feed(big.substr(40) + small, out, replies, refused);
  EXPECT_EQ(out, small);
  EXPECT_EQ(refused.size(), 1u);
  for (const std::string& hdr : std::vector<std::string>{"Content-Length : 2\r\n\r\n{}", "content-length: 2\r\nContent-Length: 2\r\n\r\n{}",
                                "Content-Length:2\r\n\r\n{}", "X-Other: 1\r\nContent-Length: 2\r\n\r\n{}"}) {
    LspServerFilter g([] { return ws(); });
    out.clear();
    g.feed(hdr + small, out, replies, refused);
    EXPECT_TRUE(g.lost()) << hdr;
    EXPECT_EQ(out, "") << hdr;
  }
}

}  // namespace
}  // namespace gsb::core

// The client->server settings filter (core/lsp_settings_filter.hpp).
TEST(LspSettingsFilter, RemovesDriverAndPathFromEveryEnvObjectAtAnyDepth) {
  using gsb::core::SettingsFilterResult;
  EXPECT_FALSE(gsb::core::may_name_unsafe_env(R"({"jsonrpc":"2.0","method":"textDocument/didChange","params":{}})"));
  EXPECT_TRUE(gsb::core::may_name_unsafe_env(R"({"env":{"GOFLAGS":"x"}})"));
  EXPECT_TRUE(gsb::core::may_name_unsafe_env(R"({"\u0065nv":{"GOFLAGS":"x"}})"));
  auto r = gsb::core::filter_settings_env(
      R"({"id":1,"method":"initialize","params":{"initializationOptions":{"build.env":{"GOPACKAGESDRIVER":"./drv","GOFLAGS":"-mod=mod"},)"
      R"("env":{"PATH":"/tmp/evil","\u0047OPACKAGESDRIVER":"y"},"x":[{"ui.env":{"PATH":"p"}}],"environment":{"PATH":"kept"}}}})");
  ASSERT_EQ(r.kind, SettingsFilterResult::Rewritten);
  EXPECT_EQ(r.body.find("GOPACKAGESDRIVER"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("/tmp/evil"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"GOFLAGS\":\"-mod=mod\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"environment\":{\"PATH\":\"kept\"}"), std::string::npos) << r.body;  // not an env key
  EXPECT_EQ(r.body.find("\"p\""), std::string::npos) << r.body;
  EXPECT_EQ(r.removed.size(), 4u);
  // A repeated key (Go's decoder takes the last): every occurrence goes.
  r = gsb::core::filter_settings_env(R"({"result":[{"env":{"GOPACKAGESDRIVER":"a"},"env":{"GOPACKAGESDRIVER":"b"}}]})");
  ASSERT_EQ(r.kind, SettingsFilterResult::Rewritten);
  EXPECT_EQ(r.body.find("GOPACKAGESDRIVER"), std::string::npos) << r.body;
  // Nothing to remove: unchanged; not JSON: unparsable (dropped by the relay).
  EXPECT_EQ(gsb::core::filter_settings_env(R"({"env":{"GOFLAGS":"x"},"PATH":1})").kind, SettingsFilterResult::Unchanged);
  EXPECT_EQ(gsb::core::filter_settings_env(R"({"env":{"PATH":"x"})").kind, SettingsFilterResult::Unparsable);
}

// Second review: a key ".env" (gopls keeps the last dotted part), a name with "=" in it (gopls
// writes K=V, exec splits at the first '='), and names the sandbox would never pass from the
// caller (LD_PRELOAD reaches gopls re-executing itself for govulncheck) — all removed; names it
// passes stay.
TEST(LspSettingsFilter, KeepsOnlyWellFormedNamesTheSandboxPasses) {
  using gsb::core::SettingsFilterResult;
  auto r = gsb::core::filter_settings_env(
      R"({"result":[{".env":{"GOPACKAGESDRIVER":"d"},"env":{"GOPACKAGESDRIVER=/ws/drv":"","PATH=/ws/bin":"",)"
      R"("LD_PRELOAD":"/ws/pre.so","LD_LIBRARY_PATH":"/ws","GODEBUG":"x=1","CGO_CFLAGS":"-O2","LC_ALL":"C","1X":"n"}}]})");
  ASSERT_EQ(r.kind, SettingsFilterResult::Rewritten);
  for (const char* gone : {"GOPACKAGESDRIVER", "PATH=", "LD_PRELOAD", "LD_LIBRARY_PATH", "1X"})
    EXPECT_EQ(r.body.find(gone), std::string::npos) << gone << " in " << r.body;
  for (const char* kept : {"\"GODEBUG\":\"x=1\"", "\"CGO_CFLAGS\":\"-O2\"", "\"LC_ALL\":\"C\""})
    EXPECT_NE(r.body.find(kept), std::string::npos) << kept << " not in " << r.body;
  EXPECT_EQ(r.removed.size(), 6u);
}

TEST(LspSettingsFilter, TheStreamFilterRewritesWholeFramesFedInPieces) {
  using gsb::core::lsp_frame;
  std::string a = lsp_frame(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"initializationOptions":{"env":{"GOPACKAGESDRIVER":"/x","GOFLAGS":"-v"}}}})");
  std::string b = lsp_frame(R"({"jsonrpc":"2.0","method":"initialized","params":{}})");
  std::string c = lsp_frame(R"({"env":{"PATH":"x")");  // not JSON: dropped
  std::string input = a + b + c + b;
  for (size_t piece : {size_t(1), size_t(7), input.size()}) {
    gsb::core::LspClientSettingsFilter f;
    std::string out;
    std::vector<std::string> notices;
    for (size_t off = 0; off < input.size(); off += piece) f.feed(std::string_view(input).substr(off, piece), out, notices);
    EXPECT_EQ(out, lsp_frame(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"initializationOptions":{"env":{"GOFLAGS":"-v"}}}})") + b + b)
        << piece;
    ASSERT_EQ(notices.size(), 2u) << piece;
    EXPECT_NE(notices[0].find("env.GOPACKAGESDRIVER"), std::string::npos) << notices[0];
    EXPECT_FALSE(f.ended());
  }
  // Input that is not LSP framing passes as it comes; a body over the limit ends the output.
  gsb::core::LspClientSettingsFilter raw;
  std::string out;
  std::vector<std::string> notices;
  raw.feed("hello\r\n\r\nworld", out, notices);
  raw.feed(" more", out, notices);
  EXPECT_EQ(out, "hello\r\n\r\nworld more");
  gsb::core::LspClientSettingsFilter big;
  out.clear();
  big.feed("Content-Length: 99999999999\r\n\r\n{", out, notices);
  EXPECT_TRUE(big.ended());
  EXPECT_EQ(out, "");
}
