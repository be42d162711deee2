#include "gopls_sandbox/sys/process.hpp"

#include "gopls_sandbox/sys/io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace gsb::sys {

FileId file_id(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<unsigned long>(st.st_dev), static_cast<unsigned long>(st.st_ino)};
}

FileId self_id() { return file_id("/proc/self/exe"); }

std::string passwd_home() {
  // /etc/passwd read directly: getpwuid_r in a static binary would load NSS modules at run time.
  // Users only a directory service knows get "" (the caller's $HOME guard still applies).
  auto text = read_file("/etc/passwd");
  if (!text) return {};
  const std::string uid = std::to_string(::geteuid());
  size_t pos = 0;
  while (pos < text->size()) {
    size_t eol = text->find('\n', pos);
    if (eol == std::string::npos) eol = text->size();
    std::string line = text->substr(pos, eol - pos);
    pos = eol + 1;
    std::vector<std::string> f;
    for (size_t i = 0, j; i <= line.size(); i = j + 1) {
      j = line.find(':', i);
      if (j == std::string::npos) j = line.size();
      f.push_back(line.substr(i, j - i));
    }
    if (f.size() >= 7 && f[2] == uid && !f[5].empty() && f[5][0] == '/') return f[5];
  }
  return {};
}

std::string find_in_path(const std::string& name, const std::string& path_var, FileId skip) {
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return name;
  size_t i = 0;
  while (i <= path_var.size()) {
    size_t j = path_var.find(':', i);
    if (j == std::string::npos) j = path_var.size();
    std::string dir = path_var.substr(i, j - i);
    i = j + 1;
    // An empty or relative entry means "the current directory" to execvp: for the launcher that
    // is the untrusted workspace, whose own `go` or `gopls` would then run on the host. Skipped.
    if (dir.empty() || dir[0] != '/') continue;
    std::string cand = dir + "/" + name;
    struct stat st;
    if (::stat(cand.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::access(cand.c_str(), X_OK) != 0) continue;
    if (skip.ino != 0 && static_cast<unsigned long>(st.st_dev) == skip.dev &&
        static_cast<unsigned long>(st.st_ino) == skip.ino)
      continue;
    return cand;
  }
  return {};
}

Result<CaptureResult> run_capture(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                  const std::string& cwd) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Error::sys("pipe", "pipe2", errno);
  if (::pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(out[0]);
    ::close(out[1]);
    return Error::sys("pipe", "pipe2", e);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  // A neutral working directory: never the workspace (its go.mod could name a toolchain, its
  // go.work other modules).
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  std::vector<char*> av, ev;
  for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  for (const auto& e : env) ev.push_back(const_cast<char*>(e.c_str()));
  ev.push_back(nullptr);
  pid_t pid;
  // The launcher may have blocked the signals it forwards (the sandbox is started early):
  // the helper (go env) gets an empty mask and default dispositions.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  int rc = posix_spawn(&pid, av[0], &fa, &attr, av.data(), ev.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    return Error::sys(argv[0], "posix_spawn", rc);
  }
  CaptureResult r;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[16384];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (auto& p : fds) {
      if (p.fd < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(p.fd, buf, sizeof buf);
      if (n > 0) {
        std::string& dst = p.fd == out[0] ? r.out : r.err;
        if (p.fd == out[0] || dst.size() < 4096) dst.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(p.fd);
        p.fd = -1;
        --open_fds;
      }
    }
  }
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

}  // namespace gsb::sys
