#include "gopls_sandbox/sys/landlock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace gsb::sys {

namespace {

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

// The uapi structures, declared here: Debian 12's headers stop at ABI 2 (no scoped field).
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};
struct PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));
constexpr unsigned kCreateRulesetVersion = 1u << 0;
constexpr int kRulePathBeneath = 1;

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
struct OpenHow {
  uint64_t flags, mode, resolve;
};
constexpr uint64_t kResolveNoSymlinks = 0x04;

// O_PATH without following a symlink anywhere in the path (openat2 RESOLVE_NO_SYMLINKS; before
// Linux 5.6, O_NOFOLLOW for the last component only).
int open_no_symlinks(const char* path) noexcept {
  OpenHow how{O_PATH | O_CLOEXEC, 0, kResolveNoSymlinks};
  long fd = ::syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
  int f = ::open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (f >= 0 && ::fstat(f, &st) == 0 && S_ISLNK(st.st_mode)) {
    ::close(f);
    errno = ELOOP;
    return -1;
  }
  return f;
}

}  // namespace

int landlock_abi() noexcept {
  long v = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  return v < 0 ? 0 : static_cast<int>(v);
}

int landlock_build(const core::LandlockPlan& lp, int abi, const char** what) noexcept {
  RulesetAttr attr{};
  attr.handled_access_fs = core::ll::handled_fs(abi);
  // The struct grew with the ABI: size it to what this kernel knows (scoped: ABI 6).
  size_t size = abi >= 6 ? sizeof(RulesetAttr) : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
  if (abi >= 6) attr.scoped = lp.scopes;
  // No rule allows a port: handled means denied (Landlock-only mode without --share-net).
  if (abi >= 4 && lp.deny_tcp) attr.handled_access_net = core::ll::kNetBindTcp | core::ll::kNetConnectTcp;
  *what = "landlock_create_ruleset";
  long fd = ::syscall(SYS_landlock_create_ruleset, &attr, size, 0);
  if (fd < 0) return -errno;
  for (const auto& r : lp.rules) {
    int pfd = r.no_symlinks ? open_no_symlinks(r.path.c_str()) : ::open(r.path.c_str(), O_PATH | O_CLOEXEC);
    if (pfd < 0) {
      // ENOENT: an optional bind that was skipped; ELOOP: a symlink where the plan saw none
      // (no_symlinks) — no rule, so access stays denied.
      if (errno == ENOENT || (r.no_symlinks && (errno == ELOOP || errno == EXDEV))) continue;
      int e = errno;
      ::close(static_cast<int>(fd));
      *what = "landlock: open rule path";
      return -e;
    }
    // Directory rights on anything but a directory are refused by the kernel: the object decides.
    struct stat st;
    uint64_t access = r.access;
    if (::fstat(pfd, &st) == 0 && !S_ISDIR(st.st_mode)) access &= core::ll::kFileRights;
    PathBeneathAttr pb{};
    pb.allowed_access = access & attr.handled_access_fs;
    pb.parent_fd = pfd;
    long rc = pb.allowed_access ? ::syscall(SYS_landlock_add_rule, static_cast<int>(fd), kRulePathBeneath, &pb, 0) : 0;
    int e = errno;
    ::close(pfd);
    if (rc < 0) {
      ::close(static_cast<int>(fd));
      *what = "landlock_add_rule";
      return -e;
    }
  }
  return static_cast<int>(fd);
}

int landlock_enforce(int ruleset_fd) noexcept {
  if (::syscall(SYS_landlock_restrict_self, ruleset_fd, 0) != 0) return errno;
  return 0;
}

}  // namespace gsb::sys
