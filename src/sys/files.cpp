// core::FileReader over the real file system; /proc/self/exe; the sys-side entry points of
// core/profile.hpp that use them (profile_search_path, find_profile, load_profile).
#include "gopls_sandbox/sys/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "gopls_sandbox/core/profile.hpp"

namespace fs = std::filesystem;

namespace gsb::sys {

namespace {

class LocalFiles final : public core::FileReader {
 public:
  int read_file(const std::string& path, std::string& out) const override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    std::string data;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int e = errno;
        ::close(fd);
        return e;
      }
      if (n == 0) break;
      data.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    out = std::move(data);
    return 0;
  }
  bool exists(const std::string& path) const override {
    std::error_code ec;
    return fs::exists(fs::path(path), ec);
  }
  bool is_regular_file(const std::string& path) const override {
    std::error_code ec;
    return fs::is_regular_file(fs::path(path), ec);
  }
  bool is_directory(const std::string& path) const override {
    std::error_code ec;
    return fs::is_directory(fs::path(path), ec);
  }
  std::string canonical(const std::string& path) const override {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(fs::path(path), ec);
    return ec ? path : c.string();
  }
};

}  // namespace

const core::FileReader& local_files() {
  static const LocalFiles f;
  return f;
}

std::string self_exe() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

}  // namespace gsb::sys

namespace gsb::core {

std::vector<std::string> profile_search_path(const char* xdg_config_home, const char* home) {
  static const std::string exe = sys::self_exe();
  return profile_search_path(xdg_config_home, home, exe, sys::local_files());
}

Result<std::string> find_profile(std::string_view name_or_path,
                                 const std::vector<std::string>& search_path) {
  return find_profile(name_or_path, search_path, sys::local_files());
}

Result<Profile> load_profile(std::string_view name_or_path,
                             const std::vector<std::string>& search_path) {
  return load_profile(name_or_path, search_path, sys::local_files());
}

}  // namespace gsb::core
