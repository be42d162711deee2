// Issue 13 (6): typos are errors when called as gopls-sandbox — one line with a "did you mean",
// exit 2 — and everything still passes to gopls through a `gopls` link.
#include "harness.hpp"

namespace gsb::test {
namespace {

TEST(Cli, TyposAreOneLineErrorsWithASuggestion) {
  TempDir ws(As::Root);
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"docter"}, "unknown command \"docter\"; did you mean \"doctor\"?"},
      {{"profiel", "list"}, "did you mean \"profile\"?"},
      {{"run", "--worksapce", "X"}, "unknown option --worksapce; did you mean --workspace?"},
      {{"run", "--profle=gopls"}, "unknown option --profle; did you mean --profile?"},
      {{"exec", "--frobnicate", "--", "/bin/true"}, "unknown option --frobnicate"},
      {{"profile", "lst"}, "unknown subcommand \"lst\"; did you mean \"list\"?"},
      {{"cache", "prnue"}, "unknown subcommand \"prnue\"; did you mean \"prune\"?"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv = {world().launcher};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto r = run(As::Root, argv, {ws.path, {}, false});
    EXPECT_EQ(r.status, 2) << c.args[0] << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "") << "nothing on stdout";
    EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;
  }
}

TEST(Cli, GoplsCommandsAndFlagsStillPassThrough) {
  TempDir ws(As::Root);
  // `run -- -h`-like flags after -- and gopls' own commands are not ours to judge.
  auto v = run(As::Root, {world().launcher, "version"}, {ws.path, {}, false});
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_NE(v.out.find("golang.org/x/tools/gopls"), std::string::npos) << v.out;
  auto r = run(As::Root, {world().launcher, "run", "--", "version"}, {ws.path, {}, false});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, v.out);
}

}  // namespace
}  // namespace gsb::test
