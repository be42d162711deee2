/* escape_pid: can a sandboxed process see or signal host processes?
 *
 *   escape_pid HOST_PID SIGNAL [MARKER_DEV:MARKER_INO MARKER_PATH HOST_ROOT_DEV:HOST_ROOT_INO]
 *
 * Output lines (stdout):
 *   self=N                     getpid()
 *   pids=1,2,...               every numeric entry of /proc (the pid namespace's processes)
 *   pid1_cmdline=ARGV          /proc/1/cmdline, NULs as spaces
 *   host_pid_in_proc=yes|no    /proc/HOST_PID exists
 *   kill errno=E               kill(HOST_PID, SIGNAL)
 *   pidfd_open errno=E         pidfd_open(HOST_PID)
 * with the marker arguments also:
 *   proc1_root=sandbox|HOST|other|E   what /proc/1/root is (device:inode of its "/")
 *   proc1_root_marker=absent|VISIBLE  MARKER_PATH under /proc/1/root
 * Exit status 0 (2 for bad usage).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#include "errno_name.h"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 6) {
    fprintf(stderr, "usage: escape_pid HOST_PID SIGNAL [MDEV:MINO MARKER HOSTDEV:HOSTINO]\n");
    return 2;
  }
  pid_t host = (pid_t)atol(argv[1]);
  int sig = atoi(argv[2]);
  printf("self=%d\n", (int)getpid());

  printf("pids=");
  DIR* d = opendir("/proc");
  int first = 1;
  if (d) {
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      printf("%s%s", first ? "" : ",", e->d_name);
      first = 0;
    }
    closedir(d);
  }
  printf("\n");

  char buf[4096];
  int fd = open("/proc/1/cmdline", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0) close(fd);
  if (n < 0) n = 0;
  for (ssize_t i = 0; i < n; ++i)
    if (buf[i] == 0) buf[i] = ' ';
  buf[n] = 0;
  printf("pid1_cmdline=%s\n", buf);

  char p[64];
  struct stat st;
  snprintf(p, sizeof p, "/proc/%d", (int)host);
  printf("host_pid_in_proc=%s\n", stat(p, &st) == 0 ? "yes" : "no");

  int r = kill(host, sig);
  printf("kill errno=%s\n", ename(r == 0 ? 0 : errno));
  long pfd = syscall(SYS_pidfd_open, host, 0);
  printf("pidfd_open errno=%s\n", ename(pfd >= 0 ? 0 : errno));
  if (pfd >= 0) close((int)pfd);

  if (argc == 6) {
    unsigned long long mdev, mino, hdev, hino;
    if (sscanf(argv[3], "%llu:%llu", &mdev, &mino) != 2 || sscanf(argv[5], "%llu:%llu", &hdev, &hino) != 2) return 2;
    struct stat own, r1;
    if (stat("/", &own) != 0) return 3;
    if (stat("/proc/1/root/", &r1) != 0) {
      printf("proc1_root=%s\n", ename(errno));
    } else if (r1.st_dev == own.st_dev && r1.st_ino == own.st_ino) {
      printf("proc1_root=sandbox\n");
    } else if ((unsigned long long)r1.st_dev == hdev && (unsigned long long)r1.st_ino == hino) {
      printf("proc1_root=HOST\n");
    } else {
      printf("proc1_root=other\n");
    }
    char mp[4096];
    snprintf(mp, sizeof mp, "/proc/1/root%s", argv[4]);
    const char* vis = "absent";
    if (stat(mp, &st) == 0 && (unsigned long long)st.st_dev == mdev && (unsigned long long)st.st_ino == mino)
      vis = "VISIBLE";
    printf("proc1_root_marker=%s\n", vis);
  }
  fflush(stdout);
  return 0;
}
