#include "gopls_sandbox/sys/host_probe.hpp"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/io.hpp"

namespace gsb::sys {

std::string current_dir() {
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf)) return {};
  return buf;
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf)) return {};
  return buf;
}

core::PathFacts probe_path(const std::string& path) {
  core::PathFacts f;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return f;
  auto kind = [](const struct stat& s) {
    return S_ISDIR(s.st_mode) ? core::PathFacts::Dir : S_ISREG(s.st_mode) ? core::PathFacts::File : core::PathFacts::Other;
  };
  if (!S_ISLNK(st.st_mode)) {
    f.type = f.resolved = kind(st);
    f.dev = static_cast<uint64_t>(st.st_dev);
    f.ino = static_cast<uint64_t>(st.st_ino);
    f.real = real_path(path);  // (a symlink in a parent directory: resolved too)
    return f;
  }
  f.type = core::PathFacts::Symlink;
  char buf[PATH_MAX];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n > 0) f.link_target.assign(buf, static_cast<size_t>(n));
  struct stat tst;
  if (::stat(path.c_str(), &tst) == 0) {
    f.resolved = kind(tst);
    f.dev = static_cast<uint64_t>(tst.st_dev);
    f.ino = static_cast<uint64_t>(tst.st_ino);
    f.real = real_path(path);
  }
  return f;
}

PathStat stat_path(const std::string& path) {
  PathStat r;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    r.err = errno;
    return r;
  }
  r.is_dir = S_ISDIR(st.st_mode);
  r.is_regular = S_ISREG(st.st_mode);
  r.size = static_cast<uint64_t>(st.st_size);
  return r;
}

int access_err(const std::string& path, int mode) { return ::access(path.c_str(), mode) == 0 ? 0 : errno; }

Result<void> check_executable(const std::string& abs) {
  PathStat st = stat_path(abs);
  if (st.err) return Error{ErrorKind::NotFound, abs + ": " + errno_text(st.err), {}};
  if (st.is_dir) return Error{ErrorKind::NotExec, abs + ": is a directory", {}};
  if (int e = access_err(abs, X_OK)) return Error{ErrorKind::NotExec, abs + ": not executable: " + errno_text(e), {}};
  return {};
}

Result<std::string> read_small_file(const std::string& path, uint64_t max_bytes) {
  // The file may lie where code inside the sandbox writes: read_head follows no symlink (one to
  // /dev/zero would never end), does not wait for a FIFO's writer (O_NONBLOCK), refuses anything
  // but a regular file by fstat of the descriptor, and reads max_bytes + 1 at most.
  auto head = read_head(path, static_cast<size_t>(max_bytes) + 1);
  if (!head) return std::move(head).error();
  if (!*head) return Error::sys(path, "open", ENOENT);
  if ((*head)->size() > max_bytes) return Error::setup(path + ": larger than " + std::to_string(max_bytes) + " bytes");
  return std::move(**head);
}

void ensure_dir(const std::string& p, unsigned mode) {
  if (p.empty()) return;
  PathStat st = stat_path(p);
  if (!st.err && st.is_dir) return;  // the usual case: one stat
  (void)mkdir_p(p, mode);
}

unsigned effective_uid() { return ::geteuid(); }
unsigned effective_gid() { return ::getegid(); }

}  // namespace gsb::sys
