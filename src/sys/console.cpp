#include "gopls_sandbox/sys/console.hpp"

#include <cstdio>

namespace gsb::sys {

void print_out(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

bool print_out_flushed(std::string_view s) {
  return std::fwrite(s.data(), 1, s.size(), stdout) == s.size() && std::fflush(stdout) == 0;
}

}  // namespace gsb::sys
