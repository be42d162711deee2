// gopls-sandbox inspect PID [--json]: a procfs snapshot of a running gopls (or any process):
// status, descriptors, mapped files, GO* environment, namespaces, and whether it is sandboxed.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "gopls_sandbox/app/cli.hpp"
#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/procfs.hpp"
#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/sys/machine_facts.hpp"
#include "gopls_sandbox/sys/process.hpp"
#include "gopls_sandbox/sys/procfs_read.hpp"

extern char** environ;

namespace gsb::app {

namespace {

namespace pf = core::procfs;
constexpr const char* kCmd = "gopls-sandbox inspect";

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

// The host's `go env -json` as a flat map ("" values included); empty when go is absent.
std::map<std::string, std::string> host_go_env() {
  std::map<std::string, std::string> out;
  const char* path = std::getenv("PATH");
  std::string go = sys::find_in_path("go", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
  if (go.empty()) return out;
  auto r = sys::run_capture({go, "env", "-json"}, host_go_environment());
  if (!r || r->status != 0) return out;
  auto v = json::parse(r->out);
  if (!v) return out;
  for (const auto& [k, val] : v->as_object())
    if (val.is_string()) out[k] = val.as_string();
  return out;
}

std::string errtext(int e) { return errno_text(e); }

}  // namespace

int cmd_inspect(const Args& args) {
  CLI::App app{
      "Show what a running gopls (or any process) sees: threads, memory, capabilities, no_new_privs and\n"
      "seccomp mode; open descriptors (the LSP connection on fds 0/1 and who holds the other end);\n"
      "mapped files grouped by GOROOT / module cache; its GO* environment against the host's `go env`;\n"
      "its namespaces against yours, and whether gopls-sandbox is what sandboxes it. Example:\n"
      "  gopls-sandbox inspect $(pgrep -n -x gopls)\n"
      "Exit status: 0 shown, 1 the process cannot be read (run as its user or root), 2 bad or unknown PID.",
      "inspect"};
  std::string pid_text;
  bool json_out = false;
  app.add_option("pid", pid_text, "process id (as seen from here, i.e. the host pid)")->required();
  app.add_flag("--json", json_out, "print a machine-readable report on stdout");
  if (auto rc = parse_cli(app, args, kCmd)) return *rc;
  char* end = nullptr;
  long pid = std::strtol(pid_text.c_str(), &end, 10);
  if (pid_text.empty() || *end != '\0' || pid <= 0 || pid > 4194304) {
    std::fprintf(stderr, "%s: '%s' is not a process id\n", kCmd, pid_text.c_str());
    return 2;
  }
  auto snap = sys::read_proc(static_cast<int>(pid));
  if (!snap) {
    const Error& e = snap.error();
    std::fprintf(stderr, "%s: %s\n", kCmd, e.message.c_str());
    if (e.kind == ErrorKind::Usage) {
      if (!e.hint.empty()) std::fprintf(stderr, "  hint: %s\n", e.hint.c_str());
      return 2;
    }
    std::fprintf(stderr, "  hint: run as the process's user or as root (ptrace access mode rules apply)\n");
    return 1;
  }
  auto st = pf::parse_status(snap->status.text);
  if (!st) {
    std::fprintf(stderr, "%s: pid %ld: %s\n", kCmd, pid, st.error().message.c_str());
    return 1;
  }
  auto env = pf::parse_environ(snap->environ.text);
  auto host_env = host_go_env();

  // Namespaces: the process's against the caller's.
  auto self_ns = sys::read_self_ns();
  std::map<std::string, uint64_t> mine;
  for (const auto& [t, l] : self_ns)
    if (auto n = pf::parse_ns_link(l)) mine[t] = n->inode;
  json::Value ns_json;
  std::vector<std::string> differ;
  for (const auto& [t, l] : snap->ns) {
    auto n = pf::parse_ns_link(l);
    if (!n) continue;
    json::Value o;
    o.set("process", n->inode);
    auto it = mine.find(t);
    if (it != mine.end()) o.set("caller", it->second);
    bool same = it != mine.end() && it->second == n->inode;
    o.set("same", same);
    if (!same && t.find("_for_children") == std::string::npos) differ.push_back(t);
    ns_json.set(t, std::move(o));
  }

  // Parent chain on the host.
  json::Value parents;
  parents.array();
  std::vector<std::string> chain_names;
  {
    int p = st->ppid;
    std::set<int> seen;
    while (p > 0 && seen.insert(p).second && seen.size() < 32) {
      std::string c = sys::proc_comm(p);
      json::Value o;
      o.set("pid", p);
      o.set("name", c);
      parents.push(std::move(o));
      chain_names.push_back(c);
      if (p == 1) break;
      p = sys::proc_ppid(p);
    }
  }
  bool env_marker = env.count("GOPLS_SANDBOX") && env.at("GOPLS_SANDBOX") == "1";
  int launcher_ancestors = 0;
  for (const auto& n : chain_names)
    if (n == "gopls-sandbox") ++launcher_ancestors;
  bool sandboxed = !differ.empty() || st->seccomp == 2;
  std::string launcher;
  if (env_marker || launcher_ancestors > 0) launcher = "gopls-sandbox";
  else if (sandboxed) launcher = "unknown (not gopls-sandbox: no GOPLS_SANDBOX=1, no gopls-sandbox parent)";

  // Descriptors.
  json::Value fds;
  fds.array();
  std::vector<std::string> fd_lines;
  for (const auto& [fd, target] : snap->fds) {
    pf::FdTarget t = pf::classify_fd_target(target);
    json::Value o;
    o.set("fd", fd);
    o.set("target", target);
    o.set("kind", t.kind);
    std::string line = std::to_string(fd) + " -> " + target;
    if (fd <= 2) {
      o.set("role", fd == 0 ? "stdin (LSP requests)" : fd == 1 ? "stdout (LSP responses)" : "stderr (log)");
      json::Value peers;
      peers.array();
      std::string peer_text;
      auto add_holders = [&](const std::string& what) {
        for (const auto& h : sys::find_fd_holders(what, static_cast<int>(pid))) {
          json::Value ph;
          ph.set("pid", h.pid);
          ph.set("name", h.comm);
          ph.set("fd", h.fd);
          peers.push(std::move(ph));
          peer_text += (peer_text.empty() ? "" : ", ") + h.comm + "[" + std::to_string(h.pid) + "] fd " + std::to_string(h.fd);
        }
      };
      if (t.kind == "pipe") add_holders(target);
      if (t.kind == "socket") {
        unsigned long peer = sys::unix_peer_inode(t.inode);
        if (peer) {
          o.set("peer_socket", "socket:[" + std::to_string(peer) + "]");
          add_holders("socket:[" + std::to_string(peer) + "]");
        }
      }
      o.set("peer", std::move(peers));
      if (!peer_text.empty()) line += (t.kind == "socket" ? "   peer: " : "   pipe shared with: ") + peer_text;
      line += fd == 0 ? "   (LSP in)" : fd == 1 ? "   (LSP out)" : "";
    }
    fds.push(std::move(o));
    fd_lines.push_back(line);
  }

  // Mapped files.
  pf::Prefixes pre;
  auto hv = [&](const char* k) -> std::string {
    auto it = env.find(k);
    if (it != env.end() && !it->second.empty()) return it->second;
    auto h = host_env.find(k);
    return h == host_env.end() ? "" : h->second;
  };
  if (!hv("GOMODCACHE").empty()) pre.push_back({"GOMODCACHE", hv("GOMODCACHE")});
  if (!hv("GOROOT").empty()) pre.push_back({"GOROOT", hv("GOROOT")});
  if (!hv("GOCACHE").empty()) pre.push_back({"GOCACHE", hv("GOCACHE")});
  auto maps = pf::summarize_maps(pf::parse_maps(snap->maps.text), pre, snap->exe);
  json::Value mj;
  mj.set("total_bytes", maps.total);
  json::Value groups;
  groups.array();
  for (const auto& g : maps.groups) {
    json::Value o;
    o.set("name", g.name);
    o.set("bytes", g.bytes);
    o.set("mappings", g.mappings);
    o.set("files", json::string_array(g.files));
    groups.push(std::move(o));
  }
  mj.set("groups", std::move(groups));
  if (snap->maps.err) mj.set("error", errtext(snap->maps.err));

  // GO* environment against the host's go env.
  json::Value goenv;
  json::Value differs;
  differs.array();
  std::vector<std::string> env_lines;
  for (const auto& [k, v] : env) {
    if (k.rfind("GO", 0) != 0) continue;
    goenv.set(k, v);
    auto h = host_env.find(k);
    std::string line = k + "=" + v;
    if (h != host_env.end() && h->second != v) {
      json::Value o;
      o.set("name", k);
      o.set("process", v);
      o.set("host", h->second);
      differs.push(std::move(o));
      line += "   (host go env: " + (h->second.empty() ? std::string("\"\"") : h->second) + ")";
    }
    env_lines.push_back(line);
  }

  auto cg = pf::parse_cgroup(snap->cgroup.text);
  auto machine = core::describe_machine_view(sys::read_machine_view(static_cast<int>(pid)), sys::read_machine_view(0));
  std::string cmdline;
  for (char c : snap->cmdline.text) cmdline.push_back(c == '\0' ? ' ' : c);
  while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();

  if (json_out) {
    json::Value v;
    v.set("pid", static_cast<int>(pid));
    v.set("name", st->name);
    v.set("exe", snap->exe);
    v.set("cmdline", cmdline);
    json::Value s;
    s.set("state", st->state);
    s.set("ppid", st->ppid);
    s.set("threads", st->threads);
    s.set("vm_rss_kb", st->vm_rss_kb);
    s.set("cap_eff", st->cap_eff);
    s.set("cap_eff_hex", hex16(st->cap_eff));
    s.set("cap_prm_hex", hex16(st->cap_prm));
    s.set("cap_bnd_hex", hex16(st->cap_bnd));
    s.set("no_new_privs", st->no_new_privs);
    s.set("seccomp", st->seccomp);
    s.set("seccomp_filters", st->seccomp_filters);
    json::Value uid;
    uid.array();
    for (long u : st->uid) uid.push(u);
    s.set("uid", std::move(uid));
    json::Value nspid;
    nspid.array();
    for (int n : st->ns_pid) nspid.push(n);
    s.set("ns_pid", std::move(nspid));
    v.set("status", std::move(s));
    json::Value sb;
    sb.set("sandboxed", sandboxed);
    sb.set("launcher", launcher.empty() ? json::Value() : json::Value(launcher));
    sb.set("namespaces_differ", json::string_array(differ));
    sb.set("env_marker", env_marker);
    sb.set("parents", std::move(parents));
    v.set("sandbox", std::move(sb));
    v.set("namespaces", std::move(ns_json));
    v.set("fds", std::move(fds));
    if (snap->fds_err) v.set("fds_error", errtext(snap->fds_err));
    v.set("maps", std::move(mj));
    v.set("go_env", std::move(goenv));
    v.set("go_env_differs", std::move(differs));
    if (snap->environ.err) v.set("environ_error", errtext(snap->environ.err));
    json::Value cgj;
    cgj.array();
    for (const auto& c : cg) cgj.push(std::to_string(c.hierarchy) + ":" + c.controllers + ":" + c.path);
    v.set("cgroup", std::move(cgj));
    v.set("machine_facts", json::string_array(machine));
    std::fputs((v.dump(2) + "\n").c_str(), stdout);
    return 0;
  }

  std::string o;
  char buf[512];
  std::snprintf(buf, sizeof buf, "pid %ld %s (%s)\n", pid, st->name.c_str(), snap->exe.empty() ? "exe unreadable" : snap->exe.c_str());
  o += buf;
  if (!cmdline.empty()) o += "  cmdline: " + cmdline + "\n";
  o += "sandbox: ";
  if (sandboxed) {
    o += "yes, by " + launcher;
    o += differ.empty() ? " (same namespaces as yours)" : " (namespaces differing from yours:";
    for (const auto& x : differ) o += " " + x;
    if (!differ.empty()) o += ")";
  } else {
    o += "no (same namespaces as yours, no seccomp filter)";
  }
  o += "\n  parents:";
  {
    int p = st->ppid;
    for (const auto& n : chain_names) {
      o += " " + n + "[" + std::to_string(p) + "]";
      p = sys::proc_ppid(p);
      if (o.size() > 400) break;
    }
  }
  o += "\n";
  std::snprintf(buf, sizeof buf,
                "status: %s, %d threads, VmRSS %llu kB, CapEff %s%s, NoNewPrivs %d, Seccomp %d (%s, %d filters)\n",
                st->state.c_str(), st->threads, static_cast<unsigned long long>(st->vm_rss_kb), hex16(st->cap_eff).c_str(),
                st->cap_eff == 0 ? " (none)" : "", st->no_new_privs, st->seccomp,
                st->seccomp == 2 ? "filter" : st->seccomp == 1 ? "strict" : "off", st->seccomp_filters);
  o += buf;
  if (!st->ns_pid.empty()) {
    o += "  pid in nested namespaces:";
    for (int n : st->ns_pid) o += " " + std::to_string(n);
    o += "\n";
  }
  o += "namespaces (process / yours):\n";
  for (const auto& [t, l] : snap->ns) {
    auto n = pf::parse_ns_link(l);
    if (!n) continue;
    auto it = mine.find(t);
    std::snprintf(buf, sizeof buf, "  %-18s %llu / %llu%s\n", t.c_str(), static_cast<unsigned long long>(n->inode),
                  static_cast<unsigned long long>(it == mine.end() ? 0 : it->second),
                  it != mine.end() && it->second == n->inode ? "" : "   differs");
    o += buf;
  }
  if (snap->ns_err) o += "  (unreadable: " + errtext(snap->ns_err) + ")\n";
  o += "descriptors (" + std::to_string(snap->fds.size()) + "):\n";
  if (snap->fds_err) o += "  unreadable: " + errtext(snap->fds_err) + "\n";
  for (size_t i = 0; i < fd_lines.size(); ++i) {
    if (i >= 40) {
      o += "  … " + std::to_string(fd_lines.size() - 40) + " more\n";
      break;
    }
    o += "  " + fd_lines[i] + "\n";
  }
  o += "memory map (" + kb(maps.total) + " mapped):\n";
  if (snap->maps.err) o += "  unreadable: " + errtext(snap->maps.err) + "\n";
  for (const auto& g : maps.groups) {
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
  if (snap->environ.err) o += "  unreadable: " + errtext(snap->environ.err) + "\n";
  for (const auto& l : env_lines) o += "  " + l + "\n";
  o += "cgroup:\n";
  for (const auto& c : cg) o += "  " + std::to_string(c.hierarchy) + ":" + c.controllers + ":" + c.path + "\n";
  o += "machine facts the Go runtime reads (as the process sees them):\n";
  for (const auto& l : machine) o += l + "\n";
  std::fputs(o.c_str(), stdout);
  return 0;
}

}  // namespace gsb::app
