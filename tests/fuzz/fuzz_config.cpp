// libFuzzer target "config": see entry_points.hpp (run_config) for what is fuzzed and checked.
#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gsb::fuzz::run_config(data, size);
  return 0;
}
