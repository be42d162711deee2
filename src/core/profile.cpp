// Loading and resolving seccomp profiles (format: profiles/README.md).
//
// Resolution, per file: includes first (siblings must agree), then the file's own entries at
// two levels (reached through a @group < named explicitly), each level conflict-checked, then
// own-over-group and own-over-includes component-wise (base action / conditional rules).
#include "gopls_sandbox/core/profile.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>  // std::filesystem::path only: lexical operations, no file system access
#include "toml.hpp"

#include "gopls_sandbox/core/files.hpp"
#include "gopls_sandbox/core/syscall_groups.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"

namespace fs = std::filesystem;

namespace gsb::core {

// ---------------------------------------------------------------------------------------
// small helpers shared with policy.cpp (declared in profile.hpp)

std::string action_text(const Action& a) {
  switch (a.kind) {
    case ActionKind::Allow: return "allow";
    case ActionKind::Kill: return "kill";
    case ActionKind::Log: return "log";
    case ActionKind::Errno: return std::string("errno(") + errno_name(a.err) + ")";
  }
  return "?";
}

std::string_view cmp_op_name(CmpOp op) noexcept {
  switch (op) {
    case CmpOp::Eq: return "eq";
    case CmpOp::Ne: return "ne";
    case CmpOp::Lt: return "lt";
    case CmpOp::Le: return "le";
    case CmpOp::Gt: return "gt";
    case CmpOp::Ge: return "ge";
    case CmpOp::MaskedEq: return "masked_eq";
  }
  return "?";
}

bool cond_matches(const ArgCond& c, const uint64_t args[6]) noexcept {
  if (c.index > 5) return false;
  const uint64_t a = args[c.index];
  switch (c.op) {
    case CmpOp::Eq: return a == c.value;
    case CmpOp::Ne: return a != c.value;
    case CmpOp::Lt: return a < c.value;
    case CmpOp::Le: return a <= c.value;
    case CmpOp::Gt: return a > c.value;
    case CmpOp::Ge: return a >= c.value;
    case CmpOp::MaskedEq: return (a & c.mask) == c.value;
  }
  return false;
}

std::string origin_text(const Origin& o) {
  std::string s = o.file;
  if (o.line > 0) s += ":" + std::to_string(o.line) + ":" + std::to_string(o.col);
  if (!o.via.empty()) s += " via " + o.via;
  return s;
}

const std::vector<std::string_view>& always_allowed_syscalls() {
  // What the launcher's child calls after seccomp(2) and up to execve: execve itself (execveat
  // if it execs by fd), sendmsg to pass the listener fd, send (= sendto) / write to report
  // {phase, errno} to the parent on failure, close, _exit, signal-mask restore, and
  // rt_sigreturn if a signal lands in between. restart_syscall is the kernel's own way of
  // resuming a call a signal interrupted (Go's SIGURG preemption does this at random): refusing
  // it breaks whatever was interrupted, and no trace reliably shows it.
  // landlock_create_ruleset and landlock_restrict_self: the go shim (src/shim/go_nest.cpp) nests
  // a Landlock domain for every go command gopls starts, whatever the profile; they can only take
  // rights away (no_new_privs is set; landlock_add_rule, which needs an open ruleset, is not here).
  static const std::vector<std::string_view> v = {
      "close", "execve", "execveat", "exit", "exit_group", "landlock_create_ruleset", "landlock_restrict_self",
      "restart_syscall", "rt_sigprocmask", "rt_sigreturn", "sendmsg", "sendto", "write"};
  return v;
}

bool is_always_allowed(int nr) noexcept {
  for (auto n : always_allowed_syscalls())
    if (syscall_nr(n) == nr) return true;
  return false;
}

std::vector<std::string> profile_search_path(const char* xdg_config_home, const char* home,
                                             const std::string& self_exe, const FileReader& files) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  if (xdg_config_home && *xdg_config_home && xdg_config_home[0] == '/')
    out.push_back(std::string(xdg_config_home) + "/gopls-sandbox/profiles");
  else if (home && *home)
    out.push_back(std::string(home) + "/.config/gopls-sandbox/profiles");
  const std::string installed = std::string(GSB_INSTALL_DATA_DIR) + "/profiles";
  const std::string exe = self_exe.empty() ? std::string() : files.canonical(self_exe);
  // An installed binary: one with the share dir next to it (BINDIR/../share/gopls-sandbox/
  // profiles: a relocated install, a DESTDIR, an unpacked .deb), or one in the configured
  // BINDIR. It searches that share dir and the configured one, never the source tree.
  if (!exe.empty() && exe[0] == '/') {
    const fs::path bindir = fs::path(exe).parent_path();
    const std::string next_to =
        (bindir.parent_path() / "share/gopls-sandbox/profiles").lexically_normal().string();
    const bool has_share = files.is_directory(next_to);
    if (has_share || files.canonical(bindir.string()) == files.canonical(GSB_INSTALL_BINDIR)) {
      if (has_share && files.canonical(next_to) != files.canonical(installed)) out.push_back(next_to);
      out.push_back(installed);
      return out;
    }
  }
  // Any other binary (the build tree's, or a copy the tests make): the installed profiles,
  // then the source tree's.
  out.push_back(installed);
  out.push_back(GSB_SOURCE_PROFILE_DIR);
  return out;
}

namespace {

bool looks_like_path(std::string_view s) {
  return s.find('/') != std::string_view::npos || s.ends_with(".toml");
}

bool valid_profile_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

}  // namespace

Result<std::string> find_profile(std::string_view name_or_path,
                                 const std::vector<std::string>& search_path,
                                 const FileReader& files) {
  if (looks_like_path(name_or_path)) {
    if (!files.exists(std::string(name_or_path)))
      return Error::usage("profile " + std::string(name_or_path) + ": no such file");
    return std::string(name_or_path);
  }
  if (!valid_profile_name(name_or_path))
    return Error::usage("invalid profile name \"" + std::string(name_or_path) + "\"");
  for (const auto& dir : search_path) {
    std::string p = (fs::path(dir) / (std::string(name_or_path) + ".toml")).string();
    if (files.is_regular_file(p)) return p;
  }
  std::string where;
  for (const auto& d : search_path) where += (where.empty() ? "" : ", ") + d;
  return Error::usage("profile \"" + std::string(name_or_path) + "\" not found",
                      "looked in: " + where);
}

namespace {

// ---------------------------------------------------------------------------------------
// the loader

struct Entry {
  std::optional<Action> base;
  Origin base_origin;
  std::optional<Action> cond_action;
  Origin cond_origin;
  std::vector<CondRule> conds;
};

bool same_conds(const std::vector<CondRule>& a, const std::vector<CondRule>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].conds != b[i].conds) return false;
  return true;
}

bool same_entry(const Entry& a, const Entry& b) {
  return a.base == b.base && a.cond_action == b.cond_action && same_conds(a.conds, b.conds);
}

std::string entry_text(const Entry& e) {
  std::string s;
  if (e.base) s += action_text(*e.base) + " (" + origin_text(e.base_origin) + ")";
  if (e.cond_action) {
    if (!s.empty()) s += ", ";
    s += action_text(*e.cond_action) + " with argument conditions (" +
         origin_text(e.cond_origin) + ")";
  }
  return s;
}

struct FileResult {
  std::string name, description, path;
  std::optional<Action> def;
  Origin def_origin;
  std::optional<int> default_errno;
  std::optional<int> unknown_errno;
  Options settings;
  std::map<int, Entry> entries;
  std::vector<std::string> includes;
};

using Pos = toml::source_position;

Error err_at(const std::string& file, Pos p, const std::string& msg) {
  return Error::usage(file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) +
                      ": " + msg);
}

std::string qq(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string did_you_mean(const std::vector<std::string>& c) {
  if (c.empty()) return "";
  std::string s = "; did you mean ";
  for (size_t i = 0; i < c.size(); ++i) {
    if (i) s += (i + 1 == c.size()) ? " or " : ", ";
    s += qq(c[i]);
  }
  return s + "?";
}

// Parsed, not yet resolved argument condition (with the node positions for 32-bit errors).
struct RawCond {
  ArgCond c;
  Pos op_pos, value_pos;
};

// 32-bit arguments the kernel truncates: compare their low 32 bits only.
bool is_32bit_arg(std::string_view sys, unsigned index) {
  return (sys == "ioctl" && index == 1) || (sys == "personality" && index == 0);
}

class Loader {
 public:
  Loader(const std::vector<std::string>& search, const FileReader& files)
      : search_(search), files_(files) {}

  Result<FileResult> load_file(const std::string& path) {
    std::string key = files_.canonical(path);
    stack_.push_back(key);
    auto r = load_file_inner(path);
    stack_.pop_back();
    return r;
  }

  const std::vector<std::string>& stack() const { return stack_; }

 private:
  const std::vector<std::string>& search_;
  const FileReader& files_;
  std::vector<std::string> stack_;

  Result<FileResult> load_file_inner(const std::string& path) {
    std::string text;
    if (int e = files_.read_file(path, text); e != 0)
      return Error::usage(path + ": cannot read profile: " + errno_text(e));

    toml::table tbl;
    try {
      tbl = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
      return err_at(path, e.source().begin, std::string(e.description()));
    }

    FileResult fr;
    fr.path = path;
    static const char* const kTopKeys[] = {"name",          "description",   "include",
                                           "default_action", "default_errno", "unknown_errno",
                                           "allow",         "rule",          "sandbox"};
    for (auto&& [k, v] : tbl) {
      bool known = false;
      for (auto* t : kTopKeys) known = known || k.str() == t;
      if (!known) {
        std::vector<std::string> best;
        size_t bd = 3;
        for (auto* t : kTopKeys) {
          size_t d = edit_distance(k.str(), t);
          if (d < bd) bd = d, best = {t};
        }
        return err_at(path, k.source().begin, "unknown key " + qq(k.str()) + did_you_mean(best));
      }
    }

    // name / description
    if (auto* n = tbl.get("name")) {
      auto s = n->value<std::string>();
      if (!s) return err_at(path, n->source().begin, "\"name\" must be a string");
      if (!valid_profile_name(*s))
        return err_at(path, n->source().begin,
                      "invalid profile name " + qq(*s) + " (use letters, digits, . _ -)");
      fr.name = *s;
    } else {
      return err_at(path, Pos{1, 1}, "missing required key \"name\"");
    }
    if (auto* n = tbl.get("description")) {
      auto s = n->value<std::string>();
      if (!s) return err_at(path, n->source().begin, "\"description\" must be a string");
      fr.description = *s;
    }

    // includes first: they provide the inherited defaults and entries
    if (auto* n = tbl.get("include")) {
      auto* arr = n->as_array();
      if (!arr) return err_at(path, n->source().begin, "\"include\" must be an array of strings");
      for (auto& el : *arr) {
        auto s = el.value<std::string>();
        if (!s) return err_at(path, el.source().begin, "include entries must be strings");
        auto r = include_one(fr, path, *s, el.source().begin);
        if (!r) return std::move(r).error();
      }
    }

    // defaults
    if (auto* n = tbl.get("default_errno")) {
      auto e = parse_errno(path, *n);
      if (!e) return std::move(e).error();
      fr.default_errno = *e;
    }
    if (auto* n = tbl.get("unknown_errno")) {
      auto e = parse_errno(path, *n);
      if (!e) return std::move(e).error();
      fr.unknown_errno = *e;
    }
    const int def_errno = fr.default_errno.value_or(1);
    if (auto* n = tbl.get("default_action")) {
      auto s = n->value<std::string>();
      if (!s) return err_at(path, n->source().begin, "\"default_action\" must be a string");
      auto a = parse_action(path, *s, n->source().begin, def_errno);
      if (!a) return std::move(a).error();
      fr.def = *a;
      fr.def_origin = Origin{path, static_cast<int>(n->source().begin.line),
                             static_cast<int>(n->source().begin.column), ""};
    } else if (fr.default_errno && fr.def && fr.def->kind == ActionKind::Errno) {
      fr.def->err = *fr.default_errno;  // inherited errno action, own errno
    } else if (fr.default_errno && !fr.def) {
      fr.def = Action{ActionKind::Errno, *fr.default_errno};
      fr.def_origin = Origin{path, 0, 0, ""};
    }

    // own entries: two levels
    std::map<int, Entry> group_level, named_level;
    if (auto* n = tbl.get("allow")) {
      auto* arr = n->as_array();
      if (!arr)
        return err_at(path, n->source().begin, "\"allow\" must be an array of syscall names");
      for (auto& el : *arr) {
        auto s = el.value<std::string>();
        if (!s) return err_at(path, el.source().begin, "\"allow\" entries must be strings");
        auto r = add_name(path, *s, el.source().begin, Action{ActionKind::Allow, 0}, {},
                          group_level, named_level);
        if (!r) return std::move(r).error();
      }
    }
    if (auto* n = tbl.get("rule")) {
      auto* arr = n->as_array();
      if (!arr)
        return err_at(path, n->source().begin, "\"rule\" must be an array of tables ([[rule]])");
      for (auto& el : *arr) {
        auto* rt = el.as_table();
        if (!rt) return err_at(path, el.source().begin, "each rule must be a table");
        auto r = add_rule(path, *rt, def_errno, group_level, named_level);
        if (!r) return std::move(r).error();
      }
    }
    if (auto* n = tbl.get("sandbox")) {
      auto r = parse_sandbox(path, *n, fr.settings);
      if (!r) return std::move(r).error();
    }

    // named over group, component-wise; then own over includes
    std::map<int, Entry> own = std::move(group_level);
    for (auto& [nr, e] : named_level) overlay(own[nr], e);
    for (auto& [nr, e] : own) {
      Entry& dst = fr.entries[nr];
      overlay(dst, e);
    }
    for (auto& [nr, e] : fr.entries) normalize(e);
    return fr;
  }

  static void overlay(Entry& dst, const Entry& src) {
    if (src.base) {
      dst.base = src.base;
      dst.base_origin = src.base_origin;
    }
    if (src.cond_action) {
      dst.cond_action = src.cond_action;
      dst.cond_origin = src.cond_origin;
      dst.conds = src.conds;
    }
  }

  static void normalize(Entry& e) {
    // conditional rules with the same action as the base add nothing
    if (e.base && e.cond_action && *e.base == *e.cond_action) {
      e.cond_action.reset();
      e.conds.clear();
    }
  }

  Result<void> include_one(FileResult& fr, const std::string& path, const std::string& ref,
                           Pos pos) {
    std::string target;
    if (looks_like_path(ref)) {
      fs::path p(ref);
      if (p.is_relative()) p = (fs::path(path).parent_path() / p).lexically_normal();
      if (!files_.is_regular_file(p.string()))
        return err_at(path, pos, "include " + qq(ref) + ": no such file " + p.string());
      target = p.string();
    } else {
      auto f = find_profile(ref, search_, files_);
      if (!f) return err_at(path, pos, "include " + qq(ref) + ": profile not found");
      target = *f;
    }
    std::string key = files_.canonical(target);
    auto it = std::find(stack_.begin(), stack_.end(), key);
    if (it != stack_.end()) {
      std::string chain;
      for (auto i = it; i != stack_.end(); ++i) chain += fs::path(*i).filename().string() + " -> ";
      chain += fs::path(key).filename().string();
      return err_at(path, pos, "include cycle: " + chain);
    }
    auto sub = load_file(target);
    if (!sub) return std::move(sub).error();
    FileResult& s = *sub;
    fr.includes.push_back(target);
    for (auto& i : s.includes) fr.includes.push_back(i);
    if (s.def) fr.def = s.def, fr.def_origin = s.def_origin;
    if (s.default_errno) fr.default_errno = s.default_errno;
    if (s.unknown_errno) fr.unknown_errno = s.unknown_errno;
    fr.settings = merge(fr.settings, s.settings);
    for (auto& [nr, e] : s.entries) {
      auto ex = fr.entries.find(nr);
      if (ex == fr.entries.end()) {
        fr.entries.emplace(nr, e);
        continue;
      }
      if (!same_entry(ex->second, e))
        return err_at(path, pos,
                      "conflicting rules for " + qq(syscall_name(nr)) + " between includes: " +
                          entry_text(ex->second) + " vs " + entry_text(e));
    }
    return {};
  }

  Result<int> parse_errno(const std::string& path, const toml::node& n) {
    auto s = n.value<std::string>();
    if (!s) return err_at(path, n.source().begin, "errno must be a string like \"EPERM\"");
    int e = errno_from_name(*s);
    if (e <= 0 || e > 4095)
      return err_at(path, n.source().begin, "invalid errno name " + qq(*s));
    return e;
  }

  Result<Action> parse_action(const std::string& path, const std::string& s, Pos pos,
                              int def_errno) {
    if (s == "allow") return Action{ActionKind::Allow, 0};
    if (s == "errno") return Action{ActionKind::Errno, def_errno};
    if (s == "kill") return Action{ActionKind::Kill, 0};
    if (s == "log") return Action{ActionKind::Log, 0};
    return err_at(path, pos,
                  "unknown action " + qq(s) + " (expected allow, errno, kill or log)");
  }

  // One name from allow/syscalls: a syscall or a @group.
  Result<void> add_name(const std::string& path, const std::string& name, Pos pos,
                        const Action& act, const std::vector<RawCond>& conds,
                        std::map<int, Entry>& group_level, std::map<int, Entry>& named_level) {
    if (name.starts_with('@')) {
      if (!find_group(name)) {
        std::vector<std::string> best;
        size_t bd = 3;
        for (auto& g : builtin_groups()) {
          size_t d = edit_distance(name, g.name);
          if (d < bd) bd = d, best = {std::string(g.name)};
        }
        return err_at(path, pos, "unknown syscall group " + qq(name) + did_you_mean(best));
      }
      auto members = expand_group(name);
      if (!members) return err_at(path, pos, members.error().message);
      for (auto& m : *members) {
        auto r = add_syscall(path, m, pos, name, act, conds, group_level);
        if (!r) return r;
      }
      return {};
    }
    if (syscall_nr(name) < 0)
      return err_at(path, pos, "unknown syscall " + qq(name) +
                                   did_you_mean(closest_syscall_names(name)));
    return add_syscall(path, name, pos, "", act, conds, named_level);
  }

  Result<void> add_syscall(const std::string& path, const std::string& name, Pos pos,
                           const std::string& via, const Action& act,
                           const std::vector<RawCond>& raw, std::map<int, Entry>& level) {
    const int nr = syscall_nr(name);
    Origin o{path, static_cast<int>(pos.line), static_cast<int>(pos.column), via};
    if (is_always_allowed(nr) && (act.kind != ActionKind::Allow || !raw.empty()))
      return err_at(path, pos,
                    qq(name) + " is always allowed (the launcher calls it between loading "
                                   "the filter and execve); it cannot be refused or restricted");
    Entry& e = level[nr];
    if (raw.empty()) {
      if (e.base && !(*e.base == act))
        return err_at(path, pos,
                      "conflicting rules for " + qq(name) + ": " + action_text(act) +
                          " here, " + action_text(*e.base) + " at " + origin_text(e.base_origin));
      if (!e.base) e.base = act, e.base_origin = o;
      return {};
    }
    CondRule cr;
    cr.origin = o;
    for (const auto& rc : raw) {
      ArgCond c = rc.c;
      if (is_32bit_arg(name, c.index)) {
        switch (c.op) {
          case CmpOp::Eq:
            if (c.value > 0xffffffffULL)
              return err_at(path, rc.value_pos,
                            "value does not fit argument " + std::to_string(c.index) + " of " +
                                qq(name) + " (a 32-bit argument)");
            c.op = CmpOp::MaskedEq;
            c.mask = 0xffffffffULL;
            break;
          case CmpOp::MaskedEq:
            c.mask &= 0xffffffffULL;
            if (c.value & ~c.mask)
              return err_at(path, rc.value_pos, "masked_eq value has bits outside the mask");
            break;
          default:
            return err_at(path, rc.op_pos,
                          "operator " + qq(cmp_op_name(c.op)) + " cannot be used on argument " +
                              std::to_string(c.index) + " of " + qq(name) +
                              " (a 32-bit argument: use eq or masked_eq)");
        }
      }
      cr.conds.push_back(c);
    }
    if (e.cond_action && !(*e.cond_action == act))
      return err_at(path, pos,
                    "conflicting rules for " + qq(name) + ": conditional " +
                        action_text(act) + " here, conditional " + action_text(*e.cond_action) +
                        " at " + origin_text(e.cond_origin) +
                        " (all conditional rules of one syscall must share one action)");
    if (!e.cond_action) e.cond_action = act, e.cond_origin = o;
    for (auto& existing : e.conds)
      if (existing.conds == cr.conds) return {};
    e.conds.push_back(std::move(cr));
    return {};
  }

  Result<uint64_t> parse_value(const std::string& path, const toml::node& n, const char* what) {
    if (auto i = n.value<int64_t>()) return static_cast<uint64_t>(*i);
    if (auto s = n.value<std::string>()) {
      auto v = parse_constant_expr(*s);
      if (!v) return err_at(path, n.source().begin, "unknown constant in " + qq(*s));
      return *v;
    }
    return err_at(path, n.source().begin,
                  std::string(what) + " must be an integer or a string of constants");
  }

  Result<void> add_rule(const std::string& path, const toml::table& rt, int def_errno,
                        std::map<int, Entry>& group_level, std::map<int, Entry>& named_level) {
    static const char* const kKeys[] = {"syscalls", "action", "errno", "why", "args"};
    for (auto&& [k, v] : rt) {
      bool known = false;
      for (auto* t : kKeys) known = known || k.str() == t;
      if (!known) {
        std::vector<std::string> best;
        size_t bd = 3;
        for (auto* t : kKeys) {
          size_t d = edit_distance(k.str(), t);
          if (d < bd) bd = d, best = {t};
        }
        return err_at(path, k.source().begin,
                      "unknown key " + qq(k.str()) + " in rule" + did_you_mean(best));
      }
    }
    const Pos rule_pos = rt.source().begin;
    auto* sys = rt.get("syscalls");
    if (!sys) return err_at(path, rule_pos, "rule without \"syscalls\"");
    auto* sys_arr = sys->as_array();
    if (!sys_arr || sys_arr->empty())
      return err_at(path, sys->source().begin, "\"syscalls\" must be a non-empty array of names");

    Action act{ActionKind::Errno, def_errno};
    if (auto* a = rt.get("action")) {
      auto s = a->value<std::string>();
      if (!s) return err_at(path, a->source().begin, "\"action\" must be a string");
      auto r = parse_action(path, *s, a->source().begin, def_errno);
      if (!r) return std::move(r).error();
      act = *r;
    }
    if (auto* e = rt.get("errno")) {
      if (act.kind != ActionKind::Errno)
        return err_at(path, e->source().begin, "\"errno\" is only valid with action = \"errno\"");
      auto r = parse_errno(path, *e);
      if (!r) return std::move(r).error();
      act.err = *r;
    }
    if (auto* w = rt.get("why"); w && !w->is_string())
      return err_at(path, w->source().begin, "\"why\" must be a string");

    std::vector<RawCond> conds;
    if (auto* a = rt.get("args")) {
      auto* arr = a->as_array();
      if (!arr) return err_at(path, a->source().begin, "\"args\" must be an array of tables");
      for (auto& el : *arr) {
        auto* ct = el.as_table();
        if (!ct)
          return err_at(path, el.source().begin,
                        "each argument condition must be a table {index, op, value}");
        RawCond rc;
        for (auto&& [k, v] : *ct) {
          if (k.str() != "index" && k.str() != "op" && k.str() != "value" && k.str() != "mask")
            return err_at(path, k.source().begin,
                          "unknown key " + qq(k.str()) +
                              " in argument condition (expected index, op, value, mask)");
        }
        auto* idx = ct->get("index");
        if (!idx) return err_at(path, ct->source().begin, "argument condition without \"index\"");
        auto iv = idx->value<int64_t>();
        if (!iv) return err_at(path, idx->source().begin, "\"index\" must be an integer");
        if (*iv < 0 || *iv > 5)
          return err_at(path, idx->source().begin,
                        "argument index " + std::to_string(*iv) + " out of range (0..5)");
        rc.c.index = static_cast<unsigned>(*iv);
        auto* op = ct->get("op");
        if (!op) return err_at(path, ct->source().begin, "argument condition without \"op\"");
        auto os = op->value<std::string>();
        rc.op_pos = op->source().begin;
        static const std::pair<const char*, CmpOp> kOps[] = {
            {"eq", CmpOp::Eq}, {"ne", CmpOp::Ne}, {"lt", CmpOp::Lt},       {"le", CmpOp::Le},
            {"gt", CmpOp::Gt}, {"ge", CmpOp::Ge}, {"masked_eq", CmpOp::MaskedEq}};
        bool found = false;
        for (auto& [nm, o] : kOps)
          if (os && *os == nm) rc.c.op = o, found = true;
        if (!found)
          return err_at(path, op->source().begin,
                        "unknown operator " + qq(os.value_or("?")) +
                            " (expected eq, ne, lt, le, gt, ge or masked_eq)");
        auto* val = ct->get("value");
        if (!val) return err_at(path, ct->source().begin, "argument condition without \"value\"");
        rc.value_pos = val->source().begin;
        auto vv = parse_value(path, *val, "\"value\"");
        if (!vv) return std::move(vv).error();
        rc.c.value = *vv;
        auto* mask = ct->get("mask");
        if (rc.c.op == CmpOp::MaskedEq) {
          if (!mask) return err_at(path, op->source().begin, "masked_eq needs a \"mask\"");
          auto mv = parse_value(path, *mask, "\"mask\"");
          if (!mv) return std::move(mv).error();
          rc.c.mask = *mv;
          if (rc.c.value & ~rc.c.mask)
            return err_at(path, val->source().begin, "masked_eq value has bits outside the mask");
        } else if (mask) {
          return err_at(path, mask->source().begin, "\"mask\" is only valid with op = \"masked_eq\"");
        }
        conds.push_back(rc);
      }
    }

    for (auto& el : *sys_arr) {
      auto s = el.value<std::string>();
      if (!s) return err_at(path, el.source().begin, "\"syscalls\" entries must be strings");
      auto r = add_name(path, *s, el.source().begin, act, conds, group_level, named_level);
      if (!r) return r;
    }
    return {};
  }

  Result<void> parse_sandbox(const std::string& path, const toml::node& n, Options& st) {
    auto* t = n.as_table();
    if (!t) return err_at(path, n.source().begin, "\"sandbox\" must be a table");
    auto strings = [&](const toml::node& v, const std::string& key,
                       std::vector<std::string>& out) -> Result<void> {
      auto* arr = v.as_array();
      if (!arr) return err_at(path, v.source().begin, qq(key) + " must be an array of strings");
      for (auto& el : *arr) {
        auto s = el.value<std::string>();
        if (!s || s->empty())
          return err_at(path, el.source().begin, qq(key) + " entries must be non-empty strings");
        out.push_back(*s);
      }
      return {};
    };
    for (auto&& [k, v] : *t) {
      Result<void> r;
      if (k.str() == "bind") r = strings(v, "bind", st.binds);
      else if (k.str() == "ro_bind") r = strings(v, "ro_bind", st.ro_binds);
      else if (k.str() == "unset_env") r = strings(v, "unset_env", st.unset_env);
      else if (k.str() == "set_env") {
        size_t first = st.set_env.size();
        r = strings(v, "set_env", st.set_env);
        if (r)
          for (size_t i = first; i < st.set_env.size(); ++i) {
            const std::string& e = st.set_env[i];
            size_t eq = e.find('=');
            bool ok = eq != std::string::npos && eq > 0 && !std::isdigit(static_cast<unsigned char>(e[0]));
            for (size_t j = 0; ok && j < eq; ++j)
              ok = std::isalnum(static_cast<unsigned char>(e[j])) || e[j] == '_';
            std::string name = e.substr(0, eq == std::string::npos ? 0 : eq);
            if (ok && (name == "TMPDIR" || name.rfind("GOPLS_SANDBOX", 0) == 0)) {
              const auto* arr = v.as_array();
              return err_at(path, (*arr)[i - first].source().begin,
                            "\"set_env\": " + name + " is set by the launcher itself");
            }
            if (!ok) {
              const auto* arr = v.as_array();
              return err_at(path, (*arr)[i - first].source().begin,
                            "\"set_env\" entries must be \"NAME=VALUE\" with NAME of letters, digits and _ (got " +
                                qq(e) + ")");
            }
          }
      }
      else if (k.str() == "share_net") {
        auto b = v.value<bool>();
        if (!b) return err_at(path, v.source().begin, "\"share_net\" must be true or false");
        st.share_net = *b;
      } else {
        return err_at(path, k.source().begin,
                      "unknown key " + qq(k.str()) +
                          " in [sandbox] (expected bind, ro_bind, share_net, unset_env, set_env)");
      }
      if (!r) return r;
    }
    return {};
  }
};

}  // namespace

Result<Profile> load_profile(std::string_view name_or_path,
                             const std::vector<std::string>& search_path,
                             const FileReader& files) {
  auto path = find_profile(name_or_path, search_path, files);
  if (!path) return std::move(path).error();
  Loader loader(search_path, files);
  auto fr = loader.load_file(*path);
  if (!fr) return std::move(fr).error();
  Profile p;
  p.name = fr->name;
  p.description = fr->description;
  p.source_path = *path;
  p.includes = fr->includes;
  p.settings = fr->settings;
  if (fr->def) {
    p.default_action = *fr->def;
    p.default_origin = fr->def_origin;
  } else {
    p.default_action = Action{ActionKind::Errno, fr->default_errno.value_or(1)};
    p.default_origin = Origin{*path, 0, 0, ""};
  }
  p.unknown_errno = fr->unknown_errno.value_or(ENOSYS);
  for (auto& [nr, e] : fr->entries) {
    if (!e.base && !e.cond_action) continue;
    SyscallPolicy sp;
    sp.name = std::string(syscall_name(nr));
    sp.nr = nr;
    sp.base = e.base;
    sp.base_origin = e.base_origin;
    sp.cond_action = e.cond_action;
    sp.cond_rules = e.conds;
    // A conditional rule whose action equals the default and with no base is a no-op.
    if (!sp.base && sp.cond_action && *sp.cond_action == p.default_action) continue;
    p.syscalls.emplace(nr, std::move(sp));
  }
  return p;
}

}  // namespace gsb::core
