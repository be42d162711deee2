#include "gopls_sandbox/app/cache_setup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "gopls_sandbox/sys/fd.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/fs_tree.hpp"
#include "gopls_sandbox/sys/host_probe.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/self.hpp"

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

namespace {

std::vector<std::string> dir_names(const std::string& dir) {
  auto names = sys::list_dir(dir);
  return names ? std::move(*names) : std::vector<std::string>{};
}

bool exists(const std::string& p) { return sys::path_info(p, false).exists(); }

std::string boot_id() {
  auto r = sys::read_file("/proc/sys/kernel/random/boot_id");
  if (!r) return {};
  std::string s = *r;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

bool is_layer_entry(const std::string& name) {
  return name != "lock" && name != "info.json" && name != "private" && name != kBootMarker && name != kSetupLock &&
         name != kLayersLock && name.rfind(kSessionPrefix, 0) != 0 && name.rfind("discard.", 0) != 0 &&
         name.find(".tmp") == std::string::npos;
}

Result<VolatileRecovery> prepare_volatile_layers(const std::string& domain_dir) {
  VolatileRecovery rec;
  const std::string boot = boot_id();
  auto setup = sys::lock_shared(domain_dir + "/" + kSetupLock);  // then exclusive: one launcher at a time
  if (!setup) return std::move(setup).error();
  int fd = *setup;
  while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  std::string marker;
  if (auto m = sys::read_file(domain_dir + "/" + kBootMarker)) marker = *m;
  while (!marker.empty() && marker.back() == '\n') marker.pop_back();
  const bool same_boot = !boot.empty() && marker == boot;
  for (const auto& n : dir_names(domain_dir)) {
    const std::string d = domain_dir + "/" + n;
    if (n.rfind("discard.", 0) == 0) {  // an earlier discard that did not finish
      (void)sys::remove_tree(d);
      continue;
    }
    if (!is_layer_entry(n)) continue;
    if (same_boot) {
      // The kernel's mark of the last volatile mount (it refuses the next mount while it exists):
      // this boot's page cache holds everything that session wrote, so the layers are intact.
      // The kernel creates work/work and its incompat/ with mode 0: unprivileged, we must open
      // them up first (the work directory is not reachable from inside: no one can swap them).
      for (const char* sub : {"/work/work", "/work/work/incompat"}) {
        const std::string p = d + sub;
        sys::PathInfo st = sys::path_info(p, false);
        if (st.is_dir() && st.uid == sys::effective_uid() && (st.mode & 0700) != 0700) (void)sys::change_mode(p, 0700);
      }
      if (exists(d + "/work/work/incompat")) {
        if (auto r = sys::remove_tree(d + "/work/work/incompat"); !r) return std::move(r).error();
        ++rec.cleared;
      }
      continue;
    }
    // Written (volatile) in another boot, or before this scheme: it may have lost writes in a
    // crash. It is a cache: drop it, atomically first (a half-removed upper layer is never used).
    std::string aside = domain_dir + "/discard." + n + "." + std::to_string(sys::own_pid());
    if (auto r = sys::rename_path(d, aside); !r) return std::move(r).error();
    (void)sys::remove_tree(aside);
    ++rec.discarded;
  }
  if (!same_boot && !boot.empty()) {
    std::string tmp = domain_dir + "/" + kBootMarker + ".tmp" + std::to_string(sys::own_pid());
    if (auto r = sys::write_file(tmp, boot + "\n"); !r) return std::move(r).error();
    if (auto r = sys::rename_path(tmp, domain_dir + "/" + kBootMarker); !r) {
      (void)sys::remove_file(tmp);
      return std::move(r).error();
    }
  }
  sys::close_fd(fd);
  return rec;
}

namespace {

// Session layers whose launcher is gone (its lock on <session>/lock is free): removed.
void remove_stale_session_layers(const std::string& domain_dir) {
  for (const auto& n : dir_names(domain_dir)) {
    if (n.rfind(kSessionPrefix, 0) != 0) continue;
    const std::string d = domain_dir + "/" + n;
    auto held = sys::try_lock_exclusive(d + "/lock");
    if (!held || *held < 0) continue;  // in use (or not ours to judge)
    (void)sys::remove_tree(d);
    sys::close_fd(*held);
  }
}

// A session layer of its own for a second sandbox of the domain; its lock is held until exit.
Result<std::string> make_session_layer(const std::string& domain_dir) {
  // session.<pid>[.<n>]: a launcher with the same pid in another pid namespace may hold one.
  for (int n = 0; n < 16; ++n) {
    const std::string d = domain_dir + "/" + kSessionPrefix + std::to_string(sys::own_pid()) +
                          (n ? "." + std::to_string(n) : std::string());
    if (auto m = sys::make_dir(d, 0700); !m) {
      if (m.error().err != EEXIST) return std::move(m).error();
      auto held = sys::try_lock_exclusive(d + "/lock");  // a leftover (its lock is free) or in use
      if (!held || *held < 0) continue;
      (void)sys::remove_tree(d);
      sys::close_fd(*held);
      if (!sys::make_dir(d, 0700)) continue;
    }
    auto lock = sys::try_lock_exclusive(d + "/lock");
    if (!lock) return std::move(lock).error();
    if (*lock < 0) continue;
    return d;  // (the descriptor stays open: the lock lasts as long as this process)
  }
  return Error::sys(domain_dir + "/" + kSessionPrefix + std::to_string(sys::own_pid()), "mkdir", EEXIST);
}

}  // namespace

void release_session_layer(const CacheSetup& c) {
  if (c.session_layer && !c.layer_dir.empty()) (void)sys::remove_tree(c.layer_dir);
}

Result<int> open_cache_domain(CacheSetup& c, const std::vector<std::string>& workspaces) {
  auto hint = [](Error e) {
    e.hint = "the copy-on-write caches keep their layers there; set XDG_STATE_HOME to a writable directory";
    return e;
  };
  if (auto r = sys::mkdir_p(c.domain_dir, 0700); !r) return hint(std::move(r).error());
  auto lock = sys::lock_shared(c.domain_dir + "/lock");
  if (!lock) return hint(std::move(lock).error());
  ::futimens(*lock, nullptr);  // the domain's last use: now
  c.layer_dir = c.domain_dir;
  if (c.mode == core::CacheMode::Cow) {
    auto layers = sys::try_lock_exclusive(c.domain_dir + "/" + kLayersLock);  // held until exit
    if (!layers) {
      sys::close_fd(*lock);
      return hint(std::move(layers).error());
    }
    Result<void> r = {};
    if (*layers >= 0) {
      if (auto v = prepare_volatile_layers(c.domain_dir); !v) r = std::move(v).error();
      else remove_stale_session_layers(c.domain_dir);
    } else if (auto d = make_session_layer(c.domain_dir)) {
      c.layer_dir = *d;
      c.session_layer = true;
    } else {
      r = std::move(d).error();
    }
    if (!r) {
      sys::close_fd(*lock);
      return hint(std::move(r).error());
    }
  }
  json::Value info;
  info.set("domain", c.domain);
  info.set("named", c.named);
  info.set("workspaces", json::string_array(workspaces));
  std::string tmp = c.domain_dir + "/info.json." + std::to_string(sys::own_pid());
  if (sys::write_file(tmp, info.dump(2) + "\n")) (void)sys::rename_path(tmp, c.domain_dir + "/info.json");
  else (void)sys::remove_file(tmp);
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
