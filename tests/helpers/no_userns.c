/* no_userns MODE PROGRAM [ARGS...]: run PROGRAM where user namespaces do not work, without
 * changing the host (issue 16's Landlock-only mode tests). A seccomp filter (inherited by
 * everything PROGRAM starts) makes:
 *   clone  — clone/unshare with CLONE_NEWUSER fail with EPERM (clone3: ENOSYS, so that libc and Go
 *            fall back to clone): user.max_user_namespaces=0 or a container's seccomp profile;
 *   mount  — mount, pivot_root and the new mount API fail with EPERM: a user namespace that is
 *            created but has no privileges, as under Ubuntu's AppArmor restriction.
 * Exit 127 when PROGRAM cannot be run, 125 when the filter cannot be installed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#define SYS_move_mount 429
#define SYS_fsopen 430
#define SYS_fsmount 432
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define EPERM_ (SECCOMP_RET_ERRNO | EPERM)
#define ENOSYS_ (SECCOMP_RET_ERRNO | ENOSYS)

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: no_userns clone|mount PROGRAM [ARGS...]\n");
    return 2;
  }
  struct sock_filter clone_f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
      RET(ENOSYS_),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 0, 3),
      /* clone's and unshare's flags are both the first argument on x86_64 */
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
      RET(EPERM_),
      RET(SECCOMP_RET_ALLOW),
  };
  struct sock_filter mount_f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mount, 6, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pivot_root, 5, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open_tree, 4, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_move_mount, 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fsopen, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mount_setattr, 1, 0),
      RET(SECCOMP_RET_ALLOW),
      RET(EPERM_),
  };
  struct sock_fprog prog;
  if (strcmp(argv[1], "clone") == 0) {
    prog.filter = clone_f;
    prog.len = sizeof clone_f / sizeof clone_f[0];
  } else if (strcmp(argv[1], "mount") == 0) {
    prog.filter = mount_f;
    prog.len = sizeof mount_f / sizeof mount_f[0];
  } else {
    fprintf(stderr, "no_userns: unknown mode %s\n", argv[1]);
    return 2;
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    perror("no_userns: seccomp");
    return 125;
  }
  execvp(argv[2], argv + 2);
  perror("no_userns: execvp");
  return 127;
}
