// Walking the cache layers on the host (issue 12). What is in an upper layer was written by code
// from inside a sandbox: these never follow a symlink and never leave the starting filesystem.
#pragma once

#include <cstdint>
#include <string>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

struct TreeUsage {
  uint64_t bytes = 0;  // allocated (st_blocks * 512)
  uint64_t entries = 0;
};
// What `path` and everything under it use; a missing path uses nothing.
TreeUsage tree_usage(const std::string& path);
// rm -rf `path`: directories are made writable first (Go makes the module cache read-only).
Result<void> remove_tree(const std::string& path);

// A lock file held with flock: shared by each running launcher of a cache domain, exclusive by
// `cache prune`. Returns the descriptor (O_CLOEXEC) or an error.
Result<int> lock_shared(const std::string& lock_path);
// -1 when the lock is held by someone else (in use), an fd holding it exclusively otherwise.
Result<int> try_lock_exclusive(const std::string& lock_path);

}  // namespace gsb::sys
