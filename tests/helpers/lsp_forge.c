/* lsp_forge: a stand-in LSP server for the server->client guard's attack test
 * (server_guard_test.cpp; threat model "forged server messages"). Answers initialize and
 * shutdown. For a notification "forge/run" whose params are a JSON-RPC message, it does what code
 * gopls starts could: a child process opens /proc/<server>/fd/1 (the server's stdout, the pipe
 * the launcher relays to the editor) and writes that message as a whole frame into it; once the
 * child is gone the server says "forge/done". Every response the server receives (the client's,
 * or the launcher's answer to a refused request) is echoed as "forge/answer" with the response
 * as params. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errno_name.h"
#include "lsp_script.h"

static void forge(const char* body) {
  pid_t parent = getpid();
  pid_t c = fork();
  if (c < 0) exit(4);
  if (c == 0) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd/1", (int)parent);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      fprintf(stderr, "lsp_forge: open %s: %s\n", path, ename(errno));
      _exit(5);
    }
    size_t n;
    char* f = lsp_frame(body, &n);
    if (write(fd, f, n) != (ssize_t)n) _exit(6);
    _exit(0);
  }
  int st = 0;
  waitpid(c, &st, 0);
  char done[128];
  snprintf(done, sizeof done, "{\"jsonrpc\":\"2.0\",\"method\":\"forge/done\",\"params\":%d}",
           WIFEXITED(st) ? WEXITSTATUS(st) : 128);
  lsp_send_body(done);
}

int main(void) {
  (void)run_lsp_script;
  for (;;) {
    char* b = lsp_read_frame();
    if (!b) return 0;
    char* params = strstr(b, "\"params\":");
    if (strstr(b, "\"method\":\"initialize\"")) {
      lsp_reply(b, "{\"capabilities\":{}}");
    } else if (strstr(b, "\"method\":\"shutdown\"")) {
      lsp_reply(b, "null");
    } else if (strstr(b, "\"method\":\"exit\"")) {
      return 0;
    } else if (strstr(b, "\"method\":\"forge/run\"") && params) {
      /* {"jsonrpc":"2.0","method":"forge/run","params":<message>} */
      char* m = params + 9;
      b[strlen(b) - 1] = 0;
      forge(m);
    } else if (!strstr(b, "\"method\":")) {
      size_t n = strlen(b) + 64;
      char* a = malloc(n);
      snprintf(a, n, "{\"jsonrpc\":\"2.0\",\"method\":\"forge/answer\",\"params\":%s}", b);
      lsp_send_body(a);
      free(a);
    }
    free(b);
  }
}
