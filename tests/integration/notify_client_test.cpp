// Issue 13 §4: the launcher tells the user what the sandbox refused, as window/showMessage in the
// editor: once per cause, between two frames, and otherwise the stream is byte for byte the
// server's.
#include <algorithm>

#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/core/lsp_initialize.hpp"
#include "harness.hpp"
#include "lsp_session.hpp"

namespace gsb::test {
namespace {

class NotifyClient : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (as() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  }
  As as() const { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(As, NotifyClient, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

std::string server_stream() { return scripted_server_stream(); }  // what lsp_fake_server writes

using FakeRun = ScriptedRun;

FakeRun run_fake(As as, const std::vector<std::string>& extra, const std::map<std::string, std::string>& env = {}) {
  TempDir ws(as);
  write_go_module(ws.path, as);
  std::vector<std::string> argv = {world().launcher, "run", "--gopls", world().helper("lsp_fake_server")};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_scripted_server(as, argv, env, ws.path);
}

TEST_P(NotifyClient, OneMessagePerRefusedSyscallBetweenFramesOtherwiseByteExact) {
  FakeRun r = run_fake(as(), {});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> frames = frames_of(r.out), kept, shown;
  for (const auto& f : frames) {
    if (f.find("\"window/showMessage\"") != std::string::npos && f.size() < 4096) shown.push_back(f);
    else kept.push_back(f);
  }
  std::string rest;
  for (const auto& f : kept) rest += f;
  EXPECT_TRUE(rest == server_stream()) << "the relay changed the server's bytes (" << rest.size() << " vs "
                                       << server_stream().size() << ")";
  // keyctl twice: one message; add_key: one more.
  auto count = [&](const char* name) {
    return std::count_if(shown.begin(), shown.end(), [&](const std::string& f) {
      return f.find(std::string("system call ") + name + " ") != std::string::npos;
    });
  };
  EXPECT_EQ(count("keyctl"), 1) << r.out.substr(0, 300) << "\n" << r.err;
  EXPECT_EQ(count("add_key"), 1) << r.err;
  EXPECT_EQ(shown.size(), 2u);
  for (const auto& f : shown) EXPECT_NE(f.find("\"type\":2"), std::string::npos) << f;
}

TEST_P(NotifyClient, OffMeansTheServersBytesOnly) {
  FakeRun r = run_fake(as(), {"--notify-client", "off"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out == server_stream()) << r.out.size() << " vs " << server_stream().size();
  FakeRun e = run_fake(as(), {}, {{"GOPLS_SANDBOX_NOTIFY_CLIENT", "off"}});
  EXPECT_TRUE(e.out == server_stream());
}

// A repository's editor settings can pass flags and GOPLS_SANDBOX_* (core/untrusted_settings.hpp):
// whatever of them weakens the sandbox is shown once, and the relay stays byte-exact otherwise.
TEST_P(NotifyClient, WeakeningSettingsFromTheEditorAreShownOnce) {
  FakeRun r = run_fake(as(), {"--writable-vcs"}, {{"GOPLS_SANDBOX_CACHE_MODE", "shared"}});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string rest;
  std::vector<std::string> shown;
  split_relayed(r.out, &rest, &shown);
  EXPECT_TRUE(rest == server_stream());
  auto n = std::count_if(shown.begin(), shown.end(),
                         [](const std::string& f) { return f.find("reduced isolation") != std::string::npos; });
  EXPECT_EQ(n, 1) << r.out.substr(0, 400);
  for (const auto& f : shown)
    if (f.find("reduced isolation") != std::string::npos) {
      EXPECT_NE(f.find("--cache-mode shared"), std::string::npos) << f;
      EXPECT_NE(f.find("--writable-vcs"), std::string::npos) << f;
    }
  EXPECT_NE(r.err.find("warning: reduced isolation"), std::string::npos) << r.err;
}

TEST_P(NotifyClient, AFolderThatCannotBeBoundIsShown) {
  TempDir ws(as());
  Proc p = spawn(as(), {world().launcher, "run", "--gopls", world().helper("lsp_fake_server")}, [] {
    SpawnOptions so;
    so.cwd = "/";
    return so;
  }());
  p.write_all(core::lsp_frame(
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"workspaceFolders\":[{\"uri\":\"file://" +
      ws.path + "/missing\"},{\"uri\":\"file://" + ws.path + "\"}]}}"));
  bool got = p.read_until([](const std::string& s) { return s.find("x/last") != std::string::npos; },
                          std::chrono::seconds(60));
  EXPECT_TRUE(got) << p.err_buf;
  p.close_stdin();
  EXPECT_EQ(p.wait(std::chrono::seconds(30)), 0) << p.err_buf;
  auto frames = frames_of(p.out_buf);
  ASSERT_FALSE(frames.empty());
  EXPECT_NE(frames[0].find("window/showMessage"), std::string::npos) << frames[0];
  EXPECT_NE(frames[0].find(ws.path + "/missing could not be bound"), std::string::npos) << frames[0];
}

}  // namespace
}  // namespace gsb::test
