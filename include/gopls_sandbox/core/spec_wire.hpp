// The spec encoding: the bytes that travel between the launcher and the sandbox's pid 1.
//  - the launch spec: the plan, the compiled filter and the inode checks, launcher -> pid 1;
//  - pid 1's reports: fixed records (an inode check's result, a cache that fell back to its
//    private copy), pid 1 -> launcher, one per message.
// A plain length-prefixed binary encoding; every decode checks every length against the input.
#pragma once

#include <linux/filter.h>

#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

struct WireSpec {
  Plan plan;  // argv, env, cwd, uid, gid, share_net, hostname, mounts (notes are not sent)
  std::vector<sock_filter> filter;
  bool want_listener = false;
  bool filter_log = false;
  bool identity_strict = false;
  std::vector<std::string> identity_checks;
};

std::string encode_spec(const WireSpec& s);
// The same from the launcher's own objects (no copy of the plan on the launch path).
struct SpecFlags {
  bool want_listener = false, filter_log = false, identity_strict = false;
};
std::string encode_spec(const Plan& plan, const std::vector<sock_filter>& filter, SpecFlags flags,
                        const std::vector<std::string>& identity_checks);
Result<WireSpec> decode_spec(std::string_view bytes);

// What pid 1 found for one --inode-check path: the host directory's (dev, ino) as the launcher
// saw it (or, for a cache path, as the mount made for it showed it) and what the path shows once
// the new root is in place.
enum class InodeResult : uint32_t { Ok = 0, HostMissing, Missing, Mismatch };
const char* inode_result_name(InodeResult r) noexcept;  // "ok", "host-missing", "missing", "mismatch"
struct InodeCheckReport {
  uint32_t index = 0;  // into the spec's identity_checks
  InodeResult result = InodeResult::Ok;
  uint64_t host_dev = 0, host_ino = 0, inside_dev = 0, inside_ino = 0;  // 0 when absent
};
// Issue 12: the kernel refused a copy-on-write cache overlay; pid 1 mounted the private cache.
struct CacheFallbackReport {
  uint32_t mount_index = 0;
  int32_t err = 0;
  std::string detail;  // "overlay DST: step: error (kernel message)"
};
struct Pid1Report {
  enum class Kind : uint32_t { InodeCheck = 1, CacheFallback = 2 } kind = Kind::InodeCheck;
  InodeCheckReport inode;          // Kind::InodeCheck
  CacheFallbackReport fallback;    // Kind::CacheFallback
};
// Records are at most kMaxReportBytes long (a longer fallback detail is cut).
inline constexpr size_t kMaxReportBytes = 1024;
std::string encode_report(const Pid1Report& r);
Result<Pid1Report> decode_report(std::string_view bytes);

// A profile's decision table: what decide() reads (name, default and unknown actions, every
// syscall's rules with their origins), stored beside the compiled filter in the filter cache so
// that the supervisor decides from the very profile the filter was compiled from, without
// reading profile files again. (description, includes and settings are not part of it.)
std::string encode_decisions(const Profile& p);
Result<Profile> decode_decisions(std::string_view bytes);

}  // namespace gsb::core
