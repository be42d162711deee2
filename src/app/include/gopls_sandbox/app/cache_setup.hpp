// Issue 12 on the host: which cache mode and trust domain a launch uses, the domain's directories
// and its lock, and `gopls-sandbox cache list|du|prune`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gopls_sandbox/core/cache_domains.hpp"
#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::app {

struct CacheSetup {
  core::CacheMode mode = core::CacheMode::Cow;
  std::string state_root;  // <state>/gopls-sandbox/caches
  std::string domain;      // its directory name
  std::string domain_dir;  // state_root/domain
  bool named = false;      // --cache-domain / cache_domain
  // Where this session's upper and work directories live: domain_dir, or a session layer of its
  // own (below) when another sandbox of the domain holds the domain's layers.
  std::string layer_dir;
  bool session_layer = false;
};

// Decides (no side effects): mode (default cow), domain (the name given, or one per workspace set).
Result<CacheSetup> decide_caches(const core::Options& o, const std::vector<std::string>& workspaces_real,
                                 const std::map<std::string, std::string>& env);
// Creates the domain's directories and takes its lock, shared, held until the process exits;
// records the last use. Returns the lock's descriptor.
// Copy-on-write: one overlay upper and work directory must never serve two mounts at once (the
// kernel calls that undefined behaviour and only warns). The first sandbox of a domain takes
// <domain>/layers.lock exclusively and uses the domain's layers; a second one running at the
// same time gets a session layer of its own, <domain>/session.<pid>/ (upper layers over the same
// host caches, without the domain's earlier writes), removed when it ends
// (release_session_layer) or, if it was killed, by the next launcher of the domain (the
// session's own lock is free then). c.layer_dir and c.session_layer say which.
Result<int> open_cache_domain(CacheSetup& c, const std::vector<std::string>& workspaces);
void release_session_layer(const CacheSetup& c);
inline constexpr const char* kLayersLock = "layers.lock";
inline constexpr const char* kSessionPrefix = "session.";
// The overlays are mounted `volatile` (sys/overlay.hpp): no sync of the upper filesystem when a
// sandbox ends. What a session wrote is then in the page cache and reaches the disk later, so it
// is intact for every later session of the same boot (a killed session loses nothing), and may be
// torn only by a crash, which always starts a new boot. Before mounting, under <domain>/setup.lock:
//   - <domain>/boot_id names this boot: clear each layer's work/work/incompat (the kernel's mark
//     of a volatile mount, which makes it refuse the next mount);
//   - otherwise (another boot, or a domain from before this scheme): discard every overlay layer
//     of the domain (renamed to discard.* first, then removed) and record this boot.
// Private caches are plain binds (synced as any directory) and stay. The host never reads an
// upper layer: removing it follows no symlink and stays on its filesystem (sys::remove_tree).
inline constexpr const char* kBootMarker = "boot_id";
inline constexpr const char* kSetupLock = "setup.lock";
struct VolatileRecovery {
  int cleared = 0;    // layers whose volatile mark was cleared (same boot)
  int discarded = 0;  // layers dropped (another boot)
};
Result<VolatileRecovery> prepare_volatile_layers(const std::string& domain_dir);
// Whether an entry of a domain directory is an overlay layer (<kind>-<hash>), not bookkeeping.
bool is_layer_entry(const std::string& name);
// The upper, work and private directories the plan's cache operations use.
Result<void> create_cache_dirs(const core::Plan& plan);
// GOPLS_SANDBOX_TEST_OVERLAY_FAIL=1 (tests): each overlay gets a work "directory" that is a
// regular file, which the kernel refuses, so that the fallback path runs for real.
void break_overlays_for_test(core::Plan& plan, const CacheSetup& c);
json::Value cache_setup_json(const CacheSetup& c);

}  // namespace gsb::app
