// Issue 16: the Landlock-only mode, where user namespaces cannot be created. Nothing on the host
// changes: tests/helpers/no_userns makes clone/unshare(CLONE_NEWUSER) fail (mode "clone", as
// user.max_user_namespaces=0 or a container's seccomp profile) or makes every mount fail (mode
// "mount", a namespace without privileges as under Ubuntu's AppArmor restriction); one test sets
// user.max_user_namespaces=0 for real inside a user namespace of its own (the limit is per user
// namespace). Each attack runs from inside, as root and as the unprivileged test user.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"
#include "lsp_session.hpp"

namespace gsb::test {
namespace {

int landlock_abi() {
  long v = ::syscall(444 /* landlock_create_ruleset */, nullptr, 0, 1u);
  return v < 0 ? 0 : static_cast<int>(v);
}

bool has(const std::string& out, const std::string& line) { return out.find(line + "\n") != std::string::npos; }

std::string tag() {
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(rd());
}

class LandlockOnly : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (as() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
    if (landlock_abi() < 6) GSB_SKIP_OR_FAIL("Landlock ABI 6 not available on this kernel");
  }
  As as() const { return GetParam(); }
  std::vector<std::string> launcher(const char* mode = "clone") const {
    return {world().helper("no_userns"), mode, world().launcher};
  }
  Output exec(const std::string& cwd, const std::vector<std::string>& options, const std::vector<std::string>& program,
              const char* mode = "clone") {
    auto argv = launcher(mode);
    argv.push_back("exec");
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--");
    argv.insert(argv.end(), program.begin(), program.end());
    return run(as(), argv, {cwd, {}, false});
  }
};
INSTANTIATE_TEST_SUITE_P(As, LandlockOnly, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

class LandlockOnlyGopls : public ::testing::TestWithParam<AsGen> {
 protected:
  void SetUp() override {
    GSB_REQUIRE_AS_GEN(std::get<0>(GetParam()), std::get<1>(GetParam()));
    if (landlock_abi() < 6) GSB_SKIP_OR_FAIL("Landlock ABI 6 not available on this kernel");
  }
};
INSTANTIATE_TEST_SUITE_P(AsGen, LandlockOnlyGopls,
                         ::testing::Combine(::testing::Values(As::Root, As::User),
                                            ::testing::Values(Gen::Debian, Gen::Current)),
                         [](const auto& info) { return as_gen_name(info.param); });

TEST_P(LandlockOnlyGopls, FullLspSessionWithoutUserNamespaces) {
  const As as = std::get<0>(GetParam());
  for (const char* mode : {"clone", "mount"}) {
    SCOPED_TRACE(mode);
    LspSessionResult r;
    LspSessionOptions o;
    o.gen = &gopls_gen(std::get<1>(GetParam()));
    o.command = {world().helper("no_userns"), mode, world().launcher};
    ASSERT_NO_FATAL_FAILURE(full_lsp_session(as, o, &r));
    EXPECT_EQ(r.exit_status, 0);
    EXPECT_NE(r.stderr_text.find("isolation: landlock-only"), std::string::npos) << r.stderr_text;
  }
}

// Host secrets, writes outside the workspace, a host loopback listener, a host abstract and a
// host pathname unix socket, a signal to a host process, a host binary outside the plan.
TEST_P(LandlockOnly, AttacksFromInsideAreDenied) {
  TempDir ws(as());
  // A ~/.ssh-like fixture readable by the runner, outside anything the plan grants.
  char tmpl[] = "/var/tmp/gsb-llo-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string host = tmpl;
  ::chmod(host.c_str(), 0777);
  ::mkdir((host + "/.ssh").c_str(), 0755);
  write_file(host + "/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n", As::Root, 0644);
  write_file(host + "/victim", "keep\n", As::Root, 0666);
  write_file(host + "/true", read_file("/bin/true"), As::Root, 0755);
  // A file in the runner's own HOME on the host.
  std::string home = as() == As::Root ? std::string("/root") : world().user_home;
  std::string home_secret = home + "/.gsb-llo-" + tag();
  write_file(home_secret, "home secret\n", as(), 0600);
  // Host listeners.
  int tcp = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(tcp, 4), 0);
  socklen_t alen = sizeof a;
  ASSERT_EQ(::getsockname(tcp, reinterpret_cast<sockaddr*>(&a), &alen), 0);
  std::string port = std::to_string(ntohs(a.sin_port));
  std::string name = "gsb-llo-" + tag();
  int ab = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un u{};
  u.sun_family = AF_UNIX;
  std::memcpy(u.sun_path + 1, name.data(), name.size());
  ASSERT_EQ(::bind(ab, reinterpret_cast<sockaddr*>(&u), static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())), 0);
  ASSERT_EQ(::listen(ab, 4), 0);
  std::string sock_path = host + "/sock";
  int ps = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un pu{};
  pu.sun_family = AF_UNIX;
  std::memcpy(pu.sun_path, sock_path.data(), sock_path.size());
  ASSERT_EQ(::bind(ps, reinterpret_cast<sockaddr*>(&pu), sizeof pu), 0);
  ::chmod(sock_path.c_str(), 0777);
  ASSERT_EQ(::listen(ps, 4), 0);
  // A host process of the same user.
  SpawnOptions so;
  so.cwd = ws.path;
  Proc victim = spawn(as(), {"/bin/cat"}, so);

  const std::string host_tmp = "/tmp/gsb-llo-" + tag();
  auto r = exec(ws.path, {"--profile", "gopls"},
                {world().helper("escape_ll"), "read", host + "/.ssh/id_ed25519", "read", home_secret, "read",
                 "/etc/shadow", "write", host + "/victim", "write", host + "/new", "write", host_tmp,
                 "write", ws.path + "/ok", "exec", host + "/true", "exec", "/bin/true", "tcp", port, "mptcp", port, "abstract", name,
                 "unix", sock_path, "signal", std::to_string(victim.pid), "read", ws.path + "/ok"});
  victim.close_stdin();
  EXPECT_EQ(victim.wait(std::chrono::seconds(10)), 0) << "the host process was disturbed";
  pollfd p[3] = {{tcp, POLLIN, 0}, {ab, POLLIN, 0}, {ps, POLLIN, 0}};
  EXPECT_EQ(::poll(p, 3, 0), 0) << "a host listener saw a connection from inside";
  ::close(tcp);
  ::close(ab);
  ::close(ps);
  std::string victim_text = read_file(host + "/victim");
  bool new_exists = ::access((host + "/new").c_str(), F_OK) == 0;
  ::unlink(home_secret.c_str());
  std::system(("rm -rf " + shell_quote(host)).c_str());

  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.err.find("isolation: landlock-only"), std::string::npos) << r.err;
  for (const std::string& line :
       {"read " + host + "/.ssh/id_ed25519 errno=EACCES", "read " + home_secret + " errno=EACCES",
        std::string("read /etc/shadow errno=EACCES"), "write " + host + "/victim errno=EACCES",
        "write " + host + "/new errno=EACCES", "exec " + host + "/true errno=EACCES", "tcp " + port + " errno=EACCES",
        "mptcp " + port + " errno=EACCES", "abstract " + name + " errno=EACCES", "unix " + sock_path + " errno=EACCES",
        "signal " + std::to_string(victim.pid) + " errno=EPERM"})
    EXPECT_TRUE(has(r.out, line)) << line << "\n" << r.out;
  EXPECT_TRUE(has(r.out, "write " + host_tmp + " errno=EACCES")) << "no private /tmp: the host's is denied\n" << r.out;
  ::unlink(host_tmp.c_str());
  // Controls: what the plan allows still works.
  EXPECT_TRUE(has(r.out, "write " + ws.path + "/ok errno=0")) << r.out;
  EXPECT_TRUE(has(r.out, "read " + ws.path + "/ok errno=0")) << r.out;
  EXPECT_TRUE(has(r.out, "exec /bin/true errno=0")) << r.out;
  EXPECT_EQ(victim_text, "keep\n");
  EXPECT_FALSE(new_exists);
}

// TMPDIR is private and removed afterwards; Go's caches are the domain's private ones.
TEST_P(LandlockOnly, PrivateTmpdirAndCaches) {
  TempDir ws(as());
  auto r = exec(ws.path, {"--profile", "gopls"},
                {"/bin/sh", "-c", "echo tmp=$TMPDIR; echo gocache=$GOCACHE; touch \"$TMPDIR/x\" && echo made"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  auto pos = r.out.find("tmp=");
  ASSERT_NE(pos, std::string::npos) << r.out;
  std::string tmp = r.out.substr(pos + 4, r.out.find('\n', pos) - pos - 4);
  EXPECT_NE(tmp.find("/gopls-sandbox/tmp/run-"), std::string::npos) << r.out;
  EXPECT_TRUE(has(r.out, "made")) << r.out;
  EXPECT_NE(::access(tmp.c_str(), F_OK), 0) << tmp << " was not removed";
  EXPECT_NE(r.out.find("/private"), std::string::npos) << "GOCACHE is the domain's private cache\n" << r.out;
}

// pid 1's duties fall to the launcher: exit status, signal forwarding, no process left behind.
TEST_P(LandlockOnly, TheLauncherReapsForwardsAndLeavesNothing) {
  TempDir ws(as());
  EXPECT_EQ(exec(ws.path, {"--profile", "gopls"}, {"/bin/sh", "-c", "exit 7"}).status, 7);
  // A daemon that left the session: killed when the program ends.
  auto r = exec(ws.path, {"--profile", "gopls"},
                {"/bin/sh", "-c", "setsid sh -c 'sleep 1000' </dev/null >/dev/null 2>&1 & echo $!"});
  ASSERT_EQ(r.status, 0) << r.err;
  pid_t daemon = std::atoi(r.out.c_str());
  ASSERT_GT(daemon, 0) << r.out;
  EXPECT_TRUE(wait_gone({daemon}, std::chrono::seconds(5)).empty()) << "the daemon outlived the launch";
  // SIGTERM to the launcher reaches the program: 128 + 15.
  auto argv = launcher();
  for (const char* a : {"exec", "--profile", "gopls", "--", "/bin/sh", "-c", "echo ready; exec sleep 1000"}) argv.push_back(a);
  SpawnOptions so;
  so.cwd = ws.path;
  Proc p = spawn(as(), argv, so);
  ASSERT_TRUE(p.read_until([](const std::string& s) { return s.find("ready\n") != std::string::npos; },
                           std::chrono::seconds(30)))
      << p.err_buf;
  ::kill(p.pid, SIGTERM);
  EXPECT_EQ(p.wait(std::chrono::seconds(10)), 143) << p.err_buf;
}

TEST_P(LandlockOnly, RequireNamespacesExits125AndSaysWhy) {
  TempDir ws(as());
  for (const char* mode : {"clone", "mount"}) {
    auto r = exec(ws.path, {"--require", "namespaces"}, {"/bin/true"}, mode);
    EXPECT_EQ(r.status, 125) << mode << r.err;
    EXPECT_NE(r.err.find("user namespaces are unavailable"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--require namespaces"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("isolation: landlock-only"), std::string::npos) << r.err;
  }
  // The environment variable and the config key say the same.
  auto argv = launcher();
  for (const char* a : {"exec", "--", "/bin/true"}) argv.push_back(a);
  auto e = run(as(), argv, {ws.path, {{"GOPLS_SANDBOX_REQUIRE", "namespaces"}}, false});
  EXPECT_EQ(e.status, 125) << e.err;
  auto bad = run(as(), argv, {ws.path, {{"GOPLS_SANDBOX_REQUIRE", "sometimes"}}, false});
  EXPECT_EQ(bad.status, 2) << bad.err;
}

TEST_P(LandlockOnly, DryRunAndVerboseNameTheMode) {
  TempDir ws(as());
  auto d = exec(ws.path, {"--dry-run"}, {"/bin/true"});
  ASSERT_EQ(d.status, 0) << d.err;
  auto j = json::parse(d.out);
  ASSERT_TRUE(j) << d.out;
  EXPECT_EQ((*j)["isolation"]["level"].as_string(), "landlock-only") << d.out;
  EXPECT_EQ((*j)["isolation"]["landlock"]["tcp"].as_string(), "bind and connect denied") << d.out;
  auto v = exec(ws.path, {"-v"}, {"/bin/true"});
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_NE(v.err.find("landlock-only: "), std::string::npos) << v.err;
  // And the normal mode says namespaces (+ Landlock).
  auto n = run(as(), {world().launcher, "exec", "--dry-run", "--", "/bin/true"}, {ws.path, {}, false});
  auto nj = json::parse(n.out);
  ASSERT_TRUE(nj) << n.out;
  EXPECT_EQ((*nj)["isolation"]["level"].as_string(), "namespaces");
}

TEST_P(LandlockOnly, DoctorNamesTheModeAndTheAppArmorFixFirst) {
  TempDir ws(as());
  auto argv = launcher();
  for (const char* a : {"doctor", "--no-startup"}) argv.push_back(a);
  auto r = run(as(), argv, {ws.path, {}, false});
  auto first_nl = r.out.find('\n');
  ASSERT_NE(first_nl, std::string::npos) << r.out;
  EXPECT_NE(r.out.substr(0, first_nl).find("MODE: landlock-only"), std::string::npos) << r.out;
  auto head = r.out.substr(0, 1200);
  EXPECT_NE(head.find("apparmor_parser -r /etc/apparmor.d/gopls-sandbox"), std::string::npos) << r.out;
}

// The real thing: user.max_user_namespaces=0 in a user namespace of the test's own (the limit
// is per user namespace, so the host is untouched). Inside it the runner is uid 0 of that
// namespace; the launcher cannot create another user namespace and falls back.
TEST_P(LandlockOnly, MaxUserNamespacesZero) {
  TempDir ws(as());
  std::string cmd = "echo 0 > /proc/sys/user/max_user_namespaces || exit 99; exec " + shell_quote(world().launcher) +
                    " exec --profile gopls -- " + shell_quote(world().helper("escape_ll")) + " read /etc/shadow write " +
                    shell_quote(ws.path + "/ok");
  auto r = run(as(), {"/usr/bin/unshare", "--user", "--map-root-user", "/bin/sh", "-c", cmd}, {ws.path, {}, false});
  if (r.status == 99 || (r.status != 0 && r.err.find("unshare") != std::string::npos && r.out.empty()))
    GSB_SKIP_OR_FAIL("cannot set user.max_user_namespaces in a user namespace here: " + r.err);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.err.find("isolation: landlock-only"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ENOSPC"), std::string::npos) << r.err;
  EXPECT_TRUE(has(r.out, "read /etc/shadow errno=EACCES")) << r.out;
  EXPECT_TRUE(has(r.out, "write " + ws.path + "/ok errno=0")) << r.out;
}

// A workspace's .git stays read-only although the workspace is writable (Landlock grants the
// union of rules: the workspace's grant is split around it).
TEST_P(LandlockOnly, TheWorkspacesGitStaysReadOnly) {
  TempDir ws(as());
  ::mkdir((ws.path + "/.git").c_str(), 0755);
  ::mkdir((ws.path + "/.git/hooks").c_str(), 0755);
  ::mkdir((ws.path + "/pkg").c_str(), 0755);
  if (as() == As::User) {
    for (const char* d : {"/.git", "/.git/hooks", "/pkg"})
      (void)::chown((ws.path + d).c_str(), world().user_uid, world().user_gid);
  }
  write_file(ws.path + "/main.go", "package main\n", as());
  auto r = exec(ws.path, {"--profile", "gopls"},
                {world().helper("escape_ll"), "write", ws.path + "/.git/hooks/pre-commit", "write", ws.path + "/.git/config",
                 "write", ws.path + "/main.go", "write", ws.path + "/pkg/new.go", "read", ws.path + "/.git/hooks"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_TRUE(has(r.out, "write " + ws.path + "/.git/hooks/pre-commit errno=EACCES")) << r.out;
  EXPECT_TRUE(has(r.out, "write " + ws.path + "/.git/config errno=EACCES")) << r.out;
  EXPECT_TRUE(has(r.out, "write " + ws.path + "/main.go errno=0")) << r.out;
  EXPECT_TRUE(has(r.out, "write " + ws.path + "/pkg/new.go errno=0")) << r.out;
  EXPECT_TRUE(has(r.out, "read " + ws.path + "/.git/hooks errno=0")) << r.out;
}

}  // namespace
}  // namespace gsb::test
