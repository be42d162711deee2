// strace logs → TOML profile (format: profiles/README.md, version 1).
#include "gopls_sandbox/core/profile_gen.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <cstdlib>
#include <set>
#include <unordered_map>

#include "gopls_sandbox/core/families.hpp"
#include "gopls_sandbox/core/never_learned.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"

namespace gsb::profile_gen {

namespace {

using sv = std::string_view;

// Syscalls that must never get argument conditions even if the trace shows a closed set: they
// are hot, and an argument-free allow lets the kernel's action cache skip the filter.
// (Only socket/ioctl/clone are ever conditioned; this list documents the rule and guards it.)
const std::set<std::string, std::less<>> kHot = {
    "futex", "read", "write", "pread64", "pwrite64", "readv", "writev", "epoll_pwait", "epoll_wait",
    "epoll_ctl", "epoll_pwait2", "nanosleep", "clock_nanosleep", "sched_yield", "mmap", "munmap",
    "madvise", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "getpid", "gettid",
    "tgkill", "close", "newfstatat", "fstat", "openat", "getdents64", "lseek", "fcntl", "clock_gettime"};

// A value usable in a condition: a number or a symbolic constant the profile loader knows.
bool expressible(const std::string& v) { return core::parse_constant_expr(v).has_value(); }

constexpr uint64_t kCloneNamespaceBits = 0x00020000ULL /*NEWNS*/ | 0x02000000ULL /*NEWCGROUP*/ |
                                         0x04000000ULL /*NEWUTS*/ | 0x08000000ULL /*NEWIPC*/ |
                                         0x10000000ULL /*NEWUSER*/ | 0x20000000ULL /*NEWPID*/ |
                                         0x40000000ULL /*NEWNET*/;
constexpr sv kCloneNamespaceMask =
    "CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWCGROUP";

bool is_ident_upper(sv s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::optional<uint64_t> parse_uint(sv s) {
  uint64_t v = 0;
  std::from_chars_result r;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    r = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
  else
    r = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

sv trim(sv s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// "0x1 /* AF_UNIX */" → "AF_UNIX"; "AF_UNIX" → "AF_UNIX"; "1" → "1"; otherwise "".
std::string constant_of(sv arg) {
  arg = trim(arg);
  size_t c = arg.find("/*");
  if (c != sv::npos) {
    size_t e = arg.find("*/", c);
    sv inner = e == sv::npos ? sv() : trim(arg.substr(c + 2, e - c - 2));
    if (is_ident_upper(inner)) return std::string(inner);
    arg = trim(arg.substr(0, c));
  }
  if (is_ident_upper(arg) && !(arg[0] >= '0' && arg[0] <= '9')) return std::string(arg);
  if (parse_uint(arg)) return std::string(arg);
  return {};
}

std::string sanitize_comment(sv s, size_t max) {
  std::string out;
  out.reserve(std::min(s.size(), max) + 3);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c < 0x20 || c >= 0x7f ? '?' : ch);
    if (out.size() >= max) {
      out += "...";
      break;
    }
  }
  return out;
}

std::string toml_string(sv s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

std::string example_of(const strace::Event& e) {
  std::string s(e.name);
  s += '(';
  s += e.args.size() > 90 ? std::string(e.args.substr(0, 90)) + "..." : std::string(e.args);
  s += ")";
  if (e.unfinished) {
    s += " <unfinished>";
    return s;
  }
  s += " = ";
  s += e.ret_text;
  if (!e.err.empty()) {
    s += ' ';
    s += e.err;
  }
  return s;
}

// The name of syscall number `nr` of the ABI (core's tables, kept equal to libseccomp's by the
// unit test SyscallTableVsLibseccomp), or "".
std::string resolve_number(int nr, strace::Arch arch) {
  core::SyscallAbi a = arch == strace::Arch::x86_64 ? core::SyscallAbi::x86_64
                       : arch == strace::Arch::i386 ? core::SyscallAbi::i386
                                                    : core::SyscallAbi::x32;
  return std::string(core::syscall_name(a, nr));
}

}  // namespace

bool needs_argv(std::string_view n) noexcept {
  if (n.empty()) return false;
  switch (n[0]) {
    case 's': return n == "socket" || n.starts_with("syscall_");
    case 'i': return n == "ioctl";
    case 'p': return n == "personality";
    case 'c': return n == "clone" || n == "creat";
    case 'm': return n == "mkdir" || n == "mkdirat";
    case 'o': return n == "open" || n == "openat";
    case 'u': return n == "utimes" || n == "utimensat" || n == "utime";
    case 'f': return n == "futimesat";
    default: return false;
  }
}

bool is_known_syscall(std::string_view name) { return core::syscall_nr(name) >= 0; }

const std::vector<Fallback>& fallback_pairs() {
  static const std::vector<Fallback> v = {
      {"clone3", "clone", "clone3 is refused with ENOSYS (its flags are out of seccomp's reach); glibc then uses clone"},
      {"openat2", "openat", "openat2 is missing on kernels < 5.6; callers fall back to openat"},
      {"faccessat2", "faccessat", "glibc falls back to faccessat when faccessat2 fails (kernels < 5.8)"},
      {"statx", "newfstatat", "glibc and Go fall back to newfstatat when statx is unavailable"},
      {"statx", "fstat", "fstat(2) is how statx-less code stats an open fd"},
      {"pidfd_open", "wait4", "Go's os/exec falls back to wait4 when pidfds are unavailable"},
      {"pidfd_open", "waitid", "Go's os/exec falls back to waitid when pidfds are unavailable"},
      {"pidfd_send_signal", "kill", "Go's os.Process.Signal falls back to kill without pidfds"},
      {"epoll_pwait2", "epoll_pwait", "epoll_pwait2 is missing on kernels < 5.11"},
      {"epoll_create1", "epoll_create", "Go's netpoller falls back to epoll_create on ENOSYS"},
      {"accept4", "accept", "Go's net package falls back to accept on ENOSYS"},
      {"dup3", "dup2", "fallback of dup3 on old kernels"},
      {"copy_file_range", "sendfile", "Go's io.Copy tries copy_file_range, then sendfile"},
      {"close_range", "close", "close_range falls back to closing fds one by one"},
      // Inside the sandbox /tmp is its own tmpfs: a rename from $TMPDIR into the workspace that
      // worked on the host fails with EXDEV, and Go's `go build -o` then copies the file.
      {"renameat", "copy_file_range", "cross-device rename (sandbox /tmp is a tmpfs) falls back to a copy"},
      {"renameat", "uname", "Go checks the kernel version (uname) before using copy_file_range"},
      {"renameat", "sendfile", "the copy's own fallback"},
      {"rename", "copy_file_range", "cross-device rename (sandbox /tmp is a tmpfs) falls back to a copy"},
      {"rename", "uname", "Go checks the kernel version (uname) before using copy_file_range"},
      {"rename", "sendfile", "the copy's own fallback"},
      {"set_robust_list", "rseq", "glibc >= 2.35 registers rseq at every thread start; traces from older libcs lack it"},
      {"rseq", "set_robust_list", "thread start-up of the same glibc"},
  };
  return v;
}

const std::vector<std::string>& default_always_allowed() {
  // profiles/README.md, "Always allowed": made by the launcher between loading the filter and
  // execve. rt_sigaction is listed too (the launcher resets signal dispositions).
  static const std::vector<std::string> v = {"execve",   "execveat",  "write",          "sendmsg",      "close",
                                             "exit",     "exit_group", "rt_sigprocmask", "rt_sigreturn", "rt_sigaction",
                                             "restart_syscall"};
  return v;
}

// ---------------------------------------------------------------------------------------------
// Collector

namespace {
constexpr uint64_t kNoKey = ~uint64_t{0};
uint64_t key_of(const strace::Event& e) { return (uint64_t{e.source} << 32) | e.line; }

struct StrHash {  // FNV-1a: syscall names are short, std::hash's murmur costs more than the lookup
  using is_transparent = void;
  size_t operator()(sv s) const noexcept {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return static_cast<size_t>(h);
  }
};

// What note_args reads (by resolved name) and what note_cache looks for (by raw name).
enum class ArgKind : uint8_t { None, Socket, Personality, Ioctl, Clone };
ArgKind arg_kind(sv name) {
  return name == "socket"        ? ArgKind::Socket
         : name == "personality" ? ArgKind::Personality
         : name == "ioctl"       ? ArgKind::Ioctl
         : name == "clone"       ? ArgKind::Clone
                                 : ArgKind::None;
}
enum class CacheOp : uint8_t { None, OpenCreat, Create, Reuse };
CacheOp cache_op(sv n) {
  if (n == "mkdir" || n == "mkdirat" || n == "creat") return CacheOp::Create;
  if (n == "openat" || n == "open") return CacheOp::OpenCreat;
  if (n == "utimes" || n == "utimensat" || n == "futimesat" || n == "utime") return CacheOp::Reuse;
  return CacheOp::None;
}

// A SyscallUse being built, with the log positions that make the result order-independent.
struct Building {
  SyscallUse u;
  uint64_t first = kNoKey, first_good = kNoKey;
  std::string good_example;
  std::vector<uint64_t> value_keys;  // parallel to u.arg_values: first position of each value
  uint64_t close_key = kNoKey;       // first position of a value no condition can express
  ArgKind kind = ArgKind::None;      // arg_kind(u.name)
};
struct RawUse {
  Building* b;
  CacheOp cache;  // cache_op(raw name)
};
}  // namespace

struct Collector::Impl {
  std::unordered_map<std::string, Building> native, foreign, unknown;
  std::unordered_map<std::string, RawUse, StrHash, std::equal_to<>> by_raw;  // x86_64 raw name → use
  struct Row {
    std::string name;
    uint64_t calls, errors;
    strace::Arch arch;
  };
  std::vector<Row> rows;
  std::map<std::string, std::pair<CacheUse, uint64_t>> caches;  // kind → use, position of `root`
  uint64_t events = 0, calls = 0, succeeded = 0, failed = 0;

  Building* use_for(sv raw, int number, strace::Arch arch) {
    std::string name(raw);
    if (number >= 0) {
      std::string r = resolve_number(number, arch);
      if (!r.empty()) name = r;
    }
    if (arch != strace::Arch::x86_64) {
      auto& b = foreign[std::string(strace::arch_name(arch)) + ":" + name];
      b.u.name = name;
      b.u.arch = arch;
      b.kind = arg_kind(b.u.name);
      return &b;
    }
    bool known = is_known_syscall(name);
    if (!known && core::syscall_nr(core::SyscallAbi::i386, name) >= 0) {
      // An i386-only name (mmap2, _llseek, ...) in a log without the "[ Process PID=N runs in
      // 32 bit mode. ]" line (strace writes that to stderr, not to the -o file).
      auto& b = foreign[std::string("i386:") + name];
      b.u.name = name;
      b.u.arch = strace::Arch::i386;
      b.kind = arg_kind(b.u.name);
      return &b;
    }
    auto& b = (known ? native : unknown)[name];
    b.u.name = name;
    b.u.number = known ? core::syscall_nr(name) : number;
    b.kind = arg_kind(b.u.name);
    return &b;
  }

  // The argument a condition could be written on (socket family, ioctl request, clone flags).
  static void note_value(Building& b, std::string v, uint64_t key, size_t cap) {
    auto& vals = b.u.arg_values;
    auto it = std::find(vals.begin(), vals.end(), v);
    if (it != vals.end()) {
      auto& k = b.value_keys[static_cast<size_t>(it - vals.begin())];
      k = std::min(k, key);
      return;
    }
    if (vals.size() < cap) {
      vals.push_back(std::move(v));
      b.value_keys.push_back(key);
      return;
    }
    // Full: keep the values that come first in the log.
    auto mx = std::max_element(b.value_keys.begin(), b.value_keys.end());
    if (*mx > key) {
      vals[static_cast<size_t>(mx - b.value_keys.begin())] = std::move(v);
      *mx = key;
    }
  }
  static void note_args(Building& b, const strace::Event& e, uint64_t key) {
    if (e.argv.empty()) return;
    auto unexpressible = [&] { b.close_key = std::min(b.close_key, key); };
    if (b.kind == ArgKind::None) return;
    if (b.kind == ArgKind::Socket || b.kind == ArgKind::Personality) {
      std::string v = constant_of(e.argv[0]);
      if (v.empty() || !expressible(v)) return unexpressible();
      note_value(b, std::move(v), key, SIZE_MAX);
    } else if (b.kind == ArgKind::Ioctl) {
      if (e.argv.size() < 2) return;  // unfinished without the request: nothing learnt
      std::string v = constant_of(e.argv[1]);
      if (v.empty() || !expressible(v)) return unexpressible();
      note_value(b, std::move(v), key, SIZE_MAX);
    } else if (b.kind == ArgKind::Clone) {
      for (sv a : e.argv) {
        if (!a.starts_with("flags=")) continue;
        sv f = a.substr(6);
        if (f.find("CLONE_NEW") != sv::npos) return unexpressible();
        // -X raw / verbose: leading hex number.
        size_t end = f.find_first_of(" |");
        if (auto n = parse_uint(f.substr(0, end)); n && (*n & kCloneNamespaceBits)) return unexpressible();
        note_value(b, std::string(f.size() > 120 ? f.substr(0, 120) : f), key, 16);
      }
    }
  }

  void note_cache(const strace::Event& e, uint64_t key, CacheOp op) {
    if (op == CacheOp::None) return;
    bool create = op == CacheOp::Create || (op == CacheOp::OpenCreat && e.args.find("O_CREAT") != sv::npos);
    bool reuse = op == CacheOp::Reuse;
    if (!create && !reuse) return;
    for (const auto& p : strace::paths(e)) {
      auto [kind, root] = core::cache_of_path(p);
      if (kind.empty()) continue;
      auto& [u, at] = caches[kind];
      if (u.root.empty() || at == kNoKey || key >= at) {  // the last one in log order
        u.root = root;
        at = key;
      }
      (create ? u.created : u.reused)++;
    }
  }
};

Collector::Collector() : impl_(std::make_unique<Impl>()) {}
Collector::~Collector() = default;
Collector::Collector(Collector&&) noexcept = default;
Collector& Collector::operator=(Collector&&) noexcept = default;

void Collector::add(const strace::Event& e) {
  Impl& m = *impl_;
  Building* b;
  CacheOp cop;
  if (e.arch == strace::Arch::x86_64) {
    auto it = m.by_raw.find(e.name);
    if (it == m.by_raw.end())
      it = m.by_raw.emplace(std::string(e.name), RawUse{m.use_for(e.name, e.number, e.arch), cache_op(e.name)}).first;
    b = it->second.b;
    cop = it->second.cache;
  } else {
    b = m.use_for(e.name, e.number, e.arch);
    cop = cache_op(e.name);
  }
  uint64_t key = key_of(e);
  SyscallUse& u = b->u;
  ++u.count;
  ++m.events;
  ++m.calls;
  if (e.failed()) {
    ++u.errors;
    ++u.errnos[std::string(e.err)];
  }
  if (!e.unfinished) ++(e.failed() ? m.failed : m.succeeded);
  // The example: the first call in the log; when that one failed, the first that succeeded.
  if (key < b->first) {
    b->first = key;
    u.example = example_of(e);
  }
  if (!e.failed() && !e.unfinished && key < b->first_good) {
    b->first_good = key;
    b->good_example = example_of(e);
  }
  Impl::note_args(*b, e, key);
  if (!e.failed() && !e.unfinished) m.note_cache(e, key, cop);
}

void Collector::add(const strace::SummaryRow& r) {
  impl_->rows.push_back({std::string(r.name), r.calls, r.errors, r.arch});
}

Aggregate Collector::finish() {
  Impl& m = *impl_;
  Aggregate agg;
  if (m.events == 0) {
    agg.from_summary = true;
    for (const auto& r : m.rows) {
      Building* b = m.use_for(r.name, strace::unknown_syscall_number(r.name), r.arch);
      b->u.count += r.calls;
      b->u.errors += r.errors;
      b->close_key = 0;  // no arguments in a summary
      m.calls += r.calls;
    }
  }
  agg.calls = m.calls;
  agg.succeeded = m.succeeded;
  agg.failed = m.failed;
  for (auto& [kind, ua] : m.caches) agg.caches[kind] = std::move(ua.first);
  auto sorted = [](std::unordered_map<std::string, Building>& mp) {
    std::vector<SyscallUse> v;
    v.reserve(mp.size());
    for (auto& kv : mp) {
      Building& b = kv.second;  // not a structured binding: lambdas below capture it (clang 14)
      SyscallUse u = std::move(b.u);
      if (u.example.find(" = -1 ") != std::string::npos && b.first_good != kNoKey) u.example = std::move(b.good_example);
      // Values in log order, and only those before the first one no condition can express.
      std::vector<size_t> idx(u.arg_values.size());
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::sort(idx.begin(), idx.end(), [&](size_t x, size_t y) { return b.value_keys[x] < b.value_keys[y]; });
      std::vector<std::string> vals;
      for (size_t i : idx)
        if (b.value_keys[i] < b.close_key) vals.push_back(std::move(u.arg_values[i]));
      u.arg_values = std::move(vals);
      u.closed = b.close_key == kNoKey;
      v.push_back(std::move(u));
    }
    std::sort(v.begin(), v.end(), [](const SyscallUse& a, const SyscallUse& b) {
      return a.arch != b.arch ? a.arch < b.arch : a.name < b.name;
    });
    return v;
  };
  agg.native = sorted(m.native);
  agg.foreign = sorted(m.foreign);
  agg.unknown = sorted(m.unknown);
  return agg;
}

Aggregate aggregate(const strace::Trace& trace) {
  Collector c;
  for (const auto& e : trace.events()) c.add(e);
  for (const auto& r : trace.summary()) c.add(r);
  return c.finish();
}

std::vector<std::string> partial_reasons(const strace::Trace&, const Aggregate& agg) { return partial_reasons(agg); }

std::vector<std::string> partial_reasons(const Aggregate& agg) {
  std::vector<std::string> out;
  if (!agg.from_summary && agg.failed > 0 && agg.succeeded == 0)
    out.push_back("the log records only failing calls (" + std::to_string(agg.failed) +
                  ", none succeeded): recorded with strace -Z/--failed-only");
  static const char* kMemory[] = {"mmap", "munmap", "brk", "mprotect", "mremap", "madvise"};
  bool memory = false;
  for (const auto& u : agg.native)
    for (const char* m : kMemory) memory = memory || u.name == m;
  if (!agg.native.empty() && !memory)
    out.push_back("the log has no memory-management calls (mmap, brk, mprotect…), which every program makes: "
                  "it was filtered (strace -e trace=…) or attached mid-run (strace -p)");
  return out;
}

std::string foreign_reason(const Aggregate& agg) {
  if (agg.foreign.empty()) return {};
  uint64_t calls = 0;
  for (const auto& u : agg.foreign) calls += u.count;
  return "the log records " + std::to_string(calls) + " calls made in 32-bit (i386) or x32 mode (" +
         std::to_string(agg.foreign.size()) + " syscalls, e.g. " + std::string(strace::arch_name(agg.foreign.front().arch)) +
         ":" + sanitize_comment(agg.foreign.front().name, 40) +
         "): the sandbox runs x86_64 programs only and refuses those ABIs, so a profile from it cannot work";
}

std::vector<std::string> cold_cache_warnings(const Aggregate& agg) {
  std::vector<std::string> out;
  for (const auto& [kind, u] : agg.caches)
    if (u.created > 0 && u.reused == 0)
      out.push_back(core::cold_cache_warning(kind, sanitize_comment(u.root, 120), u.created));
  return out;
}

std::vector<std::string> cold_cache_warnings(const strace::Trace& trace) {
  return cold_cache_warnings(aggregate(trace));
}

Result<void> check_usable(const strace::Trace& trace, double max_unparsed_ratio) {
  return check_usable(trace.stats(), trace.unparsed_samples(), max_unparsed_ratio);
}

Result<void> check_usable(const strace::Stats& st, const std::vector<strace::UnparsedLine>& samples,
                          double max_unparsed_ratio) {
  uint64_t nonblank = st.lines - st.blank;
  std::string where;
  if (!samples.empty()) {
    const auto& u = samples.front();
    where = " (first: " + u.source + ":" + std::to_string(u.line) + ": " + sanitize_comment(u.text, 80) + ")";
  }
  if (st.syscalls == 0 && st.summary_rows == 0) {
    if (st.unparsed > 0)
      return Error::usage("no system calls found: none of the " + std::to_string(nonblank) +
                              " non-blank lines looks like strace output" + where,
                          "give the file strace wrote with -o (or its stderr), gzip and tar are fine");
    return Error::usage("no system calls found in the trace (" + std::to_string(nonblank) + " non-blank lines)",
                        "was it recorded with -e trace=none or -e signal only?");
  }
  if (nonblank > 0 && static_cast<double>(st.unparsed) > max_unparsed_ratio * static_cast<double>(nonblank)) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 * static_cast<double>(st.unparsed) / static_cast<double>(nonblank));
    return Error::usage(std::to_string(st.unparsed) + " of " + std::to_string(nonblank) + " non-blank lines (" + pct +
                            ") are not strace output" + where,
                        "is this really a strace log? a profile from it would be incomplete");
  }
  return {};
}

Result<void> check_source(const strace::Trace& trace, const strace::Stats& d, std::string_view source,
                          double max_unparsed_ratio) {
  uint64_t nonblank = d.lines - d.blank;
  uint64_t recognized = d.syscalls + d.signals + d.exits + d.summary_rows + d.info + d.stack + d.resumed;
  std::string where;
  for (const auto& u : trace.unparsed_samples()) {
    if (u.source != source) continue;
    where = " (first: line " + std::to_string(u.line) + ": " + sanitize_comment(u.text, 80) + ")";
    break;
  }
  std::string name(source);
  if (recognized == 0)
    return Error::usage(name + ": not a strace log: none of its " + std::to_string(nonblank) +
                            " non-blank lines is strace output" + where,
                        "give the file strace wrote with -o (or its stderr); gzip and tar are fine");
  if (static_cast<double>(d.unparsed) > max_unparsed_ratio * static_cast<double>(nonblank)) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 * static_cast<double>(d.unparsed) / static_cast<double>(nonblank));
    return Error::usage(name + ": " + std::to_string(d.unparsed) + " of " + std::to_string(nonblank) +
                            " non-blank lines (" + pct + ") are not strace output" + where,
                        "is this really a strace log? a profile from it would be incomplete (see --max-unparsed)");
  }
  return {};
}

Result<Generated> generate(const Aggregate& agg, const Options& opts) {
  Generated g;
  if (opts.name.empty() ||
      !std::all_of(opts.name.begin(), opts.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      }))
    return Error::usage("invalid profile name '" + opts.name + "' (allowed: letters, digits, '.', '_', '-')");
  if (agg.native.empty()) return Error::usage("the traces contain no x86_64 system calls to allow");

  std::map<std::string, const SyscallUse*> used;  // sorted
  for (const auto& u : agg.native) used[u.name] = &u;

  // Conditional allows.
  struct Cond {
    const SyscallUse* use;
    std::vector<std::string> values;  // socket/ioctl: one rule per value; clone: one masked rule
  };
  std::vector<Cond> conds;
  std::set<std::string> conditioned;
  bool clone3_refused = false;
  auto can_condition = [&](const SyscallUse& u) {
    return opts.conditions && !agg.from_summary && u.closed && !kHot.count(u.name);
  };
  // Never-learned calls (core/never_learned.hpp) are never allowed, whatever the trace shows:
  // the terminal-injection ioctls, clone with namespace flags, personality other than the query,
  // and every call of the unconditional entries.
  auto terminal_request = [](const std::string& v) {
    auto n = core::parse_constant_expr(v);
    return n && (static_cast<uint32_t>(*n) == core::kTiocsti || static_cast<uint32_t>(*n) == core::kTioclinux);
  };
  std::set<std::string> never;  // used syscalls with an unconditional never-learned entry
  for (const auto& [name, u] : used) {
    const core::NeverLearned* nl = core::never_learned_entry(name);
    if (nl && nl->when == core::NeverWhen::Always) {
      never.insert(name);
      continue;
    }
    if (name == "personality") {
      // Only the query, whatever the trace shows (a summary or unexpressible values included).
      conds.push_back({u, {"PERSONALITY_QUERY"}});
      conditioned.insert(name);
    } else if ((name == "socket" || name == "ioctl") && can_condition(*u) && !u->arg_values.empty() &&
               u->arg_values.size() <= 8) {
      std::vector<std::string> vals;
      for (const auto& v : u->arg_values)
        if (name != "ioctl" || !terminal_request(v)) vals.push_back(v);
      if (vals.empty()) {  // only TIOCSTI/TIOCLINUX: nothing to allow
        never.insert(name);
        continue;
      }
      conds.push_back({u, std::move(vals)});
      conditioned.insert(name);
    } else if (name == "clone") {
      // Conditioned even when the trace showed namespace flags or no arguments (summary,
      // --no-conditions): clone is allowed only without them.
      conds.push_back({u, {}});
      conditioned.insert(name);
    }
  }
  if (used.count("clone3")) clone3_refused = true;
  never.erase("clone3");  // its ENOSYS rule is written below

  // Plain allows: used syscalls, fallbacks, the launcher's own.
  std::set<std::string> plain;
  for (const auto& [name, u] : used)
    if (!conditioned.count(name) && name != "clone3" && !never.count(name)) plain.insert(name);
  std::vector<Fallback> fallbacks;
  for (const auto& f : fallback_pairs()) {
    if (!used.count(f.syscall) || used.count(f.fallback) || plain.count(f.fallback) ||
        conditioned.count(f.fallback) || !is_known_syscall(f.fallback))
      continue;
    if (f.fallback == "clone") {
      // clone is conditioned (no namespace flags) unless the trace showed it with them.
      if (opts.conditions) {
        conditioned.insert("clone");
        conds.push_back({nullptr, {}});
      } else {
        plain.insert("clone");
      }
    } else {
      plain.insert(f.fallback);
    }
    fallbacks.push_back(f);
  }
  // Syscall families (core/families.hpp): siblings of what was used, for the next run's state.
  std::vector<core::FamilyAddition> family;
  {
    std::set<std::string, std::less<>> seen;
    for (const auto& [name, u] : used)
      if (!never.count(name)) seen.insert(name);
    for (auto& f : core::family_additions(seen)) {
      if (plain.count(f.syscall) || conditioned.count(f.syscall) || !is_known_syscall(f.syscall)) continue;
      plain.insert(f.syscall);
      family.push_back(std::move(f));
    }
  }
  std::vector<std::string> launcher;
  for (const auto& s : opts.always_allowed) {
    if (plain.count(s) || conditioned.count(s) || !is_known_syscall(s)) continue;
    plain.insert(s);
    launcher.push_back(s);
  }

  // Groups fully covered by the plain set (largest first; skip ones adding nothing new).
  std::vector<const Group*> gs;
  for (const auto& gr : opts.groups)
    if (gr.members.size() >= 2) gs.push_back(&gr);
  std::stable_sort(gs.begin(), gs.end(), [](auto* a, auto* b) { return a->members.size() > b->members.size(); });
  std::set<std::string> covered;
  std::vector<const Group*> chosen;
  for (const Group* gr : gs) {
    bool all = std::all_of(gr->members.begin(), gr->members.end(),
                           [&](const std::string& m) { return plain.count(m) > 0 && used.count(m) > 0; });
    if (!all) continue;
    bool adds = std::any_of(gr->members.begin(), gr->members.end(), [&](const std::string& m) { return !covered.count(m); });
    if (!adds) continue;
    chosen.push_back(gr);
    covered.insert(gr->members.begin(), gr->members.end());
  }
  std::sort(chosen.begin(), chosen.end(), [](auto* a, auto* b) { return a->name < b->name; });

  // ---- TOML ----
  std::string t;
  t += "# Generated by `gopls-sandbox profile generate` from strace logs";
  t += agg.from_summary ? " (summary tables only: no arguments, no examples).\n" : ".\n";
  for (size_t i = 0; i < opts.sources.size(); ++i) {
    if (i == 8 && opts.sources.size() > 10) {
      t += "#   ... and " + std::to_string(opts.sources.size() - 8) + " more files\n";
      break;
    }
    t += "#   " + sanitize_comment(opts.sources[i], 160) + "\n";
  }
  t += "# " + std::to_string(agg.calls) + " calls of " + std::to_string(agg.native.size()) +
       " x86_64 syscalls. A trace shows what one run did: review before use.\n";
  t += "name = " + toml_string(opts.name) + "\n";
  std::string desc = opts.description;
  if (desc.empty()) desc = "generated from strace logs";
  t += "description = " + toml_string(sanitize_comment(desc, 200)) + "\n";
  if (!opts.base.empty()) t += "include = [" + toml_string(opts.base) + "]\n";
  t += "\nallow = [\n";
  auto pad = [](std::string s, size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
  };
  auto count_text = [](const SyscallUse& u) {
    std::string s = std::to_string(u.count) + (u.count == 1 ? " call" : " calls");
    if (u.errors) {
      s += ", " + std::to_string(u.errors) + " failed";
      if (!u.errnos.empty()) {
        s += " (";
        bool first = true;
        for (const auto& [en, n] : u.errnos) {
          if (!first) s += " ";
          s += en + "x" + std::to_string(n);
          first = false;
        }
        s += ")";
      }
    }
    return s;
  };
  if (!chosen.empty()) {
    t += "  # groups whose every member the trace used\n";
    for (const Group* gr : chosen) {
      std::string members;
      uint64_t calls = 0;
      for (const auto& m : gr->members) {
        if (!members.empty()) members += " ";
        members += m;
        if (auto it = used.find(m); it != used.end()) calls += it->second->count;
      }
      t += "  " + pad(toml_string("@" + gr->name) + ",", 24) + "# " + std::to_string(calls) + " calls: " +
           sanitize_comment(members, 140) + "\n";
      g.groups_used.push_back("@" + gr->name);
    }
  }
  bool header = false;
  for (const auto& [name, u] : used) {
    if (!plain.count(name) || covered.count(name)) continue;
    if (!header) {
      t += "  # syscalls the trace used (count; one example)\n";
      header = true;
    }
    std::string c = count_text(*u);
    if (!u->example.empty()) c += "; e.g. " + u->example;
    t += "  " + pad(toml_string(name) + ",", 24) + "# " + sanitize_comment(c, 200) + "\n";
  }
  bool fb_header = false;
  for (const auto& f : fallbacks) {
    if (f.fallback == "clone" || covered.count(f.fallback)) continue;
    if (!fb_header) {
      t += "  # fallbacks: not in the trace, used when the newer call is refused or unavailable\n";
      fb_header = true;
    }
    t += "  " + pad(toml_string(f.fallback) + ",", 24) + "# fallback for " + f.syscall + ": " + f.why + "\n";
  }
  bool fam_header = false;
  for (const auto& f : family) {
    if (covered.count(f.syscall)) continue;
    if (!fam_header) {
      t += "  # syscall families: not in the trace, used by the same code path on another run (cold/warm cache)\n";
      fam_header = true;
    }
    t += "  " + pad(toml_string(f.syscall) + ",", 24) + "# " + std::string(f.family->name) + " family, seen " + f.seen +
         "\n";
    g.families_added.push_back(f.syscall + " (" + std::string(f.family->name) + ", seen " + f.seen + ")");
  }
  bool l_header = false;
  for (const auto& s : launcher) {
    if (covered.count(s)) continue;
    if (!l_header) {
      t += "  # the launcher's own calls between loading the filter and execve\n";
      l_header = true;
    }
    t += "  " + pad(toml_string(s) + ",", 24) + "# launcher post-filter syscall\n";
  }
  t += "]\n";

  if (clone3_refused) {
    const SyscallUse* u = used.at("clone3");
    t += "\n# clone3: " + sanitize_comment(count_text(*u) + (u->example.empty() ? "" : "; e.g. " + u->example), 200) + "\n";
    t += "[[rule]]\nsyscalls = [\"clone3\"]\naction   = \"errno\"\nerrno    = \"ENOSYS\"\n";
    t += "why      = \"its flags live in a struct seccomp cannot read; ENOSYS makes glibc and Go fall back to clone\"\n";
    g.refused.push_back("clone3 (ENOSYS, falls back to clone)");
  }
  bool clone_done = false;
  for (const auto& c : conds) {
    const SyscallUse* u = c.use;
    std::string name = u ? u->name : "clone";
    if (name == "clone") {
      if (clone_done) continue;
      clone_done = true;
      t += "\n# clone: " +
           (u ? sanitize_comment(count_text(*u) + (u->example.empty() ? "" : "; e.g. " + u->example), 200)
              : std::string("fallback for clone3")) +
           "\n";
      t += "[[rule]]\nsyscalls = [\"clone\"]\naction   = \"allow\"\n";
      t += "args     = [ { index = 0, op = \"masked_eq\", mask = " + toml_string(kCloneNamespaceMask) + ", value = 0 } ]\n";
      t += "why      = \"threads and fork/exec as traced; never new namespaces (never learned)\"\n";
      continue;
    }
    t += "\n# " + name + ": " +
         sanitize_comment(count_text(*u) + (u->example.empty() ? "" : "; e.g. " + u->example), 200) + "\n";
    if (name == "personality") {
      t += "[[rule]]\nsyscalls = [\"personality\"]\naction   = \"allow\"\n";
      t += "args     = [ { index = 0, op = \"eq\", value = \"PERSONALITY_QUERY\" } ]\n";
      t += "why      = \"the query only: setting a persona is never allowed (never learned)\"\n";
      continue;
    }
    int index = name == "ioctl" ? 1 : 0;
    for (const auto& v : c.values) {
      t += "[[rule]]\nsyscalls = [" + toml_string(name) + "]\naction   = \"allow\"\n";
      std::string value = parse_uint(v) ? v : toml_string(v);
      t += "args     = [ { index = " + std::to_string(index) + ", op = \"eq\", value = " + value + " } ]\n";
      t += "why      = " + toml_string("the trace used only " +
                                     std::string(name == "socket" ? "these families" : name == "ioctl" ? "these requests" : "these values") + ": " + [&] {
             std::string all;
             for (const auto& x : c.values) all += (all.empty() ? "" : ", ") + x;
             return all;
           }()) + "\n";
    }
  }

  // ioctl allowed without conditions (the trace used requests a condition cannot name): keep
  // refusing the terminal-injection requests, as the shipped profiles do.
  // refusing the terminal-injection requests, as the shipped profiles do — even when the trace
  // used them (never learned).
  if (plain.count("ioctl")) {
    for (sv req : {sv("TIOCSTI"), sv("TIOCLINUX")}) {
      t += "\n[[rule]]\nsyscalls = [\"ioctl\"]\naction   = \"errno\"\nerrno    = \"EPERM\"\n";
      t += "args     = [ { index = 1, op = \"eq\", value = \"" + std::string(req) + "\" } ]\n";
      t += "why      = \"faking terminal input (CVE-2017-5226) stays refused (never learned)\"\n";
    }
  }
  if (used.count("clone") && !used.at("clone")->closed)
    g.warnings.push_back("clone was traced with namespace flags (or without arguments): allowed only without them");
  if (used.count("ioctl")) {
    const SyscallUse* u = used.at("ioctl");
    for (const auto& v : u->arg_values)
      if (terminal_request(v)) g.refused.push_back("ioctl " + v + " (never allowed: " +
                                                   std::string(core::never_learned_entry("ioctl")->reason) + ")");
  }
  if (used.count("personality")) {
    const SyscallUse* u = used.at("personality");
    bool other = !u->closed || std::any_of(u->arg_values.begin(), u->arg_values.end(), [](const std::string& v) {
      auto n = core::parse_constant_expr(v);
      return !n || static_cast<uint32_t>(*n) != core::kPersonalityQuery;
    });
    if (other) g.refused.push_back("personality other than the query (never allowed: " +
                                   std::string(core::never_learned_entry("personality")->reason) + ")");
  }
  if (!never.empty()) {
    t += "\n# Not added: never allowed by generation or learning, whatever the trace shows (they leave the\n"
         "# sandbox or open kernel attack surface; profiles/README.md, \"Never learned\").\n";
    for (const auto& name : never) {
      const SyscallUse* u = used.at(name);
      const core::NeverLearned* nl = core::never_learned_entry(name);
      std::string why = nl ? std::string(nl->reason) : "only terminal-injection requests were traced";
      t += "#   " + name + " (" + std::to_string(u->count) + (u->count == 1 ? " call" : " calls") + "): " +
           sanitize_comment(why, 160) + "\n";
      g.refused.push_back(name + " (never allowed: " + why + ")");
    }
  }

  if (!agg.foreign.empty()) {
    t += "\n# Not added: calls made in 32-bit (i386) or x32 mode. The compiled filter refuses those\n"
         "# ABIs entirely (profiles/README.md, \"Compilation\").\n";
    for (const auto& u : agg.foreign) {
      std::string r = std::string(strace::arch_name(u.arch)) + ":" + u.name;
      t += "#   " + r + " (" + std::to_string(u.count) + (u.count == 1 ? " call)" : " calls)") + "\n";
      g.refused.push_back(r);
    }
    g.warnings.push_back(std::to_string(agg.foreign.size()) + " syscall(s) made in 32-bit/x32 mode were not added");
  }
  if (!agg.unknown.empty()) {
    t += "\n# Not added: syscall numbers/names unknown to this build (newer than its syscall table;\n"
         "# the filter answers those with unknown_errno, ENOSYS by default).\n";
    for (const auto& u : agg.unknown) {
      t += "#   " + sanitize_comment(u.name, 60) + " (" + std::to_string(u.count) + (u.count == 1 ? " call)" : " calls)") + "\n";
      g.refused.push_back("unknown:" + u.name);
    }
    g.warnings.push_back(std::to_string(agg.unknown.size()) + " unknown syscall(s) were not added");
  }

  g.toml = std::move(t);
  std::set<std::string> allowed(plain.begin(), plain.end());
  allowed.insert(conditioned.begin(), conditioned.end());
  g.allowed.assign(allowed.begin(), allowed.end());
  g.conditioned.assign(conditioned.begin(), conditioned.end());
  g.fallbacks_added = std::move(fallbacks);
  return g;
}

Report read_report(const strace::Trace& trace) {
  Report r;
  r.sources = trace.sources();
  r.stats = trace.stats();
  auto pids = trace.pids();
  r.processes = pids.size() - (std::find(pids.begin(), pids.end(), 0) != pids.end() && pids.size() > 1 ? 1 : 0);
  r.unparsed = trace.unparsed_samples();
  return r;
}

Result<void> complete_report(Report& r, Aggregate agg, const Options& opts, bool allow_partial,
                             double max_unparsed_ratio) {
  if (auto ok = check_usable(r.stats, r.unparsed, max_unparsed_ratio); !ok) return ok;
  r.agg = std::move(agg);
  // Logs that cannot give a working profile (issue 17 §1): another architecture, always; a
  // partial log (only failing calls, filtered) unless allow_partial.
  if (auto f = foreign_reason(r.agg); !f.empty())
    return Error::usage("refusing the log: " + f, "record the workload as a native x86_64 program");
  r.partial = partial_reasons(r.agg);
  if (!r.partial.empty() && !allow_partial)
    return Error::usage("refusing a partial log: " + r.partial.front(),
                        "record with plain `strace -f -o FILE CMD` (no -Z, no -e trace=), or pass "
                        "--allow-partial to accept an incomplete profile");
  auto gen = generate(r.agg, opts);
  if (!gen) return std::move(gen).error();
  r.gen = std::move(*gen);
  r.cold = cold_cache_warnings(r.agg);
  return {};
}

}  // namespace gsb::profile_gen
