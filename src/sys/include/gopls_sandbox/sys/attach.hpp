// Issue 13.2: a workspace folder the editor adds while gopls runs, mounted into the running
// sandbox. A helper process forked from the launcher enters the sandbox's user namespace (with
// the descriptors pid 1 sent, sys/sandbox.cpp), takes a private copy of the host's mount tree
// there, opens the folder in it by descriptor (no symlink followed: RESOLVE_NO_SYMLINKS), makes
// the names the host runs (.git, .envrc …) read-only inside that copy, clones the tree
// (open_tree OPEN_TREE_CLONE|AT_RECURSIVE), then enters the sandbox's mount namespace and
// attaches the clone with move_mount. Works unprivileged: the user namespace's owner may enter
// it, and every mount operation happens in namespaces it owns; the host's tree is never changed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gsb::sys {

struct AttachProtect {
  std::string rel;  // "/.git", relative to the folder (core/plan_protect.hpp)
  bool ro = true;   // false: a read-write self-bind that only pins a directory
};

struct AttachRequest {
  std::string real;                   // the folder's host path, no symlink in it
  std::vector<std::string> dsts;      // where it appears inside (given path, real path)
  std::vector<AttachProtect> protect;
  uint64_t dev = 0, ino = 0;          // what the launcher checked; another inode is refused
};

struct AttachResult {
  int err = 0;       // 0: attached at every dst
  std::string what;  // the failing step ("open /x: a symbolic link in the path")
};

// Attaches each request; one result per request, in order. `private_roots`: mount points of the
// sandbox's own tmpfs mounts (HOME, /tmp) besides its root, where a missing mount point may be
// created. Blocks until the helper is done (a few milliseconds).
std::vector<AttachResult> attach_folders(int userns_fd, int mntns_fd, const std::vector<std::string>& private_roots,
                                         const std::vector<AttachRequest>& reqs);

}  // namespace gsb::sys
