// Reading strace logs named on the command line: plain or gzip files, .tar/.tar.gz archives
// of a `-ff` directory, and directories of `-ff -o DIR/PREFIX` per-pid files.
#pragma once

#include <string>
#include <vector>

#include "gopls_sandbox/core/result.hpp"
#include "gopls_sandbox/core/trace_input.hpp"

namespace gsb::sys {

// Each path: "-" = stdin; a directory = every regular, non-hidden file below it (sorted, empty
// ones skipped); a file = its texts (gzip and tar unpacked). Errors name the path.
Result<std::vector<trace_input::TraceText>> read_trace_inputs(const std::vector<std::string>& paths);

}  // namespace gsb::sys
