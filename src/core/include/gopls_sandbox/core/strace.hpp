// Parser for strace(1) output. Pure: works on bytes already in memory.
//
// Accepts every output shape strace 4.x–6.x users produce: plain; `-f` pid prefixes (`[pid  N] `
// and `N `); `-ff -o PREFIX` per-pid files (pass the pid from the file suffix as default_pid);
// `-t/-tt/-ttt/-r` timestamps; `-T` durations; `-y/-yy` fd decorations; `-x/-xx`; `-X raw|abbrev|
// verbose`; `-i` instruction pointers; `-k` stack lines; `-z/-Z`; `-e trace=` subsets;
// `<unfinished ...>` / `<... NAME resumed>` pairs (across pids, interleaved); signal, exit,
// attach and personality (`[ Process PID=N runs in 32 bit mode. ]`) lines; `syscall_0xNNN`
// unknown numbers and the `-c`/`-C` summary table.
//
// Zero-copy: Event string views point into the text given to Trace::parse (which must outlive the
// Trace) or into storage owned by the Trace (parse_owned texts, joined unfinished/resumed lines).
// A Trace is movable but not copyable; moving keeps the views valid.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gsb::strace {

enum class Arch : uint8_t { x86_64, i386, x32 };
const char* arch_name(Arch a) noexcept;  // "x86_64", "i386", "x32"

// One system call (a complete line or an unfinished/resumed pair joined together).
struct Event {
  int pid = 0;                      // 0 when the log has no pid prefix and no default pid
  Arch arch = Arch::x86_64;
  bool resumed = false;             // joined from an <unfinished ...> / <... resumed> pair
  bool unfinished = false;          // entry seen, never completed (process died, log cut)
  std::optional<double> time;       // -t/-tt: seconds since midnight; -ttt: epoch; -r: relative
  std::optional<double> duration;   // -T, seconds
  std::string_view name;            // "openat"; unknown numbers keep strace's "syscall_0x1b6"
  int number = -1;                  // the number when name is syscall_0xNNN / syscall_NNN
  std::string_view args;            // raw text between the parentheses
  std::span<const std::string_view> argv;  // top-level arguments, trimmed
  std::optional<int64_t> ret;       // nullopt for "= ?" and unfinished calls
  std::string_view ret_text;        // raw return token: "3</etc/x>", "0x7f00...", "?"
  std::string_view err;             // "ENOENT" when the call failed, else empty
  std::string_view err_msg;         // "No such file or directory"
  std::string_view note;            // non-errno annotation: "Timeout", "flags O_RDWR", ...
  uint32_t source = 0;              // index into Trace::sources()
  uint32_t line = 0;                // 1-based line of the call (the entry line for pairs)

  bool failed() const noexcept { return !err.empty(); }
};

// One row of a `-c` summary table.
struct SummaryRow {
  std::string_view name;
  uint64_t calls = 0;
  uint64_t errors = 0;
  Arch arch = Arch::x86_64;
  uint32_t source = 0;
};

struct UnparsedLine {
  std::string source;  // file name as given to parse()
  uint32_t line = 0;
  std::string text;    // clipped to 200 bytes
};

struct Stats {
  uint64_t bytes = 0;
  uint64_t lines = 0;          // all lines, blank included
  uint64_t blank = 0;
  uint64_t syscalls = 0;       // events (pairs count once)
  uint64_t resumed = 0;        // events assembled from pairs
  uint64_t unfinished = 0;     // never resumed
  uint64_t orphan_resumed = 0; // <... resumed> without a matching <unfinished ...>
  uint64_t signals = 0;        // --- SIGxxx ... ---
  uint64_t exits = 0;          // +++ exited/killed +++
  uint64_t info = 0;           // strace: ... and [ Process ... ] lines
  uint64_t stack = 0;          // -k " > " lines
  uint64_t summary_rows = 0;   // -c table rows
  uint64_t truncated = 0;      // last line of a source cut off mid-way
  uint64_t unparsed = 0;
  uint64_t foreign_arch = 0;   // events with arch != x86_64
};

// after - before, field by field (what one parse() call added).
Stats operator-(const Stats& after, const Stats& before) noexcept;

struct LineParser;

class Trace {
 public:
  Trace();
  ~Trace();
  Trace(Trace&&) noexcept;
  Trace& operator=(Trace&&) noexcept;
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  // Parses one log. `text` must outlive the Trace. `default_pid` is used for lines without a pid
  // prefix (the `.NNN` suffix of a -ff file). Unfinished calls are closed at the end of the text.
  void parse(std::string_view text, std::string_view source_name = "<input>",
             std::optional<int> default_pid = std::nullopt);
  // Same, but the Trace keeps the text.
  void parse_owned(std::string text, std::string source_name,
                   std::optional<int> default_pid = std::nullopt);

  // ---- Streaming (bounded memory): one source at a time, in pieces ----
  // begin(name, pid); feed(piece, false)… ; feed(tail, true); end(). A piece that is not the
  // last must end with '\n' (lines never span pieces; the caller keeps the partial tail). The
  // views of events parsed from a piece stay valid until the next drain(); the caller may reuse
  // its buffer only after drain(). The Trace must not be moved while a source is open.
  void begin(std::string_view source_name, std::optional<int> default_pid = std::nullopt);
  void feed(std::string_view piece, bool last);
  void end();
  // Hands every completed event (and -c summary row) to the callbacks, then forgets them and
  // frees their storage; calls still waiting for their `<... resumed>` line are kept (their
  // text copied). Events arrive in completion order: a call resumed in a later piece comes
  // after calls that started after it (Event::source/line give the log order). pids() keeps
  // counting drained events.
  void drain(const std::function<void(const Event&)>& on_event,
             const std::function<void(const SummaryRow&)>& on_row = {});

  const std::vector<Event>& events() const noexcept { return events_; }
  const std::vector<SummaryRow>& summary() const noexcept { return summary_; }
  const Stats& stats() const noexcept { return stats_; }
  const std::vector<UnparsedLine>& unparsed_samples() const noexcept { return samples_; }
  const std::vector<std::string>& sources() const noexcept { return source_names_; }
  // Distinct pids seen (calls, signals, exits), sorted. 0 stands for "no pid prefix".
  std::vector<int> pids() const;

  size_t max_samples = 5;  // how many unparsed lines to keep

  // Splits Event::args into Event::argv only for the calls `want(name)` accepts (name as in the
  // log: "openat", "syscall_0x1b6"); the others keep an empty argv. Everything else about an
  // event is the same. For consumers that read argv of a few syscalls (profile generation:
  // profile_gen::needs_argv); nullptr (the default) splits every call. Set before begin().
  void set_argv_filter(bool (*want)(std::string_view name)) noexcept { argv_filter_ = want; }

 private:
  friend struct LineParser;
  void relocate_pending();
  struct Pending {
    size_t event;             // index into events_
    std::string_view prefix;  // args text before " <unfinished ...>"
  };
  std::string_view store(std::string_view a, std::string_view b = {}, std::string_view c = {});
  std::span<const std::string_view> store_args(const std::string_view* v, size_t n);

  std::vector<Event> events_;
  std::vector<SummaryRow> summary_;
  Stats stats_;
  std::vector<UnparsedLine> samples_;
  std::vector<std::string> source_names_;
  std::deque<std::string> owned_;                        // parse_owned texts
  std::vector<std::unique_ptr<char[]>> arena_;           // joined lines
  size_t arena_left_ = 0;
  char* arena_pos_ = nullptr;
  std::vector<std::unique_ptr<std::string_view[]>> argpool_;
  size_t argpool_left_ = 0;
  std::string_view* argpool_pos_ = nullptr;
  std::unordered_map<int, Arch> personality_;
  std::vector<int> other_pids_;  // pids of signal/exit lines
  std::vector<int> drained_pids_;  // sorted, distinct: pids of drained events
  std::unique_ptr<LineParser> lp_;  // the open source (streaming)
  bool (*argv_filter_)(std::string_view) = nullptr;
};

// ---- helpers over single events / texts (also used by `diagnose`) ----

// Splits an argument list at top-level commas, respecting quotes, (), {}, [], `/* */` comments
// and `-y` decorations (`3</a,b>`). Appends trimmed pieces to out.
void split_args(std::string_view args, std::vector<std::string_view>& out);
// Decodes a strace quoted string (`"a\nb\x41\"..."` with or without the trailing `...`) into
// bytes. Returns nullopt when `s` is not a quoted string. With -y, an fd decoration like
// `3</x/y>` yields "/x/y".
std::optional<std::string> unquote(std::string_view s);
// Indices of the path arguments of path-taking syscalls: openat→{1}, stat→{0}, renameat→{1,3},
// ... Empty for other syscalls.
std::span<const int> path_arg_indices(std::string_view syscall);
// The decoded path arguments of an event (only those that are quoted strings).
std::vector<std::string> paths(const Event& ev);
// "syscall_0x1b6" / "syscall_438" → 438; -1 otherwise.
int unknown_syscall_number(std::string_view name) noexcept;

}  // namespace gsb::strace
