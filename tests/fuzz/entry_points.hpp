// The fuzzed entry points, shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp) and the
// regression replay in tests/unit/fuzz_regression_test.cpp, so a crashing input saved under
// tests/fuzz/regressions/<target>/ is replayed by the normal unit run through the same code.
//
// Each function takes arbitrary bytes, must never crash, hang or leak, and aborts (via
// check()) when an invariant that holds for every input is violated.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/strace.hpp"

namespace gsb::fuzz {

// Invariant violations abort so libFuzzer records them as crashes (and gtest dies loudly).
inline void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// ---- profile: the TOML profile loader (load_profile has no from-text entry point, so the
// input is written to a file in a private temporary directory) and, when it loads, the
// policy compiler, the evaluator and the OCI export. ----

inline const std::string& profile_scratch_dir() {
  static const std::string dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gsb-fuzz-profile.XXXXXX").string();
    char* d = ::mkdtemp(tmpl.data());
    check(d != nullptr, "mkdtemp");
    std::string s = d;
    // Best effort cleanup at exit (libFuzzer exits through exit()).
    static struct Cleanup {
      std::string path;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
      }
    } cleanup{s};
    return s;
  }();
  return dir;
}

inline void run_profile(const uint8_t* data, size_t size) {
  const std::string& dir = profile_scratch_dir();
  const std::string path = dir + "/fuzz.toml";
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    check(static_cast<bool>(f), "writing the profile");
  }
  // The scratch dir first (an include of "fuzz" is a self-include), then the shipped profiles
  // (so "include = [\"gopls\"]" resolves) — never the user's config dir.
  const std::vector<std::string> search = {dir, GSB_SOURCE_PROFILE_DIR};
  auto p = core::load_profile(path, search);
  if (!p) {
    check(!p.error().message.empty(), "profile error without a message");
    return;
  }
  for (const auto& [nr, sp] : p->syscalls) {
    check(sp.nr == nr, "syscall map key differs from its policy's number");
    check(!sp.cond_rules.empty() == sp.cond_action.has_value(), "conditional rules without an action");
    for (const auto& r : sp.cond_rules)
      for (const auto& c : r.conds) check(c.index <= 5, "argument index out of range");
  }
  auto compiled = core::compile_policy(*p, core::Delivery::Errno);
  if (compiled) check(!compiled->program.empty(), "compiled policy with an empty program");
  const uint64_t args[6] = {0, 1, 2, 3, 4, 5};
  for (const auto& [nr, sp] : p->syscalls) (void)core::decide(*p, nr, args);
  (void)core::decide(*p, 0, args);
  (void)core::decide(*p, 100000, args);
  (void)core::export_oci_json(*p).dump();
}

// ---- config: config.toml text ----

inline void run_config(const uint8_t* data, size_t size) {
  auto o = core::parse_config(as_text(data, size), "fuzz.toml");
  if (!o) {
    check(!o.error().message.empty(), "config error without a message");
    return;
  }
  (void)core::merge(core::Options{}, *o);
  for (const auto& b : o->binds) (void)core::split_bind(b);
  for (const auto& b : o->ro_binds) (void)core::split_bind(b);
}

// ---- strace: the strace log parser, whole text in one parse() call. The first byte, when
// present, selects the default pid (as a -ff file's .NNN suffix would). ----

inline void run_strace(const uint8_t* data, size_t size) {
  std::optional<int> default_pid;
  if (size > 0 && data[0] == '\x01') {  // a byte strace never prints at the start of a line
    default_pid = 4242;
    ++data;
    --size;
  }
  // A copy that dies with the Trace: ASan then catches any view that escapes the text.
  std::string text(as_text(data, size));
  strace::Trace t;
  t.parse(text, "fuzz.strace", default_pid);
  size_t bytes = 0;
  for (const auto& ev : t.events()) {
    bytes += ev.name.size() + ev.args.size() + ev.ret_text.size() + ev.err.size() + ev.note.size();
    for (auto a : ev.argv) bytes += a.size();
    check(ev.source < t.sources().size(), "event source index out of range");
    for (const auto& p : strace::paths(ev)) bytes += p.size();
  }
  (void)bytes;
  (void)t.pids();
  const auto& s = t.stats();
  check(t.unparsed_samples().size() <= t.max_samples, "more unparsed samples than max_samples");
  check(s.unparsed >= t.unparsed_samples().size(), "unparsed count below the sample count");
  check(s.syscalls == t.events().size(), "stats.syscalls differs from the event count");
  check(s.bytes == size, "stats.bytes differs from the input size");
  // parse_owned over the same text must give the same events. Only for one input in eight:
  // each Trace allocates ~1.3 MiB up front (arena + argument pool), which dominates the cost.
  if ((size & 7) != 0) return;
  strace::Trace t2;
  t2.parse_owned(text, "fuzz.strace", default_pid);
  check(t2.events().size() == t.events().size(), "parse and parse_owned disagree");
}

// ---- lsp_framing: the incremental frame splitter. The input is fed whole and in pieces (sizes
// from the input itself); both must yield the same bodies. Each body is classified. ----

inline void run_lsp_framing(const uint8_t* data, size_t size) {
  std::string_view in = as_text(data, size);
  core::LspFrameParser whole;
  std::vector<std::string> a;
  whole.feed(in, a);

  core::LspFrameParser pieces;
  std::vector<std::string> b;
  size_t step = size ? (static_cast<size_t>(data[0]) % 17) + 1 : 1;
  for (size_t off = 0; off < size;) {
    size_t n = std::min(step, size - off);
    pieces.feed(in.substr(off, n), b);
    off += n;
    step = (step * 7 + 3) % 23 + 1;  // vary the piece sizes
  }
  // The header-size limit depends on how bytes arrive; below it, framing must not.
  if (size <= core::LspFrameParser::kMaxHeader) {
    check(a == b, "whole and piecewise feeding yield different bodies");
    check(whole.frames() == pieces.frames(), "frame counts differ");
    check(whole.bad_headers() == pieces.bad_headers(), "bad header counts differ");
    check(whole.buffered() == pieces.buffered(), "buffered byte counts differ");
  }
  check(whole.frames() == a.size(), "frames() differs from the bodies returned");
  for (const auto& body : a) {
    auto info = core::classify_message(body);
    // A frame round-trips through lsp_frame.
    core::LspFrameParser again;
    std::vector<std::string> c;
    again.feed(core::lsp_frame(body), c);
    check(c.size() == 1 && c[0] == body, "lsp_frame does not round-trip");
    (void)info;
  }
  (void)core::parse_content_length(in);
}

// ---- json: the strict parser; what dump() writes must parse, and dump(parse(dump(v))) is a fixed
// point. (Not dump(v) itself: the double -0.0 dumps as "-0", which parses back as the integer 0
// — a known, harmless loss of the zero's sign.) ----

inline void run_json(const uint8_t* data, size_t size) {
  auto v = json::parse(as_text(data, size));
  if (!v) {
    check(!v.error().message.empty(), "json error without a message");
    return;
  }
  auto v2 = json::parse(v->dump());
  check(static_cast<bool>(v2), "dump() output does not parse");
  const std::string d2 = v2->dump();
  auto v3 = json::parse(d2);
  check(static_cast<bool>(v3), "dump() output does not parse (second round)");
  if (std::string d3 = v3->dump(); d3 != d2) {
    std::fprintf(stderr, "dump:       %.400s\nafter parse: %.400s\n", d2.c_str(), d3.c_str());
    check(false, "dump() is not a fixed point after one parse");
  }
  auto pretty = json::parse(v2->dump(2));
  check(pretty && pretty->dump() == d2, "pretty dump() does not parse back to the same value");
}

}  // namespace gsb::fuzz
