// errno attribution of a trace (`gopls-sandbox diagnose`). Pure: works on a parsed strace Trace
// and on the text of denial logs already in memory; no I/O.
//
// Failing calls are grouped by (syscall, errno, path pattern); each group gets a verdict
// (benign noise of Go programs, a problem with its cause and fix, or unclassified) and the
// report's first line names the most likely cause.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/result.hpp"
#include "gopls_sandbox/core/strace.hpp"

namespace gsb::core::diagnose {

// The directories the sandbox binds; empty when unknown.
struct Dirs {
  std::string goroot, gomodcache, gocache, gopath, home;
  std::vector<std::string> workspaces;
};

// One failing call, from a strace event or a denial-log record.
struct Call {
  int pid = 0;
  std::string syscall;
  std::string err;                 // "ENOENT"
  std::string path;                // decoded path argument (first one; destination for rename/link)
  std::string text;                // short rendering for examples: "openat(AT_FDCWD, \"/x\", ...)"
  std::string where;               // "file:line"
  std::optional<double> time;
  uint64_t count = 1;
  bool from_denial_log = false;
  std::string rule;                // denial log: the profile rule that refused it
  std::string comm;                // denial log: the process name
};

enum class Verdict { Benign, Problem, Unclassified };
const char* verdict_name(Verdict v) noexcept;  // "benign", "problem", "unclassified"

struct Group {
  std::string syscall, err, pattern;
  Verdict verdict = Verdict::Unclassified;
  std::string cls;          // cause class: "dir-missing", "read-only", "seccomp", "network", "go-noise"...
  std::string subject;      // what the cause is about: "GOMODCACHE /root/go/pkg/mod", a path, a syscall
  std::string path;         // the first example's path (may be empty)
  std::string explanation;  // one sentence
  std::string fix;          // what to do (problems)
  uint64_t count = 0;
  int weight = 0;           // how strongly this group points at the cause
  std::vector<std::string> examples;  // up to 3 "where: text"
  std::string rule;         // the refusing rule, when a denial log named it
};

struct TimelineRow {
  std::string syscall;
  uint64_t count = 0;
  double first = 0, last = 0;  // seconds since the first timestamp of the trace
  double total = 0;            // sum of -T durations (0 when absent)
  bool slowest = false;        // the row with the largest total in the whole timeline
};
struct ProcessTimeline {
  int pid = 0;
  std::string exe;             // last successful execve in this pid ("" when inherited)
  double first = 0, last = 0;
  uint64_t events = 0;
  std::vector<TimelineRow> rows;  // by first time
};

struct Report {
  std::string headline;     // first line of the report
  bool problem = false;
  uint64_t failing = 0, benign = 0, problems = 0, unclassified = 0;
  Dirs dirs;
  std::vector<Group> groups;  // problems first (by weight), then unclassified, then benign
  std::vector<ProcessTimeline> timeline;  // empty without timestamps
  uint64_t timeline_omitted = 0;  // processes left out
};

// True when the text looks like a denial log (JSON Lines objects with "syscall" and "errno").
bool looks_like_denial_log(std::string_view text) noexcept;
// Parses a denial log; errors name `source` and the line.
Result<std::vector<Call>> calls_from_denial_log(std::string_view text, std::string_view source);
// The failing calls of a trace.
std::vector<Call> calls_from_trace(const strace::Trace& trace);

// Directories guessed from the paths of a trace (GOROOT from .../pkg/tool or .../src/runtime,
// GOMODCACHE from .../pkg/mod, GOCACHE from .../go-build, workspaces from opened go.mod files,
// HOME from /home/USER or /root).
Dirs infer_dirs(const strace::Trace& trace);
// True when some path of the trace lies under dir (used to pick host go env values that apply).
bool trace_mentions(const strace::Trace& trace, std::string_view dir);

// "/a/b" is "/a/b" or below it.
bool under(std::string_view path, std::string_view dir) noexcept;

struct Options {
  bool share_net = false;
  size_t max_timeline_processes = 12;
  // path → "a -> b -> a" for ELOOP paths, resolved by the caller on the host (core does no I/O).
  std::map<std::string, std::string> symlink_chains;
};

// The analysis. `denials` are calls from denial logs (may be empty); `trace` may be empty.
Report diagnose(const strace::Trace& trace, const std::vector<Call>& denials, const Dirs& dirs,
                const Options& opts = {});

// Renderings.
std::string to_text(const Report& r, bool verbose = false);
json::Value to_json(const Report& r);

}  // namespace gsb::core::diagnose
