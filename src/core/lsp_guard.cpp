#include "gopls_sandbox/core/lsp_guard.hpp"

#include <algorithm>
#include <set>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/core/plan.hpp"

namespace gsb::core {

namespace {

constexpr std::string_view kApplyEdit = "workspace/applyEdit";
constexpr std::string_view kShowDocument = "window/showDocument";

// A validating JSON scanner over a string_view: decodes only the strings it is asked to.
class Scanner {
 public:
  Scanner(std::string_view s, bool dups) : s_(s), dups_(dups) {}

  bool top(std::vector<std::string>& methods) {
    ws();
    if (!peek('{')) return false;
    if (!object(0, &methods)) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  static constexpr int kMaxDepth = 512;

  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool hex4(unsigned& v) {
    if (s_.size() - i_ < 4) return false;
    v = 0;
    for (int k = 0; k < 4; ++k) {
      int h = hex(s_[i_ + k]);
      if (h < 0) return false;
      v = v * 16 + static_cast<unsigned>(h);
    }
    i_ += 4;
    return true;
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  // At the opening quote. `out`: decoded text, or nullptr to validate only.
  bool string(std::string* out) {
    ++i_;
    for (;;) {
      if (out == nullptr) {  // fast path: to the next quote or backslash
        while (i_ < s_.size() && s_[i_] != '"' && s_[i_] != '\\' && static_cast<unsigned char>(s_[i_]) >= 0x20) ++i_;
      }
      if (i_ >= s_.size()) return false;
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        if (out) *out += c;
        ++i_;
        continue;
      }
      if (++i_ >= s_.size()) return false;
      char e = s_[i_++];
      char lit = 0;
      switch (e) {
        case '"': lit = '"'; break;
        case '\\': lit = '\\'; break;
        case '/': lit = '/'; break;
        case 'b': lit = '\b'; break;
        case 'f': lit = '\f'; break;
        case 'n': lit = '\n'; break;
        case 'r': lit = '\r'; break;
        case 't': lit = '\t'; break;
        case 'u': {
          unsigned cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && s_.size() - i_ >= 6 && s_[i_] == '\\' && s_[i_ + 1] == 'u') {
            size_t save = i_;
            i_ += 2;
            unsigned lo;
            if (hex4(lo) && lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              i_ = save;
            }
          }
          if (out) utf8(*out, cp);
          continue;
        }
        default: return false;
      }
      if (out) *out += lit;
    }
  }
  bool number() {
    size_t start = i_;
    if (peek('-')) ++i_;
    size_t d = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    if (i_ == d) return false;
    if (peek('.')) {
      ++i_;
      size_t f = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == f) return false;
    }
    if (peek('e') || peek('E')) {
      ++i_;
      if (peek('+') || peek('-')) ++i_;
      size_t x = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == x) return false;
    }
    return i_ > start;
  }
  bool literal(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool value(int depth) {
    if (depth > kMaxDepth) return false;
    ws();
    if (i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '{': return object(depth + 1, nullptr);
      case '[': return array(depth + 1);
      case '"': return string(nullptr);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }
  bool array(int depth) {
    ++i_;
    ws();
    if (peek(']')) {
      ++i_;
      return true;
    }
    for (;;) {
      if (!value(depth)) return false;
      ws();
      if (peek(',')) {
        ++i_;
        continue;
      }
      if (peek(']')) {
        ++i_;
        return true;
      }
      return false;
    }
  }
  // `methods`: the top level, where keys are decoded and the "method" values collected.
  bool object(int depth, std::vector<std::string>* methods) {
    ++i_;
    ws();
    if (peek('}')) {
      ++i_;
      return true;
    }
    std::set<std::string> keys;
    bool decode = methods != nullptr || dups_;
    for (;;) {
      ws();
      if (!peek('"')) return false;
      std::string key;
      if (!string(decode ? &key : nullptr)) return false;
      if (dups_ && !keys.insert(key).second) return false;
      ws();
      if (!peek(':')) return false;
      ++i_;
      ws();
      if (methods && key == "method" && peek('"')) {
        std::string m;
        if (!string(&m)) return false;
        methods->push_back(std::move(m));
      } else if (!value(depth)) {
        return false;
      }
      ws();
      if (peek(',')) {
        ++i_;
        continue;
      }
      if (peek('}')) {
        ++i_;
        return true;
      }
      return false;
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  bool dups_;
};

bool beneath_any(const std::string& p, const std::vector<std::string>& dirs) {
  for (const auto& d : dirs)
    if (path_strictly_beneath(p, normalize_path(d))) return true;
  return false;
}

// Empty when `uri` may be touched; otherwise why not.
std::string target_refusal(const std::string& uri, const std::vector<std::string>& dirs, const LspGuardFolders& f) {
  std::string why;
  auto p = lsp_file_uri_path(uri, &why);
  if (!p) return why;
  if (!beneath_any(*p, dirs)) return "it is not inside a workspace folder of the sandbox";
  if (f.real_path) {
    std::string real = f.real_path(*p);
    if (real.empty()) return "its real path cannot be resolved";
    bool ok = false;
    for (const auto& d : dirs) {
      std::string rd = f.real_path(normalize_path(d));
      if (!rd.empty() && path_strictly_beneath(normalize_path(real), normalize_path(rd))) ok = true;
    }
    if (!ok) return "it resolves to " + real + ", outside the workspace folders (a symbolic link)";
  }
  return {};
}

std::string reply_body(const json::Value& id, json::Value result) {
  json::Value r;
  r.set("jsonrpc", "2.0");
  r.set("id", id);
  r.set("result", std::move(result));
  return r.dump();
}

// Every file a WorkspaceEdit touches; false (and `why`) when its shape is not one this guard knows.
bool edit_targets(const json::Value& edit, std::vector<std::string>& uris, std::string& why) {
  if (!edit.is_object()) {
    why = "its edit is not an object";
    return false;
  }
  for (const auto& [k, v] : edit.as_object()) {
    if (k == "changeAnnotations") continue;
    if (k == "changes") {
      if (!v.is_object() && !v.is_null()) {
        why = "its changes are not an object";
        return false;
      }
      for (const auto& [uri, edits] : v.as_object()) uris.push_back(uri);
      continue;
    }
    if (k == "documentChanges") {
      if (!v.is_array() && !v.is_null()) {
        why = "its documentChanges are not an array";
        return false;
      }
      for (const auto& c : v.as_array()) {
        if (!c.is_object()) {
          why = "a document change is not an object";
          return false;
        }
        const json::Value* kind = c.find("kind");
        std::vector<const char*> fields;
        if (!kind) {
          const json::Value* td = c.find("textDocument");
          if (!td || !td->is_object()) {
            why = "a text document edit names no document";
            return false;
          }
          const json::Value* u = td->find("uri");
          if (!u || !u->is_string()) {
            why = "a text document edit names no document";
            return false;
          }
          uris.push_back(u->as_string());
          continue;
        }
        const std::string& kd = kind->as_string();
        if (kd == "create" || kd == "delete") {
          fields = {"uri"};
        } else if (kd == "rename") {
          fields = {"oldUri", "newUri"};
        } else {
          why = "a document change of unknown kind";
          return false;
        }
        for (const char* fname : fields) {
          const json::Value* u = c.find(fname);
          if (!u || !u->is_string()) {
            why = "a " + kd + " operation without " + fname;
            return false;
          }
          uris.push_back(u->as_string());
        }
      }
      continue;
    }
    why = "its edit has a field this sandbox does not know (" + k + ")";
    return false;
  }
  return true;
}

}  // namespace

bool lsp_guarded_method(std::string_view m) { return m == kApplyEdit || m == kShowDocument; }

LspPeek lsp_peek(std::string_view body, bool check_duplicates) {
  LspPeek p;
  Scanner sc(body, check_duplicates);
  p.ok = sc.top(p.methods);
  return p;
}

bool path_strictly_beneath(const std::string& p, const std::string& dir) {
  if (dir.empty() || p.size() <= dir.size() || p.compare(0, dir.size(), dir) != 0) return false;
  return dir == "/" || p[dir.size()] == '/';
}

std::optional<std::string> lsp_file_uri_path(std::string_view uri, std::string* why) {
  auto fail = [&](const char* w) -> std::optional<std::string> {
    if (why) *why = w;
    return std::nullopt;
  };
  constexpr std::string_view kScheme = "file://";
  if (uri.substr(0, kScheme.size()) != kScheme) return fail("it is not a file:// URI");
  std::string_view rest = uri.substr(kScheme.size());
  if (rest.empty() || rest.front() != '/') return fail("it names a host (file://HOST/...)");
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(rest[i]);
    if (c < 0x20 || c == 0x7F) return fail("it contains a control character");
    if (c == '?' || c == '#') return fail("it has a query or fragment");
    if (c == '\\') return fail("it contains a backslash");
    if (c == '%') {
      if (i + 2 >= rest.size()) return fail("it has a bad percent escape");
      auto hx = [](char h) {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      int a = hx(rest[i + 1]), b = hx(rest[i + 2]);
      if (a < 0 || b < 0) return fail("it has a bad percent escape");
      char d = static_cast<char>(a * 16 + b);
      if (d == '\0' || static_cast<unsigned char>(d) < 0x20 || d == 0x7F) return fail("it encodes a control character");
      if (d == '\\') return fail("it encodes a backslash");
      path += d;
      i += 2;
      continue;
    }
    path += static_cast<char>(c);
  }
  // Components: "." and ".." are refused rather than resolved (on the host, ".." after a symbolic
  // link is not lexical); repeated slashes collapse.
  std::string out;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    std::string_view comp(path.data() + pos, slash - pos);
    pos = slash + 1;
    if (comp.empty()) continue;
    if (comp == "." || comp == "..") return fail("it has a . or .. component");
    out += '/';
    out.append(comp);
  }
  if (out.empty()) out = "/";
  return out;
}

LspGuardDecision lsp_guard_check(std::string_view body, const LspGuardFolders& folders) {
  return lsp_guard_check(body, [&folders] { return folders; });
}

LspGuardDecision lsp_guard_check(std::string_view body, const std::function<LspGuardFolders()>& folders_of) {
  LspGuardDecision d;
  LspPeek p = lsp_peek(body);
  if (!p.ok) {
    d.action = LspGuardDecision::Drop;
    d.reason = "the message is not one JSON object";
    return d;
  }
  bool guarded = std::any_of(p.methods.begin(), p.methods.end(), [](const std::string& m) { return lsp_guarded_method(m); });
  if (!guarded) return d;
  d.method = p.methods.front();
  for (const auto& m : p.methods)
    if (lsp_guarded_method(m)) d.method = m;
  // From here on the message is parsed in full; a key repeated anywhere is refused (which of the
  // two an editor's parser keeps is its own business).
  auto v = json::parse(body);
  if (p.methods.size() != 1 || !lsp_peek(body, true).ok || !v || !v->is_object()) {
    d.action = LspGuardDecision::Drop;
    d.reason = "the message repeats a key or cannot be parsed";
    return d;
  }
  const json::Value* id = v->find("id");
  if (!id || !(id->is_string() || id->is_number())) {
    d.action = LspGuardDecision::Drop;
    d.reason = "the request has no usable id";
    return d;
  }
  const json::Value& params = (*v)["params"];
  LspGuardFolders folders = folders_of ? folders_of() : LspGuardFolders{};
  d.action = LspGuardDecision::Refuse;
  if (d.method == kApplyEdit) {
    auto refuse = [&](const std::string& why, const std::string& uri) {
      d.reason = why;
      d.uri = uri;
      json::Value res;
      res.set("applied", false);
      res.set("failureReason", "refused by gopls-sandbox: " + (uri.empty() ? why : uri + ": " + why));
      d.reply = reply_body(*id, std::move(res));
      return d;
    };
    std::vector<std::string> uris;
    std::string why;
    if (!params.is_object() || !edit_targets(params["edit"], uris, why))
      return refuse(why.empty() ? "its params are not an object" : why, "");
    for (const auto& u : uris)
      if (std::string r = target_refusal(u, folders.rw, folders); !r.empty()) return refuse(r, u);
  } else {
    auto refuse = [&](const std::string& why, const std::string& uri) {
      d.reason = why;
      d.uri = uri;
      json::Value res;
      res.set("success", false);
      d.reply = reply_body(*id, std::move(res));
      return d;
    };
    if (!params.is_object()) return refuse("its params are not an object", "");
    const json::Value* u = params.find("uri");
    if (!u || !u->is_string()) return refuse("it names no URI", "");
    const json::Value* ext = params.find("external");
    if (ext && !ext->is_null() && !(ext->is_bool() && !ext->as_bool()))
      return refuse("it asks to open the URI outside the editor (external)", u->as_string());
    std::vector<std::string> dirs = folders.visible;
    dirs.insert(dirs.end(), folders.rw.begin(), folders.rw.end());
    if (std::string r = target_refusal(u->as_string(), dirs, folders); !r.empty()) return refuse(r, u->as_string());
  }
  d = LspGuardDecision{};
  d.method = p.methods.front();
  return d;
}

int64_t lsp_strict_content_length(std::string_view block) {
  int64_t len = -1;
  size_t pos = 0;
  while (pos < block.size()) {
    size_t eol = block.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = block.size();
    std::string_view line = block.substr(pos, eol - pos);
    pos = eol + 2;
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos || colon == 0) return -1;
    std::string name(line.substr(0, colon));
    for (char& c : name) {
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-')) return -1;
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    std::string_view v = line.substr(colon + 2);
    for (char c : v)
      if (static_cast<unsigned char>(c) < 0x20) return -1;
    if (name == "content-type") continue;
    if (name != "content-length" || len >= 0 || v.empty() || v.size() > 12) return -1;
    int64_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    len = n;
  }
  return len;
}

void LspServerFilter::feed(std::string_view data, std::string& out, std::vector<std::string>& replies,
                           std::vector<Refusal>& refused) {
  if (lost_) return;
  if (skip_) {
    uint64_t take = std::min<uint64_t>(skip_, data.size());
    data.remove_prefix(static_cast<size_t>(take));
    skip_ -= take;
    if (skip_) return;
  }
  buf_.append(data.data(), data.size());
  size_t off = 0;
  for (;;) {
    size_t end = buf_.find("\r\n\r\n", off);
    if (end == std::string::npos) {
      if (buf_.size() - off > LspFrameParser::kMaxHeader) {
        lost_ = true;
        refused.push_back({"", "", "the server's output is no longer LSP framing (a header block without its end)"});
        buf_.clear();
        return;
      }
      break;
    }
    int64_t len = lsp_strict_content_length(std::string_view(buf_).substr(off, end - off));
    if (len < 0) {
      lost_ = true;
      refused.push_back({"", "", "the server's output is no longer LSP framing (an unusual header block)"});
      buf_.clear();
      return;
    }
    size_t body = end + 4;
    if (static_cast<uint64_t>(len) > max_frame_) {
      refused.push_back({"", "", "a message of " + std::to_string(len) + " bytes, over the " +
                                     std::to_string(max_frame_ >> 20) + " MiB this sandbox examines"});
      uint64_t have = buf_.size() - body;
      uint64_t take = std::min<uint64_t>(have, static_cast<uint64_t>(len));
      off = body + static_cast<size_t>(take);
      skip_ = static_cast<uint64_t>(len) - take;
      if (skip_) break;
      continue;
    }
    if (buf_.size() - body < static_cast<size_t>(len)) break;
    std::string_view b(buf_.data() + body, static_cast<size_t>(len));
    LspGuardDecision d = lsp_guard_check(b, folders_);
    if (d.action == LspGuardDecision::Forward) {
      out.append(buf_, off, body + static_cast<size_t>(len) - off);
    } else {
      if (d.action == LspGuardDecision::Refuse) replies.push_back(d.reply);
      refused.push_back({d.method, d.uri, d.reason});
    }
    off = body + static_cast<size_t>(len);
  }
  buf_.erase(0, off);
}

}  // namespace gsb::core
