/* lsp_net_server: a stand-in LSP server for the network-refusal relay test (issues 13/14).
 *
 *   lsp_net_server [ARGS...]   (arguments are ignored: the launcher may add gopls' own)
 *
 * Reads the client's first frame, then writes: the first half of a 200000-byte frame, asks the
 * sandbox's proxy endpoint (127.0.0.1:3128) twice for "CONNECT refused.invalid:443" (refused: one
 * editor message), the second half, a small frame, one more refused CONNECT, a last frame; then
 * waits for end of input. The frames' bodies are what the test rebuilds byte for byte
 * (net_proxy_test.cpp). Each proxy reply's status line goes to stderr. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lsp_script.h"

static void refused_connect(int port, const char* dest) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    perror("lsp_net_server: connect");
    close(fd);
    return;
  }
  char req[512];
  snprintf(req, sizeof req, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", dest, dest);
  if (write(fd, req, strlen(req)) < 0) perror("lsp_net_server: write");
  char buf[4096];
  size_t n = 0;
  while (n + 1 < sizeof buf) { /* the whole reply: the proxy closes after a refusal */
    ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
    if (r <= 0) break;
    n += (size_t)r;
  }
  buf[n] = 0;
  char* e = strstr(buf, "\r\n");
  fprintf(stderr, "lsp_net_server: %.*s\n", e ? (int)(e - buf) : (int)n, buf);
  close(fd);
}

static void refused(void) { refused_connect(3128, "refused.invalid:443"); }

int main(void) { return run_lsp_script(refused, refused); }
