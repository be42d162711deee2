// Issue 4: the denial log (seccomp user notification supervisor) and the cache inode check.
#include <sys/stat.h>

#include <sstream>

#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"
#include "lsp_session.hpp"

namespace gsb::test {
namespace {

std::vector<json::Value> read_jsonl(const std::string& path) {
  std::vector<json::Value> out;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto v = json::parse(line);
    EXPECT_TRUE(v.ok()) << line;
    if (v) out.push_back(*v);
  }
  return out;
}

class DenialLog : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (GetParam() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  }
  As as() const { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(As, DenialLog, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

TEST_P(DenialLog, ThreeRefusedCallsThreeRecords) {
  TempDir ws(as());
  std::string log = ws.path + "/denials.jsonl";
  auto r = run(as(), {world().launcher, "exec", "--log", log, "--", world().helper("refuse_three")}, {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  // The program saw the profile's errno each time.
  EXPECT_NE(r.out.find("ptrace ret=-1 errno=EPERM"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mount ret=-1 errno=EPERM"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("keyctl ret=-1 errno=EPERM"), std::string::npos) << r.out;
  auto recs = read_jsonl(log);
  ASSERT_EQ(recs.size(), 3u) << read_file(log);
  const char* names[] = {"ptrace", "mount", "keyctl"};
  int host_pid = static_cast<int>(recs[0]["pid"].as_int());
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(recs[i]["syscall"].as_string(), names[i]) << recs[i].dump();
    EXPECT_EQ(recs[i]["comm"].as_string(), "refuse_three") << recs[i].dump();
    EXPECT_EQ(recs[i]["errno_name"].as_string(), "EPERM") << recs[i].dump();
    EXPECT_EQ(recs[i]["errno"].as_int(), 1);
    EXPECT_EQ(recs[i]["arch"].as_string(), "x86_64");
    EXPECT_EQ(recs[i]["pid"].as_int(), host_pid);
    EXPECT_GT(host_pid, 1);
    EXPECT_EQ(recs[i]["ns_pid"].as_int(), 2) << "the program is the first child of the sandbox's pid 1";
    EXPECT_EQ(recs[i]["exe"].as_string(), world().helper("refuse_three"));
    EXPECT_EQ(recs[i]["args"].as_array().size(), 6u);
    EXPECT_FALSE(recs[i]["rule"].as_string().empty());
    EXPECT_EQ(recs[i]["count"].as_int(), 1);
    EXPECT_EQ(recs[i]["time"].as_string().size(), std::string("2026-11-27T10:01:27.981908Z").size());
  }
  // The path argument of mount(2) is decoded.
  EXPECT_EQ(recs[1]["path"].as_string(), "/tmp/gsb-denied-source") << recs[1].dump();
  // One summary line on stderr.
  EXPECT_NE(r.err.find("3 syscalls refused: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("see " + log), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.find("gopls-sandbox") == std::string::npos);
}

TEST_P(DenialLog, VerbosePrintsEachDenial) {
  TempDir ws(as());
  auto r = run(as(), {world().launcher, "exec", "-v", "--log", ws.path + "/d.jsonl", "--", world().helper("refuse_three")},
               {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  size_t lines = 0;
  for (size_t p = r.err.find("gopls-sandbox: refused: "); p != std::string::npos;
       p = r.err.find("gopls-sandbox: refused: ", p + 1))
    ++lines;
  EXPECT_EQ(lines, 3u) << r.err;
}

// Issue 11, hole 7: names and paths chosen inside the sandbox reach the terminal escaped. The
// probe renames itself "\x1b[2J\x1b]0;pwn\x07" (clear screen, set the window title) and makes a
// refused mount whose path holds a newline (a fake second record) and ESC[31m.
TEST_P(DenialLog, VerboseLinesEscapeControlCharacters) {
  TempDir ws(as());
  auto r = run(as(), {world().launcher, "exec", "-v", "--log", ws.path + "/d.jsonl", "--", world().helper("try_syscalls"),
                      "escape_comm"},
               {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("escape_comm ret=-1 errno=EPERM"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "raw ESC on stderr:\n" << r.err;
  EXPECT_EQ(r.err.find('\x07'), std::string::npos) << "raw BEL on stderr:\n" << r.err;
  std::string rec;
  std::istringstream lines(r.err);
  for (std::string l; std::getline(lines, l);) {
    EXPECT_NE(l.rfind("FAKE RECORD", 0), 0u) << "a newline from inside split a record:\n" << r.err;
    if (l.rfind("gopls-sandbox: refused: mount(", 0) == 0) rec = l;
  }
  ASSERT_FALSE(rec.empty()) << r.err;
  EXPECT_NE(rec.find("(\\x1b[2J\\x1b]0;pwn\\x07)"), std::string::npos) << rec;
  EXPECT_NE(rec.find("path=/nonexistent-gsb\\x0aFAKE RECORD\\x1b[31m"), std::string::npos) << rec;
}

TEST_P(DenialLog, StormIsAggregatedAndLogStaysSmall) {
  TempDir ws(as());
  std::string log = ws.path + "/storm.jsonl";
  auto r = run(as(), {world().launcher, "exec", "--log", log, "--", world().helper("deny_storm"), "100000"},
               {ws.path, {}, false}, std::chrono::seconds(120));
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("calls=100000 refused=100000 errno=EPERM"), std::string::npos) << r.out;
  struct stat st;
  ASSERT_EQ(::stat(log.c_str(), &st), 0);
  EXPECT_LT(st.st_size, 1 << 20);
  uint64_t total = 0;
  for (const auto& rec : read_jsonl(log)) {
    EXPECT_EQ(rec["syscall"].as_string(), "ptrace");
    total += static_cast<uint64_t>(rec["count"].as_int());
  }
  EXPECT_EQ(total, 100000u);
  EXPECT_NE(r.err.find("100000 syscalls refused: ptrace \xc3\x97" "100000"), std::string::npos) << r.err;
}

TEST_P(DenialLog, LspSessionWithSupervisorHasZeroRecords) {
  TempDir logdir(as(), "log");
  std::string log = logdir.path + "/lsp.jsonl";
  LspSessionResult r;
  LspSessionOptions o;
  o.env["GOPLS_SANDBOX_LOG"] = log;
  o.extended = true;
  ASSERT_NO_FATAL_FAILURE(full_lsp_session(as(), o, &r));
  struct stat st;
  EXPECT_NE(::stat(log.c_str(), &st), 0) << "refused during the LSP session:\n" << read_file(log);
  EXPECT_EQ(r.stderr_text.find("refused"), std::string::npos) << r.stderr_text;
}

TEST_P(DenialLog, InodeCheckOkForEveryCache) {
  TempDir ws(as());
  auto r = run(as(), {world().launcher, "exec", "-v", "--", "/bin/true"}, {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* what : {"GOROOT", "GOMODCACHE", "GOCACHE", "gopls cache"})
    EXPECT_NE(r.err.find(std::string("inode check ") + what + " "), std::string::npos) << r.err;
  size_t oks = 0;
  for (size_t p = r.err.find(": ok\n"); p != std::string::npos; p = r.err.find(": ok\n", p + 1)) ++oks;
  EXPECT_EQ(oks, 4u) << r.err;
  EXPECT_EQ(r.err.find("mismatch"), std::string::npos) << r.err;
}

TEST_P(DenialLog, InodeCheckCatchesADirectoryBoundOverGocache) {
  TempDir ws(as());
  TempDir other(as(), "othercache");
  // The GOCACHE of this test's private cache directories (the harness gives every run its own).
  SpawnOptions so{ws.path, {}, false, fresh_go_caches(as())};
  std::string gocache = so.caches->gocache;
  std::string log = ws.path + "/inode.jsonl";
  auto warn = run(as(), {world().launcher, "exec", "--log", log, "--bind", other.path + ":" + gocache, "--", "/bin/true"},
                  so);
  // The result is in the log too.
  auto recs = read_jsonl(log);
  ASSERT_EQ(recs.size(), 1u) << read_file(log);
  EXPECT_EQ(recs[0]["event"].as_string(), "inode_check");
  EXPECT_EQ(recs[0]["name"].as_string(), "GOCACHE");
  EXPECT_EQ(recs[0]["result"].as_string(), "mismatch");
  EXPECT_NE(recs[0]["host"][1].as_int(), recs[0]["inside"][1].as_int());
  EXPECT_NE(recs[0]["mount"].as_string().find("(--bind)"), std::string::npos);
  EXPECT_EQ(warn.status, 0) << warn.err;
  EXPECT_NE(warn.err.find("inode check GOCACHE " + gocache + ": mismatch"), std::string::npos) << warn.err;
  EXPECT_NE(warn.err.find("decided by bind " + other.path + " -> " + gocache + " (--bind)"), std::string::npos)
      << warn.err;
  auto strict = run(as(), {world().launcher, "exec", "--inode-check", "strict", "--bind", other.path + ":" + gocache,
                           "--", "/bin/sh", "-c", "echo started"},
                    so);
  EXPECT_EQ(strict.status, 125) << strict.err;
  EXPECT_EQ(strict.out.find("started"), std::string::npos);
  auto off = run(as(), {world().launcher, "exec", "--inode-check", "off", "--bind", other.path + ":" + gocache, "--",
                        "/bin/true"},
                 so);
  EXPECT_EQ(off.status, 0);
  EXPECT_EQ(off.err.find("inode check"), std::string::npos) << off.err;
}

}  // namespace
}  // namespace gsb::test
