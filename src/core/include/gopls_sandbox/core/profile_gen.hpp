// Profile generation from parsed strace logs (`gopls-sandbox profile generate --strace LOG…`).
// Pure: aggregated trace → TOML text in the profile format of profiles/README.md (version 1).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gopls_sandbox/core/result.hpp"
#include "gopls_sandbox/core/strace.hpp"

namespace gsb::profile_gen {

// What the traces say about one syscall.
struct SyscallUse {
  std::string name;              // resolved name ("pidfd_getfd" for strace's "syscall_0x1b6")
  int number = -1;               // x86_64 number (core/syscall_table.hpp), -1 when unknown
  strace::Arch arch = strace::Arch::x86_64;
  uint64_t count = 0;
  uint64_t errors = 0;
  std::map<std::string, uint64_t> errnos;  // "ENOENT" → 15
  std::string example;           // one call, "openat(AT_FDCWD, \"/etc/x\", O_RDONLY) = 3", clipped
  // Values of the argument a condition could be written on (socket family, ioctl request,
  // clone flags); `closed` is false as soon as one value cannot be expressed safely.
  std::vector<std::string> arg_values;
  bool closed = true;
};

// Entries a trace created or reused under one cache ("gopls" or "go-build").
struct CacheUse {
  uint64_t created = 0, reused = 0;
  std::string root;
};

struct Aggregate {
  std::vector<SyscallUse> native;   // x86_64, by name
  std::vector<SyscallUse> foreign;  // i386/x32 calls: reported, never allowed
  std::vector<SyscallUse> unknown;  // numbers and names not in the x86_64 table (newer than it)
  bool from_summary = false;        // only `-c` tables were available (no examples, no args)
  uint64_t calls = 0;
  uint64_t succeeded = 0, failed = 0;       // completed calls (unfinished ones in neither)
  std::map<std::string, CacheUse> caches;   // cache kind → what the trace did under it
};

// Builds an Aggregate from events in any order, in bounded memory (a few entries per distinct
// syscall): what `profile generate` feeds while it streams a log (strace::Trace::drain). The
// result does not depend on the order of the events: examples and argument values are chosen by
// log position (Event::source, Event::line), as if the events came in log order.
class Collector {
 public:
  Collector();
  ~Collector();
  Collector(Collector&&) noexcept;
  Collector& operator=(Collector&&) noexcept;
  void add(const strace::Event& e);
  void add(const strace::SummaryRow& r);  // used only when the logs hold no events at all
  Aggregate finish();                     // once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether the Collector reads Event::argv of calls named `raw_name` (as in the log): socket,
// ioctl, personality and clone (argument conditions), the cache-creating and time-setting calls
// (cache_of_path), and syscall_NNN (resolved to any of those). For strace::Trace::set_argv_filter.
bool needs_argv(std::string_view raw_name) noexcept;

// Counts the events of a trace (or, when it has none, its -c summary rows).
Aggregate aggregate(const strace::Trace& trace);

// Fails (Error::usage) when a trace yields nothing usable or more than `max_unparsed_ratio`
// of its non-blank lines were not understood.
Result<void> check_usable(const strace::Trace& trace, double max_unparsed_ratio = 0.10);
Result<void> check_usable(const strace::Stats& stats, const std::vector<strace::UnparsedLine>& samples,
                          double max_unparsed_ratio = 0.10);
// The same check for one log file: `delta` is what parsing it added to the trace's stats
// (strace::operator-). A file with only exit/signal lines (a -ff file of a short-lived thread) is
// fine; one without any strace line, or with too many unparsed lines, is not.
Result<void> check_source(const strace::Trace& trace, const strace::Stats& delta, std::string_view source,
                          double max_unparsed_ratio = 0.10);

// Why a log cannot give a working profile (empty when it can): it records only failing calls
// (`strace -Z`), or it lacks the memory-management calls every program makes (filtered with
// `-e trace=…`, or attached mid-run with `-p`). Decided from the log's content.
std::vector<std::string> partial_reasons(const Aggregate& agg);
std::vector<std::string> partial_reasons(const strace::Trace& trace, const Aggregate& agg);  // = (agg)
// Why the log is of another architecture (empty when native): calls in 32-bit/x32 mode.
std::string foreign_reason(const Aggregate& agg);
// Warnings for caches the trace shows cold: entries created under the gopls or Go build cache
// and none reused (no access-time update), so the next, warm run will need calls this one
// never made.
std::vector<std::string> cold_cache_warnings(const Aggregate& agg);
std::vector<std::string> cold_cache_warnings(const strace::Trace& trace);

struct Group {
  std::string name;                  // without '@'
  std::vector<std::string> members;  // fully expanded syscall names
};

struct Options {
  std::string name = "generated";    // profile `name` ([A-Za-z0-9._-]+)
  std::string description;           // one line; a default names the sources
  std::string base;                  // `include` entry (name or path); empty = no include
  std::vector<Group> groups;         // groups usable as @name shorthands
  std::vector<std::string> always_allowed;  // launcher post-filter syscalls (added with a comment)
  bool conditions = true;            // argument conditions for socket/ioctl/clone
  std::vector<std::string> sources;  // shown in the header comment
};

struct Fallback {
  std::string syscall;   // what the trace used
  std::string fallback;  // what is added
  std::string why;
};
// The table of fallback pairs (clone3 → clone, openat2 → openat, …).
const std::vector<Fallback>& fallback_pairs();
// The launcher's post-filter syscalls per profiles/README.md ("Always allowed").
const std::vector<std::string>& default_always_allowed();

struct Generated {
  std::string toml;
  std::vector<std::string> allowed;         // every syscall the profile allows, sorted
  std::vector<std::string> groups_used;     // "@name"
  std::vector<Fallback> fallbacks_added;
  std::vector<std::string> families_added;  // "utimensat (time-setting, seen utimes)"
  std::vector<std::string> conditioned;     // syscalls allowed only under argument conditions
  std::vector<std::string> refused;         // foreign-arch / unknown entries, "i386:_llseek"
  std::vector<std::string> warnings;
};

Result<Generated> generate(const Aggregate& agg, const Options& opts);

// What `profile generate` reports, as a value computed before anything is printed (the app
// prints it as text or JSON).
struct Report {
  std::vector<std::string> sources;
  strace::Stats stats;
  size_t processes = 0;                        // distinct pids (the "no pid" 0 not counted beside real ones)
  std::vector<strace::UnparsedLine> unparsed;  // samples
  Aggregate agg;
  std::vector<std::string> partial;            // why the log is partial (accepted: --allow-partial)
  std::vector<std::string> cold;               // cold-cache warnings
  Generated gen;
};
// The reading part of the report, from a trace whose sources are all parsed (or streamed).
Report read_report(const strace::Trace& trace);
// The rest: refuses unusable, foreign and (unless allow_partial) partial logs, then generates.
Result<void> complete_report(Report& r, Aggregate agg, const Options& opts, bool allow_partial,
                             double max_unparsed_ratio);

// True for names in core's x86_64 table (core/syscall_table.hpp: the table profiles are
// checked against, so every allowed name loads).
bool is_known_syscall(std::string_view name);

}  // namespace gsb::profile_gen
