// The plan: everything the sandboxed child will do, decided in the parent before clone.
// Pure data + a pure builder; the system layer only walks it.
#pragma once

#include <cstdint>
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
  Overlay,  // a Go cache (issue 12): overlay of lower `src` (read-only) with `upper`/`work`; with no
            // `src`, or when the kernel refuses the overlay, a read-write bind of `fallback`
  Pin,      // bind the sandbox's own directory dst onto itself (recursively): a mount point cannot be
            // renamed, so a writable parent cannot be used to move it away and put another file at
            // a path the sandbox runs (the program, the go shim)
};

// How the Go caches (GOCACHE, GOMODCACHE, gopls' and goimports' caches) are seen inside; see
// core/cache_domains.hpp.
enum class CacheMode { Cow, Private, Shared };

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
  std::string upper, work, fallback;  // Overlay only: host paths of its layers
  // Dir only (issue 13.2): a Landlock "spare" — every right beneath it, for workspace folders
  // the editor adds later and the launcher mounts below it (core/landlock_plan.hpp).
  bool spare = false;
};

// What the parent found on the host; the builder decides from these facts only.
struct PathFacts {
  enum Type { Missing, Dir, File, Symlink, Other } type = Missing;
  std::string link_target;  // for Symlink
  Type resolved = Missing;  // what the path resolves to (follows symlinks)
  std::string real;         // the resolved absolute path ("" when unknown): what a bind mounts,
                            // since pid 1 resolves sources under the old root, where an absolute
                            // symlink would point into the new one
  uint64_t dev = 0, ino = 0;  // device and inode of what it resolves to (0, 0: unknown)
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

// A file's identity on the host (device and inode): the same directory, whatever path leads to it.
struct FileId {
  uint64_t dev = 0, ino = 0;
  bool known() const { return dev != 0 || ino != 0; }
  bool operator==(const FileId&) const = default;
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
  // Issue 11 (a hostile workspace):
  std::string home_real;                // realpath($HOME): the default-workspace guard compares both
  std::string passwd_home, passwd_home_real;  // the user's home from the password database (HOME may lie)
  std::string runtime_dir;              // $XDG_RUNTIME_DIR (never a default workspace)
  // The identities of / and of every home (HOME, its real path, the password database's) and each
  // directory above one, probed once on the host: a folder that is one of them bound at another
  // path (a bind of / at /mnt/host) is refused like the path itself (identity_aliases).
  std::vector<std::pair<std::string, FileId>> host_identities;
  std::vector<std::string> extra_env;   // --env NAME / NAME=VALUE (see core/sandbox_env.hpp)
  bool writable_vcs = false;            // --writable-vcs: .git & co. stay writable
  bool keep_tty = false;                // exec --share-tty: no new session for the program
  // Reads a small host file (a workspace's .git file, .gitmodules); "" when absent. May be empty.
  std::function<std::string(const std::string& path)> read_text;
  // The entry names of a host directory (a workspace's *.code-workspace files); may be empty.
  std::function<std::vector<std::string>(const std::string& dir)> list_names;
  MachineFacts machine;  // the own cgroup (for the runtime's CPU limit), found on the host
  // Issue 12: the caches. Shared binds the host's caches read-write (this struct's default, so
  // that a bare PlanInputs plans what it always did; the launcher's default is Cow); Cow and
  // Private need the domain's directory (<state root>/<domain>).
  CacheMode cache_mode = CacheMode::Shared;
  std::string cache_domain_dir;
  std::string cache_layer_dir;   // where upper/work live (empty: the domain directory; see app/cache_setup.hpp)
  // The directory of the go shim (src/shim/go_nest.cpp: a nested Landlock domain for what gopls
  // starts), or "" for none. Seen at the same path inside (read-only) and put first on PATH.
  std::string go_shim_dir;
};

// What the host runs on its own from a workspace (git hooks and core.fsmonitor, direnv, editor
// settings): bound read-only over every workspace unless --writable-vcs.
inline constexpr const char* kHostExecutedNames[] = {".git", ".hg", ".jj", ".svn", ".envrc", ".vscode", ".idea"};
// And every top-level "*.code-workspace" file (core/plan_protect.hpp).

struct Plan {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd;
  unsigned uid = 0, gid = 0;
  bool share_net = false;
  bool keep_tty = false;  // the program keeps the caller's session (exec --share-tty)
  std::string hostname;
  std::vector<MountOp> mounts;   // in execution order
  std::vector<std::string> notes;  // what was skipped and why (shown with -v / --dry-run)
};

// Lexically normalise an absolute path: collapse "//", ".", "..". "" if not absolute.
std::string normalize_path(std::string_view p);
// "/a/b/c" -> {"/a", "/a/b", "/a/b/c"}
std::vector<std::string> path_prefixes(const std::string& p);
bool path_is_under(const std::string& p, const std::string& dir);  // p == dir or inside it

// Why `dir` may not be the *default* workspace ("" if it may): $HOME (given or resolved) or a
// directory above it, /tmp, /var/tmp, /dev/shm, /run and anything under it or $XDG_RUNTIME_DIR.
std::string default_workspace_refusal(const std::string& dir, const std::string& home, const std::string& home_real,
                                      const std::string& runtime_dir);
// The same for a default workspace of `in` (given and real path; every home `in` knows of).
std::string default_workspace_refusal(const PlanInputs& in, const std::string& given, const std::string& real);
// Why `path` must never be bound read-write from the editor's or a go.mod's say ("" if it may):
// under /proc, /sys, /dev, /etc, /boot or /root/.ssh ("a system directory (/etc)").
std::string system_directory_refusal(const std::string& path);
// Issue 13.2: why a folder added while the workspace's code runs may not be attached ("" if it
// may), besides the refusals above. Such a folder is partly that code's choice (it can rewrite a
// *.code-workspace file the editor follows), so what the host trusts or runs is refused: anything
// inside a hidden entry of a home (~/.ssh, ~/.config, ~/.local …); inside or above the launcher's
// own configuration and state ($XDG_CONFIG_HOME, $XDG_STATE_HOME, $XDG_DATA_HOME wherever they
// are), a directory of $PATH (~/bin), $GOBIN or GOPATH/bin.
std::string added_folder_refusal(const PlanInputs& in, const std::string& path);
// The part of added_folder_refusal that holds for every folder the editor names, at start too:
// inside a hidden entry of a home (~/.ssh, ~/.config …) or <home>/bin.
std::string home_secret_refusal(const PlanInputs& in, const std::string& path);
// default_workspace_refusal of given/real and of each of real's identity_aliases (below), and "/
// bound at another path" when one of them is /.
std::string default_workspace_refusal(const PlanInputs& in, const std::string& given, const std::string& real,
                                      const std::vector<std::string>& aliases);
// The paths by which the host also knows `path` when a directory on its way (or `path` itself) is
// one of in.host_identities reached at another path: /mnt/host/home/u/.ssh with / bound at
// /mnt/host gives /home/u/.ssh. Compared by the probe's device and inode; `path` (absolute, best
// without symlinks) is not in the result. The refusals above apply to each of them too.
std::vector<std::string> identity_aliases(const PlanInputs& in, const std::string& path, const HostProbe& probe);
// The directories whose identities PlanInputs::host_identities holds: / and each home and every
// directory above one (the app probes them).
std::vector<std::string> identity_anchors(const PlanInputs& in);
Result<Plan> build_plan(const PlanInputs& in, const HostProbe& probe);
json::Value plan_to_json(const Plan& p);

}  // namespace gsb::core
