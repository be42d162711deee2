// gopls-sandbox inspect PID [--json]: a procfs snapshot of a running gopls (or any process):
// status, descriptors, mapped files, GO* environment, namespaces, and whether it is sandboxed.
// Gathering (/proc, the system) and printing here; the model and its two renderings (text and
// --json, from the same core::inspect::Report) in core/inspect.cpp.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "gopls_sandbox/app/cli.hpp"
#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/core/inspect.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/procfs.hpp"
#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/sys/console.hpp"
#include "gopls_sandbox/sys/machine_facts.hpp"
#include "gopls_sandbox/sys/process.hpp"
#include "gopls_sandbox/sys/procfs_read.hpp"
#include "gopls_sandbox/sys/self.hpp"

extern char** environ;

namespace gsb::app {

namespace {

namespace pf = core::procfs;
constexpr const char* kCmd = "gopls-sandbox inspect";

// The host's `go env -json` as a flat map ("" values included); empty when go is absent.
std::map<std::string, std::string> host_go_env() {
  std::map<std::string, std::string> out;
  const char* path = sys::env_or_null("PATH");
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

namespace in = core::inspect;

// What inspect() needs, read from /proc and the system.
in::Facts gather(const sys::ProcSnapshot& snap, int pid, int ppid) {
  in::Facts f;
  f.pid = pid;
  f.status_text = snap.status.text;
  f.environ_text = snap.environ.text;
  f.environ_err = snap.environ.err;
  f.maps_text = snap.maps.text;
  f.maps_err = snap.maps.err;
  f.cgroup_text = snap.cgroup.text;
  f.cmdline_raw = snap.cmdline.text;
  f.exe = snap.exe;
  f.fds = snap.fds;
  f.fds_err = snap.fds_err;
  f.ns = snap.ns;
  f.ns_err = snap.ns_err;
  f.self_ns = sys::read_self_ns();
  // The parent chain on the host.
  std::set<int> seen;
  for (int p = ppid; p > 0 && seen.insert(p).second && seen.size() < 32; p = sys::proc_ppid(p)) {
    f.parents.emplace_back(p, sys::proc_comm(p));
    if (p == 1) break;
  }
  // Who holds the other end of the LSP connection (fds 0-2).
  for (const auto& [fd, target] : snap.fds) {
    if (fd > 2) continue;
    auto holders = [&](const std::string& what) {
      for (const auto& h : sys::find_fd_holders(what, pid)) f.peers[fd].push_back({h.pid, h.comm, h.fd});
    };
    pf::FdTarget t = pf::classify_fd_target(target);
    if (t.kind == "pipe") holders(target);
    if (t.kind == "socket") {
      if (unsigned long peer = sys::unix_peer_inode(t.inode)) {
        f.peer_socket[fd] = "socket:[" + std::to_string(peer) + "]";
        holders(f.peer_socket[fd]);
      }
    }
  }
  f.host_go_env = host_go_env();
  f.machine = core::describe_machine_view(sys::read_machine_view(pid), sys::read_machine_view(0));
  return f;
}

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
  auto report = in::inspect(gather(*snap, static_cast<int>(pid), st->ppid));
  if (!report) {
    std::fprintf(stderr, "%s: pid %ld: %s\n", kCmd, pid, report.error().message.c_str());
    return 1;
  }
  std::string out = json_out ? in::to_json(*report).dump(2) + "\n" : in::to_text(*report);
  sys::print_out(out);
  return 0;
}

}  // namespace gsb::app
