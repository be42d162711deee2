// Issue 2: the drop-in launcher end to end, as root and as an unprivileged user.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"
#include "lsp_session.hpp"

namespace gsb::test {
namespace {

class Launcher : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (GetParam() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  }
  As as() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(As, Launcher, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

// The tests that run gopls run against each generation (issue 15): parameter (As, Gen).
class LauncherGopls : public ::testing::TestWithParam<AsGen> {
 protected:
  void SetUp() override { GSB_REQUIRE_AS_GEN(as(), std::get<1>(GetParam())); }
  As as() const { return std::get<0>(GetParam()); }
  const GoplsGen& gen() const { return gopls_gen(std::get<1>(GetParam())); }
  SpawnOptions opts(const std::string& cwd) const {
    SpawnOptions so;
    so.cwd = cwd;
    gen().apply(so.env);
    return so;
  }
};

INSTANTIATE_TEST_SUITE_P(AsGen, LauncherGopls,
                         ::testing::Combine(::testing::Values(As::Root, As::User),
                                            ::testing::Values(Gen::Debian, Gen::Current)),
                         [](const auto& info) { return as_gen_name(info.param); });

TEST_P(LauncherGopls, FullLspSessionOverStdio) {
  LspSessionResult r;
  LspSessionOptions o;
  o.gen = &gen();
  ASSERT_NO_FATAL_FAILURE(full_lsp_session(as(), o, &r));
  EXPECT_EQ(r.exit_status, 0);
}

TEST_P(LauncherGopls, VersionJsonIsByteForByteGoplsAndDoesNotWaitForStdin) {
  TempDir ws(as());
  SpawnOptions so = opts(ws.path);
  Proc bare = spawn(as(), {gen().gopls, "version", "-json"}, so);
  ASSERT_EQ(bare.wait(std::chrono::seconds(60)), 0);
  // stdin stays open (a pipe we never close), as VS Code's version probe leaves it.
  Proc p = spawn(as(), {world().launcher, "version", "-json"}, so);
  int st = p.wait(std::chrono::seconds(60));
  ASSERT_EQ(st, 0) << p.err_buf;
  EXPECT_EQ(p.out_buf, bare.out_buf);
  EXPECT_TRUE(json::parse(p.out_buf).ok());
}

TEST_P(Launcher, InsideTheSandbox) {
  TempDir ws(as());
  std::string goroot = "/usr/lib/go-1.19";
  std::string script =
      "echo pid1=$(tr '\\0' ' ' < /proc/1/cmdline);"
      "echo host=$(cat /proc/sys/kernel/hostname);"
      "echo ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ,);"
      "grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs):' /proc/self/status | tr -d '\\t' | sed 's/:/=/';"
      "for p in /var /etc/shadow /srv " + std::string(as() == As::Root ? world().user_home : "/root") +
      "; do [ -e $p ] && echo exists=$p; done;"
      "touch " + goroot + "/gsb-probe 2>&1 | sed 's/^/goroot_write=/';"
      "echo written > " + ws.path + "/from-inside && echo ws_write=ok;"
      "echo cwd=$(pwd)";
  auto r = run(as(), {world().launcher, "exec", "--", "/bin/sh", "-c", script}, {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("pid1=" + world().launcher + " exec"), std::string::npos) << r.out;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  EXPECT_EQ(r.out.find(std::string("host=") + host + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("host=gopls-sandbox\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ifaces=lo,\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapEff=0000000000000000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapPrm=0000000000000000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapBnd=0000000000000000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NoNewPrivs=1"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\nexists="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("goroot_write=touch: cannot touch '" + goroot + "/gsb-probe': Read-only file system"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("ws_write=ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cwd=" + ws.path + "\n"), std::string::npos) << r.out;
  EXPECT_EQ(read_file(ws.path + "/from-inside"), "written\n");
  struct stat st;
  EXPECT_NE(::stat((goroot + "/gsb-probe").c_str(), &st), 0);
}

TEST_P(Launcher, ExitStatusIsTheProgramsOwn) {
  TempDir ws(as());
  auto r = run(as(), {world().launcher, "exec", "--", "/bin/sh", "-c", "exit 7"}, {ws.path, {}, false});
  EXPECT_EQ(r.status, 7) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(r.err.empty()) << r.err;
  auto k = run(as(), {world().launcher, "exec", "--", "/bin/sh", "-c", "kill -USR1 $$"}, {ws.path, {}, false});
  EXPECT_EQ(k.status, 128 + SIGUSR1) << k.err;
}

// pid 1 is cloned before the profile is resolved (with a new network namespace, the options'
// default); a profile whose [sandbox] turns share_net on makes the launcher start it again
// without one. The default profile keeps the network namespace of its own.
TEST_P(Launcher, ProfileThatSharesTheNetworkGetsTheHostNetworkNamespace) {
  TempDir ws(as());
  write_file(ws.path + "/net.toml", "name = \"net\"\ndefault_action = \"allow\"\n[sandbox]\nshare_net = true\n", as());
  char host_ns[128] = {};
  ASSERT_GT(::readlink("/proc/self/ns/net", host_ns, sizeof host_ns - 1), 0);
  auto shared = run(as(), {world().launcher, "exec", "--profile", ws.path + "/net.toml", "--", "/bin/readlink",
                           "/proc/self/ns/net"},
                    {ws.path, {}, false});
  ASSERT_EQ(shared.status, 0) << shared.err;
  EXPECT_EQ(shared.out, std::string(host_ns) + "\n");
  EXPECT_TRUE(shared.err.empty()) << shared.err;
  auto own = run(as(), {world().launcher, "exec", "--", "/bin/readlink", "/proc/self/ns/net"}, {ws.path, {}, false});
  ASSERT_EQ(own.status, 0) << own.err;
  EXPECT_NE(own.out, std::string(host_ns) + "\n");
  EXPECT_EQ(own.out.rfind("net:[", 0), 0u) << own.out;
}

// A bind of something that is neither a file nor a directory (a FIFO here; sockets and devices
// alike) gets a file mount point.
TEST_P(Launcher, BindOfAFifoWorks) {
  TempDir ws(as());
  std::string fifo = ws.path + "/f.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  if (as() == As::User) {
    ASSERT_EQ(::chown(fifo.c_str(), world().user_uid, world().user_gid), 0);
  }
  auto r = run(as(), {world().launcher, "exec", "--ro-bind", fifo + ":/opt/gsb.fifo", "--", "/usr/bin/test", "-p",
                      "/opt/gsb.fifo"},
               {ws.path, {}, false});
  EXPECT_EQ(r.status, 0) << r.err;
}

// A file bind never mounts through a symlink already at its destination (in a bound workspace).
TEST_P(Launcher, FileBindOntoASymlinkIsRefused) {
  TempDir ws(as());
  write_file(ws.path + "/src", "x\n", as());
  std::string link = ws.path + "/link";
  ASSERT_EQ(::symlink("/etc/hostname", link.c_str()), 0);
  if (as() == As::User) {
    ASSERT_EQ(::lchown(link.c_str(), world().user_uid, world().user_gid), 0);
  }
  auto r = run(as(), {world().launcher, "exec", "--ro-bind", ws.path + "/src:" + link, "--", "/bin/true"},
               {ws.path, {}, false});
  EXPECT_EQ(r.status, 125) << r.err;
  EXPECT_NE(r.err.find("(ELOOP)"), std::string::npos) << r.err;
}

// SIGTERM while the launcher is still computing the plan (here: during `go env`, whose fake
// sends it): the sandbox was started, the program never runs, the launcher exits 143.
TEST_P(Launcher, SigtermBeforeTheProgramStartsEndsTheLaunch) {
  TempDir ws(as());
  TempDir bin(as(), "bin");
  write_file(bin.path + "/go", "#!/bin/sh\nkill -TERM $PPID\nexec /usr/bin/go \"$@\"\n", as(), 0755);
  SpawnOptions so;
  so.cwd = ws.path;
  so.env["PATH"] = bin.path + ":/usr/bin:/bin";
  so.env["XDG_CACHE_HOME"] = ws.path + "/cache";  // a go env cache miss: the fake runs
  auto p = spawn(as(), {world().launcher, "exec", "--", "/usr/bin/touch", ws.path + "/ran"}, so);
  p.close_stdin();
  int st = p.wait(std::chrono::seconds(30));
  EXPECT_EQ(st, 143) << p.err_buf;
  struct stat sb;
  EXPECT_NE(::stat((ws.path + "/ran").c_str(), &sb), 0) << "the program ran";
}

TEST_P(LauncherGopls, SigtermReachesGoplsAndLauncherExits143) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  SpawnOptions so = opts(ws.path);
  Proc p = spawn(as(), {world().launcher}, so);
  // gopls answers initialize: it is running inside.
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}})";
  p.write_all("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(p.read_until([](const std::string& s) { return s.find("\"id\":1") != std::string::npos; },
                           std::chrono::seconds(60)))
      << p.err_buf;
  auto tree = process_tree(p.pid);
  ASSERT_GE(tree.size(), 3u);  // launcher (or setpriv'd launcher), pid 1, gopls
  ASSERT_EQ(::kill(p.pid, SIGTERM), 0);
  EXPECT_EQ(p.wait(std::chrono::seconds(30)), 143) << p.err_buf;
  EXPECT_TRUE(wait_gone(tree, std::chrono::seconds(5)).empty());
}

TEST_P(Launcher, SigkillOfLauncherLeavesNothingAlive) {
  TempDir ws(as());
  SpawnOptions so;
  so.cwd = ws.path;
  Proc p = spawn(as(), {world().launcher, "exec", "--", "/bin/sh", "-c", "sleep 1000 & sleep 1000 & echo ready; wait"},
                 so);
  ASSERT_TRUE(p.read_until([](const std::string& s) { return s.find("ready\n") != std::string::npos; },
                           std::chrono::seconds(30)))
      << p.err_buf;
  auto tree = process_tree(p.pid);
  ASSERT_GE(tree.size(), 5u);  // launcher, init, sh, 2 x sleep
  ASSERT_EQ(::kill(p.pid, SIGKILL), 0);
  auto alive = wait_gone(tree, std::chrono::seconds(1));
  EXPECT_TRUE(alive.empty()) << alive.size() << " sandboxed processes still alive 1 s after SIGKILL";
}

TEST_P(Launcher, OrphanedGrandchildrenAreReaped) {
  TempDir ws(as());
  auto r = run(as(), {world().launcher, "exec", "--", world().helper("orphan_probe")}, {ws.path, {}, false});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("reaped"), std::string::npos) << r.out;
}

TEST_P(LauncherGopls, ClosingStdinEndsServerWithStatus0) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  SpawnOptions so = opts(ws.path);
  Proc p = spawn(as(), {world().launcher}, so);
  p.close_stdin();
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), 0) << p.err_buf;
  EXPECT_TRUE(p.out_buf.empty()) << p.out_buf;
}

TEST_P(Launcher, BadInputExits2NamingTheObject) {
  TempDir ws(as());
  auto r = run(as(), {world().launcher, "run", "--workspace", ws.path + "/missing", "--", "version"}, {ws.path, {}, false});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(ws.path + "/missing"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());

  std::string cfg = ws.path + "/config.toml";
  write_file(cfg, "workspace = [\"/tmp\"]\nshare_net = yes\n", as());
  r = run(as(), {world().launcher, "version"}, {ws.path, {{"GOPLS_SANDBOX_CONFIG", cfg}}, false});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(cfg + ":2:"), std::string::npos) << r.err;

  write_file(cfg, "workspaces = [\"/tmp\"]\ncolour = \"blue\"\n", as());
  r = run(as(), {world().launcher, "version"}, {ws.path, {{"GOPLS_SANDBOX_CONFIG", cfg}}, false});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(cfg + ":2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("colour"), std::string::npos) << r.err;

  r = run(as(), {world().launcher, "run", "--gopls", ws.path + "/no-such-gopls", "--", "version"}, {ws.path, {}, false});
  EXPECT_EQ(r.status, 127) << r.err;
  EXPECT_NE(r.err.find("no-such-gopls"), std::string::npos) << r.err;

  r = run(as(), {world().launcher, "exec", "--", "/no/such/program"}, {ws.path, {}, false});
  EXPECT_EQ(r.status, 127) << r.err;
  write_file(ws.path + "/notexec", "#!/bin/sh\n", as(), 0644);
  r = run(as(), {world().launcher, "exec", "--", ws.path + "/notexec"}, {ws.path, {}, false});
  EXPECT_EQ(r.status, 126) << r.err;

  r = run(as(), {world().launcher, "run", "--no-such-option"}, {ws.path, {}, false});
  EXPECT_EQ(r.status, 2) << r.err;
}

// Issue 13.7: `exec` from a directory outside the named workspace would run the program in the
// workspace instead (a relative path or ./... then means something else): 125 with the fix.
TEST_P(Launcher, ExecOutsideTheNamedWorkspaceExits125WithTheFix) {
  TempDir ws(as()), other(as(), "other");
  auto r = run(as(), {world().launcher, "exec", "--workspace", ws.path, "--", "/bin/pwd"}, {other.path, {}, false});
  EXPECT_EQ(r.status, 125) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("working directory " + other.path + " is not inside the sandbox"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--workspace " + other.path), std::string::npos) << r.err;
  // The same from inside the workspace (a subdirectory) runs where it was started.
  ASSERT_EQ(std::system(("mkdir -p " + shell_quote(ws.path + "/sub") +
                         (as() == As::User ? " && chown " + std::to_string(world().user_uid) + " " + shell_quote(ws.path + "/sub") : ""))
                            .c_str()),
            0);
  r = run(as(), {world().launcher, "exec", "--workspace", ws.path, "--", "/bin/pwd"}, {ws.path + "/sub", {}, false});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, ws.path + "/sub\n");
}

TEST(LauncherUser, UnreadableBindSourceExits2) {
  if (!world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  TempDir ws(As::User);
  TempDir secret(As::Root, "secret");
  ASSERT_EQ(::chmod(secret.path.c_str(), 0700), 0);
  auto r = run(As::User, {world().launcher, "run", "--bind", secret.path, "--", "version"}, {ws.path, {}, false});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find(secret.path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--bind"), std::string::npos) << r.err;
}

TEST(LauncherDryRun, ListsEveryMountWithSourceDestinationAndFlags) {
  TempDir ws(As::Root);
  TempDir extra(As::Root, "extra");
  auto r = run(As::Root, {world().launcher, "run", "--dry-run", "--ro-bind", extra.path + ":/opt/extra"}, {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  auto v = json::parse(r.out);
  ASSERT_TRUE(v.ok()) << v.error().message << "\n" << r.out;
  const auto& mounts = (*v)["mounts"].as_array();
  ASSERT_FALSE(mounts.empty());
  bool ws_bind = false, extra_bind = false, goroot = false, proc = false;
  for (const auto& m : mounts) {
    EXPECT_TRUE(m["type"].is_string());
    EXPECT_TRUE(m["destination"].is_string());
    EXPECT_TRUE(m.find("source"));
    EXPECT_TRUE(m["flags"].is_array());
    if (m["destination"].as_string() == ws.path && m["type"].as_string() == "bind") ws_bind = true;
    if (m["destination"].as_string() == "/opt/extra" && m["source"].as_string() == extra.path) {
      extra_bind = true;
      bool ro = false;
      for (const auto& f : m["flags"].as_array()) ro |= f.as_string() == "ro";
      EXPECT_TRUE(ro) << m.dump();
    }
    if (m["type"].as_string() == "proc") proc = true;
    if (m["why"].as_string() == "GOROOT") goroot = true;
  }
  EXPECT_TRUE(ws_bind && extra_bind && goroot && proc) << r.out;
  EXPECT_EQ((*v)["argv"][0].as_string(), "/usr/bin/gopls");
}

}  // namespace
}  // namespace gsb::test

namespace gsb::test {
namespace {

// A link named `gopls` to the launcher, first on PATH: drop-in mode, and no recursion (the real
// gopls is found further down PATH, skipping the launcher itself).
TEST(LauncherDropIn, LinkNamedGoplsFirstOnPathDoesNotRecurse) {
  TempDir dir(As::Root, "link");
  std::string link = dir.path + "/gopls";
  ASSERT_EQ(::symlink(world().launcher.c_str(), link.c_str()), 0);
  std::string path = dir.path + ":/usr/local/bin:/usr/bin:/bin";
  auto r = run(As::Root, {link, "version", "-json"}, {dir.path + "/..", {{"PATH", path}}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  auto bare = run(As::Root, {"/usr/bin/gopls", "version", "-json"}, {dir.path, {}, false});
  EXPECT_EQ(r.out, bare.out);
  // --help through the link is gopls' own help, not the launcher's.
  auto h = run(As::Root, {link, "help"}, {dir.path + "/..", {{"PATH", path}}, false});
  EXPECT_EQ(h.out.find("gopls-sandbox"), std::string::npos) << h.out;
  // Pointing --gopls at the launcher itself is refused, not a loop.
  auto self = run(As::Root, {world().launcher, "run", "--gopls", link, "--", "version"}, {dir.path, {}, false});
  EXPECT_EQ(self.status, 127) << self.err;
  EXPECT_NE(self.err.find("is gopls-sandbox itself"), std::string::npos) << self.err;
}

}  // namespace
}  // namespace gsb::test
