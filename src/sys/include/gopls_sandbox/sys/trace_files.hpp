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

#include <functional>
#include <optional>
#include <string_view>

namespace gsb::sys {

// Receives the texts of the logs one by one, in pieces (streaming, bounded memory).
struct TraceSink {
  virtual ~TraceSink() = default;
  // A new log text: "log.gz", "trace.tar.gz:ff/prefix.123" (pid from a `.NNN` name suffix).
  virtual Result<void> begin(const std::string& name, std::optional<int> pid) = 0;
  // Whole lines (ending with '\n'), except the last piece of a text, which may end mid-line.
  // The bytes are only valid during the call.
  virtual Result<void> piece(std::string_view text, bool last) = 0;
  virtual Result<void> end() = 0;
};

struct StreamOptions {
  size_t buffer = size_t{1} << 20;     // the text buffer (grows for a longer line…)
  size_t max_line = size_t{64} << 20;  // …up to this: a longer line is an error
};

// The same inputs as read_trace_inputs, streamed: plain files through a fixed buffer (read(2),
// no whole-file copy), gzip inflated in chunks, tar archives (plain or gzip) member by member in
// archive order. Memory: the buffer plus zlib's state, whatever the input size.
Result<void> stream_trace_inputs(const std::vector<std::string>& paths, TraceSink& sink,
                                 const StreamOptions& opts = {});

}  // namespace gsb::sys
