// Overlay mounts for the copy-on-write Go caches (issue 12), made in the sandbox's pid 1.
#pragma once

#include <string>

namespace gsb::sys {

// Mount an overlay at `target`: `lower` read-only, writes into `upper` (with `work`, on the same
// filesystem), userxattr (the sandbox is always in a user namespace: trusted.* xattrs are out of
// reach there, and the kernel then also refuses redirect_dir=follow and metacopy, which could make
// the overlay follow names an upper layer chose), nosuid, nodev. All paths as the caller sees
// them. Mounted `volatile` where the kernel has it (no sync at unmount; the caller makes that
// safe across reboots and clears the kernel's mark of it in `work` before each mount). Returns 0 or an errno; on failure `detail` says which step failed and, when the kernel
// gave one, its own message ("overlay: upper fs does not support...").
int mount_overlay(const std::string& lower, const std::string& upper, const std::string& work,
                  const std::string& target, std::string& detail) noexcept;

// `lowerdir` splits on ':' and takes '\' escapes: a path escaped for it.
std::string escape_lowerdir(const std::string& path);

}  // namespace gsb::sys
