#include "gopls_sandbox/core/lsp_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace gsb::core {

namespace {

std::string num(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char b[64];
  for (int prec = 6; prec <= 17; ++prec) {  // shortest text that reads back as v
    std::snprintf(b, sizeof b, "%.*g", prec, v);
    if (std::strtod(b, nullptr) == v) break;
  }
  return b;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

const char* direction_label(LspDirection d) {
  return d == LspDirection::ClientToServer ? "client_to_server" : "server_to_client";
}

std::string prometheus_escape(const std::string& v) {
  std::string o;
  o.reserve(v.size());
  for (char c : v) {
    if (c == '\\') o += "\\\\";
    else if (c == '"') o += "\\\"";
    else if (c == '\n') o += "\\n";
    else o += c;
  }
  return o;
}

std::vector<double> LspMetrics::default_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

LspMetrics::LspMetrics(std::vector<double> buckets) : buckets_(std::move(buckets)) {
  std::sort(buckets_.begin(), buckets_.end());
}

void LspMetrics::add_bytes(LspDirection d, uint64_t n) { bytes_[static_cast<int>(d)] += n; }
void LspMetrics::add_bad_headers(LspDirection d, uint64_t n) { bad_headers_[static_cast<int>(d)] += n; }

void LspMetrics::on_message(LspDirection d, const LspMessageInfo& m, double now_s) {
  const int dir = static_cast<int>(d);
  switch (m.kind) {
    case LspMessageInfo::Request: {
      ++requests_[m.method];
      if (auto e = early_.find({dir, m.id}); e != early_.end()) {
        record_response(m.method, e->second.has_error, 0.0);
        early_.erase(e);
        break;
      }
      if (pending_.size() >= kMaxPending) {
        auto oldest = std::min_element(pending_.begin(), pending_.end(),
                                       [](const auto& a, const auto& b) { return a.second.seq < b.second.seq; });
        pending_.erase(oldest);
        ++dropped_pending_;
      }
      pending_[{dir, m.id}] = Pending{m.method, now_s, ++seq_};
      break;
    }
    case LspMessageInfo::Response: {
      // A response travels opposite to its request.
      auto it = pending_.find({1 - dir, m.id});
      if (it == pending_.end()) {
        if (early_.size() >= kMaxEarly) {
          auto oldest = std::min_element(early_.begin(), early_.end(),
                                         [](const auto& a, const auto& b) { return a.second.seq < b.second.seq; });
          if (oldest->second.has_error) ++errors_[""];
          early_.erase(oldest);
          ++unmatched_responses_;
        }
        early_[{1 - dir, m.id}] = Early{m.has_error, now_s, ++seq_};
        break;
      }
      record_response(it->second.method, m.has_error, std::max(0.0, now_s - it->second.start));
      pending_.erase(it);
      break;
    }
    case LspMessageInfo::Notification:
      ++notifications_[{m.method, dir}];
      break;
    case LspMessageInfo::Invalid:
      break;
  }
}

void LspMetrics::record_response(const std::string& method, bool has_error, double dt) {
  if (has_error) ++errors_[method];
  Histogram& h = latency_[method];
  if (h.counts.empty()) h.counts.assign(buckets_.size() + 1, 0);
  size_t b = static_cast<size_t>(std::lower_bound(buckets_.begin(), buckets_.end(), dt) - buckets_.begin());
  ++h.counts[b];
  h.sum += dt;
  ++h.count;
}

uint64_t LspMetrics::requests(const std::string& method) const {
  auto it = requests_.find(method);
  return it == requests_.end() ? 0 : it->second;
}
uint64_t LspMetrics::errors(const std::string& method) const {
  auto it = errors_.find(method);
  return it == errors_.end() ? 0 : it->second;
}
uint64_t LspMetrics::notifications(const std::string& method, LspDirection d) const {
  auto it = notifications_.find({method, static_cast<int>(d)});
  return it == notifications_.end() ? 0 : it->second;
}
uint64_t LspMetrics::latency_count(const std::string& method) const {
  auto it = latency_.find(method);
  return it == latency_.end() ? 0 : it->second.count;
}

std::string LspMetrics::prometheus_text() const {
  std::string o;
  o.reserve(4096);
  auto m = [](const std::string& method) { return "method=\"" + prometheus_escape(method) + "\""; };

  header(o, "gopls_sandbox_lsp_requests_total", "counter",
         "LSP requests seen by the proxy, by method (client->server and server->client).");
  for (const auto& [k, v] : requests_) o += "gopls_sandbox_lsp_requests_total{" + m(k) + "} " + std::to_string(v) + "\n";

  header(o, "gopls_sandbox_lsp_errors_total", "counter",
         "LSP responses carrying an error, by method of the request (\"\" when the request was not seen).");
  for (const auto& [k, v] : errors_) o += "gopls_sandbox_lsp_errors_total{" + m(k) + "} " + std::to_string(v) + "\n";

  header(o, "gopls_sandbox_lsp_request_duration_seconds", "histogram",
         "Time from a request to its response as seen by the proxy, by method.");
  for (const auto& [k, h] : latency_) {
    uint64_t cum = 0;
    for (size_t i = 0; i < h.counts.size(); ++i) {
      cum += h.counts[i];
      std::string le = i < buckets_.size() ? num(buckets_[i]) : "+Inf";
      o += "gopls_sandbox_lsp_request_duration_seconds_bucket{" + m(k) + ",le=\"" + le + "\"} " + std::to_string(cum) + "\n";
    }
    o += "gopls_sandbox_lsp_request_duration_seconds_sum{" + m(k) + "} " + num(h.sum) + "\n";
    o += "gopls_sandbox_lsp_request_duration_seconds_count{" + m(k) + "} " + std::to_string(h.count) + "\n";
  }

  header(o, "gopls_sandbox_lsp_notifications_total", "counter", "LSP notifications, by method and direction.");
  for (const auto& [k, v] : notifications_)
    o += "gopls_sandbox_lsp_notifications_total{" + m(k.first) + ",direction=\"" +
         direction_label(static_cast<LspDirection>(k.second)) + "\"} " + std::to_string(v) + "\n";

  header(o, "gopls_sandbox_lsp_bytes_total", "counter", "Bytes relayed, by direction.");
  for (int d = 0; d < 2; ++d)
    o += std::string("gopls_sandbox_lsp_bytes_total{direction=\"") + direction_label(static_cast<LspDirection>(d)) +
         "\"} " + std::to_string(bytes_[d]) + "\n";

  header(o, "gopls_sandbox_lsp_framing_errors_total", "counter",
         "Header blocks without a usable Content-Length (relayed unchanged, not counted as messages).");
  for (int d = 0; d < 2; ++d)
    o += std::string("gopls_sandbox_lsp_framing_errors_total{direction=\"") +
         direction_label(static_cast<LspDirection>(d)) + "\"} " + std::to_string(bad_headers_[d]) + "\n";

  header(o, "gopls_sandbox_lsp_pending_requests", "gauge", "Requests still waiting for their response.");
  o += "gopls_sandbox_lsp_pending_requests " + std::to_string(pending_.size()) + "\n";

  header(o, "gopls_sandbox_lsp_unmatched_responses", "gauge",
         "Responses whose request was not seen (a request may still follow; evicted ones included).");
  o += "gopls_sandbox_lsp_unmatched_responses " + std::to_string(unmatched_responses_ + early_.size()) + "\n";

  if (start_time_) {
    header(o, "gopls_sandbox_server_start_time_seconds", "gauge", "Start time of the language server, Unix seconds.");
    o += "gopls_sandbox_server_start_time_seconds " + num(*start_time_) + "\n";
  }
  if (exit_status_) {
    header(o, "gopls_sandbox_server_exit_status", "gauge",
           "Exit status of the language server (128+N when killed by signal N); present after it exited.");
    o += "gopls_sandbox_server_exit_status " + std::to_string(*exit_status_) + "\n";
  }
  return o;
}

}  // namespace gsb::core
