// A command's output on stdout (C stdio, buffered as before). Only the launcher's own commands
// print: in the gopls modes stdout is the LSP stream.
#pragma once

#include <string_view>

namespace gsb::sys {

// fwrite to stdout (buffered; flushed at exit).
void print_out(std::string_view s);
// fwrite + fflush: false when either fails (a closed pipe, a full disk).
bool print_out_flushed(std::string_view s);

}  // namespace gsb::sys
