// The launcher's small caches (`go env`'s answer, compiled seccomp filters): one file format,
// one identity function, one place that writes them.
//
// An entry is DIR/KIND-HASH.bin, HASH covering KIND, the caller's key and the launcher version.
// It holds the identities of the files it was computed from, some metadata (text) and a payload
// (bytes):
//   "GSB-CACHE 1 KIND <deps bytes> <meta bytes> <payload bytes>\n" DEPS META PAYLOAD
//   DEPS: one line per file, "<identity> <path length> <path>\n"
// An entry whose header, lengths, kind or any file identity does not match is a miss, never an
// error: the caller computes the value again and stores it. Writes are atomic (temporary file +
// rename); at most 64 entries of a kind are kept.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gsb::sys {

// "dev:ino:size:mtime" of the file a path resolves to, or "-" when it is absent.
std::string file_identity(const std::string& path);

struct CacheEntry {
  std::string meta;
  std::string payload;
};
// The entry for (kind, key) in dir, when present and still valid. dir "" = no cache.
std::optional<CacheEntry> cache_load(const std::string& dir, std::string_view kind, std::string_view key);
// Stores an entry; `deps` are the files whose identity decides its validity. Failures are
// ignored (a cache that cannot be written is a cache that misses).
void cache_store(const std::string& dir, std::string_view kind, std::string_view key,
                 const std::vector<std::string>& deps, std::string_view meta, std::string_view payload);
// The entry's file name (for tests and `cache` listings).
std::string cache_entry_path(const std::string& dir, std::string_view kind, std::string_view key);

}  // namespace gsb::sys
