// gopls-sandbox cache list|du|prune (issue 12): the trust domains' cache layers on the host.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <CLI/CLI.hpp>

#include "gopls_sandbox/app/cli.hpp"
#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/app/cache_setup.hpp"
#include "gopls_sandbox/core/cache_domains.hpp"
#include "gopls_sandbox/core/denials.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/sys/console.hpp"
#include "gopls_sandbox/sys/fd.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/fs_tree.hpp"
#include "gopls_sandbox/sys/io.hpp"

namespace gsb::app {

namespace {

// Names in a directory (not "." or ".."), sorted.
std::vector<std::string> entries(const std::string& dir) {
  auto names = sys::list_dir(dir);
  std::vector<std::string> out = names ? std::move(*names) : std::vector<std::string>{};
  std::sort(out.begin(), out.end());
  return out;
}

struct Domain {
  std::string name, dir;
  bool named = false;
  std::vector<std::string> workspaces;
  int64_t last_used = 0;  // seconds (the lock file's mtime)
  bool in_use = false;
};

bool valid_dir_name(const std::string& n) {
  return !n.empty() && n != "." && n != ".." && n.find('/') == std::string::npos;
}

// Domain names are directories the launcher made; anything else in the state directory is ignored.
std::vector<Domain> domains(const std::string& root) {
  std::vector<Domain> out;
  auto names = sys::list_dir(root);
  if (!names) return out;
  for (const std::string& n : *names) {
    if (!valid_dir_name(n) || n[0] == '.') continue;
    Domain dom;
    dom.name = n;
    dom.dir = root + "/" + n;
    if (!sys::path_info(dom.dir, false).is_dir()) continue;
    if (sys::PathInfo lock = sys::path_info(dom.dir + "/lock"); lock.exists()) dom.last_used = lock.mtime;
    if (auto t = sys::read_file(dom.dir + "/info.json")) {
      if (auto v = json::parse(*t)) {
        dom.named = (*v)["named"].as_bool();
        for (const auto& w : (*v)["workspaces"].as_array()) dom.workspaces.push_back(w.as_string());
      }
    }
    if (auto l = sys::try_lock_exclusive(dom.dir + "/lock")) {
      if (*l < 0) dom.in_use = true;
      else sys::close_fd(*l);
    }
    out.push_back(std::move(dom));
  }
  std::sort(out.begin(), out.end(), [](const Domain& a, const Domain& b) { return a.name < b.name; });
  return out;
}

std::string when(int64_t t) { return t ? core::rfc3339_us(t * 1000000).substr(0, 19) + "Z" : "-"; }

std::string human(uint64_t b) {
  char buf[32];
  if (b >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1fG", double(b) / (1ull << 30));
  else if (b >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1fM", double(b) / (1ull << 20));
  else if (b >= 1024) std::snprintf(buf, sizeof buf, "%.1fK", double(b) / 1024);
  else std::snprintf(buf, sizeof buf, "%lluB", static_cast<unsigned long long>(b));
  return buf;
}

void out(const std::string& s) { sys::print_out(s); }

}  // namespace

int cmd_cache(const Args& args) {
  CLI::App app{"The copy-on-write caches' layers, one set per trust domain (see README \"Caches\").", "cache"};
  app.require_subcommand(1);
  bool json_out = false;
  std::string domain, older;
  auto* list = app.add_subcommand("list", "List the domains: workspaces, last use, whether a sandbox uses them");
  list->add_flag("--json", json_out, "JSON output");
  auto* du = app.add_subcommand("du", "Disk use of each domain's layers");
  du->add_flag("--json", json_out, "JSON output");
  du->add_option("--domain", domain, "Only this domain")->type_name("NAME");
  auto* prune = app.add_subcommand("prune", "Delete domains' layers (not those of a running sandbox)");
  prune->add_option("--domain", domain, "Only this domain")->type_name("NAME");
  prune->add_option("--older-than", older, "Only domains not used for this long (e.g. 30d, 12h)")->type_name("D");
  if (auto rc = parse_cli(app, args, "gopls-sandbox cache", true)) return *rc;

  auto env = environment_map();
  std::string root = core::cache_state_root(env);
  if (root.empty()) return report(Error::usage("cache: neither XDG_STATE_HOME nor HOME is an absolute path"));
  if (!domain.empty() && !valid_dir_name(domain)) return report(Error::usage("cache: --domain \"" + domain + "\": not a domain name"));
  int64_t min_age = -1;
  if (!older.empty()) {
    auto d = core::parse_duration(older);
    if (!d) return report(Error::usage("cache prune: --older-than: " + d.error().message));
    min_age = *d;
  }
  auto all = domains(root);
  if (!domain.empty()) {
    std::erase_if(all, [&](const Domain& d) { return d.name != domain; });
    if (all.empty()) return report(Error::usage("cache: no domain \"" + domain + "\" in " + root + " (see `gopls-sandbox cache list`)"));
  }

  if (*list) {
    if (json_out) {
      json::Value v;
      v.array();
      for (const auto& d : all) {
        json::Value e;
        e.set("domain", d.name);
        e.set("named", d.named);
        e.set("workspaces", json::string_array(d.workspaces));
        e.set("last_used", when(d.last_used));
        e.set("in_use", d.in_use);
        e.set("dir", d.dir);
        v.push(std::move(e));
      }
      out(v.dump(2) + "\n");
      return 0;
    }
    if (all.empty()) out("no cache domains in " + root + "\n");
    for (const auto& d : all) {
      std::string ws;
      for (const auto& w : d.workspaces) ws += (ws.empty() ? "" : ",") + w;
      out(d.name + "  last used " + when(d.last_used) + (d.in_use ? "  IN USE" : "") + "  " +
          (d.named ? "named" : ws.empty() ? "-" : ws) + "\n");
    }
    return 0;
  }

  if (*du) {
    json::Value v;
    v.array();
    uint64_t total = 0;
    for (const auto& d : all) {
      json::Value e;
      e.set("domain", d.name);
      uint64_t sum = 0;
      json::Value layers;
      layers.object();
      auto add = [&](const std::string& name, const std::string& dir, const char* what) {
        uint64_t u = sys::tree_usage(dir).bytes;
        json::Value l;
        l.set("kind", what);
        l.set("bytes", u);
        layers.set(name, std::move(l));
        sum += u;
      };
      for (const auto& n : entries(d.dir))
        if (n == "private") {
          for (const auto& k : entries(d.dir + "/private")) add("private/" + k, d.dir + "/private/" + k, "private");
        } else if (n.rfind(kSessionPrefix, 0) == 0) {
          add(n, d.dir + "/" + n, "session");  // a concurrent sandbox's own layer, dropped at its exit
        } else if (n != "lock" && n != "info.json" && n != kBootMarker && n != kSetupLock && n != kLayersLock) {
          add(n, d.dir + "/" + n, "overlay");
        }
      e.set("bytes", sum);
      e.set("layers", std::move(layers));
      total += sum;
      if (!json_out) out(human(sum) + "\t" + d.name + "\n");
      v.push(std::move(e));
    }
    if (json_out) out(v.dump(2) + "\n");
    else out(human(total) + "\ttotal\n");
    return 0;
  }

  // prune
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  int rc = 0;
  for (const auto& d : all) {
    if (min_age >= 0 && d.last_used && now - d.last_used < min_age) continue;
    auto lock = sys::try_lock_exclusive(d.dir + "/lock");
    if (!lock) {
      std::fprintf(stderr, "gopls-sandbox: cache prune: %s: %s\n", d.name.c_str(), lock.error().message.c_str());
      rc = 1;
      continue;
    }
    if (*lock < 0) {
      std::fprintf(stderr,
                   "gopls-sandbox: cache prune: domain %s is in use by a running sandbox; not pruned (stop that gopls "
                   "session first)\n",
                   d.name.c_str());
      rc = 1;
      continue;
    }
    uint64_t bytes = sys::tree_usage(d.dir).bytes;
    // Everything but the lock, then the lock (still held: a launcher waiting for it re-creates
    // the domain once we are done, see sys::lock_shared), then the directory.
    Result<void> r;
    std::vector<std::string> names;
    if (auto all = sys::list_dir(d.dir))
      for (auto& n : *all)
        if (n != "lock") names.push_back(std::move(n));
    for (const auto& n : names)
      if (r = sys::remove_tree(d.dir + "/" + n); !r) break;
    if (r) {
      (void)sys::remove_file(d.dir + "/lock");
      (void)sys::remove_dir(d.dir);
    }
    sys::close_fd(*lock);
    if (!r) {
      std::fprintf(stderr, "gopls-sandbox: cache prune: %s: %s\n", d.name.c_str(), r.error().message.c_str());
      rc = 1;
      continue;
    }
    out("pruned " + d.name + " (" + human(bytes) + ")\n");
  }
  return rc;
}

}  // namespace gsb::app
