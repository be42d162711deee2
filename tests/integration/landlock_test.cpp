// Issue 16: Landlock is a second wall inside the namespaces. Each attack runs from inside, as root
// and as the unprivileged test user.
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <random>

#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"

namespace gsb::test {
namespace {

int landlock_abi() {
  long v = ::syscall(444 /* landlock_create_ruleset */, nullptr, 0, 1u);
  return v < 0 ? 0 : static_cast<int>(v);
}

class Landlock : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (GetParam() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
    if (landlock_abi() < 6) GSB_SKIP_OR_FAIL("Landlock ABI 6 (scopes) not available on this kernel");
  }
  As as() const { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(As, Landlock, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

TEST_P(Landlock, WithTheHostNetworkTheHostsAbstractSocketsAreOutOfReach) {
  // A host service on an abstract unix socket (X11's @/tmp/.X11-unix/X0 is the classic one).
  std::random_device rd;
  std::string name = "gsb-landlock-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  int l = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(l, 0);
  struct sockaddr_un a {};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path + 1, name.data(), name.size());
  socklen_t len = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + 1 + name.size());
  ASSERT_EQ(::bind(l, reinterpret_cast<sockaddr*>(&a), len), 0);
  ASSERT_EQ(::listen(l, 4), 0);
  TempDir ws(as());
  auto r = run(as(), {world().launcher, "exec", "--share-net", "--profile", "gopls", "--", world().helper("escape_landlock"),
                      "abstract", name},
               {ws.path, {}, false});
  ::close(l);
  ASSERT_EQ(r.status, 0) << r.err;
  // Before Landlock: errno=0 (connected to the host's listener).
  EXPECT_EQ(r.out, "abstract_connect errno=EPERM\n") << r.err;
}

TEST_P(Landlock, AHostFileReachedThroughProcIsRefused) {
  // stdin is a host file the sandbox never binds; /dev/stdin -> /proc/self/fd/0 reopens it by
  // its host path (a magic link ignores the mount namespace). Landlock checks that path: refused.
  char tmpl[] = "/var/tmp/gsb-ll-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl, file = dir + "/host-only";
  ::chmod(dir.c_str(), 0755);
  write_file(file, "host secret\n", As::Root, 0644);
  TempDir ws(as());
  std::string cmd = "exec " + shell_quote(world().launcher) + " exec --profile gopls -- " +
                    shell_quote(world().helper("escape_landlock")) + " stdin < " + shell_quote(file);
  auto r = run(as(), {"/bin/sh", "-c", cmd}, {ws.path, {}, false});
  std::system(("rm -rf " + shell_quote(dir)).c_str());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "reopen_stdin errno=EACCES\n") << r.err;  // before Landlock: errno=0
}

TEST_P(Landlock, VerboseAndDryRunSayWhatIsEnforced) {
  TempDir ws(as());
  auto v = run(as(), {world().launcher, "exec", "-v", "--", "/bin/true"}, {ws.path, {}, false});
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_NE(v.err.find("Landlock ABI " + std::to_string(landlock_abi())), std::string::npos) << v.err;
  auto d = run(as(), {world().launcher, "exec", "--dry-run", "--", "/bin/true"}, {ws.path, {}, false});
  ASSERT_EQ(d.status, 0) << d.err;
  auto j = json::parse(d.out);
  ASSERT_TRUE(j) << d.out;
  const auto& ll = (*j)["landlock"];
  EXPECT_EQ(ll["abi"].as_int(), landlock_abi());
  bool ws_rw = false, usr_ro = false;
  for (const auto& r : ll["rules"].as_array()) {
    if (r["path"].as_string() == ws.path) ws_rw = r["access"].as_string().find("write_file") != std::string::npos;
    if (r["path"].as_string() == "/usr")
      usr_ro = r["access"].as_string() == "execute,read_file,read_dir";
  }
  EXPECT_TRUE(ws_rw) << d.out;
  EXPECT_TRUE(usr_ro) << d.out;
  EXPECT_EQ(ll["scopes"].as_array().size(), 2u) << d.out;
}

}  // namespace
}  // namespace gsb::test
