// LSP base protocol framing (`Content-Length: N\r\n\r\n` + body), parsed as an observer: the
// relay forwards bytes unchanged and feeds a copy to this parser, which extracts complete
// message bodies and classifies them. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/json.hpp"

namespace gsb::core {

// Incremental frame splitter. Bytes may arrive in arbitrary pieces; any header fields besides
// Content-Length (e.g. Content-Type) are accepted. A header block without a usable
// Content-Length (or longer than kMaxHeader without its terminating blank line) is counted in
// bad_headers() and skipped; parsing resynchronises at the next header block.
class LspFrameParser {
 public:
  static constexpr size_t kMaxHeader = 8192;
  // Appends the bodies of the frames completed by `data` to `bodies`.
  void feed(std::string_view data, std::vector<std::string>& bodies);
  uint64_t bad_headers() const { return bad_headers_; }
  uint64_t frames() const { return frames_; }
  // Bytes held for an incomplete frame.
  size_t buffered() const { return buf_.size(); }
  // Every byte fed so far belongs to a complete frame.
  bool at_boundary() const { return !in_body_ && buf_.empty(); }

 private:
  std::string buf_;
  size_t body_len_ = 0;
  bool in_body_ = false;
  uint64_t bad_headers_ = 0, frames_ = 0;
};

// Parse a header block (without the final blank line): the Content-Length value, or -1 when it
// is missing, malformed or duplicated with different values. Field names are case-insensitive.
int64_t parse_content_length(std::string_view header_block);

// A JSON-RPC message as far as the metrics need it.
struct LspMessageInfo {
  enum Kind { Request, Response, Notification, Invalid } kind = Invalid;
  std::string method;  // requests and notifications
  std::string id;      // requests and responses: the id in canonical JSON ("1", "\"abc\"")
  bool has_error = false;  // responses carrying "error"
};
LspMessageInfo classify_message(std::string_view body);

// "Content-Length: N\r\n\r\n" + body
std::string lsp_frame(std::string_view body);

// What a minimal client answers to a server->client request (`request` has "method" and "id"):
// one empty object per item for workspace/configuration, null otherwise.
json::Value lsp_minimal_client_reply(const json::Value& request);

}  // namespace gsb::core
