/* refuse_three: three syscalls the gopls profile refuses, each printed as
 * "NAME ret=R errno=ENAME". mount's source is a path the denial log must decode. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errno_name.h"

static void report(const char* name, long r) { printf("%s ret=%ld errno=%s\n", name, r, ename(r < 0 ? errno : 0)); }

int main(void) {
  errno = 0;
  report("ptrace", syscall(SYS_ptrace, 0x4206 /* PTRACE_SEIZE */, 1, 0, 0));
  report("mount", mount("/tmp/gsb-denied-source", "/tmp/gsb-denied-target", "none", MS_BIND, NULL));
  report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0, 0, 0));
  return 0;
}
