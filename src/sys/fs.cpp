#include "gopls_sandbox/sys/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>  // mkstemp, mkdtemp
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace gsb::sys {

static_assert(kRead == R_OK && kWrite == W_OK && kExec == X_OK && kExists == F_OK);

namespace {

PathInfo info_of(const struct stat& st) {
  PathInfo i;
  if (S_ISREG(st.st_mode)) i.kind = FileKind::Regular;
  else if (S_ISDIR(st.st_mode)) i.kind = FileKind::Directory;
  else if (S_ISLNK(st.st_mode)) i.kind = FileKind::Symlink;
  else i.kind = FileKind::Other;
  i.mode = st.st_mode;
  i.size = static_cast<unsigned long long>(st.st_size);
  i.blocks = static_cast<unsigned long long>(st.st_blocks);
  i.uid = st.st_uid;
  i.gid = st.st_gid;
  i.dev = st.st_dev;
  i.ino = st.st_ino;
  i.nlink = st.st_nlink;
  i.mtime = st.st_mtim.tv_sec;
  return i;
}

}  // namespace

PathInfo path_info(const std::string& path, bool follow) {
  struct stat st;
  if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) {
    PathInfo i;
    i.err = errno;
    return i;
  }
  return info_of(st);
}

PathInfo fd_info(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    PathInfo i;
    i.err = errno;
    return i;
  }
  return info_of(st);
}

bool is_dir(const std::string& path) { return path_info(path).is_dir(); }
bool is_file(const std::string& path) { return path_info(path).is_file(); }

Result<std::string> read_link(const std::string& path) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n < 0) return Error::sys(path, "readlink", errno);
  return std::string(buf, static_cast<size_t>(n));
}

Result<std::vector<std::string>> list_dir(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (!d) return Error::sys(path, "opendir", errno);
  std::vector<std::string> out;
  errno = 0;
  while (auto* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(std::move(n));
    errno = 0;
  }
  int e = errno;
  ::closedir(d);
  if (e) return Error::sys(path, "readdir", e);
  return out;
}

Result<std::vector<DirEntry>> list_dir_entries(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error::sys(path, "open", errno);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    int e = errno;
    ::close(fd);
    return Error::sys(path, "fdopendir", e);
  }
  std::vector<DirEntry> out;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    FileKind k = e->d_type == DT_DIR ? FileKind::Directory
                 : e->d_type == DT_REG ? FileKind::Regular
                 : e->d_type == DT_LNK ? FileKind::Symlink
                                       : FileKind::Other;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      k = info_of(st).kind;
    }
    out.push_back({std::move(n), k});
  }
  ::closedir(d);
  return out;
}

Result<int> open_append(const std::string& path, unsigned mode) {
  // O_NOFOLLOW: the path can come from settings a repository wrote (core/untrusted_settings.hpp);
  // a link planted at it must not send the launcher's appends elsewhere.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Error::sys(path, "open", errno);
  return fd;
}

Result<std::optional<std::string>> read_head(const std::string& path, size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Error::sys(path, "open", errno);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return Error::sys(path, "fstat", e);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error::setup(path + ": not a regular file");
  }
  std::string head(n, '\0');
  ssize_t r;
  do r = ::pread(fd, head.data(), n, 0);
  while (r < 0 && errno == EINTR);
  int e = errno;
  ::close(fd);
  if (r < 0) return Error::sys(path, "read", e);
  head.resize(static_cast<size_t>(r));
  return std::optional<std::string>(std::move(head));
}

Result<std::string> make_temp_file(const std::string& tmpl, unsigned mode) {
  std::string p = tmpl;
  int fd = ::mkstemp(p.data());
  if (fd < 0) return Error::sys(tmpl, "mkstemp", errno);
  ::close(fd);
  if (::chmod(p.c_str(), mode) != 0) {
    int e = errno;
    ::unlink(p.c_str());
    return Error::sys(p, "chmod", e);
  }
  return p;
}

Result<std::string> make_temp_dir(const std::string& tmpl) {
  std::string p = tmpl;
  if (!::mkdtemp(p.data())) return Error::sys(tmpl, "mkdtemp", errno);
  return p;
}

Result<void> make_dir(const std::string& path, unsigned mode) {
  if (::mkdir(path.c_str(), mode) != 0) return Error::sys(path, "mkdir", errno);
  return {};
}

Result<void> rename_path(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return Error::sys(from + " -> " + to, "rename", errno);
  return {};
}

Result<void> remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return Error::sys(path, "unlink", errno);
  return {};
}

Result<void> remove_dir(const std::string& path) {
  if (::rmdir(path.c_str()) != 0) return Error::sys(path, "rmdir", errno);
  return {};
}

Result<void> change_mode(const std::string& path, unsigned mode) {
  if (::chmod(path.c_str(), mode) != 0) return Error::sys(path, "chmod", errno);
  return {};
}

Result<void> make_symlink(const std::string& target, const std::string& path) {
  if (::symlink(target.c_str(), path.c_str()) != 0) return Error::sys(path + " -> " + target, "symlink", errno);
  return {};
}

Result<void> copy_file_atomic(const std::string& from, const std::string& to, unsigned mode) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Error::sys(from, "open", errno);
  std::string tmp = to + ".tmp.XXXXXX";
  int out = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (out < 0) {
    int e = errno;
    ::close(in);
    return Error::sys(tmp, "mkostemp", e);
  }
  int e = 0;
  const char* call = "read";
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      e = errno;
      break;
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n && !e;) {
      ssize_t w = ::write(out, buf + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) e = errno, call = "write";
      else off += w;
    }
    if (e) break;
  }
  ::close(in);
  if (!e && ::fchmod(out, mode) != 0) e = errno, call = "fchmod";
  if (::close(out) != 0 && !e) e = errno, call = "close";
  if (!e && ::rename(tmp.c_str(), to.c_str()) != 0) e = errno, call = "rename";
  if (e) {
    ::unlink(tmp.c_str());
    return Error::sys("copy " + from + " → " + to, call, e);
  }
  return {};
}

}  // namespace gsb::sys
