#include "gopls_sandbox/app/lsp_attach.hpp"

#include <chrono>
#include <cstdio>

#include "gopls_sandbox/app/lsp_relay.hpp"
#include "gopls_sandbox/core/plan_protect.hpp"
#include "gopls_sandbox/core/workspace_discovery.hpp"
#include "gopls_sandbox/sys/attach.hpp"
#include "gopls_sandbox/sys/fd.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/host_probe.hpp"
#include "gopls_sandbox/sys/landlock.hpp"

namespace gsb::app {

core::LspGuardFolders plan_guard_folders(const core::Plan& plan) {
  core::LspGuardFolders f;
  for (const auto& m : plan.mounts) {
    if (m.kind == core::MountKind::Bind && m.why.rfind("workspace", 0) == 0 && m.why.find("pinned") == std::string::npos)
      f.rw.push_back(m.dst);
    else if ((m.kind == core::MountKind::Bind || m.kind == core::MountKind::RoBind || m.kind == core::MountKind::Overlay ||
              m.kind == core::MountKind::Copy) && !m.is_file && m.dst != "/")
      f.visible.push_back(m.dst);
  }
  return f;
}

std::string real_path_of_ancestor(const std::string& p) {
  std::string head = core::normalize_path(p), tail;
  while (!head.empty()) {
    std::string r = sys::real_path(head);
    if (!r.empty()) return r == "/" ? (tail.empty() ? r : tail) : r + tail;
    if (head == "/") return {};
    size_t slash = head.rfind('/');
    tail = head.substr(slash) + tail;
    head = slash == 0 ? "/" : head.substr(0, slash);
  }
  return {};
}

core::LspGuardFolders FolderAttacher::guard_folders() const {
  std::lock_guard<std::mutex> lk(bound_mu_);
  core::LspGuardFolders f = plan_folders_;
  f.rw.insert(f.rw.end(), added_.begin(), added_.end());
  return f;
}

FolderAttacher::FolderAttacher(LspRelay& relay, const Prepared& prep, bool verbose)
    : relay_(relay), in_(prep.inputs), verbose_(verbose), landlock_abi_(sys::landlock_abi()),
      landlock_(core::landlock_plan(prep.plan)), plan_folders_(plan_guard_folders(prep.plan)) {
  private_roots_.push_back("/");
  bound_ = plan_folders_.rw;
  for (const auto& m : prep.plan.mounts) {
    if (m.kind == core::MountKind::Tmpfs) private_roots_.push_back(m.dst);
    if (m.kind != core::MountKind::Dir && m.kind != core::MountKind::Symlink && m.kind != core::MountKind::RemountRo)
      mounts_.push_back(m);
  }
}

FolderAttacher::~FolderAttacher() {
  for (int& fd : ns_) sys::close_fd(fd);
}

void FolderAttacher::set_namespace(int kind, int fd) {
  std::lock_guard<std::mutex> lk(mu_);
  if (kind < 0 || kind > 1 || ns_[kind] >= 0) {
    sys::close_fd(fd);
    return;
  }
  ns_[kind] = fd;
  cv_.notify_all();
}

void FolderAttacher::no_namespaces() {
  std::lock_guard<std::mutex> lk(mu_);
  no_ns_ = true;
  for (int& fd : ns_) sys::close_fd(fd);  // (a first sandbox that failed may have sent them)
  cv_.notify_all();
}

void FolderAttacher::tell(const std::string& folder, const std::string& text) {
  std::fprintf(stderr, "gopls-sandbox: %s\n", text.c_str());
  relay_.notify("attach:" + folder, text);
}

void FolderAttacher::on_added(const std::vector<std::string>& folders) {
  int userns, mntns;
  {
    // pid 1 sends the descriptors before it mounts anything, long before gopls can answer the
    // initialize that must precede this message; the wait only covers a launcher thread that
    // has not read them yet (bounded: the message is held meanwhile).
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_for(lk, std::chrono::seconds(5), [&] { return no_ns_ || (ns_[0] >= 0 && ns_[1] >= 0); });
    userns = ns_[0];
    mntns = ns_[1];
  }
  std::vector<sys::AttachRequest> reqs;
  std::vector<std::string> names;  // the folder of each request
  std::vector<std::string> planned;  // where those requests mount
  auto visible = [&](const std::string& p) {
    for (const auto* v : {&bound_, &planned})
      for (const auto& b : *v)
        if (core::path_is_under(p, b)) return true;
    return false;
  };
  for (const auto& f : folders) {
    std::string given = core::normalize_path(f);
    if (visible(given)) continue;  // inside a folder that is bound already (or is being attached)
    auto refuse = [&](const std::string& why) {
      tell(given, "workspace folder " + given + " was added but is not visible in the sandbox: " + why);
    };
    if (userns < 0 || mntns < 0 || !in_) {
      relay_.notify("attach:restart", "workspace folders added while gopls runs are not visible in this sandbox "
                                      "(it runs without namespaces, Landlock-only): restart the language server");
      std::fprintf(stderr, "gopls-sandbox: workspace folder %s was added: not visible until the language server "
                           "restarts (no namespaces to attach it to)\n", given.c_str());
      continue;
    }
    std::string real = as_given_ ? given : core::normalize_path(sys::real_path(given));
    sys::PathInfo st = real.empty() ? sys::PathInfo{} : sys::path_info(real);
    if (!st.exists()) {
      refuse(real.empty() ? std::string("it does not resolve") : errno_text(st.err));
      continue;
    }
    if (!st.is_dir()) {
      refuse("not a directory");
      continue;
    }
    if (given == "/" || real == "/") {
      refuse("it is / (the whole host would be visible)");
      continue;
    }
    // The same directory as / or a home (or one inside them) at another path, a bind mount of it
    // elsewhere (/mnt/host): found by device and inode, refused as its host path would be.
    std::vector<std::string> aliases = core::identity_aliases(*in_, real, sys::probe_path);
    if (std::string home_why = core::default_workspace_refusal(*in_, given, real, aliases); !home_why.empty()) {
      refuse("it is " + home_why + ", which would expose far more than a project");
      continue;
    }
    // Stricter than a folder of initialize (bound before anything runs inside): the system
    // directories the Go paths are refused too (/proc, /sys, /dev, /etc, /boot).
    core::DiscoveryEnv denv;
    denv.home = in_->home;
    denv.home_real = in_->home_real;
    denv.runtime_dir = in_->runtime_dir;
    std::string sys_why = core::extra_path_refusal(given, denv);
    if (sys_why.empty()) sys_why = core::extra_path_refusal(real, denv);
    // Partly the choice of the code inside (a *.code-workspace it rewrote): not what the host
    // trusts or runs (a hidden directory of the home, the launcher's own configuration).
    if (sys_why.empty()) sys_why = core::added_folder_refusal(*in_, given);
    if (sys_why.empty()) sys_why = core::added_folder_refusal(*in_, real);
    for (const auto& a : aliases) {
      if (sys_why.empty()) sys_why = core::extra_path_refusal(a, denv);
      if (sys_why.empty()) sys_why = core::added_folder_refusal(*in_, a);
    }
    if (!sys_why.empty()) {
      refuse("it is " + sys_why);
      continue;
    }
    // A folder above something the sandbox mounts (another workspace and its read-only .git, a
    // Go cache, a --bind) would cover it with the host's directory, read-write: at start the plan
    // mounts the deeper one last; attached later, it cannot. Refused.
    std::string covered;
    for (const auto& m : mounts_)
      for (const auto& d : {given, real})
        if (covered.empty() && m.dst != d && core::path_is_under(m.dst, d)) covered = m.dst + " (" + m.why + ")";
    if (!covered.empty()) {
      refuse("it contains " + covered + ", which the sandbox mounts on its own; restart the language server to bind "
             "them in the right order");
      continue;
    }
    // Nor over what the sandbox shows read-only (a Go cache's copy-on-write view, --ro-bind, a
    // system directory): mounting the host's directory there would make it writable inside.
    std::string under;
    for (const auto& m : mounts_)
      if (m.kind == core::MountKind::RoBind || m.kind == core::MountKind::Overlay || m.kind == core::MountKind::Copy)
        for (const auto& d : {given, real})
          if (under.empty() && core::path_is_under(d, m.dst)) under = m.dst + " (" + m.why + ")";
    if (!under.empty()) {
      refuse("it is inside " + under + ", which the sandbox shows read-only");
      continue;
    }
    sys::AttachRequest q;
    q.real = real;
    q.dev = st.dev;
    q.ino = st.ino;
    q.dsts.push_back(given);
    if (real != given) {
      if (!visible(real)) q.dsts.push_back(real);
    }
    if (!in_->writable_vcs) {
      auto prot = core::protect_host_executed(real, sys::probe_path, in_->read_text, in_->list_names);
      if (!prot) {
        refuse(prot.error().message);
        continue;
      }
      for (const auto& op : prot->ops) q.protect.push_back({op.rel, op.ro});
    }
    planned.insert(planned.end(), q.dsts.begin(), q.dsts.end());
    reqs.push_back(std::move(q));
    names.push_back(given);
  }
  if (reqs.empty()) return;
  auto res = sys::attach_folders(userns, mntns, private_roots_, reqs);
  for (size_t i = 0; i < reqs.size(); ++i) {
    if (res[i].err) {
      tell(names[i], "workspace folder " + names[i] + " was added but could not be attached to the sandbox: " +
                         res[i].what + ": " + errno_text(res[i].err) + "; restart the language server to see it");
      continue;
    }
    for (const auto& d : reqs[i].dsts) {
      {
        std::lock_guard<std::mutex> lk(bound_mu_);
        added_.push_back(d);
      }
      bound_.push_back(d);
      mounts_.push_back({core::MountKind::Bind, reqs[i].real, d, 0, false, false, "workspace folder added later"});
    }
    if (verbose_) std::fprintf(stderr, "gopls-sandbox: workspace folder %s attached\n", names[i].c_str());
    bool reachable = landlock_abi_ < 1 || core::landlock_allows_beneath(landlock_, reqs[i].dsts[0]);
    if (!reachable)
      tell(names[i], "workspace folder " + names[i] + " was added and mounted, but the sandbox's Landlock rules were "
                     "fixed at start and do not cover it: restart the language server to use it");
  }
}

}  // namespace gsb::app
