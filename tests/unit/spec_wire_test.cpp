// The launch spec's wire encoding (launcher -> sandbox pid 1): exact round trip of everything
// pid 1 uses, and every truncation or corruption refused with a message instead of trusted.
#include <gtest/gtest.h>

#include "gopls_sandbox/core/spec_wire.hpp"

using namespace gsb::core;

namespace {

WireSpec sample() {
  WireSpec s;
  s.plan.argv = {"/usr/bin/gopls", "serve", std::string("with\0nul", 8)};
  s.plan.env = {"HOME=/home/u", "GOPLS_SANDBOX=1", ""};
  s.plan.cwd = "/home/u/project";
  s.plan.uid = 1000;
  s.plan.gid = 1001;
  s.plan.share_net = true;
  s.plan.hostname = "gopls-sandbox";
  s.plan.mounts = {{MountKind::RoBind, "/usr", "/usr", 0, false, false, "system"},
                   {MountKind::Copy, "/etc/passwd", "/etc/passwd", 0, true, true, "minimal /etc"},
                   {MountKind::Tmpfs, "tmpfs", "/tmp", 01777, false, false, "TMPDIR"},
                   {MountKind::RemountRo, "", "/", 0, false, false, "root"}};
  s.plan.mounts[2].noexec = true;
  s.plan.notes = {"not sent"};
  s.filter = {{0x20, 0, 0, 4}, {0x15, 1, 2, 0xc000003e}, {0x06, 0, 0, 0x7fff0000}};
  s.want_listener = true;
  s.filter_log = false;
  s.identity_strict = true;
  s.identity_checks = {"/usr/lib/go", "/home/u/go/pkg/mod"};
  return s;
}

TEST(SpecWire, RoundTripsEverythingPidOneUses) {
  WireSpec a = sample();
  auto b = decode_spec(encode_spec(a));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->plan.argv, a.plan.argv);
  EXPECT_EQ(b->plan.env, a.plan.env);
  EXPECT_EQ(b->plan.cwd, a.plan.cwd);
  EXPECT_EQ(b->plan.uid, 1000u);
  EXPECT_EQ(b->plan.gid, 1001u);
  EXPECT_TRUE(b->plan.share_net);
  EXPECT_EQ(b->plan.hostname, "gopls-sandbox");
  ASSERT_EQ(b->plan.mounts.size(), a.plan.mounts.size());
  for (size_t i = 0; i < a.plan.mounts.size(); ++i) {
    const auto &x = a.plan.mounts[i], &y = b->plan.mounts[i];
    EXPECT_EQ(x.kind, y.kind) << i;
    EXPECT_EQ(x.src, y.src) << i;
    EXPECT_EQ(x.dst, y.dst) << i;
    EXPECT_EQ(x.mode, y.mode) << i;
    EXPECT_EQ(x.is_file, y.is_file) << i;
    EXPECT_EQ(x.optional, y.optional) << i;
    EXPECT_EQ(x.noexec, y.noexec) << i;
    EXPECT_EQ(x.why, y.why) << i;
  }
  EXPECT_TRUE(b->plan.notes.empty());
  ASSERT_EQ(b->filter.size(), 3u);
  EXPECT_EQ(b->filter[1].code, 0x15);
  EXPECT_EQ(b->filter[1].jt, 1);
  EXPECT_EQ(b->filter[1].jf, 2);
  EXPECT_EQ(b->filter[1].k, 0xc000003eu);
  EXPECT_TRUE(b->want_listener);
  EXPECT_FALSE(b->filter_log);
  EXPECT_TRUE(b->identity_strict);
  EXPECT_EQ(b->identity_checks, a.identity_checks);
}

TEST(SpecWire, EmptyFilterAndNoChecks) {
  WireSpec a = sample();
  a.filter.clear();
  a.identity_checks.clear();
  a.want_listener = a.identity_strict = false;
  a.filter_log = true;
  auto b = decode_spec(encode_spec(a));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_TRUE(b->filter.empty());
  EXPECT_TRUE(b->identity_checks.empty());
  EXPECT_TRUE(b->filter_log);
  EXPECT_FALSE(b->want_listener);
}

TEST(SpecWire, EveryTruncationIsRefused) {
  std::string bytes = encode_spec(sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_spec(std::string_view(bytes.data(), n));
    EXPECT_FALSE(r.ok()) << "accepted a prefix of " << n << " of " << bytes.size() << " bytes";
  }
  EXPECT_FALSE(decode_spec(bytes + "x").ok());
}

TEST(SpecWire, CorruptionIsRefusedOrDecodedWithinBounds) {
  std::string bytes = encode_spec(sample());
  auto wrong_magic = bytes;
  wrong_magic[0] = 'X';
  auto r = decode_spec(wrong_magic);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("launch spec"), std::string::npos);
  // Every single-byte change: never a crash; lengths are checked against the input.
  for (size_t i = 8; i < bytes.size(); ++i) {
    for (unsigned char v : {0x00, 0x7f, 0xff}) {
      auto c = bytes;
      c[i] = static_cast<char>(v);
      (void)decode_spec(c);
    }
  }
  // A huge count does not allocate its way to a crash.
  WireSpec s = sample();
  s.plan.argv = {"/x"};
  std::string b = encode_spec(s);
  b.replace(8, 4, std::string("\xff\xff\xff\x7f", 4));
  EXPECT_FALSE(decode_spec(b).ok());
}

TEST(SpecWire, NoProgramIsRefused) {
  WireSpec s = sample();
  s.plan.argv.clear();
  EXPECT_FALSE(decode_spec(encode_spec(s)).ok());
}

}  // namespace
