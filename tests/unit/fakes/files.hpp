// File readers for the core-only unit tests (gsb_unit_tests links gsb_core, not gsb_sys).
#pragma once

#include <map>
#include <set>
#include <string>

#include "gopls_sandbox/core/files.hpp"

namespace gsb::test {

// Reads the test fixtures and temporary files from disk (std::filesystem): what sys does.
const core::FileReader& disk_files();

// An in-memory file system: files with contents, directories, symlink-free canonical paths.
class MemFiles final : public core::FileReader {
 public:
  std::map<std::string, std::string> files;
  std::set<std::string> dirs;
  int read_file(const std::string& path, std::string& out) const override;
  bool exists(const std::string& path) const override;
  bool is_regular_file(const std::string& path) const override;
  bool is_directory(const std::string& path) const override;
  std::string canonical(const std::string& path) const override;
};

}  // namespace gsb::test
