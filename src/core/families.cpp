#include "gopls_sandbox/core/families.hpp"

#include <algorithm>
#include <map>

#include "gopls_sandbox/core/never_learned.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"

namespace gsb::core {

namespace {

// Each family: calls one code path makes in different states (file exists or not, cache cold or
// warm, path or descriptor at hand, libc/Go version). Nothing here reaches beyond what a member
// already reaches: same objects, same permission checks.
const std::vector<SyscallFamily>& table() {
  static const std::vector<SyscallFamily> t = {
      {"time-setting", {"utimes", "utimensat", "futimesat", "utime"},
       "gopls and the go build cache update an entry's access time on a cache hit (utimes/utimensat); a run "
       "with a cold cache never does"},
      {"truncation", {"truncate", "ftruncate"},
       "rewriting a file that already exists (a warm cache's index, go.sum) truncates it; a cold run creates it"},
      {"stat", {"stat", "lstat", "fstat", "newfstatat", "statx"},
       "Go, glibc and gcc stat by path or by descriptor, following links or not, with statx where available"},
      {"access", {"access", "faccessat", "faccessat2"}, "permission probes of glibc, git and the go command"},
      {"open", {"open", "openat", "openat2", "creat"},
       "opening an existing file and creating a new one (cold cache) are the same code path"},
      {"mkdir", {"mkdir", "mkdirat"}, "a cold cache creates its directories; a warm trace never shows it"},
      {"remove", {"unlink", "unlinkat", "rmdir"},
       "cache trimming and temporary files: which ones exist to remove differs from run to run"},
      {"rename", {"rename", "renameat", "renameat2"},
       "atomic writes into the caches (write a temporary file, rename it over the entry)"},
      {"link", {"link", "linkat"}, "hard links, by path or relative to a directory"},
      {"symlink", {"symlink", "symlinkat"}, "symbolic links, by path or relative to a directory"},
      {"readlink", {"readlink", "readlinkat"}, "resolving links, by path or relative to a directory"},
      {"chmod", {"chmod", "fchmod", "fchmodat"}, "setting modes on created files: by path or by descriptor"},
      {"sync", {"fsync", "fdatasync"}, "flushing a written cache entry"},
      {"getdents", {"getdents", "getdents64"}, "directory listing, old and new ABI"},
      {"dup", {"dup", "dup2", "dup3"}, "descriptor duplication in exec/redirect paths of different programs"},
      {"pipe", {"pipe", "pipe2"}, "pipes for child processes (go, gcc, git)"},
      {"wait", {"wait4", "waitid"}, "reaping children: Go uses waitid or wait4 depending on the pidfd path"},
      {"poll", {"poll", "ppoll", "select", "pselect6"}, "waiting on descriptors in C programs (git, gcc)"},
      {"epoll-wait", {"epoll_wait", "epoll_pwait", "epoll_pwait2"}, "Go's netpoller, by kernel and Go version"},
      {"vectored-read", {"read", "readv", "pread64", "preadv", "preadv2"}, "reads of files already open"},
      {"vectored-write", {"write", "writev", "pwrite64", "pwritev", "pwritev2"}, "writes to files already open"},
      {"sleep", {"nanosleep", "clock_nanosleep"}, "timed waits: Go, glibc and gcc each use one"},
      {"signal-send", {"kill", "tgkill", "tkill", "pidfd_send_signal"},
       "gopls cancels a superseded go command only when a request races it; Go signals by pidfd or by pid"},
  };
  return t;
}

}  // namespace

std::span<const SyscallFamily> syscall_families() { return table(); }

std::vector<FamilyAddition> family_additions(const std::set<std::string, std::less<>>& used) {
  std::map<std::string, FamilyAddition> add;
  for (const auto& f : table()) {
    auto seen = std::find_if(f.members.begin(), f.members.end(), [&](std::string_view m) { return used.count(m) > 0; });
    if (seen == f.members.end()) continue;
    for (std::string_view m : f.members) {
      if (used.count(m) || add.count(std::string(m))) continue;
      if (syscall_nr(m) < 0 || never_learned_entry(m)) continue;
      add.emplace(std::string(m), FamilyAddition{std::string(m), std::string(*seen), &f});
    }
  }
  std::vector<FamilyAddition> out;
  for (auto& [k, v] : add) out.push_back(std::move(v));
  return out;
}

std::pair<std::string, std::string> cache_of_path(const std::string& p) {
  const std::pair<const char*, const char*> markers[] = {{"/.cache/gopls/", "gopls"}, {"/go-build/", "Go build"}};
  for (const auto& [marker, kind] : markers) {
    size_t at = p.find(marker);
    if (at == std::string::npos) continue;
    return {kind, p.substr(0, at + std::string_view(marker).size() - 1)};
  }
  return {};
}

std::string cold_cache_warning(const std::string& kind, const std::string& root, uint64_t created) {
  return "the run shows a cold " + kind + " cache (" + root + ": " + std::to_string(created) +
         " entries created, none reused): a warm run makes calls this one never did (the syscall families cover the "
         "known ones); for a complete profile record a second, warm run too, or start from --base gopls";
}

}  // namespace gsb::core
