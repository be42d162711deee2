#include "gopls_sandbox/core/spec_wire.hpp"

#include <cstdint>
#include <cstring>

namespace gsb::core {

namespace {

constexpr char kMagic[8] = {'G', 'S', 'B', 'S', 'P', 'E', 'C', '1'};

class Writer {
 public:
  void u32(uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void u64(uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
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
  bool u64(uint64_t& v) { return raw(&v, sizeof v); }
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

constexpr char kDecisionsMagic[8] = {'G', 'S', 'B', 'D', 'E', 'C', 'I', '1'};

void put_action(Writer& w, const std::optional<Action>& a) {
  w.u32(a ? 1u + static_cast<uint32_t>(a->kind) : 0u);
  w.u32(a ? static_cast<uint32_t>(a->err) : 0u);
}
bool get_action(Reader& r, std::optional<Action>& a) {
  uint32_t k = 0, e = 0;
  if (!r.u32(k) || !r.u32(e) || k > 1u + static_cast<uint32_t>(ActionKind::Log)) return false;
  if (k == 0) a.reset();
  else a = Action{static_cast<ActionKind>(k - 1), static_cast<int>(e)};
  return true;
}
void put_origin(Writer& w, const Origin& o) {
  w.str(o.file);
  w.u32(static_cast<uint32_t>(o.line));
  w.u32(static_cast<uint32_t>(o.col));
  w.str(o.via);
}
bool get_origin(Reader& r, Origin& o) {
  uint32_t line = 0, col = 0;
  if (!r.str(o.file) || !r.u32(line) || !r.u32(col) || !r.str(o.via)) return false;
  o.line = static_cast<int>(line);
  o.col = static_cast<int>(col);
  return true;
}

constexpr char kReportMagic[8] = {'G', 'S', 'B', 'R', 'E', 'P', 'T', '1'};

constexpr uint32_t kMaxKind = static_cast<uint32_t>(MountKind::Pin);

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
    w.u32((m.is_file ? 1u : 0u) | (m.optional ? 2u : 0u) | (m.noexec ? 4u : 0u) | (m.spare ? 8u : 0u));
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
    m.spare = flags & 8u;
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

const char* inode_result_name(InodeResult r) noexcept {
  switch (r) {
    case InodeResult::Ok: return "ok";
    case InodeResult::HostMissing: return "host-missing";
    case InodeResult::Missing: return "missing";
    case InodeResult::Mismatch: return "mismatch";
  }
  return "unknown";
}

std::string encode_decisions(const Profile& p) {
  Writer w;
  w.raw(std::string_view(kDecisionsMagic, sizeof kDecisionsMagic));
  w.str(p.name);
  w.str(p.source_path);
  put_action(w, p.default_action);
  put_origin(w, p.default_origin);
  w.u32(static_cast<uint32_t>(p.unknown_errno));
  w.u32(static_cast<uint32_t>(p.syscalls.size()));
  for (const auto& [nr, sp] : p.syscalls) {
    w.u32(static_cast<uint32_t>(nr));
    w.str(sp.name);
    put_action(w, sp.base);
    put_origin(w, sp.base_origin);
    put_action(w, sp.cond_action);
    w.u32(static_cast<uint32_t>(sp.cond_rules.size()));
    for (const auto& cr : sp.cond_rules) {
      w.u32(static_cast<uint32_t>(cr.conds.size()));
      for (const auto& c : cr.conds) {
        w.u32(c.index);
        w.u32(static_cast<uint32_t>(c.op));
        w.u64(c.value);
        w.u64(c.mask);
      }
      put_origin(w, cr.origin);
    }
  }
  return w.take();
}

Result<Profile> decode_decisions(std::string_view bytes) {
  auto bad = [](const char* what) { return Error::setup(std::string("decision table: ") + what); };
  if (bytes.size() < sizeof kDecisionsMagic || std::memcmp(bytes.data(), kDecisionsMagic, sizeof kDecisionsMagic) != 0)
    return bad("not a gopls-sandbox decision table");
  Reader r(bytes.substr(sizeof kDecisionsMagic));
  Profile p;
  std::optional<Action> def;
  uint32_t unknown = 0, n = 0;
  if (!r.str(p.name) || !r.str(p.source_path) || !get_action(r, def) || !def || !get_origin(r, p.default_origin) ||
      !r.u32(unknown) || !r.u32(n) || n > bytes.size() / 8)
    return bad("truncated header");
  p.default_action = *def;
  p.unknown_errno = static_cast<int>(unknown);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t nr = 0, nrules = 0;
    SyscallPolicy sp;
    if (!r.u32(nr) || !r.str(sp.name) || !get_action(r, sp.base) || !get_origin(r, sp.base_origin) ||
        !get_action(r, sp.cond_action) || !r.u32(nrules) || nrules > bytes.size() / 8)
      return bad("truncated syscall");
    sp.nr = static_cast<int>(nr);
    sp.cond_rules.resize(nrules);
    for (auto& cr : sp.cond_rules) {
      uint32_t nc = 0;
      if (!r.u32(nc) || nc > bytes.size() / 24) return bad("truncated rule");
      cr.conds.resize(nc);
      for (auto& c : cr.conds) {
        uint32_t op = 0;
        if (!r.u32(c.index) || !r.u32(op) || !r.u64(c.value) || !r.u64(c.mask) || c.index > 5 ||
            op > static_cast<uint32_t>(CmpOp::MaskedEq))
          return bad("bad condition");
        c.op = static_cast<CmpOp>(op);
      }
      if (!get_origin(r, cr.origin)) return bad("truncated rule");
    }
    p.syscalls.emplace(sp.nr, std::move(sp));
  }
  if (!r.done()) return bad("trailing bytes");
  return p;
}

std::string encode_report(const Pid1Report& r) {
  Writer w;
  w.raw(std::string_view(kReportMagic, sizeof kReportMagic));
  w.u32(static_cast<uint32_t>(r.kind));
  if (r.kind == Pid1Report::Kind::InodeCheck) {
    const InodeCheckReport& c = r.inode;
    w.u32(c.index);
    w.u32(static_cast<uint32_t>(c.result));
    w.u64(c.host_dev);
    w.u64(c.host_ino);
    w.u64(c.inside_dev);
    w.u64(c.inside_ino);
  } else {
    const CacheFallbackReport& f = r.fallback;
    w.u32(f.mount_index);
    w.u32(static_cast<uint32_t>(f.err));
    constexpr size_t kFixed = sizeof kReportMagic + 4 * sizeof(uint32_t);
    w.str(std::string_view(f.detail).substr(0, kMaxReportBytes - kFixed));
  }
  return w.take();
}

Result<Pid1Report> decode_report(std::string_view bytes) {
  auto bad = [](const char* what) { return Error::setup(std::string("pid 1 report: ") + what); };
  if (bytes.size() > kMaxReportBytes || bytes.size() < sizeof kReportMagic ||
      std::memcmp(bytes.data(), kReportMagic, sizeof kReportMagic) != 0)
    return bad("not a gopls-sandbox report");
  Reader r(bytes.substr(sizeof kReportMagic));
  Pid1Report out;
  uint32_t kind = 0;
  if (!r.u32(kind)) return bad("truncated");
  if (kind == static_cast<uint32_t>(Pid1Report::Kind::InodeCheck)) {
    out.kind = Pid1Report::Kind::InodeCheck;
    InodeCheckReport& c = out.inode;
    uint32_t result = 0;
    if (!r.u32(c.index) || !r.u32(result) || !r.u64(c.host_dev) || !r.u64(c.host_ino) || !r.u64(c.inside_dev) ||
        !r.u64(c.inside_ino))
      return bad("truncated inode check");
    if (result > static_cast<uint32_t>(InodeResult::Mismatch)) return bad("unknown inode check result");
    c.result = static_cast<InodeResult>(result);
  } else if (kind == static_cast<uint32_t>(Pid1Report::Kind::CacheFallback)) {
    out.kind = Pid1Report::Kind::CacheFallback;
    uint32_t err = 0;
    if (!r.u32(out.fallback.mount_index) || !r.u32(err) || !r.str(out.fallback.detail))
      return bad("truncated cache fallback");
    out.fallback.err = static_cast<int32_t>(err);
  } else {
    return bad("unknown report kind");
  }
  if (!r.done()) return bad("trailing bytes");
  return out;
}

}  // namespace gsb::core
