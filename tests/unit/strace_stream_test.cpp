// Streaming `profile generate` (issue 17 §2): a log parsed in pieces, its events drained into a
// profile_gen::Collector after every piece, gives the same statistics and the same aggregate as
// the whole text parsed at once — whatever the piece boundaries (unfinished/resumed pairs and
// strace's interrupted lines across them), and through sys::stream_trace_inputs with a tiny
// buffer (plain, gzip, tar, tar.gz, -ff directories).
#include <gtest/gtest.h>

#include <filesystem>

#include "gopls_sandbox/core/profile_gen.hpp"
#include "gopls_sandbox/core/strace.hpp"
#include "gopls_sandbox/core/trace_input.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/trace_files.hpp"

using namespace gsb;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return std::string(GSB_TEST_FIXTURES) + "/strace/" + name; }

void expect_same(const profile_gen::Aggregate& a, const profile_gen::Aggregate& b, const std::string& what) {
  ASSERT_EQ(a.native.size(), b.native.size()) << what;
  EXPECT_EQ(a.calls, b.calls) << what;
  EXPECT_EQ(a.succeeded, b.succeeded) << what;
  EXPECT_EQ(a.failed, b.failed) << what;
  EXPECT_EQ(a.from_summary, b.from_summary) << what;
  EXPECT_EQ(a.foreign.size(), b.foreign.size()) << what;
  EXPECT_EQ(a.unknown.size(), b.unknown.size()) << what;
  EXPECT_EQ(a.caches.size(), b.caches.size()) << what;
  for (size_t i = 0; i < a.native.size(); ++i) {
    const auto& x = a.native[i];
    const auto& y = b.native[i];
    EXPECT_EQ(x.name, y.name) << what;
    EXPECT_EQ(x.count, y.count) << what << " " << x.name;
    EXPECT_EQ(x.errors, y.errors) << what << " " << x.name;
    EXPECT_EQ(x.errnos, y.errnos) << what << " " << x.name;
    EXPECT_EQ(x.example, y.example) << what << " " << x.name;
    EXPECT_EQ(x.arg_values, y.arg_values) << what << " " << x.name;
    EXPECT_EQ(x.closed, y.closed) << what << " " << x.name;
  }
}

void expect_same_stats(const strace::Stats& a, const strace::Stats& b, const std::string& what) {
  EXPECT_EQ(a.bytes, b.bytes) << what;
  EXPECT_EQ(a.lines, b.lines) << what;
  EXPECT_EQ(a.syscalls, b.syscalls) << what;
  EXPECT_EQ(a.resumed, b.resumed) << what;
  EXPECT_EQ(a.unfinished, b.unfinished) << what;
  EXPECT_EQ(a.orphan_resumed, b.orphan_resumed) << what;
  EXPECT_EQ(a.signals, b.signals) << what;
  EXPECT_EQ(a.exits, b.exits) << what;
  EXPECT_EQ(a.summary_rows, b.summary_rows) << what;
  EXPECT_EQ(a.truncated, b.truncated) << what;
  EXPECT_EQ(a.unparsed, b.unparsed) << what;
}

// Parses `text` in pieces of `lines_per_piece` lines, draining after each piece.
profile_gen::Aggregate streamed(const std::string& text, size_t lines_per_piece, strace::Trace& t,
                                std::optional<int> pid = std::nullopt) {
  profile_gen::Collector c;
  auto on_event = [&](const strace::Event& e) { c.add(e); };
  auto on_row = [&](const strace::SummaryRow& r) { c.add(r); };
  t.begin("s", pid);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = pos;
    for (size_t k = 0; k < lines_per_piece && end < text.size(); ++k) {
      size_t nl = text.find('\n', end);
      end = nl == std::string::npos ? text.size() : nl + 1;
    }
    // Each piece in its own buffer, overwritten after the drain: stale views would show.
    std::string piece = text.substr(pos, end - pos);
    t.feed(piece, end == text.size());
    t.drain(on_event, on_row);
    std::fill(piece.begin(), piece.end(), '#');
    pos = end;
  }
  t.end();
  t.drain(on_event, on_row);
  return c.finish();
}

class StraceStream : public ::testing::TestWithParam<std::string> {};

TEST_P(StraceStream, PiecesGiveTheSameAggregateAsTheWholeText) {
  auto bytes = sys::read_file(fixture(GetParam()));
  ASSERT_TRUE(bytes.ok());
  std::string text = *bytes;
  if (trace_input::is_gzip(text)) text = *trace_input::gunzip(text);
  auto pid = trace_input::pid_from_name(GetParam());
  strace::Trace whole;
  whole.parse(text, "s", pid);
  auto want = profile_gen::aggregate(whole);
  for (size_t n : {1, 2, 3, 7, 64}) {
    strace::Trace t;
    auto got = streamed(text, n, t, pid);
    std::string what = GetParam() + " in pieces of " + std::to_string(n) + " lines";
    expect_same(want, got, what);
    expect_same_stats(whole.stats(), t.stats(), what);
    EXPECT_EQ(whole.pids(), t.pids()) << what;
    EXPECT_TRUE(t.events().empty()) << what;
  }
}

// `profile generate` splits arguments only for the calls the Collector reads
// (profile_gen::needs_argv): the aggregate and the profile are the same as with every call split.
TEST_P(StraceStream, ArgvFilterGivesTheSameProfile) {
  auto bytes = sys::read_file(fixture(GetParam()));
  ASSERT_TRUE(bytes.ok());
  std::string text = *bytes;
  if (trace_input::is_gzip(text)) text = *trace_input::gunzip(text);
  auto pid = trace_input::pid_from_name(GetParam());
  strace::Trace whole;
  whole.parse(text, "s", pid);
  auto want = profile_gen::aggregate(whole);
  for (size_t n : {1, 5, 1000000}) {
    strace::Trace t;
    t.set_argv_filter(&profile_gen::needs_argv);
    auto got = streamed(text, n, t, pid);
    std::string what = GetParam() + " filtered, in pieces of " + std::to_string(n) + " lines";
    expect_same(want, got, what);
    expect_same_stats(whole.stats(), t.stats(), what);
    profile_gen::Options o;
    o.always_allowed = profile_gen::default_always_allowed();
    auto a = profile_gen::generate(want, o);
    auto b = profile_gen::generate(got, o);
    ASSERT_EQ(a.ok(), b.ok()) << what;
    if (a.ok()) EXPECT_EQ(a->toml, b->toml) << what;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, StraceStream,
                         ::testing::Values("f.strace", "f-tt-T.strace", "f-y.strace", "f-yy.strace", "f-z.strace",
                                           "f-Z.strace", "f-stderr-pid.strace", "tricky.strace", "X-verbose.strace",
                                           "summary-c.strace", "i386.strace", "unknown-numbers.strace",
                                           "truncated-line.strace", "f-k.strace", "f-C.strace"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// Everything stream_trace_inputs hands over, collected.
struct Collect final : sys::TraceSink {
  strace::Trace trace;
  profile_gen::Collector c;
  std::vector<std::string> names;
  size_t max_piece = 0;
  Result<void> begin(const std::string& name, std::optional<int> pid) override {
    names.push_back(name);
    trace.begin(name, pid);
    return {};
  }
  Result<void> piece(std::string_view text, bool last) override {
    if (!last) EXPECT_EQ(text.back(), '\n');
    max_piece = std::max(max_piece, text.size());
    trace.feed(text, last);
    trace.drain([&](const strace::Event& e) { c.add(e); }, [&](const strace::SummaryRow& r) { c.add(r); });
    return {};
  }
  Result<void> end() override {
    trace.end();
    trace.drain([&](const strace::Event& e) { c.add(e); }, [&](const strace::SummaryRow& r) { c.add(r); });
    return {};
  }
};

TEST(StraceStreamInputs, TinyBufferGivesWhatReadingWholeFilesGives) {
  for (std::string f : {"f.strace", "f-tt-T.strace", "truncated.strace.gz", "f-gzip-no-extension.log", "ff.tar",
                        "ff.tar.gz", "ff"}) {
    std::string path = fixture(f);
    auto old = sys::read_trace_inputs({path});
    if (!old.ok()) {
      Collect c;
      sys::StreamOptions o;
      o.buffer = 256;
      EXPECT_FALSE(sys::stream_trace_inputs({path}, c, o).ok()) << f;
      continue;
    }
    strace::Trace whole;
    std::vector<std::string> old_names;
    for (auto& x : *old) {
      old_names.push_back(x.name);
      whole.parse_owned(std::move(x.text), x.name, x.pid);
    }
    Collect c;
    sys::StreamOptions o;
    o.buffer = 256;  // lines longer than this grow it
    ASSERT_TRUE(sys::stream_trace_inputs({path}, c, o).ok()) << f;
    auto names = c.names;
    std::sort(names.begin(), names.end());
    std::sort(old_names.begin(), old_names.end());
    EXPECT_EQ(names, old_names) << f;
    expect_same_stats(whole.stats(), c.trace.stats(), f);
    auto want = profile_gen::aggregate(whole);
    auto got = c.c.finish();
    // Tar members come in archive order (the whole-file path sorts them), so only counts and
    // names must agree there; elsewhere everything.
    if (f.find("tar") == std::string::npos) {
      expect_same(want, got, f);
    } else {
      ASSERT_EQ(want.native.size(), got.native.size());
      for (size_t i = 0; i < want.native.size(); ++i) EXPECT_EQ(want.native[i].count, got.native[i].count) << f;
    }
  }
}

TEST(StraceStreamInputs, ErrorsNameTheInput) {
  Collect c;
  auto r = sys::stream_trace_inputs({fixture("binary.bin")}, c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("binary.bin"), std::string::npos) << r.error().message;
  Collect e;
  auto r2 = sys::stream_trace_inputs({fixture("empty.strace")}, e);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("empty"), std::string::npos) << r2.error().message;
  // A line longer than the cap is an error, not unbounded memory.
  Collect l;
  sys::StreamOptions o;
  o.buffer = 16;
  o.max_line = 32;
  auto r3 = sys::stream_trace_inputs({fixture("f.strace")}, l, o);
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message.find("line longer"), std::string::npos) << r3.error().message;
}

TEST(StraceStreamInputs, GzipCutOffIsAnError) {
  auto bytes = sys::read_file(fixture("truncated.strace.gz"));
  ASSERT_TRUE(bytes.ok());
  // The fixture itself is cut off: both paths must refuse it or both accept it.
  Collect c;
  bool stream_ok = sys::stream_trace_inputs({fixture("truncated.strace.gz")}, c).ok();
  bool whole_ok = sys::read_trace_inputs({fixture("truncated.strace.gz")}).ok();
  EXPECT_EQ(stream_ok, whole_ok);
}

}  // namespace
