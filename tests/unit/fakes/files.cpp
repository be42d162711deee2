// The test stand-ins for the system layer's file access (sys/files.cpp): the core-only unit test
// binary links this file instead of gsb_sys, so core's two-argument load_profile/find_profile/
// profile_search_path read the fixtures through disk_files().
#include "fakes/files.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gopls_sandbox/core/profile.hpp"

namespace fs = std::filesystem;

namespace gsb::test {

namespace {

class DiskFiles final : public core::FileReader {
 public:
  int read_file(const std::string& path, std::string& out) const override {
    std::error_code ec;
    if (!fs::exists(path, ec)) return ENOENT;
    if (fs::is_directory(path, ec)) return EISDIR;
    std::ifstream in(path, std::ios::binary);
    if (!in) return EACCES;
    std::stringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return 0;
  }
  bool exists(const std::string& path) const override {
    std::error_code ec;
    return fs::exists(path, ec);
  }
  bool is_regular_file(const std::string& path) const override {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
  }
  bool is_directory(const std::string& path) const override {
    std::error_code ec;
    return fs::is_directory(path, ec);
  }
  std::string canonical(const std::string& path) const override {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(path, ec);
    return ec ? path : c.string();
  }
};

}  // namespace

const core::FileReader& disk_files() {
  static const DiskFiles f;
  return f;
}

int MemFiles::read_file(const std::string& path, std::string& out) const {
  auto it = files.find(path);
  if (it == files.end()) return dirs.count(path) ? EISDIR : ENOENT;
  out = it->second;
  return 0;
}
bool MemFiles::exists(const std::string& path) const { return files.count(path) || dirs.count(path); }
bool MemFiles::is_regular_file(const std::string& path) const { return files.count(path) > 0; }
bool MemFiles::is_directory(const std::string& path) const { return dirs.count(path) > 0; }
std::string MemFiles::canonical(const std::string& path) const {
  return fs::path(path).lexically_normal().string();
}

}  // namespace gsb::test

namespace gsb::core {

// A test binary is not installed: the same search path the build tree's launcher uses.
std::vector<std::string> profile_search_path(const char* xdg_config_home, const char* home) {
  return profile_search_path(xdg_config_home, home, GSB_TEST_SOURCE_DIR "/build/tests/gsb_unit_tests",
                             test::disk_files());
}

Result<std::string> find_profile(std::string_view name_or_path, const std::vector<std::string>& search_path) {
  return find_profile(name_or_path, search_path, test::disk_files());
}

Result<Profile> load_profile(std::string_view name_or_path, const std::vector<std::string>& search_path) {
  return load_profile(name_or_path, search_path, test::disk_files());
}

}  // namespace gsb::core
