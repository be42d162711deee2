/* lsp_attach_probe: a stand-in LSP server for the attach tests (workspace_folders_test.cpp,
 * issue 13.2). Answers initialize and shutdown; for each workspace/didChangeWorkspaceFolders it
 * tries, in every folder added or removed, what code inside could: see the folder, write its
 * .git/config, plant a .git hook, write a file of the project. It reports one notification
 * "probe/result" per folder: "<path> stat=E git_config=E git_hook=E write=E" (errno names). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errno_name.h"
#include "lsp_script.h"

static const char* try_open(const char* dir, const char* rel, int flags) {
  char p[4096];
  snprintf(p, sizeof p, "%s/%s", dir, rel);
  int fd = open(p, flags | O_CLOEXEC, 0755);
  if (fd < 0) return ename(errno);
  close(fd);
  return "0";
}

static void probe(const char* path) {
  struct stat st;
  const char* s = stat(path, &st) == 0 ? "0" : ename(errno);
  const char* g = try_open(path, ".git/config", O_WRONLY | O_APPEND);
  const char* h = try_open(path, ".git/hooks/probe-hook", O_WRONLY | O_CREAT);
  const char* w = try_open(path, "probe-written.txt", O_WRONLY | O_CREAT);
  char body[8192];
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"method\":\"probe/result\",\"params\":\"%s stat=%s git_config=%s git_hook=%s write=%s\"}",
           path, s, g, h, w);
  lsp_send_body(body);
}

int main(void) {
  (void)run_lsp_script;  /* (lsp_script.h: only its framing helpers are used here) */
  for (;;) {
    char* b = lsp_read_frame();
    if (!b) return 0;
    if (strstr(b, "\"method\":\"initialize\"")) {
      lsp_reply(b, "{\"capabilities\":{\"workspace\":{\"workspaceFolders\":{\"supported\":true}}}}");
    } else if (strstr(b, "\"method\":\"shutdown\"")) {
      lsp_reply(b, "null");
    } else if (strstr(b, "\"method\":\"exit\"")) {
      return 0;
    } else if (strstr(b, "didChangeWorkspaceFolders")) {
      for (char* u = strstr(b, "\"file://"); u; u = strstr(u, "\"file://")) {
        u += 8;
        char* end = strchr(u, '"');
        if (!end) break;
        *end = 0;
        probe(u);
        u = end + 1;
      }
    }
    free(b);
  }
}
