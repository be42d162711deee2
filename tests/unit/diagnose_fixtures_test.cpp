// diagnose on real traces: fixtures recorded in a deliberately broken sandbox (see
// tests/fixtures/diagnose/README.md) must name the right cause first; the benign-only shared
// corpus must say nothing is wrong. Also the command line: exit codes and --json.
#include <fcntl.h>
#include <gtest/gtest.h>

#include "skip.hpp"
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/core/diagnose.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/strace.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/trace_files.hpp"

using namespace gsb;
namespace dg = gsb::core::diagnose;
namespace fs = std::filesystem;

namespace {

const std::string kDir = std::string(GSB_TEST_FIXTURES) + "/diagnose/";
const std::string kCorpus = GSB_TEST_SOURCE_DIR "/../shared/strace-corpus";

// The directories of the machine the fixtures were recorded on (root, Go 1.19 from Debian).
dg::Dirs fixture_dirs(std::vector<std::string> ws = {"/tmp/gsbfix/ws"}) {
  dg::Dirs d;
  d.goroot = "/usr/lib/go-1.19";
  d.gomodcache = "/root/go/pkg/mod";
  d.gocache = "/root/.cache/go-build";
  d.gopath = "/root/go";
  d.home = "/root";
  d.workspaces = std::move(ws);
  return d;
}

struct Loaded {
  strace::Trace trace;
  std::vector<dg::Call> denials;
};

Loaded load(const std::vector<std::string>& paths) {
  Loaded l;
  auto in = sys::read_trace_inputs(paths);
  EXPECT_TRUE(in.ok()) << (in.ok() ? "" : in.error().message);
  if (!in.ok()) return l;
  for (auto& t : *in) {
    if (dg::looks_like_denial_log(t.text)) {
      auto c = dg::calls_from_denial_log(t.text, t.name);
      EXPECT_TRUE(c.ok());
      if (c.ok()) l.denials.insert(l.denials.end(), c->begin(), c->end());
    } else {
      l.trace.parse_owned(std::move(t.text), std::move(t.name), t.pid);
    }
  }
  return l;
}

dg::Report diagnose_files(const std::vector<std::string>& names, dg::Dirs d = fixture_dirs()) {
  std::vector<std::string> paths;
  for (const auto& n : names) paths.push_back(kDir + n);
  Loaded l = load(paths);
  return dg::diagnose(l.trace, l.denials, d);
}

bool starts(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

struct Cli {
  int status = -1;
  std::string out;
};
// Runs the subcommand in-process with stdout captured.
Cli cli(const app::Args& args) {
  std::fflush(stdout);
  char tmpl[] = "/tmp/gsb-diag-out-XXXXXX";
  int fd = ::mkstemp(tmpl);
  int saved = ::dup(1);
  ::dup2(fd, 1);
  Cli r;
  r.status = app::cmd_diagnose(args);
  std::fflush(stdout);
  ::dup2(saved, 1);
  ::close(saved);
  ::close(fd);
  auto text = sys::read_file(tmpl);
  ::unlink(tmpl);
  if (text.ok()) r.out = *text;
  return r;
}

}  // namespace

TEST(DiagnoseFixtures, MissingGomodcacheBind) {
  auto r = diagnose_files({"gomodcache-missing.strace.gz"});
  ASSERT_TRUE(r.problem);
  EXPECT_TRUE(starts(r.headline, "most likely cause: GOMODCACHE /root/go/pkg/mod is not visible inside the sandbox ("))
      << r.headline;
  EXPECT_NE(r.headline.find("ENOENT under it"), std::string::npos);
  EXPECT_GT(r.benign, 500u);  // go env's cgo probes, epoll_ctl, PATH lookups: all recognised
}

TEST(DiagnoseFixtures, ReadOnlyWorkspace) {
  auto r = diagnose_files({"ro-workspace.strace.gz"});
  ASSERT_TRUE(r.problem);
  EXPECT_NE(r.headline.find("is read-only inside the sandbox"), std::string::npos) << r.headline;
  EXPECT_NE(r.headline.find("/tmp/gsbfix/ws"), std::string::npos) << r.headline;
  EXPECT_NE(r.headline.find("EROFS"), std::string::npos) << r.headline;
  // Only the EROFS calls are problems: the module cache's .partial probes are not.
  for (const auto& g : r.groups)
    if (g.verdict == dg::Verdict::Problem) {
      EXPECT_EQ(g.err, "EROFS") << g.syscall << " " << g.pattern;
    }
}

TEST(DiagnoseFixtures, RefusedSyscallFromStraceAndFromDenialLog) {
  for (auto files : std::vector<std::vector<std::string>>{{"seccomp-unshare.strace.gz"},
                                                          {"seccomp-unshare.denials.jsonl"},
                                                          {"seccomp-unshare.strace.gz", "seccomp-unshare.denials.jsonl"}}) {
    auto r = diagnose_files(files);
    ASSERT_TRUE(r.problem) << files[0];
    EXPECT_TRUE(starts(r.headline, "most likely cause: the sandbox profile refuses unshare (")) << r.headline;
    if (files.back().ends_with(".jsonl")) {
      EXPECT_NE(r.headline.find("rule "), std::string::npos) << r.headline;
    }
  }
}

TEST(DiagnoseFixtures, SymlinkLoop) {
  auto r = diagnose_files({"symlink-loop.strace.gz"});
  ASSERT_TRUE(r.problem);
  EXPECT_TRUE(starts(r.headline, "most likely cause: symlink loop resolving /tmp/gsbfix/loopws/a/x (ELOOP)")) << r.headline;
}

TEST(DiagnoseFixtures, NoNetwork) {
  auto refused = diagnose_files({"net-refused-curl.strace.gz"});
  EXPECT_TRUE(starts(refused.headline, "most likely cause: connection refused by 127.0.0.1:1")) << refused.headline;
  auto go = diagnose_files({"net-refused-goproxy.strace.gz"});
  EXPECT_TRUE(starts(go.headline, "most likely cause: connection refused by 127.0.0.1:1")) << go.headline;
  auto unreach = diagnose_files({"net-unreachable.strace.gz"});
  EXPECT_TRUE(starts(unreach.headline, "most likely cause: no network inside the sandbox (ENETUNREACH connecting to 1.1.1.1:80)"))
      << unreach.headline;
  auto dns = diagnose_files({"net-dns.strace.gz"});
  EXPECT_TRUE(starts(dns.headline, "most likely cause: a host name lookup found no DNS configuration")) << dns.headline;
  for (const auto* r : {&refused, &go, &unreach, &dns}) EXPECT_NE(r->headline.find("--share-net"), std::string::npos);
}

TEST(DiagnoseFixtures, SharedCorpusIsAllBenign) {
  if (!fs::exists(kCorpus)) GSB_SKIP_OR_FAIL(std::string("no shared corpus at ") + kCorpus);
  int n = 0;
  for (const auto& e : fs::directory_iterator(kCorpus)) {
    std::string p = e.path().string();
    if (!p.ends_with(".gz")) continue;
    ++n;
    Loaded l = load({p});
    // Directories inferred from the trace itself (recorded on another machine).
    auto r = dg::diagnose(l.trace, {}, dg::infer_dirs(l.trace));
    EXPECT_FALSE(r.problem) << p << ": " << r.headline;
    EXPECT_TRUE(starts(r.headline, "nothing wrong: ")) << p << ": " << r.headline;
    EXPECT_EQ(r.unclassified, 0u) << p << ": " << dg::to_text(r);
  }
  EXPECT_GE(n, 5);
}

TEST(DiagnoseCli, ExitCodesAndFirstLine) {
  auto ok = cli({kDir + "seccomp-unshare.denials.jsonl"});
  EXPECT_EQ(ok.status, 1);
  EXPECT_TRUE(starts(ok.out, "most likely cause: the sandbox profile refuses unshare")) << ok.out;

  auto missing = cli({kDir + "no-such-file.strace"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_TRUE(missing.out.empty());

  // A file that is neither an strace log nor a denial log.
  auto bad = cli({kDir + "README.md"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_TRUE(bad.out.empty()) << bad.out;

  auto usage = cli({});
  EXPECT_EQ(usage.status, 2);
}

TEST(DiagnoseCli, JsonAndBenignExitZero) {
  // A benign-only log written on the fly.
  std::string path = ::testing::TempDir() + "/benign.strace";
  ASSERT_TRUE(sys::write_file(path,
                              "1 10:00:00.000001 epoll_ctl(4, EPOLL_CTL_ADD, 3, {}) = -1 EPERM (Operation not permitted) <0.000003>\n"
                              "1 10:00:00.000002 access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory) <0.000003>\n")
                  .ok());
  auto r = cli({path, "--json"});
  EXPECT_EQ(r.status, 0) << r.out;
  auto j = json::parse(r.out);
  ASSERT_TRUE(j.ok()) << r.out;
  EXPECT_EQ((*j)["cause"].as_string(), "nothing wrong: 2 failing calls, all known benign noise of Go programs");
  EXPECT_FALSE((*j)["problem"].as_bool(true));
  EXPECT_EQ((*j)["groups"].as_array().size(), 2u);
  EXPECT_EQ((*j)["timeline"].as_array().size(), 1u);
  ::unlink(path.c_str());
}
