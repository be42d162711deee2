// `gopls-sandbox inspect PID`: the model. The app reads /proc (sys/procfs_read.hpp) into Facts;
// inspect() computes the Report from them alone; the app prints it as text or as --json, both
// from the same Report.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/procfs.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core::inspect {

struct Holder {
  int pid = 0;
  std::string comm;
  int fd = -1;
};

// What the app gathered about the process (raw /proc texts, links, and the lookups that need
// the system: who holds the other end of fds 0-2, the parent chain, the host's go env).
struct Facts {
  int pid = 0;
  std::string status_text, environ_text, maps_text, cgroup_text, cmdline_raw, exe;
  int environ_err = 0, maps_err = 0, fds_err = 0, ns_err = 0;
  std::vector<std::pair<int, std::string>> fds;          // fd -> link target
  std::vector<std::pair<std::string, std::string>> ns;   // the process's namespace links
  std::vector<std::pair<std::string, std::string>> self_ns;  // the caller's
  std::vector<std::pair<int, std::string>> parents;      // (pid, comm), from the parent upward
  std::map<int, std::vector<Holder>> peers;              // fds 0-2: the other end's holders
  std::map<int, std::string> peer_socket;                // fds 0-2 sockets: "socket:[N]"
  std::map<std::string, std::string> host_go_env;        // the host's `go env -json`
  std::vector<std::string> machine;                      // describe_machine_view lines
};

struct Namespace {
  std::string type;
  uint64_t process = 0;
  std::optional<uint64_t> caller;
  bool same = false;
};
struct Fd {
  int fd = -1;
  std::string target, kind;
  std::string role;         // fds 0-2: "stdin (LSP requests)", ...
  std::string peer_socket;  // fds 0-2 sockets
  std::vector<Holder> peers;
};
struct EnvDiff {
  std::string name, process, host;
};

struct Report {
  int pid = 0;
  std::string exe, cmdline;
  procfs::Status status;
  std::vector<Namespace> namespaces;
  int ns_err = 0;
  std::vector<std::string> namespaces_differ;  // types (not *_for_children) that differ from ours
  std::vector<std::pair<int, std::string>> parents;
  bool env_marker = false;  // GOPLS_SANDBOX=1 in its environment
  bool sandboxed = false;
  std::string launcher;     // "" when not sandboxed
  std::vector<Fd> fds;
  int fds_err = 0;
  procfs::MapSummary maps;
  int maps_err = 0;
  std::vector<std::pair<std::string, std::string>> go_env;  // its GO* variables, sorted
  std::vector<EnvDiff> go_env_differs;
  int environ_err = 0;
  std::vector<procfs::CgroupEntry> cgroup;
  std::vector<std::string> machine;
};

// The go env directories the map summary groups by: the process's own value, else the host's.
procfs::Prefixes map_prefixes(const std::map<std::string, std::string>& env,
                              const std::map<std::string, std::string>& host_go_env);
// Errors when the status text is not a status file.
Result<Report> inspect(const Facts& f);

// The two renderings of one Report: what `inspect` prints, and what `inspect --json` prints.
std::string to_text(const Report& r);
json::Value to_json(const Report& r);

}  // namespace gsb::core::inspect
