/* escape_euid: what a set-user-ID copy of this program would gain.
 *
 * Prints "ruid=R euid=E" and the NoNewPrivs line of /proc/self/status ("NoNewPrivs=N").
 * The test installs a copy owned by root with mode 4755 and runs it as an unprivileged user
 * inside the sandbox: with no_new_privs the set-user-ID bit must not change the euid.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  printf("ruid=%d euid=%d\n", (int)getuid(), (int)geteuid());
  FILE* f = fopen("/proc/self/status", "r");
  char line[256];
  while (f && fgets(line, sizeof line, f)) {
    unsigned v;
    if (sscanf(line, "NoNewPrivs: %u", &v) == 1) printf("NoNewPrivs=%u\n", v);
  }
  if (f) fclose(f);
  fflush(stdout);
  return 0;
}
