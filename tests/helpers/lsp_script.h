/* The scripted stand-in LSP server of the relay tests (lsp_fake_server.c, lsp_net_server.c):
 * reads the client's first frame, then writes the first half of a 200000-byte frame, calls
 * mid() twice, writes the second half and a small frame, calls after(), writes a last frame, and
 * waits for end of input. The frames' bodies are what the tests rebuild byte for byte; mid and
 * after provoke what the sandbox must report while the relay is inside or between frames. */
#ifndef GSB_TEST_LSP_SCRIPT_H
#define GSB_TEST_LSP_SCRIPT_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void lsp_put(const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(1, p, n);
    if (w <= 0) exit(3);
    p += w;
    n -= (size_t)w;
  }
}

static char* lsp_frame(const char* body, size_t* len) {
  size_t bl = strlen(body);
  char* f = malloc(bl + 64);
  int h = sprintf(f, "Content-Length: %zu\r\n\r\n", bl);
  memcpy(f + h, body, bl);
  *len = (size_t)h + bl;
  return f;
}

__attribute__((unused)) static void lsp_send_body(const char* body) {
  size_t n;
  char* f = lsp_frame(body, &n);
  lsp_put(f, n);
  free(f);
}

/* The next frame's body from stdin (NUL-terminated, malloc'd); NULL at end of input. */
__attribute__((unused)) static char* lsp_read_frame(void) {
  char hdr[4096];
  size_t n = 0;
  while (n < sizeof hdr - 1) {
    if (read(0, hdr + n, 1) != 1) return NULL;
    n++;
    if (n >= 4 && memcmp(hdr + n - 4, "\r\n\r\n", 4) == 0) break;
  }
  hdr[n] = 0;
  const char* cl = strstr(hdr, "Content-Length:");
  if (!cl) exit(2);
  long len = atol(cl + 15);
  char* b = malloc((size_t)len + 1);
  for (long got = 0; got < len;) {
    ssize_t r = read(0, b + got, (size_t)(len - got));
    if (r <= 0) exit(2);
    got += r;
  }
  b[len] = 0;
  return b;
}

/* Answers the request `body` (a numeric id) with `result` (JSON text). */
__attribute__((unused)) static void lsp_reply(const char* body, const char* result) {
  const char* id = strstr(body, "\"id\":");
  if (!id) return;
  char out[256];
  snprintf(out, sizeof out, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":%s}", atol(id + 5), result);
  lsp_send_body(out);
}

static int run_lsp_script(void (*mid)(void), void (*after)(void)) {
  /* the first frame: header up to the blank line, then Content-Length bytes */
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
  char* f1 = lsp_frame(big, &fl);
  lsp_put(f1, fl / 2);
  mid();
  mid();
  lsp_put(f1 + fl / 2, fl - fl / 2);
  char* f2 = lsp_frame("{\"jsonrpc\":\"2.0\",\"method\":\"x/small\",\"params\":1}", &fl);
  lsp_put(f2, fl);
  after();
  char* f3 = lsp_frame("{\"jsonrpc\":\"2.0\",\"method\":\"x/last\",\"params\":2}", &fl);
  lsp_put(f3, fl);
  char c;
  while (read(0, &c, 1) == 1) {
  }
  return 0;
}

#endif
