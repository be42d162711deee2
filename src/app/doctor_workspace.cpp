#include "gopls_sandbox/app/doctor_workspace.hpp"


#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/core/goenv.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/workspace_discovery.hpp"
#include "gopls_sandbox/sys/files.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/host_probe.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/process.hpp"

namespace gsb::app {

namespace {

using core::Check;
using core::CheckStatus;

std::string getv(const std::map<std::string, std::string>& env, const char* k) {
  auto it = env.find(k);
  return it == env.end() ? std::string() : it->second;
}

bool is_file(const std::string& p) { return sys::is_file(p); }

std::string module_root(const std::string& ws) {
  for (std::string d = ws; !d.empty();) {
    if (is_file(d + "/go.mod")) return d;
    if (d == "/") break;
    size_t s = d.rfind('/');
    d = s == 0 ? "/" : d.substr(0, s);
  }
  return {};
}

Check check_gopls_cache(const std::map<std::string, std::string>& env) {
  std::string dir = core::user_dirs(env).gopls_cache;
  sys::PathInfo info = dir.empty() ? sys::PathInfo{} : sys::path_info(dir);
  if (!info.exists())
    return {"gopls cache", CheckStatus::Ok, (dir.empty() ? "(unknown)" : dir) + ": created at the first start", {}};
  if (!info.is_dir())
    return {"gopls cache", CheckStatus::Error, dir + " is not a directory", "remove it; gopls re-creates its cache"};
  if (int e = sys::access_err(dir, sys::kWrite | sys::kExec))
    return {"gopls cache", CheckStatus::Error,
            dir + " is not writable (" + errno_text(e) +
                "): gopls cannot keep its index, so every start is cold, and the sandbox's copy-on-write layer "
                "cannot be set up over it",
            "chmod -R u+w " + dir + " (or remove it: gopls re-creates it), or point GOPLSCACHE at a writable "
            "directory"};
  return {"gopls cache", CheckStatus::Ok, dir + " (writable)", {}};
}

Check check_layout(const std::string& ws, const std::optional<std::string>& gopls,
                   const std::map<std::string, std::string>& env) {
  LaunchRequest req;
  req.kind = ProgramKind::Gopls;
  req.cli.workspaces = {ws};
  req.cli.dry_run = true;
  if (gopls) req.cli.gopls = *gopls;
  auto p = prepare(req);
  if (!p) return {"workspace layout", CheckStatus::Error, p.error().message, p.error().hint};
  std::string found;
  for (const auto& m : p->plan.mounts) {
    for (const char* why : {"go.work", "go.work use", "replace", "module root", "GOPATH", "-modfile"}) {
      if (m.why != why) continue;
      found += (found.empty() ? "" : "; ") + std::string(why) + " " + m.dst +
               (m.kind == core::MountKind::RoBind ? " (read-only)" : " (read-write)");
    }
  }
  std::string mod = module_root(ws);
  std::string go111 = getv(env, "GO111MODULE");
  if (!p->client_notes.empty()) {
    std::string d = p->client_notes[0];
    for (size_t i = 1; i < p->client_notes.size() && i < 3; ++i) d += "; " + p->client_notes[i];
    return {"workspace layout", CheckStatus::Warning, d + (found.empty() ? "" : " (bound: " + found + ")"),
            "Go will not find these inside the sandbox; move them next to the workspace, or bind them yourself "
            "with --ro-bind DIR if you trust them"};
  }
  if (mod.empty() && go111 != "off") {
    std::string gopath = getv(env, "GOPATH");
    return {"workspace layout", CheckStatus::Warning,
            "no go.mod in or above " + ws + ": in module mode gopls loads nothing here" +
                (gopath.empty() ? std::string() : " (a GOPATH project? GOPATH=" + gopath + ")"),
            "run `go mod init` in the workspace, or for a GOPATH project set GO111MODULE=off (the sandbox then binds "
            "GOPATH/src read-only)"};
  }
  std::string mode = go111 == "off" ? "GOPATH mode" : "module " + mod;
  if (found.empty()) return {"workspace layout", CheckStatus::Ok, mode + ": nothing needed outside the workspace", {}};
  return {"workspace layout", CheckStatus::Ok, mode + "; bound besides the workspace: " + found, {}};
}

Check check_dependencies(const std::string& ws, const std::string& gomodcache) {
  std::string mod = module_root(ws);
  if (mod.empty() || gomodcache.empty()) return {"dependencies", CheckStatus::Ok, "no go.mod", {}};
  auto text = sys::read_file(mod + "/go.mod");
  if (!text) return {"dependencies", CheckStatus::Warning, mod + "/go.mod: " + text.error().message, {}};
  auto missing = core::missing_requirements(core::parse_gomod(*text), gomodcache, is_file);
  if (missing.empty()) return {"dependencies", CheckStatus::Ok, "every requirement of " + mod + "/go.mod is in GOMODCACHE", {}};
  std::string d = std::to_string(missing.size()) + " requirement(s) of " + mod + "/go.mod are not in GOMODCACHE (" +
                  gomodcache + "):";
  for (size_t i = 0; i < missing.size() && i < 3; ++i) d += " " + missing[i].first + "@" + missing[i].second;
  if (missing.size() > 3) d += " ...";
  d += "; the sandbox has no network, so gopls cannot download them and reports their imports as missing";
  return {"dependencies", CheckStatus::Error, d,
          "download them on the host: cd " + mod + " && GOTOOLCHAIN=local go mod download (downloads only), or "
          "use a profile that shares the network"};
}

// Splits a stream of concatenated JSON objects (go list -json output).
std::vector<json::Value> json_stream(const std::string& s) {
  std::vector<json::Value> out;
  int depth = 0;
  bool in_str = false, esc = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_str) {
      if (esc) esc = false;
      else if (c == '\\') esc = true;
      else if (c == '"') in_str = false;
      continue;
    }
    if (c == '"') in_str = true;
    else if (c == '{') {
      if (depth++ == 0) start = i;
    } else if (c == '}' && depth > 0 && --depth == 0) {
      if (auto v = json::parse(std::string_view(s).substr(start, i + 1 - start))) out.push_back(std::move(*v));
    }
  }
  return out;
}

Check check_load(const std::string& ws, const std::map<std::string, std::string>& env) {
  std::string self = sys::self_exe();
  if (self.empty()) return {"package load", CheckStatus::Warning, "cannot find this launcher (/proc/self/exe)", {}};
  const std::string& dir = ws;  // (go runs in the workspace)
  // gopls' own `go list` flags (golang.org/x/tools/go/packages), run in the sandbox gopls gets.
  std::vector<std::string> argv = {self, "exec", "--workspace", ws, "--log", "off", "--", "go", "list",
                                   "-e", "-json=ImportPath,Error,DepsErrors", "-compiled=true", "-test=true",
                                   "-export=false", "-deps=true", "-find=false", "--", "./..."};
  std::vector<std::string> e;
  for (const auto& [k, v] : env) e.push_back(k + "=" + v);
  auto r = sys::run_capture(argv, e, ws);  // `./...` means the workspace: run there (an exec elsewhere is refused)
  if (!r) return {"package load", CheckStatus::Warning, "could not run go list in the sandbox: " + r.error().message, {}};
  auto pkgs = json_stream(r->out);
  if (pkgs.empty()) {
    std::string why = core::tail_lines(r->err, 2, 300);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return {"package load", CheckStatus::Error,
            "go list in the sandbox loaded no package (exit " + std::to_string(r->status) + "): " + why,
            "run `gopls-sandbox exec --workspace " + ws + " -- go list ./...` in it to see the whole error"};
  }
  size_t bad = 0;
  std::string first;
  for (const auto& p : pkgs) {
    std::string err = p["Error"]["Err"].as_string();
    if (err.empty() && !p["DepsErrors"].as_array().empty()) err = p["DepsErrors"][0]["Err"].as_string();
    if (err.empty()) continue;
    ++bad;
    if (first.empty()) first = p["ImportPath"].as_string() + ": " + err;
  }
  if (bad == 0)
    return {"package load", CheckStatus::Ok, std::to_string(pkgs.size()) + " packages load inside the sandbox", {}};
  std::string fix = "run `gopls-sandbox exec --workspace " + ws + " -- go list -e ./...` in it";
  if (first.find("cannot find module") != std::string::npos || first.find("no required module") != std::string::npos ||
      first.find("proxy") != std::string::npos || first.find("dial tcp") != std::string::npos)
    fix = "a dependency is missing from GOMODCACHE and the sandbox has no network: run `GOTOOLCHAIN=local go mod "
          "download` in " + dir + " on the host";
  else if (first.find("no such file") != std::string::npos || first.find("outside") != std::string::npos)
    fix = "a directory Go needs is not visible inside; see the workspace layout check";
  for (char& ch : first)
    if (ch == '\n' || ch == '\t') ch = ' ';  // one line (go's messages carry "to add:\n\tgo get ...")
  if (first.size() > 300) first = first.substr(0, 300) + "...";
  return {"package load", CheckStatus::Error,
          std::to_string(bad) + " of " + std::to_string(pkgs.size()) + " packages fail to load inside the sandbox; first: " +
              first,
          fix};
}

}  // namespace

std::vector<core::Check> check_workspace_truths(const std::string& workspace, const std::optional<std::string>& gopls,
                                                const std::map<std::string, std::string>& env,
                                                const std::string& gomodcache, bool load_packages) {
  std::vector<Check> out;
  out.push_back(check_gopls_cache(env));
  out.push_back(check_layout(workspace, gopls, env));
  out.push_back(check_dependencies(workspace, gomodcache));
  if (load_packages) out.push_back(check_load(workspace, env));
  return out;
}

}  // namespace gsb::app
