// Copying a byte stream into a pipe without passing it through user space (splice(2)), with a
// read/write fallback for sources splice cannot read (a terminal, some files).
#pragma once

#include <cstddef>
#include <sys/types.h>

namespace gsb::sys {

// One step: moves up to `max` bytes from `in` to the pipe `out_pipe`. Returns the bytes moved,
// 0 at end of input, or -errno. `*fallback` starts false and is set once splice is unusable
// for `in` (EINVAL); from then on the step reads and writes through `buf` (of `buf_len`).
ssize_t splice_step(int in, int out_pipe, size_t max, bool* fallback, char* buf, size_t buf_len) noexcept;

}  // namespace gsb::sys
