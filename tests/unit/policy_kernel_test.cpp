// The compiled filters on the real kernel (no privileges needed: no_new_privs + seccomp in a
// forked child): the simulator's verdicts must be what the kernel does, and Notify mode must
// deliver refusals to a listener that answers with decide()'s errno.
#include <gtest/gtest.h>

#include "skip.hpp"
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"
#include "gopls_sandbox/sys/seccomp.hpp"

using namespace gsb;
using namespace gsb::core;

namespace {

Profile gopls_profile() {
  auto p = load_profile("gopls", {std::string(GSB_TEST_SOURCE_DIR) + "/profiles"});
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::move(p).value() : Profile{};
}

// Runs fn in a forked child after loading prog; returns the child's exit status (or -1).
template <typename Fn>
int in_filtered_child(const std::vector<sock_filter>& prog, Fn fn) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(100);
    if (sys::load_filter(prog.data(), prog.size(), false, nullptr) != 0) _exit(101);
    _exit(fn());
  }
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

// 0 if syscall(nr, a0, a1, a2) fails with `want` (or succeeds when want == 0), else 1.
int expect_call(long nr, unsigned long a0, unsigned long a1, unsigned long a2, int want) {
  errno = 0;
  long r = syscall(nr, a0, a1, a2, 0, 0, 0);
  int got = r < 0 ? errno : 0;
  return got == want ? 0 : 1;
}

}  // namespace

TEST(PolicyKernel, LoadFilterRejectsBadArguments) {
  EXPECT_EQ(sys::load_filter(nullptr, 0, false, nullptr), EINVAL);
  sock_filter one = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  EXPECT_EQ(sys::load_filter(&one, 1, true, nullptr), EINVAL);
}

TEST(PolicyKernel, GoplsFilterOnTheRealKernel) {
  Profile p = gopls_profile();
  auto c = compile_policy(p, Delivery::Errno);
  ASSERT_TRUE(c.ok()) << c.error().message;
  struct Case {
    const char* what;
    long nr;
    unsigned long a0, a1, a2;
    int want;
  } cases[] = {
      {"getppid", SYS_getppid, 0, 0, 0, 0},
      {"ptrace(-1)", SYS_ptrace, ~0UL, 0, 0, EPERM},
      {"unshare(NEWUSER)", SYS_unshare, 0x10000000UL, 0, 0, EPERM},
      {"ioctl(-1, TIOCSTI|hi)", SYS_ioctl, ~0UL, 0xffffffff00005412UL, 0, EPERM},
      {"ioctl(-1, TCGETS)", SYS_ioctl, ~0UL, 0x5401UL, 0, EBADF},
      {"personality(RIE)", SYS_personality, 0x400000UL, 0, 0, EPERM},
      {"clone3(NULL)", 435, 0, 0, 0, ENOSYS},
      {"x32 getpid", SYS_getpid | 0x40000000L, 0, 0, 0, EPERM},
      {"newer than table", 463, 0, 0, 0, ENOSYS},
      {"reboot(bad magic)", SYS_reboot, 0, 0, 0, EPERM},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.what);
    int st = in_filtered_child(c->program, [&] { return expect_call(k.nr, k.a0, k.a1, k.a2, k.want); });
    EXPECT_EQ(st, 0);
    if (k.nr < 0x40000000L && k.nr <= syscall_table_max_nr()) {
      uint64_t args[6] = {k.a0, k.a1, k.a2, 0, 0, 0};
      Decision d = decide(p, static_cast<int>(k.nr), args);
      EXPECT_EQ(d.kind == Decision::Allow ? 0 : d.err, k.want == EBADF ? 0 : k.want) << d.rule;
    }
  }
}

TEST(PolicyKernel, NotifyModeDeliversRefusalsToTheListener) {
  if (!sys::kernel_supports_user_notif()) GSB_SKIP_OR_FAIL("no SECCOMP_RET_USER_NOTIF");
  Profile p = gopls_profile();
  auto c = compile_policy(p, Delivery::Notify);
  ASSERT_TRUE(c.ok()) << c.error().message;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // child: load with a listener, fork a grandchild that calls ptrace; answer its
    // notification with decide()'s errno; the grandchild exits 0 if it saw that errno.
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(100);
    int lfd = -1;
    if (sys::load_filter(c->program.data(), c->program.size(), true, &lfd) != 0) _exit(101);
    pid_t g = fork();
    if (g < 0) _exit(102);
    if (g == 0) {
      close(lfd);
      _exit(expect_call(SYS_ptrace, ~0UL, 0, 0, EPERM) == 0 &&
                    expect_call(SYS_getppid, 0, 0, 0, 0) == 0
                ? 0
                : 1);
    }
    seccomp_notif req;
    std::memset(&req, 0, sizeof req);
    if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) _exit(103);
    if (req.data.nr != SYS_ptrace) _exit(104);
    uint64_t args[6];
    for (int i = 0; i < 6; ++i) args[i] = req.data.args[i];
    Decision d = decide(p, req.data.nr, args);
    if (d.kind != Decision::Errno) _exit(105);
    seccomp_notif_resp resp;
    std::memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    resp.error = -d.err;
    if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) _exit(106);
    int st = 0;
    if (waitpid(g, &st, 0) != g) _exit(107);
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 108);
  }
  int st = 0;
  ASSERT_EQ(waitpid(pid, &st, 0), pid);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
}
