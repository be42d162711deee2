// The one settings model (core/config.hpp): the codec round-trips every field, refuses what it
// does not know, and the precedence rule puts a profile's [sandbox] table under every other
// source (lists accumulate profile first; a scalar the options set wins).
#include <gtest/gtest.h>

#include "gopls_sandbox/core/config.hpp"

using namespace gsb;

namespace {

core::Options everything() {
  core::Options o;
  o.workspaces = {"/w"};
  o.binds = {"/a:/b"};
  o.ro_binds = {"/c"};
  o.share_net = false;
  o.gopls = "/usr/bin/gopls";
  o.profile = "strict";
  o.log = "off";
  o.metrics = "/tmp/m.prom";
  o.verbose = true;
  o.inode_check = core::InodeCheck::Strict;
  o.env = {"FOO", "BAR=1"};
  o.writable_vcs = true;
  o.cache_mode = core::CacheMode::Private;
  o.cache_domain = "team";
  o.unset_env = {"SECRET"};
  o.set_env = {"CGO_ENABLED=0"};
  o.share_tty = true;
  o.dry_run = true;
  return o;
}

TEST(SettingsModel, CodecRoundTripsEveryField) {
  core::Options o = everything();
  auto back = core::settings_from_json(core::settings_to_json(o));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(core::settings_to_json(*back).dump(), core::settings_to_json(o).dump());
  EXPECT_EQ(back->binds, o.binds);
  EXPECT_EQ(back->inode_check, o.inode_check);
  EXPECT_EQ(back->cache_mode, o.cache_mode);
  EXPECT_EQ(back->share_net, std::optional<bool>(false));  // set to false is not unset
  EXPECT_TRUE(back->share_tty && back->dry_run);
  auto empty = core::settings_from_json(core::settings_to_json(core::Options{}));
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->share_net.has_value());
  EXPECT_FALSE(empty->profile.has_value());
}

TEST(SettingsModel, CodecRefusesUnknownKeysAndWrongTypes) {
  for (const char* bad : {R"({"bindz":[]})", R"({"binds":"/a"})", R"({"binds":[1]})", R"({"share_net":"yes"})",
                          R"({"inode_check":"sometimes"})", R"({"cache_mode":"cow2"})", R"([])"}) {
    auto v = json::parse(bad);
    ASSERT_TRUE(v.ok()) << bad;
    EXPECT_FALSE(core::settings_from_json(*v).ok()) << bad;
  }
}

TEST(SettingsModel, ProfileSettingsAreTheLowestSource) {
  core::Options profile;
  profile.binds = {"/from-profile"};
  profile.ro_binds = {"/ro-profile"};
  profile.share_net = true;
  profile.unset_env = {"X"};
  profile.set_env = {"A=1"};
  core::Options resolved;
  resolved.binds = {"/from-cli"};
  auto m = core::merge(profile, resolved);
  EXPECT_EQ(m.binds, (std::vector<std::string>{"/from-profile", "/from-cli"}));
  EXPECT_EQ(m.ro_binds, (std::vector<std::string>{"/ro-profile"}));
  EXPECT_EQ(m.share_net, std::optional<bool>(true));  // the options leave it unset: the profile's
  EXPECT_EQ(m.unset_env, (std::vector<std::string>{"X"}));
  EXPECT_EQ(m.set_env, (std::vector<std::string>{"A=1"}));
  resolved.share_net = false;  // an explicit setting wins over the profile's
  EXPECT_EQ(core::merge(profile, resolved).share_net, std::optional<bool>(false));
}

}  // namespace
