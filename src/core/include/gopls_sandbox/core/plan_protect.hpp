// What the host runs from a workspace on its own (issue 11): git (hooks, core.fsmonitor — run by
// the user's prompt or editor at the next `git status`), direnv's .envrc, editor settings. They
// are bound read-only, and the directories that lead to a submodule's .git are pinned (bound
// onto themselves) so that code inside cannot rename them away and plant a repository in their
// place. Decided from the workspace's *real* path only, so that no symlink — which code inside
// could have planted in an earlier session — is followed. Pure.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

struct ProtectOp {
  std::string rel;  // "/.git", "/sub/.git", "/sub" …, relative to the workspace
  bool ro = true;   // false: a read-write self-bind that only pins the directory
  bool is_file = false;
};
struct Protection {
  std::vector<ProtectOp> ops;  // parents before children
  std::vector<std::string> notes;
};

// `real` has no symlink in it. A protected name (or a directory on the way to a submodule) that
// is a symlink cannot be protected — code inside could replace the link — so it is an error
// (ErrorKind::Setup, with a hint naming --writable-vcs).
// list_names (may be empty) lists the workspace's top-level names: each `*.code-workspace` file
// there is read-only too (the editor adds the folders such a file lists, which code inside could
// otherwise choose).
Result<Protection> protect_host_executed(const std::string& real, const HostProbe& probe,
                                         const std::function<std::string(const std::string&)>& read_text,
                                         const std::function<std::vector<std::string>(const std::string&)>& list_names);

}  // namespace gsb::core
