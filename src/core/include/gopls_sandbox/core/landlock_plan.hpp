// Landlock as a second wall inside the namespaces (issue 16): the rules follow from the same
// plan as the mounts — read(+execute) beneath read-only binds, everything beneath writable binds
// and the private tmpfs mounts, the devices and /proc as they are. Pure: the bits are the kernel's
// uapi values (linux/landlock.h), the system layer keeps those the running ABI handles.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gopls_sandbox/core/plan.hpp"

namespace gsb::core {

namespace ll {
inline constexpr uint64_t kExecute = 1ull << 0, kWriteFile = 1ull << 1, kReadFile = 1ull << 2, kReadDir = 1ull << 3,
                          kRemoveDir = 1ull << 4, kRemoveFile = 1ull << 5, kMakeChar = 1ull << 6, kMakeDir = 1ull << 7,
                          kMakeReg = 1ull << 8, kMakeSock = 1ull << 9, kMakeFifo = 1ull << 10,
                          kMakeBlock = 1ull << 11, kMakeSym = 1ull << 12, kRefer = 1ull << 13 /* ABI 2 */,
                          kTruncate = 1ull << 14 /* ABI 3 */, kIoctlDev = 1ull << 15 /* ABI 5 */;
// What can be granted on a regular file (the kernel refuses directory rights there).
inline constexpr uint64_t kFileRights = kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;
inline constexpr uint64_t kReadOnly = kReadFile | kReadDir | kExecute;
inline constexpr uint64_t kAll = (1ull << 16) - 1;
// Scopes (ABI 6): no connecting to abstract unix sockets, no signals, outside the sandbox.
inline constexpr uint64_t kScopeAbstractUnix = 1ull << 0, kScopeSignal = 1ull << 1;
// The filesystem rights each ABI handles (index: ABI; 0 = no Landlock).
uint64_t handled_fs(int abi);
inline constexpr uint64_t kNetBindTcp = 1ull << 0, kNetConnectTcp = 1ull << 1;  // ABI 4
}  // namespace ll

struct LandlockRule {
  std::string path;  // inside the sandbox
  uint64_t access = 0;
  bool is_file = false;
  std::string why;
  // Open the path with RESOLVE_NO_SYMLINKS (Landlock-only mode: host paths, some of them in
  // directories code from an earlier or concurrent sandbox could write): a symlink is not followed
  // and the rule is skipped — access stays denied.
  bool no_symlinks = false;
};

struct LandlockPlan {
  std::vector<LandlockRule> rules;
  uint64_t scopes = ll::kScopeAbstractUnix | ll::kScopeSignal;
  // ABI 4: TCP bind and connect are handled with no rule allowing any port, i.e. denied. Set in
  // the Landlock-only mode without --share-net, where there is no network namespace; inside the
  // namespaces the private network namespace is the wall.
  bool deny_tcp = false;
};

LandlockPlan landlock_plan(const Plan& plan);
// Issue 13.2: Landlock rules are fixed once the program's process enforced them, so a folder the
// editor adds later and the launcher mounts into the running sandbox would be denied. With the
// LSP relay, the parent directory of each workspace mount point becomes a "spare" (a Dir op with
// every right, inserted before the root is sealed): a folder mounted beside a workspace is then
// reachable. A rule on the mount point itself would not do: Landlock skips a directory that a
// mount covers when it walks up from a file. Never "/": that would end the second wall. The
// mounts stay as they are (read-only ones still refuse writes); Landlock-only mode ignores Dir.
void add_landlock_spares(Plan& plan);
// Whether a directory mounted at `mount_point` (after the rules were enforced) is readable and
// writable under `lp`: a rule granting that on a directory strictly above it.
bool landlock_allows_beneath(const LandlockPlan& lp, const std::string& mount_point);
// What `abi` enforces of it, in words (for -v, doctor and --dry-run).
std::string landlock_summary(int abi);
json::Value landlock_to_json(const LandlockPlan& lp, int abi);

}  // namespace gsb::core
