#include "gopls_sandbox/app/policy_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
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

std::vector<std::string> strings(const json::Value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.push_back(s.as_string());
  return out;
}

// A cache entry: "GSB-BPF 1 <metadata bytes> <program bytes>\n", the metadata (JSON), then the
// BPF program itself, raw. Loading it is one read and a small parse.
constexpr const char* kMagic = "GSB-BPF 1 ";

std::string frame(const std::string& meta, const std::vector<sock_filter>& prog) {
  size_t bytes = prog.size() * sizeof(sock_filter);
  std::string s = kMagic + std::to_string(meta.size()) + " " + std::to_string(bytes) + "\n" + meta;
  s.append(reinterpret_cast<const char*>(prog.data()), bytes);
  return s;
}

bool unframe(const std::string& s, std::string_view& meta, std::vector<sock_filter>& prog) {
  std::string_view v(s);
  if (v.substr(0, std::strlen(kMagic)) != kMagic) return false;
  size_t nl = v.find('\n');
  if (nl == std::string_view::npos) return false;
  unsigned long long mlen = 0, plen = 0;
  if (std::sscanf(s.c_str() + std::strlen(kMagic), "%llu %llu", &mlen, &plen) != 2) return false;
  if (plen == 0 || plen % sizeof(sock_filter) != 0 || nl + 1 + mlen + plen != v.size()) return false;
  meta = v.substr(nl + 1, mlen);
  prog.resize(plen / sizeof(sock_filter));
  std::memcpy(prog.data(), v.data() + nl + 1 + mlen, plen);
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
    std::snprintf(name, sizeof name, "/bpf-%016llx.bin", static_cast<unsigned long long>(h));
    file = cache_dir + name;
    std::string_view meta;
    if (auto text = sys::read_file(file); text && unframe(*text, meta, rp.program)) {
      auto v = json::parse(meta);
      bool valid = v.ok() && (*v)["source"].as_string() == *found;
      if (valid)
        for (const auto& f : (*v)["files"].as_array())
          valid = valid && identity(f[0].as_string()) == f[1].as_string();
      if (valid) {
        rp.name = (*v)["name"].as_string();
        rp.source_path = *found;
        const auto& s = (*v)["settings"];
        rp.settings.bind = strings(s["bind"]);
        rp.settings.ro_bind = strings(s["ro_bind"]);
        if (s["share_net"].is_bool()) rp.settings.share_net = s["share_net"].as_bool();
        rp.settings.unset_env = strings(s["unset_env"]);
        rp.settings.set_env = strings(s["set_env"]);
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
    s.set("bind", json::string_array(rp.settings.bind));
    s.set("ro_bind", json::string_array(rp.settings.ro_bind));
    if (rp.settings.share_net) s.set("share_net", *rp.settings.share_net);
    s.set("unset_env", json::string_array(rp.settings.unset_env));
    s.set("set_env", json::string_array(rp.settings.set_env));
    v.set("settings", std::move(s));
    if (sys::mkdir_p(cache_dir, 0700)) {
      sys::prune_dir(cache_dir, "bpf-", 64);
      std::string tmp = file + "." + std::to_string(::getpid());
      if (sys::write_file(tmp, frame(v.dump(), rp.program))) ::rename(tmp.c_str(), file.c_str());
      else ::unlink(tmp.c_str());
    }
  }
  return rp;
}

}  // namespace gsb::app
