#include "gopls_sandbox/sys/lsp_client.hpp"

#include <utility>

namespace gsb::sys {

void LspClient::flush() {
  std::string out = conv_.take_outgoing();
  if (out.empty() || write_failed_) return;
  if (!t_.write(out)) write_failed_ = true;
}

void LspClient::send(const json::Value& msg) {
  conv_.queue(msg);
  flush();
}

int LspClient::request(const std::string& method, json::Value params) {
  int id = conv_.request(method, std::move(params));
  flush();
  return id;
}

void LspClient::notify(const std::string& method, json::Value params) {
  conv_.notify(method, std::move(params));
  flush();
}

bool LspClient::pump(Clock::time_point deadline) {
  std::string bytes;
  last_ = t_.read(bytes, deadline);
  if (!bytes.empty()) {
    conv_.feed(bytes);
    flush();  // replies to server requests
  }
  return last_ == LspTransport::Read::Data;
}

std::optional<json::Value> LspClient::response_by(int id, Clock::time_point deadline) {
  for (;;) {
    if (auto v = conv_.take_response(id)) return v;
    if (!pump(deadline)) return conv_.take_response(id);
  }
}

std::optional<json::Value> LspClient::response(int id, std::chrono::milliseconds timeout) {
  return response_by(id, Clock::now() + timeout);
}

std::optional<json::Value> LspClient::notification(const std::string& method,
                                                   const std::function<bool(const json::Value&)>& pred,
                                                   std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto v = conv_.take_notification(method, pred)) return v;
    if (!pump(deadline)) return conv_.take_notification(method, pred);
  }
}

}  // namespace gsb::sys
