// The launch spec's wire encoding (launcher -> sandbox pid 1): exact round trip of everything
// pid 1 uses, and every truncation or corruption refused with a message instead of trusted.
#include <gtest/gtest.h>

#include "gopls_sandbox/core/policy.hpp"
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
    EXPECT_EQ(x.spare, y.spare) << i;
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

TEST(SpecWire, LandlockSpareTravels) {  // issue 13.2
  WireSpec a = sample();
  MountOp op{MountKind::Dir, "", "/srv/code", 0755, false, false, "workspace spare"};
  op.spare = true;
  a.plan.mounts.push_back(op);
  auto b = decode_spec(encode_spec(a));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_TRUE(b->plan.mounts.back().spare);
  EXPECT_FALSE(b->plan.mounts.front().spare);
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

// pid 1's reports: fixed records of the same encoding, round-tripped; anything damaged is refused.
TEST(SpecWire, Pid1ReportsRoundTripAndDamageIsRefused) {
  Pid1Report in;
  in.kind = Pid1Report::Kind::InodeCheck;
  in.inode = {3, InodeResult::Mismatch, 0xfd00, 1234567890123ULL, 0x2a, 7};
  auto b = encode_report(in);
  auto out = decode_report(b);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->kind, Pid1Report::Kind::InodeCheck);
  EXPECT_EQ(out->inode.index, 3u);
  EXPECT_EQ(out->inode.result, InodeResult::Mismatch);
  EXPECT_EQ(out->inode.host_ino, 1234567890123ULL);
  EXPECT_EQ(out->inode.inside_dev, 0x2au);
  EXPECT_STREQ(inode_result_name(out->inode.result), "mismatch");
  for (size_t n = 0; n < b.size(); ++n) EXPECT_FALSE(decode_report(b.substr(0, n)).ok()) << n;
  EXPECT_FALSE(decode_report(b + "x").ok());
  std::string bad_result = b;
  bad_result[16] = 9;  // result field
  EXPECT_FALSE(decode_report(bad_result).ok());

  Pid1Report f;
  f.kind = Pid1Report::Kind::CacheFallback;
  f.fallback = {5, 22, std::string(5000, 'x')};  // a longer detail is cut to fit one message
  auto fb = encode_report(f);
  EXPECT_LE(fb.size(), kMaxReportBytes);
  auto fo = decode_report(fb);
  ASSERT_TRUE(fo.ok()) << fo.error().message;
  EXPECT_EQ(fo->kind, Pid1Report::Kind::CacheFallback);
  EXPECT_EQ(fo->fallback.mount_index, 5u);
  EXPECT_EQ(fo->fallback.err, 22);
  EXPECT_FALSE(fo->fallback.detail.empty());
  std::string unknown = fb;
  unknown[8] = 7;  // kind
  EXPECT_FALSE(decode_report(unknown).ok());
}

// The decision table stored beside a cached filter decides every call as the profile does.
TEST(SpecWire, DecisionTableDecidesAsTheProfile) {
  for (const char* name : {"gopls", "gopls-strict"}) {
    auto prof = load_profile(name, {GSB_SOURCE_PROFILE_DIR});
    ASSERT_TRUE(prof.ok()) << prof.error().message;
    auto back = decode_decisions(encode_decisions(*prof));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->name, prof->name);
    const uint64_t argsets[3][6] = {{0, 0, 0, 0, 0, 0}, {1, 0x5412, 2, 3, 4, 5}, {~0ULL, 0x10000000, 0, 0, 0, 0}};
    for (int nr = 0; nr < 470; ++nr)
      for (const auto& args : argsets) {
        auto a = decide(*prof, nr, args), b = decide(*back, nr, args);
        ASSERT_EQ(a.kind, b.kind) << name << " " << nr;
        ASSERT_EQ(a.err, b.err) << name << " " << nr;
        ASSERT_EQ(a.rule, b.rule) << name << " " << nr;
      }
    std::string bytes = encode_decisions(*prof);
    for (size_t n : {size_t(0), size_t(7), size_t(20), bytes.size() / 2, bytes.size() - 1})
      EXPECT_FALSE(decode_decisions(bytes.substr(0, n)).ok()) << n;
    EXPECT_FALSE(decode_decisions(bytes + "x").ok());
  }
}

}  // namespace
