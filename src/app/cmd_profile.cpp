// gopls-sandbox profile list | check | show | export | generate
//
// Only requested output goes to stdout; diagnostics go to stderr as "FILE:LINE:COL: message".
// Exit status: 0 fine, 2 usage/profile error (also: any `check` failure), 125 I/O failure.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "gopls_sandbox/app/cli.hpp"
#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/never_learned.hpp"
#include "gopls_sandbox/core/text.hpp"
#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/syscall_groups.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"
#include "gopls_sandbox/sys/console.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/output_file.hpp"
#include "gopls_sandbox/sys/self.hpp"

namespace gsb::app {

namespace {

namespace fs = std::filesystem;
using core::Action;
using core::ActionKind;

constexpr const char* kCmd = "gopls-sandbox profile";

int fail(const Error& e) {
  std::fprintf(stderr, "%s\n", e.message.c_str());
  if (!e.hint.empty()) std::fprintf(stderr, "  hint: %s\n", e.hint.c_str());
  return exit_code_for(e.kind);
}

std::vector<std::string> search_path() {
  return core::profile_search_path(sys::env_or_null("XDG_CONFIG_HOME"), sys::env_or_null("HOME"));
}

// Loads and compiles in every delivery mode: a profile that loads but cannot be compiled is
// not a valid profile either.
Result<core::Profile> load_and_compile(const std::string& ref) {
  auto p = core::load_profile(ref, search_path());
  if (!p) return std::move(p).error();
  for (auto d : {core::Delivery::Errno, core::Delivery::Notify, core::Delivery::Learn}) {
    auto c = core::compile_policy(*p, d);
    if (!c) {
      Error e = std::move(c).error();
      if (e.message.rfind(p->source_path, 0) != 0) e.message = p->source_path + ": " + e.message;
      return e;
    }
  }
  return p;
}

std::string cond_text(const core::ArgCond& c) {
  char buf[128];
  if (c.op == core::CmpOp::MaskedEq)
    std::snprintf(buf, sizeof buf, "(arg%u & 0x%llx) == 0x%llx", c.index,
                  static_cast<unsigned long long>(c.mask), static_cast<unsigned long long>(c.value));
  else
    std::snprintf(buf, sizeof buf, "arg%u %s 0x%llx", c.index, std::string(core::cmp_op_name(c.op)).c_str(),
                  static_cast<unsigned long long>(c.value));
  return buf;
}

std::string rule_text(const core::CondRule& r) {
  std::string s;
  for (const auto& c : r.conds) s += (s.empty() ? "" : " && ") + cond_text(c);
  return s;
}

json::Value action_json(const Action& a) {
  json::Object o;
  o.emplace_back("action", a.kind == ActionKind::Allow ? "allow"
                           : a.kind == ActionKind::Kill ? "kill"
                           : a.kind == ActionKind::Log  ? "log"
                                                        : "errno");
  if (a.kind == ActionKind::Errno) o.emplace_back("errno", gsb::errno_name(a.err));
  return json::Value(std::move(o));
}

json::Value cond_json(const core::ArgCond& c) {
  json::Object o;
  o.emplace_back("index", static_cast<unsigned>(c.index));
  o.emplace_back("op", std::string(core::cmp_op_name(c.op)));
  o.emplace_back("value", static_cast<unsigned long long>(c.value));
  if (c.op == core::CmpOp::MaskedEq) o.emplace_back("mask", static_cast<unsigned long long>(c.mask));
  return json::Value(std::move(o));
}

// ---------------------------------------------------------------------------------------
// list

int do_list(bool as_json) {
  json::Array out;
  std::set<std::string> seen;
  struct Row {
    std::string name, desc, path;
    bool shadowed;
    std::string error;
  };
  std::vector<Row> rows;
  for (const auto& dir : search_path()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".toml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (auto& f : files) {
      Row r;
      r.path = f.string();
      r.name = f.stem().string();
      r.shadowed = !seen.insert(r.name).second;
      auto p = core::load_profile(r.path, search_path());
      if (p) {
        r.desc = p->description;
        if (p->name != r.name) r.error = "declares name \"" + p->name + "\"";
      } else {
        r.error = p.error().message;
      }
      rows.push_back(std::move(r));
    }
  }
  if (as_json) {
    for (auto& r : rows) {
      json::Object o;
      o.emplace_back("name", r.name);
      o.emplace_back("description", r.desc);
      o.emplace_back("path", r.path);
      o.emplace_back("shadowed", r.shadowed);
      o.emplace_back("valid", r.error.empty());
      if (!r.error.empty()) o.emplace_back("error", r.error);
      out.emplace_back(std::move(o));
    }
    std::printf("%s\n", json::Value(std::move(out)).dump(2).c_str());
    return 0;
  }
  size_t w = 4;
  for (auto& r : rows) w = std::max(w, r.name.size());
  for (auto& r : rows) {
    std::string d = r.error.empty() ? r.desc : "(invalid: " + r.error + ")";
    if (r.shadowed) d += " (shadowed)";
    std::printf("%-*s  %s\n%-*s  %s\n", static_cast<int>(w), r.name.c_str(), d.c_str(),
                static_cast<int>(w), "", r.path.c_str());
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// check

int do_check(const std::vector<std::string>& files, bool as_json) {
  bool all_ok = true;
  json::Array out;
  for (const auto& f : files) {
    auto p = load_and_compile(f);
    json::Object o;
    o.emplace_back("file", f);
    o.emplace_back("ok", p.ok());
    if (p) {
      o.emplace_back("name", p->name);
      if (!as_json) std::printf("%s: ok (%s)\n", f.c_str(), p->name.c_str());
      // Warnings, not errors (exit status unchanged): the profile allows a call that learn and
      // generate never allow (core/never_learned.hpp). One line per syscall.
      json::Array warnings;
      for (const auto& a : core::profile_allows_never_learned(*p)) {
        std::string w = "allows " + a.syscall + (a.what.empty() ? "" : " " + a.what) + " (rule " + a.rule +
                        "): never learned, " + std::string(a.reason);
        std::fprintf(stderr, "%s: warning: %s\n", f.c_str(), core::printable(w).c_str());
        warnings.emplace_back(w);
      }
      if (!warnings.empty()) o.emplace_back("warnings", json::Value(std::move(warnings)));
    } else {
      all_ok = false;
      o.emplace_back("error", p.error().message);
      std::fprintf(stderr, "%s\n", p.error().message.c_str());
    }
    out.emplace_back(std::move(o));
  }
  if (as_json) std::printf("%s\n", json::Value(std::move(out)).dump(2).c_str());
  return all_ok ? 0 : 2;
}

// ---------------------------------------------------------------------------------------
// show

int do_show_groups(bool as_json) {
  json::Array out;
  for (const auto& g : core::builtin_groups()) {
    auto flat = core::expand_group(g.name);
    if (as_json) {
      json::Object o;
      o.emplace_back("name", g.name);
      o.emplace_back("description", g.description);
      json::Array m, f;
      for (auto x : g.members) m.emplace_back(x);
      if (flat)
        for (auto& x : *flat) f.emplace_back(x);
      o.emplace_back("members", json::Value(std::move(m)));
      o.emplace_back("syscalls", json::Value(std::move(f)));
      out.emplace_back(std::move(o));
    } else {
      std::printf("%s\n    # %s\n   ", std::string(g.name).c_str(), std::string(g.description).c_str());
      size_t col = 3;
      for (auto x : g.members) {
        if (col + x.size() + 1 > 96) std::printf("\n   "), col = 3;
        std::printf(" %s", std::string(x).c_str());
        col += x.size() + 1;
      }
      std::printf("\n\n");
    }
  }
  if (as_json) std::printf("%s\n", json::Value(std::move(out)).dump(2).c_str());
  return 0;
}

int do_show(const std::string& ref, bool as_json) {
  auto p = core::load_profile(ref, search_path());
  if (!p) return fail(p.error());
  const core::Profile& pr = *p;
  const std::string def_origin = "default_action";
  if (as_json) {
    json::Object o;
    o.emplace_back("name", pr.name);
    o.emplace_back("description", pr.description);
    o.emplace_back("source", pr.source_path);
    json::Array inc;
    for (auto& i : pr.includes) inc.emplace_back(i);
    o.emplace_back("includes", json::Value(std::move(inc)));
    o.emplace_back("default", action_json(pr.default_action));
    o.emplace_back("unknown_errno", gsb::errno_name(pr.unknown_errno));
    o.emplace_back("syscall_table", std::string(core::syscall_table_version()));
    json::Object st;
    auto strs = json::string_array;
    st.emplace_back("bind", strs(pr.settings.binds));
    st.emplace_back("ro_bind", strs(pr.settings.ro_binds));
    st.emplace_back("share_net", pr.settings.share_net ? json::Value(*pr.settings.share_net) : json::Value());
    st.emplace_back("unset_env", strs(pr.settings.unset_env));
    st.emplace_back("set_env", strs(pr.settings.set_env));
    o.emplace_back("sandbox", json::Value(std::move(st)));
    json::Array sys;
    for (const auto& sc : core::x86_64_syscalls()) {
      json::Object s;
      s.emplace_back("name", sc.name);
      s.emplace_back("nr", sc.nr);
      if (core::is_always_allowed(sc.nr)) {
        s.emplace_back("action", "allow");
        s.emplace_back("origin", "always allowed (launcher)");
      } else if (auto it = pr.syscalls.find(sc.nr); it != pr.syscalls.end()) {
        const auto& sp = it->second;
        const Action base = sp.base ? *sp.base : pr.default_action;
        json::Value a = action_json(base);
        for (auto& kv : a.as_object()) s.emplace_back(kv.first, kv.second);
        s.emplace_back("origin", sp.base ? core::origin_text(sp.base_origin) : def_origin);
        if (sp.cond_action) {
          json::Array rules;
          for (const auto& r : sp.cond_rules) {
            json::Object ro;
            json::Value ca = action_json(*sp.cond_action);
            for (auto& kv : ca.as_object()) ro.emplace_back(kv.first, kv.second);
            json::Array conds;
            for (auto& c : r.conds) conds.push_back(cond_json(c));
            ro.emplace_back("args", json::Value(std::move(conds)));
            ro.emplace_back("origin", core::origin_text(r.origin));
            rules.emplace_back(std::move(ro));
          }
          s.emplace_back("rules", json::Value(std::move(rules)));
        }
      } else {
        json::Value a = action_json(pr.default_action);
        for (auto& kv : a.as_object()) s.emplace_back(kv.first, kv.second);
        s.emplace_back("origin", def_origin);
      }
      sys.emplace_back(std::move(s));
    }
    o.emplace_back("syscalls", json::Value(std::move(sys)));
    std::printf("%s\n", json::Value(std::move(o)).dump(2).c_str());
    return 0;
  }
  std::printf("# profile %s: %s\n# source: %s\n", pr.name.c_str(), pr.description.c_str(),
              pr.source_path.c_str());
  for (auto& i : pr.includes) std::printf("# includes: %s\n", i.c_str());
  std::printf("# default: %s; newer than %s: %s\n", core::action_text(pr.default_action).c_str(),
              std::string(core::syscall_table_version()).c_str(),
              core::action_text(Action{ActionKind::Errno, pr.unknown_errno}).c_str());
  const auto& s = pr.settings;
  if (!s.binds.empty() || !s.ro_binds.empty() || s.share_net || !s.unset_env.empty() || !s.set_env.empty()) {
    std::string line = "# sandbox:";
    for (auto& b : s.binds) line += " bind=" + b;
    for (auto& b : s.ro_binds) line += " ro_bind=" + b;
    if (s.share_net) line += std::string(" share_net=") + (*s.share_net ? "true" : "false");
    for (auto& e : s.unset_env) line += " unset_env=" + e;
    for (auto& e : s.set_env) line += " set_env=" + e;
    std::printf("%s\n", line.c_str());
  }
  for (const auto& sc : core::x86_64_syscalls()) {
    std::string name(sc.name);
    if (core::is_always_allowed(sc.nr)) {
      std::printf("%-24s allow            always allowed (launcher)\n", name.c_str());
      continue;
    }
    auto it = pr.syscalls.find(sc.nr);
    if (it == pr.syscalls.end()) {
      std::printf("%-24s %-16s %s\n", name.c_str(), core::action_text(pr.default_action).c_str(),
                  def_origin.c_str());
      continue;
    }
    const auto& sp = it->second;
    if (sp.cond_action) {
      for (const auto& r : sp.cond_rules)
        std::printf("%-24s %-16s if %s  (%s)\n", name.c_str(),
                    core::action_text(*sp.cond_action).c_str(), rule_text(r).c_str(),
                    core::origin_text(r.origin).c_str());
      std::printf("%-24s %-16s otherwise  (%s)\n", name.c_str(),
                  core::action_text(sp.base ? *sp.base : pr.default_action).c_str(),
                  sp.base ? core::origin_text(sp.base_origin).c_str() : def_origin.c_str());
    } else {
      std::printf("%-24s %-16s %s\n", name.c_str(), core::action_text(*sp.base).c_str(),
                  core::origin_text(sp.base_origin).c_str());
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// export

int do_export(const std::string& ref, const std::string& format, const std::string& delivery,
              const std::string& out) {
  auto p = core::load_profile(ref, search_path());
  if (!p) return fail(p.error());
  std::string data;
  if (format == "bpf") {
    core::Delivery d = delivery == "notify"  ? core::Delivery::Notify
                       : delivery == "learn" ? core::Delivery::Learn
                                             : core::Delivery::Errno;
    auto c = core::compile_policy(*p, d);
    if (!c) return fail(c.error());
    data.assign(reinterpret_cast<const char*>(c->program.data()),
                c->program.size() * sizeof(sock_filter));
  } else {
    if (delivery != "errno") {
      std::fprintf(stderr, "%s export: --delivery applies to --format bpf only\n", kCmd);
      return 2;
    }
    data = core::export_oci_json(*p).dump(2) + "\n";
  }
  if (out.empty() || out == "-") {
    if (!sys::print_out_flushed(data)) {
      std::fprintf(stderr, "%s export: writing to stdout failed\n", kCmd);
      return 125;
    }
    return 0;
  }
  auto w = sys::replace_output_file(out, data);
  if (!w) return fail(w.error());
  return 0;
}

}  // namespace

int cmd_profile(const Args& args) {
  if (!args.empty() && args[0] == "generate")
    return cmd_profile_generate(Args(args.begin() + 1, args.end()));

  CLI::App app{"Seccomp profiles: list, validate, show, export and generate them.\n"
               "Profile format: profiles/README.md (installed under share/gopls-sandbox/profiles).",
               kCmd};
  app.require_subcommand(1);
  app.footer(
      "Profiles are found by name in $XDG_CONFIG_HOME/gopls-sandbox/profiles and the installed\n"
      "share/gopls-sandbox/profiles (a build-tree binary: also the source tree's profiles/);\n"
      "anything containing '/' or\n"
      "ending in .toml is a path. Exit status: 0 ok, 2 usage or profile error.");

  bool list_json = false;
  auto* list = app.add_subcommand("list", "List the profiles found: name, description and path");
  list->add_flag("--json", list_json, "Print a JSON array instead of text");

  bool check_json = false;
  std::vector<std::string> check_files;
  auto* check = app.add_subcommand(
      "check", "Validate profile files (parse, resolve includes and groups, compile).\n"
               "Errors are printed as FILE:LINE:COL: message; exit 2 if any file is invalid");
  check->add_option("FILE", check_files, "Profile files (or names) to check")->required();
  check->add_flag("--json", check_json, "Print a JSON array of {file, ok, name|error}");

  bool show_json = false, show_groups = false;
  std::string show_ref;
  auto* show = app.add_subcommand(
      "show", "Print the fully resolved policy: every x86_64 syscall with its action, argument\n"
              "conditions and where it came from (file:line:col, via @group, default_action)");
  show->add_option("PROFILE", show_ref, "Profile name or file");
  show->add_flag("--json", show_json, "Print JSON");
  show->add_flag("--groups", show_groups, "Print the table of @groups instead of a profile");

  std::string exp_ref, exp_format, exp_out, exp_delivery = "errno";
  auto* exp = app.add_subcommand(
      "export", "Export a profile for other tools:\n"
                "  bpf       raw struct sock_filter array (for bwrap --seccomp FD)\n"
                "  oci-json  OCI runtime-spec linux.seccomp object (podman, docker, crun)");
  exp->add_option("PROFILE", exp_ref, "Profile name or file")->required();
  exp->add_option("--format", exp_format, "bpf or oci-json")
      ->required()
      ->check(CLI::IsMember({"bpf", "oci-json"}));
  exp->add_option("-o,--output", exp_out, "Write to FILE instead of stdout");
  exp->add_option("--delivery", exp_delivery,
                  "For bpf: errno (default), notify (errno -> user notification), learn")
      ->check(CLI::IsMember({"errno", "notify", "learn"}));

  app.add_subcommand("generate",
                     "Generate a profile from strace logs (see 'profile generate --help')");

  if (auto rc = parse_cli(app, args, kCmd)) return *rc;

  if (list->parsed()) return do_list(list_json);
  if (check->parsed()) return do_check(check_files, check_json);
  if (show->parsed()) {
    if (show_groups) return do_show_groups(show_json);
    if (show_ref.empty()) {
      std::fprintf(stderr, "%s show: a PROFILE (name or file) is required (or --groups)\n", kCmd);
      return 2;
    }
    return do_show(show_ref, show_json);
  }
  if (exp->parsed()) return do_export(exp_ref, exp_format, exp_delivery, exp_out);
  return 2;
}

}  // namespace gsb::app
