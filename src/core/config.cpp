#include "gopls_sandbox/core/config.hpp"

#include "gopls_sandbox/core/cache_domains.hpp"
#include "toml.hpp"

#include <sstream>

namespace gsb::core {

Result<InodeCheck> parse_inode_check(std::string_view s) {
  if (s == "off") return InodeCheck::Off;
  if (s == "warn") return InodeCheck::Warn;
  if (s == "strict") return InodeCheck::Strict;
  return Error::usage("inode-check: expected off, warn or strict, got \"" + std::string(s) + "\"");
}

Result<bool> parse_bool(std::string_view s, const std::string& what) {
  if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
  if (s == "0" || s == "false" || s == "no" || s == "off" || s.empty()) return false;
  return Error::usage(what + ": expected true/false (1/0), got \"" + std::string(s) + "\"");
}

std::pair<std::string, std::string> split_bind(const std::string& spec) {
  auto c = spec.find(':');
  if (c == std::string::npos) return {spec, {}};
  return {spec.substr(0, c), spec.substr(c + 1)};
}

namespace {

std::string where(const std::string& file, const toml::source_region& r) {
  std::ostringstream o;
  o << file << ":" << r.begin.line << ":" << r.begin.column;
  return o.str();
}

Result<std::vector<std::string>> string_list(const toml::node& n, const std::string& file, const std::string& key) {
  std::vector<std::string> out;
  if (auto s = n.as_string()) {
    out.push_back(s->get());
    return out;
  }
  if (auto a = n.as_array()) {
    for (const auto& e : *a) {
      auto s = e.as_string();
      if (!s) return Error::usage(where(file, e.source()) + ": " + key + ": expected a list of strings");
      out.push_back(s->get());
    }
    return out;
  }
  return Error::usage(where(file, n.source()) + ": " + key + ": expected a string or a list of strings");
}

}  // namespace

Result<void> check_env_entry(const std::string& entry) {
  std::string name = entry.substr(0, entry.find('='));
  bool ok = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) ok = ok && (c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
  if (!ok) return Error::usage("\"" + entry + "\": expected NAME or NAME=VALUE (NAME: letters, digits, _)");
  if (name == "TMPDIR" || name.rfind("GOPLS_SANDBOX", 0) == 0)
    return Error::usage("\"" + entry + "\": " + name + " is set by the launcher");
  return {};
}

Result<Options> parse_config(std::string_view text, const std::string& file) {
  toml::table tbl;
  try {
    tbl = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    std::ostringstream o;
    o << file << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    return Error::usage(o.str());
  }
  Options o;
  for (const auto& kv : tbl) {
    const auto& k = kv.first;  // not a structured binding: clang < 16 cannot capture those
    const auto& v = kv.second;
    std::string key(k.str());
    std::string at = where(file, v.source());
    auto need_string = [&]() -> Result<std::string> {
      if (auto s = v.as_string()) return s->get();
      return Error::usage(at + ": " + key + ": expected a string");
    };
    auto need_bool = [&]() -> Result<bool> {
      if (auto b = v.as_boolean()) return b->get();
      return Error::usage(at + ": " + key + ": expected true or false");
    };
    if (key == "workspace" || key == "workspaces") {
      auto l = string_list(v, file, key);
      if (!l) return std::move(l).error();
      o.workspaces = *l;
    } else if (key == "bind") {
      auto l = string_list(v, file, key);
      if (!l) return std::move(l).error();
      o.binds = *l;
    } else if (key == "ro_bind" || key == "ro-bind") {
      auto l = string_list(v, file, key);
      if (!l) return std::move(l).error();
      o.ro_binds = *l;
    } else if (key == "share_net" || key == "share-net") {
      auto b = need_bool();
      if (!b) return std::move(b).error();
      o.share_net = *b;
      if (*b) o.net = NetMode::Host;
    } else if (key == "net") {
      auto s = need_string();
      if (!s) return std::move(s).error();
      auto m = parse_net_mode(*s);
      if (!m) return Error::usage(at + ": " + m.error().message);
      o.net = *m;
    } else if (key == "allow_host" || key == "allow-host") {
      auto l = string_list(v, file, key);
      if (!l) return std::move(l).error();
      for (const auto& h : *l)
        if (auto p = parse_host_pattern(h, key); !p) return Error::usage(at + ": " + p.error().message);
      o.allow_hosts = *l;
    } else if (key == "verbose" || key == "writable_vcs" || key == "writable-vcs") {
      auto b = need_bool();
      if (!b) return std::move(b).error();
      (key == "verbose" ? o.verbose : o.writable_vcs) = *b;
    } else if (key == "env") {
      auto l = string_list(v, file, key);
      if (!l) return std::move(l).error();
      for (const auto& e : *l)
        if (auto c = check_env_entry(e); !c) return Error::usage(at + ": env: " + c.error().message);
      o.env = *l;
    } else if (key == "gopls" || key == "profile" || key == "log" || key == "metrics" || key == "inode_check" ||
               key == "inode-check") {
      auto s = need_string();
      if (!s) return std::move(s).error();
      if (key == "gopls") o.gopls = *s;
      else if (key == "profile") o.profile = *s;
      else if (key == "log") o.log = *s;
      else if (key == "metrics") o.metrics = *s;
      else {
        auto ic = parse_inode_check(*s);
        if (!ic) return Error::usage(at + ": " + ic.error().message);
        o.inode_check = *ic;
      }
    } else if (key == "cache_mode" || key == "cache-mode" || key == "cache_domain" || key == "cache-domain") {
      auto s = need_string();
      if (!s) return std::move(s).error();
      if (key == "cache_mode" || key == "cache-mode") {
        auto m = parse_cache_mode(*s);
        if (!m) return Error::usage(at + ": " + m.error().message);
        o.cache_mode = *m;
      } else {
        if (auto c = check_domain_name(*s); !c) return Error::usage(at + ": " + c.error().message);
        o.cache_domain = *s;
      }
    } else if (key == "require") {  // issue 16
      auto s = need_string();
      if (!s) return std::move(s).error();
      auto r = parse_require(*s);
      if (!r) return Error::usage(at + ": " + r.error().message);
      o.require = *r;
    } else {
      return Error::usage(at + ": unknown key \"" + key +
                          "\" (known: workspace, bind, ro_bind, share_net, gopls, profile, log, metrics, verbose, inode_check, env, "
                          "writable_vcs, cache_mode, cache_domain, require, net, allow_host)");
    }
  }
  return o;
}

namespace {
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(sep, i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}
}  // namespace

Result<Options> parse_env(const std::map<std::string, std::string>& env) {
  Options o;
  auto get = [&](const char* k) -> const std::string* {
    auto it = env.find(k);
    return it == env.end() ? nullptr : &it->second;
  };
  if (auto v = get("GOPLS_SANDBOX_WORKSPACE")) o.workspaces = split(*v, ':');
  if (auto v = get("GOPLS_SANDBOX_BIND")) o.binds = split(*v, ',');
  if (auto v = get("GOPLS_SANDBOX_RO_BIND")) o.ro_binds = split(*v, ',');
  if (auto v = get("GOPLS_SANDBOX_SHARE_NET")) {
    auto b = parse_bool(*v, "GOPLS_SANDBOX_SHARE_NET");
    if (!b) return std::move(b).error();
    o.share_net = *b;
    if (*b) o.net = NetMode::Host;
  }
  if (auto v = get("GOPLS_SANDBOX_NET"); v && !v->empty()) {
    auto m = parse_net_mode(*v);
    if (!m) return Error::usage("GOPLS_SANDBOX_NET: " + m.error().message);
    o.net = *m;
  }
  if (auto v = get("GOPLS_SANDBOX_ALLOW_HOST")) {
    o.allow_hosts = split(*v, ',');
    for (const auto& h : o.allow_hosts)
      if (auto p = parse_host_pattern(h, "GOPLS_SANDBOX_ALLOW_HOST"); !p) return std::move(p).error();
  }
  if (auto v = get("GOPLS_SANDBOX_VERBOSE")) {
    auto b = parse_bool(*v, "GOPLS_SANDBOX_VERBOSE");
    if (!b) return std::move(b).error();
    o.verbose = *b;
  }
  if (auto v = get("GOPLS_SANDBOX_WRITABLE_VCS")) {
    auto b = parse_bool(*v, "GOPLS_SANDBOX_WRITABLE_VCS");
    if (!b) return std::move(b).error();
    o.writable_vcs = *b;
  }
  if (auto v = get("GOPLS_SANDBOX_ENV")) {
    o.env = split(*v, ',');
    for (const auto& e : o.env)
      if (auto c = check_env_entry(e); !c) return Error::usage("GOPLS_SANDBOX_ENV: " + c.error().message);
  }
  if (auto v = get("GOPLS_SANDBOX_GOPLS"); v && !v->empty()) o.gopls = *v;
  if (auto v = get("GOPLS_SANDBOX_PROFILE"); v && !v->empty()) o.profile = *v;
  if (auto v = get("GOPLS_SANDBOX_LOG"); v && !v->empty()) o.log = *v;
  if (auto v = get("GOPLS_SANDBOX_METRICS"); v && !v->empty()) o.metrics = *v;
  if (auto v = get("GOPLS_SANDBOX_CACHE_MODE"); v && !v->empty()) {
    auto m = parse_cache_mode(*v);
    if (!m) return Error::usage("GOPLS_SANDBOX_CACHE_MODE: " + m.error().message);
    o.cache_mode = *m;
  }
  if (auto v = get("GOPLS_SANDBOX_CACHE_DOMAIN"); v && !v->empty()) {
    if (auto c = check_domain_name(*v); !c) return Error::usage("GOPLS_SANDBOX_CACHE_DOMAIN: " + c.error().message);
    o.cache_domain = *v;
  }
  if (auto v = get("GOPLS_SANDBOX_REQUIRE"); v && !v->empty()) {  // issue 16
    auto r = parse_require(*v);
    if (!r) return Error::usage("GOPLS_SANDBOX_REQUIRE: " + r.error().message);
    o.require = *r;
  }
  if (auto v = get("GOPLS_SANDBOX_INODE_CHECK"); v && !v->empty()) {
    auto ic = parse_inode_check(*v);
    if (!ic) return Error::usage("GOPLS_SANDBOX_INODE_CHECK: " + ic.error().message);
    o.inode_check = *ic;
  }
  return o;
}

Options merge(const Options& base, const Options& over) {
  Options o = base;
  if (!over.workspaces.empty()) o.workspaces = over.workspaces;
  o.binds.insert(o.binds.end(), over.binds.begin(), over.binds.end());
  o.ro_binds.insert(o.ro_binds.end(), over.ro_binds.begin(), over.ro_binds.end());
  if (over.share_net) o.share_net = over.share_net;
  if (over.gopls) o.gopls = over.gopls;
  if (over.profile) o.profile = over.profile;
  if (over.log) o.log = over.log;
  if (over.metrics) o.metrics = over.metrics;
  if (over.verbose) o.verbose = over.verbose;
  if (over.writable_vcs) o.writable_vcs = over.writable_vcs;
  o.env.insert(o.env.end(), over.env.begin(), over.env.end());
  o.unset_env.insert(o.unset_env.end(), over.unset_env.begin(), over.unset_env.end());
  o.set_env.insert(o.set_env.end(), over.set_env.begin(), over.set_env.end());
  o.share_tty = base.share_tty || over.share_tty;
  if (over.inode_check) o.inode_check = over.inode_check;
  if (over.cache_mode) o.cache_mode = over.cache_mode;
  if (over.cache_domain) o.cache_domain = over.cache_domain;
  if (over.require) o.require = over.require;
  if (over.net) o.net = over.net;
  o.allow_hosts.insert(o.allow_hosts.end(), over.allow_hosts.begin(), over.allow_hosts.end());
  o.dry_run = base.dry_run || over.dry_run;
  return o;
}

NetMode effective_net_mode(const Options& o) {
  if (o.net) return *o.net;
  return o.share_net.value_or(false) ? NetMode::Host : NetMode::None;
}

std::string expand_home(const std::string& path, const std::string& home) {
  if (home.empty()) return path;
  for (const char* prefix : {"~", "${HOME}", "$HOME"}) {
    std::string p = prefix;
    if (path.compare(0, p.size(), p) == 0 && (path.size() == p.size() || path[p.size()] == '/'))
      return home + path.substr(p.size());
  }
  return path;
}

void expand_home(Options& o, const std::string& home) {
  for (auto& w : o.workspaces) w = expand_home(w, home);
  for (auto* list : {&o.binds, &o.ro_binds})
    for (auto& b : *list) {
      auto [src, dst] = split_bind(b);
      b = expand_home(src, home) + (dst.empty() ? "" : ":" + expand_home(dst, home));
    }
  for (auto* v : {&o.gopls, &o.log, &o.metrics})
    if (*v) **v = expand_home(**v, home);
}

namespace {
const char* inode_check_name(InodeCheck c) {
  return c == InodeCheck::Off ? "off" : c == InodeCheck::Strict ? "strict" : "warn";
}
}  // namespace

json::Value settings_to_json(const Options& o) {
  json::Value v;
  v.object();
  v.set("workspaces", json::string_array(o.workspaces));
  v.set("binds", json::string_array(o.binds));
  v.set("ro_binds", json::string_array(o.ro_binds));
  if (o.share_net) v.set("share_net", *o.share_net);
  if (o.gopls) v.set("gopls", *o.gopls);
  if (o.profile) v.set("profile", *o.profile);
  if (o.log) v.set("log", *o.log);
  if (o.metrics) v.set("metrics", *o.metrics);
  if (o.verbose) v.set("verbose", *o.verbose);
  if (o.inode_check) v.set("inode_check", inode_check_name(*o.inode_check));
  v.set("env", json::string_array(o.env));
  if (o.writable_vcs) v.set("writable_vcs", *o.writable_vcs);
  if (o.cache_mode) v.set("cache_mode", cache_mode_name(*o.cache_mode));
  if (o.cache_domain) v.set("cache_domain", *o.cache_domain);
  if (o.require) v.set("require", require_name(*o.require));  // issue 16
  if (o.net) v.set("net", net_mode_name(*o.net));
  v.set("allow_hosts", json::string_array(o.allow_hosts));
  v.set("unset_env", json::string_array(o.unset_env));
  v.set("set_env", json::string_array(o.set_env));
  if (o.share_tty) v.set("share_tty", true);
  if (o.dry_run) v.set("dry_run", true);
  return v;
}

Result<Options> settings_from_json(const json::Value& v) {
  if (!v.is_object()) return Error::usage("settings: expected a JSON object");
  Options o;
  for (const auto& entry : v.as_object()) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in the lambdas below.
    const std::string& k = entry.first;
    const json::Value& x = entry.second;
    auto strings = [&](std::vector<std::string>& out) -> Result<void> {
      if (!x.is_array()) return Error::usage("settings: \"" + k + "\" must be an array of strings");
      for (const auto& s : x.as_array()) {
        if (!s.is_string()) return Error::usage("settings: \"" + k + "\" must be an array of strings");
        out.push_back(s.as_string());
      }
      return {};
    };
    auto boolean = [&](std::optional<bool>& out) -> Result<void> {
      if (!x.is_bool()) return Error::usage("settings: \"" + k + "\" must be true or false");
      out = x.as_bool();
      return {};
    };
    auto text = [&](std::optional<std::string>& out) -> Result<void> {
      if (!x.is_string()) return Error::usage("settings: \"" + k + "\" must be a string");
      out = x.as_string();
      return {};
    };
    Result<void> r;
    std::optional<bool> flag;
    if (k == "workspaces") r = strings(o.workspaces);
    else if (k == "binds") r = strings(o.binds);
    else if (k == "ro_binds") r = strings(o.ro_binds);
    else if (k == "share_net") r = boolean(o.share_net);
    else if (k == "gopls") r = text(o.gopls);
    else if (k == "profile") r = text(o.profile);
    else if (k == "log") r = text(o.log);
    else if (k == "metrics") r = text(o.metrics);
    else if (k == "verbose") r = boolean(o.verbose);
    else if (k == "inode_check") {
      auto c = parse_inode_check(x.as_string());
      if (!c) return std::move(c).error();
      o.inode_check = *c;
    } else if (k == "env") r = strings(o.env);
    else if (k == "writable_vcs") r = boolean(o.writable_vcs);
    else if (k == "cache_mode") {
      auto m = parse_cache_mode(x.as_string());
      if (!m) return std::move(m).error();
      o.cache_mode = *m;
    } else if (k == "cache_domain") r = text(o.cache_domain);
    else if (k == "require") {  // issue 16
      auto q = parse_require(x.as_string());
      if (!q) return std::move(q).error();
      o.require = *q;
    }
    else if (k == "net") {
      auto m = parse_net_mode(x.as_string());
      if (!m) return std::move(m).error();
      o.net = *m;
    } else if (k == "allow_hosts") r = strings(o.allow_hosts);
    else if (k == "unset_env") r = strings(o.unset_env);
    else if (k == "set_env") r = strings(o.set_env);
    else if (k == "share_tty") {
      r = boolean(flag);
      o.share_tty = flag.value_or(false);
    } else if (k == "dry_run") {
      r = boolean(flag);
      o.dry_run = flag.value_or(false);
    } else return Error::usage("settings: unknown key \"" + k + "\"");
    if (!r) return std::move(r).error();
  }
  return o;
}

}  // namespace gsb::core
