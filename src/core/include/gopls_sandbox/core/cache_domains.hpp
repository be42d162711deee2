// Issue 12: caches that sandboxed code cannot poison. Pure decisions (no system calls): the cache
// mode, the trust domain a launch belongs to, where its layers live, and the mount operation that
// shows each Go cache inside.
//
// Layout under the state directory ($XDG_STATE_HOME/gopls-sandbox/caches, default
// ~/.local/state/gopls-sandbox/caches; never read by the host's go):
//   <domain>/lock                 flock: shared by each running launcher of the domain, exclusive
//                                 by `cache prune`; its mtime is the domain's last use
//   <domain>/info.json            what the domain is for (written by the launcher)
//   <domain>/<key>/upper, work    the overlay's upper and work directories (mode cow)
//   <domain>/private/<key>        a cache of the domain's own (mode private, and cow's fallback)
// with <key> "gocache-", "gomodcache-", "gopls-" or "goimports-" and a hash of the host path
// (cache_key).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

// CacheMode (core/plan.hpp):
//   Cow      host cache = read-only lower layer, writes go to the domain's upper layer (default)
//   Private  the domain's own cache, empty at first; the host's cache is not visible
//   Shared   the host's cache bound read-write (unsafe: code inside can poison host builds)
const char* cache_mode_name(CacheMode m);
// Usage error (exit 2) naming the valid values.
Result<CacheMode> parse_cache_mode(std::string_view s);

// SHA-256 of `data`, lowercase hex.
std::string sha256_hex(std::string_view data);

// A name given with --cache-domain / cache_domain: 1-64 of [A-Za-z0-9._-], starting with a letter
// or digit, not starting with "ws-" (reserved for the per-workspace domains).
Result<void> check_domain_name(std::string_view name);
// The per-workspace domain: "ws-<last path component, sanitised, at most 24>-<16 hex of SHA-256 of
// the real paths>". Several workspaces in one launch form one domain (sorted, so order-free).
std::string workspace_domain(std::vector<std::string> workspaces_real);

// $XDG_STATE_HOME/gopls-sandbox/caches, else $HOME/.local/state/gopls-sandbox/caches; "" when
// neither is an absolute path.
std::string cache_state_root(const std::map<std::string, std::string>& env);

// Go's caches the launcher layers, in the order they are planned.
struct CacheLayerPaths {
  std::string upper, work, private_dir;
};
// Upper and work below layer_dir (default: the domain's directory; a session layer of its own
// when another sandbox of the domain runs), the private cache always the domain's.
CacheLayerPaths cache_layer_paths(const std::string& domain_dir, const std::string& key,
                                  const std::string& layer_dir = {});
// The layers' key for a cache of kind `kind` ("gocache", …) at host path `host_dir`: the kind and
// 12 hex of SHA-256 of the path, so that another GOCACHE (say) never sees this one's upper layer.
std::string cache_key(const std::string& kind, const std::string& host_dir);

// The mount operation for one cache seen at `dst` (host directory `host_dir`, resolved):
//   Cow:     Overlay  lower=host_dir upper/work from `paths`, fallback=paths.private_dir
//   Private: Overlay  with no lower: pid 1 binds paths.private_dir read-write
//   Shared:  Bind     host_dir read-write (today's behaviour)
MountOp cache_mount_op(CacheMode mode, const std::string& host_dir, const std::string& dst,
                       const CacheLayerPaths& paths, const std::string& why);

// Where a cache setup would defeat itself: the state root inside one of the cache directories or
// a read-write bind (code inside could then reach every domain's layers), or a cache directory
// inside the state root. "" when fine.
std::string cache_layout_problem(const std::string& state_root, const std::vector<std::string>& cache_dirs,
                                 const std::vector<std::string>& rw_binds);

// Overlay ops in --dry-run: "lower", "upper", "work", "fallback" (and "private": true).
void cache_op_to_json(const MountOp& op, json::Value& mv);

// Overlay ops in --dry-run: "lower", "upper", "work", "fallback" (and "private": true).
void cache_op_to_json(const MountOp& op, json::Value& mv);

// "30d", "12h", "90m", "45s", "2w", or a plain number of seconds -> seconds. Usage error otherwise.
Result<int64_t> parse_duration(std::string_view s);

}  // namespace gsb::core
