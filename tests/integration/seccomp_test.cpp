// Issue 3: the shipped seccomp profiles inside real sandboxes, and the exported filter under bwrap.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"

namespace gsb::test {
namespace {

const std::vector<std::string> kMustRefuse = {
    "ptrace",        "mount",        "umount2",     "unshare_newuser", "clone_newuser",   "setns",
    "keyctl",        "add_key",      "bpf",         "perf_event_open", "userfaultfd",     "io_uring_setup",
    "kexec_load",    "init_module",  "finit_module", "reboot",         "swapon",          "acct",
    "settimeofday",  "personality_rie", "open_by_handle_at", "tiocsti_high", "x32_getpid"};

class Seccomp : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (GetParam() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  }
  As as() const { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(As, Seccomp, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

TEST_P(Seccomp, FilterIsLoadedInsideExec) {
  TempDir ws(as());
  auto r = run(as(), {world().launcher, "exec", "--profile", "gopls", "--", "/bin/grep", "^Seccomp:", "/proc/self/status"},
               {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "Seccomp:\t2\n");
}

TEST_P(Seccomp, GoplsProfileRefusesEscapeSyscallsWithEperm) {
  TempDir ws(as());
  std::vector<std::string> argv = {world().launcher, "exec", "--profile", "gopls", "--log", ws.path + "/d.jsonl", "--",
                                   world().helper("try_syscalls")};
  argv.insert(argv.end(), kMustRefuse.begin(), kMustRefuse.end());
  argv.push_back("getpid");
  auto r = run(as(), argv, {ws.path, {}, false});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const auto& probe : kMustRefuse)
    EXPECT_NE(r.out.find(probe + " ret=-1 errno=EPERM\n"), std::string::npos) << probe << "\n" << r.out;
  // Allowed calls still work (and pid 2: the program under the sandbox's init).
  EXPECT_NE(r.out.find("getpid ret=2 errno=0\n"), std::string::npos) << r.out;
}

TEST_P(Seccomp, GoToolchainRunsWithNothingRefused) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  std::string log = ws.path + "/denials.jsonl";
  auto go = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {world().launcher, "exec", "--profile", "gopls", "--log", log, "--", "/usr/bin/go"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(as(), argv, {ws.path, {}, false}, std::chrono::seconds(240));
  };
  auto b = go({"build", "-o", ws.path + "/hello", "."});
  EXPECT_EQ(b.status, 0) << b.err;
  auto out = run(as(), {world().launcher, "exec", "--", ws.path + "/hello"}, {ws.path, {}, false});
  EXPECT_EQ(out.out, "hello, world\n") << out.err;
  auto v = go({"vet", "./..."});
  EXPECT_EQ(v.status, 0) << v.err;
  auto t = go({"test", "-count=1", "./..."});
  EXPECT_EQ(t.status, 0) << t.out << t.err;
  EXPECT_NE(t.out.find("ok  \texample.com/hello"), std::string::npos) << t.out;
  auto l = go({"list", "-deps", "-json", "./..."});
  EXPECT_EQ(l.status, 0) << l.err;
  EXPECT_NE(l.out.find("\"ImportPath\": \"fmt\""), std::string::npos);
  struct stat st;
  EXPECT_NE(::stat(log.c_str(), &st), 0) << "refused:\n" << read_file(log);
}

// gopls-strict refuses the C toolchain's process model (fork/vfork), and turns cgo off for the
// go command through its [sandbox] set_env: go builds and vets with nothing refused.
TEST_P(Seccomp, StrictProfileRunsTheGoToolchainWithCgoOff) {
  TempDir ws(as());
  write_go_module(ws.path, as());
  std::string log = ws.path + "/denials.jsonl";
  auto go = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {world().launcher, "exec", "--profile", "gopls-strict", "--log", log, "--",
                                     "/usr/bin/go"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(as(), argv, {ws.path, {}, false}, std::chrono::seconds(240));
  };
  auto e = go({"env", "CGO_ENABLED"});
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_EQ(e.out, "0\n");
  auto b = go({"build", "-o", ws.path + "/hello", "."});
  EXPECT_EQ(b.status, 0) << b.err;
  auto v = go({"vet", "./..."});
  EXPECT_EQ(v.status, 0) << v.err;
  struct stat st;
  EXPECT_NE(::stat(log.c_str(), &st), 0) << "refused:\n" << read_file(log);
  // The default profile leaves the caller's setting alone.
  auto d = run(as(), {world().launcher, "exec", "--", "/usr/bin/env"}, {ws.path, {}, false});
  const char* host = std::getenv("CGO_ENABLED");
  if (host) {
    EXPECT_NE(d.out.find(std::string("\nCGO_ENABLED=") + host + "\n"), std::string::npos) << d.out;
  } else {
    EXPECT_EQ(d.out.find("CGO_ENABLED="), std::string::npos) << d.out;
  }
}

TEST(SeccompExport, BpfLoadsUnderBwrapRunsGoplsAndRefusesPtrace) {
  if (::access("/usr/bin/bwrap", X_OK) != 0) GSB_SKIP_OR_FAIL("bwrap not installed");
  TempDir dir(As::Root, "bpf");
  std::string bpf = dir.path + "/gopls.bpf";
  auto e = run(As::Root, {world().launcher, "profile", "export", "gopls", "--format", "bpf", "-o", bpf}, {dir.path, {}, false});
  ASSERT_EQ(e.status, 0) << e.err;
  struct stat st;
  ASSERT_EQ(::stat(bpf.c_str(), &st), 0);
  ASSERT_GT(st.st_size, 0);
  EXPECT_EQ(st.st_size % 8, 0) << "struct sock_filter is 8 bytes";
  auto bwrap = [&](const std::vector<std::string>& cmd) {
    std::string c = "exec 9<" + shell_quote(bpf) +
                    " && /usr/bin/bwrap --unshare-all --die-with-parent --ro-bind /usr /usr --symlink usr/lib /lib "
                    "--symlink usr/lib64 /lib64 --symlink usr/bin /bin --proc /proc --dev /dev --tmpfs /tmp "
                    "--ro-bind " + shell_quote(world().bin_dir) + " " + shell_quote(world().bin_dir) +
                    " --setenv HOME /tmp --seccomp 9 --";
    for (const auto& a : cmd) c += " " + shell_quote(a);
    return run(As::Root, {"/bin/sh", "-c", c}, {dir.path, {}, false});
  };
  auto v = bwrap({"/usr/bin/gopls", "version"});
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_NE(v.out.find("golang.org/x/tools/gopls"), std::string::npos) << v.out;
  auto p = bwrap({world().helper("try_syscalls"), "ptrace", "getpid"});
  EXPECT_EQ(p.status, 0) << p.err;
  EXPECT_NE(p.out.find("ptrace ret=-1 errno=EPERM"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("getpid ret="), std::string::npos) << p.out;
}

TEST(SeccompExport, OciJsonHasRuntimeSpecShape) {
  TempDir dir(As::Root, "oci");
  auto e = run(As::Root, {world().launcher, "profile", "export", "gopls", "--format", "oci-json"}, {dir.path, {}, false});
  ASSERT_EQ(e.status, 0) << e.err;
  auto v = json::parse(e.out);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE((*v)["defaultAction"].is_string());
  EXPECT_EQ((*v)["defaultAction"].as_string().rfind("SCMP_ACT_", 0), 0u);
  ASSERT_TRUE((*v)["architectures"].is_array());
  EXPECT_EQ((*v)["architectures"][0].as_string(), "SCMP_ARCH_X86_64");
  ASSERT_FALSE((*v)["syscalls"].as_array().empty());
  bool saw_args = false, saw_errno = false;
  for (const auto& s : (*v)["syscalls"].as_array()) {
    EXPECT_TRUE(s["names"].is_array() && !s["names"].as_array().empty()) << s.dump();
    EXPECT_TRUE(s["action"].is_string()) << s.dump();
    if (s.find("errnoRet")) saw_errno = true;
    for (const auto& a : s["args"].as_array()) {
      saw_args = true;
      EXPECT_TRUE(a["index"].is_int());
      EXPECT_TRUE(a["value"].is_int());
      EXPECT_TRUE(a["op"].is_string());
      EXPECT_EQ(a["op"].as_string().rfind("SCMP_CMP_", 0), 0u);
    }
  }
  EXPECT_TRUE(saw_args && saw_errno);
}

}  // namespace
}  // namespace gsb::test
