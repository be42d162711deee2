// `inspect`'s model (core/inspect.hpp): computed from gathered facts alone; the text and --json
// renderings say the same things because they are printed from the same Report.
#include <gtest/gtest.h>

#include "gopls_sandbox/core/inspect.hpp"

using namespace gsb::core;

namespace {

inspect::Facts facts() {
  inspect::Facts f;
  f.pid = 4242;
  f.status_text =
      "Name:\tgopls\nState:\tS (sleeping)\nTgid:\t4242\nPid:\t4242\nPPid:\t4200\nUid:\t1000\t1000\t1000\t1000\n"
      "Threads:\t9\nVmRSS:\t20480 kB\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\n"
      "NSpid:\t4242\t3\n";
  static const char env[] = "GOPLS_SANDBOX=1\0GOFLAGS=-mod=mod\0HOME=/home/u\0";
  f.environ_text = std::string(env, sizeof env - 1);
  static const char cmd[] = "/usr/bin/gopls\0serve\0";
  f.cmdline_raw = std::string(cmd, sizeof cmd - 1);
  f.exe = "/usr/bin/gopls";
  f.fds = {{0, "pipe:[11]"}, {1, "socket:[12]"}, {2, "/dev/null"}, {5, "/home/u/p/go.mod"}};
  f.peers[0] = {{4100, "code", 33}};
  f.peer_socket[1] = "socket:[13]";
  f.ns = {{"mnt", "mnt:[4026532001]"}, {"net", "net:[4026531840]"}, {"pid_for_children", "pid:[4026532002]"}};
  f.self_ns = {{"mnt", "mnt:[4026531841]"}, {"net", "net:[4026531840]"}, {"pid_for_children", "pid:[4026531836]"}};
  f.parents = {{4200, "gopls-sandbox"}, {4100, "code"}, {1, "systemd"}};
  f.host_go_env = {{"GOFLAGS", ""}, {"GOROOT", "/usr/local/go"}};
  f.machine = {"  cpus: 2"};
  return f;
}

TEST(InspectModel, VerdictAndDetailsComeFromTheFacts) {
  auto r = inspect::inspect(facts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->sandboxed);
  EXPECT_EQ(r->launcher, "gopls-sandbox");
  EXPECT_EQ(r->namespaces_differ, std::vector<std::string>{"mnt"});
  EXPECT_EQ(r->cmdline, "/usr/bin/gopls serve");
  ASSERT_EQ(r->go_env_differs.size(), 1u);
  EXPECT_EQ(r->go_env_differs[0].name, "GOFLAGS");
  ASSERT_EQ(r->fds.size(), 4u);
  EXPECT_EQ(r->fds[1].peer_socket, "socket:[13]");
  EXPECT_EQ(r->fds[0].peers.size(), 1u);
}

TEST(InspectModel, TextAndJsonSayTheSame) {
  auto r = inspect::inspect(facts());
  ASSERT_TRUE(r.ok());
  std::string text = inspect::to_text(*r);
  gsb::json::Value j = inspect::to_json(*r);
  EXPECT_NE(text.find("sandbox: yes, by gopls-sandbox (namespaces differing from yours: mnt)"), std::string::npos) << text;
  EXPECT_TRUE(j["sandbox"]["sandboxed"].as_bool());
  EXPECT_EQ(j["sandbox"]["launcher"].as_string(), "gopls-sandbox");
  EXPECT_NE(text.find("0 -> pipe:[11]   pipe shared with: code[4100] fd 33   (LSP in)"), std::string::npos) << text;
  EXPECT_EQ(j["fds"][0]["peer"][0]["name"].as_string(), "code");
  EXPECT_NE(text.find("GOFLAGS=-mod=mod   (host go env: \"\")"), std::string::npos) << text;
  EXPECT_EQ(j["go_env_differs"][0]["process"].as_string(), "-mod=mod");
  EXPECT_NE(text.find(" gopls-sandbox[4200] code[4100] systemd[1]"), std::string::npos) << text;
  EXPECT_EQ(j["sandbox"]["parents"][2]["pid"].as_int(), 1);
}

TEST(InspectModel, NotAStatusFileIsAnError) {
  auto f = facts();
  f.status_text = "garbage";
  EXPECT_FALSE(inspect::inspect(f).ok());
}

}  // namespace
