// Replays the fuzzers' inputs through the same entry points the libFuzzer targets call
// (tests/fuzz/entry_points.hpp): every file under tests/fuzz/regressions/<target>/ (inputs that
// once crashed a fuzzer) and tests/fuzz/corpus/<target>/ (the seeds). An input that crashes
// aborts this test; see tests/fuzz/README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/entry_points.hpp"

namespace fs = std::filesystem;

namespace {

using EntryPoint = void (*)(const uint8_t*, size_t);

std::vector<fs::path> inputs(const std::string& kind, const std::string& target) {
  std::vector<fs::path> out;
  fs::path dir = fs::path(GSB_TEST_SOURCE_DIR) / "tests/fuzz" / kind / target;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.starts_with(".") || name == "README.md") continue;
    out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void replay(const std::string& target, EntryPoint fn, bool corpus_must_exist) {
  size_t n = 0;
  for (const char* kind : {"regressions", "corpus"}) {
    auto files = inputs(kind, target);
    if (std::string(kind) == "corpus" && corpus_must_exist) {
      EXPECT_FALSE(files.empty()) << "no seed corpus for " << target;
    }
    for (const auto& f : files) {
      SCOPED_TRACE(f.string());
      std::ifstream in(f, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      ASSERT_TRUE(in.good() || in.eof()) << "cannot read " << f;
      fn(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++n;
    }
  }
  // The empty input is always a case worth replaying.
  fn(reinterpret_cast<const uint8_t*>(""), 0);
  ::testing::Test::RecordProperty("inputs", static_cast<int>(n));
}

}  // namespace

TEST(FuzzRegression, Profile) { replay("profile", gsb::fuzz::run_profile, true); }
TEST(FuzzRegression, Config) { replay("config", gsb::fuzz::run_config, true); }
TEST(FuzzRegression, Strace) { replay("strace", gsb::fuzz::run_strace, true); }
TEST(FuzzRegression, LspFraming) { replay("lsp_framing", gsb::fuzz::run_lsp_framing, true); }
TEST(FuzzRegression, Json) { replay("json", gsb::fuzz::run_json, true); }
