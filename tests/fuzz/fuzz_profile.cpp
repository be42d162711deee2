// libFuzzer target "profile": see entry_points.hpp (run_profile) for what is fuzzed and checked.
#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gsb::fuzz::run_profile(data, size);
  return 0;
}
