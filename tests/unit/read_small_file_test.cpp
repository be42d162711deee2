// sys::read_small_file (sys/host_probe.hpp) reads files that code inside the sandbox may have
// replaced (an added workspace folder's .git and .gitmodules): a FIFO must not block, a symlink
// (to /dev/zero) is not followed, and no more than the bound is read.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "gopls_sandbox/sys/host_probe.hpp"

namespace fs = std::filesystem;
using namespace gsb;

namespace {

class ReadSmallFile : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) / ("gsb-readsmall-" + std::to_string(::getpid()) + "-" +
                                           testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string at(const char* name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(ReadSmallFile, ARegularFileWithinTheBoundIsRead) {
  std::ofstream(at("gitmodules")) << "[submodule \"a\"]\n\tpath = a\n";
  auto t = sys::read_small_file(at("gitmodules"), 64);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(*t, "[submodule \"a\"]\n\tpath = a\n");
  std::ofstream(at("exact")) << std::string(64, 'x');
  auto e = sys::read_small_file(at("exact"), 64);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->size(), 64u);
}

TEST_F(ReadSmallFile, AFifoIsAnErrorAtOnce) {
  ASSERT_EQ(::mkfifo(at("fifo").c_str(), 0600), 0);
  // Without O_NONBLOCK the open itself would wait for a writer forever (the test would hang).
  auto start = std::chrono::steady_clock::now();
  auto t = sys::read_small_file(at("fifo"), 65536);
  EXPECT_FALSE(t);
  if (!t) {
    EXPECT_NE(t.error().message.find("not a regular file"), std::string::npos) << t.error().message;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(ReadSmallFile, ASymlinkIsNotFollowed) {
  fs::create_symlink("/dev/zero", at("zero"));
  auto z = sys::read_small_file(at("zero"), 65536);
  EXPECT_FALSE(z);
  if (!z) {
    EXPECT_EQ(z.error().err, ELOOP) << z.error().message;
  }
  std::ofstream(at("plain")) << "gitdir: x\n";
  fs::create_symlink(at("plain"), at("link"));
  auto l = sys::read_small_file(at("link"), 65536);
  EXPECT_FALSE(l);
}

TEST_F(ReadSmallFile, AFileLargerThanTheBoundIsAnError) {
  std::ofstream(at("big")) << std::string(65, 'x');
  auto t = sys::read_small_file(at("big"), 64);
  EXPECT_FALSE(t);
  if (!t) {
    EXPECT_NE(t.error().message.find("larger than 64 bytes"), std::string::npos) << t.error().message;
  }
}

TEST_F(ReadSmallFile, ADeviceIsAnError) {
  auto t = sys::read_small_file("/dev/zero", 65536);
  EXPECT_FALSE(t);
}

TEST_F(ReadSmallFile, AMissingFileIsAnError) {
  auto t = sys::read_small_file(at("missing"), 64);
  EXPECT_FALSE(t);
  if (!t) {
    EXPECT_EQ(t.error().err, ENOENT);
  }
}

}  // namespace
