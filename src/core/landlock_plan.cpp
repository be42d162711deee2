#include "gopls_sandbox/core/landlock_plan.hpp"

#include <algorithm>

namespace gsb::core {

namespace ll {
uint64_t handled_fs(int abi) {
  if (abi < 1) return 0;
  uint64_t h = (1ull << 13) - 1;  // ABI 1: execute … make_sym
  if (abi >= 2) h |= kRefer;
  if (abi >= 3) h |= kTruncate;
  if (abi >= 5) h |= kIoctlDev;
  return h;
}
}  // namespace ll

LandlockPlan landlock_plan(const Plan& plan) {
  LandlockPlan lp;
  auto add = [&](const std::string& path, uint64_t access, bool is_file, const std::string& why) {
    if (path.empty()) return;
    lp.rules.push_back({path, is_file ? access & ll::kFileRights : access, is_file, why});
  };
  // Listing the root and the directories of the new root; files in them come with their mounts.
  add("/", ll::kReadDir, false, "root (list only)");
  for (const auto& m : plan.mounts) {
    switch (m.kind) {
      case MountKind::RoBind:
        add(m.dst, ll::kReadOnly, m.is_file, m.why);
        break;
      case MountKind::Bind:
        add(m.dst, ll::kAll, m.is_file, m.why);
        break;
      case MountKind::Overlay:  // a Go cache: writes go to the domain's upper layer
      case MountKind::Tmpfs:    // /tmp and HOME: private to this sandbox
        add(m.dst, ll::kAll, false, m.why);
        break;
      case MountKind::DevBind:
        add(m.dst, ll::kReadFile | ll::kWriteFile | ll::kIoctlDev, true, m.why);
        break;
      case MountKind::Proc:
        add(m.dst, ll::kReadFile | ll::kReadDir | ll::kWriteFile, false, m.why);
        break;
      case MountKind::Copy:
        add(m.dst, ll::kReadFile, true, m.why);
        break;
      case MountKind::Dir:
        add(m.dst, m.spare ? ll::kAll : ll::kReadFile | ll::kReadDir, false, m.why);
        break;
      case MountKind::Symlink:    // the link is read from its directory; the target has its own rule
      case MountKind::RemountRo:
      case MountKind::Pin:  // the directory's own rules stand
        break;
    }
  }
  return lp;
}

void add_landlock_spares(Plan& plan) {
  std::vector<std::string> spares;
  for (const auto& m : plan.mounts) {
    if (m.kind != MountKind::Bind || (m.why != "workspace" && m.why != "workspace (real path)")) continue;
    auto slash = m.dst.rfind('/');
    std::string parent = slash == std::string::npos || slash == 0 ? std::string("/") : m.dst.substr(0, slash);
    if (parent == "/" || std::find(spares.begin(), spares.end(), parent) != spares.end()) continue;
    spares.push_back(parent);
  }
  if (spares.empty()) return;
  // Before the root is sealed: the directories exist (they lead to a workspace's mount point).
  auto at = plan.mounts.end();
  if (!plan.mounts.empty() && plan.mounts.back().kind == MountKind::RemountRo && plan.mounts.back().dst == "/") --at;
  std::vector<MountOp> ops;
  for (const auto& p : spares) {
    MountOp op{MountKind::Dir, "", p, 0755, false, false, "workspace spare: folders the editor adds later (Landlock)"};
    op.spare = true;
    ops.push_back(std::move(op));
  }
  plan.mounts.insert(at, ops.begin(), ops.end());
}

bool landlock_allows_beneath(const LandlockPlan& lp, const std::string& mount_point) {
  constexpr uint64_t kNeed = ll::kReadFile | ll::kReadDir | ll::kWriteFile;
  for (const auto& r : lp.rules)
    if (!r.is_file && (r.access & kNeed) == kNeed && r.path != mount_point && path_is_under(mount_point, r.path))
      return true;
  return false;
}

std::string landlock_summary(int abi) {
  if (abi < 1) return "Landlock: not available (the mount namespace alone limits the filesystem)";
  std::string s = "Landlock ABI " + std::to_string(abi) + ": filesystem rules from the plan";
  if (abi >= 3) s += " (truncate included)";
  if (abi >= 5) s += ", device ioctls";
  if (abi >= 6) s += ", abstract unix sockets and signals scoped to the sandbox";
  return s;
}

json::Value landlock_to_json(const LandlockPlan& lp, int abi) {
  json::Value v;
  v.set("abi", abi);
  v.set("enforced", landlock_summary(abi));
  json::Value rules;
  rules.array();
  uint64_t handled = ll::handled_fs(abi);
  for (const auto& r : lp.rules) {
    json::Value j;
    j.set("path", r.path);
    std::string rights;
    static const char* names[] = {"execute", "write_file", "read_file", "read_dir", "remove_dir", "remove_file",
                                  "make_char", "make_dir", "make_reg", "make_sock", "make_fifo", "make_block",
                                  "make_sym", "refer", "truncate", "ioctl_dev"};
    for (int b = 0; b < 16; ++b)
      if ((r.access & handled & (1ull << b)) || (abi < 1 && (r.access & (1ull << b))))
        rights += std::string(rights.empty() ? "" : ",") + names[b];
    j.set("access", rights);
    j.set("why", r.why);
    rules.push(std::move(j));
  }
  v.set("rules", std::move(rules));
  json::Value sc;
  sc.array();
  if (abi >= 6) {
    if (lp.scopes & ll::kScopeAbstractUnix) sc.push("abstract_unix_socket");
    if (lp.scopes & ll::kScopeSignal) sc.push("signal");
  }
  v.set("scopes", std::move(sc));
  v.set("tcp", !lp.deny_tcp ? "not handled (network namespace or --share-net)"
               : abi >= 4  ? "bind and connect denied"
                           : "NOT restricted (Landlock ABI < 4)");
  return v;
}

}  // namespace gsb::core
