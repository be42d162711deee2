// What core code needs from the file system, as an interface: the system layer implements it
// over the real file system (sys/files.hpp: sys::local_files()), unit tests with fakes. Core
// itself never opens, stats or reads a file.
#pragma once

#include <string>

namespace gsb::core {

class FileReader {
 public:
  virtual ~FileReader() = default;
  // The whole file into `out`: 0, or the errno of the failure.
  virtual int read_file(const std::string& path, std::string& out) const = 0;
  virtual bool exists(const std::string& path) const = 0;           // follows symlinks
  virtual bool is_regular_file(const std::string& path) const = 0;  // follows symlinks
  virtual bool is_directory(const std::string& path) const = 0;     // follows symlinks
  // Symlinks resolved as far as the path exists (std::filesystem::weakly_canonical); the path
  // itself when that fails. Two paths name the same file when their canonical forms match.
  virtual std::string canonical(const std::string& path) const = 0;
};

}  // namespace gsb::core
