// Compiler behaviour on small synthetic profiles: kill/log defaults, errno mapping, conditional
// rules with exceptions, the simulator itself, decide() origins and the OCI export.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"
#include "gopls_sandbox/core/bpf_sim.hpp"

namespace fs = std::filesystem;
using namespace gsb;
using namespace gsb::core;
using gsb::core::run_bpf;

namespace {

Result<Profile> from_text(const std::string& text) {
  fs::path dir = fs::path(testing::TempDir()) /
                 ("gsb-pol-" + std::to_string(::getpid()) + "-" +
                  testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(dir);
  fs::path f = dir / "p.toml";
  std::ofstream(f) << text;
  auto r = load_profile(f.string(), {dir.string()});
  std::error_code ec;
  fs::remove_all(dir, ec);
  return r;
}

uint32_t sim(const CompiledPolicy& c, const char* name, std::initializer_list<uint64_t> a = {}) {
  uint64_t args[6] = {};
  size_t i = 0;
  for (auto v : a) args[i++] = v;
  auto r = run_bpf(c.program, AUDIT_ARCH_X86_64, syscall_nr(name), args);
  EXPECT_TRUE(r.ok) << r.error;
  return r.ret;
}

}  // namespace

TEST(BpfSim, RunsHandWrittenPrograms) {
  std::vector<sock_filter> prog = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[1])),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x12, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 13),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
  };
  uint64_t a[6] = {0, 0x5412, 0, 0, 0, 0};
  EXPECT_EQ(gsb::core::run_bpf(prog, AUDIT_ARCH_X86_64, 39, a).ret, SECCOMP_RET_ALLOW);
  EXPECT_EQ(gsb::core::run_bpf(prog, AUDIT_ARCH_X86_64, 1, a).ret, SECCOMP_RET_ERRNO | 13u);
  a[1] = 0x11;
  EXPECT_EQ(gsb::core::run_bpf(prog, AUDIT_ARCH_X86_64, 1, a).ret, SECCOMP_RET_ERRNO | 1u);
  // malformed: falls off the end / loads out of range
  std::vector<sock_filter> bad = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4096)};
  EXPECT_FALSE(gsb::core::run_bpf(bad, AUDIT_ARCH_X86_64, 1, a).ok);
  std::vector<sock_filter> off = {BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0)};
  EXPECT_FALSE(gsb::core::run_bpf(off, AUDIT_ARCH_X86_64, 1, a).ok);
}

TEST(PolicyCustom, KillAndLogDefaultsAndErrnoNames) {
  auto p = from_text(R"(name = "k"
default_action = "kill"
allow = ["getpid"]
[[rule]]
syscalls = ["getppid"]
errno = "EACCES"
[[rule]]
syscalls = ["gettid"]
action = "log"
)");
  ASSERT_TRUE(p.ok()) << p.error().message;
  auto c = compile_policy(*p, Delivery::Errno);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(sim(*c, "getpid"), SECCOMP_RET_ALLOW);
  EXPECT_EQ(sim(*c, "getppid"), SECCOMP_RET_ERRNO | EACCES);
  EXPECT_EQ(sim(*c, "gettid"), SECCOMP_RET_LOG);
  EXPECT_EQ(sim(*c, "ptrace"), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(sim(*c, "exit_group"), SECCOMP_RET_ALLOW);  // always allowed
  // Notify: errno -> notify, kill stays kill
  auto n = compile_policy(*p, Delivery::Notify);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(sim(*n, "getppid"), SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(sim(*n, "ptrace"), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(sim(*n, "gettid"), SECCOMP_RET_LOG);
  // Learn: kill -> notify too
  auto l = compile_policy(*p, Delivery::Learn);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(sim(*l, "ptrace"), SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(sim(*l, "gettid"), SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(sim(*l, "getpid"), SECCOMP_RET_ALLOW);
  uint64_t z[6] = {};
  Decision d = decide(*p, syscall_nr("getppid"), z);
  EXPECT_EQ(d.kind, Decision::Errno);
  EXPECT_EQ(d.err, EACCES);
  EXPECT_NE(d.rule.find("p.toml:5:13"), std::string::npos) << d.rule;
  d = decide(*p, syscall_nr("ptrace"), z);
  EXPECT_EQ(d.kind, Decision::Kill);
  EXPECT_NE(d.rule.find("default_action"), std::string::npos) << d.rule;
}

TEST(PolicyCustom, ExceptionsWithTheSameErrnoAsTheDefault) {
  // ioctl allowed except TIOCSTI, refused with the default errno (EPERM): libseccomp refuses
  // rules equal to its default; the compiler must still produce the exception.
  auto p = from_text(R"(name = "e"
allow = ["ioctl", "socket"]
[[rule]]
syscalls = ["ioctl"]
args = [ { index = 1, op = "eq", value = "TIOCSTI" } ]
[[rule]]
syscalls = ["socket"]
args = [ { index = 0, op = "eq", value = "AF_PACKET" } ]
[[rule]]
syscalls = ["socket"]
args = [ { index = 0, op = "eq", value = "AF_NETLINK" }, { index = 2, op = "eq", value = 9 } ]
)");
  ASSERT_TRUE(p.ok()) << p.error().message;
  for (Delivery dl : {Delivery::Errno, Delivery::Notify}) {
    auto c = compile_policy(*p, dl);
    ASSERT_TRUE(c.ok()) << c.error().message;
    const uint32_t deny = dl == Delivery::Errno ? (SECCOMP_RET_ERRNO | EPERM) : SECCOMP_RET_USER_NOTIF;
    EXPECT_EQ(sim(*c, "ioctl", {0, 0x5412}), deny);
    EXPECT_EQ(sim(*c, "ioctl", {0, 0xffffffff00005412ULL}), deny);
    EXPECT_EQ(sim(*c, "ioctl", {0, 0x5401}), SECCOMP_RET_ALLOW);
    EXPECT_EQ(sim(*c, "socket", {17}), deny);
    EXPECT_EQ(sim(*c, "socket", {16, 3, 9}), deny);
    EXPECT_EQ(sim(*c, "socket", {16, 3, 0}), SECCOMP_RET_ALLOW);
    EXPECT_EQ(sim(*c, "socket", {2, 1, 0}), SECCOMP_RET_ALLOW);
  }
}

TEST(PolicyCustom, ComparisonOperators) {
  auto p = from_text(R"(name = "ops"
[[rule]]
syscalls = ["getpriority"]
action = "allow"
args = [ { index = 0, op = "lt", value = 3 } ]
[[rule]]
syscalls = ["setpriority"]
action = "allow"
args = [ { index = 0, op = "ge", value = 10 } ]
[[rule]]
syscalls = ["setpriority"]
action = "allow"
args = [ { index = 1, op = "le", value = 100 } ]
[[rule]]
syscalls = ["kill"]
action = "allow"
args = [ { index = 1, op = "ne", value = "SIGKILL" } ]
[[rule]]
syscalls = ["tkill"]
action = "allow"
args = [ { index = 1, op = "gt", value = 0x100000000 } ]
)");
  ASSERT_TRUE(p.ok()) << p.error().message;
  auto c = compile_policy(*p, Delivery::Errno);
  ASSERT_TRUE(c.ok()) << c.error().message;
  const uint32_t E = SECCOMP_RET_ERRNO | EPERM, A = SECCOMP_RET_ALLOW;
  EXPECT_EQ(sim(*c, "getpriority", {2}), A);
  EXPECT_EQ(sim(*c, "getpriority", {3}), E);
  EXPECT_EQ(sim(*c, "getpriority", {0x100000002ULL}), E);
  EXPECT_EQ(sim(*c, "setpriority", {10, 1000}), A);  // a0 >= 10
  EXPECT_EQ(sim(*c, "setpriority", {0, 100}), A);     // a1 <= 100
  EXPECT_EQ(sim(*c, "setpriority", {9, 101}), E);
  EXPECT_EQ(sim(*c, "kill", {1, 15}), A);
  EXPECT_EQ(sim(*c, "kill", {1, 9}), E);
  EXPECT_EQ(sim(*c, "tkill", {1, 0x100000001ULL}), A);
  EXPECT_EQ(sim(*c, "tkill", {1, 0x100000000ULL}), E);
  // decide agrees
  for (uint64_t v : {0ULL, 2ULL, 3ULL, 9ULL, 10ULL, 100ULL, 101ULL, 0x100000000ULL, 0x100000001ULL}) {
    for (const char* n : {"getpriority", "setpriority", "kill", "tkill"}) {
      uint64_t a[6] = {v, v, 0, 0, 0, 0};
      auto s = run_bpf(c->program, AUDIT_ARCH_X86_64, syscall_nr(n), a);
      Decision d = decide(*p, syscall_nr(n), a);
      EXPECT_EQ(d.kind == Decision::Allow ? A : E, s.ret) << n << " " << v;
    }
  }
}

TEST(PolicyCustom, InexpressibleRulesAreRefusedNotMiscompiled) {
  // One rule comparing two arguments, with an "otherwise" action: libseccomp orders the
  // always-true otherwise-comparison before the rule; the compiler's self-check notices.
  auto p = from_text(R"(name = "x"
[[rule]]
syscalls = ["setpriority"]
action = "allow"
args = [ { index = 0, op = "ge", value = 10 }, { index = 1, op = "le", value = 100 } ]
)");
  ASSERT_TRUE(p.ok()) << p.error().message;
  auto c = compile_policy(*p, Delivery::Errno);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("setpriority"), std::string::npos) << c.error().message;
  EXPECT_EQ(c.error().kind, ErrorKind::Usage);
}

TEST(PolicyCustom, UnknownErrnoAndConditionalConflictWithIt) {
  auto p = from_text(R"(name = "u"
unknown_errno = "EOPNOTSUPP"
allow = ["ioctl"]
[[rule]]
syscalls = ["ioctl"]
errno = "EOPNOTSUPP"
args = [ { index = 1, op = "eq", value = "TIOCSTI" } ]
)");
  ASSERT_TRUE(p.ok()) << p.error().message;
  auto c = compile_policy(*p, Delivery::Errno);
  ASSERT_FALSE(c.ok());  // documented limitation, reported rather than miscompiled
  EXPECT_NE(c.error().message.find("unknown-syscall action"), std::string::npos);
  auto n = compile_policy(*p, Delivery::Notify);
  ASSERT_TRUE(n.ok());  // NOTIFY differs from the errno default
  uint64_t z[6] = {};
  EXPECT_EQ(run_bpf(n->program, AUDIT_ARCH_X86_64, 463, z).ret, SECCOMP_RET_ERRNO | EOPNOTSUPP);
}

TEST(PolicyOci, ExportShape) {
  auto p = load_profile("gopls", {std::string(GSB_TEST_SOURCE_DIR) + "/profiles"});
  ASSERT_TRUE(p.ok());
  json::Value v = export_oci_json(*p);
  EXPECT_EQ(v["defaultAction"].as_string(), "SCMP_ACT_ERRNO");
  EXPECT_EQ(v["defaultErrnoRet"].as_int(), ENOSYS);
  EXPECT_EQ(v["architectures"][0].as_string(), "SCMP_ARCH_X86_64");
  bool saw_getpid_allow = false, saw_ioctl_masked = false, saw_ptrace_eperm = false;
  for (const auto& r : v["syscalls"].as_array()) {
    for (const auto& n : r["names"].as_array()) {
      if (n.as_string() == "getpid" && r["action"].as_string() == "SCMP_ACT_ALLOW")
        saw_getpid_allow = true;
      if (n.as_string() == "ptrace" && r["action"].as_string() == "SCMP_ACT_ERRNO" &&
          r["errnoRet"].as_int() == EPERM)
        saw_ptrace_eperm = true;
      if (n.as_string() == "ioctl" && r.find("args")) {
        const auto& a = r["args"][0];
        if (a["op"].as_string() == "SCMP_CMP_MASKED_EQ" && a["value"].as_int() == 0xffffffff &&
            a["valueTwo"].as_int() == 0x5412 && a["index"].as_int() == 1)
          saw_ioctl_masked = true;
      }
    }
  }
  EXPECT_TRUE(saw_getpid_allow);
  EXPECT_TRUE(saw_ptrace_eperm);
  EXPECT_TRUE(saw_ioctl_masked);
  auto back = json::parse(v.dump(2));
  EXPECT_TRUE(back.ok());
}

TEST(ProfileReadme, TheDocumentedExampleCompiles) {
  // profiles/README.md is the format's specification: its complete example must compile
  // (that it loads: profile_load_test).
  std::ifstream in(std::string(GSB_TEST_SOURCE_DIR) + "/profiles/README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string md = ss.str();
  auto b = md.find("```toml\n");
  ASSERT_NE(b, std::string::npos);
  b += 8;
  auto e = md.find("```", b);
  ASSERT_NE(e, std::string::npos);
  fs::path dir = fs::path(testing::TempDir()) / ("gsb-readme-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "example.toml") << md.substr(b, e - b);
  auto r = load_profile((dir / "example.toml").string(),
                        {dir.string(), std::string(GSB_TEST_SOURCE_DIR) + "/profiles"});
  std::error_code ec;
  fs::remove_all(dir, ec);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto c = compile_policy(*r, Delivery::Errno);
  EXPECT_TRUE(c.ok()) << c.error().message;
}
