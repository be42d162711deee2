// The compiled-filter cache (src/app/policy_cache.cpp): a second resolution comes from the cache
// with the same program and settings; editing the profile (or an include) recompiles; a corrupt,
// truncated or foreign cache file is ignored and replaced, never trusted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <cstring>

#include "gopls_sandbox/app/policy_cache.hpp"

namespace fs = std::filesystem;
using namespace gsb;

namespace {

class PolicyCache : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) /
           ("gsb-pcache-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "profiles");
    fs::create_directories(dir_ / "cache");
    write("base.toml", "name = \"base\"\ndefault_action = \"errno\"\nallow = [\"read\", \"write\"]\n");
    write("p.toml",
          "name = \"p\"\ninclude = [\"base\"]\nallow = [\"getpid\", \"exit_group\"]\n"
          "[sandbox]\nro_bind = [\"/opt/x\"]\nunset_env = [\"SECRET\"]\nset_env = [\"CGO_ENABLED=0\"]\n");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / "profiles" / name) << text; }
  Result<app::ResolvedPolicy> resolve(const std::string& name = "p") {
    return app::resolve_policy(name, {(dir_ / "profiles").string()}, core::Delivery::Errno, (dir_ / "cache").string());
  }
  std::vector<fs::path> entries() {
    std::vector<fs::path> v;
    for (const auto& e : fs::directory_iterator(dir_ / "cache")) v.push_back(e.path());
    return v;
  }
  fs::path dir_;
};

bool same_program(const std::vector<sock_filter>& a, const std::vector<sock_filter>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(sock_filter)) == 0;
}

TEST_F(PolicyCache, SecondResolutionComesFromTheCacheUnchanged) {
  auto first = resolve();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->from_cache);
  ASSERT_EQ(entries().size(), 1u);
  auto second = resolve();
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->from_cache);
  EXPECT_TRUE(same_program(first->program, second->program));
  EXPECT_EQ(second->name, "p");
  EXPECT_EQ(second->settings.ro_binds, std::vector<std::string>{"/opt/x"});
  EXPECT_EQ(second->settings.unset_env, std::vector<std::string>{"SECRET"});
  EXPECT_EQ(second->settings.set_env, std::vector<std::string>{"CGO_ENABLED=0"});
  // The profile's decisions come with the filter, the same as the compiled profile's.
  auto cached = app::policy_profile(*second);
  ASSERT_TRUE(cached.ok()) << cached.error().message;
  auto fresh = app::policy_profile(*first);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ((*cached)->name, "p");
  EXPECT_EQ((*cached)->syscalls.size(), (*fresh)->syscalls.size());
  const uint64_t args[6] = {};
  for (int nr : {0, 1, 39, 231, 101, 9999}) {
    auto a = core::decide(**cached, nr, args), b = core::decide(**fresh, nr, args);
    EXPECT_EQ(a.kind, b.kind) << nr;
    EXPECT_EQ(a.err, b.err) << nr;
    EXPECT_EQ(a.rule, b.rule) << nr;
  }
}

TEST_F(PolicyCache, EditingTheProfileOrAnIncludeRecompiles) {
  auto a = resolve();
  ASSERT_TRUE(a.ok());
  // A different size is enough to change the identity, whatever the mtime granularity.
  write("base.toml", "name = \"base\"\ndefault_action = \"errno\"\nallow = [\"read\", \"write\", \"uname\"]\n");
  auto b = resolve();
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->from_cache);
  EXPECT_FALSE(same_program(a->program, b->program));
  auto c = resolve();
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->from_cache);
  EXPECT_TRUE(same_program(b->program, c->program));
}

TEST_F(PolicyCache, CorruptTruncatedOrForeignEntriesAreIgnoredAndReplaced) {
  auto good = resolve();
  ASSERT_TRUE(good.ok());
  auto files = entries();
  ASSERT_EQ(files.size(), 1u);
  std::string bytes;
  {
    std::ifstream in(files[0], std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 20u);
  std::vector<std::string> bad = {
      "",                                          // empty
      "garbage",                                   // no header
      bytes.substr(0, bytes.size() - 3),           // truncated program
      bytes + "x",                                 // trailing byte
      "GSB-CACHE 1 bpf 0 2 8\n{}12345678",                 // valid frame, metadata of another profile
      "GSB-CACHE 1 bpf 0 99999999999999999999 8\n{}1234",  // absurd length
  };
  std::string flipped = bytes;  // header claims a longer program than the file holds
  size_t last_len = flipped.rfind(' ', flipped.find('\n')) + 1;
  flipped.insert(last_len, "1");
  bad.push_back(flipped);
  std::string stale = bytes;  // a file it was computed from changed: its recorded identity differs
  size_t dep = stale.find('\n') + 1;
  stale.replace(dep, stale.find(' ', dep) - dep, "0:0:0:0.0");
  bad.push_back(stale);
  for (const auto& b : bad) {
    std::ofstream(files[0], std::ios::binary | std::ios::trunc) << b;
    auto r = resolve();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->from_cache) << testing::PrintToString(b.substr(0, 40));
    EXPECT_TRUE(same_program(good->program, r->program));
    auto again = resolve();  // rewritten by the recompilation
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->from_cache);
  }
}

TEST_F(PolicyCache, NoCacheDirectoryMeansNoCache) {
  auto a = app::resolve_policy("p", {(dir_ / "profiles").string()}, core::Delivery::Errno, "");
  ASSERT_TRUE(a.ok());
  auto b = app::resolve_policy("p", {(dir_ / "profiles").string()}, core::Delivery::Errno, "");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->from_cache);
  EXPECT_TRUE(entries().empty());
}

}  // namespace
