// diagnose: each rule both ways (tests/fixtures/diagnose/rules.tsv), denial-log parsing,
// grouping, the first line, the timeline and the JSON report.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gopls_sandbox/core/diagnose.hpp"
#include "gopls_sandbox/core/strace.hpp"

using namespace gsb;
namespace dg = gsb::core::diagnose;

namespace {

dg::Dirs test_dirs() {
  dg::Dirs d;
  d.goroot = "/usr/lib/go";
  d.gomodcache = "/home/u/go/pkg/mod";
  d.gocache = "/home/u/.cache/go-build";
  d.gopath = "/home/u/go";
  d.home = "/home/u";
  d.workspaces = {"/home/u/src/app"};
  return d;
}

dg::Report run(const std::string& text, const std::vector<dg::Call>& denials = {}, dg::Dirs d = test_dirs()) {
  strace::Trace t;
  t.parse_owned(text, "test.strace");
  return dg::diagnose(t, denials, d);
}

struct Row {
  std::string verdict, cls, line;
  int lineno;
};

std::vector<Row> rules() {
  std::ifstream in(std::string(GSB_TEST_FIXTURES) + "/diagnose/rules.tsv");
  std::vector<Row> rows;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    size_t a = line.find('\t'), b = line.find('\t', a + 1);
    if (a == std::string::npos || b == std::string::npos) {
      ADD_FAILURE() << "rules.tsv:" << n << ": malformed";
      continue;
    }
    rows.push_back({line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1), n});
  }
  return rows;
}

}  // namespace

TEST(DiagnoseRules, EveryRuleBothWays) {
  auto rows = rules();
  ASSERT_GE(rows.size(), 40u);
  int benign = 0, flagged = 0;
  for (const auto& r : rows) {
    SCOPED_TRACE("rules.tsv:" + std::to_string(r.lineno) + ": " + r.line);
    auto rep = run(r.line + "\n");
    ASSERT_EQ(rep.groups.size(), 1u);
    const auto& g = rep.groups[0];
    if (r.verdict == "benign") {
      ++benign;
      EXPECT_EQ(g.verdict, dg::Verdict::Benign) << g.explanation;
      EXPECT_FALSE(rep.problem);
      EXPECT_EQ(rep.headline.rfind("nothing wrong", 0), 0u) << rep.headline;
    } else if (r.verdict == "problem") {
      ++flagged;
      EXPECT_EQ(g.verdict, dg::Verdict::Problem) << g.explanation;
      EXPECT_TRUE(rep.problem);
      EXPECT_EQ(rep.headline.rfind("most likely cause: ", 0), 0u) << rep.headline;
      EXPECT_FALSE(g.fix.empty());
    } else {
      ASSERT_EQ(r.verdict, "notbenign");
      ++flagged;
      EXPECT_NE(g.verdict, dg::Verdict::Benign) << g.explanation;
    }
    if (r.cls != "-") {
      EXPECT_EQ(g.cls, r.cls) << g.explanation;
    }
  }
  EXPECT_GE(benign, 20);
  EXPECT_GE(flagged, 20);
}

TEST(DiagnoseRules, BenignOnlyTraceSaysNothingWrongWithTheCount) {
  auto rep = run(
      "7 epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=1, u64=1}}) = -1 EPERM (Operation not permitted)\n"
      "7 epoll_ctl(4, EPOLL_CTL_ADD, 5, {events=EPOLLIN, data={u32=1, u64=1}}) = -1 EPERM (Operation not permitted)\n"
      "8 futex(0xc000100148, FUTEX_WAIT_PRIVATE, 0, NULL) = -1 EAGAIN (Resource temporarily unavailable)\n"
      "8 openat(AT_FDCWD, \"/openat-ok\", O_RDONLY) = 3\n");
  EXPECT_EQ(rep.headline, "nothing wrong: 3 failing calls, all known benign noise of Go programs");
  EXPECT_EQ(rep.failing, 3u);
  EXPECT_EQ(rep.groups.size(), 2u);
  EXPECT_EQ(rep.groups[0].count, 2u);  // grouped by (syscall, errno, pattern)
}

TEST(DiagnoseRules, ManyEnoentUnderGomodcacheBeatBenignNoiseAndNameTheDirectory) {
  std::string t;
  for (int i = 0; i < 5; ++i)
    t += "9 newfstatat(AT_FDCWD, \"/home/u/go/pkg/mod/cache/download/example.com/m" + std::to_string(i) +
         "/@v/v1.0.0.zip\", 0xc0, 0) = -1 ENOENT (No such file or directory)\n";
  for (int i = 0; i < 50; ++i) t += "9 epoll_ctl(4, EPOLL_CTL_ADD, 3, {}) = -1 EPERM (Operation not permitted)\n";
  auto rep = run(t);
  EXPECT_TRUE(rep.problem);
  EXPECT_EQ(rep.headline.rfind("most likely cause: GOMODCACHE /home/u/go/pkg/mod is not visible inside the sandbox (5 ENOENT under it", 0), 0u)
      << rep.headline;
  EXPECT_EQ(rep.groups.front().verdict, dg::Verdict::Problem);
}

TEST(DiagnoseRules, CreatedLaterMeansNotMissing) {
  auto rep = run(
      "9 newfstatat(AT_FDCWD, \"/home/u/go/pkg/mod/cache/download/example.com/m/@v\", 0xc0, 0) = -1 ENOENT (No such file or directory)\n"
      "9 mkdirat(AT_FDCWD, \"/home/u/go/pkg/mod/cache/download/example.com/m/@v\", 0777) = 0\n");
  EXPECT_FALSE(rep.problem) << rep.headline;
}

TEST(DiagnoseRules, RefusalOutranksMissingFiles) {
  std::string t = "9 unshare(CLONE_NEWUSER) = -1 EPERM (Operation not permitted)\n";
  for (int i = 0; i < 3; ++i)
    t += "9 openat(AT_FDCWD, \"/usr/lib/go/src/x" + std::to_string(i) + ".go\", O_RDONLY) = -1 ENOENT (No such file or directory)\n";
  auto rep = run(t);
  EXPECT_EQ(rep.headline.rfind("most likely cause: the sandbox profile refuses unshare", 0), 0u) << rep.headline;
}

TEST(DiagnoseRules, NonBlockingConnectRefusedIsSeenThroughSoError) {
  auto rep = run(
      "5 connect(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)\n"
      "5 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0\n");
  ASSERT_TRUE(rep.problem);
  EXPECT_NE(rep.headline.find("127.0.0.1:1"), std::string::npos) << rep.headline;
  EXPECT_NE(rep.headline.find("--share-net"), std::string::npos) << rep.headline;
  // Numeric form (strace -e raw / older versions).
  auto rep2 = run(
      "5 connect(3, {sa_family=AF_INET6, sin6_port=htons(443), inet_pton(AF_INET6, \"::1\", &sin6_addr)}, 28) = -1 EINPROGRESS (Operation now in progress)\n"
      "5 getsockopt(3, SOL_SOCKET, SO_ERROR, [111], [4]) = 0\n");
  ASSERT_TRUE(rep2.problem);
  EXPECT_NE(rep2.headline.find("[::1]:443"), std::string::npos) << rep2.headline;
  // SO_ERROR 0: connected, nothing to say.
  auto rep3 = run("5 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n");
  EXPECT_EQ(rep3.failing, 0u);
}

TEST(DiagnoseRules, DenialLogRecordsCarryTheRule) {
  std::string log =
      R"({"time":"2026-11-27T10:06:09.227107Z","pid":32013,"ns_pid":2,"tid":32013,"comm":"unshare","exe":"/usr/bin/unshare","syscall":"unshare","nr":272,"arch":"x86_64","args":["0x10000000","0x0","0x0","0x8","0x0","0x0"],"action":"errno","errno":1,"errno_name":"EPERM","rule":"gopls.toml:115:23 via @namespace","count":3})"
      "\n"
      R"({"time":"2026-11-27T10:06:09.227107Z","pid":32013,"ns_pid":2,"tid":32013,"comm":"x","exe":"/x","syscall":"ptrace","nr":101,"arch":"x86_64","args":["0x0","0x0","0x0","0x0","0x0","0x0"],"action":"allowed","errno":0,"errno_name":"","rule":"learn","count":1})"
      "\n";
  EXPECT_TRUE(dg::looks_like_denial_log(log));
  EXPECT_FALSE(dg::looks_like_denial_log("123 openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n"));
  auto calls = dg::calls_from_denial_log(log, "d.jsonl");
  ASSERT_TRUE(calls.ok()) << calls.error().message;
  ASSERT_EQ(calls->size(), 1u);  // learn-mode "allowed" records are not failures
  EXPECT_EQ((*calls)[0].err, "EPERM");
  EXPECT_EQ((*calls)[0].count, 3u);
  auto rep = run("", *calls);
  ASSERT_TRUE(rep.problem);
  EXPECT_NE(rep.headline.find("refuses unshare (3 EPERM, rule gopls.toml:115:23 via @namespace)"), std::string::npos)
      << rep.headline;
  EXPECT_NE(rep.headline.find("profile generate"), std::string::npos);
}

TEST(DiagnoseRules, DenialLogWithEnosysMarksTheStraceLineAsRefusedToo) {
  auto calls = dg::calls_from_denial_log(
      R"({"syscall":"clone3","errno":38,"errno_name":"ENOSYS","rule":"gopls.toml:9:1","action":"errno","count":1})", "d");
  ASSERT_TRUE(calls.ok());
  auto rep = run("4 clone3({flags=CLONE_VM, exit_signal=0}, 88) = -1 ENOSYS (Function not implemented)\n", *calls);
  ASSERT_TRUE(rep.problem);
  for (const auto& g : rep.groups) EXPECT_EQ(g.verdict, dg::Verdict::Problem) << g.syscall;
}

TEST(DiagnoseRules, BadDenialLogNamesFileAndLine) {
  auto r = dg::calls_from_denial_log("{\"syscall\":\"x\",\"errno\":1}\n{broken\n", "den.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("den.jsonl:2"), std::string::npos) << r.error().message;
  auto r2 = dg::calls_from_denial_log("{\"foo\":1}\n", "den.jsonl");
  ASSERT_FALSE(r2.ok());
}

TEST(DiagnoseRules, TimelinePerProcessWithDurationsAndSlowest) {
  auto rep = run(
      "10 10:00:00.000000 execve(\"/usr/bin/gopls\", [\"gopls\"], 0x7ffc /* 3 vars */) = 0 <0.000200>\n"
      "10 10:00:00.001000 openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3 <0.000010>\n"
      "10 10:00:00.002000 openat(AT_FDCWD, \"/etc/group\", O_RDONLY|O_CLOEXEC) = 3 <0.000020>\n"
      "11 10:00:00.003000 execve(\"/usr/bin/go\", [\"go\", \"list\"], 0x7ffc /* 3 vars */) = 0 <0.000100>\n"
      "11 10:00:00.500000 epoll_pwait(4, [], 128, 0, NULL, 0) = 0 <0.450000>\n"
      "11 10:00:01.000000 exit_group(0) = ?\n"
      "10 10:00:01.200000 getpid() = 10 <0.000001>\n");
  ASSERT_EQ(rep.timeline.size(), 2u);
  const auto& p10 = rep.timeline[0];
  EXPECT_EQ(p10.pid, 10);
  EXPECT_EQ(p10.exe, "/usr/bin/gopls");
  ASSERT_EQ(p10.rows.size(), 2u);  // execve, openat (getpid is not a key syscall)
  EXPECT_EQ(p10.rows[1].syscall, "openat");
  EXPECT_EQ(p10.rows[1].count, 2u);
  EXPECT_NEAR(p10.rows[1].first, 0.001, 1e-9);
  EXPECT_NEAR(p10.rows[1].last, 0.002, 1e-9);
  EXPECT_NEAR(p10.rows[1].total, 0.00003, 1e-9);
  EXPECT_NEAR(p10.last, 1.200001, 1e-9);  // the last call plus its -T duration
  const auto& p11 = rep.timeline[1];
  EXPECT_EQ(p11.exe, "/usr/bin/go");
  bool slow = false;
  for (const auto& r : p11.rows)
    if (r.syscall == "epoll_pwait") slow = r.slowest;
  EXPECT_TRUE(slow);
  std::string text = dg::to_text(rep);
  EXPECT_NE(text.find("<- slowest"), std::string::npos) << text;
  // No timestamps, no timeline.
  EXPECT_TRUE(run("10 getpid() = 10\n").timeline.empty());
}

TEST(DiagnoseRules, JsonReportHasCauseGroupsAndTimeline) {
  auto rep = run("10 10:00:00.000000 mkdir(\"/home/u/src/app/b\", 0777) = -1 EROFS (Read-only file system) <0.000010>\n");
  auto j = dg::to_json(rep);
  auto back = json::parse(j.dump(2));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)["cause"].as_string(), rep.headline);
  EXPECT_EQ((*back)["cause"].as_string().rfind("most likely cause: workspace /home/u/src/app is read-only", 0), 0u)
      << (*back)["cause"].as_string();
  EXPECT_TRUE((*back)["problem"].as_bool());
  ASSERT_EQ((*back)["groups"].as_array().size(), 1u);
  const auto& g = (*back)["groups"][0];
  EXPECT_EQ(g["verdict"].as_string(), "problem");
  EXPECT_EQ(g["errno"].as_string(), "EROFS");
  EXPECT_EQ(g["count"].as_int(), 1);
  EXPECT_EQ(g["examples"].as_array().size(), 1u);
  EXPECT_EQ((*back)["timeline"].as_array().size(), 1u);
}

TEST(DiagnoseRules, InferDirsFromPaths) {
  strace::Trace t;
  t.parse_owned(
      "1 openat(AT_FDCWD, \"/home/g/go/pkg/mod/golang.org/x/mod@v0.4.0/go.mod\", O_RDONLY) = 3\n"
      "1 execve(\"/usr/lib/go-1.19/pkg/tool/linux_amd64/compile\", [\"compile\"], 0x1 /* 1 var */) = 0\n"
      "1 openat(AT_FDCWD, \"/home/g/.cache/go-build/ab/abcd-d\", O_RDONLY) = 3\n"
      "1 openat(AT_FDCWD, \"/home/g/src/hello/go.mod\", O_RDONLY) = 3\n",
      "t");
  auto d = dg::infer_dirs(t);
  EXPECT_EQ(d.gomodcache, "/home/g/go/pkg/mod");
  EXPECT_EQ(d.gopath, "/home/g/go");
  EXPECT_EQ(d.goroot, "/usr/lib/go-1.19");
  EXPECT_EQ(d.gocache, "/home/g/.cache/go-build");
  EXPECT_EQ(d.home, "/home/g");
  ASSERT_EQ(d.workspaces.size(), 1u);
  EXPECT_EQ(d.workspaces[0], "/home/g/src/hello");
  EXPECT_TRUE(dg::trace_mentions(t, "/home/g/src"));
  EXPECT_FALSE(dg::trace_mentions(t, "/home/gg"));
  EXPECT_TRUE(dg::under("/a/b/c", "/a/b"));
  EXPECT_TRUE(dg::under("/a/b", "/a/b/"));
  EXPECT_FALSE(dg::under("/a/bc", "/a/b"));
}
