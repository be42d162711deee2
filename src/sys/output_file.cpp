#include "gopls_sandbox/sys/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "gopls_sandbox/sys/io.hpp"

namespace gsb::sys {

namespace {

const char* kind_of(mode_t m) {
  if (S_ISLNK(m)) return "a symbolic link";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

std::string dir_of(const std::string& path) {
  auto s = path.rfind('/');
  if (s == std::string::npos) return ".";
  if (s == 0) return "/";
  return path.substr(0, s);
}

}  // namespace

Result<void> check_output_target(const std::string& path) {
  if (path.empty()) return Error::usage("output file: empty path");
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return Error::sys(path, "lstat", errno, ErrorKind::Usage);
  }
  if (S_ISREG(st.st_mode)) return {};
  return Error::usage(path + ": is " + kind_of(st.st_mode) + ", not a regular file; refusing to replace it",
                      "name a new or regular file with -o");
}

Result<void> replace_output_file(const std::string& path, const std::string& data, unsigned mode,
                                 Result<void> (*validate)(const std::string&, void*), void* ctx) {
  if (auto c = check_output_target(path); !c) return c;
  std::string dir = dir_of(path);
  std::string tmpl = dir + "/.gsb-out-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int fd = ::mkostemp(buf.data(), O_CLOEXEC);  // O_CREAT|O_EXCL: never follows a planted name
  if (fd < 0) return Error::sys(dir, "mkostemp", errno, ErrorKind::Usage);
  std::string tmp(buf.data());
  int err = write_all(fd, data.data(), data.size());
  if (err == 0 && ::fchmod(fd, mode) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return Error::sys(path, "write", err, ErrorKind::Usage);
  }
  if (validate) {
    if (auto v = validate(tmp, ctx); !v) {
      ::unlink(tmp.c_str());
      return v;
    }
  }
  // Checked again right before the rename: the run may have taken minutes.
  if (auto c = check_output_target(path); !c) {
    ::unlink(tmp.c_str());
    return c;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Error::sys(path, "rename", e, ErrorKind::Usage);
  }
  return {};
}

}  // namespace gsb::sys
