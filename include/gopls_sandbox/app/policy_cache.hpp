// The seccomp policy a launch uses: loaded and compiled from the profile, or taken from a cache
// of compiled filters (sys/cache_file.hpp) keyed on the profile files' identities (loading +
// compiling + the compiler's self-check cost tens of milliseconds; the cache costs a few stats).
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
  // The full profile (decide() for the supervisor, learn mode): set when it was compiled now;
  // from the cache it is null and load_full_profile() reads it.
  std::shared_ptr<const core::Profile> profile;
};

// `cache_dir` empty: no cache.
Result<ResolvedPolicy> resolve_policy(const std::string& name_or_path, const std::vector<std::string>& search_path,
                                      core::Delivery delivery, const std::string& cache_dir);
// The policy's profile: the one already loaded, or loaded now from its source.
Result<std::shared_ptr<const core::Profile>> load_full_profile(const ResolvedPolicy& p);

}  // namespace gsb::app
