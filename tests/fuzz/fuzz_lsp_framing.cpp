// libFuzzer target "lsp_framing": see entry_points.hpp (run_lsp_framing) for what is fuzzed and checked.
#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gsb::fuzz::run_lsp_framing(data, size);
  return 0;
}
