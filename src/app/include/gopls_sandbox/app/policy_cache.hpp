// The seccomp policy a launch uses: loaded and compiled from the profile, or taken from a cache
// of compiled filters keyed on the profile files' identities (loading + compiling + the
// compiler's self-check cost tens of milliseconds; the cache costs a few stats).
#pragma once

#include <linux/filter.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::app {

class ResolvedPolicy {
 public:
  std::string name, source_path;
  core::ProfileSettings settings;
  core::Delivery delivery = core::Delivery::Errno;
  std::vector<sock_filter> program;
  bool from_cache = false;
  // The full profile (for decide() and learn mode), loaded on first use when from the cache.
  const core::Profile* profile() const;

  std::vector<std::string> search_path;
  std::shared_ptr<core::Profile> loaded;  // set when compiled now, or after profile()
};

// `cache_dir` empty: no cache.
Result<ResolvedPolicy> resolve_policy(const std::string& name_or_path, const std::vector<std::string>& search_path,
                                      core::Delivery delivery, const std::string& cache_dir);

}  // namespace gsb::app
