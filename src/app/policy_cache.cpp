#include "gopls_sandbox/app/policy_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/sys/io.hpp"

namespace gsb::app {

namespace {

std::string identity(const std::string& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return "-";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

uint64_t fnv(std::string_view s, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

const char* delivery_name(core::Delivery d) {
  return d == core::Delivery::Notify ? "notify" : d == core::Delivery::Learn ? "learn" : "errno";
}

json::Value strings(const std::vector<std::string>& v) {
  json::Value a;
  a.array();
  for (const auto& s : v) a.push(s);
  return a;
}

std::vector<std::string> strings(const json::Value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.push_back(s.as_string());
  return out;
}

std::string hex(const std::vector<sock_filter>& prog) {
  static const char* d = "0123456789abcdef";
  const auto* b = reinterpret_cast<const unsigned char*>(prog.data());
  std::string s;
  s.reserve(prog.size() * sizeof(sock_filter) * 2);
  for (size_t i = 0; i < prog.size() * sizeof(sock_filter); ++i) {
    s.push_back(d[b[i] >> 4]);
    s.push_back(d[b[i] & 15]);
  }
  return s;
}

bool unhex(const std::string& s, std::vector<sock_filter>& prog) {
  if (s.size() % (2 * sizeof(sock_filter)) != 0 || s.empty()) return false;
  prog.resize(s.size() / (2 * sizeof(sock_filter)));
  auto* b = reinterpret_cast<unsigned char*>(prog.data());
  auto val = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i < s.size() / 2; ++i) b[i] = static_cast<unsigned char>(val(s[2 * i]) << 4 | val(s[2 * i + 1]));
  return true;
}

}  // namespace

const core::Profile* ResolvedPolicy::profile() const {
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  if (!loaded) {
    auto p = core::load_profile(source_path, search_path);
    if (!p) return nullptr;
    const_cast<ResolvedPolicy*>(this)->loaded = std::make_shared<core::Profile>(std::move(*p));
  }
  return loaded.get();
}

Result<ResolvedPolicy> resolve_policy(const std::string& name_or_path, const std::vector<std::string>& search_path,
                                      core::Delivery delivery, const std::string& cache_dir) {
  ResolvedPolicy rp;
  rp.search_path = search_path;
  rp.delivery = delivery;
  auto found = core::find_profile(name_or_path, search_path);
  if (!found) return std::move(found).error();
  std::string file;
  if (!cache_dir.empty()) {
    uint64_t h = fnv(*found);
    h = fnv(delivery_name(delivery), h);
    h = fnv(GSB_VERSION, h);
    char name[64];
    std::snprintf(name, sizeof name, "/bpf-%016llx.json", static_cast<unsigned long long>(h));
    file = cache_dir + name;
    if (auto text = sys::read_file(file)) {
      auto v = json::parse(*text);
      bool valid = v.ok() && (*v)["source"].as_string() == *found;
      if (valid)
        for (const auto& f : (*v)["files"].as_array())
          valid = valid && identity(f[0].as_string()) == f[1].as_string();
      if (valid && unhex((*v)["program"].as_string(), rp.program)) {
        rp.name = (*v)["name"].as_string();
        rp.source_path = *found;
        const auto& s = (*v)["settings"];
        rp.settings.bind = strings(s["bind"]);
        rp.settings.ro_bind = strings(s["ro_bind"]);
        if (s["share_net"].is_bool()) rp.settings.share_net = s["share_net"].as_bool();
        rp.settings.unset_env = strings(s["unset_env"]);
        rp.from_cache = true;
        return rp;
      }
    }
  }
  auto prof = core::load_profile(*found, search_path);
  if (!prof) return std::move(prof).error();
  auto compiled = core::compile_policy(*prof, delivery);
  if (!compiled) return std::move(compiled).error();
  rp.name = prof->name;
  rp.source_path = prof->source_path;
  rp.settings = prof->settings;
  rp.program = std::move(compiled->program);
  rp.loaded = std::make_shared<core::Profile>(std::move(*prof));
  if (!file.empty()) {
    json::Value v;
    v.set("name", rp.name);
    v.set("source", rp.source_path);
    json::Value files;
    files.array();
    std::vector<std::string> all = {rp.source_path};
    all.insert(all.end(), rp.loaded->includes.begin(), rp.loaded->includes.end());
    for (const auto& f : all) {
      json::Value e;
      e.push(f);
      e.push(identity(f));
      files.push(std::move(e));
    }
    v.set("files", std::move(files));
    json::Value s;
    s.set("bind", strings(rp.settings.bind));
    s.set("ro_bind", strings(rp.settings.ro_bind));
    if (rp.settings.share_net) s.set("share_net", *rp.settings.share_net);
    s.set("unset_env", strings(rp.settings.unset_env));
    v.set("settings", std::move(s));
    v.set("program", hex(rp.program));
    if (sys::mkdir_p(cache_dir, 0700)) {
      sys::prune_dir(cache_dir, "bpf-", 64);
      std::string tmp = file + "." + std::to_string(::getpid());
      if (sys::write_file(tmp, v.dump())) ::rename(tmp.c_str(), file.c_str());
      else ::unlink(tmp.c_str());
    }
  }
  return rp;
}

}  // namespace gsb::app
