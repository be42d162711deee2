/* escape_pid1: attack the sandbox's pid 1 (the launcher's init) and the user's terminal from
 * inside, and print what happened, one line each:
 *
 *   mem_write errno=E         open("/proc/1/mem", O_RDWR): rewriting pid 1's code
 *   environ_read errno=E      open("/proc/1/environ"): needs ptrace access too
 *   ptrace_attach errno=E     ptrace(PTRACE_ATTACH, 1)
 *   vm_writev errno=E         process_vm_writev into pid 1
 *   pid1_seccomp=N            the Seccomp: line of /proc/1/status
 *   own_session=yes|no        whether this process leads a session of its own (setsid)
 *   tiocsti errno=E           ioctl(0, TIOCSTI, "X"): push input into the terminal on fd 0
 *
 * errno=0 means the attack worked. Exit 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errno_name.h"

static void report(const char* what, long r) {
  printf("%s errno=%s\n", what, r < 0 ? ename(errno) : "0");
  fflush(stdout);
}

int main(int argc, char** argv) {
  int tty = argc > 1 && strcmp(argv[1], "tiocsti") == 0;
  long r = open("/proc/1/mem", O_RDWR | O_CLOEXEC);
  report("mem_write", r);
  if (r >= 0) close((int)r);
  r = open("/proc/1/environ", O_RDONLY | O_CLOEXEC);
  report("environ_read", r);
  if (r >= 0) close((int)r);
  r = ptrace(PTRACE_ATTACH, 1, NULL, NULL);
  report("ptrace_attach", r);
  if (r == 0) {
    waitpid(1, NULL, __WALL);
    ptrace(PTRACE_DETACH, 1, NULL, NULL);
  }
  char local = 0;
  struct iovec l = {&local, 1}, rem = {(void*)0x10000, 1};
  r = process_vm_writev(1, &l, 1, &rem, 1, 0);
  /* EFAULT means the permission check passed (only the address was bad): that is a way in. */
  report("vm_writev", r);
  FILE* f = fopen("/proc/1/status", "r");
  char line[256];
  const char* sec = "unreadable";
  static char val[64];
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "Seccomp:", 8) == 0) {
      snprintf(val, sizeof val, "%s", line + 8 + strspn(line + 8, " \t"));
      val[strcspn(val, "\n")] = 0;
      sec = val;
    }
  if (f) fclose(f);
  printf("pid1_seccomp=%s\n", sec);
  printf("own_session=%s\n", getsid(0) == getpid() ? "yes" : "no");
  fflush(stdout);
  if (tty) {
    char c = 'X';
    r = ioctl(0, TIOCSTI, &c);
    report("tiocsti", r);
  }
  return 0;
}
