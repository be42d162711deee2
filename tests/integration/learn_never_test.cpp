// Issue 11, hole 5: learn mode must not lift every refusal. A program run under `learn` attempts
// terminal injection (TIOCSTI on fd 0, after the TCGETS an attacker uses to find a terminal),
// ptrace, mount, unshare(CLONE_NEWUSER) and keyctl. Each is refused with EPERM during learning
// (the supervisor never lets them continue), the learn summary lists them as "refused, never
// learned", and the learned profile still refuses them — with an empty base (everything the
// probe needs is learned, ioctl included) and with the shipped gopls base.
#include <sstream>

#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"
#include "harness.hpp"

namespace gsb::test {
namespace {

class LearnNeverLearned : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (GetParam() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  }
  As as() const { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(As, LearnNeverLearned, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

const std::vector<std::string> kProbes = {"tiocsti_fd0", "ptrace", "mount", "unshare_newuser", "keyctl"};
// What the learn summary names for each probe.
const std::vector<std::string> kSyscalls = {"ioctl", "ptrace", "mount", "unshare", "keyctl"};

void expect_all_eperm(const Output& r, const char* phase) {
  for (const auto& p : kProbes)
    EXPECT_NE(r.out.find(p + " ret=-1 errno=EPERM\n"), std::string::npos)
        << phase << ": " << p << " was not refused with EPERM\n" << r.out << r.err;
}

TEST_P(LearnNeverLearned, RefusedDuringLearningReportedAndStillRefusedByTheLearnedProfile) {
  for (std::string base : {"empty", "gopls"}) {
    SCOPED_TRACE("base " + base);
    TempDir dir(as(), "never");
    std::string prof = dir.path + "/learned.toml";
    if (base == "empty") {
      base = dir.path + "/empty.toml";
      write_file(base, "name = \"empty\"\n", as());
    }
    std::vector<std::string> argv = {world().launcher, "learn", "--exec", "--base", base, "-o", prof, "--",
                                     world().helper("try_syscalls")};
    argv.insert(argv.end(), kProbes.begin(), kProbes.end());
    auto l = run(as(), argv, {dir.path, {}, false});
    ASSERT_EQ(l.status, 0) << l.out << l.err;
    expect_all_eperm(l, "during learning");
    for (const auto& s : kSyscalls)
      EXPECT_NE(l.err.find("refused, never learned: " + s + " "), std::string::npos)
          << s << " is not reported as never learned\n" << l.err;

    // The learned profile allows none of them (checked with the launcher's own evaluator) …
    auto p = core::load_profile(prof, core::profile_search_path(nullptr, nullptr));
    ASSERT_TRUE(p.ok()) << p.error().message << "\n" << read_file(prof);
    auto decide = [&](const char* sc, std::initializer_list<uint64_t> a) {
      uint64_t args[6] = {};
      size_t i = 0;
      for (uint64_t v : a) args[i++] = v;
      return core::decide(*p, core::syscall_nr(sc), args).kind;
    };
    EXPECT_NE(decide("ioctl", {0, 0x5412}), core::Decision::Allow) << read_file(prof);
    EXPECT_NE(decide("ioctl", {0, 0xffffffff00005412ULL}), core::Decision::Allow) << read_file(prof);
    EXPECT_NE(decide("ioctl", {0, 0x541c}), core::Decision::Allow) << read_file(prof);
    // … while the ordinary ioctl the probe made (TCGETS) was learned (or allowed by the base).
    EXPECT_EQ(decide("ioctl", {0, 0x5401}), core::Decision::Allow) << read_file(prof);
    EXPECT_NE(decide("ptrace", {16, 1}), core::Decision::Allow) << read_file(prof);
    EXPECT_NE(decide("mount", {}), core::Decision::Allow) << read_file(prof);
    EXPECT_NE(decide("unshare", {0x10000000}), core::Decision::Allow) << read_file(prof);
    EXPECT_NE(decide("keyctl", {}), core::Decision::Allow) << read_file(prof);
    EXPECT_NE(decide("clone", {0x10000000 | 17}), core::Decision::Allow) << read_file(prof);

    // … and a run under it refuses every attempt again.
    std::vector<std::string> ex = {world().launcher, "exec", "--profile", prof, "--log", dir.path + "/d.jsonl", "--",
                                   world().helper("try_syscalls")};
    ex.insert(ex.end(), kProbes.begin(), kProbes.end());
    auto e = run(as(), ex, {dir.path, {}, false});
    ASSERT_EQ(e.status, 0) << e.out << e.err;
    expect_all_eperm(e, "under the learned profile");
  }
}

TEST_P(LearnNeverLearned, LearnSummaryEscapesWhatTheProgramChose) {
  // comm "\x1b[2J…" and a mount path with a newline and ESC: the summary line must carry them
  // escaped, and the learned profile (whose comments quote the example call) must still load:
  // a raw newline would end the comment and inject TOML.
  TempDir dir(as(), "never");
  std::string prof = dir.path + "/learned.toml";
  auto l = run(as(), {world().launcher, "learn", "--exec", "--base", "gopls", "-o", prof, "--",
                      world().helper("try_syscalls"), "escape_comm"},
               {dir.path, {}, false});
  ASSERT_EQ(l.status, 0) << l.out << l.err;
  EXPECT_EQ(l.err.find('\x1b'), std::string::npos) << l.err;
  EXPECT_EQ(l.err.find("FAKE RECORD"), l.err.find("\\x0aFAKE RECORD") + 4) << l.err;
  EXPECT_NE(l.err.find("\\x1b[2J"), std::string::npos) << l.err;
  std::string text = read_file(prof);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  auto p = core::load_profile(prof, core::profile_search_path(nullptr, nullptr));
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message) << "\n" << text;
}

}  // namespace
}  // namespace gsb::test
