// What the launcher looks up on the host before it builds a plan: the current and real paths,
// what a path is (the plan builder's HostProbe), whether a program can be run, small text files.
// Thin wrappers; nothing here changes the host except ensure_dir.
#pragma once

#include <cstdint>
#include <string>

#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

// getcwd; "" (errno set) when it fails.
std::string current_dir();
// realpath; "" when the path does not resolve.
std::string real_path(const std::string& path);
// lstat/readlink/stat/realpath of one path, for core::build_plan.
core::PathFacts probe_path(const std::string& path);

// stat(2) of a path, following symlinks. err is 0 or the errno.
struct PathStat {
  int err = 0;
  bool is_dir = false, is_regular = false;
  uint64_t size = 0;
};
PathStat stat_path(const std::string& path);
// access(2) with R_OK/X_OK...: 0 or the errno.
int access_err(const std::string& path, int mode);
// An absolute program path that execve could run: NotFound (missing), NotExec (a directory, or
// no execute permission).
Result<void> check_executable(const std::string& abs_path);
// A regular file of at most max_bytes as text. The path is not followed if it is a symlink and
// the open does not wait (a FIFO): an error for a symlink, anything but a regular file, a file
// larger than max_bytes (only max_bytes + 1 are read) or a failing call.
Result<std::string> read_small_file(const std::string& path, uint64_t max_bytes);
// A directory that should exist: one stat in the usual case, else mkdir -p (failure ignored:
// the plan then simply does not find it).
void ensure_dir(const std::string& path, unsigned mode);
// The launcher's effective uid and gid.
unsigned effective_uid();
unsigned effective_gid();

}  // namespace gsb::sys
