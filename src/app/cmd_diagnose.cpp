// Placeholder until the subcommand lands.
#include <cstdio>

#include "gopls_sandbox/app/commands.hpp"

namespace gsb::app {
int cmd_diagnose(const Args&) {
  std::fputs("gopls-sandbox: 'diagnose' is not implemented yet\n", stderr);
  return 2;
}
}  // namespace gsb::app
