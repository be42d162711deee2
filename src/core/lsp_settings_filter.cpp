#include "gopls_sandbox/core/lsp_settings_filter.hpp"

#include <cctype>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/sandbox_env.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"

namespace gsb::core {

namespace {

// gopls keeps the last dotted part of a setting's name: "env", "build.env", ".env" alike.
bool is_env_key(const std::string& k) { return k.compare(k.rfind('.') + 1, std::string::npos, "env") == 0; }

bool valid_env_name(const std::string& n) {
  if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// What may stay: a well-formed name (gopls writes "K=V" and Go's exec splits at the first '=',
// so a key "GOPACKAGESDRIVER=./x" would set the driver) that the sandbox would pass from the
// caller's environment too (core/sandbox_env.hpp: Go's variables, the C toolchain's, locale...),
// minus the two that make gopls itself start a program. Everything else — LD_PRELOAD and the
// loader's other variables above all, which reach gopls re-executing itself — goes.
bool is_unsafe(const std::string& name) {
  if (!valid_env_name(name) || !env_passes_by_default(name, true)) return true;
  for (const char* n : kUnsafeSettingsEnv)
    if (name == n) return true;
  return false;
}

void strip(json::Value& v, std::vector<std::string>& removed) {
  if (v.is_array()) {
    for (auto& e : v.array()) strip(e, removed);
    return;
  }
  if (!v.is_object()) return;
  for (auto& [k, member] : v.object()) {
    if (is_env_key(k) && member.is_object()) {
      auto& env = member.object();
      for (auto it = env.begin(); it != env.end();) {
        if (is_unsafe(it->first)) {
          removed.push_back(k + "." + it->first);
          it = env.erase(it);
        } else {
          ++it;
        }
      }
    }
    strip(member, removed);
  }
}

}  // namespace

bool may_name_unsafe_env(std::string_view body) {
  // An env object needs a key ending in "env", literally or through a \u escape.
  return body.find("env") != std::string_view::npos || body.find("\\u") != std::string_view::npos;
}

SettingsFilterResult filter_settings_env(std::string_view body) {
  SettingsFilterResult r;
  auto doc = json::parse(body);
  if (!doc) {
    r.kind = SettingsFilterResult::Unparsable;
    return r;
  }
  json::Value v = std::move(*doc);
  strip(v, r.removed);
  if (r.removed.empty()) return r;
  r.kind = SettingsFilterResult::Rewritten;
  r.body = v.dump();
  return r;
}

std::string settings_filter_notice(const SettingsFilterResult& r) {
  if (r.kind == SettingsFilterResult::Unparsable)
    return "dropped a message from the editor that could not be checked for gopls' env settings";
  std::string what;
  for (const auto& n : r.removed) what += (what.empty() ? "" : ", ") + n;
  return "removed " + what + " from gopls' settings: a program they name would run outside the sandbox's nested "
         "domain for what gopls starts";
}

void LspClientSettingsFilter::feed(std::string_view data, std::string& out, std::vector<std::string>& notices) {
  if (ended_) return;
  if (raw_) {
    out.append(data);
    return;
  }
  buf_.append(data);
  size_t at = 0;
  for (;;) {
    size_t hdr_end = buf_.find("\r\n\r\n", at);
    if (hdr_end == std::string::npos) {
      if (buf_.size() - at > LspFrameParser::kMaxHeader) raw_ = true;
      break;
    }
    int64_t len = parse_content_length(std::string_view(buf_).substr(at, hdr_end - at));
    if (len < 0) {
      raw_ = true;
      break;
    }
    if (static_cast<uint64_t>(len) > kMaxBody) {
      ended_ = true;
      notices.push_back("a message from the editor was too large to examine: the language server gets nothing more");
      buf_.clear();
      return;
    }
    size_t body = hdr_end + 4;
    if (buf_.size() - body < static_cast<size_t>(len)) break;
    std::string_view b(buf_.data() + body, static_cast<size_t>(len));
    SettingsFilterResult r;
    if (may_name_unsafe_env(b)) r = filter_settings_env(b);
    if (r.kind == SettingsFilterResult::Unchanged) {
      out.append(buf_, at, body + static_cast<size_t>(len) - at);
    } else {
      if (r.kind == SettingsFilterResult::Rewritten) out += lsp_frame(r.body);
      notices.push_back(settings_filter_notice(r));
    }
    at = body + static_cast<size_t>(len);
  }
  if (raw_) {
    out.append(buf_, at, std::string::npos);
    buf_.clear();
    return;
  }
  buf_.erase(0, at);
}

}  // namespace gsb::core
