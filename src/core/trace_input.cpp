#include "gopls_sandbox/core/trace_input.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace gsb::trace_input {

namespace {
using sv = std::string_view;

uint64_t octal(sv f) {
  uint64_t v = 0;
  size_t i = 0;
  while (i < f.size() && (f[i] == ' ' || f[i] == '\0')) ++i;
  for (; i < f.size() && f[i] >= '0' && f[i] <= '7'; ++i) v = v * 8 + static_cast<uint64_t>(f[i] - '0');
  return v;
}

sv cstr(sv f) {
  size_t z = f.find('\0');
  return z == sv::npos ? f : f.substr(0, z);
}

bool header_checksum_ok(const unsigned char* h) {
  uint64_t want = octal(sv(reinterpret_cast<const char*>(h) + 148, 8));
  uint64_t sum = 0;
  for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
  return sum == want;
}

bool ends_with_gz(sv n) { return n.size() > 3 && n.substr(n.size() - 3) == ".gz"; }
}  // namespace

bool is_gzip(std::string_view d) noexcept {
  return d.size() >= 2 && static_cast<unsigned char>(d[0]) == 0x1f && static_cast<unsigned char>(d[1]) == 0x8b;
}

bool is_tar(std::string_view d) noexcept {
  if (d.size() < 512) return false;
  if (d.compare(257, 5, "ustar") == 0) return true;
  const auto* h = reinterpret_cast<const unsigned char*>(d.data());
  if (h[0] == 0) return false;
  return header_checksum_ok(h);
}

Result<TarHeader> parse_tar_header(std::string_view hs, uint64_t offset) {
  TarHeader t;
  const auto* h = reinterpret_cast<const unsigned char*>(hs.data());
  bool zero = true;
  for (int i = 0; i < 512 && zero; ++i) zero = h[i] == 0;
  if (zero) return t;
  if (!header_checksum_ok(h)) return Error::usage("corrupt tar header at offset " + std::to_string(offset));
  t.size = octal(hs.substr(124, 12));
  char type = hs[156];
  t.name = std::string(cstr(hs.substr(0, 100)));
  if (hs.compare(257, 5, "ustar") == 0) {
    sv prefix = cstr(hs.substr(345, 155));
    if (!prefix.empty()) t.name = std::string(prefix) + "/" + t.name;
  }
  t.kind = type == 'L'                                      ? TarHeader::Kind::LongName
           : type == 'x'                                    ? TarHeader::Kind::Pax
           : (type == '0' || type == '\0' || type == '7') ? TarHeader::Kind::File
                                                            : TarHeader::Kind::Other;
  return t;
}

std::string pax_path(std::string_view body) {
  std::string out;
  size_t p = 0;
  while (p < body.size()) {
    size_t sp = body.find(' ', p);
    if (sp == sv::npos) break;
    size_t len = 0;
    std::from_chars(body.data() + p, body.data() + sp, len);
    if (len == 0 || p + len > body.size() || sp + 1 > p + len - 1) break;
    sv rec = body.substr(sp + 1, p + len - sp - 2);
    if (rec.starts_with("path=")) out = std::string(rec.substr(5));
    p += len;
  }
  return out;
}

Result<std::vector<TarEntry>> untar(std::string_view d) {
  std::vector<TarEntry> out;
  size_t pos = 0;
  std::string long_name;
  while (pos + 512 <= d.size()) {
    const auto* h = reinterpret_cast<const unsigned char*>(d.data() + pos);
    bool zero = true;
    for (int i = 0; i < 512 && zero; ++i) zero = h[i] == 0;
    if (zero) break;
    if (!header_checksum_ok(h)) return Error::usage("corrupt tar header at offset " + std::to_string(pos));
    sv hs(d.data() + pos, 512);
    uint64_t size = octal(hs.substr(124, 12));
    char type = hs[156];
    std::string name(cstr(hs.substr(0, 100)));
    if (hs.compare(257, 5, "ustar") == 0) {
      sv prefix = cstr(hs.substr(345, 155));
      if (!prefix.empty()) name = std::string(prefix) + "/" + name;
    }
    pos += 512;
    if (pos + size > d.size()) return Error::usage("truncated tar archive (member '" + name + "')");
    sv body = d.substr(pos, size);
    pos += (size + 511) / 512 * 512;
    if (type == 'L') {
      long_name = std::string(cstr(body));
      continue;
    }
    if (type == 'x') {
      // pax records: "LEN key=value\n"
      size_t p = 0;
      while (p < body.size()) {
        size_t sp = body.find(' ', p);
        if (sp == sv::npos) break;
        size_t len = 0;
        std::from_chars(body.data() + p, body.data() + sp, len);
        if (len == 0 || p + len > body.size()) break;
        sv rec = body.substr(sp + 1, p + len - sp - 2);
        if (rec.starts_with("path=")) long_name = std::string(rec.substr(5));
        p += len;
      }
      continue;
    }
    if (!long_name.empty()) {
      name = std::move(long_name);
      long_name.clear();
    }
    if (type == '0' || type == '\0' || type == '7') out.push_back({std::move(name), std::string(body)});
  }
  return out;
}

std::optional<int> pid_from_name(std::string_view name) noexcept {
  if (ends_with_gz(name)) name.remove_suffix(3);
  size_t dot = name.rfind('.');
  size_t slash = name.rfind('/');
  if (dot == sv::npos || (slash != sv::npos && dot < slash) || dot + 1 >= name.size()) return std::nullopt;
  sv digits = name.substr(dot + 1);
  int pid = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size() || pid <= 0) return std::nullopt;
  return pid;
}

Result<void> check_text(std::string_view name, std::string_view text) {
  if (text.empty()) return Error::usage(std::string(name) + ": empty file");
  sv head = text.substr(0, 64 * 1024);
  size_t ctrl = 0;
  for (char ch : head) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) return Error::usage(std::string(name) + ": binary data (NUL bytes), not a strace log");
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') ++ctrl;
  }
  if (ctrl * 20 > head.size()) return Error::usage(std::string(name) + ": binary data, not a strace log");
  return {};
}

Result<std::vector<TraceText>> expand(std::string name, std::string bytes, Gunzip gunzip) {
  std::vector<TraceText> out;
  if (bytes.empty()) return Error::usage(name + ": empty file");
  if (is_gzip(bytes)) {
    auto r = gunzip(bytes, kMaxGunzip);
    if (!r) return Error::usage(name + ": " + r.error().message);
    bytes = std::move(*r);
    if (bytes.empty()) return Error::usage(name + ": empty after decompression");
  }
  if (is_tar(bytes)) {
    auto entries = untar(bytes);
    if (!entries) return Error::usage(name + ": " + entries.error().message);
    std::sort(entries->begin(), entries->end(), [](const TarEntry& a, const TarEntry& b) { return a.path < b.path; });
    for (auto& e : *entries) {
      std::string member = name + ":" + e.path;
      if (e.data.empty()) continue;
      if (is_gzip(e.data)) {
        auto g = gunzip(e.data, kMaxGunzip);
        if (!g) return Error::usage(member + ": " + g.error().message);
        e.data = std::move(*g);
        if (e.data.empty()) continue;
      }
      if (auto c = check_text(member, e.data); !c) return std::move(c).error();
      out.push_back({member, std::move(e.data), pid_from_name(e.path)});
    }
    if (out.empty()) return Error::usage(name + ": tar archive holds no non-empty files");
    return out;
  }
  if (auto c = check_text(name, bytes); !c) return std::move(c).error();
  auto pid = pid_from_name(name);
  out.push_back({std::move(name), std::move(bytes), pid});
  return out;
}

}  // namespace gsb::trace_input
