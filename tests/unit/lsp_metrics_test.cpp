#include "gopls_sandbox/core/lsp_metrics.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using gsb::core::classify_message;
using gsb::core::LspDirection;
using gsb::core::LspMetrics;

namespace {

constexpr auto C2S = LspDirection::ClientToServer;
constexpr auto S2C = LspDirection::ServerToClient;

void msg(LspMetrics& m, LspDirection d, const std::string& body, double t) { m.on_message(d, classify_message(body), t); }

// A strict reader of the Prometheus text format (0.0.4) subset we emit: every line is a
// HELP/TYPE comment or `name{label="v",...} value`; every sample's family has a TYPE line
// before it. Returns sample values by "name{labels}".
std::map<std::string, double> parse_prometheus(const std::string& text, std::string* err) {
  static const std::regex sample(
      R"re(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*)\})? ([-+]?([0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?|Inf|NaN))$)re");
  static const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
  static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  std::map<std::string, double> out;
  std::map<std::string, std::string> types;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    if (std::regex_match(line, m, help)) continue;
    if (std::regex_match(line, m, type)) {
      if (types.count(m[1])) *err += "duplicate TYPE for " + m[1].str() + "\n";
      types[m[1]] = m[2];
      continue;
    }
    if (!std::regex_match(line, m, sample)) {
      *err += "line " + std::to_string(n) + " is not a sample: " + line + "\n";
      continue;
    }
    std::string name = m[1];
    std::string family = name;
    for (const char* suf : {"_bucket", "_sum", "_count"})
      if (!types.count(family) && family.size() > std::strlen(suf) &&
          family.compare(family.size() - std::strlen(suf), std::string::npos, suf) == 0)
        family = family.substr(0, family.size() - std::strlen(suf));
    if (!types.count(family)) *err += "no TYPE before " + name + "\n";
    std::string key = name + m[2].str();
    if (out.count(key)) *err += "duplicate sample " + key + "\n";
    out[key] = std::stod(m[7].str() == "+Inf" ? "inf" : m[7].str());
  }
  if (!text.empty() && text.back() != '\n') *err += "no final newline\n";
  return out;
}

}  // namespace

TEST(LspMetrics, CountsRequestsResponsesNotifications) {
  LspMetrics m;
  msg(m, C2S, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})", 10.0);
  msg(m, S2C, R"({"jsonrpc":"2.0","id":1,"result":{}})", 10.2);
  msg(m, C2S, R"({"jsonrpc":"2.0","method":"initialized","params":{}})", 10.3);
  // server -> client request, answered by the client
  msg(m, S2C, R"({"jsonrpc":"2.0","id":1,"method":"workspace/configuration","params":{}})", 10.4);
  msg(m, C2S, R"({"jsonrpc":"2.0","id":1,"result":[{}]})", 10.401);
  msg(m, C2S, R"({"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{}})", 11.0);
  msg(m, S2C, R"({"jsonrpc":"2.0","id":2,"error":{"code":-32800,"message":"cancelled"}})", 11.5);
  msg(m, S2C, R"({"jsonrpc":"2.0","method":"window/logMessage","params":{}})", 11.6);
  EXPECT_EQ(m.requests("initialize"), 1u);
  EXPECT_EQ(m.requests("workspace/configuration"), 1u);
  EXPECT_EQ(m.requests("textDocument/hover"), 1u);
  EXPECT_EQ(m.errors("textDocument/hover"), 1u);
  EXPECT_EQ(m.errors("initialize"), 0u);
  EXPECT_EQ(m.latency_count("initialize"), 1u);
  EXPECT_EQ(m.latency_count("workspace/configuration"), 1u);
  EXPECT_EQ(m.notifications("initialized", C2S), 1u);
  EXPECT_EQ(m.notifications("window/logMessage", S2C), 1u);
  EXPECT_EQ(m.notifications("window/logMessage", C2S), 0u);
  EXPECT_EQ(m.pending(), 0u);
}

TEST(LspMetrics, ResponseObservedBeforeItsRequestStillMatches) {
  LspMetrics m;
  msg(m, S2C, R"({"jsonrpc":"2.0","id":"a","result":1})", 5.0);
  msg(m, C2S, R"({"jsonrpc":"2.0","id":"a","method":"x/y"})", 5.0);
  EXPECT_EQ(m.latency_count("x/y"), 1u);
  EXPECT_EQ(m.pending(), 0u);
  EXPECT_NE(m.prometheus_text().find("gopls_sandbox_lsp_unmatched_responses 0\n"), std::string::npos);
}

TEST(LspMetrics, SameIdInBothDirectionsIsKeptApart) {
  LspMetrics m;
  msg(m, C2S, R"({"id":1,"method":"a"})", 1.0);
  msg(m, S2C, R"({"id":1,"method":"b"})", 1.0);
  msg(m, S2C, R"({"id":1,"result":null})", 2.0);  // answers "a"
  EXPECT_EQ(m.latency_count("a"), 1u);
  EXPECT_EQ(m.latency_count("b"), 0u);
  msg(m, C2S, R"({"id":1,"result":null})", 3.0);  // answers "b"
  EXPECT_EQ(m.latency_count("b"), 1u);
}

TEST(LspMetrics, PrometheusTextParsesAndHasEverything) {
  LspMetrics m;
  m.set_server_start_time(1795000000.25);
  m.add_bytes(C2S, 100);
  m.add_bytes(S2C, 250);
  msg(m, C2S, R"({"id":1,"method":"initialize"})", 0.0);
  msg(m, S2C, R"({"id":1,"result":{}})", 0.003);  // 3 ms: bucket le=0.005 and up
  msg(m, C2S, R"({"id":2,"method":"we\"ird\\name"})", 1.0);
  msg(m, S2C, R"({"id":2,"error":{}})", 100.0);  // beyond the largest bucket
  msg(m, C2S, R"({"method":"exit"})", 101.0);
  m.set_server_exit_status(0);
  std::string text = m.prometheus_text();
  std::string err;
  auto s = parse_prometheus(text, &err);
  EXPECT_EQ(err, "") << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_requests_total{method=\"initialize\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_requests_total{method=\"we\\\"ird\\\\name\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_errors_total{method=\"we\\\"ird\\\\name\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_request_duration_seconds_bucket{method=\"initialize\",le=\"0.0025\"}"], 0) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_request_duration_seconds_bucket{method=\"initialize\",le=\"0.005\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_request_duration_seconds_bucket{method=\"initialize\",le=\"+Inf\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_request_duration_seconds_count{method=\"initialize\"}"], 1) << text;
  EXPECT_NEAR(s["gopls_sandbox_lsp_request_duration_seconds_sum{method=\"initialize\"}"], 0.003, 1e-9) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_request_duration_seconds_bucket{method=\"we\\\"ird\\\\name\",le=\"30\"}"], 0) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_request_duration_seconds_bucket{method=\"we\\\"ird\\\\name\",le=\"+Inf\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_notifications_total{method=\"exit\",direction=\"client_to_server\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_bytes_total{direction=\"client_to_server\"}"], 100) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_bytes_total{direction=\"server_to_client\"}"], 250) << text;
  EXPECT_EQ(s["gopls_sandbox_server_start_time_seconds"], 1795000000.25) << text;
  EXPECT_EQ(s.count("gopls_sandbox_server_exit_status"), 1u) << text;
  // Buckets are cumulative and ascending.
  EXPECT_NE(text.find("# TYPE gopls_sandbox_lsp_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("# HELP gopls_sandbox_lsp_requests_total "), std::string::npos);
}

TEST(LspMetrics, ExitStatusOnlyAfterExit) {
  LspMetrics m;
  EXPECT_EQ(m.prometheus_text().find("gopls_sandbox_server_exit_status"), std::string::npos);
  m.set_server_exit_status(137);
  EXPECT_NE(m.prometheus_text().find("gopls_sandbox_server_exit_status 137\n"), std::string::npos);
}

TEST(LspMetrics, PendingTableIsBounded) {
  LspMetrics m;
  for (size_t i = 0; i < LspMetrics::kMaxPending + 10; ++i)
    msg(m, C2S, "{\"id\":" + std::to_string(i) + ",\"method\":\"m\"}", 0.0);
  EXPECT_EQ(m.pending(), LspMetrics::kMaxPending);
  EXPECT_EQ(m.requests("m"), LspMetrics::kMaxPending + 10);
}

TEST(LspMetrics, EmptyRegistryIsValidText) {
  LspMetrics m;
  std::string err;
  parse_prometheus(m.prometheus_text(), &err);
  EXPECT_EQ(err, "");
}
