#include "gopls_sandbox/sys/self.hpp"

#include <signal.h>
#include <unistd.h>


#include <cstdlib>

namespace gsb::sys {

pid_t own_pid() { return ::getpid(); }
bool is_root() { return ::geteuid() == 0; }

std::optional<std::string> env_var(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

void ignore_sigpipe() { ::signal(SIGPIPE, SIG_IGN); }

}  // namespace gsb::sys
