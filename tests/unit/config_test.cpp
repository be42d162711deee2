#include <gtest/gtest.h>

#include "gopls_sandbox/core/config.hpp"

using namespace gsb;
using namespace gsb::core;

TEST(Config, ParsesEveryKey) {
  auto o = parse_config(R"(
workspace = ["/a", "/b"]
bind = "/x:/y"
ro_bind = ["/r"]
share_net = true
gopls = "/opt/gopls"
profile = "gopls-strict"
log = "/tmp/d.jsonl"
verbose = true
inode_check = "strict"
)", "c.toml");
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->workspaces, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(o->binds, (std::vector<std::string>{"/x:/y"}));
  EXPECT_EQ(o->ro_binds, (std::vector<std::string>{"/r"}));
  EXPECT_EQ(o->share_net, true);
  EXPECT_EQ(o->gopls, "/opt/gopls");
  EXPECT_EQ(o->profile, "gopls-strict");
  EXPECT_EQ(o->inode_check, InodeCheck::Strict);
}

TEST(Config, ErrorsNameFileLineAndColumn) {
  auto bad_syntax = parse_config("share_net = true\nworkspace = [\n", "/cfg.toml");
  ASSERT_FALSE(bad_syntax.ok());
  EXPECT_EQ(bad_syntax.error().kind, ErrorKind::Usage);
  EXPECT_EQ(bad_syntax.error().message.rfind("/cfg.toml:", 0), 0u) << bad_syntax.error().message;

  auto unknown = parse_config("verbose = false\n  colour = 1\n", "/cfg.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("/cfg.toml:2:"), std::string::npos) << unknown.error().message;
  EXPECT_NE(unknown.error().message.find("colour"), std::string::npos);

  auto wrong_type = parse_config("share_net = \"yes\"\n", "f");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.error().message.find("f:1:"), std::string::npos) << wrong_type.error().message;

  auto bad_mode = parse_config("\ninode_check = \"loud\"\n", "f");
  ASSERT_FALSE(bad_mode.ok());
  EXPECT_NE(bad_mode.error().message.find("f:2:"), std::string::npos) << bad_mode.error().message;

  auto bad_list = parse_config("bind = [1, 2]\n", "f");
  ASSERT_FALSE(bad_list.ok());
}

TEST(Config, EnvironmentVariables) {
  auto o = parse_env({{"GOPLS_SANDBOX_WORKSPACE", "/a:/b"},
                      {"GOPLS_SANDBOX_BIND", "/x,/y:/z"},
                      {"GOPLS_SANDBOX_SHARE_NET", "1"},
                      {"GOPLS_SANDBOX_PROFILE", "gopls"},
                      {"GOPLS_SANDBOX_INODE_CHECK", "off"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->workspaces, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(o->binds, (std::vector<std::string>{"/x", "/y:/z"}));
  EXPECT_EQ(o->share_net, true);
  EXPECT_EQ(o->inode_check, InodeCheck::Off);
  EXPECT_FALSE(parse_env({{"GOPLS_SANDBOX_SHARE_NET", "maybe"}}).ok());
  EXPECT_FALSE(parse_env({{"GOPLS_SANDBOX_INODE_CHECK", "x"}}).ok());
}

TEST(Config, LaterSourcesWinAndBindsAccumulate) {
  Options cfg, env, cli;
  cfg.workspaces = {"/cfg"};
  cfg.binds = {"/c"};
  cfg.profile = "a";
  cfg.share_net = true;
  env.profile = "b";
  env.binds = {"/e"};
  cli.workspaces = {"/cli"};
  cli.binds = {"/l"};
  auto m = merge(merge(cfg, env), cli);
  EXPECT_EQ(m.workspaces, (std::vector<std::string>{"/cli"}));
  EXPECT_EQ(m.binds, (std::vector<std::string>{"/c", "/e", "/l"}));
  EXPECT_EQ(m.profile, "b");
  EXPECT_EQ(m.share_net, true);
}

TEST(Config, SplitBind) {
  EXPECT_EQ(split_bind("/a"), (std::pair<std::string, std::string>{"/a", ""}));
  EXPECT_EQ(split_bind("/a:/b"), (std::pair<std::string, std::string>{"/a", "/b"}));
}

// Issue 13 (7): paths in the config file and GOPLS_SANDBOX_* accept ~ and $HOME.
TEST(Config, HomeIsExpandedInPathValues) {
  EXPECT_EQ(expand_home("~", "/home/u"), "/home/u");
  EXPECT_EQ(expand_home("~/src/p", "/home/u"), "/home/u/src/p");
  EXPECT_EQ(expand_home("$HOME/src", "/home/u"), "/home/u/src");
  EXPECT_EQ(expand_home("${HOME}/src", "/home/u"), "/home/u/src");
  EXPECT_EQ(expand_home("~other/x", "/home/u"), "~other/x");
  EXPECT_EQ(expand_home("$HOMEX/x", "/home/u"), "$HOMEX/x");
  EXPECT_EQ(expand_home("/a/~/b", "/home/u"), "/a/~/b");
  EXPECT_EQ(expand_home("~/x", ""), "~/x");
  auto o = parse_config("workspace = [\"~/src/p\"]\nbind = [\"$HOME/a:${HOME}/b\"]\nlog = \"~/d.jsonl\"\n", "c.toml");
  ASSERT_TRUE(o.ok());
  expand_home(*o, "/home/u");
  EXPECT_EQ(o->workspaces, std::vector<std::string>{"/home/u/src/p"});
  EXPECT_EQ(o->binds, std::vector<std::string>{"/home/u/a:/home/u/b"});
  EXPECT_EQ(*o->log, "/home/u/d.jsonl");
}
