/* escape_fs: probe paths from inside a sandbox.
 *
 *   escape_fs OP:PATH...     OP is one of
 *     stat    stat(PATH)
 *     read    open(PATH, O_RDONLY) (a file, or a directory: its listing)
 *     create  open(PATH, O_WRONLY|O_CREAT|O_EXCL) (a new file; removed again if it worked)
 *     write   open(PATH, O_WRONLY) (an existing file; nothing is written)
 *     unlink  unlink(PATH) -- only ever pointed at files inside the sandbox's read-only binds
 *
 * One line per argument: "OP PATH errno=E" (errno=0: the call succeeded).
 * Exit status 0 (2 for bad usage).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errno_name.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: escape_fs OP:PATH...\n");
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    char* colon = strchr(argv[i], ':');
    if (!colon) return 2;
    *colon = 0;
    const char* op = argv[i];
    const char* path = colon + 1;
    int r;
    if (strcmp(op, "stat") == 0) {
      struct stat st;
      r = stat(path, &st);
    } else if (strcmp(op, "create") == 0) {
      r = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (r >= 0) {
        close(r);
        unlink(path);
      }
    } else if (strcmp(op, "write") == 0) {
      r = open(path, O_WRONLY | O_CLOEXEC);
      if (r >= 0) close(r);
    } else if (strcmp(op, "read") == 0) {  /* a file's contents or a directory's listing */
      r = open(path, O_RDONLY | O_CLOEXEC);
      if (r >= 0) close(r);
    } else if (strcmp(op, "unlink") == 0) {
      r = unlink(path);
    } else {
      return 2;
    }
    printf("%s %s errno=%s\n", op, path, ename(r >= 0 ? 0 : errno));
  }
  fflush(stdout);
  return 0;
}
