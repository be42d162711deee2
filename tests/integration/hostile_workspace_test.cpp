// Issue 11: a hostile workspace cannot get out. Each test performs one attack from inside the
// sandbox (or from the workspace the launcher is started in), as root and as the unprivileged
// test user, and fails if it works.
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"

namespace gsb::test {
namespace {

class Hostile : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (GetParam() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  }
  As as() const { return GetParam(); }
  Output exec(const std::string& cwd, std::vector<std::string> options, const std::vector<std::string>& program,
              std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {world().launcher, "exec"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--");
    argv.insert(argv.end(), program.begin(), program.end());
    return run(as(), argv, {cwd, std::move(env), false});
  }
  // Directories under `base`, in order, owned by the runner.
  void make_dirs(const std::string& base, std::initializer_list<const char*> dirs) {
    for (const char* d : dirs) {
      ASSERT_EQ(::mkdir((base + d).c_str(), 0755), 0) << d;
      if (as() == As::User) {
        ASSERT_EQ(::chown((base + d).c_str(), uid(), gid()), 0);
      }
    }
  }
  uid_t uid() const { return as() == As::Root ? 0 : world().user_uid; }
  gid_t gid() const { return as() == As::Root ? 0 : world().user_gid; }
};
INSTANTIATE_TEST_SUITE_P(As, Hostile, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

bool has(const std::string& out, const std::string& line) { return out.find(line + "\n") != std::string::npos; }

// A directory outside every sandbox (the sandbox never binds /var), removed at the end.
struct HostDir {
  explicit HostDir(const char* tag) {
    std::string t = std::string("/var/tmp/gsb-") + tag + "-XXXXXX";
    std::vector<char> b(t.begin(), t.end());
    b.push_back(0);
    if (!::mkdtemp(b.data())) std::abort();
    path = b.data();
    ::chmod(path.c_str(), 0777);
  }
  ~HostDir() { std::system(("rm -rf " + shell_quote(path)).c_str()); }
  std::string path;
};

// ---- 1. pid 1 cannot be taken over ------------------------------------------------------------

TEST_P(Hostile, Pid1IsNotDumpableHasItsOwnFilterAndTheProgramHasItsOwnSession) {
  TempDir ws(as());
  // --profile none: the protections must hold without the program's seccomp filter too.
  for (const char* profile : {"gopls", "none"}) {
    auto r = exec(ws.path, {"--profile", profile, "--log", "off"}, {world().helper("escape_pid1")});
    ASSERT_EQ(r.status, 0) << profile << "\n" << r.err << r.out;
    // Before the fix: mem_write/environ_read errno=0 (pid 1 was dumpable), Seccomp 0.
    for (const char* attack : {"mem_write", "environ_read"})
      EXPECT_TRUE(has(r.out, std::string(attack) + " errno=EACCES")) << profile << " " << attack << "\n" << r.out;
    for (const char* attack : {"ptrace_attach", "vm_writev"})
      EXPECT_TRUE(has(r.out, std::string(attack) + " errno=EPERM")) << profile << " " << attack << "\n" << r.out;
    EXPECT_TRUE(has(r.out, "pid1_seccomp=2")) << profile << "\n" << r.out;
    EXPECT_TRUE(has(r.out, "own_session=yes")) << profile << "\n" << r.out;
  }
  // exec --share-tty keeps the caller's session (documented opt-out); pid 1 stays protected.
  auto k = exec(ws.path, {"--profile", "gopls", "--share-tty"}, {world().helper("escape_pid1")});
  ASSERT_EQ(k.status, 0) << k.err;
  EXPECT_TRUE(has(k.out, "own_session=no")) << k.out;
  EXPECT_TRUE(has(k.out, "mem_write errno=EACCES")) << k.out;
}

// The launcher started from a terminal (a pty the test owns, as the controlling tty of the
// launcher's session): a program inside pushes a character with TIOCSTI. Nothing may arrive.
struct PtyRun {
  int status = -1;
  std::string screen;    // what the program wrote to the terminal
  std::string injected;  // what arrived in the terminal's input queue
};
PtyRun run_on_pty(As as, const std::vector<std::string>& argv, const std::string& cwd) {
  PtyRun out;
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) return out;
  std::string slave_name = ::ptsname(master);
  if (as == As::User && ::chown(slave_name.c_str(), world().user_uid, world().user_gid) != 0) return out;
  struct termios t;
  int probe = ::open(slave_name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (probe < 0) return out;
  ::tcgetattr(probe, &t);
  t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON);  // injected bytes stay readable, one by one
  ::tcsetattr(probe, TCSANOW, &t);
  std::vector<std::string> full;
  if (as == As::User)
    full = {"/usr/bin/setpriv", "--reuid=" + std::to_string(world().user_uid),
            "--regid=" + std::to_string(world().user_gid), "--init-groups", "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  std::vector<char*> av;
  for (auto& a : full) av.push_back(a.data());
  av.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    int s = ::open(slave_name.c_str(), O_RDWR);  // the session's controlling terminal
    if (s < 0 || ::ioctl(s, TIOCSCTTY, 0) != 0) ::_exit(120);
    ::dup2(s, 0);
    ::dup2(s, 1);
    ::dup2(s, 2);
    if (::chdir(cwd.c_str()) != 0) ::_exit(121);
    if (as == As::User) {  // the runner's own directories are not the test user's to write
      ::setenv("HOME", world().user_home.c_str(), 1);
      for (const char* v : {"XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "GOCACHE", "GOMODCACHE", "GOPATH"})
        ::unsetenv(v);
    }
    ::execv(av[0], av.data());
    ::_exit(122);
  }
  int st = 0;
  // Drain the screen until the child is gone: poll the master and the child's pidfd (the master
  // never hangs up while the test holds its own slave fd).
  ::fcntl(master, F_SETFL, O_NONBLOCK);
  int pfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(master, buf, sizeof buf)) > 0) out.screen.append(buf, static_cast<size_t>(n));
    if (::waitpid(pid, &st, WNOHANG) == pid) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &st, 0);
      break;
    }
    struct pollfd p[2] = {{master, POLLIN, 0}, {pfd, POLLIN, 0}};
    ::poll(p, 2, static_cast<int>(left.count()));
  }
  if (pfd >= 0) ::close(pfd);
  for (;;) {
    char buf[4096];
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;
    out.screen.append(buf, static_cast<size_t>(n));
  }
  out.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  ::fcntl(probe, F_SETFL, O_NONBLOCK);
  char buf[256];
  ssize_t n = ::read(probe, buf, sizeof buf);
  if (n > 0) out.injected.assign(buf, static_cast<size_t>(n));
  ::close(probe);
  ::close(master);
  return out;
}

TEST_P(Hostile, TerminalInjectionFromInsideReachesNothing) {
  TempDir ws(as());
  // With the gopls profile the filter refuses TIOCSTI as well; with --profile none only the new
  // session protects the terminal. Before the fix, "none" injected an X into the test's terminal.
  for (const char* profile : {"gopls", "none"}) {
    auto r = run_on_pty(as(), {world().launcher, "exec", "--profile", profile, "--log", "off", "--",
                               world().helper("escape_pid1"), "tiocsti"},
                        ws.path);
    ASSERT_EQ(r.status, 0) << profile << "\n" << r.screen;
    EXPECT_NE(r.screen.find("tiocsti errno=EPERM"), std::string::npos) << profile << "\n" << r.screen;
    EXPECT_NE(r.screen.find("mem_write errno=EACCES"), std::string::npos) << profile << "\n" << r.screen;
    EXPECT_EQ(r.injected, "") << profile << ": injected into the user's terminal";
  }
}

// ---- 2. what the host runs from the workspace is read-only ------------------------------------

TEST_P(Hostile, GitConfigHooksAndEditorSettingsCannotBeWrittenFromInside) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  ASSERT_NO_FATAL_FAILURE(make_dirs(ws.path, {"/.git", "/.git/hooks", "/.vscode", "/.idea", "/sub"}));
  write_file(ws.path + "/.git/config", "[core]\n\trepositoryformatversion = 0\n", as());
  write_file(ws.path + "/.git/HEAD", "ref: refs/heads/main\n", as());
  write_file(ws.path + "/.envrc", "export A=1\n", as());
  write_file(ws.path + "/.vscode/settings.json", "{}\n", as());
  // A submodule's .git file, listed in .gitmodules.
  write_file(ws.path + "/.gitmodules", "[submodule \"sub\"]\n\tpath = sub\n\turl = ../sub\n", as());
  write_file(ws.path + "/sub/.git", "gitdir: ../.git/modules/sub\n", as());
  const std::string script =
      "for f in .git/config .git/hooks/post-checkout .envrc .vscode/settings.json .idea/workspace.xml sub/.git; do "
      "  if (printf '[core]\\n\\tfsmonitor = touch /tmp/pwned\\n' >> \"$f\") 2>/dev/null; then echo \"$f writable\"; "
      "  else echo \"$f refused\"; fi; "
      "done; "
      "if mv .git .git-old 2>/dev/null; then echo 'rename writable'; else echo 'rename refused'; fi; "
      "if rm -rf .vscode 2>/dev/null && [ ! -e .vscode ]; then echo 'remove writable'; else echo 'remove refused'; fi; "
      "echo x >> main.go && echo 'source writable'";
  std::string before = read_file(ws.path + "/.git/config");
  auto r = exec(ws.path, {"--profile", "gopls"}, {"/bin/sh", "-c", script});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  for (const char* f : {".git/config", ".git/hooks/post-checkout", ".envrc", ".vscode/settings.json",
                        ".idea/workspace.xml", "sub/.git"})
    EXPECT_TRUE(has(r.out, std::string(f) + " refused")) << f << "\n" << r.out;
  EXPECT_TRUE(has(r.out, "rename refused")) << r.out;
  EXPECT_TRUE(has(r.out, "remove refused")) << r.out;
  EXPECT_TRUE(has(r.out, "source writable")) << r.out;  // the workspace's own sources stay writable
  EXPECT_EQ(read_file(ws.path + "/.git/config"), before);
  EXPECT_NE(::access((ws.path + "/.git/hooks/post-checkout").c_str(), F_OK), 0);
  // The documented opt-in.
  auto w = exec(ws.path, {"--profile", "gopls", "--writable-vcs"},
                {"/bin/sh", "-c", "echo '# ok' >> .git/config && echo done"});
  EXPECT_EQ(w.status, 0) << w.err;
  EXPECT_EQ(w.out, "done\n") << w.err;
}

// Review (attack): VS Code follows the changes of the multi-root `*.code-workspace` file it opened
// (didChangeWorkspaceFolders), so code inside that rewrote it would choose the folders attached
// next. Each top-level `*.code-workspace` file is read-only inside (EROFS) and cannot be renamed.
TEST_P(Hostile, CodeWorkspaceFilesCannotBeWrittenFromInside) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  const std::string text = "{\"folders\": [{\"path\": \".\"}]}\n";
  write_file(ws.path + "/team.code-workspace", text, as());
  write_file(ws.path + "/notes.code-workspace.txt", "x\n", as());
  const std::string script =
      "if (echo '{\"folders\":[{\"path\":\"/home\"}]}' > team.code-workspace) 2>err; then echo 'write writable'; "
      "else echo \"write refused: $(cat err)\"; fi; "
      "if mv team.code-workspace old 2>/dev/null; then echo 'rename writable'; else echo 'rename refused'; fi; "
      "echo y >> notes.code-workspace.txt && echo 'other writable'";
  auto r = exec(ws.path, {"--profile", "gopls"}, {"/bin/sh", "-c", script});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("write refused: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Read-only file system"), std::string::npos) << r.out;  // EROFS
  EXPECT_TRUE(has(r.out, "rename refused")) << r.out;
  EXPECT_TRUE(has(r.out, "other writable")) << r.out;  // only the exact suffix
  EXPECT_EQ(read_file(ws.path + "/team.code-workspace"), text);
}

// Third review of the go shim: what the sandbox runs again later by path — gopls itself (its
// govulncheck child is os.Args[0]), the go shim — sits under a directory a writable mount holds
// (~/go/bin/gopls under the private HOME, the default `go install` place). Its own read-only bind
// is not enough: code inside renamed the directory above it, bind and all, and created another at
// the same path with a file of its own, which gopls then ran outside the nested domain. Every
// directory between the writable mount and such a path is now a mount point (pinned), which
// cannot be renamed; the file itself cannot be replaced or removed; other directories of HOME can.
TEST_P(Hostile, TheDirectoriesAboveTheProgramCannotBeRenamedAway) {
  TempDir ws(as()), home(as(), "home");
  write_go_module(ws.path, as());
  const std::string bin = home.path + "/go/bin";
  ASSERT_EQ(std::system(("mkdir -p " + shell_quote(bin) + " && cp /bin/dash " + shell_quote(bin + "/sh") +
                         (as() == As::User ? " && chown -R " + std::to_string(world().user_uid) + " " + shell_quote(home.path + "/go") : std::string()))
                            .c_str()),
            0);
  const std::string script =
      "try() { if mv \"$1\" \"$2\" 2>err; then echo \"$3 moved\"; else echo \"$3 refused: $(cat err)\"; fi; }; "
      "try \"$HOME/go/bin\" \"$HOME/go/bin.moved\" bin; try \"$HOME/go\" \"$HOME/go.moved\" go; "
      "try \"$HOME/go/bin/sh\" \"$HOME/go/sh.moved\" program; "
      "mkdir -p \"$HOME/other/sub\" && try \"$HOME/other\" \"$HOME/other.moved\" other";
  auto r = exec(ws.path, {"--profile", "gopls"}, {bin + "/sh", "-c", script}, {{"HOME", home.path}});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("bin refused: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("go refused: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("program refused: "), std::string::npos) << r.out;
  EXPECT_TRUE(has(r.out, "other moved")) << r.out;  // the private HOME stays writable
}

// What a previous session wrote decides the next plan: a .gitmodules entry and a `.git` file
// naming a path through a symlink to a host directory must not make the launcher bind it.
TEST_P(Hostile, ProtectedPathsThroughSymlinksOutOfTheWorkspaceAreNotBound) {
  TempDir ws(as());
  HostDir secret("store");
  ASSERT_EQ(::mkdir((secret.path + "/.git").c_str(), 0755), 0);
  write_file(secret.path + "/.git/secret", "password\n", as());
  write_file(ws.path + "/.gitmodules", "[submodule \"s\"]\n\tpath = sub\n", as());
  write_file(ws.path + "/.git", "gitdir: sub/.git\n", as());
  ASSERT_EQ(::symlink(secret.path.c_str(), (ws.path + "/sub").c_str()), 0);
  auto r = exec(ws.path, {"--profile", "gopls"},
                {"/bin/sh", "-c", "cat sub/.git/secret " + secret.path + "/.git/secret 2>/dev/null; echo end"});
  // A protected name behind a symlink cannot be protected (code inside could swap the link):
  // the launch is refused before anything runs, and nothing of the host's directory was bound.
  EXPECT_EQ(r.status, 125) << r.err;
  EXPECT_EQ(r.out, "") << r.out;
  EXPECT_NE(r.err.find("is a symbolic link"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--writable-vcs"), std::string::npos) << r.err;
}

// A submodule's directory renamed away from inside, and a repository planted in its place
// (`git status` at the top level would descend into it on the host): refused, since the
// directories on the way to a submodule's .git are mount points. An uninitialised submodule
// (no .git yet) is read-only as a whole.
TEST_P(Hostile, SubmoduleDirectoriesCannotBeSwappedForARepositoryOfOurOwn) {
  TempDir ws(as());
  ASSERT_NO_FATAL_FAILURE(make_dirs(ws.path, {"/.git", "/third_party", "/third_party/lib", "/empty"}));
  write_file(ws.path + "/.gitmodules",
             "[submodule \"lib\"]\n\tpath = third_party/lib\n[submodule \"empty\"]\n\tpath = empty\n", as());
  write_file(ws.path + "/third_party/lib/.git", "gitdir: ../../.git/modules/lib\n", as());
  write_file(ws.path + "/third_party/lib/code.go", "package lib\n", as());
  const std::string script =
      "(mv third_party/lib third_party/lib.old) 2>/dev/null && echo 'rename lib worked' || echo 'rename lib refused'; "
      "(mv third_party tp) 2>/dev/null && echo 'rename parent worked' || echo 'rename parent refused'; "
      "(mkdir empty/.git) 2>/dev/null && echo 'plant worked' || echo 'plant refused'; "
      "echo '// edit' >> third_party/lib/code.go && echo 'source writable'";
  auto r = exec(ws.path, {"--profile", "gopls"}, {"/bin/sh", "-c", script});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "rename lib refused")) << r.out;
  EXPECT_TRUE(has(r.out, "rename parent refused")) << r.out;
  EXPECT_TRUE(has(r.out, "plant refused")) << r.out;
  EXPECT_TRUE(has(r.out, "source writable")) << r.out;
  EXPECT_NE(::access((ws.path + "/empty/.git").c_str(), F_OK), 0);
}

// HOME unset (env -i, some service managers): the default workspace is still never the home
// directory — the password database says where it is.
TEST_P(Hostile, WithHomeUnsetTheHomeDirectoryIsStillNotTheDefaultWorkspace) {
  std::string home = as() == As::Root ? std::string("/root") : world().user_home;
  TempDir state(as(), "state");  // (the copy-on-write caches need a state directory: HOME is unset)
  std::string cmd = "exec env -i PATH=/usr/bin:/bin XDG_STATE_HOME=" + shell_quote(state.path) + " " +
                    shell_quote(world().launcher) + " exec --dry-run -- /bin/true";
  auto r = run(as(), {"/bin/sh", "-c", cmd}, {home, {}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  auto v = json::parse(r.out);
  ASSERT_TRUE(v) << r.out;
  for (const auto& m : (*v)["mounts"].as_array())
    EXPECT_NE(m["destination"].as_string(), home) << m.dump();
  EXPECT_NE(r.out.find("not binding " + home), std::string::npos) << r.out;
}

// Go telemetry: counters may be written inside, the mode (which decides uploading for the host
// user) may not be switched on — whether the host has a mode file ("local") or none (the default,
// local: then the directory is read-only, or code inside could create one that says "on").
TEST_P(Hostile, TelemetryUploadingCannotBeSwitchedOnFromInside) {
  for (bool with_mode : {true, false}) {
    SCOPED_TRACE(with_mode ? "mode file local" : "no mode file");
    TempDir ws(as());
    auto caches = fresh_go_caches(as());
    std::string dir = caches->xdg_config + "/go/telemetry";
    ASSERT_EQ(std::system(("mkdir -p " + shell_quote(dir + "/local")).c_str()), 0);
    if (with_mode) write_file(dir + "/mode", "local\n", as());
    if (as() == As::User) {
      ASSERT_EQ(std::system(("chown -R " + std::to_string(uid()) + ":" + std::to_string(gid()) + " " +
                             shell_quote(caches->xdg_config))
                                .c_str()),
                0);
    }
    SpawnOptions so;
    so.cwd = ws.path;
    so.caches = caches;
    auto r = run(as(), {world().launcher, "exec", "--profile", "gopls", "--", "/bin/sh", "-c",
                        "(echo 'on 2026-01-01' > " + dir + "/mode) 2>/dev/null && echo 'mode writable' || echo 'mode refused'; "
                        "(echo 1 > " + dir + "/local/counter) 2>/dev/null && echo 'counters writable' || echo 'counters refused'"},
                 so);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(has(r.out, "mode refused")) << r.out;
    EXPECT_TRUE(has(r.out, with_mode ? "counters writable" : "counters refused")) << r.out;
    if (with_mode) EXPECT_EQ(read_file(dir + "/mode"), "local\n");
    else EXPECT_NE(::access((dir + "/mode").c_str(), F_OK), 0) << "a mode file appeared on the host";
  }
}

// ---- 3. the host never runs the workspace's own go or gopls ------------------------------------

TEST_P(Hostile, AGoOrGoplsInTheWorkspaceNeverRunsOnTheHostThroughARelativePathEntry) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  HostDir marker("pathmarker");
  const std::string fake = "#!/bin/sh\ntouch " + marker.path + "/ran-$(basename \"$0\")\nexit 1\n";
  write_file(ws.path + "/go", fake, as(), 0755);
  write_file(ws.path + "/gopls", fake, as(), 0755);
  TempDir cache(as(), "cache");
  for (const std::string path : {":/usr/bin:/bin", ".:/usr/bin:/bin", "/usr/bin::/bin"}) {
    std::map<std::string, std::string> env = {{"PATH", path}, {"XDG_CACHE_HOME", cache.path}};
    auto r = exec(ws.path, {"--dry-run"}, {"/bin/true"}, env);
    EXPECT_EQ(r.status, 0) << path << "\n" << r.err;
    auto g = run(as(), {world().launcher, "version"}, {ws.path, env, false});
    EXPECT_EQ(::access((marker.path + "/ran-go").c_str(), F_OK), -1) << "PATH=" << path << ": the workspace's go ran";
    EXPECT_EQ(::access((marker.path + "/ran-gopls").c_str(), F_OK), -1)
        << "PATH=" << path << ": the workspace's gopls ran\n" << g.out << g.err;
  }
}

TEST_P(Hostile, AToolchainLineInTheWorkspaceDoesNotMakeTheHostSwitchGo) {
  TempDir ws(as());
  write_file(ws.path + "/go.mod", "module example.com/t\n\ngo 1.19\n\ntoolchain go1.99.1\n", as());
  TempDir cache(as(), "cache");
  // With GOTOOLCHAIN=auto a `go env` run in the workspace would try to fetch go1.99.1 (GOPROXY=off
  // here: it fails, and no Go directory would be mounted). The host's go env runs from "/" with
  // GOTOOLCHAIN=local, so GOROOT is found and bound.
  auto r = exec(ws.path, {"--dry-run"}, {"/bin/true"}, {{"GOTOOLCHAIN", "auto"}, {"XDG_CACHE_HOME", cache.path}});
  ASSERT_EQ(r.status, 0) << r.err;
  auto v = json::parse(r.out);
  ASSERT_TRUE(v) << r.out;
  bool goroot = false;
  for (const auto& m : (*v)["mounts"].as_array()) goroot = goroot || m["why"].as_string() == "GOROOT";
  EXPECT_TRUE(goroot) << r.out;
}

// ---- 4. the default workspace is never the home directory, however it is spelled -------------

TEST_P(Hostile, ASymlinkedHomeIsNotBoundAsTheDefaultWorkspace) {
  // Silverblue's layout: HOME=/…/home/NAME where …/home is a symlink to …/var/home.
  HostDir root("home");
  std::string real_home = root.path + "/var/home/u", link = root.path + "/home";
  ASSERT_EQ(std::system(("mkdir -p " + shell_quote(real_home + "/.ssh") + " && ln -s var/home " + shell_quote(link))
                            .c_str()),
            0);
  write_file(real_home + "/.ssh/id_ed25519", "PRIVATE KEY\n", as(), 0600);
  write_file(real_home + "/.bashrc", "# rc\n", as());
  if (as() == As::User) {
    ASSERT_EQ(std::system(("chown -R " + std::to_string(uid()) + ":" + std::to_string(gid()) + " " +
                           shell_quote(root.path + "/var"))
                              .c_str()),
              0);
  }
  const std::string script = "cat " + real_home + "/.ssh/id_ed25519 2>/dev/null || echo 'key unreadable'; "
                             "(echo evil >> " + real_home + "/.bashrc) 2>/dev/null || echo 'rc refused'";
  auto r = exec(real_home, {"--profile", "gopls"}, {"/bin/sh", "-c", script}, {{"HOME", link + "/u"}});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "key unreadable")) << r.out;
  EXPECT_TRUE(has(r.out, "rc refused")) << r.out;
  EXPECT_EQ(read_file(real_home + "/.bashrc"), "# rc\n");
  EXPECT_NE(r.err.find("not binding " + real_home + " as the workspace"), std::string::npos) << r.err;
}

TEST_P(Hostile, SessionDirectoriesAreNotBoundAsTheDefaultWorkspace) {
  HostDir rt("runtime");
  if (as() == As::User) {
    ASSERT_EQ(::chown(rt.path.c_str(), uid(), gid()), 0);
  }
  write_file(rt.path + "/bus", "socket stand-in\n", as());
  auto r = exec(rt.path, {"--profile", "gopls"}, {"/bin/sh", "-c", "cat " + rt.path + "/bus 2>/dev/null || echo hidden"},
                {{"XDG_RUNTIME_DIR", rt.path}});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "hidden\n") << r.out;
  EXPECT_NE(r.err.find("XDG_RUNTIME_DIR"), std::string::npos) << r.err;
  for (const char* d : {"/var/tmp", "/dev/shm"}) {
    auto d2 = exec(d, {"--dry-run"}, {"/bin/true"});
    EXPECT_EQ(d2.status, 0) << d2.err;
    EXPECT_NE(d2.out.find(std::string("not binding ") + d), std::string::npos) << d << "\n" << d2.out;  // plan notes
  }
}

// ---- 6. secrets do not pass into the sandbox ------------------------------------------------------

TEST_P(Hostile, SecretsInTheEnvironmentStayOutside) {
  TempDir ws(as());
  std::map<std::string, std::string> env = {
      {"GITHUB_TOKEN", "ghp_secret"},
      {"AWS_SECRET_ACCESS_KEY", "aws_secret"},
      {"SSH_AUTH_SOCK", "/run/user/1/ssh-agent"},
      {"DISPLAY", ":0"},
      {"DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1/bus"},
      {"GOAUTH", "netrc"},
      {"GOPROXY", "https://alice:s3cret@goproxy.corp.example/mod,direct"},
      {"GOFLAGS", "-mod=mod"},
      {"LC_TIME", "C"}};
  auto r = exec(ws.path, {"--profile", "gopls"}, {"/usr/bin/env"}, env);
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* secret : {"ghp_secret", "aws_secret", "SSH_AUTH_SOCK", "DISPLAY", "DBUS_SESSION", "GOAUTH", "s3cret"})
    EXPECT_EQ(r.out.find(secret), std::string::npos) << secret << "\n" << r.out;
  EXPECT_TRUE(has(r.out, "GOPROXY=https://goproxy.corp.example/mod,direct")) << r.out;
  EXPECT_TRUE(has(r.out, "GOFLAGS=-mod=mod")) << r.out;
  EXPECT_TRUE(has(r.out, "LC_TIME=C")) << r.out;
  EXPECT_TRUE(has(r.out, "TMPDIR=/tmp")) << r.out;
  // Named on purpose: passed.
  auto e = exec(ws.path, {"--profile", "gopls", "--env", "GITHUB_TOKEN", "--env", "EXTRA=1"}, {"/usr/bin/env"}, env);
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_TRUE(has(e.out, "GITHUB_TOKEN=ghp_secret")) << e.out;
  EXPECT_TRUE(has(e.out, "EXTRA=1")) << e.out;
  // With the host network the module-download credentials are the user's to use.
  auto n = exec(ws.path, {"--profile", "gopls", "--share-net"}, {"/usr/bin/env"}, env);
  EXPECT_TRUE(has(n.out, "GOAUTH=netrc")) << n.out;
  EXPECT_EQ(n.out.find("ghp_secret"), std::string::npos) << n.out;
  // Bad input: one line, exit 2.
  auto b = exec(ws.path, {"--env", "GOPLS_SANDBOX_PROFILE=none"}, {"/usr/bin/env"});
  EXPECT_EQ(b.status, 2) << b.err;
  EXPECT_NE(b.err.find("set by the launcher"), std::string::npos) << b.err;
}

// ---- 7. a symlinked --workspace is bound at both paths ------------------------------------------

TEST_P(Hostile, ASymlinkedWorkspaceIsBoundAtItsGivenAndItsRealPath) {
  TempDir ws(as());
  TempDir links(as(), "links");
  std::string link = links.path + "/proj";
  ASSERT_EQ(::symlink(ws.path.c_str(), link.c_str()), 0);
  auto r = exec(link, {"--profile", "gopls", "--workspace", link},
                {"/bin/sh", "-c", "cd " + link + " && echo a > via-link && cat " + ws.path + "/via-link && pwd"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "a\n" + link + "\n") << r.err;
  EXPECT_EQ(read_file(ws.path + "/via-link"), "a\n");
}

// ---- 8. the editor's settings are the repository's too ------------------------------------------
// VS Code applies a repository's .vscode/settings.json go.languageServerFlags (our argv) and, in a
// trusted folder, go.toolsEnvVars (our environment): core/untrusted_settings.hpp.

// --log and --metrics name files the launcher writes on the host, with text sandboxed code
// chooses in part (a process name in a denial record): appended to ~/.bashrc, `$(…)` in it would
// run at the user's next shell. Only a new file or the launcher's own earlier output is written.
TEST_P(Hostile, TheLogAndMetricsOptionsCannotWriteIntoAHostFileThatIsNotTheirs) {
  TempDir ws(as());
  TempDir home(as(), "home");
  const std::string rc = home.path + "/.bashrc", rc_text = "# ~/.bashrc\nexport PATH\n";
  write_file(rc, rc_text, as());
  auto r = exec(ws.path, {"--log", rc}, {"/bin/true"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--log " + rc + ": refusing to append"), std::string::npos) << r.err;
  auto m = run(as(), {world().launcher, "run", "--workspace", ws.path, "--metrics", rc, "--gopls", "/bin/true"},
               {ws.path, {}, false});
  EXPECT_EQ(m.status, 2) << m.err;
  EXPECT_NE(m.err.find("--metrics " + rc + ": refusing to replace"), std::string::npos) << m.err;
  // A link planted at the log's path is not followed.
  const std::string link = home.path + "/denials.jsonl";
  ASSERT_EQ(::symlink(rc.c_str(), link.c_str()), 0);
  auto l = exec(ws.path, {"--log", link}, {"/bin/true"});
  EXPECT_EQ(l.status, 2) << l.err;
  EXPECT_EQ(read_file(rc), rc_text);
  // The launcher's own log: appended to, as before.
  const std::string own = home.path + "/own.jsonl";
  write_file(own, "{\"time\":\"2026-12-04T00:00:00Z\",\"syscall\":\"keyctl\"}\n", as());
  auto o = exec(ws.path, {"--log", own}, {"/bin/true"});
  EXPECT_EQ(o.status, 0) << o.err;
}

// A test hook (GOPLS_SANDBOX_TEST_RESOLVE would send an allowlisted name to any address) works
// only in the tests' copy of the launcher, which has gopls-sandbox.test-hooks beside it.
TEST_P(Hostile, TestHooksAreIgnoredByALauncherWithoutTheTestMarker) {
  TempDir ws(as());
  TempDir bin(as(), "bin");
  const std::string copy = bin.path + "/gopls-sandbox";
  ASSERT_EQ(std::system(("cp " + shell_quote(world().launcher) + " " + shell_quote(copy) + " && chmod 755 " +
                         shell_quote(copy)).c_str()),
            0);
  std::map<std::string, std::string> env = {{"GOPLS_SANDBOX_TEST_PROXY_FAIL", "1"}};
  // The tests' copy honours it: the proxy endpoint cannot be created, the launch fails.
  auto hooked = run(as(), {world().launcher, "exec", "--net", "proxy", "--", "/bin/true"}, {ws.path, env, false});
  EXPECT_EQ(hooked.status, 125) << hooked.err;
  auto plain = run(as(), {copy, "exec", "--net", "proxy", "--", "/bin/true"}, {ws.path, env, false});
  EXPECT_EQ(plain.status, 0) << plain.err;
  EXPECT_NE(plain.err.find("GOPLS_SANDBOX_TEST_PROXY_FAIL is a test hook: ignored"), std::string::npos) << plain.err;
}

}  // namespace
}  // namespace gsb::test
