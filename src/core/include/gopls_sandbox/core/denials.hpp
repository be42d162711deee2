// Denial records (one JSON Lines record per refused syscall) and storm aggregation. Pure: the
// supervisor feeds events with their time; the aggregator says what to write.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "gopls_sandbox/core/json.hpp"

namespace gsb::core {

struct DenialRecord {
  int64_t time_us = 0;  // CLOCK_REALTIME, microseconds
  int pid = 0;          // host pid (thread group)
  int ns_pid = 0;       // pid inside the sandbox
  int tid = 0;          // host thread id
  std::string comm, exe;
  std::string syscall;  // name ("syscall_438" when unknown)
  int nr = -1;
  std::string arch = "x86_64";
  uint64_t args[6] = {};
  std::optional<std::string> path;  // decoded path argument, when read safely
  int err = 0;                      // errno returned
  std::string rule;                 // which profile rule refused it
  std::string action = "errno";    // "errno" (refused) or "allowed" (learn mode)
  uint64_t count = 1;               // > 1 on an aggregated record
  int64_t last_us = 0;              // aggregated: time of the last occurrence
};

// RFC 3339 UTC with microseconds: 2026-11-27T10:01:02.123456Z
std::string rfc3339_us(int64_t time_us);
json::Value to_json(const DenialRecord& r);
// "ptrace(pid 12 comm=probe) = -1 EPERM [rule gopls.toml:40:1] path=/x"
std::string one_line(const DenialRecord& r);

// Identical (syscall, comm, errno) denials within `window_us` after the first are counted, not
// written; when the window closes an aggregated record carries the count.
class DenialAggregator {
 public:
  explicit DenialAggregator(int64_t window_us = 1000000) : window_us_(window_us) {}
  // Records to write now for this event (the first of a window, plus any windows it closed).
  std::vector<DenialRecord> add(const DenialRecord& r);
  // The same denial as the last one added, again at now_us: counted in its open window without
  // building a record (the storm fast path). False when the window has closed: call add().
  bool repeat_last(int64_t now_us);
  // Windows that closed by `now_us` (all of them when final).
  std::vector<DenialRecord> flush(int64_t now_us, bool final);
  uint64_t total() const { return total_; }
  // Per syscall totals, for the exit summary.
  const std::map<std::string, uint64_t>& by_syscall() const { return by_syscall_; }

 private:
  struct Window {
    DenialRecord last;
    int64_t start_us = 0;
    uint64_t suppressed = 0;
  };
  using Key = std::tuple<std::string, std::string, int>;
  int64_t window_us_;
  std::map<Key, Window> windows_;
  Window* last_ = nullptr;
  std::string last_syscall_;
  std::map<std::string, uint64_t> by_syscall_;
  uint64_t total_ = 0;
};

// "12 syscalls refused: ptrace ×10, mount ×2 — see FILE"
std::string exit_summary(const std::map<std::string, uint64_t>& by_syscall, uint64_t total,
                         const std::string& log_path);

}  // namespace gsb::core
