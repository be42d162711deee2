#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "gopls_sandbox/core/denials.hpp"
#include "gopls_sandbox/core/learn.hpp"
#include "gopls_sandbox/core/profile.hpp"

using namespace gsb;
using namespace gsb::core;

namespace {
DenialRecord rec(const char* sc, int64_t t, const char* comm = "prog", int err = 1) {
  DenialRecord r;
  r.syscall = sc;
  r.time_us = t;
  r.comm = comm;
  r.err = err;
  r.pid = 10;
  return r;
}
}  // namespace

TEST(Denials, Rfc3339WithMicroseconds) {
  EXPECT_EQ(rfc3339_us(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(rfc3339_us(1795000000123456LL), "2026-11-18T11:06:40.123456Z");
}

TEST(Denials, JsonRecordHasEveryField) {
  DenialRecord r = rec("mount", 1000000);
  r.args[0] = 0x1234;
  r.path = "/tmp/x";
  r.rule = "gopls.toml:3:1";
  auto j = to_json(r);
  for (const char* k : {"time", "pid", "ns_pid", "tid", "comm", "exe", "syscall", "nr", "arch", "args", "path", "errno",
                        "errno_name", "rule", "count"})
    EXPECT_TRUE(j.find(k)) << k;
  EXPECT_EQ(j["args"][0].as_string(), "0x1234");
  EXPECT_EQ(j["errno_name"].as_string(), "EPERM");
  EXPECT_FALSE(j.find("last"));
}

TEST(Denials, FirstOfAWindowIsWrittenTheRestCounted) {
  DenialAggregator a(1000);
  EXPECT_EQ(a.add(rec("ptrace", 0)).size(), 1u);
  for (int i = 1; i < 100; ++i) EXPECT_TRUE(a.add(rec("ptrace", i)).empty());
  // A different comm or errno is a different stream.
  EXPECT_EQ(a.add(rec("ptrace", 100, "other")).size(), 1u);
  EXPECT_EQ(a.add(rec("ptrace", 101, "prog", 13)).size(), 1u);
  // The window closes: the aggregate carries the suppressed count.
  auto out = a.add(rec("mount", 5000));
  ASSERT_EQ(out.size(), 2u);  // the ptrace aggregate, then the new mount record
  EXPECT_EQ(out[0].syscall, "ptrace");
  EXPECT_EQ(out[0].count, 99u);
  EXPECT_EQ(out[0].last_us, 99);
  EXPECT_EQ(out[1].syscall, "mount");
  EXPECT_EQ(a.total(), 103u);
  EXPECT_EQ(a.by_syscall().at("ptrace"), 102u);
}

TEST(Denials, RepeatLastCountsWithoutARecordUntilTheWindowCloses) {
  DenialAggregator a(1000);
  EXPECT_FALSE(a.repeat_last(0));  // nothing yet
  a.add(rec("keyctl", 0));
  for (int i = 1; i <= 500; ++i) EXPECT_TRUE(a.repeat_last(i));
  EXPECT_FALSE(a.repeat_last(1000));  // window over: the caller must add()
  auto out = a.flush(2000, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].count, 500u);
  EXPECT_EQ(a.total(), 501u);
  EXPECT_FALSE(a.repeat_last(2001));  // flush forgets the last window
}

TEST(Denials, ExitSummaryOrdersByCount) {
  std::map<std::string, uint64_t> by = {{"mount", 2}, {"ptrace", 10}};
  EXPECT_EQ(exit_summary(by, 12, "/x.jsonl"), "12 syscalls refused: ptrace \u00d710, mount \u00d72 \u2014 see /x.jsonl");
  EXPECT_EQ(exit_summary({{"acct", 1}}, 1, ""), "1 syscall refused: acct \u00d71");
}

TEST(Learn, LearnedProfileLoadsAndAllowsWhatWasSeen) {
  LearnSet s;
  DenialRecord r = rec("uname", 1);
  r.arch = "x86_64";
  s.add(r);
  s.add(r);
  DenialRecord f = rec("getpid", 2);
  f.arch = "i386";
  s.add(f);
  EXPECT_EQ(s.foreign(), 1u);
  ASSERT_EQ(s.syscalls().size(), 1u);
  EXPECT_EQ(s.syscalls().at("uname").count, 2u);
  char dir[] = "/tmp/gsb-learn-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  std::string base = std::string(dir) + "/empty.toml", out = std::string(dir) + "/learned.toml";
  std::ofstream(base) << "name = \"empty\"\n";
  std::ofstream(out) << learned_profile_toml(s, profile_name_from_path(out), base, "go vet");
  auto p = load_profile(out, {});
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->name, "learned");
  std::remove(base.c_str());
  std::remove(out.c_str());
  rmdir(dir);
  EXPECT_EQ(profile_name_from_path("a/b/my gopls.toml"), "my-gopls");
}
