// The launcher's cache-file helper (sys/cache_file.hpp): what is stored comes back; a changed
// dependency, another kind or key, or a damaged file is a miss.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gopls_sandbox/sys/cache_file.hpp"

namespace fs = std::filesystem;
using namespace gsb;

namespace {

class CacheFile : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) / ("gsb-cachefile-" + std::to_string(::getpid()) + "-" +
                                           testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    dep_ = (dir_ / "dep file").string();
    std::ofstream(dep_) << "one";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string cache() const { return (dir_ / "cache").string(); }
  fs::path dir_;
  std::string dep_;
};

TEST_F(CacheFile, StoredEntryComesBack) {
  std::string payload("\0\1\2binary", 9);
  sys::cache_store(cache(), "k", "key", {dep_}, "{\"a\":1}", payload);
  auto e = sys::cache_load(cache(), "k", "key");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->meta, "{\"a\":1}");
  EXPECT_EQ(e->payload, payload);
  EXPECT_FALSE(sys::cache_load(cache(), "k", "other key").has_value());
  EXPECT_FALSE(sys::cache_load(cache(), "j", "key").has_value());
  EXPECT_FALSE(sys::cache_load("", "k", "key").has_value());
}

TEST_F(CacheFile, ChangedDependencyIsAMiss) {
  sys::cache_store(cache(), "k", "key", {dep_}, "m", "");
  ASSERT_TRUE(sys::cache_load(cache(), "k", "key").has_value());
  std::ofstream(dep_) << "a different size";
  EXPECT_FALSE(sys::cache_load(cache(), "k", "key").has_value());
  fs::remove(dep_);
  EXPECT_FALSE(sys::cache_load(cache(), "k", "key").has_value());
}

TEST_F(CacheFile, DamagedEntriesAreMisses) {
  sys::cache_store(cache(), "k", "key", {dep_}, "meta", "payload");
  std::string file = sys::cache_entry_path(cache(), "k", "key");
  std::string good;
  {
    std::ifstream in(file, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (const std::string& bad : {std::string(), good.substr(0, good.size() - 1), good + "x",
                                 std::string("GSB-CACHE 1 k 0 4 7\nmetapayload"),  // ok: no deps
                                 std::string("GSB-CACHE 1 j 0 4 7\nmetapayload"), std::string("GSB-CACHE 1 k 5 0 0\n1 1 /\n"),
                                 std::string("GSB-CACHE 1 k 0 99999999999999999999 0\n")}) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bad;
    auto e = sys::cache_load(cache(), "k", "key");
    if (bad.rfind("GSB-CACHE 1 k 0 4 7", 0) == 0) {
      ASSERT_TRUE(e.has_value());
      EXPECT_EQ(e->payload, "payload");
    } else {
      EXPECT_FALSE(e.has_value()) << bad;
    }
  }
}

}  // namespace
