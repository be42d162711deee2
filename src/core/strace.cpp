// strace output parser. See src/core/include/gopls_sandbox/core/strace.hpp for the accepted shapes.
#include "gopls_sandbox/core/strace.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <set>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gsb::strace {

const char* arch_name(Arch a) noexcept {
  switch (a) {
    case Arch::x86_64: return "x86_64";
    case Arch::i386: return "i386";
    case Arch::x32: return "x32";
  }
  return "?";
}

namespace {

using sv = std::string_view;

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_lower_ident(char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_'; }
constexpr bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
constexpr bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

sv trim(sv s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Characters the argument scanner must look at; everything else is skipped (find_special).
// Without argv (Trace::set_argv_filter) commas need no look.
constexpr std::array<bool, 256> make_table(sv set) {
  std::array<bool, 256> t{};
  for (unsigned char c : set) t[c] = true;
  return t;
}
constexpr auto kSpecial = make_table("\"()[]{},/<");
constexpr auto kSpecialNoComma = make_table("\"()[]{}/<");
constexpr auto kDecoSpecial = make_table("\"[]<>");  // in a -y decoration

#if defined(__SSE2__)
// Sixteen bytes at a time with SSE2 (every x86-64 CPU has it): a bit per byte that may be
// special. Argument lists are mostly plain bytes, and this is where the parser spends its time.
// OR-ing 0x20 folds '[' onto '{' and ']' onto '}' (one compare for both); it also folds a few
// control bytes onto the set, which the callers' table check throws out again.
inline unsigned special_bits(const char* p, bool commas) {
  __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i y = _mm_or_si128(x, _mm_set1_epi8(0x20));
  auto eq = [&](char c) { return _mm_cmpeq_epi8(y, _mm_set1_epi8(c)); };
  __m128i m = _mm_or_si128(_mm_or_si128(eq('"'), eq('(')), _mm_or_si128(eq(')'), eq('/')));
  m = _mm_or_si128(m, _mm_or_si128(eq('<'), _mm_or_si128(eq('{'), eq('}'))));
  if (commas) m = _mm_or_si128(m, eq(','));
  return static_cast<unsigned>(_mm_movemask_epi8(m));
}
inline unsigned deco_bits(const char* p) {
  __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  auto eq = [&](char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
  __m128i m = _mm_or_si128(_mm_or_si128(eq('"'), eq('[')), _mm_or_si128(eq(']'), eq('<')));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(m, eq('>'))));
}
#endif

// The first index >= i of s[0..n) whose byte is in `table`, or n. `bits(p)` classifies p[0..16)
// (a superset of the table). The last partial block is read as the 16 bytes ending at n (they
// are inside the text), with the bytes before i masked off; texts under 16 bytes go bytewise.
template <class Bits>
inline size_t find_in(const char* s, size_t i, size_t n, const std::array<bool, 256>& table, Bits bits) {
#if defined(__SSE2__)
  if (n >= 16) {
    while (i < n) {
      size_t base = i + 16 <= n ? i : n - 16;
      unsigned m = bits(s + base) & (~0u << (i - base));
      while (m) {
        size_t j = base + static_cast<size_t>(__builtin_ctz(m));
        if (table[static_cast<unsigned char>(s[j])]) return j;
        m &= m - 1;
      }
      i = base + 16;
    }
    return n;
  }
#else
  (void)bits;
#endif
  while (i < n && !table[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

template <bool kCommas>
inline size_t find_special(const char* s, size_t i, size_t n) {
#if defined(__SSE2__)
  return find_in(s, i, n, kCommas ? kSpecial : kSpecialNoComma, [](const char* p) { return special_bits(p, kCommas); });
#else
  return find_in(s, i, n, kCommas ? kSpecial : kSpecialNoComma, 0);
#endif
}
inline size_t find_deco_special(const char* s, size_t i, size_t n) {
#if defined(__SSE2__)
  return find_in(s, i, n, kDecoSpecial, deco_bits);
#else
  return find_in(s, i, n, kDecoSpecial, 0);
#endif
}

constexpr sv kUnfinished = "<unfinished ...>";

// Skips a quoted string starting at s[i] == '"'. Returns the index after the closing quote
// (or s.size() when the string is cut off).
size_t skip_string(sv s, size_t i) {
  ++i;
  while (i < s.size()) {
    const void* q = std::memchr(s.data() + i, '"', s.size() - i);
    if (!q) return s.size();
    size_t j = static_cast<const char*>(q) - s.data();
    // count preceding backslashes
    size_t k = j;
    while (k > i && s[k - 1] == '\\') --k;
    if (((j - k) & 1) == 0) return j + 1;
    i = j + 1;
  }
  return s.size();
}

// Skips a -y/-yy decoration starting at s[i] == '<': `</path>`, `<TCP:[a->b]>`,
// `</dev/pts/0<char 136:0>>`. Returns the index after the closing '>' or npos.

size_t skip_decoration(sv s, size_t i) {
  int depth = 0;
  int bracket = 0;
  const size_t n = s.size();
  while (i < n) {
    i = find_deco_special(s.data(), i, n);
    if (i >= n) break;
    char c = s[i];
    if (c == '"') {
      i = skip_string(s, i);
      continue;
    }
    if (c == '[') ++bracket;
    else if (c == ']' && bracket > 0) --bracket;
    else if (bracket == 0 && c == '<') ++depth;
    else if (bracket == 0 && c == '>') {
      if (--depth == 0) return i + 1;
    }
    ++i;
  }
  return sv::npos;
}

enum class ScanEnd { Closed, Unfinished, Cut };

struct ScanResult {
  ScanEnd end = ScanEnd::Cut;
  size_t pos = 0;  // index of ')' or of '<unfinished ...>' (the space before it is not included)
};

// Scans an argument list (text right after the opening parenthesis) for the closing parenthesis
// at depth 0, recording top-level commas when `commas` is given.
template <bool kCommas>
ScanResult scan_args_impl(sv s, std::vector<size_t>* commas) {
  int depth = 0;
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    i = find_special<kCommas>(s.data(), i, n);
    if (i >= n) break;
    char c = s[i];
    switch (c) {
      case '"': i = skip_string(s, i); continue;
      case '(': case '[': case '{': ++depth; break;
      case ')':
        if (depth == 0) return {ScanEnd::Closed, i};
        --depth;
        break;
      case ']': case '}':
        if (depth > 0) --depth;
        break;
      case ',':
        if (depth == 0 && commas) commas->push_back(i);
        break;
      case '/':
        if (i + 1 < n && s[i + 1] == '*') {
          size_t e = s.find("*/", i + 2);
          if (e == sv::npos) return {ScanEnd::Cut, n};
          i = e + 2;
          continue;
        }
        break;
      case '<':
        if (s.compare(i, kUnfinished.size(), kUnfinished) == 0) return {ScanEnd::Unfinished, i};
        if (i > 0 && (is_alnum(s[i - 1]))) {
          size_t e = skip_decoration(s, i);
          if (e == sv::npos) return {ScanEnd::Cut, n};
          i = e;
          continue;
        }
        break;
      default: break;
    }
    ++i;
  }
  return {ScanEnd::Cut, n};
}

ScanResult scan_args(sv s, std::vector<size_t>* commas) {
  return commas ? scan_args_impl<true>(s, commas) : scan_args_impl<false>(s, nullptr);
}

// Index of the ')' closing s[0] == '(' (quotes and nesting respected), or npos.
size_t matching_paren(sv s) {
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      i = skip_string(s, i) - 1;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      if (--depth == 0) return c == ')' ? i : sv::npos;
    }
  }
  return sv::npos;
}

bool parse_i64(sv s, int64_t& out) {
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t u = 0;
  std::from_chars_result r;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    r = std::from_chars(s.data() + 2, s.data() + s.size(), u, 16);
  } else {
    r = std::from_chars(s.data(), s.data() + s.size(), u, 10);
  }
  if (r.ec != std::errc() || r.ptr == s.data()) return false;
  out = neg ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
  return true;
}

bool parse_double(sv s, double& out) {
  if (s.empty()) return false;
  // Fast path for what strace prints (-T "0.000050", -ttt "1700000000.123456", seconds
  // "59.276791"): up to 15 characters with at most one '.', no sign or exponent. Exact: the
  // mantissa (< 10^15) and the power of ten are exact doubles, so one division rounds
  // correctly, like from_chars; longer numbers take the general path.
  if (s.size() <= 15) {
    uint64_t mant = 0;
    int frac = -1;
    bool ok = true;
    for (char c : s) {
      if (c >= '0' && c <= '9') {
        mant = mant * 10 + static_cast<uint64_t>(c - '0');
        if (frac >= 0) ++frac;
      } else if (c == '.' && frac < 0) {
        frac = 0;
      } else {
        ok = false;
        break;
      }
    }
    if (ok && s.front() != '.' && s.back() != '.') {
      static constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                          1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};
      out = frac > 0 ? static_cast<double>(mant) / kPow10[frac] : static_cast<double>(mant);
      return true;
    }
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Small non-negative decimal ints (pids, clock fields) without std::from_chars' generality.
bool parse_small_int(const char*& p, const char* end, int& out) {
  const char* b = p;
  int v = 0;
  while (p < end && *p >= '0' && *p <= '9' && p - b < 9) v = v * 10 + (*p++ - '0');
  if (p == b || (p < end && *p >= '0' && *p <= '9')) return false;
  out = v;
  return true;
}

// "02:58:59.276791" or "02:58:59" → seconds since midnight.
bool parse_clock(sv s, double& out) {
  int h = 0, m = 0;
  const char* p = s.data();
  const char* end = s.data() + s.size();
  if (!parse_small_int(p, end, h) || p == end || *p != ':') return false;
  ++p;
  if (!parse_small_int(p, end, m) || p == end || *p != ':') return false;
  ++p;
  double sec = 0;
  if (!parse_double(sv(p, static_cast<size_t>(end - p)), sec)) return false;
  out = h * 3600.0 + m * 60.0 + sec;
  return true;
}

// "HH:MM:SS.uuuuuu " (-tt, the usual shape) at p[0..16): the seconds since midnight, computed
// exactly as parse_clock does (same integers, same operations, so the same double).
inline bool tt_clock(const char* p, double& out) {
#if defined(__SSE2__)
  // One compare for the shape: digits where digits belong, ":" ":" "." " " at 2, 5, 8, 15.
  __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i dv = _mm_sub_epi8(x, _mm_set1_epi8('0'));
  unsigned digit = static_cast<unsigned>(
      _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_subs_epu8(dv, _mm_set1_epi8(9)), _mm_setzero_si128())));
  unsigned sep = static_cast<unsigned>(
      _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setr_epi8(0, 0, ':', 0, 0, ':', 0, 0, '.', 0, 0, 0, 0, 0, 0, ' '))));
  constexpr unsigned kSep = (1u << 2) | (1u << 5) | (1u << 8) | (1u << 15);
  constexpr unsigned kDig = 0xffffu & ~kSep;
  if ((digit & kDig) != kDig || (sep & kSep) != kSep) return false;
#else
  if (p[2] != ':' || p[5] != ':' || p[8] != '.' || p[15] != ' ') return false;
  static constexpr int kDigits[] = {0, 1, 3, 4, 6, 7, 9, 10, 11, 12, 13, 14};
  for (int k : kDigits)
    if (!is_digit(p[k])) return false;
#endif
  auto d = [p](int k) { return static_cast<int>(p[k] - '0'); };
  int h = d(0) * 10 + d(1), m = d(3) * 10 + d(4);
  uint64_t mant = 0;
  for (int k : {6, 7, 9, 10, 11, 12, 13, 14}) mant = mant * 10 + static_cast<uint64_t>(d(k));
  double sec = static_cast<double>(mant) / 1e6;
  out = h * 3600.0 + m * 60.0 + sec;
  return true;
}

// "S.uuuuuu" at q[0..8) (the digits of -T's " <0.000050>").
inline bool short_duration(const char* q) {
  if (!is_digit(q[0]) || q[1] != '.') return false;
  for (int k = 2; k < 8; ++k)
    if (!is_digit(q[k])) return false;
  return true;
}

// "<comm>" after a pid (-Y): returns the index after '>' (or `i` when there is none).
size_t skip_comm(sv s, size_t i) {
  size_t e = s.find('>', i);
  return e == sv::npos ? i : e + 1;
}

bool parse_pid_digits(sv s, int& pid) {
  const char* p = s.data();
  const char* end = p + s.size();
  return parse_small_int(p, end, pid) && p == end;
}

}  // namespace

int unknown_syscall_number(std::string_view name) noexcept {
  constexpr sv p = "syscall_";
  if (name.size() <= p.size() || name.substr(0, p.size()) != p) return -1;
  sv rest = name.substr(p.size());
  int base = 10;
  if (rest.size() > 2 && rest[0] == '0' && rest[1] == 'x') {
    rest.remove_prefix(2);
    base = 16;
  }
  int n = -1;
  auto r = std::from_chars(rest.data(), rest.data() + rest.size(), n, base);
  if (r.ec != std::errc() || r.ptr != rest.data() + rest.size()) return -1;
  return n;
}

Stats operator-(const Stats& a, const Stats& b) noexcept {
  Stats d;
  d.bytes = a.bytes - b.bytes;
  d.lines = a.lines - b.lines;
  d.blank = a.blank - b.blank;
  d.syscalls = a.syscalls - b.syscalls;
  d.resumed = a.resumed - b.resumed;
  d.unfinished = a.unfinished - b.unfinished;
  d.orphan_resumed = a.orphan_resumed - b.orphan_resumed;
  d.signals = a.signals - b.signals;
  d.exits = a.exits - b.exits;
  d.info = a.info - b.info;
  d.stack = a.stack - b.stack;
  d.summary_rows = a.summary_rows - b.summary_rows;
  d.truncated = a.truncated - b.truncated;
  d.unparsed = a.unparsed - b.unparsed;
  d.foreign_arch = a.foreign_arch - b.foreign_arch;
  return d;
}

// ---------------------------------------------------------------------------------------------
// Trace storage


std::string_view Trace::store(std::string_view a, std::string_view b, std::string_view c) {
  size_t n = a.size() + b.size() + c.size();
  if (n > arena_left_) {
    size_t cap = std::max<size_t>(n, 256 * 1024);
    arena_.push_back(std::unique_ptr<char[]>(new char[cap]));  // not zeroed: read only where written
    arena_pos_ = arena_.back().get();
    arena_left_ = cap;
  }
  char* p = arena_pos_;
  if (!a.empty()) std::memcpy(p, a.data(), a.size());
  if (!b.empty()) std::memcpy(p + a.size(), b.data(), b.size());
  if (!c.empty()) std::memcpy(p + a.size() + b.size(), c.data(), c.size());
  arena_pos_ += n;
  arena_left_ -= n;
  return {p, n};
}

std::span<const std::string_view> Trace::store_args(const std::string_view* v, size_t n) {
  if (n == 0) return {};
  if (n > argpool_left_) {
    size_t cap = std::max<size_t>(n, 64 * 1024);
    argpool_.push_back(std::make_unique<std::string_view[]>(cap));
    argpool_pos_ = argpool_.back().get();
    argpool_left_ = cap;
  }
  std::string_view* p = argpool_pos_;
  std::copy(v, v + n, p);
  argpool_pos_ += n;
  argpool_left_ -= n;
  return {p, n};
}

std::vector<int> Trace::pids() const {
  std::vector<int> v;
  v.reserve(64);
  std::set<int> s(other_pids_.begin(), other_pids_.end());
  s.insert(drained_pids_.begin(), drained_pids_.end());
  int last = -1;
  for (const auto& e : events_) {
    if (e.pid != last) {
      s.insert(e.pid);
      last = e.pid;
    }
  }
  v.assign(s.begin(), s.end());
  return v;
}

// ---------------------------------------------------------------------------------------------
// The line parser

struct LineParser {
  Trace& t;
  uint32_t src;
  sv src_name;
  std::optional<int> default_pid;
  std::unordered_map<int, Trace::Pending> pending;
  bool in_summary = false;
  Arch summary_arch = Arch::x86_64;
  sv carry;  // start of a line that strace interrupted with "strace: Process N attached"
  std::vector<size_t> commas;
  std::vector<sv> argbuf;
  bool (*argv_filter)(sv) = nullptr;
  // Map nodes of resumed calls, reused for the next <unfinished ...> (most calls of a -f log
  // come in pairs: no allocation per pair). Same map operations, so the same iteration order.
  std::vector<std::unordered_map<int, Trace::Pending>::node_type> spare;

  bool wants(sv name) const { return !argv_filter || argv_filter(name); }

  void drop_pending(std::unordered_map<int, Trace::Pending>::iterator it) {
    spare.push_back(pending.extract(it));
  }
  void put_pending(int pid, const Trace::Pending& p) {
    if (spare.empty()) {
      pending[pid] = p;
      return;
    }
    auto nh = std::move(spare.back());
    spare.pop_back();
    nh.key() = pid;
    nh.mapped() = p;
    auto r = pending.insert(std::move(nh));
    if (!r.inserted) {
      r.position->second = p;
      spare.push_back(std::move(r.node));
    }
  }

  Arch arch_of(int pid) const {
    if (t.personality_.empty()) return Arch::x86_64;
    auto it = t.personality_.find(pid);
    return it == t.personality_.end() ? Arch::x86_64 : it->second;
  }

  void note_pid(int pid) {
    if (t.other_pids_.empty() || t.other_pids_.back() != pid) t.other_pids_.push_back(pid);
  }

  std::span<const sv> split(sv args) {
    // `commas` holds the top-level comma positions of `args` (filled by scan_args).
    argbuf.clear();
    if (trim(args).empty()) return {};
    size_t start = 0;
    for (size_t c : commas) {
      argbuf.push_back(trim(args.substr(start, c - start)));
      start = c + 1;
    }
    argbuf.push_back(trim(args.substr(start)));
    return t.store_args(argbuf.data(), argbuf.size());
  }

  // Parses " = RET [ERRNO (msg)] [(note)] [<dur>]" (s starts right after the closing paren).
  bool parse_result(sv s, Event& ev) {
    size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size() || s[i] != '=') return false;
    ++i;
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) return false;
    sv rest = s.substr(i);
    // -T duration at the very end ("<unavailable>" when the process vanished).
    if (rest.ends_with(" <unavailable>")) {
      rest.remove_suffix(14);
    } else if (rest.size() >= 11 && rest.back() == '>' && rest[rest.size() - 11] == ' ' &&
               rest[rest.size() - 10] == '<' && rest[rest.size() - 8] == '.' && short_duration(rest.data() + rest.size() - 9)) {
      // -T's usual " <S.uuuuuu>": what the general path below computes, without its search.
      const char* q = rest.data() + rest.size() - 9;
      uint64_t mant = static_cast<uint64_t>(q[0] - '0');
      for (int k = 2; k < 8; ++k) mant = mant * 10 + static_cast<uint64_t>(q[k] - '0');
      ev.duration = static_cast<double>(mant) / 1e6;
      rest = rest.substr(0, rest.size() - 11);
    } else if (!rest.empty() && rest.back() == '>') {
      size_t lt = rest.rfind(" <");
      if (lt != sv::npos) {
        double d = 0;
        if (parse_double(rest.substr(lt + 2, rest.size() - lt - 3), d)) {
          ev.duration = d;
          rest = rest.substr(0, lt);
        }
      }
    }
    // Return token.
    size_t j = 0;
    if (rest[0] == '?') {
      j = 1;
    } else {
      if (rest[j] == '-') ++j;
      while (j < rest.size() && is_alnum(rest[j])) ++j;
      int64_t v = 0;
      if (!parse_i64(rest.substr(0, j), v)) return false;
      ev.ret = v;
      if (j < rest.size() && rest[j] == '<') {
        size_t e = skip_decoration(rest, j);
        if (e == sv::npos) return false;
        j = e;
      }
    }
    ev.ret_text = rest.substr(0, j);
    sv tail = trim(rest.substr(j));
    if (tail.empty()) return true;
    if (tail[0] >= 'A' && tail[0] <= 'Z') {
      size_t k = 0;
      while (k < tail.size() && (is_alnum(tail[k]))) ++k;
      ev.err = tail.substr(0, k);
      tail = trim(tail.substr(k));
    }
    // "(No such file or directory)", "(Timeout)", "(flags O_RDWR)", "([{fd=3, ...}])", and a
    // second group for -e inject: "= -1 EPERM (Operation not permitted) (INJECTED)".
    bool first = true;
    while (!tail.empty()) {
      if (tail[0] != '(') return false;
      size_t close = matching_paren(tail);
      if (close == sv::npos) return false;
      sv inner = tail.substr(1, close - 1);
      if (first && !ev.err.empty()) ev.err_msg = inner;
      else if (ev.note.empty()) ev.note = inner;
      first = false;
      tail = trim(tail.substr(close + 1));
    }
    return true;
  }

  // Fills args/argv/result of ev from `body` = text after "name(". Returns false on garbage.
  // Sets *unfinished when the call continues in a later <... resumed> line.
  // `want`: split the arguments into argv (else argv stays empty: Trace::set_argv_filter).
  bool parse_call(sv body, Event& ev, bool& unfinished, bool want) {
    commas.clear();
    ScanResult r = scan_args(body, want ? &commas : nullptr);
    unfinished = false;
    if (r.end == ScanEnd::Cut) return false;
    if (r.end == ScanEnd::Unfinished) {
      sv args = body.substr(0, r.pos);
      if (!args.empty() && args.back() == ' ') args.remove_suffix(1);
      sv after = body.substr(r.pos + kUnfinished.size());
      if (trim(after).empty()) {
        ev.args = args;
        unfinished = true;
        return true;
      }
      // "<unfinished ...>) = ?": the process went away during the call.
      if (after[0] != ')') return false;
      while (!commas.empty() && commas.back() >= args.size()) commas.pop_back();
      ev.args = args;
      if (want) ev.argv = split(args);
      return parse_result(after.substr(1), ev);
    }
    ev.args = body.substr(0, r.pos);
    if (want) ev.argv = split(ev.args);
    return parse_result(body.substr(r.pos + 1), ev);
  }

  bool summary_line(sv s) {
    sv l = trim(s);
    if (l.substr(0, 6) == "% time") {
      in_summary = true;
      return true;
    }
    if (l.starts_with("System call usage summary for")) {
      summary_arch = l.find("32 bit") != sv::npos ? Arch::i386
                     : l.find("x32") != sv::npos  ? Arch::x32
                                                  : Arch::x86_64;
      return true;
    }
    if (!in_summary) return false;
    if (l.starts_with("------")) return true;
    // tokens
    std::array<sv, 8> tok;
    size_t n = 0;
    size_t i = 0;
    while (i < l.size() && n < tok.size()) {
      while (i < l.size() && l[i] == ' ') ++i;
      size_t b = i;
      while (i < l.size() && l[i] != ' ') ++i;
      if (i > b) tok[n++] = l.substr(b, i - b);
    }
    if (i < l.size() || (n != 5 && n != 6)) return false;
    sv name = tok[n - 1];
    uint64_t calls = 0, errors = 0;
    auto num = [](sv x, uint64_t& v) {
      auto r = std::from_chars(x.data(), x.data() + x.size(), v);
      return r.ec == std::errc() && r.ptr == x.data() + x.size();
    };
    if (!num(tok[3], calls)) return false;
    if (n == 6 && !num(tok[4], errors)) return false;
    if (name == "total") {
      in_summary = false;
      summary_arch = Arch::x86_64;
      return true;
    }
    for (char c : name)
      if (!is_lower_ident(c)) return false;
    t.summary_.push_back({name, calls, errors, summary_arch, src});
    ++t.stats_.summary_rows;
    return true;
  }

  void close_pending(int pid) {
    auto it = pending.find(pid);
    if (it == pending.end()) return;
    finish_unfinished(it->second);
    drop_pending(it);
  }

  void finish_unfinished(const Trace::Pending& p) {
    Event& ev = t.events_[p.event];
    commas.clear();
    if (!wants(ev.name)) {
      ++t.stats_.unfinished;
      return;
    }
    scan_args(p.prefix, &commas);
    ev.argv = split(p.prefix);
    ++t.stats_.unfinished;
  }

  // Returns false when the line is not understood.
  bool line(sv s, uint32_t lineno) {
    if (in_summary && summary_line(s)) return true;
    size_t i = 0;
    const size_t n = s.size();
    int pid = default_pid.value_or(0);
    bool explicit_pid = false;
    if (n > 5 && s[0] == '[' && s.compare(0, 5, "[pid ") == 0) {
      i = 5;
      while (i < n && s[i] == ' ') ++i;
      size_t b = i;
      while (i < n && is_digit(s[i])) ++i;
      size_t e = i;
      if (i < n && s[i] == '<') i = skip_comm(s, i);  // -Y / --decode-pids=comm
      if (i == b || i >= n || s[i] != ']' || !parse_pid_digits(s.substr(b, e - b), pid)) return false;
      explicit_pid = true;
      ++i;
      while (i < n && s[i] == ' ') ++i;
    } else if (n > 0 && s[0] == ' ') {
      if (s.starts_with(" > ")) {
        ++t.stats_.stack;
        return true;
      }
      if (summary_line(s)) return true;
      while (i < n && s[i] == ' ') ++i;
    }
    if (i < n && is_digit(s[i])) {
      size_t b = i;
      uint64_t v = 0;  // the value when there are 1 to 9 digits (what parse_pid_digits accepts)
      while (i < n && is_digit(s[i])) v = v * 10 + static_cast<uint64_t>(s[i++] - '0');
      size_t e = i;
      if (i < n && s[i] == '<') i = skip_comm(s, i);  // -Y / --decode-pids=comm
      if (i < n && s[i] == ' ') {
        if (!explicit_pid && e - b <= 9) {
          pid = static_cast<int>(v);
          explicit_pid = true;
          while (i < n && s[i] == ' ') ++i;
        } else {
          i = b;
        }
      } else {
        i = b;
      }
    }
    // Timestamp: -t / -tt (clock), -ttt / -r (seconds).
    std::optional<double> time;
    if (double v = 0; i + 16 <= n && tt_clock(s.data() + i, v)) {
      // -tt's fixed "HH:MM:SS.uuuuuu ": the value parse_clock gives, without its generality.
      time = v;
      i += 15;
      while (i < n && s[i] == ' ') ++i;
    } else if (i < n && is_digit(s[i])) {
      size_t b = i;
      bool colon = false;
      while (i < n && (is_digit(s[i]) || s[i] == '.' || s[i] == ':')) {
        colon |= s[i] == ':';
        ++i;
      }
      double v = 0;
      sv tok = s.substr(b, i - b);
      if (i >= n || s[i] != ' ' || !(colon ? parse_clock(tok, v) : parse_double(tok, v))) {
        return summary_line(s);
      }
      time = v;
      while (i < n && s[i] == ' ') ++i;
    }
    // -i instruction pointer "[00007f...]" / "[????????????????]", -n syscall number "[  59]".
    if (i + 2 < n && s[i] == '[' && (is_hex(s[i + 1]) || s[i + 1] == '?' || s[i + 1] == ' ')) {
      size_t e = i + 1;
      while (e < n && (is_hex(s[e]) || s[e] == '?' || s[e] == ' ')) ++e;
      if (e < n && s[e] == ']') {
        i = e + 1;
        while (i < n && s[i] == ' ') ++i;
      }
      // both -n and -i: "[  59] [00007f...]"? strace prints the pointer first; loop once more.
      if (i + 2 < n && s[i] == '[' && (is_hex(s[i + 1]) || s[i + 1] == '?')) {
        e = i + 1;
        while (e < n && (is_hex(s[e]) || s[e] == '?')) ++e;
        if (e < n && s[e] == ']') {
          i = e + 1;
          while (i < n && s[i] == ' ') ++i;
        }
      }
    }
    if (i >= n) return false;
    sv body = s.substr(i);

    // A new event (not made for the lines that complete a waiting one: most of a -f log).
    auto fresh = [&] {
      Event e;
      e.pid = pid;
      e.time = time;
      e.source = src;
      e.line = lineno;
      return e;
    };

    char c0 = body[0];
    if (c0 == '<') {
      // <... NAME resumed>REST
      if (!body.starts_with("<... ")) return false;
      // The first " resumed>": right after the name when the name is a plain identifier.
      size_t e = 5;
      while (e < body.size() && is_lower_ident(body[e])) ++e;
      if (body.compare(e, 9, " resumed>") != 0) e = body.find(" resumed>", 5);
      if (e == sv::npos) return false;
      sv name = body.substr(5, e - 5);
      sv rest = body.substr(e + 9);
      auto it = pending.find(pid);
      if (it == pending.end() || t.events_[it->second.event].name != name) {
        it = pending.end();
        // The entry may have been printed before strace started prefixing lines ([pid N]
        // appears once a second process exists): it is then filed under "no pid".
        if (explicit_pid && !default_pid) {
          auto z = pending.find(0);
          if (z != pending.end() && t.events_[z->second.event].name == name) {
            it = z;
            t.events_[z->second.event].pid = pid;
          }
        }
        if (!explicit_pid) {
          // Lines of the last remaining process lose their [pid N] prefix: match by name.
          for (auto jt = pending.begin(); jt != pending.end(); ++jt) {
            if (t.events_[jt->second.event].name == name) {
              if (it != pending.end()) {
                it = pending.end();
                break;
              }
              it = jt;
            }
          }
        }
      }
      if (it == pending.end()) {
        // Orphan: the entry line is missing. Keep what we have.
        Event ev = fresh();
        ev.name = name;
        ev.number = unknown_syscall_number(name);
        ev.arch = arch_of(pid);
        ev.resumed = true;
        bool unf = false;
        if (!parse_call(rest, ev, unf, wants(name))) return false;
        if (unf) ev.unfinished = true;
        ++t.stats_.orphan_resumed;
        ++t.stats_.syscalls;
        if (ev.arch != Arch::x86_64) ++t.stats_.foreign_arch;
        t.events_.push_back(ev);
        return true;
      }
      Trace::Pending p = it->second;
      drop_pending(it);
      Event& target = t.events_[p.event];
      sv joined = t.store(p.prefix, rest);
      // Parsed straight into the waiting entry, which has only name, pid, time and args set
      // (what fill_resumed would copy from a separate Event is exactly what parse_call sets).
      bool unf = false;
      if (!parse_call(joined, target, unf, wants(target.name)) || unf) {
        // Keep the entry as unfinished, as it was; the resumed line itself is garbage.
        target.args = p.prefix;
        target.argv = {};
        target.ret.reset();
        target.ret_text = {};
        target.err = {};
        target.err_msg = {};
        target.note = {};
        target.duration.reset();
        finish_unfinished(p);
        return false;
      }
      target.unfinished = false;
      target.resumed = true;
      ++t.stats_.resumed;
      return true;
    }
    if (c0 == '-' && body.starts_with("--- ")) {
      if (body.starts_with("--- stopped by") || body.starts_with("--- SIG") ||
          body.starts_with("--- RT")) {
        ++t.stats_.signals;
        note_pid(pid);
        return true;
      }
      return false;
    }
    if (c0 == '+' && body.starts_with("+++ ")) {
      if (!body.ends_with(" +++")) return false;
      ++t.stats_.exits;
      note_pid(pid);
      close_pending(pid);
      return true;
    }
    if (c0 == '[' && body.starts_with("[ Process PID=")) {
      int p = 0;
      sv r = body.substr(14);
      auto fr = std::from_chars(r.data(), r.data() + r.size(), p);
      if (fr.ec != std::errc()) return false;
      sv mode = sv(fr.ptr, r.data() + r.size() - fr.ptr);
      Arch a = mode.find("32 bit") != sv::npos ? Arch::i386
               : mode.find("x32") != sv::npos  ? Arch::x32
                                               : Arch::x86_64;
      t.personality_[p] = a;
      ++t.stats_.info;
      return true;
    }
    if (c0 == 'P' && body.starts_with("Process ") &&
        (body.ends_with(" attached") || body.ends_with(" detached") || body.ends_with(" suspended"))) {
      ++t.stats_.info;  // strace 4.x without the "strace: " prefix
      return true;
    }
    if (c0 == 's' && body.starts_with("strace: ")) {
      ++t.stats_.info;
      return true;
    }
    if (c0 == '%' || c0 == '-' || c0 == 'S') return summary_line(s);
    // name(
    size_t k = 0;
    while (k < body.size() && is_lower_ident(body[k])) ++k;
    if (k == 0 || k >= body.size() || body[k] != '(') return false;
    Event ev = fresh();
    ev.name = body.substr(0, k);
    if (ev.name[0] == 's' && ev.name.starts_with("syscall_")) ev.number = unknown_syscall_number(ev.name);
    ev.arch = arch_of(pid);
    bool unf = false;
    if (!parse_call(body.substr(k + 1), ev, unf, wants(ev.name))) return false;
    ++t.stats_.syscalls;
    if (ev.arch != Arch::x86_64) ++t.stats_.foreign_arch;
    if (unf) {
      ev.unfinished = true;
      sv prefix = ev.args;
      // A previous unfinished call of the same pid that never resumed.
      close_pending(pid);
      put_pending(pid, Trace::Pending{t.events_.size(), prefix});
    }
    t.events_.push_back(ev);
    return true;
  }

  int last_line_pid = -1;
  bool last_line_unfinished = false;

  bool resume_bare(sv l) {
    auto it = pending.find(last_line_pid);
    if (it == pending.end()) return false;
    Trace::Pending p = it->second;
    sv joined = t.store(p.prefix, l);
    Event tmp;
    bool unf = false;
    if (!parse_call(joined, tmp, unf, wants(t.events_[p.event].name)) || unf) return false;
    drop_pending(it);
    fill_resumed(t.events_[p.event], tmp);
    return true;
  }

  void fill_resumed(Event& target, const Event& tmp) {
    target.args = tmp.args;
    target.argv = tmp.argv;
    target.ret = tmp.ret;
    target.ret_text = tmp.ret_text;
    target.err = tmp.err;
    target.err_msg = tmp.err_msg;
    target.note = tmp.note;
    target.duration = tmp.duration;
    target.unfinished = false;
    target.resumed = true;
    ++t.stats_.resumed;
  }

  void unparsed(sv s, uint32_t lineno) {
    ++t.stats_.unparsed;
    if (t.samples_.size() < t.max_samples) {
      t.samples_.push_back({std::string(src_name), lineno, std::string(s.substr(0, 200))});
    }
  }

  uint32_t lineno = 0;

  // Parses the lines of `text`. Unless `last`, text ends with '\n' (a line without one is the
  // source's cut-off last line).
  void run(sv text, bool last) {
    t.stats_.bytes += text.size();
    size_t pos = 0;
    (void)last;
    while (pos < text.size()) {
      const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
      size_t end = nl ? static_cast<const char*>(nl) - text.data() : text.size();
      sv l = text.substr(pos, end - pos);
      pos = end + 1;
      ++lineno;
      ++t.stats_.lines;
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (l.empty() || trim(l).empty()) {
        ++t.stats_.blank;
        continue;
      }
      if (!carry.empty()) {
        sv joined = t.store(carry, l);
        carry = {};
        if (line(joined, lineno - 1)) continue;
      }
      if (line(l, lineno)) {
        last_line_pid = t.events_.empty() ? -1 : t.events_.back().pid;
        last_line_unfinished = !t.events_.empty() && t.events_.back().unfinished &&
                               t.events_.back().line == lineno;
        continue;
      }
      // strace -z sometimes prints the rest of a resumed call without its "<... NAME resumed>"
      // tag on the line after the <unfinished ...> one.
      if (last_line_unfinished && resume_bare(l)) {
        last_line_unfinished = false;
        continue;
      }
      last_line_unfinished = false;
      // strace (writing to a terminal/stderr) may cut a line with its own message:
      // "[pid 1] read(9, strace: Process 2 attached\n <unfinished ...>".
      size_t m = l.find("strace: Process ");
      if (m != sv::npos && m > 0) {
        carry = l.substr(0, m);
        ++t.stats_.info;
        continue;
      }
      if (!nl) {
        ++t.stats_.truncated;
        continue;
      }
      unparsed(l, lineno);
    }
  }

  // End of the source: a dangling interrupted line is cut off; unfinished calls stay unfinished.
  void finish() {
    if (!carry.empty()) {
      ++t.stats_.truncated;
      carry = {};
    }
    for (auto& [pid, p] : pending) finish_unfinished(p);
    pending.clear();
  }
};

Trace::Trace() = default;
Trace::~Trace() = default;
Trace::Trace(Trace&&) noexcept = default;
Trace& Trace::operator=(Trace&&) noexcept = default;

void Trace::parse(std::string_view text, std::string_view source_name, std::optional<int> default_pid) {
  if (events_.empty()) events_.reserve(text.size() / 100 + 16);
  begin(source_name, default_pid);
  feed(text, true);
  end();
}

void Trace::begin(std::string_view source_name, std::optional<int> default_pid) {
  if (lp_) end();
  source_names_.emplace_back(source_name);
  lp_.reset(new LineParser{*this, static_cast<uint32_t>(source_names_.size() - 1), source_names_.back(),
                           default_pid, {}, false, Arch::x86_64, {}, {}, {}});
  lp_->pending.reserve(64);
  lp_->argv_filter = argv_filter_;
}

void Trace::feed(std::string_view piece, bool last) {
  if (!lp_) begin("<input>");
  lp_->run(piece, last);
}

void Trace::end() {
  if (!lp_) return;
  lp_->finish();
  lp_.reset();
}

void Trace::relocate_pending() {
  // Copies what the waiting entries (and an interrupted line) point to into a fresh arena, then
  // frees the old storage. An entry waiting for its resumption has only name and args set.
  std::vector<std::unique_ptr<char[]>> old_arena = std::move(arena_);
  arena_.clear();
  arena_left_ = 0;
  arena_pos_ = nullptr;
  argpool_.clear();
  argpool_left_ = 0;
  argpool_pos_ = nullptr;
  std::vector<Event> kept;
  if (lp_) {
    kept.reserve(lp_->pending.size());
    for (auto& [pid, p] : lp_->pending) {
      Event ev = events_[p.event];
      sv both = store(ev.name, p.prefix);
      ev.name = both.substr(0, ev.name.size());
      p.prefix = both.substr(ev.name.size());
      ev.args = p.prefix;
      ev.argv = {};
      p.event = kept.size();
      kept.push_back(ev);
    }
    if (!lp_->carry.empty()) lp_->carry = store(lp_->carry);
  }
  events_.clear();
  for (auto& e : kept) events_.push_back(e);
}

void Trace::drain(const std::function<void(const Event&)>& on_event,
                  const std::function<void(const SummaryRow&)>& on_row) {
  std::vector<uint8_t> waiting;
  if (lp_ && !lp_->pending.empty()) {
    waiting.assign(events_.size(), 0);
    for (const auto& [pid, p] : lp_->pending) waiting[p.event] = 1;
  }
  int last = -1;
  for (size_t i = 0; i < events_.size(); ++i) {
    if (!waiting.empty() && waiting[i]) continue;
    const Event& e = events_[i];
    if (e.pid != last) {
      auto it = std::lower_bound(drained_pids_.begin(), drained_pids_.end(), e.pid);
      if (it == drained_pids_.end() || *it != e.pid) drained_pids_.insert(it, e.pid);
      last = e.pid;
    }
    if (on_event) on_event(e);
  }
  if (!other_pids_.empty()) {
    int back = other_pids_.back();
    other_pids_.insert(other_pids_.end(), drained_pids_.begin(), drained_pids_.end());
    std::sort(other_pids_.begin(), other_pids_.end());
    other_pids_.erase(std::unique(other_pids_.begin(), other_pids_.end()), other_pids_.end());
    drained_pids_ = std::move(other_pids_);
    other_pids_.assign(1, back);  // note_pid compares with the last one
  }
  for (const auto& r : summary_)
    if (on_row) on_row(r);
  summary_.clear();
  relocate_pending();
}

void Trace::parse_owned(std::string text, std::string source_name, std::optional<int> default_pid) {
  owned_.push_back(std::move(text));
  parse(owned_.back(), source_name, default_pid);
}

// ---------------------------------------------------------------------------------------------
// Helpers

void split_args(std::string_view args, std::vector<std::string_view>& out) {
  if (trim(args).empty()) return;
  std::vector<size_t> commas;
  // scan_args stops at an unmatched ')'; treat the whole text as the list.
  ScanResult r = scan_args(args, &commas);
  sv list = r.end == ScanEnd::Closed ? args.substr(0, r.pos) : args;
  size_t start = 0;
  for (size_t c : commas) {
    if (c >= list.size()) break;
    out.push_back(trim(list.substr(start, c - start)));
    start = c + 1;
  }
  out.push_back(trim(list.substr(start)));
}

std::optional<std::string> unquote(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s[0] != '"') {
    // fd decoration: 3</x/y> or AT_FDCWD</x/y>
    size_t lt = s.find('<');
    if (lt == sv::npos || lt == 0 || s.back() != '>') return std::nullopt;
    for (size_t i = 0; i < lt; ++i)
      if (!is_alnum(s[i]) && s[i] != '-') return std::nullopt;
    sv inner = s.substr(lt + 1, s.size() - lt - 2);
    // -yy device suffix: </dev/pts/0<char 136:0>>
    if (!inner.empty() && inner.back() == '>') {
      size_t l2 = inner.rfind('<');
      if (l2 != sv::npos) inner = inner.substr(0, l2);
    }
    std::string out;
    out.reserve(inner.size());
    for (size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] == '\\' && i + 3 < inner.size() && inner[i + 1] == 'x' && is_hex(inner[i + 2]) &&
          is_hex(inner[i + 3])) {
        out.push_back(static_cast<char>(std::stoi(std::string(inner.substr(i + 2, 2)), nullptr, 16)));
        i += 3;
      } else {
        out.push_back(inner[i]);
      }
    }
    return out;
  }
  std::string out;
  out.reserve(s.size());
  size_t i = 1;
  auto hexval = [](char c) -> int {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') return out;  // closing quote; a following "..." means strace truncated it
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) return std::nullopt;
    char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'v': out.push_back('\v'); break;
      case 'f': out.push_back('\f'); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'x':
        if (i + 1 < s.size() && is_hex(s[i]) && is_hex(s[i + 1])) {
          out.push_back(static_cast<char>(hexval(s[i]) * 16 + hexval(s[i + 1])));
          i += 2;
        } else {
          return std::nullopt;
        }
        break;
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0';
          for (int k = 0; k < 2 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++k) v = v * 8 + (s[i++] - '0');
          out.push_back(static_cast<char>(v));
        } else {
          out.push_back(e);  // \" \\ and anything else literal
        }
    }
  }
  return std::nullopt;  // no closing quote
}

namespace {
struct PathArgs {
  sv name;
  std::array<int, 2> idx;
  int n;
};
// Sorted by name for binary search.
constexpr PathArgs kPathArgs[] = {
    {"access", {0, 0}, 1},         {"acct", {0, 0}, 1},          {"chdir", {0, 0}, 1},
    {"chmod", {0, 0}, 1},          {"chown", {0, 0}, 1},         {"chroot", {0, 0}, 1},
    {"creat", {0, 0}, 1},          {"execve", {0, 0}, 1},        {"execveat", {1, 0}, 1},
    {"faccessat", {1, 0}, 1},      {"faccessat2", {1, 0}, 1},    {"fanotify_mark", {4, 0}, 1},
    {"fchmodat", {1, 0}, 1},       {"fchownat", {1, 0}, 1},      {"fspick", {1, 0}, 1},
    {"futimesat", {1, 0}, 1},      {"getxattr", {0, 0}, 1},      {"inotify_add_watch", {1, 0}, 1},
    {"lchown", {0, 0}, 1},         {"lgetxattr", {0, 0}, 1},     {"link", {0, 1}, 2},
    {"linkat", {1, 3}, 2},         {"listxattr", {0, 0}, 1},     {"llistxattr", {0, 0}, 1},
    {"lremovexattr", {0, 0}, 1},   {"lsetxattr", {0, 0}, 1},     {"lstat", {0, 0}, 1},
    {"mkdir", {0, 0}, 1},          {"mkdirat", {1, 0}, 1},       {"mknod", {0, 0}, 1},
    {"mknodat", {1, 0}, 1},        {"mount", {0, 1}, 2},         {"mount_setattr", {1, 0}, 1},
    {"move_mount", {1, 3}, 2},     {"name_to_handle_at", {1, 0}, 1}, {"newfstatat", {1, 0}, 1},
    {"open", {0, 0}, 1},           {"open_tree", {1, 0}, 1},     {"openat", {1, 0}, 1},
    {"openat2", {1, 0}, 1},        {"pivot_root", {0, 1}, 2},    {"readlink", {0, 0}, 1},
    {"readlinkat", {1, 0}, 1},     {"removexattr", {0, 0}, 1},   {"rename", {0, 1}, 2},
    {"renameat", {1, 3}, 2},       {"renameat2", {1, 3}, 2},     {"rmdir", {0, 0}, 1},
    {"setxattr", {0, 0}, 1},       {"stat", {0, 0}, 1},          {"statfs", {0, 0}, 1},
    {"statx", {1, 0}, 1},          {"swapoff", {0, 0}, 1},       {"swapon", {0, 0}, 1},
    {"symlink", {0, 1}, 2},        {"symlinkat", {0, 2}, 2},     {"truncate", {0, 0}, 1},
    {"umount2", {0, 0}, 1},        {"unlink", {0, 0}, 1},        {"unlinkat", {1, 0}, 1},
    {"uselib", {0, 0}, 1},         {"utime", {0, 0}, 1},         {"utimensat", {1, 0}, 1},
    {"utimes", {0, 0}, 1},
};
}  // namespace

std::span<const int> path_arg_indices(std::string_view syscall) {
  auto it = std::lower_bound(std::begin(kPathArgs), std::end(kPathArgs), syscall,
                             [](const PathArgs& p, sv n) { return p.name < n; });
  if (it == std::end(kPathArgs) || it->name != syscall) return {};
  return {it->idx.data(), static_cast<size_t>(it->n)};
}

std::vector<std::string> paths(const Event& ev) {
  std::vector<std::string> out;
  for (int i : path_arg_indices(ev.name)) {
    if (static_cast<size_t>(i) >= ev.argv.size()) continue;
    sv a = ev.argv[i];
    if (a.empty() || a[0] != '"') continue;
    if (auto u = unquote(a)) out.push_back(std::move(*u));
  }
  return out;
}

}  // namespace gsb::strace
