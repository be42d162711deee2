// The launch spec as bytes: how the launcher hands the plan, the compiled filter and the inode
// checks to the sandbox's pid 1, which was cloned *before* they were computed (so that its
// namespace setup runs while the launcher resolves the profile, go env and the plan).
// A plain length-prefixed binary encoding; decode() checks every length against the input.
#pragma once

#include <linux/filter.h>

#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/plan.hpp"
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

}  // namespace gsb::core
