// Issue 16: the Landlock-only mode. Where user namespaces cannot be created (user.max_user_namespaces
// = 0, a container's seccomp profile, Ubuntu's AppArmor restriction that leaves a new namespace
// without capabilities), the program runs on the host's filesystem view, and Landlock alone — with
// the seccomp profile and no_new_privs — keeps it to the plan: the same plan, translated from
// "what is mounted where" to "which host paths may be touched how". Pure.
//
// Decisions (documented in docs/threat-model.md):
//  - No private /tmp: TMPDIR is a fresh private directory under the launcher's state directory
//    (<state>/gopls-sandbox/tmp/run-XXXXXX, removed when the program ends); /tmp itself is denied.
//  - No overlay: a cow or private cache becomes the domain's private cache (GOCACHE, GOMODCACHE and
//    XDG_CACHE_HOME point at it); only an explicit --cache-mode shared grants the host's caches.
//  - HOME stays the host's path, but nothing beneath it is reachable except what the plan binds
//    (gopls' config, Go telemetry…).
//  - A read-only bind inside a read-write one (a workspace's .git, .envrc…) cannot be expressed by
//    adding rules (Landlock grants the union): the read-write grant is split along the way to the
//    protected paths — read-only on the directories leading there, full access on their other
//    entries. So no new entry can be created directly in those directories (the workspace root among
//    them) in this mode.
//  - TCP bind/connect are denied (ABI >= 4) unless the network is shared; the caller adds a seccomp
//    filter refusing unix sockets (a pathname socket's connect is outside Landlock's reach before
//    ABI 8) and, without --share-net, every socket but TCP and netlink.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gopls_sandbox/core/landlock_plan.hpp"
#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

// --require: the weakest isolation the user accepts.
enum class Require { Landlock, Namespaces, None };
Result<Require> parse_require(std::string_view s);
const char* require_name(Require r);

enum class IsolationLevel { Namespaces, LandlockOnly, SeccompOnly };
const char* isolation_level_name(IsolationLevel l);  // "namespaces+landlock" …

struct LandlockOnlyDirs {
  std::string tmp_dir;    // the private TMPDIR
  std::string xdg_cache;  // the private XDG_CACHE_HOME (holds gopls' and goimports' caches)
};

// A directory's entries that are directories or regular files (name, is_dir); symlinks and
// everything else are left out (never granted).
using DirLister = std::function<std::vector<std::pair<std::string, bool>>(const std::string& dir)>;

struct LandlockOnlyPlan {
  LandlockPlan ll;                // rules on host paths
  std::vector<std::string> env;   // the program's environment (the plan's, with the private dirs)
  // Symlinks the launcher creates: xdg_cache/<name> -> the domain's private cache directory.
  std::vector<std::pair<std::string, std::string>> links;
  std::vector<std::string> notes;
};

LandlockOnlyPlan landlock_only_plan(const Plan& plan, const LandlockOnlyDirs& dirs, const DirLister& list);

// The one stderr line a launch in a weaker mode prints, e.g. "isolation: landlock-only (user
// namespaces unavailable: clone: Operation not permitted (EPERM)) …".
std::string isolation_line(IsolationLevel l, const std::string& why, int abi);
// The first lines of `doctor` on a machine where namespaces are unavailable.
std::vector<std::string> isolation_doctor_lines(IsolationLevel l, const std::string& why, int abi);

}  // namespace gsb::core
