// Issue 11, hole 5 and 7: the never-learned table, learn's profile from it, profile generation,
// profile check's warnings, and printable().
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "gopls_sandbox/core/learn.hpp"
#include "gopls_sandbox/core/never_learned.hpp"
#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/profile_gen.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"
#include "gopls_sandbox/core/text.hpp"

using namespace gsb;
using namespace gsb::core;

namespace {

struct TmpDir {
  std::string path;
  TmpDir() {
    char d[] = "/tmp/gsb-never-XXXXXX";
    path = mkdtemp(d);
  }
  ~TmpDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = path + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
};

DenialRecord call(const char* sc, std::initializer_list<uint64_t> args, const char* action = "allowed") {
  DenialRecord r;
  r.syscall = sc;
  r.nr = syscall_nr(sc);
  size_t i = 0;
  for (uint64_t a : args) r.args[i++] = a;
  r.action = action;
  r.comm = "probe";
  return r;
}

Decision::Kind decide_kind(const Profile& p, const char* sc, std::initializer_list<uint64_t> a) {
  uint64_t args[6] = {};
  size_t i = 0;
  for (uint64_t v : a) args[i++] = v;
  return decide(p, syscall_nr(sc), args).kind;
}

}  // namespace

TEST(NeverLearned, EveryEntryIsAKnownSyscallWithAReason) {
  for (const auto& e : never_learned_table()) {
    EXPECT_GE(syscall_nr(e.syscall), 0) << e.syscall;
    EXPECT_FALSE(e.reason.empty()) << e.syscall;
  }
  for (const char* sc : {"ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root",
                         "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
                         "unshare", "setns", "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
                         "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load",
                         "kexec_file_load", "init_module", "finit_module", "delete_module", "acct", "swapon",
                         "swapoff", "reboot", "syslog", "quotactl"}) {
    const NeverLearned* e = never_learned_entry(sc);
    ASSERT_NE(e, nullptr) << sc;
    EXPECT_EQ(e->when, NeverWhen::Always) << sc;
    uint64_t zero[6] = {};
    EXPECT_EQ(never_learned_call(sc, zero), e) << sc;
  }
}

TEST(NeverLearned, ArgumentDependentEntries) {
  uint64_t a[6] = {};
  a[1] = 0x5412;
  EXPECT_NE(never_learned_call("ioctl", a), nullptr);
  a[1] = 0xffffffff00005412ULL;  // the kernel reads the request as 32 bits
  EXPECT_NE(never_learned_call("ioctl", a), nullptr);
  a[1] = 0x541c;
  EXPECT_NE(never_learned_call("ioctl", a), nullptr);
  a[1] = 0x5401;  // TCGETS
  EXPECT_EQ(never_learned_call("ioctl", a), nullptr);
  uint64_t c[6] = {0x1200011};  // fork
  EXPECT_EQ(never_learned_call("clone", c), nullptr);
  c[0] = 0x10000000 | 17;
  EXPECT_NE(never_learned_call("clone", c), nullptr);
  c[0] = 0x20000;  // CLONE_NEWNS
  EXPECT_NE(never_learned_call("clone", c), nullptr);
  uint64_t p[6] = {0xffffffff};
  EXPECT_EQ(never_learned_call("personality", p), nullptr);
  p[0] = 0x400000;
  EXPECT_NE(never_learned_call("personality", p), nullptr);
  p[0] = 0;
  EXPECT_NE(never_learned_call("personality", p), nullptr);
  EXPECT_EQ(never_learned_entry("clone3")->err, ENOSYS);
  EXPECT_EQ(never_learned_entry("read"), nullptr);
}

TEST(NeverLearned, LearnedProfileKeepsTheRefusals) {
  TmpDir d;
  std::string base = d.write("empty.toml", "name = \"empty\"\n");
  LearnSet s;
  s.add(call("ioctl", {0, 0x5401}));                  // TCGETS: learned
  s.add(call("ioctl", {0, 0x5412}, "errno"));         // TIOCSTI: never
  s.add(call("clone", {0x1200011}));                  // fork: learned
  s.add(call("clone", {0x10000011}, "errno"));        // CLONE_NEWUSER: never
  s.add(call("personality", {0xffffffff}));           // query: learned
  s.add(call("personality", {0x400000}, "errno"));    // READ_IMPLIES_EXEC: never
  s.add(call("ptrace", {16, 1}, "errno"));
  s.add(call("unshare", {0x10000000}, "errno"));
  s.add(call("clone3", {0, 88}, "errno"));
  // A record the supervisor let through by mistake is still never learned.
  s.add(call("mount", {0, 0}, "allowed"));
  s.add(call("utimes", {0, 0}));
  EXPECT_EQ(s.never_learned().size(), 7u);
  LearnedProfile lp = learned_profile(s, "learned", base, "probe");
  std::string out = d.write("learned.toml", lp.toml);
  auto p = load_profile(out, {});
  ASSERT_TRUE(p.ok()) << p.error().message << "\n" << lp.toml;
  EXPECT_EQ(decide_kind(*p, "ioctl", {0, 0x5401}), Decision::Allow);
  EXPECT_EQ(decide_kind(*p, "ioctl", {0, 0x5412}), Decision::Errno);
  EXPECT_EQ(decide_kind(*p, "ioctl", {0, 0xffffffff00005412ULL}), Decision::Errno);
  EXPECT_EQ(decide_kind(*p, "ioctl", {0, 0x541c}), Decision::Errno);
  EXPECT_EQ(decide_kind(*p, "clone", {0x1200011}), Decision::Allow);
  EXPECT_EQ(decide_kind(*p, "clone", {0x10000011}), Decision::Errno);
  EXPECT_EQ(decide_kind(*p, "personality", {0xffffffff}), Decision::Allow);
  EXPECT_EQ(decide_kind(*p, "personality", {0x400000}), Decision::Errno);
  EXPECT_EQ(decide_kind(*p, "personality", {0}), Decision::Errno);
  for (const char* sc : {"ptrace", "unshare", "mount"}) EXPECT_EQ(decide_kind(*p, sc, {}), Decision::Errno) << sc;
  uint64_t z[6] = {};
  Decision c3 = decide(*p, syscall_nr("clone3"), z);
  EXPECT_EQ(c3.kind, Decision::Errno);
  EXPECT_EQ(c3.err, ENOSYS);
  // the time-setting family came along with utimes
  EXPECT_EQ(decide_kind(*p, "utimensat", {}), Decision::Allow);
  std::string summary;
  for (const auto& l : lp.summary) summary += l + "\n";
  for (const char* sc : {"ioctl", "clone", "personality", "ptrace", "unshare", "clone3", "mount"})
    EXPECT_NE(summary.find(std::string("refused, never learned: ") + sc + " "), std::string::npos) << sc << summary;
  // And nothing it allows is on the table.
  EXPECT_TRUE(profile_allows_never_learned(*p).empty());
}

TEST(NeverLearned, LearnedCommentsCannotInjectToml) {
  TmpDir d;
  LearnSet s;
  DenialRecord r = call("openat", {0xffffff9c, 0x1000, 0});
  r.path = "/x\n[[rule]]\nsyscalls = [\"ptrace\"]\naction = \"allow\"\n#";
  r.comm = "evil\n\x1b[2J";
  s.add(r);
  std::string text = learned_profile_toml(s, "learned", "", "probe\nallow = [\"mount\"]");
  auto p = load_profile(d.write("l.toml", text), {});
  ASSERT_TRUE(p.ok()) << p.error().message << "\n" << text;
  EXPECT_EQ(decide_kind(*p, "ptrace", {}), Decision::Errno) << text;
  EXPECT_EQ(decide_kind(*p, "mount", {}), Decision::Errno) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(NeverLearned, CheckWarnsOnAProfileThatAllowsThem) {
  TmpDir d;
  std::string f = d.write("bad.toml",
                          "name = \"bad\"\n"
                          "allow = [\"read\", \"ptrace\", \"ioctl\", \"clone\", \"@io-uring\"]\n"
                          "[[rule]]\nsyscalls = [\"keyctl\"]\naction = \"allow\"\n"
                          "args = [ { index = 0, op = \"eq\", value = 0 } ]\n");
  auto p = load_profile(f, {});
  ASSERT_TRUE(p.ok()) << p.error().message;
  std::map<std::string, NeverLearnedAllowed> got;
  for (auto& a : profile_allows_never_learned(*p)) got[a.syscall] = a;
  for (const char* sc : {"ptrace", "ioctl", "clone", "io_uring_setup", "io_uring_enter", "keyctl"})
    EXPECT_TRUE(got.count(sc)) << sc;
  EXPECT_FALSE(got.count("read"));
  EXPECT_FALSE(got.count("mount"));
  EXPECT_EQ(got["ioctl"].what, "TIOCSTI");
  EXPECT_EQ(got["ptrace"].rule, f + ":2:18");
  EXPECT_NE(got["keyctl"].rule.find(f + ":"), std::string::npos);
  // The shipped gopls profile keeps TIOCSTI/TIOCLINUX and clone's namespace flags refused.
  auto g = load_profile(std::string(GSB_TEST_SOURCE_DIR) + "/profiles/gopls.toml", {});
  ASSERT_TRUE(g.ok());
  for (const auto& a : profile_allows_never_learned(*g)) {
    EXPECT_NE(a.syscall, "ioctl");
    EXPECT_NE(a.syscall, "clone");
    EXPECT_NE(a.syscall, "ptrace");
  }
}

TEST(NeverLearned, GenerateNeverAllowsThem) {
  TmpDir d;
  std::string log =
      "1 ioctl(0, TCGETS, {c_iflag=0}) = 0\n"
      "1 ioctl(0, TIOCSTI, \"x\") = 0\n"
      "1 ptrace(PTRACE_TRACEME) = 0\n"
      "1 mount(\"none\", \"/mnt\", \"tmpfs\", 0, NULL) = 0\n"
      "1 clone(child_stack=NULL, flags=CLONE_NEWUSER|SIGCHLD) = 2\n"
      "1 personality(READ_IMPLIES_EXEC) = 0\n"
      "1 keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) = 5\n"
      "1 io_uring_setup(8, {}) = 3\n"
      "1 unshare(CLONE_NEWUSER) = 0\n"
      "1 read(0, \"\", 1) = 0\n"
      "1 exit_group(0) = ?\n";
  strace::Trace t;
  t.parse(log, "t");
  auto agg = profile_gen::aggregate(t);
  profile_gen::Options o;
  o.name = "gen";
  auto g = profile_gen::generate(agg, o);
  ASSERT_TRUE(g.ok()) << g.error().message;
  auto p = load_profile(d.write("g.toml", g->toml), {});
  ASSERT_TRUE(p.ok()) << p.error().message << "\n" << g->toml;
  EXPECT_TRUE(profile_allows_never_learned(*p).empty()) << g->toml;
  EXPECT_EQ(decide_kind(*p, "ioctl", {0, 0x5401}), Decision::Allow) << g->toml;
  EXPECT_EQ(decide_kind(*p, "read", {}), Decision::Allow);
  std::string refused;
  for (const auto& r : g->refused) refused += r + "\n";
  for (const char* sc : {"ptrace", "mount", "keyctl", "io_uring_setup", "unshare", "ioctl TIOCSTI", "personality"})
    EXPECT_NE(refused.find(sc), std::string::npos) << sc << "\n" << refused;
  // --no-conditions does not lift them either.
  o.conditions = false;
  auto g2 = profile_gen::generate(agg, o);
  ASSERT_TRUE(g2.ok());
  auto p2 = load_profile(d.write("g2.toml", g2->toml), {});
  ASSERT_TRUE(p2.ok()) << p2.error().message << "\n" << g2->toml;
  EXPECT_TRUE(profile_allows_never_learned(*p2).empty()) << g2->toml;
}

TEST(Printable, EscapesControlsAndInvalidUtf8) {
  EXPECT_EQ(printable("plain /path/x.go"), "plain /path/x.go");
  EXPECT_EQ(printable("\x1b[2J"), "\\x1b[2J");
  EXPECT_EQ(printable("a\nb\rc\td"), "a\\x0ab\\x0dc\\x09d");
  EXPECT_EQ(printable(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(printable("del\x7f"), "del\\x7f");
  EXPECT_EQ(printable("back\\slash"), "back\\\\slash");
  // A lone C1 byte (CSI in 8-bit terminals) and other invalid UTF-8.
  EXPECT_EQ(printable("\x9b" "31m"), "\\x9b31m");
  EXPECT_EQ(printable("\xc3"), "\\xc3");
  EXPECT_EQ(printable("\xe2\x82"), "\\xe2\\x82");
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");  // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  // Valid UTF-8 passes, except C1 code points and bidi overrides.
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80");
  EXPECT_EQ(printable("\xc2\x9b"), "\\u{009b}");
  EXPECT_EQ(printable("a\xe2\x80\xae" "b"), "a\\u{202e}b");
  EXPECT_EQ(printable("\xe2\x81\xa6"), "\\u{2066}");
}

TEST(Printable, DenialOneLineIsEscaped) {
  DenialRecord r = call("mount", {0, 0}, "errno");
  r.err = 1;
  r.comm = "\x1b[2Jx";
  r.path = "/a\nb";
  std::string l = one_line(r);
  EXPECT_EQ(l.find('\x1b'), std::string::npos) << l;
  EXPECT_EQ(l.find('\n'), std::string::npos) << l;
  EXPECT_NE(l.find("(\\x1b[2Jx)"), std::string::npos) << l;
  EXPECT_NE(l.find("path=/a\\x0ab"), std::string::npos) << l;
}
