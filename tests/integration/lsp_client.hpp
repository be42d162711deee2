// A minimal LSP client over a Proc's stdio, for the end-to-end tests.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"
#include "harness.hpp"

namespace gsb::test {

class LspClient {
 public:
  explicit LspClient(Proc& p) : p_(p) {}

  void send(const json::Value& msg) {
    std::string body = msg.dump();
    p_.write_all("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  int request(const std::string& method, json::Value params) {
    int id = next_id_++;
    json::Value m;
    m.set("jsonrpc", "2.0");
    m.set("id", id);
    m.set("method", method);
    m.set("params", std::move(params));
    send(m);
    return id;
  }
  void notify(const std::string& method, json::Value params) {
    json::Value m;
    m.set("jsonrpc", "2.0");
    m.set("method", method);
    m.set("params", std::move(params));
    send(m);
  }

  // The response to `id` (answering server requests and keeping notifications meanwhile).
  std::optional<json::Value> response(int id, std::chrono::milliseconds timeout = std::chrono::seconds(90)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (!(*it)["method"].is_string() && (*it)["id"].as_int(-1) == id) {
          json::Value v = *it;
          pending_.erase(it);
          return v;
        }
      }
      auto m = next(deadline);
      if (!m) return std::nullopt;
      pending_.push_back(std::move(*m));
    }
  }

  // The first notification `method` for which pred holds (consumed); earlier ones are dropped.
  std::optional<json::Value> notification(const std::string& method, const std::function<bool(const json::Value&)>& pred,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(90)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if ((*it)["method"].as_string() == method && !(*it).find("id")) {
          json::Value v = *it;
          pending_.erase(it);
          if (pred(v)) return v;
          break;  // re-scan from the start after erasing
        }
      }
      bool again = false;
      for (auto& m : pending_)
        if (m["method"].as_string() == method && !m.find("id")) again = true;
      if (again) continue;
      auto m = next(deadline);
      if (!m) return std::nullopt;
      pending_.push_back(std::move(*m));
    }
  }

  int requests_answered = 0;  // server->client requests we replied to

 private:
  // Next message from the server that is not a server->client request (those are answered).
  std::optional<json::Value> next(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      auto raw = read_frame(deadline);
      if (!raw) return std::nullopt;
      auto v = json::parse(*raw);
      if (!v) continue;
      if ((*v)["method"].is_string() && v->find("id")) {
        send(core::lsp_minimal_client_reply(*v));
        ++requests_answered;
        continue;
      }
      return v.value();
    }
  }

  std::optional<std::string> read_frame(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      auto& b = p_.out_buf;
      auto hdr_end = b.find("\r\n\r\n");
      if (hdr_end != std::string::npos) {
        auto cl = b.find("Content-Length:");
        if (cl != std::string::npos && cl < hdr_end) {
          size_t len = std::stoul(b.substr(cl + 15, hdr_end - cl - 15));
          if (b.size() >= hdr_end + 4 + len) {
            std::string body = b.substr(hdr_end + 4, len);
            b.erase(0, hdr_end + 4 + len);
            return body;
          }
        }
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      size_t before = b.size();
      p_.read_until([before](const std::string& s) { return s.size() > before; }, left);
      if (p_.out_buf.size() == before) return std::nullopt;
    }
  }

  Proc& p_;
  int next_id_ = 1;
  std::deque<json::Value> pending_;
};

inline json::Value text_doc(const std::string& uri) {
  json::Value d;
  d.set("uri", uri);
  return d;
}
inline json::Value position(int line, int ch) {
  json::Value p;
  p.set("line", line);
  p.set("character", ch);
  return p;
}
inline json::Value doc_pos(const std::string& uri, int line, int ch) {
  json::Value v;
  v.set("textDocument", text_doc(uri));
  v.set("position", position(line, ch));
  return v;
}

}  // namespace gsb::test
