#include "gopls_sandbox/core/lsp_settings_filter.hpp"

#include "gopls_sandbox/core/json.hpp"

namespace gsb::core {

namespace {

bool is_env_key(const std::string& k) {
  return k == "env" || (k.size() > 4 && k.compare(k.size() - 4, 4, ".env") == 0);
}

bool is_unsafe(const std::string& name) {
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
  if (body.find("\\u") != std::string_view::npos) return true;
  for (const char* n : kUnsafeSettingsEnv)
    if (body.find(n) != std::string_view::npos) return true;
  return false;
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

}  // namespace gsb::core
