#include "gopls_sandbox/core/cache_domains.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace gsb::core {

const char* cache_mode_name(CacheMode m) {
  switch (m) {
    case CacheMode::Cow: return "cow";
    case CacheMode::Private: return "private";
    case CacheMode::Shared: return "shared";
  }
  return "?";
}

Result<CacheMode> parse_cache_mode(std::string_view s) {
  if (s == "cow") return CacheMode::Cow;
  if (s == "private") return CacheMode::Private;
  if (s == "shared") return CacheMode::Shared;
  return Error::usage("cache-mode: expected cow, private or shared, got \"" + std::string(s) + "\"");
}

namespace {

constexpr std::array<uint32_t, 64> kK = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void sha256_block(std::array<uint32_t, 8>& h, const unsigned char* p) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = (uint32_t(p[4 * i]) << 24) | (uint32_t(p[4 * i + 1]) << 16) | (uint32_t(p[4 * i + 2]) << 8) | p[4 * i + 3];
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kK[i] + w[i];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t full = data.size() / 64 * 64;
  for (size_t i = 0; i < full; i += 64) sha256_block(h, reinterpret_cast<const unsigned char*>(data.data()) + i);
  unsigned char tail[128] = {};
  size_t rest = data.size() - full;
  std::copy(data.begin() + static_cast<std::ptrdiff_t>(full), data.end(), tail);
  tail[rest] = 0x80;
  size_t len = rest + 1 + 8 <= 64 ? 64 : 128;
  uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) tail[len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  for (size_t i = 0; i < len; i += 64) sha256_block(h, tail + i);
  std::string out;
  char buf[9];
  for (uint32_t v : h) {
    std::snprintf(buf, sizeof buf, "%08x", v);
    out += buf;
  }
  return out;
}

Result<void> check_domain_name(std::string_view n) {
  auto bad = [&](const char* why) {
    return Error::usage("cache-domain \"" + std::string(n) + "\": " + why);
  };
  if (n.empty() || n.size() > 64) return bad("expected 1 to 64 characters");
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (!alnum(n[0])) return bad("must start with a letter or a digit");
  for (char c : n)
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return bad("only letters, digits, '.', '_' and '-' are allowed");
  if (n.rfind("ws-", 0) == 0) return bad("names starting with \"ws-\" are the per-workspace domains");
  return {};
}

std::string workspace_domain(std::vector<std::string> ws) {
  std::sort(ws.begin(), ws.end());
  ws.erase(std::unique(ws.begin(), ws.end()), ws.end());
  std::string joined;
  for (const auto& w : ws) joined += w + '\0';
  std::string base = ws.empty() ? std::string() : ws.front();
  base = base.substr(base.rfind('/') + 1);  // (npos + 1 == 0)
  std::string clean;
  for (char c : base) {
    if (clean.size() >= 24) break;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    clean += ok ? c : '_';
  }
  if (clean.empty() || clean[0] == '.') clean = "root" + clean;
  return "ws-" + clean + "-" + sha256_hex(joined).substr(0, 16);
}

std::string cache_state_root(const std::map<std::string, std::string>& env) {
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  std::string s = normalize_path(get("XDG_STATE_HOME"));
  if (s.empty()) {
    std::string home = normalize_path(get("HOME"));
    if (home.empty()) return {};
    s = home == "/" ? "/.local/state" : home + "/.local/state";
  }
  return (s == "/" ? std::string() : s) + "/gopls-sandbox/caches";
}

CacheLayerPaths cache_layer_paths(const std::string& domain_dir, const std::string& key, const std::string& layer_dir) {
  const std::string& l = layer_dir.empty() ? domain_dir : layer_dir;
  return {l + "/" + key + "/upper", l + "/" + key + "/work", domain_dir + "/private/" + key};
}

std::string cache_key(const std::string& kind, const std::string& host_dir) {
  return kind + "-" + sha256_hex(host_dir).substr(0, 12);
}

MountOp cache_mount_op(CacheMode mode, const std::string& host_dir, const std::string& dst,
                       const CacheLayerPaths& paths, const std::string& why) {
  MountOp op{MountKind::Overlay, host_dir, dst, 0, false, false, why};
  switch (mode) {
    case CacheMode::Shared:
      op.kind = MountKind::Bind;
      op.optional = true;
      return op;
    case CacheMode::Private:
      op.src.clear();
      op.fallback = paths.private_dir;
      op.why = why + " (private)";
      return op;
    case CacheMode::Cow:
      op.upper = paths.upper;
      op.work = paths.work;
      op.fallback = paths.private_dir;
      op.why = why + " (copy-on-write)";
      return op;
  }
  return op;
}

std::string cache_layout_problem(const std::string& state_root, const std::vector<std::string>& cache_dirs,
                                 const std::vector<std::string>& rw_binds) {
  for (const auto& c : cache_dirs) {
    if (c.empty()) continue;
    if (path_is_under(state_root, c))
      return "the cache state directory " + state_root + " is inside the cache " + c +
             ", which the sandbox sees: code inside could read every domain's layers";
    if (path_is_under(c, state_root))
      return "the cache " + c + " is inside the cache state directory " + state_root;
  }
  for (const auto& b : rw_binds)
    if (!b.empty() && path_is_under(state_root, b))
      return "the cache state directory " + state_root + " is inside " + b +
             ", which is bound read-write: code inside could rewrite every domain's layers";
  return {};
}

void cache_op_to_json(const MountOp& op, json::Value& mv) {
  if (op.src.empty()) {  // private: a bind of the domain's own directory
    mv.set("type", "bind");
    mv.set("source", op.fallback);
    mv.set("private", true);
    return;
  }
  mv.set("type", "overlay");
  mv.set("source", "overlay");
  mv.set("lower", op.src);
  mv.set("upper", op.upper);
  mv.set("work", op.work);
  mv.set("fallback", op.fallback);
}

Result<int64_t> parse_duration(std::string_view s) {
  auto bad = [&] {
    return Error::usage("duration \"" + std::string(s) + "\": expected a number with s, m, h, d or w (e.g. 30d)");
  };
  if (s.empty()) return bad();
  int64_t n = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (n > (int64_t(1) << 40)) return bad();
    n = n * 10 + (s[i] - '0');
  }
  if (i == 0) return bad();
  std::string_view unit = s.substr(i);
  if (unit.empty() || unit == "s") return n;
  if (unit == "m") return n * 60;
  if (unit == "h") return n * 3600;
  if (unit == "d") return n * 86400;
  if (unit == "w") return n * 7 * 86400;
  return bad();
}

}  // namespace gsb::core
