// Reading /proc/PID for `gopls-sandbox inspect`: raw texts and link targets, with the errno of
// each part that could not be read (the parsing is in core/procfs.hpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::sys {

struct ProcText {
  std::string text;
  int err = 0;  // errno when unreadable
};

struct ProcSnapshot {
  int pid = 0;
  ProcText status, maps, environ, cgroup, cmdline;
  std::string exe;
  int exe_err = 0;
  std::vector<std::pair<int, std::string>> fds;  // fd → link target, sorted by fd
  int fds_err = 0;
  std::vector<std::pair<std::string, std::string>> ns;  // "mnt" → "mnt:[4026531832]"
  int ns_err = 0;
};

// A snapshot of /proc/PID. Errors: no such process (ErrorKind::Usage: a bad PID) or status not
// readable (ErrorKind::Setup); each message names the pid and says what to do.
Result<ProcSnapshot> read_proc(int pid);
// The namespace links of /proc/self (the caller's namespaces).
std::vector<std::pair<std::string, std::string>> read_self_ns();

struct FdHolder {
  int pid = 0;
  std::string comm;
  int fd = -1;
};
// Every (process, fd) on this machine whose fd link reads `target` ("pipe:[123]"), except `skip_pid`.
// Processes the caller may not read are skipped.
std::vector<FdHolder> find_fd_holders(const std::string& target, int skip_pid);
// The peer inode of a connected Unix socket (sock_diag), 0 when unknown.
unsigned long unix_peer_inode(unsigned long inode);
// /proc/PID/comm without the newline ("" when unreadable) and the PPid (0 when unknown).
std::string proc_comm(int pid);
int proc_ppid(int pid);

}  // namespace gsb::sys
