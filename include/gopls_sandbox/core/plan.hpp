// The plan: everything the sandboxed child will do, decided in the parent before clone.
// Pure data + a pure builder; the system layer only walks it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/machine_facts.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

enum class MountKind {
  Tmpfs,    // fresh tmpfs at dst (mode)
  Bind,     // read-write bind of host src at dst
  RoBind,   // read-only bind of host src at dst
  DevBind,  // bind of a host device node (keeps dev access)
  Proc,     // fresh procfs for the new pid namespace
  Symlink,  // dst -> src (a symlink created in the new root)
  Dir,      // mkdir dst (mode)
  RemountRo,  // make the mount at dst read-only (after everything under it is in place)
  Copy,     // a small host file copied into the enclosing tmpfs (sealed read-only with it); falls
            // back to a read-only bind when it is not a small regular file the launcher can read
};

const char* mount_kind_name(MountKind k);

struct MountOp {
  MountKind kind;
  std::string src;  // host path (binds), link target (symlink), fs name otherwise
  std::string dst;  // absolute path inside the sandbox
  unsigned mode = 0755;
  bool is_file = false;   // bind of a regular file (mount point is a file)
  bool optional = false;  // skipped when the source is missing at setup time
  std::string why;        // "GOROOT", "workspace", "--bind", ...
  bool noexec = false;    // binds and tmpfs: also noexec
};

// What the parent found on the host; the builder decides from these facts only.
struct PathFacts {
  enum Type { Missing, Dir, File, Symlink, Other } type = Missing;
  std::string link_target;  // for Symlink
  Type resolved = Missing;  // what the path resolves to (follows symlinks)
};
using HostProbe = std::function<PathFacts(const std::string& path)>;

struct GoEnv {
  std::string goroot, gopath, gomodcache, gocache, goenv_file, goversion;
};

struct BindSpec {
  std::string src, dst;
  bool ro = false;
  std::string origin;  // "--bind", "config", "profile"
};

struct PlanInputs {
  std::vector<std::string> argv;   // program (absolute path) + args
  std::vector<std::string> env;    // caller's environment (KEY=VALUE), launcher vars removed
  std::string cwd;                 // caller's working directory
  std::string home;                // $HOME
  unsigned uid = 0, gid = 0;
  std::optional<GoEnv> go;         // absent when `go` was not found
  std::vector<std::string> workspaces;  // absolute, validated
  std::vector<std::string> workspaces_real;  // realpath of each (same order)
  bool workspaces_explicit = false;          // false: the default (the current directory)
  std::vector<BindSpec> binds;
  bool share_net = false;
  std::string gopls_cache, goimports_cache, telemetry_dir, gopls_config;  // host paths
  std::vector<std::string> unset_env;
  std::vector<std::string> set_env;  // "KEY=VALUE", applied after unset_env (the profile's)
  std::string hostname = "gopls-sandbox";
  MachineFacts machine;  // the own cgroup (for the runtime's CPU limit), found on the host
};

struct Plan {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd;
  unsigned uid = 0, gid = 0;
  bool share_net = false;
  std::string hostname;
  std::vector<MountOp> mounts;   // in execution order
  std::vector<std::string> notes;  // what was skipped and why (shown with -v / --dry-run)
};

// Lexically normalise an absolute path: collapse "//", ".", "..". "" if not absolute.
std::string normalize_path(std::string_view p);
// "/a/b/c" -> {"/a", "/a/b", "/a/b/c"}
std::vector<std::string> path_prefixes(const std::string& p);
bool path_is_under(const std::string& p, const std::string& dir);  // p == dir or inside it

Result<Plan> build_plan(const PlanInputs& in, const HostProbe& probe);
json::Value plan_to_json(const Plan& p);

}  // namespace gsb::core
