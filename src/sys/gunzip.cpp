// gzip decompression for core's trace_input (zlib, in memory: no file access of its own), and
// trace_input::expand with it.
#include <zlib.h>

#include <algorithm>

#include "gopls_sandbox/core/trace_input.hpp"

namespace gsb::trace_input {

Result<std::string> gunzip(std::string_view data, size_t max_out) {
  std::string out;
  out.reserve(std::min<size_t>(data.size() * 8, max_out));
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Error::setup("zlib: inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  char buf[1 << 16];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    int rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > max_out) {
      inflateEnd(&z);
      return Error::usage("gzip data expands beyond " + std::to_string(max_out >> 20) + " MiB");
    }
    if (rc == Z_STREAM_END) {
      // Another member (gzip files can be concatenated)?
      if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
        inflateReset(&z);
        continue;
      }
      break;
    }
    if (rc == Z_BUF_ERROR || (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0)) {
      inflateEnd(&z);
      return Error::usage("truncated gzip data (unexpected end of file after " +
                          std::to_string(out.size()) + " decompressed bytes)");
    }
    if (rc != Z_OK) {
      std::string msg = z.msg ? z.msg : "error " + std::to_string(rc);
      inflateEnd(&z);
      return Error::usage("corrupt gzip data: " + msg);
    }
  }
  inflateEnd(&z);
  return out;
}

Result<std::vector<TraceText>> expand(std::string name, std::string bytes) {
  return expand(std::move(name), std::move(bytes), &gunzip);
}

}  // namespace gsb::trace_input
