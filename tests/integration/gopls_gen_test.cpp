// Issue 15: both gopls generations (Debian's x/tools 0.5.0 with go 1.19, and the pinned current
// gopls with the go it was built with) through both shipped profiles, with zero denial records.
#include <tuple>

#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"
#include "lsp_session.hpp"

namespace gsb::test {
namespace {

// Which gopls/go pairs this machine tests, named in the log; a missing generation fails in CI.
TEST(GoplsGenerations, EachIsInstalledAndPairedWithItsGo) {
  for (Gen g : all_gens()) {
    const GoplsGen& gen = gopls_gen(g);
    std::cout << "[ gopls ] " << gen.describe() << "\n";
    if (!gen_selected(g)) continue;
    if (!gen.why_unavailable.empty()) GSB_SKIP_OR_FAIL(gen.why_unavailable);
    EXPECT_FALSE(gen.built_with.empty());
    EXPECT_FALSE(gen.goroot.empty());
    // The pair agrees on the minor version: an old gopls cannot read a newer standard library.
    EXPECT_EQ(gen.built_with.substr(0, gen.built_with.rfind('.')), gen.go_version.substr(0, gen.go_version.rfind('.')))
        << gen.describe();
  }
  if (gen_selected(Gen::Current)) {
    EXPECT_NE(gopls_gen(Gen::Current).gopls_version.find("v0.23.0"), std::string::npos)
        << gopls_gen(Gen::Current).describe();
  }
}

using AsGenProfile = std::tuple<As, Gen, std::string>;

class GoplsProfiles : public ::testing::TestWithParam<AsGenProfile> {
 protected:
  void SetUp() override { GSB_REQUIRE_AS_GEN(as(), gen()); }
  As as() const { return std::get<0>(GetParam()); }
  Gen gen() const { return std::get<1>(GetParam()); }
  const std::string& profile() const { return std::get<2>(GetParam()); }
};
INSTANTIATE_TEST_SUITE_P(AsGen, GoplsProfiles,
                         ::testing::Combine(::testing::Values(As::Root, As::User),
                                            ::testing::Values(Gen::Debian, Gen::Current),
                                            ::testing::Values(std::string("gopls"), std::string("gopls-strict"))),
                         [](const auto& info) {
                           std::string p = std::get<2>(info.param);
                           for (char& c : p)
                             if (c == '-') c = '_';
                           return as_name(std::get<0>(info.param)) + "_" + gen_name(std::get<1>(info.param)) + "_" + p;
                         });

// The extended session (definition, hover, completion, references, symbols, formatting, rename,
// a type error) through each shipped profile: nothing refused, gopls exits 0.
TEST_P(GoplsProfiles, ExtendedLspSessionHasZeroDenialRecords) {
  LspSessionOptions o;
  o.launcher_args = {"run", "--profile", profile(), "--"};
  o.gen = &gopls_gen(gen());
  o.extended = true;
  LspSessionResult r;
  ASSERT_NO_FATAL_FAILURE(full_lsp_session(as(), o, &r));
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.denial_log, "");
  EXPECT_EQ(r.stderr_text.find("refused"), std::string::npos) << r.stderr_text;
}

// `gopls check` (a one-shot load, type check and analysis run) with the same result as bare.
TEST_P(GoplsProfiles, CheckMatchesBare) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  write_file(ws.path + "/bad.go", "package main\n\nfunc bad() int { return \"x\" }\n", as());
  const GoplsGen& g = gopls_gen(gen());
  SpawnOptions so;
  so.cwd = ws.path;
  so.caches = fresh_go_caches(as());  // this test's own, shared by its two runs (the bare one warms it)
  g.apply(so.env);
  TempDir logdir(as(), "log");
  auto bare = run(as(), {g.gopls, "check", ws.path + "/bad.go"}, so);
  auto sb = run(as(), {world().launcher, "run", "--profile", profile(), "--log", logdir.path + "/d.jsonl", "--", "check",
                       ws.path + "/bad.go"},
                so);
  EXPECT_EQ(sb.status, bare.status) << sb.err;
  EXPECT_EQ(sb.out, bare.out);
  EXPECT_NE(sb.out.find("bad.go:3:"), std::string::npos) << sb.out << sb.err;
  EXPECT_EQ(read_file(logdir.path + "/d.jsonl"), "");
}

}  // namespace
}  // namespace gsb::test
