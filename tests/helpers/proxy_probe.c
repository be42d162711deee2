/* proxy_probe: talk to the --net proxy endpoint inside the sandbox (issue 14 tests).
 *
 *   proxy_probe PORT HEAD [TUNNELED-HEAD]
 *
 * Connects to 127.0.0.1:PORT, sends HEAD ("CONNECT host:port HTTP/1.1" or "GET http://... HTTP/1.1")
 * followed by a Host line and an empty line, and prints the reply's status line ("status: ...")
 * and the first body line ("body: ..."). With TUNNELED-HEAD and a 200 reply to a CONNECT, sends
 * that request through the tunnel and prints its status line as "tunnel: ...".
 * Prints "connect errno=E" when the endpoint cannot be reached. Exit status 0 (2: bad usage).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errno_name.h"

static int read_reply(int fd, char* buf, size_t cap) {
  size_t n = 0;
  while (n + 1 < cap) {
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r <= 0) break;
    n += (size_t)r;
    buf[n] = 0;
    char* end = strstr(buf, "\r\n\r\n");
    if (end) {
      /* for a body, read a little more if it is announced and not yet here */
      if (strstr(buf, "Content-Length:") && strlen(end + 4) == 0) continue;
      break;
    }
  }
  buf[n] = 0;
  return (int)n;
}

static void print_line(const char* tag, const char* s) {
  const char* e = strstr(s, "\r\n");
  printf("%s: %.*s\n", tag, e ? (int)(e - s) : (int)strlen(s), s);
}

static void send_head(int fd, const char* head) {
  char req[2048];
  snprintf(req, sizeof req, "%s\r\nHost: probe\r\nUser-Agent: proxy_probe\r\n\r\n", head);
  if (write(fd, req, strlen(req)) < 0) printf("write errno=%s\n", ename(errno));
}

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: proxy_probe PORT HEAD [TUNNELED-HEAD]\n");
    return 2;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)atoi(argv[1]));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    printf("connect errno=%s\n", ename(errno));
    return 0;
  }
  send_head(fd, argv[2]);
  static char buf[65536];
  read_reply(fd, buf, sizeof buf);
  print_line("status", buf);
  char* body = strstr(buf, "\r\n\r\n");
  if (body && body[4]) print_line("body", body + 4);
  if (argc == 4 && strstr(buf, " 200 ")) {
    send_head(fd, argv[3]);
    read_reply(fd, buf, sizeof buf);
    print_line("tunnel", buf);
  }
  close(fd);
  return 0;
}
