/* deny_storm N [SYSCALL]: makes N calls the sandbox profile refuses (default: ptrace
 * PTRACE_TRACEME... via the raw syscall, which the gopls profile refuses with EPERM) and
 * prints "calls=N refused=R errno=ENAME ns=ELAPSED_NS". Exit 0 when every call was refused.
 * SYSCALL acct-path: acct(2) with a path, so the supervisor reads a string from this process's
 * memory on every call (a call with a path never takes its storm fast path). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  const char* which = argc > 2 ? argv[2] : "ptrace";
  long nr = SYS_ptrace;
  const char* path = NULL;
  if (strcmp(which, "getppid") == 0) nr = SYS_getppid;
  else if (strcmp(which, "acct") == 0) nr = SYS_acct;
  else if (strcmp(which, "acct-path") == 0) {
    nr = SYS_acct;
    path = "/home/user/go/pkg/mod/cache/download/acct-target";
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long refused = 0;
  int last = 0;
  for (long i = 0; i < n; ++i) {
    long r = nr == SYS_ptrace ? syscall(nr, 0x4206 /* PTRACE_SEIZE */, 1, 0, 0) : syscall(nr, path, 0, 0);
    if (r < 0) {
      ++refused;
      last = errno;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  printf("calls=%ld refused=%ld errno=%s ns=%lld\n", n, refused, last == EPERM ? "EPERM" : strerror(last), ns);
  return nr == SYS_getppid || refused == n ? 0 : 1;
}
