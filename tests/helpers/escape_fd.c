/* escape_fd: which descriptors did the sandboxed program (and the sandbox's pid 1) inherit?
 *
 *   escape_fd [FD...]
 *
 * An inherited descriptor of a host directory is a way out of any mount namespace
 * (openat(fd, "..") walks the host tree), so the sandbox must start programs with 0, 1, 2 only.
 * Output lines (stdout):
 *   self_fds=0,1,2            open descriptors of this process (the one listing /proc/self/fd excluded)
 *   pid1_fds=0,1,2            the same for pid 1, or pid1_fds=EACCES
 *   pid1_fds N type=T         for each of pid 1's descriptors above 2: dir, reg, sock, fifo, chr,
 *                             other, or the errno of stat(/proc/1/fd/N)
 *   fd N errno=E              fcntl(N, F_GETFD) for each FD argument (EBADF: not open)
 * Exit status 0.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errno_name.h"

static void list(const char* label, const char* dir) {
  DIR* d = opendir(dir);
  if (!d) {
    printf("%s=%s\n", label, ename(errno));
    return;
  }
  int self = dirfd(d);
  int is_self = strcmp(dir, "/proc/self/fd") == 0;
  int nums[1024], n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL && n < 1024) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int fd = atoi(e->d_name);
    if (is_self && fd == self) continue;
    nums[n++] = fd;
  }
  closedir(d);
  /* sort (readdir order is not guaranteed) */
  for (int i = 1; i < n; ++i)
    for (int j = i; j > 0 && nums[j - 1] > nums[j]; --j) {
      int t = nums[j];
      nums[j] = nums[j - 1];
      nums[j - 1] = t;
    }
  printf("%s=", label);
  for (int i = 0; i < n; ++i) printf("%s%d", i ? "," : "", nums[i]);
  printf("\n");
  /* What each descriptor above stderr is (stat follows the /proc magic link). */
  for (int i = 0; i < n; ++i) {
    if (nums[i] <= 2 || is_self) continue;
    char p[64];
    struct stat st;
    snprintf(p, sizeof p, "%s/%d", dir, nums[i]);
    const char* t = "other";
    if (stat(p, &st) != 0) t = ename(errno);
    else if (S_ISDIR(st.st_mode)) t = "dir";
    else if (S_ISREG(st.st_mode)) t = "reg";
    else if (S_ISSOCK(st.st_mode)) t = "sock";
    else if (S_ISFIFO(st.st_mode)) t = "fifo";
    else if (S_ISCHR(st.st_mode)) t = "chr";
    printf("%s %d type=%s\n", label, nums[i], t);
  }
}

int main(int argc, char** argv) {
  list("self_fds", "/proc/self/fd");
  list("pid1_fds", "/proc/1/fd");
  for (int i = 1; i < argc; ++i) {
    int fd = atoi(argv[i]);
    int r = fcntl(fd, F_GETFD);
    printf("fd %d errno=%s\n", fd, ename(r >= 0 ? 0 : errno));
  }
  fflush(stdout);
  return 0;
}
