// gzip / tar / binary detection, and the real corpus in ../shared/strace-corpus.
#include <gtest/gtest.h>

#include "skip.hpp"

#include <filesystem>

#include "gopls_sandbox/core/strace.hpp"
#include "gopls_sandbox/core/trace_input.hpp"
#include "gopls_sandbox/sys/io.hpp"

using namespace gsb;

namespace {
std::string fixture(const std::string& name) { return std::string(GSB_TEST_FIXTURES) + "/strace/" + name; }
std::string bytes_of(const std::string& path) {
  auto b = sys::read_file(path);
  EXPECT_TRUE(b.ok()) << path;
  return b.ok() ? std::move(*b) : std::string();
}
const std::string kCorpus = GSB_TEST_SOURCE_DIR "/../shared/strace-corpus";
}  // namespace

TEST(TraceInput, GzipIsDetectedByMagicNotExtension) {
  std::string raw = bytes_of(fixture("f-gzip-no-extension.log"));
  EXPECT_TRUE(trace_input::is_gzip(raw));
  auto ex = trace_input::expand("f-gzip-no-extension.log", raw);
  ASSERT_TRUE(ex.ok()) << ex.error().message;
  ASSERT_EQ(ex->size(), 1u);
  EXPECT_EQ((*ex)[0].text, bytes_of(fixture("f.strace")));
  EXPECT_FALSE((*ex)[0].pid.has_value());
}

TEST(TraceInput, TarAndTarGzHoldingAnFfDirectory) {
  for (const char* f : {"ff.tar", "ff.tar.gz"}) {
    auto ex = trace_input::expand(f, bytes_of(fixture(f)));
    ASSERT_TRUE(ex.ok()) << ex.error().message;
    ASSERT_EQ(ex->size(), 3u) << f;
    std::vector<int> pids;
    for (auto& t : *ex) {
      ASSERT_TRUE(t.pid.has_value()) << t.name;
      pids.push_back(*t.pid);
      EXPECT_NE(t.name.find(":ff/w."), std::string::npos) << t.name;
    }
    std::sort(pids.begin(), pids.end());
    EXPECT_EQ(pids, (std::vector<int>{3978, 3979, 3980}));
  }
}

TEST(TraceInput, PidFromName) {
  EXPECT_EQ(trace_input::pid_from_name("ff/gopls-symbols.10912"), 10912);
  EXPECT_EQ(trace_input::pid_from_name("x.123.gz"), 123);
  EXPECT_FALSE(trace_input::pid_from_name("trace.strace").has_value());
  EXPECT_FALSE(trace_input::pid_from_name("v1.2/trace").has_value());
  EXPECT_FALSE(trace_input::pid_from_name("trace.").has_value());
}

TEST(TraceInput, BadInputsAreClearErrors) {
  auto bin = trace_input::expand("binary.bin", bytes_of(fixture("binary.bin")));
  ASSERT_FALSE(bin.ok());
  EXPECT_EQ(bin.error().kind, ErrorKind::Usage);
  EXPECT_NE(bin.error().message.find("binary"), std::string::npos) << bin.error().message;

  auto empty = trace_input::expand("empty.strace", bytes_of(fixture("empty.strace")));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);

  auto trunc = trace_input::expand("truncated.strace.gz", bytes_of(fixture("truncated.strace.gz")));
  ASSERT_FALSE(trunc.ok());
  EXPECT_EQ(trunc.error().kind, ErrorKind::Usage);
  EXPECT_NE(trunc.error().message.find("truncated gzip"), std::string::npos) << trunc.error().message;

  std::string corrupt = bytes_of(fixture("f-gzip-no-extension.log"));
  corrupt[40] ^= 0x55;
  corrupt[41] ^= 0x55;
  EXPECT_FALSE(trace_input::expand("corrupt.gz", corrupt).ok());

  std::string tar = bytes_of(fixture("ff.tar"));
  EXPECT_FALSE(trace_input::expand("cut.tar", tar.substr(0, 700)).ok());
}

TEST(TraceInput, ConcatenatedGzipMembers) {
  std::string a = bytes_of(fixture("f-gzip-no-extension.log"));
  auto out = trace_input::gunzip(a + a);
  ASSERT_TRUE(out.ok());
  std::string plain = bytes_of(fixture("f.strace"));
  EXPECT_EQ(*out, plain + plain);
}

// ---- the real corpus ----

struct CorpusCase {
  const char* file;
  size_t files;
  uint64_t min_syscalls;
  size_t min_pids;
  bool summary;
};

class StraceCorpus : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(StraceCorpus, EveryFileIsAccepted) {
  const auto& c = GetParam();
  std::string path = kCorpus + "/" + c.file;
  if (!std::filesystem::exists(path)) GSB_SKIP_OR_FAIL(std::string("corpus not found at ") + kCorpus);
  auto ex = trace_input::expand(c.file, bytes_of(path));
  ASSERT_TRUE(ex.ok()) << ex.error().message;
  EXPECT_EQ(ex->size(), c.files);
  strace::Trace t;
  for (auto& x : *ex) t.parse_owned(std::move(x.text), x.name, x.pid);
  const auto& st = t.stats();
  EXPECT_EQ(st.unparsed, 0u) << (t.unparsed_samples().empty() ? "" : t.unparsed_samples()[0].text);
  EXPECT_EQ(st.truncated, 0u);
  EXPECT_EQ(st.orphan_resumed, 0u);
  EXPECT_LE(st.unfinished, 2u);
  EXPECT_GE(st.syscalls, c.min_syscalls);
  EXPECT_GE(t.pids().size(), c.min_pids);
  EXPECT_EQ(st.foreign_arch, 0u);
  if (c.summary) {
    EXPECT_EQ(t.summary().size(), 50u);
  } else {
    EXPECT_TRUE(t.summary().empty());
    size_t execs = 0;
    for (const auto& e : t.events()) {
      if (e.name == "execve" && e.ret == 0) ++execs;
      if (e.failed()) {
        EXPECT_TRUE(!e.ret || *e.ret == -1) << e.name << " line " << e.line;
      }
    }
    EXPECT_GE(execs, 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, StraceCorpus,
                         ::testing::Values(CorpusCase{"gopls-definition.f.strace.gz", 1, 40000, 70, false},
                                           CorpusCase{"gopls-check.f-tt-T-y.strace.gz", 1, 40000, 70, false},
                                           CorpusCase{"go-build.f-ttt-Xverbose.strace.gz", 1, 15000, 35, false},
                                           CorpusCase{"go-vet.filtered.strace.gz", 1, 7000, 200, false},
                                           CorpusCase{"gopls-check.summary-c.strace.gz", 1, 0, 0, true},
                                           CorpusCase{"ff-gopls-symbols.tar.gz", 69, 36000, 69, false}),
                         [](const auto& info) {
                           std::string n = info.param.file;
                           for (auto& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

TEST(StraceCorpus, TimestampsAndDurationsOfTheTtTTrace) {
  std::string path = kCorpus + "/gopls-check.f-tt-T-y.strace.gz";
  if (!std::filesystem::exists(path)) GSB_SKIP_OR_FAIL("corpus file not found: " + path);
  auto ex = trace_input::expand(path, bytes_of(path));
  ASSERT_TRUE(ex.ok());
  strace::Trace t;
  t.parse((*ex)[0].text, path);
  size_t with_time = 0, with_dur = 0, returned = 0;
  double prev = 0;
  bool monotonic_first = true;
  for (const auto& e : t.events()) {
    with_time += e.time.has_value();
    with_dur += e.duration.has_value();
    returned += e.ret.has_value();
    if (e.time && e.time < prev - 1) monotonic_first = false;
    if (e.time) prev = *e.time;
  }
  EXPECT_EQ(with_time, t.events().size());
  EXPECT_GE(with_dur, returned);
  EXPECT_TRUE(monotonic_first);
  // -y: the openat of ld.so.cache returns a decorated fd.
  bool decorated = false;
  for (const auto& e : t.events())
    if (e.name == "openat" && e.ret_text == "3</etc/ld.so.cache>") decorated = true;
  EXPECT_TRUE(decorated);
}
