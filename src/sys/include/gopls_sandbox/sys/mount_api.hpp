// The new mount API's constants (open_tree, move_mount, mount_setattr, fsopen/fsconfig/fsmount,
// openat2), in one place for mounts.cpp and overlay.cpp: <linux/mount.h> clashes with
// <sys/mount.h> on glibc 2.36, and Debian 12's headers lack some syscall numbers (x86_64 values).
#pragma once

#include <sys/syscall.h>

namespace gsb::sys::mount_api {

inline constexpr unsigned kAttrRdonly = 0x00000001;  // MOUNT_ATTR_RDONLY
inline constexpr unsigned kAttrNosuid = 0x00000002;  // MOUNT_ATTR_NOSUID
inline constexpr unsigned kAttrNodev = 0x00000004;   // MOUNT_ATTR_NODEV
inline constexpr unsigned kAttrNoexec = 0x00000008;  // MOUNT_ATTR_NOEXEC
inline constexpr unsigned kAtRecursive = 0x8000;     // AT_RECURSIVE
inline constexpr unsigned kOpenTreeClone = 1;        // OPEN_TREE_CLONE
inline constexpr unsigned kMoveMountFEmptyPath = 0x00000004;
inline constexpr unsigned kMoveMountTEmptyPath = 0x00000040;
inline constexpr unsigned kFsopenCloexec = 0x1;
inline constexpr unsigned kFsconfigSetFlag = 0;
inline constexpr unsigned kFsconfigSetString = 1;
inline constexpr unsigned kFsconfigCmdCreate = 6;
inline constexpr unsigned kFsmountCloexec = 0x1;

struct MountAttr {
  unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

}  // namespace gsb::sys::mount_api

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
