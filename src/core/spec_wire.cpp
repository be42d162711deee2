#include "gopls_sandbox/core/spec_wire.hpp"

#include <cstdint>
#include <cstring>

namespace gsb::core {

namespace {

constexpr char kMagic[8] = {'G', 'S', 'B', 'S', 'P', 'E', 'C', '1'};

class Writer {
 public:
  void u32(uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  void raw(std::string_view s) { out_.append(s.data(), s.size()); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u32(uint32_t& v) {
    if (in_.size() - p_ < sizeof v) return false;
    std::memcpy(&v, in_.data() + p_, sizeof v);
    p_ += sizeof v;
    return true;
  }
  bool str(std::string& s) {
    uint32_t n;
    if (!u32(n) || in_.size() - p_ < n) return false;
    s.assign(in_.data() + p_, n);
    p_ += n;
    return true;
  }
  bool strs(std::vector<std::string>& v) {
    uint32_t n;
    if (!u32(n) || n > (in_.size() - p_) / sizeof(uint32_t)) return false;  // each needs >= 4 bytes
    v.resize(n);
    for (auto& s : v)
      if (!str(s)) return false;
    return true;
  }
  bool raw(void* dst, size_t n) {
    if (in_.size() - p_ < n) return false;
    std::memcpy(dst, in_.data() + p_, n);
    p_ += n;
    return true;
  }
  bool done() const { return p_ == in_.size(); }

 private:
  std::string_view in_;
  size_t p_ = 0;
};

constexpr uint32_t kMaxKind = static_cast<uint32_t>(MountKind::Overlay);

}  // namespace

std::string encode_spec(const WireSpec& s) {
  return encode_spec(s.plan, s.filter, {s.want_listener, s.filter_log, s.identity_strict}, s.identity_checks);
}

std::string encode_spec(const Plan& p, const std::vector<sock_filter>& filter, SpecFlags flags,
                        const std::vector<std::string>& identity_checks) {
  Writer w;
  w.raw(std::string_view(kMagic, sizeof kMagic));
  w.strs(p.argv);
  w.strs(p.env);
  w.str(p.cwd);
  w.u32(p.uid);
  w.u32(p.gid);
  w.u32((p.share_net ? 1u : 0u) | (p.keep_tty ? 2u : 0u));
  w.str(p.hostname);
  w.u32(static_cast<uint32_t>(p.mounts.size()));
  for (const auto& m : p.mounts) {
    w.u32(static_cast<uint32_t>(m.kind));
    w.str(m.src);
    w.str(m.dst);
    w.u32(m.mode);
    w.u32((m.is_file ? 1u : 0u) | (m.optional ? 2u : 0u) | (m.noexec ? 4u : 0u));
    w.str(m.why);
    if (m.kind == MountKind::Overlay) {
      w.str(m.upper);
      w.str(m.work);
      w.str(m.fallback);
    }
  }
  w.u32(static_cast<uint32_t>(filter.size()));
  if (!filter.empty())
    w.raw(std::string_view(reinterpret_cast<const char*>(filter.data()), filter.size() * sizeof(sock_filter)));
  w.u32((flags.want_listener ? 1u : 0u) | (flags.filter_log ? 2u : 0u) | (flags.identity_strict ? 4u : 0u));
  w.strs(identity_checks);
  return w.take();
}

Result<WireSpec> decode_spec(std::string_view bytes) {
  auto bad = [](const char* what) { return Error::setup(std::string("launch spec: ") + what); };
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return bad("not a gopls-sandbox launch spec");
  Reader r(bytes.substr(sizeof kMagic));
  WireSpec s;
  Plan& p = s.plan;
  uint32_t share = 0, nm = 0;
  if (!r.strs(p.argv) || !r.strs(p.env) || !r.str(p.cwd) || !r.u32(p.uid) || !r.u32(p.gid) || !r.u32(share) ||
      !r.str(p.hostname) || !r.u32(nm))
    return bad("truncated header");
  if (p.argv.empty()) return bad("no program");
  if (share > 3) return bad("unknown plan flags");
  p.share_net = share & 1u;
  p.keep_tty = share & 2u;
  if (nm > bytes.size() / 20) return bad("mount count larger than the input");  // >= 20 bytes each
  p.mounts.resize(nm);
  for (auto& m : p.mounts) {
    uint32_t kind = 0, flags = 0;
    if (!r.u32(kind) || !r.str(m.src) || !r.str(m.dst) || !r.u32(m.mode) || !r.u32(flags) || !r.str(m.why))
      return bad("truncated mount");
    if (kind > kMaxKind) return bad("unknown mount kind");
    m.kind = static_cast<MountKind>(kind);
    if (m.kind == MountKind::Overlay && (!r.str(m.upper) || !r.str(m.work) || !r.str(m.fallback)))
      return bad("truncated mount");
    m.is_file = flags & 1u;
    m.optional = flags & 2u;
    m.noexec = flags & 4u;
  }
  uint32_t nf = 0, flags = 0;
  if (!r.u32(nf) || nf > bytes.size() / sizeof(sock_filter)) return bad("truncated filter");
  s.filter.resize(nf);
  if (nf > 0 && !r.raw(s.filter.data(), nf * sizeof(sock_filter))) return bad("truncated filter");
  if (!r.u32(flags) || !r.strs(s.identity_checks)) return bad("truncated trailer");
  if (!r.done()) return bad("trailing bytes");
  s.want_listener = flags & 1u;
  s.filter_log = flags & 2u;
  s.identity_strict = flags & 4u;
  return s;
}

}  // namespace gsb::core
