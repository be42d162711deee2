#include "gopls_sandbox/sys/trace_files.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "gopls_sandbox/sys/io.hpp"

namespace gsb::sys {

namespace fs = std::filesystem;

namespace {
Result<void> add_file(const std::string& path, const std::string& shown, bool skip_empty,
                      std::vector<trace_input::TraceText>& out) {
  auto bytes = read_file(path);
  if (!bytes) return Error::usage(bytes.error().message);
  if (bytes->empty() && skip_empty) return {};
  auto ex = trace_input::expand(shown, std::move(*bytes));
  if (!ex) return std::move(ex).error();
  for (auto& t : *ex) out.push_back(std::move(t));
  return {};
}
}  // namespace

// The files of a `-ff` directory (recursively, sorted; dot files and dot directories skipped).
static Result<std::vector<std::string>> list_trace_directory(const std::string& p) {
  std::error_code ec;
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(it->path().string());
  }
  if (ec) return Error::usage(p + ": cannot list directory: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

Result<std::vector<trace_input::TraceText>> read_trace_inputs(const std::vector<std::string>& paths) {
  std::vector<trace_input::TraceText> out;
  for (const auto& p : paths) {
    if (p == "-") {
      if (auto r = add_file("/dev/stdin", "<stdin>", false, out); !r) return std::move(r).error();
      continue;
    }
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return Error::usage(p + ": no such file or directory");
    if (fs::is_directory(st)) {
      auto listed = list_trace_directory(p);
      if (!listed) return std::move(listed).error();
      const std::vector<std::string>& files = *listed;
      size_t before = out.size();
      for (const auto& f : files)
        if (auto r = add_file(f, f, true, out); !r) return std::move(r).error();
      if (out.size() == before) return Error::usage(p + ": directory holds no non-empty files");
      continue;
    }
    if (auto r = add_file(p, p, false, out); !r) return std::move(r).error();
  }
  return out;
}

}  // namespace gsb::sys

// ---------------------------------------------------------------------------------------------
// Streaming

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace gsb::sys {

namespace {

// A byte stream: read() returns 0 at the end.
struct Source {
  virtual ~Source() = default;
  virtual Result<size_t> read(char* buf, size_t n) = 0;
};

struct FdSource final : Source {
  int fd;
  std::string name;
  bool own;
  FdSource(int f, std::string n, bool o) : fd(f), name(std::move(n)), own(o) {}
  ~FdSource() override {
    if (own) ::close(fd);
  }
  Result<size_t> read(char* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return Error::sys(name, "read", errno, ErrorKind::Usage);
    }
  }
};

// Replays `head` (bytes already read for sniffing), then reads on from `in`.
struct Prepend final : Source {
  std::string head;
  size_t pos = 0;
  Source& in;
  Prepend(std::string h, Source& s) : head(std::move(h)), in(s) {}
  Result<size_t> read(char* buf, size_t n) override {
    if (pos < head.size()) {
      size_t k = std::min(n, head.size() - pos);
      std::memcpy(buf, head.data() + pos, k);
      pos += k;
      if (pos == head.size()) {
        std::string().swap(head);  // free the sniffed bytes
        pos = 0;
      }
      return k;
    }
    return in.read(buf, n);
  }
};

struct GzSource final : Source {
  Source& in;
  trace_input::Inflater z;
  std::unique_ptr<char[]> ibuf;
  static constexpr size_t kIn = 256 * 1024;
  std::string_view avail;
  bool eof = false;
  explicit GzSource(Source& s) : in(s), ibuf(new char[kIn]) {}
  Result<size_t> read(char* buf, size_t n) override {
    for (;;) {
      if (avail.empty() && !eof) {
        auto r = in.read(ibuf.get(), kIn);
        if (!r) return std::move(r).error();
        if (*r == 0) eof = true;
        avail = std::string_view(ibuf.get(), *r);
      }
      if (avail.empty() && eof) {
        if (auto f = z.finish(); !f) return std::move(f).error();
        return size_t{0};
      }
      auto k = z.inflate(avail, buf, n);
      if (!k) return std::move(k).error();
      if (*k > 0) return *k;
    }
  }
};

// The next `left` bytes of `in` (a tar member's body).
struct Limit final : Source {
  Source& in;
  uint64_t left;
  std::string member;
  Limit(Source& s, uint64_t n, std::string m) : in(s), left(n), member(std::move(m)) {}
  Result<size_t> read(char* buf, size_t n) override {
    if (left == 0) return size_t{0};
    auto r = in.read(buf, static_cast<size_t>(std::min<uint64_t>(n, left)));
    if (!r) return r;
    if (*r == 0) return Error::usage("truncated tar archive (member '" + member + "')");
    left -= *r;
    return r;
  }
  Result<void> skip_rest() {
    char tmp[4096];
    while (left > 0) {
      auto r = read(tmp, sizeof tmp);
      if (!r) return std::move(r).error();
    }
    return {};
  }
};

// Reads until `n` bytes or the end.
Result<size_t> read_full(Source& s, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    auto r = s.read(buf + got, n - got);
    if (!r) return r;
    if (*r == 0) break;
    got += *r;
  }
  return got;
}

constexpr size_t kSniff = 64 * 1024;

Result<std::string> sniff(Source& s) {
  std::string head(kSniff, '\0');
  auto r = read_full(s, head.data(), head.size());
  if (!r) return std::move(r).error();
  head.resize(*r);
  return head;
}

class Streamer {
 public:
  Streamer(TraceSink& sink, const StreamOptions& o) : sink_(sink), opts_(o), buf_(new char[o.buffer]), cap_(o.buffer) {}

  // The lines of one checked text.
  Result<void> lines(Source& src, const std::string& name, std::optional<int> pid) {
    if (auto r = sink_.begin(name, pid); !r) return r;
    size_t len = 0;
    for (;;) {
      if (len == cap_) {
        if (cap_ >= opts_.max_line)
          return Error::usage(name + ": a line longer than " + std::to_string(opts_.max_line >> 20) + " MiB",
                              "is this a strace log? strace -s with a huge size writes such lines");
        size_t ncap = std::min(cap_ * 2, opts_.max_line);
        std::unique_ptr<char[]> nb(new char[ncap]);
        std::memcpy(nb.get(), buf_.get(), len);
        buf_ = std::move(nb);
        cap_ = ncap;
      }
      auto r = src.read(buf_.get() + len, cap_ - len);
      if (!r) return Error::usage(name + ": " + r.error().message);
      if (*r == 0) break;
      size_t scan_from = len;
      len += *r;
      // Everything up to the last newline goes now; the partial line waits for more bytes.
      const char* b = buf_.get();
      size_t nl = len;
      while (nl > scan_from && b[nl - 1] != '\n') --nl;
      if (nl == scan_from) {
        // No newline in the new bytes: maybe one earlier (already cut), else keep reading.
        continue;
      }
      if (auto p = sink_.piece(std::string_view(b, nl), false); !p) return p;
      std::memmove(buf_.get(), b + nl, len - nl);
      len -= nl;
    }
    if (auto p = sink_.piece(std::string_view(buf_.get(), len), true); !p) return p;
    return sink_.end();
  }

  // One file or tar member: gzip → tar → text. Returns whether a text was found.
  Result<bool> any(Source& raw, const std::string& name, std::optional<int> pid_hint, bool skip_empty,
                   bool in_archive) {
    auto head = sniff(raw);
    if (!head) return Error::usage(name + ": " + head.error().message);
    if (head->empty()) {
      if (skip_empty) return false;
      return Error::usage(name + ": empty file");
    }
    if (trace_input::is_gzip(*head)) {
      Prepend replay(std::move(*head), raw);
      GzSource gz(replay);
      auto h2 = sniff(gz);
      if (!h2) return Error::usage(name + ": " + h2.error().message);
      if (h2->empty()) {
        if (in_archive) return false;
        return Error::usage(name + ": empty after decompression");
      }
      Prepend text(std::move(*h2), gz);
      return after_gzip(text, name, pid_hint, in_archive);
    }
    Prepend text(std::move(*head), raw);
    return after_gzip(text, name, pid_hint, in_archive);
  }

  // `src` replays the sniffed head first (p.head).
  Result<bool> after_gzip(Prepend& src, const std::string& name, std::optional<int> pid_hint, bool in_archive) {
    if (!in_archive && trace_input::is_tar(src.head)) return tar(src, name);
    if (auto c = trace_input::check_text(name, src.head); !c) return std::move(c).error();
    auto r = lines(src, name, pid_hint);
    if (!r) return std::move(r).error();
    return true;
  }

  Result<bool> tar(Source& src, const std::string& name) {
    uint64_t offset = 0;
    std::string long_name;
    bool any_text = false;
    char block[512];
    for (;;) {
      auto r = read_full(src, block, sizeof block);
      if (!r) return Error::usage(name + ": " + r.error().message);
      if (*r < sizeof block) break;  // end without the zero blocks: as untar()
      auto h = trace_input::parse_tar_header(std::string_view(block, sizeof block), offset);
      if (!h) return Error::usage(name + ": " + h.error().message);
      if (h->kind == trace_input::TarHeader::Kind::End) break;
      offset += 512;
      uint64_t padded = (h->size + 511) / 512 * 512;
      std::string member = h->name;
      Limit body(src, h->size, member);
      if (h->kind == trace_input::TarHeader::Kind::LongName || h->kind == trace_input::TarHeader::Kind::Pax) {
        if (h->size > (1u << 20)) return Error::usage(name + ": tar name record over 1 MiB ('" + member + "')");
        std::string rec(h->size, '\0');
        auto g = read_full(body, rec.data(), rec.size());
        if (!g) return Error::usage(name + ": " + g.error().message);
        if (h->kind == trace_input::TarHeader::Kind::LongName) {
          long_name = rec.substr(0, rec.find('\0'));
        } else if (auto pp = trace_input::pax_path(rec); !pp.empty()) {
          long_name = pp;
        }
      } else if (h->kind == trace_input::TarHeader::Kind::File) {
        if (!long_name.empty()) {
          member = std::move(long_name);
          long_name.clear();
        }
        body.member = member;
        std::string shown = name + ":" + member;
        if (h->size > 0) {
          auto t = any(body, shown, trace_input::pid_from_name(member), true, true);
          if (!t) return std::move(t).error();
          any_text = any_text || *t;
        }
      } else if (!long_name.empty()) {
        long_name.clear();
      }
      if (auto s = body.skip_rest(); !s) return Error::usage(name + ": " + s.error().message);
      Limit pad(src, padded - h->size, member);
      if (auto s = pad.skip_rest(); !s) {
        // The padding of the last member may be missing: fine, like untar().
        break;
      }
      offset += padded;
    }
    if (!any_text) return Error::usage(name + ": tar archive holds no non-empty files");
    return true;
  }

 private:
  TraceSink& sink_;
  StreamOptions opts_;
  std::unique_ptr<char[]> buf_;
  size_t cap_;
};

Result<bool> stream_file(Streamer& st, const std::string& path, const std::string& shown, bool skip_empty) {
  int fd = path == "/dev/stdin" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::sys(path, "open", errno, ErrorKind::Usage);
  FdSource src(fd, shown, fd != 0);
  if (fd != 0) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return st.any(src, shown, trace_input::pid_from_name(shown), skip_empty, false);
}

}  // namespace

Result<void> stream_trace_inputs(const std::vector<std::string>& paths, TraceSink& sink, const StreamOptions& opts) {
  Streamer st(sink, opts);
  for (const auto& p : paths) {
    if (p == "-") {
      if (auto r = stream_file(st, "/dev/stdin", "<stdin>", false); !r) return std::move(r).error();
      continue;
    }
    std::error_code ec;
    auto s = fs::status(p, ec);
    if (ec || !fs::exists(s)) return Error::usage(p + ": no such file or directory");
    if (fs::is_directory(s)) {
      auto listed = list_trace_directory(p);
      if (!listed) return std::move(listed).error();
      const std::vector<std::string>& files = *listed;
      bool any = false;
      for (const auto& f : files) {
        auto r = stream_file(st, f, f, true);
        if (!r) return std::move(r).error();
        any = any || *r;
      }
      if (!any) return Error::usage(p + ": directory holds no non-empty files");
      continue;
    }
    if (auto r = stream_file(st, p, p, false); !r) return std::move(r).error();
  }
  return {};
}

}  // namespace gsb::sys
