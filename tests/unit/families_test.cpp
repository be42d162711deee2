// Issue 17 §1: syscall families (one test per family), the refusal of partial and
// foreign-architecture logs, the cold-cache warning, and -o never replacing a special file.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/core/families.hpp"
#include "gopls_sandbox/core/learn.hpp"
#include "gopls_sandbox/core/never_learned.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/profile_gen.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"

using namespace gsb;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& n) { return std::string(GSB_TEST_FIXTURES) + "/strace/" + n; }

struct Tmp {
  std::string path;
  Tmp() {
    char d[] = "/tmp/gsb-fam-XXXXXX";
    path = mkdtemp(d);
  }
  ~Tmp() { fs::remove_all(path); }
  std::string operator/(const std::string& n) const { return path + "/" + n; }
};

int generate(std::vector<std::string> args, std::string* err = nullptr) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  int rc = app::cmd_profile_generate(args);
  testing::internal::GetCapturedStdout();
  std::string e = testing::internal::GetCapturedStderr();
  if (err) *err = e;
  return rc;
}

class Family : public ::testing::TestWithParam<size_t> {};

}  // namespace

// Any member seen brings in every other member (that the x86_64 table knows), and a generated
// profile from a trace with that one member allows the whole family.
TEST_P(Family, OneMemberBringsTheSiblings) {
  const core::SyscallFamily& f = core::syscall_families()[GetParam()];
  ASSERT_GE(f.members.size(), 2u) << f.name;
  EXPECT_FALSE(f.why.empty());
  for (std::string_view seen : f.members) {
    ASSERT_GE(core::syscall_nr(seen), 0) << seen;
    EXPECT_EQ(core::never_learned_entry(seen), nullptr) << seen;
    auto add = core::family_additions({std::string(seen)});
    for (std::string_view m : f.members) {
      if (m == seen) continue;
      bool found = std::any_of(add.begin(), add.end(), [&](const auto& a) { return a.syscall == m; });
      EXPECT_TRUE(found) << f.name << ": " << seen << " does not bring " << m;
    }
  }
  std::string seen(f.members.front());
  strace::Trace t;
  std::string log = "1 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n1 " + seen +
                    "(0) = 0\n";
  t.parse_owned(log, "t");
  profile_gen::Options o;
  o.name = "fam";
  auto g = profile_gen::generate(profile_gen::aggregate(t), o);
  ASSERT_TRUE(g.ok()) << g.error().message;
  for (std::string_view m : f.members)
    EXPECT_NE(std::find(g->allowed.begin(), g->allowed.end(), std::string(m)), g->allowed.end())
        << f.name << ": " << m << "\n" << g->toml;
}

INSTANTIATE_TEST_SUITE_P(Table, Family, ::testing::Range<size_t>(0, core::syscall_families().size()),
                         [](const auto& info) {
                           std::string n(core::syscall_families()[info.param].name);
                           for (auto& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(Families, TimeSettingCoversTheColdToWarmGap) {
  // The cold run's trace (no utimes) still yields a profile that allows what a warm run does.
  auto add = core::family_additions({"utimensat"});
  std::set<std::string> names;
  for (const auto& a : add) names.insert(a.syscall);
  EXPECT_TRUE(names.count("utimes"));
  EXPECT_TRUE(names.count("futimesat"));
  EXPECT_TRUE(names.count("utime"));
  EXPECT_TRUE(core::family_additions({"getpid"}).empty());
}

TEST(PartialLogs, OnlyFailingCallsAndFilteredLogsAreRefusedUnlessAllowed) {
  for (const char* f : {"f-Z.strace", "f-e-trace-network.strace"}) {
    Tmp d;
    std::string err;
    EXPECT_EQ(generate({"--strace", fixture(f), "-o", d / "p.toml"}, &err), 2) << f << err;
    EXPECT_NE(err.find("refusing a partial log"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(d / "p.toml"));
    EXPECT_EQ(generate({"--strace", fixture(f), "--allow-partial", "-o", d / "p.toml"}, &err), 0) << f << err;
    EXPECT_NE(err.find("warning: partial log"), std::string::npos) << err;
  }
  std::string err;
  EXPECT_NE(generate({"--strace", fixture("f-Z.strace")}, &err), 0);
  EXPECT_NE(err.find("strace -Z"), std::string::npos) << err;
  generate({"--strace", fixture("f-e-trace-network.strace")}, &err);
  EXPECT_NE(err.find("filtered (strace -e trace="), std::string::npos) << err;
  // A complete log passes.
  EXPECT_EQ(generate({"--strace", fixture("f.strace")}, &err), 0) << err;
}

TEST(PartialLogs, ForeignArchitectureIsRefused) {
  Tmp d;
  std::string err;
  EXPECT_EQ(generate({"--strace", fixture("i386.strace"), "-o", d / "p.toml"}, &err), 2) << err;
  EXPECT_NE(err.find("32-bit (i386)"), std::string::npos) << err;
  EXPECT_EQ(generate({"--strace", fixture("i386.strace"), "--allow-partial", "-o", d / "p.toml"}, &err), 2) << err;
  EXPECT_FALSE(fs::exists(d / "p.toml"));
  // i386-only names without the "[ Process … runs in 32 bit mode. ]" line.
  std::ofstream(d / "names.strace") << "7 mmap2(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = 0xf7f0a000\n"
                                       "7 _llseek(3, 0, [0], SEEK_SET) = 0\n";
  EXPECT_EQ(generate({"--strace", d / "names.strace"}, &err), 2) << err;
}

TEST(PartialLogs, ColdCacheIsWarned) {
  Tmp d;
  std::ofstream(d / "cold.strace")
      << "1 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"
         "1 mkdirat(AT_FDCWD, \"/h/.cache/gopls/abc\", 0777) = 0\n"
         "1 openat(AT_FDCWD, \"/h/.cache/gopls/abc/x-1\", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 3\n"
         "1 openat(AT_FDCWD, \"/h/.cache/go-build/ab/cd-a\", O_RDONLY|O_CLOEXEC) = 4\n"
         "1 utimensat(AT_FDCWD, \"/h/.cache/go-build/ab/cd-a\", [UTIME_NOW, UTIME_NOW], 0) = 0\n";
  std::string err;
  ASSERT_EQ(generate({"--strace", d / "cold.strace", "-o", d / "p.toml"}, &err), 0) << err;
  EXPECT_NE(err.find("cold gopls cache (/h/.cache/gopls: 2 entries created, none reused)"), std::string::npos) << err;
  EXPECT_NE(err.find("--base gopls"), std::string::npos) << err;
  EXPECT_EQ(err.find("cold Go build cache"), std::string::npos) << err;  // it was reused
}

TEST(OutputFile, NeverReplacesASpecialFileOrSymlink) {
  Tmp d;
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0644), 0);
  ASSERT_EQ(::symlink((d / "target.toml").c_str(), (d / "link.toml").c_str()), 0);
  std::ofstream(d / "target.toml") << "keep";
  fs::create_directory(d / "dir");
  std::vector<std::string> targets = {d / "fifo", d / "link.toml", d / "dir"};
  // A device node of our own (as root), never a real one of /dev.
  if (::geteuid() == 0 && ::mknod((d / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) targets.push_back(d / "null");
  for (const auto& t : targets) {
    struct stat before;
    ASSERT_EQ(::lstat(t.c_str(), &before), 0);
    std::string err;
    EXPECT_EQ(generate({"--strace", fixture("f.strace"), "-o", t}, &err), 2) << t;
    EXPECT_NE(err.find("not a regular file; refusing to replace it"), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 2) << "one line and a hint:\n" << err;
    struct stat after;
    ASSERT_EQ(::lstat(t.c_str(), &after), 0);
    EXPECT_EQ((before.st_mode & S_IFMT), (after.st_mode & S_IFMT)) << t;
    EXPECT_EQ(before.st_ino, after.st_ino) << t;
    // profile export -o refuses the same way.
    testing::internal::CaptureStderr();
    EXPECT_EQ(app::cmd_profile({"export", "gopls", "--format", "oci-json", "-o", t}), 2) << t;
    testing::internal::GetCapturedStderr();
  }
  std::ifstream in(d / "target.toml");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(s, "keep");
  // A regular file is replaced, and nothing else is left in the directory.
  std::ofstream(d / "p.toml") << "old";
  EXPECT_EQ(generate({"--strace", fixture("f.strace"), "-o", d / "p.toml"}), 0);
  for (const auto& e : fs::directory_iterator(d.path))
    EXPECT_EQ(e.path().filename().string().rfind(".gsb-", 0), std::string::npos) << e.path();
}

TEST(Families, LearnWarnsOnAColdCache) {
  core::LearnSet s;
  core::DenialRecord r;
  r.syscall = "mkdirat";
  r.path = "/h/.cache/gopls/abc";
  r.action = "allowed";
  s.add(r);
  r.syscall = "openat";
  r.path = "/h/.cache/go-build/ab/cd-a";
  r.args[2] = 0102;  // O_RDWR|O_CREAT
  s.add(r);
  r.syscall = "utimensat";
  s.add(r);
  auto lp = core::learned_profile(s, "l", "", "gopls");
  std::string all;
  for (const auto& l : lp.summary) all += l + "\n";
  EXPECT_NE(all.find("cold gopls cache (/h/.cache/gopls: 1 entries created, none reused)"), std::string::npos) << all;
  EXPECT_EQ(all.find("cold Go build cache"), std::string::npos) << all;
}
