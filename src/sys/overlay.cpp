#include "gopls_sandbox/sys/overlay.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gopls_sandbox/core/result.hpp"
#include "gopls_sandbox/sys/mount_api.hpp"

namespace gsb::sys {

namespace {

using namespace mount_api;

// The filesystem context's last message ("e overlayfs: ..."), if the kernel left one.
std::string kernel_message(int fsfd) {
  std::string last;
  char buf[512];
  for (int i = 0; i < 8; ++i) {
    ssize_t n = ::read(fsfd, buf, sizeof buf - 1);
    if (n <= 0) break;
    buf[n] = 0;
    last.assign(buf, static_cast<size_t>(n));
  }
  if (last.size() > 2 && last[1] == ' ') last.erase(0, 2);  // "e ", "w ", "i "
  return last;
}

}  // namespace

std::string escape_lowerdir(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ':' || c == '\\' || c == ',') out += '\\';
    out += c;
  }
  return out;
}

int mount_overlay(const std::string& lower, const std::string& upper, const std::string& work,
                  const std::string& target, std::string& detail) noexcept {
#if defined(SYS_fsopen) && defined(SYS_fsconfig) && defined(SYS_fsmount) && defined(SYS_move_mount)
  int fs = static_cast<int>(::syscall(SYS_fsopen, "overlay", kFsopenCloexec));
  if (fs < 0) {
    int e = errno;
    detail = "fsopen overlay: " + errno_text(e);
    return e;
  }
  int e = 0;
  auto step = [&](const std::string& what, long r) {
    if (e || r >= 0) return;
    e = errno;
    std::string k = kernel_message(fs);
    detail = what + ": " + errno_text(e) + (k.empty() ? std::string() : " (" + k + ")");
  };
  auto set = [&](const char* key, const std::string& v) {
    return ::syscall(SYS_fsconfig, fs, kFsconfigSetString, key, v.c_str(), 0);
  };
  // "lowerdir+" (6.8) takes one path as it is; older kernels only know "lowerdir".
  long r = set("lowerdir+", lower);
  if (r < 0 && errno == EINVAL) {
    (void)kernel_message(fs);
    r = set("lowerdir", escape_lowerdir(lower));
  }
  step("lowerdir " + lower, r);
  step("upperdir " + upper, e ? 0 : set("upperdir", upper));
  step("workdir " + work, e ? 0 : set("workdir", work));
  step("userxattr", e ? 0 : ::syscall(SYS_fsconfig, fs, kFsconfigSetFlag, "userxattr", nullptr, 0));
  // volatile (5.10): no sync of the upper filesystem at unmount (≈30 ms at every sandbox's exit
  // on a busy disk). Its data is then durable only once the kernel writes it back; the launcher
  // discards a domain's upper layers after a reboot and clears the kernel's "was volatile" mark
  // within one boot (app/cache_setup.cpp: prepare_volatile_layers). Kernels without the option
  // refuse the flag: then a synced overlay as before.
  if (!e && ::syscall(SYS_fsconfig, fs, kFsconfigSetFlag, "volatile", nullptr, 0) < 0) (void)kernel_message(fs);
  step("create", e ? 0 : ::syscall(SYS_fsconfig, fs, kFsconfigCmdCreate, nullptr, nullptr, 0));
  int mnt = -1;
  if (!e) {
    mnt = static_cast<int>(::syscall(SYS_fsmount, fs, kFsmountCloexec, kAttrNosuid | kAttrNodev));
    step("fsmount", mnt);
  }
  if (!e) step("move_mount " + target, ::syscall(SYS_move_mount, mnt, "", AT_FDCWD, target.c_str(), kMoveMountFEmptyPath));
  if (mnt >= 0) ::close(mnt);
  ::close(fs);
  return e;
#else
  detail = "overlay: this build has no new mount API";
  return ENOSYS;
#endif
}

}  // namespace gsb::sys
