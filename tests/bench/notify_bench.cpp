// Issue 17 §3: the denial supervisor against the kernel's floor, in one run.
//
//   notify_bench [CALLS [REPS [BASE_LAUNCHER]]]   (defaults 20000 calls, 9 repetitions,
//                                                  interleaved; medians and [min-max])
//
// floor: a minimal supervisor written in plain C style (no logging, no bookkeeping): a forked
//   child loads a one-rule filter (ptrace -> USER_NOTIF, everything else allowed) with
//   NEW_LISTENER (+ WAIT_KILLABLE_RECV where the kernel has it), passes the listener over a
//   socketpair, and times CALLS refused ptrace calls; the parent sets SYNC_WAKE_UP (6.6+) and
//   answers each notification with poll + RECV + SEND(-EPERM) — the same kernel round trip the
//   launcher's supervisor makes. Measured both with and without SYNC_WAKE_UP.
// ours: `gopls-sandbox exec --profile gopls --log FILE -- deny_storm CALLS` (deny_storm times
//   its own loop, so launch costs are excluded).
// plain: the same with --log off (a plain ERRNO filter: no round trip at all).
// path: `deny_storm CALLS acct-path` — acct(2) with a path: every call is a full round trip in
//   which the supervisor also reads the path from the caller's memory (no storm fast path).
// BASE_LAUNCHER (optional): another build of the launcher (e.g. main's), run on both storms in
//   the same interleaving, for a before/after comparison within one run.
// Prints per-call times and ours/floor (target <= 1.3x).
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

namespace {

int send_fd(int sock, int fd) {
  char dummy = 'x';
  struct iovec iov = {&dummy, 1};
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof cbuf);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

int recv_fd(int sock) {
  char dummy;
  struct iovec iov = {&dummy, 1};
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  if (recvmsg(sock, &msg, 0) != 1) return -1;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

// The minimal supervisor. Returns ns per refused call measured inside the child, or -1.
double floor_run(long calls, bool sync_wakeup) {
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(sp[0]);
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof f / sizeof f[0], f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(1);
    long l = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                     SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
    if (l < 0) l = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (l < 0 || send_fd(sp[1], (int)l) != 0) _exit(1);
    close((int)l);
    char go;
    if (read(sp[1], &go, 1) != 1) _exit(1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < calls; ++i) syscall(SYS_ptrace, 0x4206 /* PTRACE_SEIZE */, 1, 0, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    if (write(sp[1], &ns, sizeof ns) != (ssize_t)sizeof ns) _exit(1);
    _exit(0);
  }
  close(sp[1]);
  int listener = recv_fd(sp[0]);
  if (listener < 0) return -1;
  if (sync_wakeup) (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
  if (write(sp[0], "g", 1) != 1) return -1;
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  for (long done = 0; done < calls;) {
    struct pollfd p = {listener, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0 || !(p.revents & POLLIN)) break;
    memset(&req, 0, sizeof req);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) continue;
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    resp.error = -EPERM;
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0) ++done;
  }
  long long ns = -1;
  if (read(sp[0], &ns, sizeof ns) != (ssize_t)sizeof ns) ns = -1;
  close(listener);
  close(sp[0]);
  waitpid(pid, nullptr, 0);
  return ns < 0 ? -1 : (double)ns / (double)calls;
}

// The launcher around deny_storm; ns per call from deny_storm's own clock.
double ours_run(long calls, bool log_on, const std::string& logfile, const std::string& launcher = GSB_LAUNCHER,
                const char* storm = "ptrace") {
  std::string cmd = launcher + " exec --profile gopls --log " + (log_on ? logfile : "off") + " -- " + GSB_HELPERS +
                    "/deny_storm " + std::to_string(calls) + " " + storm + " 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return -1;
  char line[256] = {0};
  double per = -1;
  while (fgets(line, sizeof line, f)) {
    const char* ns = strstr(line, "ns=");
    if (ns && strstr(line, "refused=")) per = atof(ns + 3) / (double)calls;
  }
  pclose(f);
  return per;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

// "[min-max]" in us of a series of ns.
std::string range(const std::vector<double>& v) {
  if (v.empty()) return "[]";
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  char b[64];
  snprintf(b, sizeof b, "[%.3f-%.3f]", *lo / 1000, *hi / 1000);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  long calls = argc > 1 ? atol(argv[1]) : 20000;
  int reps = argc > 2 ? atoi(argv[2]) : 9;
  std::string base = argc > 3 ? argv[3] : "";
  char logfile[] = "/tmp/gsb-notify-bench-XXXXXX";
  int lfd = mkstemp(logfile);
  if (lfd >= 0) close(lfd);
  std::vector<double> floor_sync, floor_plain, ours, plain, path, base_ours, base_path;
  for (int i = 0; i < reps; ++i) {  // interleaved
    floor_sync.push_back(floor_run(calls, true));
    ours.push_back(ours_run(calls, true, logfile));
    path.push_back(ours_run(calls, true, logfile, GSB_LAUNCHER, "acct-path"));
    if (!base.empty()) {
      base_ours.push_back(ours_run(calls, true, logfile, base));
      base_path.push_back(ours_run(calls, true, logfile, base, "acct-path"));
    }
    floor_plain.push_back(floor_run(calls, false));
    plain.push_back(ours_run(calls, false, logfile));
  }
  unlink(logfile);
  std::string rot = std::string(logfile) + ".1";
  unlink(rot.c_str());
  struct utsname u;
  uname(&u);
  time_t now = time(nullptr);
  char when[64];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%MZ", gmtime(&now));
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  printf("# denial supervisor vs the kernel's floor — %s\nmachine: %ld cpus, Linux %s; %ld refused ptrace calls, %d "
         "repetitions interleaved, medians\n\n",
         when, cpus, u.release, calls, reps);
  double fs = median(floor_sync), fp = median(floor_plain), o = median(ours), p = median(plain);
  double pa = median(path);
  printf("| variant | per refused call, median [min-max] | ratio |\n|---|---:|---|\n");
  printf("| plain errno filter (--log off)                         | %8.3f us %s | |\n", p / 1000,
         range(plain).c_str());
  printf("| floor: minimal supervisor, SYNC_WAKE_UP               | %8.3f us %s | 1.00x |\n", fs / 1000,
         range(floor_sync).c_str());
  printf("| floor: minimal supervisor, without SYNC_WAKE_UP       | %8.3f us %s | %.2fx of floor |\n", fp / 1000,
         range(floor_plain).c_str(), fp / fs);
  printf("| gopls-sandbox supervisor + log                        | %8.3f us %s | **%.2fx of floor** "
         "(target <= 1.3x) |\n",
         o / 1000, range(ours).c_str(), o / fs);
  printf("| gopls-sandbox supervisor + log, path argument (acct)  | %8.3f us %s | %.2fx of floor |\n", pa / 1000,
         range(path).c_str(), pa / fs);
  if (!base.empty()) {
    double bo = median(base_ours), bp = median(base_path);
    printf("| BASE launcher + log                                   | %8.3f us %s | %.2fx of floor |\n", bo / 1000,
           range(base_ours).c_str(), bo / fs);
    printf("| BASE launcher + log, path argument (acct)             | %8.3f us %s | %.2fx of floor; "
           "this build %.2fx of BASE |\n",
           bp / 1000, range(base_path).c_str(), bp / fs, pa / bp);
    printf("\nBASE: %s\n", base.c_str());
  }
  return (fs > 0 && o > 0) ? 0 : 1;
}
