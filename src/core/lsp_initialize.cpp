#include "gopls_sandbox/core/lsp_initialize.hpp"

#include <algorithm>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/core/plan.hpp"

namespace gsb::core {

FirstFrame scan_first_frame(std::string_view buf) {
  FirstFrame f;
  // A frame starts with a header field name; anything else (a JSON body without a header, a
  // TLS hello, a shell's text) is not the LSP base protocol.
  static constexpr std::string_view kPrefix = "Content-";
  size_t k = std::min(buf.size(), kPrefix.size());
  for (size_t i = 0; i < k; ++i) {
    char a = buf[i], b = kPrefix[i];
    if (a != b && !(a >= 'a' && a <= 'z' && a - 32 == b) && !(a >= 'A' && a <= 'Z' && a + 32 == b)) {
      f.status = FirstFrame::NotLsp;
      return f;
    }
  }
  size_t end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    f.status = buf.size() > LspFrameParser::kMaxHeader ? FirstFrame::NotLsp : FirstFrame::NeedMore;
    return f;
  }
  int64_t len = parse_content_length(buf.substr(0, end));
  if (len < 0 || static_cast<uint64_t>(len) > kMaxInitializeBytes) {
    f.status = FirstFrame::NotLsp;
    return f;
  }
  size_t body = end + 4;
  if (buf.size() - body < static_cast<size_t>(len)) return f;
  f.status = FirstFrame::Complete;
  f.end = body + static_cast<size_t>(len);
  f.body = buf.substr(body, static_cast<size_t>(len));
  return f;
}

std::optional<std::string> file_uri_to_path(std::string_view uri) {
  constexpr std::string_view kScheme = "file://";
  if (uri.size() < kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if ((uri[i] | 0x20) != kScheme[i] && uri[i] != kScheme[i]) return std::nullopt;
  std::string_view rest = uri.substr(kScheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view host = rest.substr(0, slash);
  if (!host.empty() && host != "localhost") return std::nullopt;
  rest = rest.substr(slash);
  size_t q = rest.find_first_of("?#");
  if (q != std::string_view::npos) rest = rest.substr(0, q);
  std::string out;
  out.reserve(rest.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == '%') {
      if (i + 2 >= rest.size()) return std::nullopt;
      int h = hex(rest[i + 1]), l = hex(rest[i + 2]);
      if (h < 0 || l < 0) return std::nullopt;
      c = static_cast<char>(h * 16 + l);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out += c;
  }
  std::string n = normalize_path(out);
  if (n.empty()) return std::nullopt;
  return n;
}

namespace {

void add_folder(InitializeFolders& r, const std::optional<std::string>& p, std::string_view raw) {
  if (!p) {
    r.rejected.emplace_back(raw);
    return;
  }
  if (std::find(r.folders.begin(), r.folders.end(), *p) == r.folders.end()) r.folders.push_back(*p);
}

std::vector<std::string> uris_of(const json::Value& arr, std::vector<std::string>& rejected) {
  std::vector<std::string> out;
  for (const auto& f : arr.as_array()) {
    const std::string& uri = f["uri"].as_string();
    auto p = file_uri_to_path(uri);
    if (!p) rejected.push_back(uri);
    else if (std::find(out.begin(), out.end(), *p) == out.end()) out.push_back(*p);
  }
  return out;
}

}  // namespace

InitializeFolders folders_from_initialize(std::string_view body) {
  InitializeFolders r;
  auto v = json::parse(body);
  if (!v || !v->is_object()) return r;
  if ((*v)["method"].as_string() != "initialize") return r;
  r.is_initialize = true;
  const json::Value& params = (*v)["params"];
  const json::Value& wf = params["workspaceFolders"];
  if (wf.is_array() && !wf.as_array().empty()) {
    r.source = "workspaceFolders";
    r.folders = uris_of(wf, r.rejected);
    return r;
  }
  const json::Value& ru = params["rootUri"];
  if (ru.is_string() && !ru.as_string().empty()) {
    r.source = "rootUri";
    add_folder(r, file_uri_to_path(ru.as_string()), ru.as_string());
    return r;
  }
  const json::Value& rp = params["rootPath"];
  if (rp.is_string() && !rp.as_string().empty()) {
    r.source = "rootPath";
    const std::string& s = rp.as_string();
    std::optional<std::string> p;
    if (s.find('\0') == std::string::npos) {
      std::string n = normalize_path(s);
      if (!n.empty()) p = n;
    }
    add_folder(r, p, s);
  }
  return r;
}

std::vector<std::string> added_workspace_folders(std::string_view body) {
  auto v = json::parse(body);
  if (!v || (*v)["method"].as_string() != "workspace/didChangeWorkspaceFolders") return {};
  std::vector<std::string> rejected;
  return uris_of((*v)["params"]["event"]["added"], rejected);
}

bool is_lsp_stdio_server(const std::vector<std::string>& args) {
  // gopls' boolean flags (v0.23.0 and Debian's): every other flag takes a value, and so does one
  // this list does not know — the word after it is never taken for the command, so an unknown
  // flag cannot turn the relay (the guard, the settings filter) off. Go's flag syntax: -f, --f,
  // -f=v; "--" ends the flags; "-" is an argument.
  static const char* const kBool[] = {"rpc.trace", "v", "verbose", "vv", "veryverbose"};
  bool seen_serve = false, flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!flags_done && a == "--") {
      flags_done = true;
      continue;
    }
    if (flags_done || a.empty() || a[0] != '-' || a == "-") {
      // The command (or, after serve, an argument serve refuses: gopls exits, relaying is harmless).
      if (seen_serve) return true;
      if (a != "serve") return false;  // version, check, mcp, help...: not LSP on stdio
      seen_serve = true;
      flags_done = false;  // serve has flags of its own
      continue;
    }
    std::string name = a.substr(a.find_first_not_of('-'));
    bool has_value = name.find('=') != std::string::npos;
    name = name.substr(0, name.find('='));
    // -listen=ADDR: a socket server (an empty address is none: gopls serves stdio), or usage.
    if (name == "help" || name == "h") return false;
    if (name == "listen" || name == "port") {
      std::string value = has_value ? a.substr(a.find('=') + 1) : (i + 1 < args.size() ? args[i + 1] : std::string());
      if (!value.empty()) return false;
    }
    bool boolean = false;
    for (const char* b : kBool) boolean = boolean || name == b;
    if (!has_value && !boolean) ++i;  // its value
  }
  return true;
}

void FrameBoundaryTracker::feed(std::string_view data, std::vector<size_t>& boundaries) {
  constexpr size_t kMax = LspFrameParser::kMaxHeader;
  size_t i = 0;
  auto start_body = [&](std::string_view block) {
    int64_t len = parse_content_length(block);
    if (len < 0) {
      lost_ = true;
      return;
    }
    body_left_ = static_cast<uint64_t>(len);
    in_body_ = body_left_ > 0;
    if (!in_body_) boundaries.push_back(i);
  };
  while (i < data.size() && !lost_) {
    if (in_body_) {  // skipped by count: no copy, no scan
      uint64_t take = std::min<uint64_t>(body_left_, data.size() - i);
      i += static_cast<size_t>(take);
      body_left_ -= take;
      if (body_left_ == 0) {
        in_body_ = false;
        boundaries.push_back(i);
      }
      continue;
    }
    if (header_.empty()) {  // the usual case: the whole header in this piece
      size_t e = data.find("\r\n\r\n", i);
      if (e != std::string_view::npos && e - i <= kMax) {
        std::string_view block = data.substr(i, e - i);
        i = e + 4;
        start_body(block);
        continue;
      }
      size_t take = std::min(data.size() - i, kMax + 1);
      header_.assign(data.data() + i, take);
      i += take;
      if (header_.size() > kMax) lost_ = true;
      continue;
    }
    size_t before = header_.size();
    size_t take = std::min(data.size() - i, kMax + 4 - std::min(before, kMax));
    header_.append(data.data() + i, take);
    size_t e = header_.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
    if (e == std::string::npos) {
      i += take;
      if (header_.size() > kMax) lost_ = true;
      continue;
    }
    i += e + 4 - before;
    std::string block = header_.substr(0, e);
    header_.clear();
    start_body(block);
  }
}

std::string show_message_frame(std::string_view text, int type) {
  json::Value params;
  params.set("type", type);
  params.set("message", std::string(text));
  json::Value msg;
  msg.set("jsonrpc", "2.0");
  msg.set("method", "window/showMessage");
  msg.set("params", std::move(params));
  return lsp_frame(msg.dump());
}

}  // namespace gsb::core
