/* escape_ipc: look up SysV IPC objects the test created on the host.
 *
 *   escape_ipc KEY      (decimal or 0x hex)
 *
 * Prints "shmget errno=E", "msgget errno=E", "semget errno=E" for a lookup without
 * IPC_CREAT (errno=0: the host's object is visible inside). Exit status 0 (2: bad usage).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "errno_name.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: escape_ipc KEY\n");
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int r = shmget(key, 0, 0);
  printf("shmget errno=%s\n", ename(r >= 0 ? 0 : errno));
  r = msgget(key, 0);
  printf("msgget errno=%s\n", ename(r >= 0 ? 0 : errno));
  r = semget(key, 0, 0);
  printf("semget errno=%s\n", ename(r >= 0 ? 0 : errno));
  fflush(stdout);
  return 0;
}
