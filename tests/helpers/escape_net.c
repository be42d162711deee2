/* escape_net: connect to listeners the test opened on the host.
 *
 *   escape_net tcp PORT          connect(127.0.0.1:PORT)
 *   escape_net abstract NAME     connect to the abstract unix socket "\0NAME"
 *
 * Prints "connect errno=E" (errno=0: connected -- the sandbox reached a host listener).
 * Exit status 0 (2 for bad usage).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "errno_name.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: escape_net tcp PORT | abstract NAME\n");
    return 2;
  }
  int fd, r;
  if (strcmp(argv[1], "tcp") == 0) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      printf("socket errno=%s\n", ename(errno));
      return 0;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[2]));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r = connect(fd, (struct sockaddr*)&a, sizeof a);
  } else if (strcmp(argv[1], "abstract") == 0) {
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      printf("socket errno=%s\n", ename(errno));
      return 0;
    }
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    size_t len = strlen(argv[2]);
    if (len + 1 > sizeof a.sun_path) return 2;
    memcpy(a.sun_path + 1, argv[2], len);
    r = connect(fd, (struct sockaddr*)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len));
  } else {
    return 2;
  }
  printf("connect errno=%s\n", ename(r == 0 ? 0 : errno));
  fflush(stdout);
  close(fd);
  return 0;
}
