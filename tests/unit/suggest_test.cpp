#include <gtest/gtest.h>

#include "gopls_sandbox/core/suggest.hpp"

namespace gsb::core {
namespace {

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("doctor", "doctor"), 0u);
  EXPECT_EQ(edit_distance("docter", "doctor"), 1u);
  EXPECT_EQ(edit_distance("worksapce", "workspace"), 1u);  // a transposition counts once
  EXPECT_EQ(edit_distance("", "run"), 3u);
}

TEST(Suggest, ClosestWithinTheLimitOnly) {
  const std::vector<std::string> ours = {"run", "exec", "profile", "learn", "diagnose", "inspect", "doctor"};
  EXPECT_EQ(closest("docter", ours), "doctor");
  EXPECT_EQ(closest("exce", ours), "exec");
  EXPECT_EQ(closest("profiel", ours), "profile");
  EXPECT_EQ(closest("serve", ours), "");
  EXPECT_EQ(closest("definition", ours), "");
}

}  // namespace
}  // namespace gsb::core
