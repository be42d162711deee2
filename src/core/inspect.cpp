#include "gopls_sandbox/core/inspect.hpp"

#include <cstdio>

namespace gsb::core::inspect {

procfs::Prefixes map_prefixes(const std::map<std::string, std::string>& env,
                              const std::map<std::string, std::string>& host_go_env) {
  auto hv = [&](const char* k) -> std::string {
    auto it = env.find(k);
    if (it != env.end() && !it->second.empty()) return it->second;
    auto h = host_go_env.find(k);
    return h == host_go_env.end() ? "" : h->second;
  };
  procfs::Prefixes pre;
  for (const char* k : {"GOMODCACHE", "GOROOT", "GOCACHE"})
    if (!hv(k).empty()) pre.push_back({k, hv(k)});
  return pre;
}

namespace {

void namespaces(const Facts& f, Report& r) {
  std::map<std::string, uint64_t> mine;
  for (const auto& [t, l] : f.self_ns)
    if (auto n = procfs::parse_ns_link(l)) mine[t] = n->inode;
  for (const auto& [t, l] : f.ns) {
    auto n = procfs::parse_ns_link(l);
    if (!n) continue;
    Namespace ns{t, n->inode, std::nullopt, false};
    auto it = mine.find(t);
    if (it != mine.end()) ns.caller = it->second;
    ns.same = it != mine.end() && it->second == n->inode;
    if (!ns.same && t.find("_for_children") == std::string::npos) r.namespaces_differ.push_back(t);
    r.namespaces.push_back(std::move(ns));
  }
  r.ns_err = f.ns_err;
}

void sandbox_verdict(const Facts& f, const std::map<std::string, std::string>& env, Report& r) {
  r.parents = f.parents;
  r.env_marker = env.count("GOPLS_SANDBOX") && env.at("GOPLS_SANDBOX") == "1";
  bool launcher_parent = false;
  for (const auto& p : f.parents) launcher_parent = launcher_parent || p.second == "gopls-sandbox";
  r.sandboxed = !r.namespaces_differ.empty() || r.status.seccomp == 2;
  if (r.env_marker || launcher_parent) r.launcher = "gopls-sandbox";
  else if (r.sandboxed) r.launcher = "unknown (not gopls-sandbox: no GOPLS_SANDBOX=1, no gopls-sandbox parent)";
}

void descriptors(const Facts& f, Report& r) {
  for (const auto& [fd, target] : f.fds) {
    Fd d;
    d.fd = fd;
    d.target = target;
    d.kind = procfs::classify_fd_target(target).kind;
    if (fd <= 2) {
      d.role = fd == 0 ? "stdin (LSP requests)" : fd == 1 ? "stdout (LSP responses)" : "stderr (log)";
      if (auto it = f.peer_socket.find(fd); it != f.peer_socket.end()) d.peer_socket = it->second;
      if (auto it = f.peers.find(fd); it != f.peers.end()) d.peers = it->second;
    }
    r.fds.push_back(std::move(d));
  }
  r.fds_err = f.fds_err;
}

void go_environment(const Facts& f, const std::map<std::string, std::string>& env, Report& r) {
  for (const auto& [k, v] : env) {
    if (k.rfind("GO", 0) != 0) continue;
    r.go_env.emplace_back(k, v);
    auto h = f.host_go_env.find(k);
    if (h != f.host_go_env.end() && h->second != v) r.go_env_differs.push_back({k, v, h->second});
  }
  r.environ_err = f.environ_err;
}

std::string errtext(int e) { return errno_text(e); }

std::string fd_line(const Fd& d) {
  std::string line = std::to_string(d.fd) + " -> " + d.target;
  if (d.fd > 2) return line;
  std::string peer_text;
  for (const auto& h : d.peers)
    peer_text += (peer_text.empty() ? "" : ", ") + h.comm + "[" + std::to_string(h.pid) + "] fd " + std::to_string(h.fd);
  if (!peer_text.empty()) line += (d.kind == "socket" ? "   peer: " : "   pipe shared with: ") + peer_text;
  line += d.fd == 0 ? "   (LSP in)" : d.fd == 1 ? "   (LSP out)" : "";
  return line;
}


std::string hex16(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

std::string kb(uint64_t bytes) {
  char b[32];
  if (bytes >= (uint64_t{1} << 30)) std::snprintf(b, sizeof b, "%.1f GiB", static_cast<double>(bytes) / (1 << 30));
  else if (bytes >= (uint64_t{1} << 20)) std::snprintf(b, sizeof b, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  else std::snprintf(b, sizeof b, "%llu KiB", static_cast<unsigned long long>(bytes >> 10));
  return b;
}

}  // namespace

Result<Report> inspect(const Facts& f) {
  auto st = procfs::parse_status(f.status_text);
  if (!st) return std::move(st).error();
  Report r;
  r.pid = f.pid;
  r.exe = f.exe;
  r.status = std::move(*st);
  for (char c : f.cmdline_raw) r.cmdline.push_back(c == '\0' ? ' ' : c);
  while (!r.cmdline.empty() && r.cmdline.back() == ' ') r.cmdline.pop_back();
  auto env = procfs::parse_environ(f.environ_text);
  namespaces(f, r);
  sandbox_verdict(f, env, r);
  descriptors(f, r);
  r.maps = procfs::summarize_maps(procfs::parse_maps(f.maps_text), map_prefixes(env, f.host_go_env), f.exe);
  r.maps_err = f.maps_err;
  go_environment(f, env, r);
  r.cgroup = procfs::parse_cgroup(f.cgroup_text);
  r.machine = f.machine;
  return r;
}

json::Value to_json(const Report& r) {
  const procfs::Status& st = r.status;
  json::Value v;
  v.set("pid", r.pid);
  v.set("name", st.name);
  v.set("exe", r.exe);
  v.set("cmdline", r.cmdline);
  json::Value s;
  s.set("state", st.state);
  s.set("ppid", st.ppid);
  s.set("threads", st.threads);
  s.set("vm_rss_kb", st.vm_rss_kb);
  s.set("cap_eff", st.cap_eff);
  s.set("cap_eff_hex", hex16(st.cap_eff));
  s.set("cap_prm_hex", hex16(st.cap_prm));
  s.set("cap_bnd_hex", hex16(st.cap_bnd));
  s.set("no_new_privs", st.no_new_privs);
  s.set("seccomp", st.seccomp);
  s.set("seccomp_filters", st.seccomp_filters);
  json::Value uid;
  uid.array();
  for (long u : st.uid) uid.push(u);
  s.set("uid", std::move(uid));
  json::Value nspid;
  nspid.array();
  for (int n : st.ns_pid) nspid.push(n);
  s.set("ns_pid", std::move(nspid));
  v.set("status", std::move(s));
  json::Value parents;
  parents.array();
  for (const auto& [pid, name] : r.parents) {
    json::Value o;
    o.set("pid", pid);
    o.set("name", name);
    parents.push(std::move(o));
  }
  json::Value sb;
  sb.set("sandboxed", r.sandboxed);
  sb.set("launcher", r.launcher.empty() ? json::Value() : json::Value(r.launcher));
  sb.set("namespaces_differ", json::string_array(r.namespaces_differ));
  sb.set("env_marker", r.env_marker);
  sb.set("parents", std::move(parents));
  v.set("sandbox", std::move(sb));
  json::Value ns_json;
  for (const auto& n : r.namespaces) {
    json::Value o;
    o.set("process", n.process);
    if (n.caller) o.set("caller", *n.caller);
    o.set("same", n.same);
    ns_json.set(n.type, std::move(o));
  }
  v.set("namespaces", std::move(ns_json));
  json::Value fds;
  fds.array();
  for (const auto& d : r.fds) {
    json::Value o;
    o.set("fd", d.fd);
    o.set("target", d.target);
    o.set("kind", d.kind);
    if (d.fd <= 2) {
      o.set("role", d.role);
      if (!d.peer_socket.empty()) o.set("peer_socket", d.peer_socket);
      json::Value peers;
      peers.array();
      for (const auto& h : d.peers) {
        json::Value ph;
        ph.set("pid", h.pid);
        ph.set("name", h.comm);
        ph.set("fd", h.fd);
        peers.push(std::move(ph));
      }
      o.set("peer", std::move(peers));
    }
    fds.push(std::move(o));
  }
  v.set("fds", std::move(fds));
  if (r.fds_err) v.set("fds_error", errtext(r.fds_err));
  json::Value mj;
  mj.set("total_bytes", r.maps.total);
  json::Value groups;
  groups.array();
  for (const auto& g : r.maps.groups) {
    json::Value o;
    o.set("name", g.name);
    o.set("bytes", g.bytes);
    o.set("mappings", g.mappings);
    o.set("files", json::string_array(g.files));
    groups.push(std::move(o));
  }
  mj.set("groups", std::move(groups));
  if (r.maps_err) mj.set("error", errtext(r.maps_err));
  v.set("maps", std::move(mj));
  json::Value goenv;
  for (const auto& [k, val] : r.go_env) goenv.set(k, val);
  v.set("go_env", std::move(goenv));
  json::Value differs;
  differs.array();
  for (const auto& d : r.go_env_differs) {
    json::Value o;
    o.set("name", d.name);
    o.set("process", d.process);
    o.set("host", d.host);
    differs.push(std::move(o));
  }
  v.set("go_env_differs", std::move(differs));
  if (r.environ_err) v.set("environ_error", errtext(r.environ_err));
  json::Value cgj;
  cgj.array();
  for (const auto& c : r.cgroup) cgj.push(std::to_string(c.hierarchy) + ":" + c.controllers + ":" + c.path);
  v.set("cgroup", std::move(cgj));
  v.set("machine_facts", json::string_array(r.machine));
  return v;
}

std::string to_text(const Report& r) {
  const procfs::Status& st = r.status;
  std::string o;
  char buf[512];
  std::snprintf(buf, sizeof buf, "pid %d %s (%s)\n", r.pid, st.name.c_str(), r.exe.empty() ? "exe unreadable" : r.exe.c_str());
  o += buf;
  if (!r.cmdline.empty()) o += "  cmdline: " + r.cmdline + "\n";
  o += "sandbox: ";
  if (r.sandboxed) {
    o += "yes, by " + r.launcher;
    o += r.namespaces_differ.empty() ? " (same namespaces as yours)" : " (namespaces differing from yours:";
    for (const auto& x : r.namespaces_differ) o += " " + x;
    if (!r.namespaces_differ.empty()) o += ")";
  } else {
    o += "no (same namespaces as yours, no seccomp filter)";
  }
  o += "\n  parents:";
  for (const auto& [pid, name] : r.parents) {
    o += " " + name + "[" + std::to_string(pid) + "]";
    if (o.size() > 400) break;
  }
  o += "\n";
  std::snprintf(buf, sizeof buf,
                "status: %s, %d threads, VmRSS %llu kB, CapEff %s%s, NoNewPrivs %d, Seccomp %d (%s, %d filters)\n",
                st.state.c_str(), st.threads, static_cast<unsigned long long>(st.vm_rss_kb), hex16(st.cap_eff).c_str(),
                st.cap_eff == 0 ? " (none)" : "", st.no_new_privs, st.seccomp,
                st.seccomp == 2 ? "filter" : st.seccomp == 1 ? "strict" : "off", st.seccomp_filters);
  o += buf;
  if (!st.ns_pid.empty()) {
    o += "  pid in nested namespaces:";
    for (int n : st.ns_pid) o += " " + std::to_string(n);
    o += "\n";
  }
  o += "namespaces (process / yours):\n";
  for (const auto& n : r.namespaces) {
    std::snprintf(buf, sizeof buf, "  %-18s %llu / %llu%s\n", n.type.c_str(), static_cast<unsigned long long>(n.process),
                  static_cast<unsigned long long>(n.caller.value_or(0)), n.same ? "" : "   differs");
    o += buf;
  }
  if (r.ns_err) o += "  (unreadable: " + errtext(r.ns_err) + ")\n";
  o += "descriptors (" + std::to_string(r.fds.size()) + "):\n";
  if (r.fds_err) o += "  unreadable: " + errtext(r.fds_err) + "\n";
  for (size_t i = 0; i < r.fds.size(); ++i) {
    if (i >= 40) {
      o += "  … " + std::to_string(r.fds.size() - 40) + " more\n";
      break;
    }
    o += "  " + fd_line(r.fds[i]) + "\n";
  }
  o += "memory map (" + kb(r.maps.total) + " mapped):\n";
  if (r.maps_err) o += "  unreadable: " + errtext(r.maps_err) + "\n";
  for (const auto& g : r.maps.groups) {
    std::snprintf(buf, sizeof buf, "  %-12s %10s in %llu mappings", g.name.c_str(), kb(g.bytes).c_str(),
                  static_cast<unsigned long long>(g.mappings));
    o += buf;
    if (!g.files.empty()) {
      o += ": " + g.files.front();
      if (g.files.size() > 1) o += " (+" + std::to_string(g.files.size() - 1) + " files)";
    }
    o += "\n";
  }
  o += "GO* environment:\n";
  if (r.environ_err) o += "  unreadable: " + errtext(r.environ_err) + "\n";
  for (const auto& [k, v] : r.go_env) {
    o += "  " + k + "=" + v;
    for (const auto& d : r.go_env_differs)
      if (d.name == k) o += "   (host go env: " + (d.host.empty() ? std::string("\"\"") : d.host) + ")";
    o += "\n";
  }
  o += "cgroup:\n";
  for (const auto& c : r.cgroup) o += "  " + std::to_string(c.hierarchy) + ":" + c.controllers + ":" + c.path + "\n";
  o += "machine facts the Go runtime reads (as the process sees them):\n";
  for (const auto& l : r.machine) o += l + "\n";
  return o;
}

}  // namespace gsb::core::inspect
