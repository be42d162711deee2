/* escape_ll: attacks from inside that the Landlock-only mode (issue 16) must stop, one line each,
 * "<what> <arg> errno=E" (errno=0: it worked). Exit 0.
 *
 *   read PATH       open(PATH, O_RDONLY) and read a byte
 *   write PATH      open(PATH, O_WRONLY|O_CREAT|O_TRUNC) and write a byte
 *   exec PATH       execve(PATH) in a child (the child exits 0 after a successful exec of true)
 *   tcp PORT        connect to 127.0.0.1:PORT
 *   mptcp PORT      the same over MPTCP (IPPROTO_MPTCP, 262), which Landlock's TCP rights ignore
 *   abstract NAME   connect to the abstract unix socket "\0NAME" (socket() or connect() failing)
 *   unix PATH       connect to the pathname unix socket PATH
 *   signal PID      kill(PID, 0)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errno_name.h"

static int connect_unix(const char* name, int abstract) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  size_t n = strlen(name);
  if (n > sizeof a.sun_path - 2) n = sizeof a.sun_path - 2;
  memcpy(a.sun_path + (abstract ? 1 : 0), name, n);
  int r = connect(s, (struct sockaddr*)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (abstract ? 1 : 0) + n));
  int e = r < 0 ? errno : 0;
  close(s);
  return e;
}

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const char* what = argv[i];
    const char* arg = argv[i + 1];
    int e = 0;
    if (strcmp(what, "read") == 0) {
      int fd = open(arg, O_RDONLY | O_CLOEXEC);
      char c;
      struct stat st;
      if (fd < 0 || (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode) && read(fd, &c, 1) < 0)) e = errno;
      if (fd >= 0) close(fd);
    } else if (strcmp(what, "write") == 0) {
      int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || write(fd, "x", 1) != 1) e = errno;
      if (fd >= 0) close(fd);
    } else if (strcmp(what, "exec") == 0) {
      int p[2];
      if (pipe2(p, O_CLOEXEC) != 0) return 1;
      pid_t pid = fork();
      if (pid == 0) {
        char* av[] = {(char*)arg, NULL};
        execv(arg, av);
        int err = errno;
        if (write(p[1], &err, sizeof err) < 0) _exit(2);
        _exit(1);
      }
      close(p[1]);
      if (read(p[0], &e, sizeof e) != (ssize_t)sizeof e) e = 0;
      close(p[0]);
      waitpid(pid, NULL, 0);
    } else if (strcmp(what, "tcp") == 0 || strcmp(what, "mptcp") == 0) {
      int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, strcmp(what, "mptcp") == 0 ? 262 : 0);
      if (s < 0) {
        e = errno;
      } else {
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)atoi(arg));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(s, (struct sockaddr*)&a, sizeof a) != 0) e = errno;
        close(s);
      }
    } else if (strcmp(what, "abstract") == 0) {
      e = connect_unix(arg, 1);
    } else if (strcmp(what, "unix") == 0) {
      e = connect_unix(arg, 0);
    } else if (strcmp(what, "signal") == 0) {
      if (kill((pid_t)atoi(arg), 0) != 0) e = errno;
    } else {
      fprintf(stderr, "escape_ll: unknown probe %s\n", what);
      return 2;
    }
    printf("%s %s errno=%s\n", what, arg, e ? ename(e) : "0");
  }
  return 0;
}
