#include "gopls_sandbox/sys/io.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace gsb::sys {

Result<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::sys(path, "open", errno);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return Error::sys(path, "read", e);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

int write_all(int fd, const void* data, size_t len) noexcept {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return 0;
}

Result<void> write_file(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error::sys(path, "open", errno);
  int e = write_all(fd, data.data(), data.size());
  if (::close(fd) != 0 && e == 0) e = errno;
  if (e) return Error::sys(path, "write", e);
  return {};
}

Result<void> mkdir_p(const std::string& path, unsigned mode) {
  if (path.empty()) return {};
  std::string cur;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    cur = path.substr(0, j);
    i = j + 1;
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST) return Error::sys(cur, "mkdir", errno);
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Error::sys(path, "stat", errno);
  if (!S_ISDIR(st.st_mode)) return Error::sys(path, "mkdir", ENOTDIR);
  return {};
}

void prune_dir(const std::string& dir, const std::string& prefix, size_t keep) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::vector<std::pair<long long, std::string>> files;
  while (auto* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.rfind(prefix, 0) != 0) continue;
    struct stat st;
    if (::stat((dir + "/" + n).c_str(), &st) == 0) files.emplace_back(st.st_mtim.tv_sec, n);
  }
  ::closedir(d);
  if (files.size() <= keep) return;
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i + keep < files.size(); ++i) ::unlink((dir + "/" + files[i].second).c_str());
}

}  // namespace gsb::sys
