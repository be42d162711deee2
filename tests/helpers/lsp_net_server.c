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

static void put(const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(1, p, n);
    if (w <= 0) exit(3);
    p += w;
    n -= (size_t)w;
  }
}

static char* frame(const char* body, size_t* len) {
  size_t bl = strlen(body);
  char* f = malloc(bl + 64);
  int h = sprintf(f, "Content-Length: %zu\r\n\r\n", bl);
  memcpy(f + h, body, bl);
  *len = (size_t)h + bl;
  return f;
}

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

int main(void) {
  const int port = 3128;
  const char* dest = "refused.invalid:443";
  char hdr[4096];
  size_t n = 0;
  while (n < sizeof hdr - 1) {
    if (read(0, hdr + n, 1) != 1) return 2;
    n++;
    if (n >= 4 && memcmp(hdr + n - 4, "\r\n\r\n", 4) == 0) break;
  }
  hdr[n] = 0;
  const char* cl = strstr(hdr, "Content-Length:");
  if (!cl) return 2;
  long len = atol(cl + 15);
  for (long i = 0; i < len; i++) {
    char c;
    if (read(0, &c, 1) != 1) return 2;
  }
  size_t big_len = 200000;
  char* big = malloc(big_len + 100);
  strcpy(big, "{\"jsonrpc\":\"2.0\",\"method\":\"x/big\",\"params\":\"");
  size_t k = strlen(big);
  memset(big + k, 'a', big_len);
  strcpy(big + k + big_len, "\"}");
  size_t fl;
  char* f1 = frame(big, &fl);
  put(f1, fl / 2);
  refused_connect(port, dest);
  refused_connect(port, dest);
  put(f1 + fl / 2, fl - fl / 2);
  char* f2 = frame("{\"jsonrpc\":\"2.0\",\"method\":\"x/small\",\"params\":1}", &fl);
  put(f2, fl);
  refused_connect(port, dest);
  char* f3 = frame("{\"jsonrpc\":\"2.0\",\"method\":\"x/last\",\"params\":2}", &fl);
  put(f3, fl);
  char c;
  while (read(0, &c, 1) == 1) {
  }
  return 0;
}
