// Issue 15: doctor's gopls-older-than-go and toolchain (GOTOOLCHAIN) checks, pure logic.
#include <gtest/gtest.h>

#include "gopls_sandbox/core/doctor.hpp"

using namespace gsb::core;

namespace {

int cmp(const char* a, const char* b) { return compare_go_versions(parse_go_version(a), parse_go_version(b)); }

TEST(GoVersion, ParsesAndOrders) {
  GoVersion v = parse_go_version("go1.26.8");
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.major, 1);
  EXPECT_EQ(v.minor, 26);
  EXPECT_EQ(v.patch, 8);
  EXPECT_TRUE(parse_go_version("1.21").ok);
  EXPECT_FALSE(parse_go_version("devel").ok);
  EXPECT_FALSE(parse_go_version("").ok);
  EXPECT_LT(cmp("go1.19.8", "go1.26.0"), 0);
  EXPECT_LT(cmp("go1.26", "go1.26.1"), 0);
  EXPECT_EQ(cmp("1.26.0", "go1.26"), 0);
  EXPECT_LT(cmp("go1.27rc1", "go1.27.0"), 0);
  EXPECT_LT(cmp("go1.27beta1", "go1.27rc1"), 0);
  EXPECT_LT(cmp("go1.27rc1", "go1.27rc2"), 0);
  EXPECT_GT(cmp("go1.100.0", "go1.99.9"), 0);
}

TEST(GoModVersions, GoAndToolchainLines) {
  auto v = parse_gomod_versions("module x\n\ngo 1.26 // comment\n\ttoolchain go1.27.1\r\nrequire (\n\tgolang.org/x/go v1\n)\n");
  EXPECT_EQ(v.go, "1.26");
  EXPECT_EQ(v.toolchain, "go1.27.1");
  EXPECT_EQ(wanted_toolchain(v), "go1.27.1");
  auto w = parse_gomod_versions("module x\ngo 1.21.0\n");
  EXPECT_EQ(w.toolchain, "");
  EXPECT_EQ(wanted_toolchain(w), "go1.21.0");
  EXPECT_EQ(wanted_toolchain(parse_gomod_versions("module x\n")), "");
  EXPECT_EQ(parse_gomod_versions("module gopher\n").go, "");  // "gopher" is not a go line
}

TEST(GoplsVsGo, OlderGoplsThanGoIsAnError) {
  Check c = check_gopls_go_match("/usr/bin/gopls", "go1.19.5", "/usr/local/go/bin/go", "go1.26.8");
  EXPECT_EQ(c.status, CheckStatus::Error);
  EXPECT_NE(c.detail.find("built with go1.19.5, older than /usr/local/go/bin/go (go1.26.8)"), std::string::npos)
      << c.detail;
  EXPECT_NE(c.fix.find("go1.19 first on PATH"), std::string::npos) << c.fix;
  EXPECT_EQ(check_gopls_go_match("g", "go1.19.5", "go", "go1.19.8").status, CheckStatus::Ok);  // same minor
  EXPECT_EQ(check_gopls_go_match("g", "go1.26.8", "go", "go1.19.8").status, CheckStatus::Ok);  // newer gopls
  EXPECT_EQ(check_gopls_go_match("g", "", "go", "go1.26.8").status, CheckStatus::Ok);          // unknown
}

ToolchainFacts facts(const std::string& go, const std::string& toolchain) {
  ToolchainFacts f;
  f.file = "/ws/go.mod";
  f.wanted.go = go;
  f.wanted.toolchain = toolchain;
  f.local_version = "go1.26.8";
  f.gotoolchain = "auto";
  f.gomodcache = "/home/u/go/pkg/mod";
  return f;
}

TEST(Toolchain, NewerThanLocalWithoutNetworkIsAClearError) {
  Check c = check_toolchain(facts("1.26", "go1.99.1"));
  EXPECT_EQ(c.status, CheckStatus::Error);
  EXPECT_NE(c.detail.find("asks for go1.99.1"), std::string::npos) << c.detail;
  EXPECT_NE(c.detail.find("no network"), std::string::npos) << c.detail;
  EXPECT_NE(c.fix.find("/home/u/go/pkg/mod"), std::string::npos) << c.fix;
  EXPECT_NE(c.fix.find("--share-net"), std::string::npos) << c.fix;
}

TEST(Toolchain, OkWhenLocalIsNewEnoughCachedOrNetworked) {
  EXPECT_EQ(check_toolchain(facts("1.19", "")).status, CheckStatus::Ok);
  EXPECT_EQ(check_toolchain(facts("1.26.8", "")).status, CheckStatus::Ok);
  EXPECT_EQ(check_toolchain(facts("1.27.0", "")).status, CheckStatus::Error);  // the go line alone switches too
  auto cached = facts("1.26", "go1.99.1");
  cached.cached = true;
  EXPECT_EQ(check_toolchain(cached).status, CheckStatus::Ok);
  auto net = facts("1.26", "go1.99.1");
  net.network = true;
  EXPECT_EQ(check_toolchain(net).status, CheckStatus::Ok);
  ToolchainFacts none;
  EXPECT_EQ(check_toolchain(none).status, CheckStatus::Ok);
}

TEST(Toolchain, GotoolchainLocalForbidsSwitching) {
  auto f = facts("1.26", "go1.99.1");
  f.gotoolchain = "local";
  f.cached = true;
  Check c = check_toolchain(f);
  EXPECT_EQ(c.status, CheckStatus::Error);
  EXPECT_NE(c.detail.find("GOTOOLCHAIN=local forbids switching"), std::string::npos) << c.detail;
  f.gotoolchain = "go1.26.8+auto";
  f.cached = false;
  EXPECT_NE(check_toolchain(f).detail.find("no network"), std::string::npos);
}

}  // namespace
