// Turning the bytes of a strace log file into parseable texts. Pure: tar splitting (a `-ff`
// directory packed as .tar or .tar.gz) and binary/empty checks; gzip decompression comes in as
// a function (zlib, in the system layer: src/sys/gunzip.cpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::trace_input {

struct TraceText {
  std::string name;        // "log.gz" or "trace.tar.gz:ff/prefix.123"
  std::string text;        // decompressed log text
  std::optional<int> pid;  // from a `.NNN` name suffix (strace -ff -o PREFIX)
};

bool is_gzip(std::string_view data) noexcept;  // by magic 1f 8b
bool is_tar(std::string_view data) noexcept;   // ustar magic or a valid v7 header checksum
// Decompresses all gzip members. Errors: corrupt or truncated stream, output over max_out.
using Gunzip = Result<std::string> (*)(std::string_view data, size_t max_out);
inline constexpr size_t kMaxGunzip = size_t{4} << 30;
// zlib's: defined in src/sys/gunzip.cpp (only code that links gsb_sys can call it).
Result<std::string> gunzip(std::string_view data, size_t max_out = kMaxGunzip);
// Streaming gzip decompression (defined in src/sys/gunzip.cpp, with zlib) (all members of a concatenated file), fixed memory (zlib's 32 KiB
// window plus its state). Feed compressed bytes, take decompressed ones.
class Inflater {
 public:
  Inflater();
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  // Decompresses from `in` (advanced past what was consumed) into out[0..cap). Returns the bytes
  // written; 0 with `in` empty means "give me more input". Errors: corrupt data.
  Result<size_t> inflate(std::string_view& in, char* out, size_t cap);
  // After the compressed input ended: an error unless the stream ended at a member boundary.
  Result<void> finish() const;
  uint64_t total_out() const noexcept { return total_out_; }

 private:
  struct Z;
  std::unique_ptr<Z> z_;
  bool member_done_ = false;  // the last member ended (a next one may follow)
  bool started_ = false;
  bool trailing_ = false;     // bytes after the last member: ignored
  uint64_t total_out_ = 0;
};

struct TarEntry {
  std::string path;
  std::string data;
};
// One 512-byte tar header block, for streaming readers.
struct TarHeader {
  enum class Kind { End, File, LongName, Pax, Other } kind = Kind::End;
  std::string name;    // with the ustar prefix
  uint64_t size = 0;   // body bytes (padded to 512 in the archive)
};
Result<TarHeader> parse_tar_header(std::string_view block, uint64_t offset);
// The `path` of a pax extended header body, or empty.
std::string pax_path(std::string_view body);
// Regular files of a tar archive (GNU long names and pax `path` honoured).
Result<std::vector<TarEntry>> untar(std::string_view data);
// "dir/gopls-symbols.10912" / "x.123.gz" → 123.
std::optional<int> pid_from_name(std::string_view name) noexcept;
// Error when `text` looks binary (NUL bytes or mostly control characters) or is empty.
Result<void> check_text(std::string_view name, std::string_view text);
// Everything above: gzip → tar → per-file texts, each checked. Empty members of an archive are
// skipped; an archive without any usable member is an error.
Result<std::vector<TraceText>> expand(std::string name, std::string bytes, Gunzip gunzip);
// The same with zlib's gunzip: defined in src/sys/gunzip.cpp.
Result<std::vector<TraceText>> expand(std::string name, std::string bytes);

}  // namespace gsb::trace_input
