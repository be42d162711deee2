// Host-side process helpers for the launcher (before any namespace is created).
#pragma once

#include <string>
#include <vector>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

struct FileId {
  unsigned long dev = 0, ino = 0;
  bool operator==(const FileId&) const = default;
};
// (st_dev, st_ino) of the file `path` resolves to, or {0,0}.
FileId file_id(const std::string& path);
// The effective user's home directory from the password database ("" when unknown).
std::string passwd_home();
// Identity of the running launcher binary (/proc/self/exe).
FileId self_id();

// Find an executable the way execvp does, in `path_var`, but only in absolute entries (an empty
// or relative entry would be the current directory: the workspace). Entries resolving to the
// file `skip` (the launcher itself) are passed over. Returns "" when none.
std::string find_in_path(const std::string& name, const std::string& path_var, FileId skip = {});

struct CaptureResult {
  int status = -1;  // exit status, or 128+signal
  std::string out;  // stdout
  std::string err;  // stderr (truncated to 4 KiB)
};
// Run argv (argv[0] absolute) with env in the directory "/", capturing stdout and stderr; stdin
// is /dev/null.
// In `cwd` ("/" by default: nothing of the caller's directory is read by the program).
Result<CaptureResult> run_capture(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                  const std::string& cwd = "/");

}  // namespace gsb::sys
