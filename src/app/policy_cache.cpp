#include "gopls_sandbox/app/policy_cache.hpp"

#include <cstring>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/sys/cache_file.hpp"

namespace gsb::app {

namespace {

const char* delivery_name(core::Delivery d) {
  return d == core::Delivery::Notify ? "notify" : d == core::Delivery::Learn ? "learn" : "errno";
}

// A cache entry (kind "bpf"): metadata {"name", "source", "settings"} (settings in the one
// settings codec, core/config.hpp), then the BPF program itself, raw.
bool from_entry(const sys::CacheEntry& e, const std::string& source, ResolvedPolicy& rp) {
  if (e.payload.empty() || e.payload.size() % sizeof(sock_filter) != 0) return false;
  auto v = json::parse(e.meta);
  if (!v.ok() || (*v)["source"].as_string() != source) return false;
  auto settings = core::settings_from_json((*v)["settings"]);
  if (!settings) return false;
  rp.name = (*v)["name"].as_string();
  rp.source_path = source;
  rp.settings = std::move(*settings);
  rp.program.resize(e.payload.size() / sizeof(sock_filter));
  std::memcpy(rp.program.data(), e.payload.data(), e.payload.size());
  return true;
}

}  // namespace

Result<std::shared_ptr<const core::Profile>> load_full_profile(const ResolvedPolicy& p) {
  if (p.profile) return p.profile;
  auto prof = core::load_profile(p.source_path, p.search_path);
  if (!prof) return std::move(prof).error();
  return std::shared_ptr<const core::Profile>(std::make_shared<core::Profile>(std::move(*prof)));
}

Result<ResolvedPolicy> resolve_policy(const std::string& name_or_path, const std::vector<std::string>& search_path,
                                      core::Delivery delivery, const std::string& cache_dir) {
  ResolvedPolicy rp;
  rp.search_path = search_path;
  rp.delivery = delivery;
  auto found = core::find_profile(name_or_path, search_path);
  if (!found) return std::move(found).error();
  const std::string key = *found + "\n" + delivery_name(delivery);
  if (auto e = sys::cache_load(cache_dir, "bpf", key); e && from_entry(*e, *found, rp)) {
    rp.from_cache = true;
    return rp;
  }
  auto prof = core::load_profile(*found, search_path);
  if (!prof) return std::move(prof).error();
  auto compiled = core::compile_policy(*prof, delivery);
  if (!compiled) return std::move(compiled).error();
  rp.name = prof->name;
  rp.source_path = prof->source_path;
  rp.settings = prof->settings;
  rp.program = std::move(compiled->program);
  if (!cache_dir.empty()) {
    json::Value meta;
    meta.set("name", rp.name);
    meta.set("source", rp.source_path);
    meta.set("settings", core::settings_to_json(rp.settings));
    std::vector<std::string> deps = {rp.source_path};
    deps.insert(deps.end(), prof->includes.begin(), prof->includes.end());
    sys::cache_store(cache_dir, "bpf", key, deps, meta.dump(),
                     std::string_view(reinterpret_cast<const char*>(rp.program.data()),
                                      rp.program.size() * sizeof(sock_filter)));
  }
  rp.profile = std::make_shared<core::Profile>(std::move(*prof));
  return rp;
}

}  // namespace gsb::app
