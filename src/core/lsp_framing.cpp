#include "gopls_sandbox/core/lsp_framing.hpp"

#include <cctype>

#include "gopls_sandbox/core/json.hpp"

namespace gsb::core {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

int64_t parse_content_length(std::string_view block) {
  int64_t len = -1;
  size_t pos = 0;
  while (pos <= block.size()) {
    size_t eol = block.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = block.size();
    std::string_view line = block.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return -1;  // not a header field
    std::string_view name = trim(line.substr(0, colon));
    if (!iequals(name, "Content-Length")) continue;
    std::string_view v = trim(line.substr(colon + 1));
    if (v.empty() || v.size() > 12) return -1;
    int64_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    if (len >= 0 && len != n) return -1;
    len = n;
  }
  return len;
}

void LspFrameParser::feed(std::string_view data, std::vector<std::string>& bodies) {
  // Fast path: a whole frame (or several) in one piece with nothing buffered is still copied
  // once into buf_; frames are small compared with the cost of the JSON classification.
  buf_.append(data.data(), data.size());
  size_t off = 0;
  for (;;) {
    if (in_body_) {
      if (buf_.size() - off < body_len_) break;
      bodies.emplace_back(buf_, off, body_len_);
      off += body_len_;
      in_body_ = false;
      ++frames_;
      continue;
    }
    size_t end = buf_.find("\r\n\r\n", off);
    if (end == std::string::npos) {
      if (buf_.size() - off > kMaxHeader) {  // no blank line in sight: give up on these bytes
        ++bad_headers_;
        // keep the last 3 bytes: they may start the terminator of the next block
        off = buf_.size() - 3;
      }
      break;
    }
    int64_t len = parse_content_length(std::string_view(buf_).substr(off, end - off));
    off = end + 4;
    if (len < 0) {
      ++bad_headers_;
      continue;
    }
    body_len_ = static_cast<size_t>(len);
    in_body_ = true;
  }
  buf_.erase(0, off);
}

LspMessageInfo classify_message(std::string_view body) {
  LspMessageInfo m;
  auto v = json::parse(body);
  if (!v || !v->is_object()) return m;
  const json::Value* method = v->find("method");
  const json::Value* id = v->find("id");
  bool id_ok = id && (id->is_string() || id->is_number());
  if (method && method->is_string()) {
    m.method = method->as_string();
    if (id_ok) {
      m.kind = LspMessageInfo::Request;
      m.id = id->dump();
    } else {
      m.kind = LspMessageInfo::Notification;
    }
    return m;
  }
  if (id && (v->find("result") || v->find("error"))) {
    m.kind = LspMessageInfo::Response;
    m.id = id->dump();
    m.has_error = v->find("error") != nullptr && !(*v)["error"].is_null();
  }
  return m;
}

std::string lsp_frame(std::string_view body) {
  std::string s = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  s.append(body);
  return s;
}

json::Value lsp_minimal_client_reply(const json::Value& request) {
  json::Value reply;
  reply.set("jsonrpc", "2.0");
  reply.set("id", request["id"]);
  if (request["method"].as_string() == "workspace/configuration") {
    json::Value arr;
    arr.array();
    for (size_t i = 0; i < request["params"]["items"].as_array().size(); ++i) arr.push(json::Object{});
    reply.set("result", std::move(arr));
  } else {
    reply.set("result", nullptr);
  }
  return reply;
}

}  // namespace gsb::core
