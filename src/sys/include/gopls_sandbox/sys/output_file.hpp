// Writing a command's output file (`-o FILE` of profile generate, learn, profile export) without
// ever replacing something that is not a regular file: a device node, a FIFO, a socket, a
// directory or a symlink at the target is refused (issue 17 §1; as root, `-o /dev/full` used to
// turn the device node into a regular file). The data goes to a fresh temporary file next to
// the target (O_EXCL, so a planted `FILE.tmp` symlink is never followed) and is renamed into
// place, so a reader never sees half a file.
#pragma once

#include <string>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

// Usage error (exit 2) unless `path` is absent or a regular file (not a symlink to one). Call it
// before long work (a learn run) so the user hears about a bad -o at once.
Result<void> check_output_target(const std::string& path);
// Writes `data` to a temporary file in the target's directory (mode `mode`), runs `validate` on
// that temporary path (may be empty), re-checks the target and renames over it.
Result<void> replace_output_file(const std::string& path, const std::string& data, unsigned mode = 0644,
                                 Result<void> (*validate)(const std::string& tmp, void* ctx) = nullptr,
                                 void* ctx = nullptr);

}  // namespace gsb::sys
