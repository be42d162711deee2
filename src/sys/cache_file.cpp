#include "gopls_sandbox/sys/cache_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "gopls_sandbox/sys/io.hpp"

namespace gsb::sys {

namespace {

constexpr std::string_view kMagic = "GSB-CACHE 1 ";

uint64_t fnv(std::string_view s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= 0xff;  // separator, so that ("ab","c") and ("a","bc") differ
  h *= 1099511628211ULL;
  return h;
}

// A decimal number followed by `end`, advancing p.
bool number(std::string_view s, size_t& p, char end, uint64_t& out) {
  size_t start = p;
  out = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
    if (p - start >= 18) return false;  // no absurd lengths (and no overflow)
    out = out * 10 + static_cast<uint64_t>(s[p] - '0');
    ++p;
  }
  if (p == start || p >= s.size() || s[p] != end) return false;
  ++p;
  return true;
}

}  // namespace

std::string file_identity(const std::string& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return "-";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

std::string cache_entry_path(const std::string& dir, std::string_view kind, std::string_view key) {
  uint64_t h = fnv(kind, 1469598103934665603ULL);
  h = fnv(key, h);
  h = fnv(GSB_VERSION, h);
  // And the launcher binary itself: a rebuild or upgrade with the same version string may
  // compile filters differently (a cached filter of the old compiler must not be loaded).
  static const std::string self = file_identity("/proc/self/exe");
  h = fnv(self, h);
  char name[40];
  std::snprintf(name, sizeof name, "-%016llx.bin", static_cast<unsigned long long>(h));
  return dir + "/" + std::string(kind) + name;
}

std::optional<CacheEntry> cache_load(const std::string& dir, std::string_view kind, std::string_view key) {
  if (dir.empty()) return std::nullopt;
  auto text = read_file(cache_entry_path(dir, kind, key));
  if (!text) return std::nullopt;
  std::string_view v(*text);
  if (v.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  size_t p = kMagic.size();
  if (v.substr(p, kind.size()) != kind || v.size() <= p + kind.size() || v[p + kind.size()] != ' ') return std::nullopt;
  p += kind.size() + 1;
  uint64_t dlen, mlen, plen;
  if (!number(v, p, ' ', dlen) || !number(v, p, ' ', mlen) || !number(v, p, '\n', plen)) return std::nullopt;
  if (dlen > v.size() || mlen > v.size() || plen > v.size() || p + dlen + mlen + plen != v.size()) return std::nullopt;
  // Every file the value was computed from must be as it was then.
  std::string_view deps = v.substr(p, dlen);
  for (size_t q = 0; q < deps.size();) {
    size_t sp = deps.find(' ', q);
    if (sp == std::string_view::npos) return std::nullopt;
    std::string_view identity = deps.substr(q, sp - q);
    q = sp + 1;
    uint64_t n;
    if (!number(deps, q, ' ', n) || n > deps.size() - q || q + n >= deps.size() || deps[q + n] != '\n')
      return std::nullopt;
    if (file_identity(std::string(deps.substr(q, n))) != identity) return std::nullopt;
    q += n + 1;
  }
  CacheEntry e;
  e.meta.assign(v.substr(p + dlen, mlen));
  e.payload.assign(v.substr(p + dlen + mlen, plen));
  return e;
}

void cache_store(const std::string& dir, std::string_view kind, std::string_view key,
                 const std::vector<std::string>& deps, std::string_view meta, std::string_view payload) {
  if (dir.empty() || !mkdir_p(dir, 0700)) return;
  std::string d;
  for (const auto& f : deps) d += file_identity(f) + " " + std::to_string(f.size()) + " " + f + "\n";
  std::string s(kMagic);
  s += std::string(kind) + " " + std::to_string(d.size()) + " " + std::to_string(meta.size()) + " " +
       std::to_string(payload.size()) + "\n";
  s += d;
  s += meta;
  s += payload;
  prune_dir(dir, std::string(kind) + "-", 64);
  std::string file = cache_entry_path(dir, kind, key);
  std::string tmp = file + "." + std::to_string(::getpid());
  if (write_file(tmp, s)) ::rename(tmp.c_str(), file.c_str());
  else ::unlink(tmp.c_str());
}

}  // namespace gsb::sys
