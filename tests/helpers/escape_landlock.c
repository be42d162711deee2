/* escape_landlock: what the Landlock wall (issue 16) stops, one line each:
 *
 *   abstract_connect NAME errno=E   connect to the abstract unix socket "\0NAME" (a host listener
 *                                   with --share-net)
 *   reopen_stdin errno=E            open("/dev/stdin"): a host file passed as stdin, reopened by
 *                                   path through /proc (the file's own path is not in the plan)
 *
 * errno=0: it worked. Exit 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "errno_name.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "abstract") == 0 && i + 1 < argc) {
      const char* name = argv[++i];
      int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      struct sockaddr_un a;
      memset(&a, 0, sizeof a);
      a.sun_family = AF_UNIX;
      size_t n = strlen(name);
      memcpy(a.sun_path + 1, name, n);
      int r = connect(s, (struct sockaddr*)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
      printf("abstract_connect errno=%s\n", r < 0 ? ename(errno) : "0");
      close(s);
    } else if (strcmp(argv[i], "stdin") == 0) {
      int fd = open("/dev/stdin", O_RDONLY | O_CLOEXEC);
      printf("reopen_stdin errno=%s\n", fd < 0 ? ename(errno) : "0");
      if (fd >= 0) close(fd);
    }
  }
  return 0;
}
