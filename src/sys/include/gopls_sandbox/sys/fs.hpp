// File-system queries and small changes for the app layer (doctor, cache, metrics, the
// supervisor): every call checked, errors name the path and the call with errno text.
// (Whole-file reads and writes are sys/io.hpp; the launcher's caches sys/cache_file.hpp; access,
// realpath and getcwd sys/host_probe.hpp.)
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

enum class FileKind { None, Regular, Directory, Symlink, Other };

struct PathInfo {
  FileKind kind = FileKind::None;  // None: stat failed (err says why)
  int err = 0;                     // errno of the failed stat
  unsigned mode = 0;               // st_mode
  unsigned long long size = 0;     // st_size
  unsigned long long blocks = 0;   // st_blocks (512-byte units)
  uid_t uid = 0;
  gid_t gid = 0;
  unsigned long dev = 0, ino = 0;
  unsigned long nlink = 0;
  long long mtime = 0;             // seconds
  bool exists() const { return kind != FileKind::None; }
  bool is_dir() const { return kind == FileKind::Directory; }
  bool is_file() const { return kind == FileKind::Regular; }
};
// stat(2) (follow = true) or lstat(2).
PathInfo path_info(const std::string& path, bool follow = true);
// fstat(2) of an open descriptor.
PathInfo fd_info(int fd);
bool is_dir(const std::string& path);   // stat: a directory
bool is_file(const std::string& path);  // stat: a regular file

// access(2)'s modes (F_OK, R_OK, W_OK, X_OK) for access_err() of sys/host_probe.hpp, which with
// current_dir(), real_path() and effective_uid() is shared with the launch path.
inline constexpr int kExists = 0, kRead = 4, kWrite = 2, kExec = 1;
// readlink(2).
Result<std::string> read_link(const std::string& path);

// Entry names of a directory, without "." and "..".
Result<std::vector<std::string>> list_dir(const std::string& path);
// The same with each entry's kind (d_type, else fstatat without following; entries whose kind
// cannot be found are left out); `path` itself must not be a symlink (O_NOFOLLOW).
struct DirEntry {
  std::string name;
  FileKind kind = FileKind::Other;
};
Result<std::vector<DirEntry>> list_dir_entries(const std::string& path);

// open(O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode): a log file's descriptor.
Result<int> open_append(const std::string& path, unsigned mode);  // O_NOFOLLOW: a symlink is ELOOP
// The first `n` bytes of the regular file at `path` (not followed if a symlink: ELOOP), nullopt
// when there is none; another kind of file (fifo, device, directory) is an error.
Result<std::optional<std::string>> read_head(const std::string& path, size_t n);

// mkstemp with `tmpl` (ending in XXXXXX), closed, chmod'ed to mode: the path.
Result<std::string> make_temp_file(const std::string& tmpl, unsigned mode);
// mkdtemp with `tmpl`.
Result<std::string> make_temp_dir(const std::string& tmpl);
Result<void> make_dir(const std::string& path, unsigned mode);  // EEXIST is an error
Result<void> rename_path(const std::string& from, const std::string& to);
Result<void> remove_file(const std::string& path);  // unlink(2); ENOENT is an error
Result<void> remove_dir(const std::string& path);   // rmdir(2)
Result<void> change_mode(const std::string& path, unsigned mode);
Result<void> make_symlink(const std::string& target, const std::string& path);
// A copy of `from` at `to` with `mode`, written beside it and renamed into place.
Result<void> copy_file_atomic(const std::string& from, const std::string& to, unsigned mode);

}  // namespace gsb::sys
