// `gopls-sandbox profile ...`: exit codes, stdout/stderr separation, JSON shapes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <cstring>
#include <sstream>

#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/policy.hpp"

using namespace gsb;
namespace fs = std::filesystem;

namespace {

struct Out {
  int rc;
  std::string out, err;
};

Out run(const app::Args& args) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  int rc = app::cmd_profile(args);
  std::fflush(stdout);
  std::fflush(stderr);
  Out o{rc, testing::internal::GetCapturedStdout(), testing::internal::GetCapturedStderr()};
  return o;
}

const std::string kGood = std::string(GSB_TEST_SOURCE_DIR) + "/profiles/gopls.toml";
const std::string kBad = std::string(GSB_TEST_FIXTURES) + "/profiles/bad/unknown_syscall.toml";

}  // namespace

TEST(ProfileCli, CheckExitCodesAndErrorFormat) {
  Out ok = run({"check", kGood});
  EXPECT_EQ(ok.rc, 0) << ok.err;
  EXPECT_NE(ok.out.find("ok"), std::string::npos);
  // Only warnings (never-learned calls the profile allows: gopls.toml lets personality set
  // personas other than the query), never an error, and one line each.
  std::istringstream warn(ok.err);
  for (std::string l; std::getline(warn, l);) EXPECT_EQ(l.rfind(kGood + ": warning: allows ", 0), 0u) << l;

  Out bad = run({"check", kGood, kBad});
  EXPECT_EQ(bad.rc, 2);
  EXPECT_NE(bad.err.find(kBad + ":5:13: unknown syscall \"ptarce\"; did you mean \"ptrace\"?"),
            std::string::npos)
      << bad.err;

  Out js = run({"check", "--json", kBad});
  EXPECT_EQ(js.rc, 2);
  auto v = json::parse(js.out);
  ASSERT_TRUE(v.ok()) << js.out;
  EXPECT_FALSE((*v)[0]["ok"].as_bool(true));
}

TEST(ProfileCli, ShowJsonHasEverySyscallWithOrigin) {
  Out o = run({"show", "--json", "gopls"});
  ASSERT_EQ(o.rc, 0) << o.err;
  auto v = json::parse(o.out);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)["name"].as_string(), "gopls");
  bool ptrace = false, clone = false;
  for (const auto& s : (*v)["syscalls"].as_array()) {
    EXPECT_TRUE(s.find("origin")) << s.dump();
    if (s["name"].as_string() == "ptrace")
      ptrace = s["action"].as_string() == "errno" && s["errno"].as_string() == "EPERM" &&
               s["origin"].as_string().find("via @debug") != std::string::npos;
    if (s["name"].as_string() == "clone") clone = s.find("rules") != nullptr;
  }
  EXPECT_TRUE(ptrace);
  EXPECT_TRUE(clone);
  Out g = run({"show", "--groups", "--json"});
  ASSERT_EQ(g.rc, 0);
  EXPECT_TRUE(json::parse(g.out).ok());
}

TEST(ProfileCli, ExportBpfMatchesTheCompilerAndOciParses) {
  fs::path f = fs::path(testing::TempDir()) / ("gsb-export-" + std::to_string(::getpid()) + ".bpf");
  Out o = run({"export", "gopls", "--format", "bpf", "-o", f.string()});
  ASSERT_EQ(o.rc, 0) << o.err;
  EXPECT_TRUE(o.out.empty());
  std::ifstream in(f, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  fs::remove(f);
  auto p = core::load_profile(kGood, {});
  ASSERT_TRUE(p.ok());
  auto c = core::compile_policy(*p, core::Delivery::Errno);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(bytes.size(), c->program.size() * sizeof(sock_filter));
  EXPECT_EQ(std::memcmp(bytes.data(), c->program.data(), bytes.size()), 0);

  Out j = run({"export", kGood, "--format", "oci-json"});
  ASSERT_EQ(j.rc, 0) << j.err;
  auto v = json::parse(j.out);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)["defaultAction"].as_string(), "SCMP_ACT_ERRNO");
}

TEST(ProfileCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}).rc, 2);
  EXPECT_EQ(run({"frobnicate"}).rc, 2);
  EXPECT_EQ(run({"show"}).rc, 2);
  EXPECT_EQ(run({"export", "gopls", "--format", "elf"}).rc, 2);
  EXPECT_EQ(run({"show", "no-such-profile-anywhere"}).rc, 2);
  Out h = run({"check", "--help"});
  EXPECT_EQ(h.rc, 0);
  EXPECT_NE(h.out.find("FILE:LINE:COL"), std::string::npos);
}

TEST(ProfileCli, ListFindsTheShippedProfiles) {
  Out o = run({"list", "--json"});
  ASSERT_EQ(o.rc, 0) << o.err;
  auto v = json::parse(o.out);
  ASSERT_TRUE(v.ok()) << o.out;
  bool gopls = false;
  for (const auto& p : v->as_array())
    if (p["name"].as_string() == "gopls" && p["valid"].as_bool()) gopls = true;
  EXPECT_TRUE(gopls);
}
