/* lsp_forge: a stand-in LSP server for the server->client guard's attack test
 * (server_guard_test.cpp; threat model "forged server messages"). Answers initialize and
 * shutdown. For a notification "forge/run" whose params are a JSON-RPC message, it does what code
 * gopls starts could: a child process opens /proc/<server>/fd/1 (the server's stdout, the pipe
 * the launcher relays to the editor) and writes that message as a whole frame into it; once the
 * child is gone the server says "forge/done". Every response the server receives (the client's,
 * or the launcher's answer to a refused request) is echoed as "forge/answer" with the response
 * as params.
 *
 * "forge/exec" does the same through the go command's route: the child is started as `go` from
 * PATH (execvp), as gopls starts every go command. Inside the sandbox that is the go shim
 * (src/shim/go_nest.cpp), which nests a Landlock domain and execs the next `go` on PATH — the test
 * puts a link to this program there: run as "go FRAME", it is the child that opens
 * /proc/<parent>/fd/1 (and tries to signal its parent) and reports on stderr. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errno_name.h"
#include "lsp_script.h"

/* The child's part: write `body` as a frame into the parent's stdout through /proc. */
static int write_into_parent(pid_t parent, const char* body) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/fd/1", (int)parent);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "lsp_forge: open %s: %s\n", path, ename(errno));
    return 5;
  }
  size_t n;
  char* f = lsp_frame(body, &n);
  if (write(fd, f, n) != (ssize_t)n) return 6;
  return 0;
}

static void forge(const char* body, int via_go) {
  pid_t parent = getpid();
  pid_t c = fork();
  if (c < 0) exit(4);
  if (c == 0) {
    if (via_go) {
      execlp("go", "go", body, (char*)NULL);
      fprintf(stderr, "lsp_forge: exec go: %s\n", ename(errno));
      _exit(8);
    }
    _exit(write_into_parent(parent, body));
  }
  int st = 0;
  waitpid(c, &st, 0);
  char done[128];
  snprintf(done, sizeof done, "{\"jsonrpc\":\"2.0\",\"method\":\"forge/done\",\"params\":%d}",
           WIFEXITED(st) ? WEXITSTATUS(st) : 128);
  lsp_send_body(done);
}

int main(int argc, char** argv) {
  (void)run_lsp_script;
  const char* base = strrchr(argv[0], '/');
  if (strcmp(base ? base + 1 : argv[0], "go") == 0 && argc == 2) { /* the child, as `go FRAME` */
    pid_t parent = getppid();
    if (kill(parent, 0) != 0) fprintf(stderr, "lsp_forge: kill(parent, 0): %s\n", ename(errno));
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd/0", (int)parent);
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) fprintf(stderr, "lsp_forge: open %s: %s\n", path, ename(errno));
    return write_into_parent(parent, argv[1]);
  }
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
    } else if ((strstr(b, "\"method\":\"forge/run\"") || strstr(b, "\"method\":\"forge/exec\"")) && params) {
      /* {"jsonrpc":"2.0","method":"forge/run","params":<message>} */
      char* m = params + 9;
      b[strlen(b) - 1] = 0;
      forge(m, strstr(b, "\"forge/exec\"") != NULL);
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
