// The end-to-end tests' LSP client: the project's own (sys/lsp_client.hpp over core/lsp_client.hpp,
// shared with `doctor`) over a harness Proc's stdio.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/sys/lsp_client.hpp"
#include "harness.hpp"

namespace gsb::test {

// The project's LSP client (sys/lsp_client.hpp, the one `doctor` uses) over a harness Proc: what
// the server writes to stdout is handed over from Proc::out_buf, stderr stays in Proc::err_buf.
class ProcLspTransport : public sys::LspTransport {
 public:
  explicit ProcLspTransport(Proc& p) : p_(p) {}
  bool write(std::string_view bytes) override { return p_.write_all(std::string(bytes)); }
  Read read(std::string& out, std::chrono::steady_clock::time_point deadline) override {
    if (p_.out_buf.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Read::Timeout;
      p_.read_until([](const std::string& s) { return !s.empty(); }, left);
    }
    if (!p_.out_buf.empty()) {
      out += p_.out_buf;
      p_.out_buf.clear();
      return Read::Data;
    }
    return p_.out < 0 ? Read::Closed : Read::Timeout;
  }

 private:
  Proc& p_;
};

// LspClient c(proc); c.request(...), c.response(id), c.notification(method, pred), c.notify(...).
class LspClient : private ProcLspTransport, public sys::LspClient {
 public:
  explicit LspClient(Proc& p) : ProcLspTransport(p), sys::LspClient(static_cast<ProcLspTransport&>(*this)) {}
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
