// The denial-log supervisor: a thread in the launcher (outside the sandbox) that answers
// every seccomp user notification with the errno the profile names (or lets it continue in
// learn mode), records it, and writes the JSON Lines denial log.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gopls_sandbox/core/denials.hpp"
#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/sys/notify.hpp"

namespace gsb::app {

// Append-only JSON Lines file, created on first write, rotated once (FILE.1) past max_bytes.
class DenialLog {
 public:
  DenialLog(std::string path, uint64_t max_bytes) : path_(std::move(path)), max_bytes_(max_bytes) {}
  ~DenialLog();
  void write(const core::DenialRecord& r);
  void write(const json::Value& record);  // other records (e.g. inode check results)
  const std::string& path() const { return path_; }
  std::string error() const { return error_; }

 private:
  bool open_file();
  std::string path_;
  uint64_t max_bytes_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string error_;
  std::mutex mu_;  // the supervisor and the network proxy (issue 14) write from their threads
};

// Default: $XDG_STATE_HOME/gopls-sandbox/denials.jsonl (or ~/.local/state/...).
std::string default_denial_log(const std::map<std::string, std::string>& env);

class Supervisor {
 public:
  struct Options {
    std::function<const core::Profile*()> profile;  // loaded on the first notification
    bool learn = false;                 // let every call continue (record what the run needs)
    bool verbose = false;               // one stderr line per denial as it happens
    DenialLog* log = nullptr;           // may be null
    std::function<void(const core::DenialRecord&)> on_record;  // every event (learn mode)
    // Copy-on-write cache mount points inside (issue 12): an allowed utimensat/utimes on an
    // absolute path below one of them is answered with success without running it (no copy-up
    // for an mtime refresh); every other intercepted call continues as the caller made it.
    std::vector<std::string> skip_times_under;
  };
  explicit Supervisor(Options o);
  ~Supervisor();
  // Starts the thread serving `listener` (takes ownership of the fd).
  void start(int listener);
  // Stops the thread (after the sandbox is gone), flushes aggregated records.
  void stop();
  uint64_t total() const { return agg_.total(); }
  const std::map<std::string, uint64_t>& by_syscall() const { return agg_.by_syscall(); }

 private:
  void loop();
  void handle(int64_t now_us);
  void answer_time_update(const sys::Notification& n);
  void emit(const core::DenialRecord& r);
  Options o_;
  int listener_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;
  core::DenialAggregator agg_;
  struct Cached {
    int64_t at_us;
    int tgid, ns_pid;
    std::string comm, exe;
  };
  std::map<uint32_t, Cached> tasks_;
  // The last notification, for the storm fast path (same thread, syscall and arguments).
  struct Last {
    bool valid = false;
    uint32_t tid = 0;
    int nr = -1;
    uint64_t args[6] = {};
    int err = 0;
    int64_t at_us = 0;
  } last_;
  int64_t last_flush_us_ = 0;
};

}  // namespace gsb::app
