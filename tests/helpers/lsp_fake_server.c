/* lsp_fake_server: a stand-in LSP server for the relay tests (lsp_script.h): two refused keyctl
 * calls in the middle of a 200000-byte frame, a refused add_key between two frames (see
 * notify_client_test.cpp). */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include "lsp_script.h"

static void refuse_keyctl(void) { syscall(SYS_keyctl, 0, -3, 0, 0, 0); }
static void refuse_add_key(void) { syscall(SYS_add_key, "user", "x", "y", 1, -3); }

int main(void) { return run_lsp_script(refuse_keyctl, refuse_add_key); }
