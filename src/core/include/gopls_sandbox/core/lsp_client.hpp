// The project's LSP client, its pure half: JSON-RPC messages built and framed, the server's bytes
// split into messages, server->client requests answered (core/lsp_framing's minimal replies),
// responses and notifications kept until asked for. No I/O: the blocking client over a process'
// pipes is sys/lsp_client.hpp, used by `doctor` and by the tests (tests/integration/lsp_client.hpp).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"

namespace gsb::core {

// {"jsonrpc":"2.0","id":ID,"method":M,"params":P} and the same without "id".
json::Value lsp_request(int id, const std::string& method, json::Value params);
json::Value lsp_notification(const std::string& method, json::Value params);

class LspConversation {
 public:
  // Queue a message for the server; request() returns the id it chose (1, 2, ...).
  void queue(const json::Value& msg);
  int request(const std::string& method, json::Value params);
  void notify(const std::string& method, json::Value params);

  // The framed bytes queued for the server (requests, notifications, replies), handed over once.
  std::string take_outgoing();

  // Bytes the server wrote, in any pieces. Complete messages are parsed: a server->client request
  // is answered at once (its reply queued for take_outgoing), everything else is kept.
  void feed(std::string_view bytes);

  // The response to `id` (removed), if it arrived.
  std::optional<json::Value> take_response(int id);
  // The first kept notification `method` for which pred holds (removed). Notifications `method`
  // before it, for which pred does not hold, are dropped; nullopt when none holds yet.
  std::optional<json::Value> take_notification(const std::string& method,
                                               const std::function<bool(const json::Value&)>& pred);

  int requests_answered() const { return requests_answered_; }
  size_t kept() const { return pending_.size(); }
  const LspFrameParser& parser() const { return parser_; }

 private:
  LspFrameParser parser_;
  std::string out_;
  std::deque<json::Value> pending_;
  int next_id_ = 1;
  int requests_answered_ = 0;
};

}  // namespace gsb::core
