// gopls-sandbox-go: the `go` that gopls finds first on its PATH inside the sandbox. It puts
// itself into a new Landlock domain nested in the sandbox's, then execs the real go command with
// the same arguments and environment (minus its own PATH entry).
//
// Why (docs/threat-model.md, "forged server messages"): everything gopls starts — go list's cgo
// step, go test, go generate — runs as the same user in the same pid namespace as gopls, so it
// could open /proc/<gopls>/fd/0 and /proc/<gopls>/fd/1: read what the editor sends and write
// frames the editor trusts as gopls' own (diagnostics, a rename's WorkspaceEdit). Landlock refuses
// ptrace_may_access — hence /proc/<pid>/fd, mem, environ — from a domain towards a process outside
// it, including its parent domain; with ABI 6 it also scopes signals and abstract unix sockets.
// gopls itself stays in the outer domain: it still controls its children, they no longer reach it.
//
// A separate, small, static program (not the launcher): it runs for every go command gopls
// starts, under the sandbox's seccomp filter, and must cost next to nothing. It calls only
// landlock_create_ruleset / landlock_restrict_self (always allowed by the launcher's filters),
// stat, close, write and execve besides libc's start-up.
//
// It fails closed: the launcher installs it only where Landlock works, so a refusal here means
// something is wrong, and go does not run (exit 126, a one-line reason on stderr; 127 when no other
// go is on the PATH).
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_restrict_self 446
#endif

struct RulesetAttr {  // include/uapi/linux/landlock.h (Debian 12's copy stops at ABI 2)
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};
constexpr unsigned kCreateRulesetVersion = 1u << 0;
constexpr uint64_t kAccessFsMakeBlock = 1ull << 11;
constexpr uint64_t kScopeAbstractUnixSocket = 1ull << 0, kScopeSignal = 1ull << 1;

void say(const char* a, const char* b = "", const char* c = "", const char* d = "") {
  // One write: the line arrives whole in gopls' log of go's stderr.
  char line[1024];
  size_t n = 0;
  for (const char* s : {"gopls-sandbox-go: ", a, b, c, d, "\n"})
    for (; *s && n < sizeof line - 1; ++s) line[n++] = *s;
  if (n == sizeof line - 1) line[n - 1] = '\n';
  ssize_t w = ::write(2, line, n);
  (void)w;
}

[[noreturn]] void die(int code, const char* what, int err) {
  say(what, ": ", std::strerror(err));
  ::_exit(code);
}

// The nested domain. It needs no rule of its own: the outer domain's file rules still apply to
// whatever runs in it. A ruleset must handle something, so: ABI 6+ the two scopes (signals to
// and abstract sockets of processes outside, gopls among them); before, making block devices,
// which nothing unprivileged can do anyway.
void enter_nested_domain() {
  long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  if (abi < 1) die(126, "landlock_create_ruleset (version)", abi < 0 ? errno : ENOSYS);
  RulesetAttr attr{};
  size_t size = sizeof attr.handled_access_fs;
  if (abi >= 6) {
    attr.scoped = kScopeSignal | kScopeAbstractUnixSocket;
    size = sizeof attr;
  } else {
    attr.handled_access_fs = kAccessFsMakeBlock;
  }
  long fd = ::syscall(SYS_landlock_create_ruleset, &attr, size, 0);
  if (fd < 0) die(126, "landlock_create_ruleset", errno);
  // E2BIG: 16 domains deep already (a go command that runs go that runs go ...); refused
  // rather than run without the nesting this program exists for.
  if (::syscall(SYS_landlock_restrict_self, static_cast<int>(fd), 0) != 0) die(126, "landlock_restrict_self", errno);
  ::close(static_cast<int>(fd));
}

// PATH without every entry where `go` is this program; the first other executable `go` on it.
struct Found {
  char path[4096];
  char* env_path;  // "PATH=..." without this program's directories (malloc'd), or nullptr
};

bool same_file(const char* path, const struct stat& self) {
  struct stat st;
  return ::stat(path, &st) == 0 && st.st_dev == self.st_dev && st.st_ino == self.st_ino;
}

Found find_go(const char* path_value, const struct stat& self) {
  Found f{};
  size_t len = std::strlen(path_value);
  f.env_path = static_cast<char*>(std::malloc(len + 6));
  if (!f.env_path) die(126, "malloc", ENOMEM);
  std::memcpy(f.env_path, "PATH=", 5);
  size_t out = 5;
  bool have_go = false;
  for (const char* p = path_value;;) {
    const char* end = std::strchr(p, ':');
    size_t n = end ? static_cast<size_t>(end - p) : std::strlen(p);
    char cand[4096];
    bool mine = false;
    if (n > 0 && n + 4 < sizeof cand) {
      std::memcpy(cand, p, n);
      std::memcpy(cand + n, "/go", 4);
      mine = same_file(cand, self);
      // Only absolute directories: os/exec (go1.19+) refuses a go found through a relative PATH
      // entry, and the workspace's own ./go must not be run by a PATH of ".".
      struct stat st;
      if (!mine && !have_go && p[0] == '/' && ::stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
          ::access(cand, X_OK) == 0) {
        std::memcpy(f.path, cand, n + 4);
        have_go = true;
      }
    }
    if (!mine) {
      if (out > 5) f.env_path[out++] = ':';
      std::memcpy(f.env_path + out, p, n);
      out += n;
    }
    if (!end) break;
    p = end + 1;
  }
  f.env_path[out] = 0;
  if (!have_go) {
    say("go: not found on PATH after the sandbox's own directory (", path_value, ")");
    ::_exit(127);
  }
  return f;
}

}  // namespace

int main(int argc, char** argv, char** envp) {
  (void)argc;
  enter_nested_domain();
  struct stat self;
  if (::stat("/proc/self/exe", &self) != 0) die(126, "stat /proc/self/exe", errno);
  const char* path = std::getenv("PATH");
  Found go = find_go(path ? path : "", self);
  size_t n = 0;
  while (envp[n]) ++n;
  char** env = static_cast<char**>(std::malloc((n + 1) * sizeof(char*)));
  if (!env) die(126, "malloc", ENOMEM);
  for (size_t i = 0; i < n; ++i) env[i] = std::strncmp(envp[i], "PATH=", 5) == 0 ? go.env_path : envp[i];
  env[n] = nullptr;
  ::execve(go.path, argv, env);
  int e = errno;
  say("execve ", go.path, ": ", std::strerror(e));
  return 126;
}
