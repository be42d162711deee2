/* try_syscalls: make the syscalls a sandbox must refuse and print what happened.
 *
 *   try_syscalls PROBE...      (no PROBE: all of them; "list": print the probe names)
 *
 * One line per probe on stdout: "NAME ret=R errno=ENAME" (errno=0 when the call succeeded).
 * Every probe is harmless if the call is allowed: bad magic, NULL pointers, nonexistent
 * paths, invalid descriptors, or an immediately reaped child. Exit status 0 unless a probe
 * name is unknown (2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#define X32_BIT 0x40000000L

#include "errno_name.h"

/* clone()/unshare() with a namespace flag: if it succeeds in creating a child, reap it. */
static long probe_clone_newuser(void) {
  long r = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0);
  if (r == 0) _exit(0);
  if (r > 0) {
    int e = errno;
    waitpid((pid_t)r, NULL, 0);
    errno = e;
  }
  return r;
}

static long probe_unshare_newuser(void) {
  /* In a child, so a success does not change this process. */
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    long r = syscall(SYS_unshare, (unsigned long)CLONE_NEWUSER);
    int res[2] = {(int)r, r < 0 ? errno : 0};
    if (write(fds[1], res, sizeof res) != (ssize_t)sizeof res) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  int res[2] = {-1, EIO};
  ssize_t n = read(fds[0], res, sizeof res);
  close(fds[0]);
  waitpid(pid, NULL, 0);
  if (n != (ssize_t)sizeof res) {
    errno = EIO;
    return -1;
  }
  errno = res[1];
  return res[0];
}

static long probe_tiocsti_high(void) {
  char c = 0; /* fd -1: even if allowed, nothing is injected (EBADF) */
  return syscall(SYS_ioctl, -1, 0xffffffff00005412UL, &c);
}

static long probe_tiocsti(void) {
  char c = 0;
  return syscall(SYS_ioctl, -1, 0x5412UL, &c);
}

/* TIOCSTI on fd 0, as an attacker does it: check that fd 0 is a terminal (TCGETS, an ordinary
 * ioctl), then push a byte. A NUL byte, so even a success types nothing visible; ENOTTY when
 * stdin is not a terminal and the call was let through. */
static long probe_tiocsti_fd0(void) {
  char tio[64], c = 0;
  (void)syscall(SYS_ioctl, 0, 0x5401UL /* TCGETS */, tio);
  return syscall(SYS_ioctl, 0, 0x5412UL, &c);
}

/* A hostile name and path for the launcher's output: comm "\x1b[2J…" (clear screen), then a
 * refused mount whose source path holds a newline and an escape sequence. */
static long probe_escape_comm(void) {
  prctl(PR_SET_NAME, (unsigned long)"\x1b[2J\x1b]0;pwn\x07", 0, 0, 0);
  return syscall(SYS_mount, "/nonexistent-gsb\nFAKE RECORD\x1b[31m", "/nonexistent-gsb-dst", "tmpfs", 0UL, NULL);
}

struct probe {
  const char* name;
  long (*fn)(void);
};

/* invalid request -1: EIO if allowed */
static long p_ptrace(void) { return syscall(SYS_ptrace, -1L, 0, 0, 0); }
static long p_mount(void) {
  return syscall(SYS_mount, "/nonexistent-gsb-src", "/nonexistent-gsb-dst", "tmpfs", 0UL, NULL);
}
static long p_umount2(void) { return syscall(SYS_umount2, "/nonexistent-gsb-dst", 0); }
static long p_setns(void) { return syscall(SYS_setns, -1, 0); }
static long p_keyctl(void) { return syscall(SYS_keyctl, 0 /*KEYCTL_GET_KEYRING_ID*/, -1 /*thread*/, 0); }
/* a key type that does not exist: ENODEV if allowed, nothing is added */
static long p_add_key(void) { return syscall(SYS_add_key, "gsb_no_such_type", "gsb-probe", NULL, 0, 0); }
static long p_request_key(void) { return syscall(SYS_request_key, "user", "gsb-nonexistent", NULL, 0); }
static long p_bpf(void) { return syscall(SYS_bpf, -1, NULL, 0); }
static long p_perf_event_open(void) { return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
static long p_userfaultfd(void) {
  long r = syscall(SYS_userfaultfd, 0);
  if (r >= 0) close((int)r);
  return r;
}
static long p_io_uring_setup(void) { return syscall(__NR_io_uring_setup, 0, NULL); }
/* invalid flags: EINVAL before anything is loaded or unloaded (0 segments would unload!) */
static long p_kexec_load(void) { return syscall(SYS_kexec_load, 0UL, 0UL, NULL, ~0UL); }
static long p_kexec_file_load(void) { return syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, ~0UL); }
static long p_init_module(void) { return syscall(SYS_init_module, NULL, 0UL, ""); }
static long p_finit_module(void) { return syscall(SYS_finit_module, -1, "", 0); }
static long p_delete_module(void) { return syscall(SYS_delete_module, "gsb_nonexistent_module", 0); }
static long p_reboot(void) { return syscall(SYS_reboot, 0, 0, 0, NULL); /* bad magic: EINVAL */ }
static long p_swapon(void) { return syscall(SYS_swapon, "/nonexistent-gsb-swap", 0); }
static long p_swapoff(void) { return syscall(SYS_swapoff, "/nonexistent-gsb-swap"); }
static long p_acct(void) { return syscall(SYS_acct, "/nonexistent-gsb-dir/acct"); }
static long p_settimeofday(void) { return syscall(SYS_settimeofday, NULL, NULL); /* no-op */ }
static long p_clock_settime(void) { return syscall(SYS_clock_settime, -1, NULL); }
static long p_personality_rie(void) {
  long old = syscall(SYS_personality, 0xffffffffUL);
  long r = syscall(SYS_personality, 0x0400000UL /* READ_IMPLIES_EXEC */);
  int e = errno;
  if (r >= 0 && old >= 0) syscall(SYS_personality, (unsigned long)old); /* restore */
  errno = e;
  return r;
}
static long p_personality_query(void) { return syscall(SYS_personality, 0xffffffffUL); }
static long p_open_by_handle_at(void) { return syscall(SYS_open_by_handle_at, -1, NULL, 0); }
static long p_name_to_handle_at(void) {
  return syscall(SYS_name_to_handle_at, AT_FDCWD, "/nonexistent-gsb", NULL, NULL, 0);
}
static long p_x32_getpid(void) { return syscall(SYS_getpid | X32_BIT); }
static long p_getpid(void) { return syscall(SYS_getpid); }
static long p_clone3(void) { return syscall(__NR_clone3, NULL, 0UL); /* EINVAL if allowed */ }
/* netlink sockets: only NETLINK_ROUTE (0) is for Go's interface listing; audit (9) is not */
static long p_netlink(int proto) {
  long r = syscall(SYS_socket, 16 /* AF_NETLINK */, 3 /* SOCK_RAW */, proto);
  if (r >= 0) close((int)r);
  return r;
}
/* another process's limits (pid 1: the sandbox's init); only reads them */
static long p_prlimit_pid1(void) {
  unsigned long old[2];
  return syscall(SYS_prlimit64, 1, 0 /* RLIMIT_CPU */, NULL, old);
}
static long p_netlink_route(void) { return p_netlink(0); }
static long p_netlink_audit(void) { return p_netlink(9); }
static long p_netlink_uevent(void) { return p_netlink(15); }

static const struct probe probes[] = {
    {"ptrace", p_ptrace},
    {"mount", p_mount},
    {"umount2", p_umount2},
    {"unshare_newuser", probe_unshare_newuser},
    {"clone_newuser", probe_clone_newuser},
    {"setns", p_setns},
    {"keyctl", p_keyctl},
    {"add_key", p_add_key},
    {"request_key", p_request_key},
    {"bpf", p_bpf},
    {"perf_event_open", p_perf_event_open},
    {"userfaultfd", p_userfaultfd},
    {"io_uring_setup", p_io_uring_setup},
    {"kexec_load", p_kexec_load},
    {"kexec_file_load", p_kexec_file_load},
    {"init_module", p_init_module},
    {"finit_module", p_finit_module},
    {"delete_module", p_delete_module},
    {"reboot", p_reboot},
    {"swapon", p_swapon},
    {"swapoff", p_swapoff},
    {"acct", p_acct},
    {"settimeofday", p_settimeofday},
    {"clock_settime", p_clock_settime},
    {"personality_rie", p_personality_rie},
    {"personality_query", p_personality_query},
    {"open_by_handle_at", p_open_by_handle_at},
    {"name_to_handle_at", p_name_to_handle_at},
    {"tiocsti", probe_tiocsti},
    {"tiocsti_high", probe_tiocsti_high},
    {"clone3", p_clone3},
    {"prlimit_pid1", p_prlimit_pid1},
    {"netlink_route", p_netlink_route},
    {"netlink_audit", p_netlink_audit},
    {"netlink_uevent", p_netlink_uevent},
    {"tiocsti_fd0", probe_tiocsti_fd0},
    {"escape_comm", probe_escape_comm},
    {"x32_getpid", p_x32_getpid},
    {"getpid", p_getpid},
};

static int run(const char* name) {
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; ++i) {
    if (strcmp(probes[i].name, name) != 0) continue;
    errno = 0;
    long r = probes[i].fn();
    int e = r < 0 ? errno : 0;
    printf("%s ret=%ld errno=%s\n", name, r, ename(e));
    fflush(stdout);
    return 0;
  }
  fprintf(stderr, "try_syscalls: unknown probe \"%s\" (try: try_syscalls list)\n", name);
  return 2;
}

int main(int argc, char** argv) {
  int rc = 0;
  if (argc == 2 && strcmp(argv[1], "list") == 0) {
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; ++i) printf("%s\n", probes[i].name);
    return 0;
  }
  if (argc < 2) {
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; ++i)
      if (run(probes[i].name) != 0) rc = 2;
    return rc;
  }
  for (int i = 1; i < argc; ++i)
    if (run(argv[i]) != 0) rc = 2;
  return rc;
}
