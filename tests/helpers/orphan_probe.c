/* Runs inside the sandbox: makes an orphan (a grandchild whose parent exits), waits for the
 * orphan to exit (pipe EOF), then checks that pid 1 reaps it: the orphan's /proc entry must go
 * away (a zombie keeps it). Prints "reaped" and exits 0, or explains and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  int p[2], q[2];
  if (pipe(p) != 0 || pipe(q) != 0) return 2;
  pid_t mid = fork();
  if (mid == 0) {
    pid_t gc = fork();
    if (gc == 0) {
      close(p[0]);
      close(q[1]);
      char c;
      /* wait until the middle process is gone, then exit as an orphan */
      (void)read(q[0], &c, 1);
      _exit(0);
    }
    if (write(p[1], &gc, sizeof gc) != sizeof gc) _exit(3);
    _exit(0);
  }
  close(p[1]);
  close(q[0]);
  pid_t gc;
  if (read(p[0], &gc, sizeof gc) != sizeof gc) return 2;
  int st;
  waitpid(mid, &st, 0); /* the grandchild is now an orphan, re-parented to pid 1 */
  close(q[1]);          /* let it exit */
  char path[64];
  snprintf(path, sizeof path, "/proc/%d", (int)gc);
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    struct stat sb;
    if (stat(path, &sb) != 0 && errno == ENOENT) {
      printf("reaped %d\n", (int)gc);
      return 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (t.tv_sec - t0.tv_sec > 10) {
      printf("zombie: %s still present after 10 s\n", path);
      return 1;
    }
    sched_yield();
  }
}
