// LSP health indicators in Prometheus text format (exposition format 0.0.4). Pure: the relay
// feeds messages with their time; prometheus_text() renders the registry.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gopls_sandbox/core/lsp_framing.hpp"

namespace gsb::core {

enum class LspDirection { ClientToServer, ServerToClient };
const char* direction_label(LspDirection d);  // "client_to_server" | "server_to_client"

class LspMetrics {
 public:
  // Upper bounds (seconds) of the latency histogram buckets; +Inf is implicit.
  static std::vector<double> default_buckets();
  // At most this many requests wait for their response; older ones are dropped (counted).
  static constexpr size_t kMaxPending = 10000;
  static constexpr size_t kMaxEarly = 1000;

  explicit LspMetrics(std::vector<double> buckets = default_buckets());

  void add_bytes(LspDirection d, uint64_t n);
  void add_bad_headers(LspDirection d, uint64_t n);
  // A complete message travelling in direction d at monotonic time now_s (seconds).
  void on_message(LspDirection d, const LspMessageInfo& m, double now_s);
  void set_server_start_time(double unix_s) { start_time_ = unix_s; }
  void set_server_exit_status(int status) { exit_status_ = status; }

  std::string prometheus_text() const;

  // For tests and summaries.
  uint64_t requests(const std::string& method) const;
  uint64_t errors(const std::string& method) const;
  uint64_t notifications(const std::string& method, LspDirection d) const;
  uint64_t bytes(LspDirection d) const { return bytes_[static_cast<int>(d)]; }
  uint64_t latency_count(const std::string& method) const;
  size_t pending() const { return pending_.size(); }

 private:
  struct Histogram {
    std::vector<uint64_t> counts;  // per bucket (not cumulative); last = +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  struct Pending {
    std::string method;
    double start = 0;
    uint64_t seq = 0;
  };
  std::vector<double> buckets_;
  std::map<std::string, uint64_t> requests_, errors_;
  std::map<std::pair<std::string, int>, uint64_t> notifications_;
  std::map<std::string, Histogram> latency_;
  // key: direction of the request + id
  std::map<std::pair<int, std::string>, Pending> pending_;
  // Responses seen before their request: the two directions are relayed by different threads,
  // so a fast answer can be observed first. key: direction of the request + id.
  struct Early {
    bool has_error = false;
    double time = 0;
    uint64_t seq = 0;
  };
  std::map<std::pair<int, std::string>, Early> early_;
  void record_response(const std::string& method, bool has_error, double dt);
  uint64_t seq_ = 0, dropped_pending_ = 0, unmatched_responses_ = 0;
  uint64_t bytes_[2] = {0, 0};
  uint64_t bad_headers_[2] = {0, 0};
  std::optional<double> start_time_;
  std::optional<int> exit_status_;
};

// Escape a label value for the text format (\\, \", \n).
std::string prometheus_escape(const std::string& v);

}  // namespace gsb::core
