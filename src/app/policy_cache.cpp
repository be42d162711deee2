#include "gopls_sandbox/app/policy_cache.hpp"

#include <cstring>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/spec_wire.hpp"
#include "gopls_sandbox/sys/cache_file.hpp"

namespace gsb::app {

namespace {

const char* delivery_name(core::Delivery d) {
  return d == core::Delivery::Notify ? "notify" : d == core::Delivery::Learn ? "learn" : "errno";
}

// A cache entry (kind "bpf"): metadata {"name", "source", "program_bytes", "settings"} (settings
// in the one settings codec, core/config.hpp); payload: the BPF program, raw, then the profile's
// decision table (core/spec_wire.hpp).
bool from_entry(const sys::CacheEntry& e, const std::string& source, ResolvedPolicy& rp) {
  auto v = json::parse(e.meta);
  if (!v.ok() || (*v)["source"].as_string() != source) return false;
  int64_t n = (*v)["program_bytes"].as_int(-1);
  if (n <= 0 || static_cast<uint64_t>(n) > e.payload.size() || n % static_cast<int64_t>(sizeof(sock_filter)) != 0)
    return false;
  auto settings = core::settings_from_json((*v)["settings"]);
  if (!settings) return false;
  rp.name = (*v)["name"].as_string();
  rp.source_path = source;
  rp.settings = std::move(*settings);
  rp.program.resize(static_cast<size_t>(n) / sizeof(sock_filter));
  std::memcpy(rp.program.data(), e.payload.data(), static_cast<size_t>(n));
  rp.decisions = e.payload.substr(static_cast<size_t>(n));
  return true;
}

}  // namespace

Result<std::shared_ptr<const core::Profile>> policy_profile(const ResolvedPolicy& p) {
  if (p.profile) return p.profile;
  auto prof = core::decode_decisions(p.decisions);
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
    meta.set("program_bytes", rp.program.size() * sizeof(sock_filter));
    meta.set("settings", core::settings_to_json(rp.settings));
    std::string payload(reinterpret_cast<const char*>(rp.program.data()), rp.program.size() * sizeof(sock_filter));
    payload += core::encode_decisions(*prof);
    std::vector<std::string> deps = {rp.source_path};
    deps.insert(deps.end(), prof->includes.begin(), prof->includes.end());
    sys::cache_store(cache_dir, "bpf", key, deps, meta.dump(), payload);
  }
  rp.profile = std::make_shared<core::Profile>(std::move(*prof));
  return rp;
}

}  // namespace gsb::app
