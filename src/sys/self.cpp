#include "gopls_sandbox/sys/self.hpp"

#include <signal.h>
#include <unistd.h>


#include <cstdlib>

namespace gsb::sys {

pid_t own_pid() { return ::getpid(); }
bool is_root() { return ::geteuid() == 0; }

const char* env_or_null(const char* name) { return std::getenv(name); }

void ignore_sigpipe() { ::signal(SIGPIPE, SIG_IGN); }

}  // namespace gsb::sys
