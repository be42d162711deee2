#include "gopls_sandbox/app/cache_setup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "gopls_sandbox/sys/fs_tree.hpp"
#include "gopls_sandbox/sys/io.hpp"

namespace gsb::app {

Result<CacheSetup> decide_caches(const core::Options& o, const std::vector<std::string>& workspaces_real,
                                 const std::map<std::string, std::string>& env) {
  CacheSetup c;
  c.mode = o.cache_mode.value_or(core::CacheMode::Cow);
  if (c.mode == core::CacheMode::Shared) return c;
  c.state_root = core::cache_state_root(env);
  if (c.state_root.empty())
    return Error{ErrorKind::Usage,
                 std::string("cache mode ") + core::cache_mode_name(c.mode) +
                     ": no directory for the cache layers (neither XDG_STATE_HOME nor HOME is an absolute path)",
                 "set XDG_STATE_HOME (or HOME); --cache-mode shared binds the host's caches read-write instead, which "
                 "lets code from the workspace poison your builds"};
  if (o.cache_domain) {
    if (auto r = core::check_domain_name(*o.cache_domain); !r) return std::move(r).error();
    c.domain = *o.cache_domain;
    c.named = true;
  } else {
    c.domain = core::workspace_domain(workspaces_real);
  }
  c.domain_dir = c.state_root + "/" + c.domain;
  return c;
}

Result<int> open_cache_domain(const CacheSetup& c, const std::vector<std::string>& workspaces) {
  auto hint = [](Error e) {
    e.hint = "the copy-on-write caches keep their layers there; set XDG_STATE_HOME to a writable directory";
    return e;
  };
  if (auto r = sys::mkdir_p(c.domain_dir, 0700); !r) return hint(std::move(r).error());
  auto lock = sys::lock_shared(c.domain_dir + "/lock");
  if (!lock) return hint(std::move(lock).error());
  ::futimens(*lock, nullptr);  // the domain's last use: now
  json::Value info;
  info.set("domain", c.domain);
  info.set("named", c.named);
  info.set("workspaces", json::string_array(workspaces));
  std::string tmp = c.domain_dir + "/info.json." + std::to_string(::getpid());
  if (sys::write_file(tmp, info.dump(2) + "\n")) ::rename(tmp.c_str(), (c.domain_dir + "/info.json").c_str());
  else ::unlink(tmp.c_str());
  return *lock;
}

Result<void> create_cache_dirs(const core::Plan& plan) {
  for (const auto& op : plan.mounts) {
    if (op.kind != core::MountKind::Overlay) continue;
    for (const auto* d : {&op.upper, &op.work, &op.fallback}) {
      if (d->empty()) continue;
      if (auto r = sys::mkdir_p(*d, 0700); !r) {
        Error e = std::move(r).error();
        e.hint = "the copy-on-write caches keep their layers there; set XDG_STATE_HOME to a writable directory";
        return e;
      }
    }
  }
  return {};
}

void break_overlays_for_test(core::Plan& plan, const CacheSetup& c) {
  for (auto& op : plan.mounts) {
    if (op.kind != core::MountKind::Overlay || op.src.empty()) continue;
    std::string f = op.work + "-refused";
    (void)sys::write_file(f, "");
    (void)c;
    op.work = f;
  }
}

json::Value cache_setup_json(const CacheSetup& c) {
  json::Value v;
  v.set("mode", core::cache_mode_name(c.mode));
  if (c.mode != core::CacheMode::Shared) {
    v.set("domain", c.domain);
    v.set("named", c.named);
    v.set("state_dir", c.state_root);
    v.set("domain_dir", c.domain_dir);
  }
  return v;
}

}  // namespace gsb::app
