#include "gopls_sandbox/core/lsp_client.hpp"

#include <utility>
#include <vector>

namespace gsb::core {

json::Value lsp_request(int id, const std::string& method, json::Value params) {
  json::Value m;
  m.set("jsonrpc", "2.0");
  m.set("id", id);
  m.set("method", method);
  m.set("params", std::move(params));
  return m;
}

json::Value lsp_notification(const std::string& method, json::Value params) {
  json::Value m;
  m.set("jsonrpc", "2.0");
  m.set("method", method);
  m.set("params", std::move(params));
  return m;
}

void LspConversation::queue(const json::Value& msg) { out_ += lsp_frame(msg.dump()); }

int LspConversation::request(const std::string& method, json::Value params) {
  int id = next_id_++;
  queue(lsp_request(id, method, std::move(params)));
  return id;
}

void LspConversation::notify(const std::string& method, json::Value params) {
  queue(lsp_notification(method, std::move(params)));
}

std::string LspConversation::take_outgoing() { return std::exchange(out_, std::string()); }

void LspConversation::feed(std::string_view bytes) {
  std::vector<std::string> bodies;
  parser_.feed(bytes, bodies);
  for (auto& b : bodies) {
    auto v = json::parse(b);
    if (!v || !v->is_object()) continue;
    if ((*v)["method"].is_string() && v->find("id")) {  // server -> client request: answer it
      queue(lsp_minimal_client_reply(*v));
      ++requests_answered_;
      continue;
    }
    pending_.push_back(std::move(*v));
  }
}

std::optional<json::Value> LspConversation::take_response(int id) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (!(*it)["method"].is_string() && (*it)["id"].as_int(-1) == id) {
      json::Value v = std::move(*it);
      pending_.erase(it);
      return v;
    }
  }
  return std::nullopt;
}

std::optional<json::Value> LspConversation::take_notification(const std::string& method,
                                                              const std::function<bool(const json::Value&)>& pred) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if ((*it)["method"].as_string() == method && !it->find("id")) {
      json::Value v = std::move(*it);
      it = pending_.erase(it);
      if (pred(v)) return v;
      continue;
    }
    ++it;
  }
  return std::nullopt;
}

}  // namespace gsb::core
