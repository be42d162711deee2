// Parsers of procfs formats for `gopls-sandbox inspect` (pure: text in, values out).
// /proc/PID/status, maps, environ, cgroup, the ns/* and fd/* link targets.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::core::procfs {

struct Status {
  std::string name;
  int pid = 0, ppid = 0, tgid = 0;
  int threads = 0;
  uint64_t vm_rss_kb = 0;
  uint64_t cap_eff = 0, cap_prm = 0, cap_bnd = 0, cap_inh = 0, cap_amb = 0;
  int no_new_privs = -1;      // -1 when the kernel does not report it
  int seccomp = -1;           // 0 none, 1 strict, 2 filter
  int seccomp_filters = -1;
  std::vector<long> uid, gid;  // real, effective, saved, fs
  std::vector<int> ns_pid;     // NSpid: the pid in each nested pid namespace (outermost first)
  std::string state;
};
// Errors when the text has no Name/Pid lines (not a status file).
Result<Status> parse_status(std::string_view text);

struct MapEntry {
  uint64_t start = 0, end = 0;
  std::string perms;  // "r-xp"
  uint64_t offset = 0;
  std::string dev;
  uint64_t inode = 0;
  std::string path;   // "" for anonymous, "[heap]", "/usr/lib/go-1.19/bin/go", "/x (deleted)"
  uint64_t size() const { return end - start; }
};
std::vector<MapEntry> parse_maps(std::string_view text);

// Named directory prefixes used to group mapped files (e.g. {"GOROOT", "/usr/lib/go-1.19"}).
using Prefixes = std::vector<std::pair<std::string, std::string>>;
struct MapGroup {
  std::string name;     // "GOROOT", "GOMODCACHE", "executable", "libraries", "other files",
                        // "heap", "stack", "anonymous", "special"
  uint64_t bytes = 0;
  uint64_t mappings = 0;
  std::vector<std::string> files;  // distinct files, in first-seen order
};
struct MapSummary {
  uint64_t total = 0;  // bytes of address space mapped
  std::vector<MapGroup> groups;  // in a fixed order, empty groups left out
};
MapSummary summarize_maps(const std::vector<MapEntry>& maps, const Prefixes& prefixes, std::string_view exe);

// NUL-separated KEY=VALUE (as in /proc/PID/environ), in order; later duplicates win.
std::map<std::string, std::string> parse_environ(std::string_view text);

struct CgroupEntry {
  int hierarchy = 0;
  std::string controllers;  // "" for cgroup v2
  std::string path;
};
std::vector<CgroupEntry> parse_cgroup(std::string_view text);

// "mnt:[4026531832]" → {"mnt", 4026531832}.
struct NsLink {
  std::string type;
  uint64_t inode = 0;
};
std::optional<NsLink> parse_ns_link(std::string_view target);

// What a /proc/PID/fd/N link points at.
struct FdTarget {
  std::string kind;   // "file", "socket", "pipe", "anon", "device", "deleted", "other"
  std::string detail; // path, "eventpoll", ...
  uint64_t inode = 0; // socket / pipe inode
};
FdTarget classify_fd_target(std::string_view target);

// One line of /proc/net/unix: inode → path (for bound sockets).
std::map<uint64_t, std::string> parse_net_unix(std::string_view text);

// "000001fffeffffff" → value; nullopt on bad text.
std::optional<uint64_t> parse_hex(std::string_view s);

}  // namespace gsb::core::procfs
