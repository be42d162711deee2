// Small checked I/O helpers shared by the system layer and the app.
#pragma once

#include <string>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

// Whole file into a string (regular files and procfs alike).
Result<std::string> read_file(const std::string& path);
// Write all of data to fd, retrying on EINTR/short writes. Returns 0 or an errno.
int write_all(int fd, const void* data, size_t len) noexcept;
// Create/truncate path (mode 0644) and write data.
Result<void> write_file(const std::string& path, const std::string& data);
// mkdir -p with mode for the created components.
Result<void> mkdir_p(const std::string& path, unsigned mode);

// Keep at most `keep` files named PREFIX* in dir (the newest by mtime); for caches.
void prune_dir(const std::string& dir, const std::string& prefix, size_t keep);

}  // namespace gsb::sys
