// The project's LSP client (blocking half): core::LspConversation over a transport to the
// server's stdio. `doctor`'s startup reproduction runs it over a sys::StdioChild; the tests
// (tests/integration/lsp_client.hpp) over the harness' processes.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/lsp_client.hpp"

namespace gsb::sys {

// A server's stdio, as the client sees it.
class LspTransport {
 public:
  enum class Read {
    Data,     // bytes were appended
    Closed,   // the server is gone (its stdout closed; no more bytes will come)
    Timeout,  // the deadline passed
  };
  virtual ~LspTransport() = default;
  // All of `bytes` to the server's stdin; false when it is closed or gone.
  virtual bool write(std::string_view bytes) = 0;
  // Waits (at most until `deadline`) for bytes on the server's stdout and appends them to `out`.
  virtual Read read(std::string& out, std::chrono::steady_clock::time_point deadline) = 0;
};

class LspClient {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LspClient(LspTransport& t) : t_(t) {}

  void send(const json::Value& msg);
  int request(const std::string& method, json::Value params);  // the id (1, 2, ...)
  void notify(const std::string& method, json::Value params);

  // The response to `id`, answering server requests and keeping notifications meanwhile;
  // nullopt when the server is gone or the time is up (last_wait() says which).
  std::optional<json::Value> response(int id, std::chrono::milliseconds timeout = std::chrono::seconds(90));
  std::optional<json::Value> response_by(int id, Clock::time_point deadline);
  // The first notification `method` for which pred holds (consumed); earlier ones are dropped.
  std::optional<json::Value> notification(const std::string& method, const std::function<bool(const json::Value&)>& pred,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(90));

  LspTransport::Read last_wait() const { return last_; }
  // A write to the server failed (its stdin is closed); later messages are not sent.
  bool write_failed() const { return write_failed_; }
  int requests_answered() const { return conv_.requests_answered(); }

 private:
  void flush();
  // One read into the conversation; false when nothing more will come before the deadline.
  bool pump(Clock::time_point deadline);

  LspTransport& t_;
  core::LspConversation conv_;
  LspTransport::Read last_ = LspTransport::Read::Data;
  bool write_failed_ = false;
};

}  // namespace gsb::sys
