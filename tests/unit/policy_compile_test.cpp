// The compiler, checked by behaviour: compile the shipped profile, export the BPF, run it in
// the simulator over a table of (arch, syscall, args) -> expected action/errno, and check that
// decide() agrees with the simulated filter.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"
#include "gopls_sandbox/core/bpf_sim.hpp"

using namespace gsb;
using namespace gsb::core;
using gsb::core::run_bpf;

namespace {

const std::vector<std::string> kSearch = {std::string(GSB_TEST_SOURCE_DIR) + "/profiles"};

constexpr uint32_t kX32 = 0x40000000;
constexpr uint64_t CLONE_THREAD_FLAGS = 0x3d0f00;  // VM|FS|FILES|SIGHAND|SYSVSEM|THREAD|SETTLS|PARENT_SETTID|CHILD_CLEARTID
constexpr uint64_t kNewUser = 0x10000000;

enum Expect { ALLOW, EPERM_, ENOSYS_, NOTIFY };

struct Row {
  const char* what;
  uint32_t arch;
  int nr;
  uint64_t args[6];
  Expect errno_mode;   // expected in Delivery::Errno
  Expect notify_mode;  // expected in Delivery::Notify
};

int nr(const char* n) {
  int v = syscall_nr(n);
  EXPECT_GE(v, 0) << n;
  return v;
}

std::vector<Row> table() {
  const uint32_t X86_64 = AUDIT_ARCH_X86_64, I386 = AUDIT_ARCH_I386;
  std::vector<Row> t = {
      {"getpid", X86_64, nr("getpid"), {}, ALLOW, ALLOW},
      // Allowed, but with a supervisor notified: it skips mtime refreshes in cache overlays.
      {"utimensat (intercepted)", X86_64, nr("utimensat"), {0xffffff9c, 1, 0, 0}, ALLOW, NOTIFY},
      {"utimes (intercepted)", X86_64, nr("utimes"), {1, 0}, ALLOW, NOTIFY},
      {"futex", X86_64, nr("futex"), {1, 2, 3}, ALLOW, ALLOW},
      {"write (always allowed)", X86_64, nr("write"), {1}, ALLOW, ALLOW},
      {"ptrace", X86_64, nr("ptrace"), {16, 1}, EPERM_, NOTIFY},
      {"mount", X86_64, nr("mount"), {}, EPERM_, NOTIFY},
      {"umount2", X86_64, nr("umount2"), {}, EPERM_, NOTIFY},
      {"unshare(CLONE_NEWUSER)", X86_64, nr("unshare"), {kNewUser}, EPERM_, NOTIFY},
      {"setns", X86_64, nr("setns"), {3, 0}, EPERM_, NOTIFY},
      {"clone(thread)", X86_64, nr("clone"), {CLONE_THREAD_FLAGS}, ALLOW, ALLOW},
      {"clone(SIGCHLD)", X86_64, nr("clone"), {17}, ALLOW, ALLOW},
      {"clone(VM|VFORK|SIGCHLD)", X86_64, nr("clone"), {0x4100 | 17}, ALLOW, ALLOW},
      {"clone(NEWUSER|SIGCHLD)", X86_64, nr("clone"), {kNewUser | 17}, EPERM_, NOTIFY},
      {"clone(NEWNS)", X86_64, nr("clone"), {0x20000}, EPERM_, NOTIFY},
      {"clone(NEWNET hi bits)", X86_64, nr("clone"), {0xffffffff00000000ULL | 0x40000000}, EPERM_, NOTIFY},
      {"clone3", X86_64, nr("clone3"), {}, ENOSYS_, ENOSYS_},  // ENOSYS is never notified
      {"keyctl", X86_64, nr("keyctl"), {}, EPERM_, NOTIFY},
      {"add_key", X86_64, nr("add_key"), {}, EPERM_, NOTIFY},
      {"request_key", X86_64, nr("request_key"), {}, EPERM_, NOTIFY},
      {"bpf", X86_64, nr("bpf"), {}, EPERM_, NOTIFY},
      {"perf_event_open", X86_64, nr("perf_event_open"), {}, EPERM_, NOTIFY},
      {"userfaultfd", X86_64, nr("userfaultfd"), {}, EPERM_, NOTIFY},
      {"io_uring_setup", X86_64, nr("io_uring_setup"), {}, EPERM_, NOTIFY},
      {"io_uring_enter", X86_64, nr("io_uring_enter"), {}, EPERM_, NOTIFY},
      {"io_uring_register", X86_64, nr("io_uring_register"), {}, EPERM_, NOTIFY},
      {"kexec_load", X86_64, nr("kexec_load"), {}, EPERM_, NOTIFY},
      {"kexec_file_load", X86_64, nr("kexec_file_load"), {}, EPERM_, NOTIFY},
      {"init_module", X86_64, nr("init_module"), {}, EPERM_, NOTIFY},
      {"finit_module", X86_64, nr("finit_module"), {}, EPERM_, NOTIFY},
      {"delete_module", X86_64, nr("delete_module"), {}, EPERM_, NOTIFY},
      {"reboot", X86_64, nr("reboot"), {}, EPERM_, NOTIFY},
      {"swapon", X86_64, nr("swapon"), {}, EPERM_, NOTIFY},
      {"swapoff", X86_64, nr("swapoff"), {}, EPERM_, NOTIFY},
      {"acct", X86_64, nr("acct"), {}, EPERM_, NOTIFY},
      {"settimeofday", X86_64, nr("settimeofday"), {}, EPERM_, NOTIFY},
      {"clock_settime", X86_64, nr("clock_settime"), {}, EPERM_, NOTIFY},
      {"open_by_handle_at", X86_64, nr("open_by_handle_at"), {}, EPERM_, NOTIFY},
      {"name_to_handle_at", X86_64, nr("name_to_handle_at"), {}, EPERM_, NOTIFY},
      {"personality(READ_IMPLIES_EXEC)", X86_64, nr("personality"), {0x400000}, EPERM_, NOTIFY},
      {"personality(RIE, hi bits)", X86_64, nr("personality"), {0xffffffff00400000ULL}, EPERM_, NOTIFY},
      {"personality(0xffffffff)", X86_64, nr("personality"), {0xffffffffULL}, ALLOW, ALLOW},
      {"personality(PER_LINUX)", X86_64, nr("personality"), {0}, EPERM_, NOTIFY},  // only the query is allowed
      {"ioctl(TIOCSTI)", X86_64, nr("ioctl"), {0, 0x5412}, EPERM_, NOTIFY},
      {"ioctl(TIOCSTI, hi bits)", X86_64, nr("ioctl"), {0, 0xffffffff00005412ULL}, EPERM_, NOTIFY},
      {"ioctl(TCGETS)", X86_64, nr("ioctl"), {0, 0x5401}, ALLOW, ALLOW},
      {"ioctl(FIONBIO)", X86_64, nr("ioctl"), {3, 0x5421}, ALLOW, ALLOW},
      {"socket(AF_UNIX)", X86_64, nr("socket"), {1, 1}, ALLOW, ALLOW},
      {"socket(AF_INET6)", X86_64, nr("socket"), {10, 1}, ALLOW, ALLOW},
      {"socket(AF_PACKET)", X86_64, nr("socket"), {17, 3}, EPERM_, NOTIFY},
      {"x32 getpid", X86_64, nr("getpid") | static_cast<int>(kX32), {}, EPERM_, EPERM_},
      {"x32 ptrace", X86_64, 521 | static_cast<int>(kX32), {}, EPERM_, EPERM_},
      {"i386 getpid", I386, 20, {}, EPERM_, EPERM_},
      {"i386 exit", I386, 1, {}, EPERM_, EPERM_},
      {"newer than table", X86_64, 463, {}, ENOSYS_, ENOSYS_},
      {"far beyond table", X86_64, 4000, {}, ENOSYS_, ENOSYS_},
  };
  return t;
}

uint32_t expected_ret(Expect e) {
  switch (e) {
    case ALLOW: return SECCOMP_RET_ALLOW;
    case EPERM_: return SECCOMP_RET_ERRNO | EPERM;
    case ENOSYS_: return SECCOMP_RET_ERRNO | ENOSYS;
    case NOTIFY: return SECCOMP_RET_USER_NOTIF;
  }
  return 0;
}

uint32_t decision_ret(const Decision& d) {
  switch (d.kind) {
    case Decision::Allow: return SECCOMP_RET_ALLOW;
    case Decision::Errno: return SECCOMP_RET_ERRNO | static_cast<uint32_t>(d.err);
    case Decision::Kill: return SECCOMP_RET_KILL_PROCESS;
    case Decision::Log: return SECCOMP_RET_LOG;
  }
  return 0;
}

Profile load(const char* name) {
  auto r = load_profile(name, kSearch);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : Profile{};
}

}  // namespace

TEST(PolicyCompile, GoplsProfileErrnoModeTable) {
  Profile p = load("gopls");
  auto c = compile_policy(p, Delivery::Errno);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_FALSE(c->program.empty());
  for (const Row& r : table()) {
    SCOPED_TRACE(r.what);
    auto s = run_bpf(c->program, r.arch, r.nr, r.args);
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.ret, expected_ret(r.errno_mode)) << std::hex << s.ret;
  }
}

TEST(PolicyCompile, GoplsProfileNotifyModeTable) {
  Profile p = load("gopls");
  auto c = compile_policy(p, Delivery::Notify);
  ASSERT_TRUE(c.ok()) << c.error().message;
  for (const Row& r : table()) {
    SCOPED_TRACE(r.what);
    auto s = run_bpf(c->program, r.arch, r.nr, r.args);
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.ret, expected_ret(r.notify_mode)) << std::hex << s.ret;
  }
}

TEST(PolicyCompile, LearnModeNotifiesDefaultAndDenials) {
  Profile p = load("gopls");
  auto c = compile_policy(p, Delivery::Learn);
  ASSERT_TRUE(c.ok()) << c.error().message;
  uint64_t none[6] = {};
  EXPECT_EQ(run_bpf(c->program, AUDIT_ARCH_X86_64, nr("getpid"), none).ret, SECCOMP_RET_ALLOW);
  EXPECT_EQ(run_bpf(c->program, AUDIT_ARCH_X86_64, nr("ptrace"), none).ret, SECCOMP_RET_USER_NOTIF);
  // not named by the profile -> default -> notify
  EXPECT_EQ(run_bpf(c->program, AUDIT_ARCH_X86_64, nr("syslog"), none).ret, SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(run_bpf(c->program, AUDIT_ARCH_X86_64, 463, none).ret, SECCOMP_RET_ERRNO | ENOSYS);
}

TEST(PolicyCompile, DecideAgreesWithTheFilter) {
  for (const char* name : {"gopls", "gopls-strict"}) {
    SCOPED_TRACE(name);
    Profile p = load(name);
    auto c = compile_policy(p, Delivery::Errno);
    ASSERT_TRUE(c.ok()) << c.error().message;
    // the table
    for (const Row& r : table()) {
      if (r.arch != AUDIT_ARCH_X86_64) continue;
      SCOPED_TRACE(r.what);
      auto s = run_bpf(c->program, r.arch, r.nr, r.args);
      ASSERT_TRUE(s.ok);
      Decision d = decide(p, r.nr, r.args);
      EXPECT_EQ(decision_ret(d), s.ret) << d.rule;
      EXPECT_FALSE(d.rule.empty());
    }
    // every table syscall with a few argument patterns
    const uint64_t patterns[][6] = {{0, 0, 0, 0, 0, 0},
                                    {~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL},
                                    {1, 0x5412, 4, 0, 0, 0},
                                    {0x10000000 | 17, 0, 7, 0, 0, 0},
                                    {10, 0xffffffff00005412ULL, 0, 0, 0, 0},
                                    {0x59616d61, 0, 3, 0, 0, 0}};
    for (const auto& sc : x86_64_syscalls()) {
      for (const auto& a : patterns) {
        auto s = run_bpf(c->program, AUDIT_ARCH_X86_64, sc.nr, a);
        ASSERT_TRUE(s.ok);
        Decision d = decide(p, sc.nr, a);
        EXPECT_EQ(decision_ret(d), s.ret) << sc.name << " a0=" << a[0] << " rule " << d.rule;
      }
    }
  }
}

TEST(PolicyCompile, StrictProfileRefusesMore) {
  Profile p = load("gopls-strict");
  auto c = compile_policy(p, Delivery::Errno);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto ret = [&](const char* n, std::initializer_list<uint64_t> a) {
    uint64_t args[6] = {};
    size_t i = 0;
    for (auto v : a) args[i++] = v;
    return run_bpf(c->program, AUDIT_ARCH_X86_64, nr(n), args).ret;
  };
  EXPECT_EQ(ret("socket", {10, 1}), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(ret("socket", {1, 1}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(ret("mprotect", {0, 4096, 1 | 4}), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(ret("mprotect", {0, 4096, 1 | 2}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(ret("vfork", {}), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(ret("prctl", {15 /*PR_SET_NAME*/}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(ret("prctl", {35 /*PR_SET_MM*/}), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(ret("ptrace", {}), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(ret("clone", {17}), SECCOMP_RET_ALLOW);
}

TEST(PolicyCompile, ArgumentFreeAllowsStayArgumentFree) {
  // A syscall allowed without conditions must be decided without loading any argument:
  // walk the program for getpid and check no instruction reads seccomp_data.args.
  Profile p = load("gopls");
  auto c = compile_policy(p, Delivery::Errno);
  ASSERT_TRUE(c.ok());
  // The simulator result for getpid must not depend on the arguments at all.
  uint64_t a[6] = {}, b[6] = {~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL};
  for (const char* n : {"getpid", "futex", "read", "epoll_pwait", "nanosleep", "mmap"}) {
    EXPECT_EQ(run_bpf(c->program, AUDIT_ARCH_X86_64, nr(n), a).ret, SECCOMP_RET_ALLOW) << n;
    EXPECT_EQ(run_bpf(c->program, AUDIT_ARCH_X86_64, nr(n), b).ret, SECCOMP_RET_ALLOW) << n;
  }
  // and the profile holds them without conditions
  for (const char* n : {"getpid", "futex", "read", "epoll_pwait", "nanosleep", "mmap"}) {
    auto it = p.syscalls.find(nr(n));
    if (it == p.syscalls.end()) continue;  // always-allowed ones need no entry
    EXPECT_TRUE(it->second.cond_rules.empty()) << n;
  }
}
