// The seccomp policy a launch uses: loaded and compiled from the profile, or taken from a cache
// of compiled filters (sys/cache_file.hpp) keyed on the profile files' identities (loading +
// compiling + the compiler's self-check cost tens of milliseconds; the cache costs a few stats).
// An entry holds the filter, the profile's decision table and its settings: everything a launch
// needs from the profile, resolved before the sandbox starts.
#pragma once

#include <linux/filter.h>

#include <memory>
#include <string>
#include <vector>

#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::app {

struct ResolvedPolicy {
  std::string name, source_path;
  core::Options settings;  // the profile's [sandbox] table: the lowest settings source
  core::Delivery delivery = core::Delivery::Errno;
  std::vector<sock_filter> program;
  bool from_cache = false;
  std::vector<std::string> search_path;
  // What decide() needs (the supervisor): the profile when it was compiled now; from the cache,
  // its decision table as stored beside the filter (core::encode_decisions), decoded on use.
  std::shared_ptr<const core::Profile> profile;
  std::string decisions;
};

// `cache_dir` empty: no cache.
Result<ResolvedPolicy> resolve_policy(const std::string& name_or_path, const std::vector<std::string>& search_path,
                                      core::Delivery delivery, const std::string& cache_dir);
// The profile the filter was compiled from (for decide()): the one compiled now, or the cache
// entry's decision table, decoded. Never read from the profile files again.
Result<std::shared_ptr<const core::Profile>> policy_profile(const ResolvedPolicy& p);

}  // namespace gsb::app
