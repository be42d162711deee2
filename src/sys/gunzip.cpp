// gzip decompression for core's trace_input (zlib, in memory: no file access of its own), and
// trace_input::expand with it.
#include <zlib.h>

#include <algorithm>
#include <memory>

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

struct Inflater::Z {
  z_stream s{};
  bool ok = false;
};

Inflater::Inflater() : z_(std::make_unique<Z>()) {
  z_->ok = inflateInit2(&z_->s, 16 + MAX_WBITS) == Z_OK;
}
Inflater::~Inflater() {
  if (z_->ok) inflateEnd(&z_->s);
}

Result<size_t> Inflater::inflate(std::string_view& in, char* out, size_t cap) {
  if (!z_->ok) return Error::setup("zlib: inflateInit2 failed");
  z_stream& z = z_->s;
  size_t produced = 0;
  while (produced < cap && !in.empty()) {
    if (member_done_) {
      // Another member (gzip files can be concatenated); anything else after the last member is
      // ignored, like gzip(1) does with trailing zeros.
      if (trailing_ || static_cast<unsigned char>(in[0]) != 0x1f) {
        trailing_ = true;
        in = {};
        break;
      }
      inflateReset(&z);
      member_done_ = false;
    }
    started_ = true;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), 1u << 30));
    z.next_out = reinterpret_cast<Bytef*>(out + produced);
    z.avail_out = static_cast<uInt>(std::min<size_t>(cap - produced, 1u << 30));
    uInt before_in = z.avail_in, before_out = z.avail_out;
    int rc = ::inflate(&z, Z_NO_FLUSH);
    in.remove_prefix(before_in - z.avail_in);
    produced += before_out - z.avail_out;
    if (rc == Z_STREAM_END) {
      member_done_ = true;
      continue;
    }
    if (rc == Z_BUF_ERROR) break;  // needs more input (or output space)
    if (rc != Z_OK) {
      std::string msg = z.msg ? z.msg : "error " + std::to_string(rc);
      return Error::usage("corrupt gzip data: " + msg);
    }
  }
  total_out_ += produced;
  return produced;
}

Result<void> Inflater::finish() const {
  if (started_ && !member_done_)
    return Error::usage("truncated gzip data (unexpected end of file after " + std::to_string(total_out_) +
                        " decompressed bytes)");
  return {};
}

Result<std::vector<TraceText>> expand(std::string name, std::string bytes) {
  return expand(std::move(name), std::move(bytes), &gunzip);
}

}  // namespace gsb::trace_input
