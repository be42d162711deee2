/* lsp_fake_server: a stand-in LSP server for the relay tests. Reads the client's first frame,
 * then writes: a 200000-byte frame in two halves with two refused keyctl calls between them, a
 * small frame, a refused add_key, a last frame; then waits for end of input. The frames'
 * bodies are what the test rebuilds byte for byte (see notify_client_test.cpp). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
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

int main(void) {
  /* the first frame: header up to the blank line, then Content-Length bytes */
  char hdr[4096];
  size_t n = 0;
  while (n < sizeof hdr - 1) {
    if (read(0, hdr + n, 1) != 1) return 2;
    n++;
    if (n >= 4 && memcmp(hdr + n - 4, "\r\n\r\n", 4) == 0) break;
  }
  hdr[n] = 0;
  long len = atol(strstr(hdr, "Content-Length:") + 15);
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
  syscall(SYS_keyctl, 0, -3, 0, 0, 0);
  syscall(SYS_keyctl, 0, -3, 0, 0, 0);
  put(f1 + fl / 2, fl - fl / 2);
  char* f2 = frame("{\"jsonrpc\":\"2.0\",\"method\":\"x/small\",\"params\":1}", &fl);
  put(f2, fl);
  syscall(SYS_add_key, "user", "x", "y", 1, -3);
  char* f3 = frame("{\"jsonrpc\":\"2.0\",\"method\":\"x/last\",\"params\":2}", &fl);
  put(f3, fl);
  char c;
  while (read(0, &c, 1) == 1) {
  }
  return 0;
}
