// Issue 5: round trips. Trace a workload, generate a profile from the trace with an EMPTY base,
// run the same workload in the sandbox under it: nothing refused, same results. Same via learn.
#include <sys/stat.h>
#include <unistd.h>

#include "harness.hpp"
#include "lsp_session.hpp"

namespace gsb::test {
namespace {

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

class RoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/bin/strace", X_OK) != 0) GSB_SKIP_OR_FAIL("strace not installed");
  }
};

TEST_F(RoundTrip, LspSessionFromStraceWithEmptyBase) {
  TempDir dir(As::Root, "gen");
  std::string trace = dir.path + "/lsp.strace", prof = dir.path + "/lsp-generated.toml";
  LspSessionOptions traced;
  traced.command = {"/usr/bin/strace", "-f", "-qq", "-o", trace, "/usr/bin/gopls"};
  traced.extended = true;
  ASSERT_NO_FATAL_FAILURE(full_lsp_session(As::Root, traced, nullptr));

  auto g = run(As::Root, {world().launcher, "profile", "generate", "--strace", trace, "-o", prof}, {dir.path, {}, false});
  ASSERT_EQ(g.status, 0) << g.err;
  EXPECT_EQ(read_file(prof).find("include"), std::string::npos) << "an empty base includes nothing";

  std::string log = dir.path + "/denials.jsonl";
  LspSessionOptions sandboxed;
  sandboxed.launcher_args = {"run", "--profile", prof, "--log", log, "--"};
  sandboxed.extended = true;
  ASSERT_NO_FATAL_FAILURE(full_lsp_session(As::Root, sandboxed, nullptr));
  EXPECT_FALSE(exists(log)) << "refused under the generated profile:\n" << read_file(log) << "\nprofile:\n"
                            << read_file(prof);
}

TEST_F(RoundTrip, GoBuildFromStraceWithEmptyBase) {
  TempDir ws(As::Root);
  write_go_module(ws.path, As::Root);
  std::string trace = ws.path + "/build.strace", prof = ws.path + "/build-generated.toml";
  // A fresh GOCACHE for each run, so both builds do the same (full) work.
  TempDir c1(As::Root, "gocache1"), c2(As::Root, "gocache2");
  auto t = run(As::Root, {"/usr/bin/strace", "-f", "-qq", "-o", trace, "/usr/bin/go", "build", "-o", ws.path + "/h1", "."},
               {ws.path, {{"GOCACHE", c1.path}}, false}, std::chrono::seconds(300));
  ASSERT_EQ(t.status, 0) << t.err;
  auto g = run(As::Root, {world().launcher, "profile", "generate", "--strace", trace, "-o", prof}, {ws.path, {}, false});
  ASSERT_EQ(g.status, 0) << g.err;
  std::string log = ws.path + "/denials.jsonl";
  auto b = run(As::Root,
               {world().launcher, "exec", "--profile", prof, "--log", log, "--bind", c2.path, "--", "/usr/bin/go", "build",
                "-o", ws.path + "/h2", "."},
               {ws.path, {{"GOCACHE", c2.path}}, false}, std::chrono::seconds(300));
  EXPECT_EQ(b.status, 0) << b.err;
  EXPECT_FALSE(exists(log)) << read_file(log);
  auto h1 = run(As::Root, {ws.path + "/h1"}, {ws.path, {}, false});
  auto h2 = run(As::Root, {ws.path + "/h2"}, {ws.path, {}, false});
  EXPECT_EQ(h1.out, "hello, world\n");
  EXPECT_EQ(h2.out, h1.out);
}

TEST(LearnRoundTrip, LspSessionLearnedFromAnEmptyBase) {
  if (!world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  for (As as : {As::Root, As::User}) {
    SCOPED_TRACE(as_name(as));
    TempDir dir(as, "learn");
    std::string empty = dir.path + "/empty.toml", prof = dir.path + "/learned.toml";
    write_file(empty, "name = \"empty\"\ndescription = \"allows nothing\"\n", as);
    LspSessionOptions learn;
    learn.launcher_args = {"learn", "--base", empty, "-o", prof, "--"};
    learn.extended = true;
    ASSERT_NO_FATAL_FAILURE(full_lsp_session(as, learn, nullptr));
    ASSERT_TRUE(exists(prof));
    std::string log = dir.path + "/denials.jsonl";
    LspSessionOptions sandboxed;
    sandboxed.launcher_args = {"run", "--profile", prof, "--log", log, "--"};
    sandboxed.extended = true;
    ASSERT_NO_FATAL_FAILURE(full_lsp_session(as, sandboxed, nullptr));
    EXPECT_FALSE(exists(log)) << "refused under the learned profile:\n" << read_file(log) << "\nprofile:\n"
                              << read_file(prof);
  }
}

TEST(LearnRoundTrip, GoBuildLearnedFromAnEmptyBase) {
  TempDir ws(As::Root);
  write_go_module(ws.path, As::Root);
  std::string empty = ws.path + "/empty.toml", prof = ws.path + "/learned.toml", log = ws.path + "/d.jsonl";
  write_file(empty, "name = \"empty\"\n");
  TempDir c1(As::Root, "gocache1"), c2(As::Root, "gocache2");
  auto l = run(As::Root,
               {world().launcher, "learn", "--exec", "--base", empty, "-o", prof, "--bind", c1.path, "--", "/usr/bin/go",
                "build", "-o", ws.path + "/h1", "."},
               {ws.path, {{"GOCACHE", c1.path}}, false}, std::chrono::seconds(300));
  ASSERT_EQ(l.status, 0) << l.err;
  auto b = run(As::Root,
               {world().launcher, "exec", "--profile", prof, "--log", log, "--bind", c2.path, "--", "/usr/bin/go", "build",
                "-o", ws.path + "/h2", "."},
               {ws.path, {{"GOCACHE", c2.path}}, false}, std::chrono::seconds(300));
  EXPECT_EQ(b.status, 0) << b.err;
  EXPECT_FALSE(exists(log)) << read_file(log);
  EXPECT_EQ(run(As::Root, {ws.path + "/h2"}, {ws.path, {}, false}).out, "hello, world\n");
}

}  // namespace
}  // namespace gsb::test
