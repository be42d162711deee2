#include <gtest/gtest.h>

#include "gopls_sandbox/core/untrusted_settings.hpp"

using namespace gsb;
using namespace gsb::core;

TEST(UntrustedSettings, DefaultsAndNarrowingSettingsWeakenNothing) {
  Options o;
  EXPECT_TRUE(weakenings(o).empty());
  o.net = NetMode::None;
  o.cache_mode = CacheMode::Private;
  o.require = Require::Namespaces;
  o.inode_check = InodeCheck::Strict;
  o.profile = "gopls";
  o.writable_vcs = false;
  o.allow_hosts = {"example.com"};  // only meaningful in proxy mode
  EXPECT_TRUE(weakenings(o).empty());
  EXPECT_EQ(weakening_message({}), "");
}

TEST(UntrustedSettings, EveryWeakeningIsNamedAsTheOptionThatSetsIt) {
  Options o;
  o.share_net = true;
  o.cache_mode = CacheMode::Shared;
  o.writable_vcs = true;
  o.binds = {"/home/u/.ssh"};
  o.ro_binds = {"/etc/secret:/x"};
  o.env = {"AWS_SECRET_ACCESS_KEY=abc", "GITHUB_TOKEN"};
  o.profile = "/work/repo/allow-all.toml";
  o.inode_check = InodeCheck::Off;
  o.require = Require::None;
  EXPECT_EQ(weakenings(o), (std::vector<std::string>{"--net host", "--cache-mode shared", "--writable-vcs",
                                                      "--bind /home/u/.ssh", "--ro-bind /etc/secret:/x",
                                                      "--env AWS_SECRET_ACCESS_KEY", "--env GITHUB_TOKEN",
                                                      "--profile /work/repo/allow-all.toml", "--inode-check off",
                                                      "--require none"}));
  // Values of --env never reach the message (they may be secrets).
  std::string m = weakening_message(weakenings(o));
  EXPECT_EQ(m.find("abc"), std::string::npos) << m;
  EXPECT_NE(m.find("go.languageServerFlags"), std::string::npos) << m;
  Options ws;
  ws.workspaces = {"/home/u/.ssh"};
  EXPECT_EQ(weakenings(ws), (std::vector<std::string>{"--workspace /home/u/.ssh"}));
  Options p;
  p.net = NetMode::Proxy;
  p.allow_hosts = {"*.example.com"};
  p.profile = "none";
  EXPECT_EQ(weakenings(p), (std::vector<std::string>{"--allow-host *.example.com", "--profile none"}));
}

TEST(UntrustedSettings, OutputFilesOnlyNewOrTheLaunchersOwn) {
  EXPECT_TRUE(check_output_target(OutputKind::DenialLog, "/l.jsonl", std::nullopt).ok());
  EXPECT_TRUE(check_output_target(OutputKind::DenialLog, "/l.jsonl", std::string()).ok());
  EXPECT_TRUE(check_output_target(OutputKind::DenialLog, "/l.jsonl", std::string("{\"time\":\"2026-12-04T")).ok());
  auto bashrc = check_output_target(OutputKind::DenialLog, "/home/u/.bashrc", std::string("# ~/.bashrc: executed"));
  ASSERT_FALSE(bashrc.ok());
  EXPECT_EQ(bashrc.error().kind, ErrorKind::Usage);
  EXPECT_NE(bashrc.error().message.find("--log /home/u/.bashrc: refusing"), std::string::npos) << bashrc.error().message;
  // A JSON file of someone else's (VS Code's settings.json) is not a denial log either.
  EXPECT_FALSE(check_output_target(OutputKind::DenialLog, "/s.json", std::string("{\n  \"go.alternateTools\"")).ok());
  EXPECT_TRUE(check_output_target(OutputKind::Metrics, "/m.prom", std::string("# HELP gopls_sandbox_lsp_req")).ok());
  auto m = check_output_target(OutputKind::Metrics, "/home/u/.profile", std::string("# HELP other"));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("--metrics /home/u/.profile: refusing to replace"), std::string::npos);
}
