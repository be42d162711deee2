#include "gopls_sandbox/core/doctor.hpp"

#include <algorithm>
#include <cstdio>

#include "gopls_sandbox/core/config.hpp"

namespace gsb::core {

namespace {

Check ok(std::string name, std::string detail) { return {std::move(name), CheckStatus::Ok, std::move(detail), {}}; }
Check warn(std::string name, std::string detail, std::string fix) {
  return {std::move(name), CheckStatus::Warning, std::move(detail), std::move(fix)};
}
Check err(std::string name, std::string detail, std::string fix) {
  return {std::move(name), CheckStatus::Error, std::move(detail), std::move(fix)};
}

std::string fmt_ms(double ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%.0f ms", ms);
  return b;
}

std::string strip_slash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

const char* status_name(CheckStatus s) {
  switch (s) {
    case CheckStatus::Ok: return "ok";
    case CheckStatus::Warning: return "warning";
    case CheckStatus::Error: return "error";
  }
  return "?";
}

// ---------------------------------------------------------------- JSONC

std::string strip_jsonc(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  const size_t n = in.size();
  while (i < n) {
    char c = in[i];
    if (c == '"') {  // string: copy verbatim, honouring escapes
      out += c;
      ++i;
      while (i < n) {
        char d = in[i++];
        out += d;
        if (d == '\\' && i < n) out += in[i++];
        else if (d == '"') break;
      }
      continue;
    }
    if (c == '/' && i + 1 < n && in[i + 1] == '/') {
      while (i < n && in[i] != '\n') {
        out += ' ';
        ++i;
      }
      continue;
    }
    if (c == '/' && i + 1 < n && in[i + 1] == '*') {
      out += "  ";
      i += 2;
      while (i < n && !(in[i] == '*' && i + 1 < n && in[i + 1] == '/')) {
        out += in[i] == '\n' ? '\n' : ' ';
        ++i;
      }
      if (i < n) {
        out += "  ";
        i += 2;
      }
      continue;
    }
    if (c == ',') {
      // trailing comma: next significant character (skipping blanks and comments) is } or ]
      size_t j = i + 1;
      for (;;) {
        while (j < n && (in[j] == ' ' || in[j] == '\t' || in[j] == '\n' || in[j] == '\r')) ++j;
        if (j + 1 < n && in[j] == '/' && in[j + 1] == '/') {
          while (j < n && in[j] != '\n') ++j;
          continue;
        }
        if (j + 1 < n && in[j] == '/' && in[j + 1] == '*') {
          j += 2;
          while (j < n && !(in[j] == '*' && j + 1 < n && in[j + 1] == '/')) ++j;
          j = std::min(n, j + 2);
          continue;
        }
        break;
      }
      if (j < n && (in[j] == '}' || in[j] == ']')) {
        out += ' ';
        ++i;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

Result<json::Value> parse_jsonc(std::string_view text) {
  std::string s = strip_jsonc(text);
  // An empty settings file is valid in VS Code.
  if (s.find_first_not_of(" \t\r\n") == std::string::npos) return json::Value(json::Object{});
  return json::parse(s);
}

// ---------------------------------------------------------------- Go directories

Check check_go_dir(const std::string& name, const std::string& path, const DirFacts& f, bool need_write,
                   bool may_be_missing) {
  if (path.empty()) {
    if (may_be_missing) return ok(name, "not set (`go env` reports it empty)");
    return err(name, "`go env` reports it empty", "check your Go installation (`go env " + name + "`)");
  }
  if (!f.exists) {
    if (may_be_missing && (f.creatable || !need_write))
      return ok(name, path + " (does not exist yet; created on first use)");
    if (may_be_missing)
      return err(name, path + " does not exist and cannot be created by you",
                 "create it (mkdir -p " + path + ") and make it yours, or set " + name + " (go env -w " + name + "=DIR)");
    return err(name, path + " does not exist", "reinstall Go or fix " + name + " (go env -w / environment)");
  }
  if (!f.is_dir) return err(name, path + " is not a directory", "point " + name + " at a directory (go env -w " + name + "=DIR)");
  if (!f.readable) return err(name, path + " is not readable by you", "fix its permissions (chmod u+rx / a+rx " + path + ")");
  if (need_write && !f.writable)
    return err(name, path + " is not writable by you (gopls and go write there)",
               "chown it to your user or set " + name + " to a directory you own (go env -w " + name + "=DIR)");
  return ok(name, path + (need_write ? " (readable, writable)" : " (readable)"));
}

// ---------------------------------------------------------------- kernel

std::vector<Check> check_userns(const UsernsFacts& f) {
  std::vector<Check> out;
  const std::string n = "user namespaces";
  std::vector<std::string> problems, fixes;
  if (f.max_user_namespaces && *f.max_user_namespaces == 0) {
    problems.push_back("user.max_user_namespaces = 0");
    fixes.push_back("sysctl -w user.max_user_namespaces=15000 (persist in /etc/sysctl.d/)");
  }
  // These two only restrict unprivileged callers.
  if (f.unprivileged_userns_clone && *f.unprivileged_userns_clone == 0) {
    problems.push_back("kernel.unprivileged_userns_clone = 0");
    fixes.push_back("sysctl -w kernel.unprivileged_userns_clone=1 (persist in /etc/sysctl.d/)");
  }
  if (f.apparmor_restrict && *f.apparmor_restrict != 0) {
    problems.push_back("kernel.apparmor_restrict_unprivileged_userns = " + std::to_string(*f.apparmor_restrict));
    fixes.push_back("sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile with `userns,` for the launcher");
  }
  auto join = [](const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
    return s;
  };
  bool probe_ok = f.unshare_errno && *f.unshare_errno == 0;
  bool probe_failed = f.unshare_errno && *f.unshare_errno != 0;
  std::string probe = !f.unshare_errno ? "" : probe_ok ? "unshare(CLONE_NEWUSER) works" :
                      "unshare(CLONE_NEWUSER): " + errno_text(*f.unshare_errno);
  bool global_off = f.max_user_namespaces && *f.max_user_namespaces == 0;
  if (probe_failed || global_off) {
    out.push_back(err(n, probe + (problems.empty() ? "" : (probe.empty() ? "" : "; ") + join(problems, ", ")),
                      problems.empty() ? "check container/seccomp restrictions of this session (e.g. docker's default profile blocks unshare)"
                                       : join(fixes, "; ")));
  } else if (f.root && f.unprivileged_errno && *f.unprivileged_errno != 0) {
    out.push_back(warn(n, probe + "; as an unprivileged user: " + errno_text(*f.unprivileged_errno) +
                              (problems.empty() ? "" : " (" + join(problems, ", ") + ")") +
                              " — root works, other users cannot run the sandbox",
                       problems.empty() ? "check the user namespace sysctls and AppArmor/SELinux policy" : join(fixes, "; ")));
  } else if (!problems.empty()) {
    // Works for this caller (root bypasses the unprivileged restrictions) but not for others.
    out.push_back(warn(n, probe + (probe.empty() ? "" : "; ") + join(problems, ", ") +
                              (f.root ? " (root is exempt; unprivileged users cannot run the sandbox)" : ""),
                       join(fixes, "; ")));
  } else {
    std::string d = probe.empty() ? "available" : probe;
    if (f.root && f.unprivileged_errno) d += ", also for unprivileged users";
    if (f.max_user_namespaces) d += " (max_user_namespaces " + std::to_string(*f.max_user_namespaces) + ")";
    out.push_back(ok(n, d));
  }
  return out;
}

std::vector<Check> check_seccomp(const SeccompFacts& f) {
  std::vector<Check> out;
  auto has = [&](const char* a) {
    std::string s = " " + f.actions_avail + " ";
    for (char& c : s)
      if (c == '\n' || c == '\t') c = ' ';
    return s.find(std::string(" ") + a + " ") != std::string::npos;
  };
  if (!f.filter_mode)
    out.push_back(err("seccomp", "seccomp filters are not available in this kernel/session",
                      "use a kernel with CONFIG_SECCOMP_FILTER, or run with --profile none (no syscall filter)"));
  else if (!f.actions_avail.empty() && !has("errno"))
    out.push_back(err("seccomp", "SECCOMP_RET_ERRNO missing from actions_avail: " + f.actions_avail,
                      "use a kernel with full seccomp support, or --profile none"));
  else
    out.push_back(ok("seccomp", "filters available" + (f.actions_avail.empty() ? std::string() : " (actions: " + f.actions_avail + ")")));
  if (f.user_notif)
    out.push_back(ok("seccomp user notification", "SECCOMP_RET_USER_NOTIF works (denial log, learn mode)"));
  else
    out.push_back(warn("seccomp user notification", "SECCOMP_RET_USER_NOTIF not available: refused syscalls are not logged",
                       "use Linux >= 5.0 (5.9+ recommended) for --log and `learn`"));
  return out;
}

// ---------------------------------------------------------------- VS Code settings

std::string expand_vscode_path(const std::string& v, const SettingsContext& ctx) {
  std::string s = v;
  if (s == "~" || s.rfind("~/", 0) == 0) s = ctx.home + s.substr(1);
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  };
  replace_all("${userHome}", ctx.home);
  replace_all("${workspaceFolder}", ctx.workspace);
  replace_all("${workspaceRoot}", ctx.workspace);
  for (size_t p = s.find("${env:"); p != std::string::npos; p = s.find("${env:", p)) {
    size_t e = s.find('}', p);
    if (e == std::string::npos) break;
    std::string name = s.substr(p + 6, e - p - 6);
    auto it = ctx.env.find(name);
    std::string val = it == ctx.env.end() ? "" : it->second;
    s.replace(p, e - p + 1, val);
    p += val.size();
  }
  return s;
}

std::vector<Check> check_vscode_settings(const json::Value& settings, const SettingsContext& ctx) {
  std::vector<Check> out;
  const std::string where = " (" + ctx.file + ")";
  auto real = [&](const std::string& p) { return strip_slash(ctx.real_path ? ctx.real_path(p) : p); };
  auto same = [&](const std::string& a, const std::string& b) { return !a.empty() && !b.empty() && real(a) == real(b); };

  // go.alternateTools.gopls
  const std::string alt_name = "vscode go.alternateTools.gopls";
  const json::Value* alt = settings["go.alternateTools"].find("gopls");
  if (!alt || !alt->is_string() || alt->as_string().empty()) {
    out.push_back(warn(alt_name, "not set" + where + ": VS Code runs a plain, unsandboxed gopls",
                       "add \"go.alternateTools\": {\"gopls\": \"/usr/local/libexec/gopls-sandbox/gopls\"}"));
  } else {
    std::string raw = alt->as_string();
    std::string p = expand_vscode_path(raw, ctx);
    if (p.empty() || p[0] != '/') {
      out.push_back(warn(alt_name, "\"" + raw + "\" is not an absolute path" + where +
                                       ": vscode-go looks it up in GOBIN, GOPATH/bin and PATH",
                         "use the absolute path of the launcher's gopls link (e.g. /usr/local/libexec/gopls-sandbox/gopls)"));
    } else {
      ExecFacts f = ctx.probe_exec ? ctx.probe_exec(p) : ExecFacts{};
      if (!f.exists || f.is_dir || !f.executable) {
        std::string what = !f.exists ? "does not exist" : f.is_dir ? "is a directory" : "is not executable";
        out.push_back(err(alt_name, p + " " + what + where +
                                        ": vscode-go silently falls back to an unsandboxed gopls",
                          "install the launcher (sudo cmake --install build) or correct the path to an existing executable"));
      } else {
        bool in_bin = false;
        std::string bindir;
        std::vector<std::string> bins;
        if (!ctx.gobin.empty()) bins.push_back(ctx.gobin);
        if (ctx.go) {
          std::string gp = ctx.go->gopath;
          for (size_t i = 0; i <= gp.size();) {
            size_t j = gp.find(':', i);
            if (j == std::string::npos) j = gp.size();
            if (j > i) bins.push_back(gp.substr(i, j - i) + "/bin");
            i = j + 1;
          }
        }
        for (const auto& b : bins) {
          std::string rb = real(b);
          std::string dir = p.substr(0, p.rfind('/'));
          if (same(dir, b) || path_is_under(real(p), rb)) {
            in_bin = true;
            bindir = b;
            break;
          }
        }
        if (in_bin)
          out.push_back(warn(alt_name, p + " is inside " + bindir + where +
                                           ": `go install …/gopls@…` (tool updates) overwrites it",
                             "use /usr/local/libexec/gopls-sandbox/gopls and set \"go.toolsManagement.autoUpdate\": false"));
        else if (!f.is_launcher)
          out.push_back(warn(alt_name, p + " -> " + (f.resolved.empty() ? p : f.resolved) +
                                           " is not gopls-sandbox" + where + ": gopls would run unsandboxed",
                             "point it at the launcher's gopls link (/usr/local/libexec/gopls-sandbox/gopls)"));
        else
          out.push_back(ok(alt_name, p + " (the launcher)" + where));
      }
    }
  }

  // go.goroot / go.gopath and go.toolsEnvVars against `go env`.
  const json::Value& tev = settings["go.toolsEnvVars"];
  struct Var {
    const char* setting;  // VS Code setting, or nullptr
    const char* name;
    std::string go_value;
  };
  std::vector<Var> vars = {{"go.goroot", "GOROOT", ctx.go ? ctx.go->goroot : ""},
                           {"go.gopath", "GOPATH", ctx.go ? ctx.go->gopath : ""},
                           {nullptr, "GOMODCACHE", ctx.go ? ctx.go->gomodcache : ""},
                           {nullptr, "GOCACHE", ctx.go ? ctx.go->gocache : ""}};
  for (const auto& v : vars) {
    std::vector<std::pair<std::string, std::string>> sources;  // (setting, value)
    if (v.setting && settings[v.setting].is_string() && !settings[v.setting].as_string().empty())
      sources.push_back({v.setting, settings[v.setting].as_string()});
    if (tev[v.name].is_string() && !tev[v.name].as_string().empty())
      sources.push_back({std::string("go.toolsEnvVars.") + v.name, tev[v.name].as_string()});
    for (const auto& [setting, raw] : sources) {
      std::string name = "vscode " + setting;
      std::string val = expand_vscode_path(raw, ctx);
      bool is_list = std::string(v.name) == "GOPATH";
      std::string first = is_list ? val.substr(0, val.find(':')) : val;
      bool exists = ctx.dir_exists ? ctx.dir_exists(first) : true;
      if (!exists && std::string(v.name) == "GOROOT") {
        out.push_back(err(name, val + " does not exist" + where + ": the go command and gopls fail with it",
                          "set it to your Go installation (`go env GOROOT`) or remove the setting"));
        continue;
      }
      if (!ctx.go) {
        out.push_back(warn(name, val + where + ": cannot compare, `go env` did not run", "fix the go checks above first"));
        continue;
      }
      if (same(val, v.go_value) || (is_list && val == v.go_value)) {
        out.push_back(ok(name, val + " agrees with `go env`" + where));
        continue;
      }
      out.push_back(warn(name, "VS Code passes " + std::string(v.name) + "=" + val + where + ", `go env` here says " +
                                   (v.go_value.empty() ? "\"\"" : v.go_value) +
                                   ": gopls in VS Code sees (and the sandbox mounts) a different directory than your shell",
                         "make them agree: remove the setting or `go env -w " + std::string(v.name) + "=" + val + "`"));
    }
  }

  // GOPLS_SANDBOX_* variables in go.toolsEnvVars: the launcher's own configuration.
  std::map<std::string, std::string> sandbox_env;
  for (const auto& [k, v] : tev.as_object())
    if (k.rfind("GOPLS_SANDBOX_", 0) == 0) sandbox_env[k] = v.is_string() ? v.as_string() : v.dump();
  if (!sandbox_env.empty()) {
    auto parsed = parse_env(sandbox_env);
    std::string keys;
    for (const auto& [k, v] : sandbox_env) keys += (keys.empty() ? "" : ", ") + k;
    if (!parsed)
      out.push_back(err("vscode go.toolsEnvVars", parsed.error().message + where,
                        parsed.error().hint.empty() ? "fix the value (see README \"Options\")" : parsed.error().hint));
    else
      out.push_back(ok("vscode go.toolsEnvVars", keys + " valid" + where));
    auto g = sandbox_env.find("GOPLS_SANDBOX_GOPLS");
    if (g != sandbox_env.end() && !g->second.empty() && g->second[0] == '/' && ctx.probe_exec) {
      ExecFacts f = ctx.probe_exec(g->second);
      if (!f.exists || !f.executable || f.is_dir)
        out.push_back(err("vscode go.toolsEnvVars.GOPLS_SANDBOX_GOPLS", g->second + " is not an executable file" + where,
                          "point it at the real gopls (`command -v gopls`)"));
      else if (f.is_launcher)
        out.push_back(err("vscode go.toolsEnvVars.GOPLS_SANDBOX_GOPLS", g->second + " is gopls-sandbox itself" + where,
                          "point it at the real gopls binary, not the launcher"));
    }
  }
  return out;
}

// ---------------------------------------------------------------- startup

std::vector<json::Value> parse_denial_log(std::string_view text) {
  std::vector<json::Value> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t e = text.find('\n', i);
    if (e == std::string_view::npos) e = text.size();
    std::string_view line = text.substr(i, e - i);
    i = e + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto v = json::parse(line);
    if (v && v->is_object()) out.push_back(std::move(*v));
  }
  return out;
}

std::string summarize_denials(const std::vector<json::Value>& records, size_t max_items) {
  // Group by (syscall, comm, errno, rule), summing counts, in order of first appearance.
  struct G {
    std::string syscall, comm, err, rule;
    int64_t count = 0;
  };
  std::vector<G> groups;
  for (const auto& r : records) {
    if (r["action"].is_string() && r["action"].as_string() != "errno") continue;
    G g{r["syscall"].as_string(), r["comm"].as_string(), r["errno_name"].as_string(), r["rule"].as_string(),
        std::max<int64_t>(1, r["count"].as_int(1))};
    auto it = std::find_if(groups.begin(), groups.end(), [&](const G& x) {
      return x.syscall == g.syscall && x.comm == g.comm && x.err == g.err && x.rule == g.rule;
    });
    if (it == groups.end()) groups.push_back(g);
    else it->count += g.count;
  }
  std::string s;
  for (size_t i = 0; i < groups.size() && i < max_items; ++i) {
    const G& g = groups[i];
    if (i) s += ", ";
    s += g.syscall.empty() ? "?" : g.syscall;
    if (g.count > 1) s += " \xC3\x97" + std::to_string(g.count);
    s += " (comm " + (g.comm.empty() ? std::string("?") : g.comm);
    if (!g.err.empty()) s += ", " + g.err;
    if (!g.rule.empty()) s += ", rule " + g.rule;
    s += ")";
  }
  if (groups.size() > max_items) s += ", … " + std::to_string(groups.size() - max_items) + " more";
  return s;
}

std::string tail_lines(std::string_view text, size_t lines, size_t max_bytes) {
  std::vector<std::string_view> ls;
  size_t i = 0;
  while (i < text.size()) {
    size_t e = text.find('\n', i);
    if (e == std::string_view::npos) e = text.size();
    std::string_view l = text.substr(i, e - i);
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.remove_suffix(1);
    if (!l.empty()) ls.push_back(l);
    i = e + 1;
  }
  std::string out;
  size_t from = ls.size() > lines ? ls.size() - lines : 0;
  for (size_t k = from; k < ls.size(); ++k) {
    out.append(ls[k]);
    out += '\n';
  }
  if (out.size() > max_bytes) out = "…" + out.substr(out.size() - max_bytes);
  return out;
}

Check startup_check(const StartupResult& r) {
  const std::string n = "startup reproduction";
  if (!r.ran) return err(n, r.note.empty() ? "could not start the launcher" : r.note, "see the checks above");
  std::string steps;
  for (const auto& s : r.steps) steps += (steps.empty() ? "" : ", ") + s.name + " " + fmt_ms(s.ms);
  std::string denials = summarize_denials(r.denials);
  if (r.failed_step.empty()) {
    std::string d = "initialize/initialized/shutdown/exit: " + steps;
    if (!r.server_name.empty()) d += " (" + r.server_name + ")";
    if (!denials.empty())
      return warn(n, d + "; refused syscalls: " + denials,
                  "if a feature misbehaves, `gopls-sandbox diagnose` the log or add the syscalls to a custom profile");
    return ok(n, d);
  }
  // A named cause.
  std::string cause;
  if (r.timed_out)
    cause = "no answer to `" + r.failed_step + "` within " + fmt_ms(r.timeout_s * 1000) + " (killed)";
  else if (r.exit_status >= 0)
    cause = "the server exited with status " + std::to_string(r.exit_status) + " before answering `" + r.failed_step + "`";
  else
    cause = "`" + r.failed_step + "` failed";
  if (!r.note.empty()) cause += " (" + r.note + ")";
  if (!denials.empty()) cause += "; refused syscalls: " + denials;
  std::string last = tail_lines(r.stderr_tail, 1, 300);
  if (!last.empty()) {
    last.pop_back();
    cause += "; stderr: " + last;
  } else if (!r.timed_out) {
    cause += "; nothing on stderr";
  }
  std::string fix;
  if (!denials.empty())
    fix = "the seccomp profile refused syscalls" +
          (r.denial_log.empty() ? std::string() : " (`gopls-sandbox diagnose " + r.denial_log + "`)") +
          ": confirm with `gopls-sandbox run --profile none`, then allow them in a custom profile";
  else if (r.exit_status == 125)
    fix = "the sandbox could not be set up: fix the user namespace / mount errors named in stderr";
  else if (r.exit_status == 126 || r.exit_status == 127)
    fix = "gopls was not found or is not executable: install gopls or set --gopls / GOPLS_SANDBOX_GOPLS";
  else if (r.timed_out)
    fix = "gopls hangs: run `gopls-sandbox run -v -- -rpc.trace` in the workspace and look at its stderr";
  else
    fix = "run `gopls-sandbox run -v` in the workspace to see the whole stderr of the failing server";
  return err(n, cause, fix);
}

json::Value startup_to_json(const StartupResult& r) {
  json::Value v;
  v.set("ran", r.ran);
  v.set("ok", r.ran && r.failed_step.empty());
  json::Value steps;
  steps.array();
  for (const auto& s : r.steps) {
    json::Value st;
    st.set("step", s.name);
    st.set("ms", s.ms);
    steps.push(st);
  }
  v.set("steps", steps);
  v.set("failed_step", r.failed_step.empty() ? json::Value(nullptr) : json::Value(r.failed_step));
  v.set("timed_out", r.timed_out);
  v.set("timeout_seconds", r.timeout_s);
  v.set("exit_status", r.exit_status >= 0 ? json::Value(r.exit_status) : json::Value(nullptr));
  if (!r.server_name.empty()) v.set("server", r.server_name);
  if (!r.note.empty()) v.set("note", r.note);
  json::Value d;
  d.array();
  for (const auto& x : r.denials) d.push(x);
  v.set("denials", d);
  if (!r.denial_log.empty()) v.set("denial_log", r.denial_log);
  v.set("stderr_tail", r.stderr_tail);
  return v;
}

json::Value startup_initialize_params(const std::string& workspace, int process_id) {
  json::Value init;
  init.set("processId", process_id);
  init.set("rootUri", "file://" + workspace);
  json::Value caps;
  json::Value wsc;
  wsc.set("configuration", true);
  wsc.set("workspaceFolders", true);
  caps.set("workspace", wsc);
  init.set("capabilities", caps);
  json::Value folders;
  json::Value f;
  f.set("uri", "file://" + workspace);
  f.set("name", "doctor");
  folders.push(f);
  init.set("workspaceFolders", folders);
  json::Value ci;
  ci.set("name", "gopls-sandbox doctor");
  init.set("clientInfo", ci);
  return init;
}

std::string startup_server_name(const json::Value& resp) {
  const json::Value& si = resp["result"]["serverInfo"];
  if (!si.is_object()) return {};
  std::string ver = si["version"].as_string();
  if (auto vj = json::parse(ver); vj && vj->is_object()) {
    std::string mv = (*vj)["Main"]["Version"].as_string();
    ver = (mv.empty() ? std::string("(devel)") : mv);
    if ((*vj)["GoVersion"].is_string()) ver += ", built with " + (*vj)["GoVersion"].as_string();
  }
  std::string name = si["name"].as_string() + (ver.empty() ? "" : " " + ver);
  if (name.size() > 120) name = name.substr(0, 120) + "…";
  return name;
}

std::string startup_step_error(const std::string& step, const json::Value& response) {
  if (!response.find("error")) return {};
  return step + " returned an error: " + response["error"]["message"].as_string();
}

std::string startup_exit_error(int exit_status) {
  if (exit_status == 0) return {};
  return "exit status " + std::to_string(exit_status) + " after `exit` (expected 0)";
}

// ---------------------------------------------------------------- report

int doctor_exit_code(const std::vector<Check>& checks) {
  for (const auto& c : checks)
    if (c.status == CheckStatus::Error) return 1;
  return 0;
}

namespace {

DoctorReport report_of(std::vector<std::string> notes, std::vector<Check> checks, const StartupResult* startup) {
  DoctorReport r;
  r.notes = std::move(notes);
  r.checks = std::move(checks);
  for (const auto& c : r.checks) {
    if (c.status == CheckStatus::Ok) ++r.ok;
    else if (c.status == CheckStatus::Warning) ++r.warnings;
    else ++r.errors;
  }
  r.exit_status = doctor_exit_code(r.checks);
  if (startup) {
    r.startup = *startup;
    if (startup->ran && !startup->failed_step.empty()) {
      r.startup_failure = "startup reproduction failed at `" + startup->failed_step + "`";
      if (startup->exit_status >= 0) r.startup_failure += "; exit status " + std::to_string(startup->exit_status);
      std::string t = tail_lines(startup->stderr_tail);
      size_t i = 0;
      while (i < t.size()) {
        size_t e = t.find('\n', i);
        r.startup_stderr.push_back(t.substr(i, e - i));
        i = e + 1;
      }
    }
  }
  return r;
}

}  // namespace

DoctorReport make_doctor_report(std::vector<std::string> notes, std::vector<Check> checks,
                                std::optional<StartupResult> startup) {
  if (startup) checks.push_back(startup_check(*startup));
  return report_of(std::move(notes), std::move(checks), startup ? &*startup : nullptr);
}

std::string to_text(const DoctorReport& r) {
  std::string o;
  for (const auto& n : r.notes) o += n + "\n";
  size_t w = 5;
  for (const auto& c : r.checks) w = std::max(w, c.name.size());
  w = std::min<size_t>(w, 44);
  auto pad = [](std::string s, size_t n) {
    if (s.size() < n) s.append(n - s.size(), ' ');
    return s;
  };
  o += pad("STATUS", 9) + pad("CHECK", w + 2) + "DETAIL\n";
  for (const auto& c : r.checks) {
    o += pad(status_name(c.status), 9) + pad(c.name, w + 2) + c.detail + "\n";
    if (c.status != CheckStatus::Ok && !c.fix.empty()) o += pad("", 9) + pad("", w + 2) + "fix: " + c.fix + "\n";
  }
  if (!r.startup_failure.empty()) {
    o += "\n" + r.startup_failure + "\n";
    if (!r.startup_stderr.empty()) {
      o += "stderr (last lines):\n";
      for (const auto& l : r.startup_stderr) o += "  " + l + "\n";
    }
  }
  o += "\n" + std::to_string(r.ok) + " ok, " + std::to_string(r.warnings) + " warning" + (r.warnings == 1 ? "" : "s") +
       ", " + std::to_string(r.errors) + " error" + (r.errors == 1 ? "" : "s") + "\n";
  return o;
}

json::Value to_json(const DoctorReport& r) {
  json::Value v;
  json::Value notes;
  notes.array();
  for (const auto& n : r.notes) notes.push(json::Value(n));
  v.set("notes", notes);
  json::Value arr;
  arr.array();
  for (const auto& c : r.checks) {
    json::Value x;
    x.set("check", c.name);
    x.set("status", status_name(c.status));
    x.set("detail", c.detail);
    x.set("fix", c.fix);
    arr.push(x);
  }
  v.set("checks", arr);
  v.set("startup", r.startup ? startup_to_json(*r.startup) : json::Value(nullptr));
  json::Value s;
  s.set("ok", r.ok);
  s.set("warning", r.warnings);
  s.set("error", r.errors);
  v.set("summary", s);
  v.set("exit_status", r.exit_status);
  return v;
}

// ---- gopls and go versions --------------------------------------------------------------------

GoVersion parse_go_version(std::string_view v) {
  GoVersion r;
  if (v.starts_with("go")) v.remove_prefix(2);
  int* parts[3] = {&r.major, &r.minor, &r.patch};
  size_t i = 0;
  for (int k = 0; k < 3; ++k) {
    if (i >= v.size() || v[i] < '0' || v[i] > '9') {
      if (k == 0) return r;
      break;
    }
    int n = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9' && n < 100000) n = n * 10 + (v[i++] - '0');
    *parts[k] = n;
    if (i < v.size() && v[i] == '.') ++i;
    else break;
  }
  for (std::string_view tag : {"rc", "beta"}) {
    if (v.substr(i).starts_with(tag)) {
      int n = 0;
      for (size_t j = i + tag.size(); j < v.size() && v[j] >= '0' && v[j] <= '9' && n < 1000; ++j)
        n = n * 10 + (v[j] - '0');
      r.pre = (tag == "beta" ? -2000 : -1000) + n;  // beta < rc < the release (0)
    }
  }
  r.ok = true;
  return r;
}

int compare_go_versions(const GoVersion& a, const GoVersion& b) {
  for (auto [x, y] : {std::pair{a.major, b.major}, {a.minor, b.minor}, {a.patch, b.patch}, {a.pre, b.pre}})
    if (x != y) return x < y ? -1 : 1;
  return 0;
}

GoModVersions parse_gomod_versions(std::string_view text) {
  GoModVersions r;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (auto c = line.find("//"); c != std::string_view::npos) line = line.substr(0, c);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
    auto word = [&](std::string_view kw, std::string& out) {
      if (line.starts_with(kw) && line.size() > kw.size() && (line[kw.size()] == ' ' || line[kw.size()] == '\t')) {
        std::string_view rest = line.substr(kw.size());
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
        out = std::string(rest);
      }
    };
    word("go", r.go);
    word("toolchain", r.toolchain);
  }
  return r;
}

std::string wanted_toolchain(const GoModVersions& v) {
  if (!v.toolchain.empty()) return v.toolchain.starts_with("go") ? v.toolchain : "go" + v.toolchain;
  if (v.go.empty()) return "";
  return "go" + v.go;
}

Check check_gopls_go_match(const std::string& gopls, const std::string& built_with, const std::string& go,
                           const std::string& go_version) {
  const std::string name = "gopls vs go";
  GoVersion b = parse_go_version(built_with), g = parse_go_version(go_version);
  if (!b.ok || !g.ok)
    return ok(name, "not compared (" + gopls + " built with " + (built_with.empty() ? "?" : built_with) + ", " + go +
                        " is " + (go_version.empty() ? "?" : go_version) + ")");
  if (b.major < g.major || (b.major == g.major && b.minor < g.minor))
    return err(name,
               gopls + " was built with " + built_with + ", older than " + go + " (" + go_version +
                   ") it will run: its type checker cannot read the newer standard library, so gopls fails "
                   "even without the sandbox",
               "install a current gopls with that go (`go install golang.org/x/tools/gopls@latest`) or put a go" +
                   std::to_string(b.major) + "." + std::to_string(b.minor) + " first on PATH");
  return ok(name, gopls + " built with " + built_with + ", " + go + " is " + go_version);
}

Check check_toolchain(const ToolchainFacts& f) {
  const std::string name = "toolchain";
  if (f.file.empty()) return ok(name, "no go.mod or go.work in the workspace");
  std::string want = wanted_toolchain(f.wanted);
  GoVersion w = parse_go_version(want), l = parse_go_version(f.local_version);
  if (want.empty() || !w.ok || !l.ok || compare_go_versions(w, l) <= 0)
    return ok(name, f.file + " asks for " + (want.empty() ? std::string("no particular go") : want) + "; the local go is " +
                        f.local_version);
  std::string what = f.file + " asks for " + want + " (" +
                     (f.wanted.toolchain.empty() ? "go " + f.wanted.go : "toolchain " + f.wanted.toolchain) +
                     "), newer than the local " + f.local_version;
  if (f.gotoolchain == "local" || f.gotoolchain.ends_with("+local") ||
      (!f.gotoolchain.empty() && f.gotoolchain != "auto" && !f.gotoolchain.ends_with("+auto") &&
       !f.gotoolchain.ends_with("+path")))
    return err(name, what + ", and GOTOOLCHAIN=" + f.gotoolchain + " forbids switching: go and gopls fail to load it",
               "install " + want + " (or lower the go/toolchain line), or set GOTOOLCHAIN=auto");
  if (f.cached)
    return ok(name, what + "; go runs it from GOMODCACHE (golang.org/toolchain, already downloaded, bound read-write)");
  if (f.network)
    return ok(name, what + "; go downloads golang.org/toolchain into " + f.gomodcache + " on first use (network shared)");
  return err(name,
             what + ": go would download it (golang.org/toolchain), but the sandbox has no network, so every go "
                    "command gopls runs fails (\"go: download " + want + " ...\") and gopls loads no packages",
             "run `go version` once in the workspace outside the sandbox (it downloads the toolchain into " +
                 f.gomodcache + ", which the sandbox binds), or use --share-net, or install " + want);
}

}  // namespace gsb::core
