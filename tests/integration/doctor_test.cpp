// gopls-sandbox doctor against the real machine: a healthy setup, a broken VS Code setting and a
// server that exits at once.
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"

namespace gsb::test {
namespace {

std::string checks_with(const json::Value& report, const std::string& status) {
  std::string s;
  for (const auto& c : report["checks"].as_array())
    if (c["status"].as_string() == status) s += c["check"].as_string() + ": " + c["detail"].as_string() + "\n";
  return s;
}

const json::Value* check(const json::Value& report, const std::string& name) {
  for (const auto& c : report["checks"].as_array())
    if (c["check"].as_string() == name) return &c;
  return nullptr;
}

// Against each gopls generation with its own go (issue 15).
class DoctorGen : public ::testing::TestWithParam<Gen> {
 protected:
  void SetUp() override {
    GSB_REQUIRE_GEN(GetParam());
  }
};
INSTANTIATE_TEST_SUITE_P(Gen, DoctorGen, ::testing::Values(Gen::Debian, Gen::Current),
                         [](const auto& info) { return gen_name(info.param); });

TEST_P(DoctorGen, HealthySetupHasNoErrors) {
  TempDir ws(As::Root, "doctor");
  write_go_module(ws.path, As::Root);
  SpawnOptions so;
  so.cwd = ws.path;
  gopls_gen(GetParam()).apply(so.env);
  auto r = run(As::Root, {world().launcher, "doctor", "--workspace", ws.path, "--json"}, so);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  auto j = json::parse(r.out);
  ASSERT_TRUE(j) << "stdout is not JSON: " << r.out;
  EXPECT_EQ(checks_with(*j, "error"), "") << r.out;
  EXPECT_EQ((*j)["summary"]["error"].as_int(-1), 0);
  for (const char* name : {"go", "GOROOT", "GOMODCACHE", "GOCACHE", "gopls", "gopls vs go", "user namespaces",
                           "seccomp", "sandbox plan", "toolchain", "startup reproduction"}) {
    const json::Value* c = check(*j, name);
    ASSERT_TRUE(c) << name << " missing:\n" << r.out;
    EXPECT_EQ((*c)["status"].as_string(), "ok") << name << ": " << (*c)["detail"].as_string();
  }
  const json::Value& st = (*j)["startup"];
  EXPECT_TRUE(st["ok"].as_bool()) << st.dump(2);
  ASSERT_EQ(st["steps"].as_array().size(), 4u) << st.dump(2);
  EXPECT_EQ(st["steps"][0]["step"].as_string(), "initialize");
  EXPECT_EQ(st["steps"][3]["step"].as_string(), "exit");
  EXPECT_EQ(st["exit_status"].as_int(-1), 0);
  EXPECT_TRUE(st["denials"].as_array().empty()) << st.dump(2);
}

// Debian's gopls (built with go1.19) with the current go first on PATH fails even bare: doctor
// says so and names both versions.
TEST(Doctor, GoplsOlderThanTheGoItRunsIsAnError) {
  const GoplsGen& old_gen = gopls_gen(Gen::Debian);
  const GoplsGen& new_gen = gopls_gen(Gen::Current);
  GSB_REQUIRE_GEN(Gen::Debian);
  GSB_REQUIRE_GEN(Gen::Current);
  TempDir ws(As::Root, "doctor");
  write_go_module(ws.path, As::Root);
  SpawnOptions so;
  so.cwd = ws.path;
  so.env["PATH"] = new_gen.path_env();
  so.env["GOPLS_SANDBOX_GOPLS"] = old_gen.gopls;
  auto r = run(As::Root, {world().launcher, "doctor", "--workspace", ws.path, "--json", "--no-startup"}, so);
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  auto j = json::parse(r.out);
  ASSERT_TRUE(j) << r.out;
  const json::Value* c = check(*j, "gopls vs go");
  ASSERT_TRUE(c) << r.out;
  EXPECT_EQ((*c)["status"].as_string(), "error") << r.out;
  EXPECT_NE((*c)["detail"].as_string().find("built with " + old_gen.built_with + ", older than " + new_gen.go + " (" +
                                            new_gen.go_version + ")"),
            std::string::npos)
      << (*c)["detail"].as_string();
}

// A toolchain line newer than the local go, GOTOOLCHAIN=auto, nothing cached, no network: a clear
// error naming the version and the way out; with GOTOOLCHAIN=local, that switching is forbidden.
TEST(Doctor, ToolchainNewerThanTheLocalGoWithoutNetwork) {
  const GoplsGen& gen = gopls_gen(Gen::Current);
  GSB_REQUIRE_GEN(Gen::Current);
  TempDir ws(As::Root, "doctor");
  write_go_module(ws.path, As::Root);
  write_file(ws.path + "/go.mod", "module example.com/hello\n\ngo 1.26\n\ntoolchain go1.99.1\n");
  SpawnOptions so;
  so.cwd = ws.path;
  gen.apply(so.env);
  so.env["GOTOOLCHAIN"] = "auto";
  auto r = run(As::Root, {world().launcher, "doctor", "--workspace", ws.path, "--json", "--no-startup"}, so);
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  auto j = json::parse(r.out);
  ASSERT_TRUE(j) << r.out;
  const json::Value* c = check(*j, "toolchain");
  ASSERT_TRUE(c) << r.out;
  EXPECT_EQ((*c)["status"].as_string(), "error") << r.out;
  EXPECT_NE((*c)["detail"].as_string().find("asks for go1.99.1"), std::string::npos) << r.out;
  EXPECT_NE((*c)["detail"].as_string().find("no network"), std::string::npos) << r.out;
  so.env["GOTOOLCHAIN"] = "local";
  auto l = run(As::Root, {world().launcher, "doctor", "--workspace", ws.path, "--json", "--no-startup"}, so);
  auto lj = json::parse(l.out);
  ASSERT_TRUE(lj) << l.out;
  c = check(*lj, "toolchain");
  ASSERT_TRUE(c) << l.out;
  EXPECT_NE((*c)["detail"].as_string().find("GOTOOLCHAIN=local forbids switching"), std::string::npos) << l.out;
}

TEST(Doctor, HealthySetupAsUnprivilegedUser) {
  if (!world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  TempDir ws(As::User, "doctor");
  write_go_module(ws.path, As::User);
  SpawnOptions so;
  so.cwd = ws.path;
  auto r = run(As::User, {world().launcher, "doctor", "--workspace", ws.path, "--json"}, so);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  auto j = json::parse(r.out);
  ASSERT_TRUE(j) << r.out;
  EXPECT_EQ(checks_with(*j, "error"), "") << r.out;
  EXPECT_TRUE((*j)["startup"]["ok"].as_bool()) << (*j)["startup"].dump(2);
}

TEST(Doctor, RefusedSyscallsAreNamed) {
  TempDir ws(As::Root, "doctor");
  write_go_module(ws.path, As::Root);
  // A "server" that makes three syscalls the gopls profile refuses, then exits without LSP.
  auto r = run(As::Root, {world().launcher, "doctor", "--json", "--workspace", ws.path, "--gopls",
                          world().helper("refuse_three")});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  auto j = json::parse(r.out);
  ASSERT_TRUE(j) << r.out;
  const json::Value& st = (*j)["startup"];
  EXPECT_EQ(st["failed_step"].as_string(), "initialize") << st.dump(2);
  std::string names;
  for (const auto& d : st["denials"].as_array()) names += d["syscall"].as_string() + " ";
  for (const char* s : {"ptrace", "mount", "keyctl"}) EXPECT_NE(names.find(s), std::string::npos) << st.dump(2);
  const json::Value* c = check(*j, "startup reproduction");
  ASSERT_TRUE(c);
  const std::string detail = (*c)["detail"].as_string();
  EXPECT_NE(detail.find("refused syscalls: ptrace"), std::string::npos) << detail;
  EXPECT_NE(detail.find("mount (comm refuse_three, EPERM, rule "), std::string::npos) << detail;
  std::string log = st["denial_log"].as_string();
  EXPECT_NE((*c)["fix"].as_string().find(log), std::string::npos);
  if (!log.empty()) ::unlink(log.c_str());
}

TEST(Doctor, HumanTableOnStdout) {
  TempDir ws(As::Root, "doctor");
  write_go_module(ws.path, As::Root);
  SpawnOptions so;
  so.cwd = ws.path;
  auto r = run(As::Root, {world().launcher, "doctor"}, so);  // workspace = cwd
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("STATUS", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nok       startup reproduction"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" 0 errors\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\nerror "), std::string::npos) << r.out;
}

TEST(Doctor, MissingAlternateToolIsAnError) {
  TempDir ws(As::Root, "doctor");
  write_go_module(ws.path, As::Root);
  auto r = run(As::Root, {world().launcher, "doctor", "--no-startup", "--workspace", ws.path, "--vscode-settings",
                          std::string(GSB_TEST_FIXTURES) + "/doctor/settings_missing_tool.json"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("error    vscode go.alternateTools.gopls"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/nonexistent/gopls-sandbox/gopls does not exist"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fix: "), std::string::npos) << r.out;
}

TEST(Doctor, WorkspaceSettingsAreFoundByDefault) {
  TempDir ws(As::Root, "doctor");
  write_go_module(ws.path, As::Root);
  ASSERT_EQ(::system(("mkdir -p " + shell_quote(ws.path + "/.vscode")).c_str()), 0);
  write_file(ws.path + "/.vscode/settings.json",
             "{\n  // launcher\n  \"go.alternateTools\": {\"gopls\": \"" + world().launcher + "\",},\n}\n");
  auto r = run(As::Root, {world().launcher, "doctor", "--no-startup", "--json", "--workspace", ws.path});
  auto j = json::parse(r.out);
  ASSERT_TRUE(j) << r.out << r.err;
  const json::Value* c = check(*j, "vscode go.alternateTools.gopls");
  ASSERT_TRUE(c) << r.out;
  EXPECT_EQ((*c)["status"].as_string(), "ok") << (*c)["detail"].as_string();
}

TEST(Doctor, ServerThatExitsFailsWithANamedCause) {
  TempDir ws(As::Root, "doctor");
  write_go_module(ws.path, As::Root);
  auto r = run(As::Root, {world().launcher, "doctor", "--json", "--workspace", ws.path, "--gopls", "/bin/false"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  auto j = json::parse(r.out);
  ASSERT_TRUE(j) << r.out;
  const json::Value& st = (*j)["startup"];
  EXPECT_FALSE(st["ok"].as_bool());
  EXPECT_EQ(st["failed_step"].as_string(), "initialize") << st.dump(2);
  EXPECT_EQ(st["exit_status"].as_int(-1), 1) << st.dump(2);
  const json::Value* c = check(*j, "startup reproduction");
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)["status"].as_string(), "error");
  EXPECT_NE((*c)["detail"].as_string().find("exited with status 1 before answering `initialize`"), std::string::npos)
      << (*c)["detail"].as_string();
  EXPECT_FALSE((*c)["fix"].as_string().empty());
}

TEST(Doctor, TimeoutIsReported) {
  TempDir ws(As::Root, "doctor");
  write_go_module(ws.path, As::Root);
  // `sleep` never answers: the reproduction gives up after --timeout.
  write_file(ws.path + "/silent", "#!/bin/sh\nexec sleep 600\n", As::Root, 0755);
  auto r = run(As::Root, {world().launcher, "doctor", "--json", "--timeout", "2", "--workspace", ws.path, "--gopls",
                          ws.path + "/silent"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  auto j = json::parse(r.out);
  ASSERT_TRUE(j) << r.out;
  EXPECT_TRUE((*j)["startup"]["timed_out"].as_bool()) << r.out;
  const json::Value* c = check(*j, "startup reproduction");
  ASSERT_TRUE(c);
  EXPECT_NE((*c)["detail"].as_string().find("no answer to `initialize` within 2000 ms"), std::string::npos)
      << (*c)["detail"].as_string();
}

TEST(Doctor, UsageErrors) {
  EXPECT_EQ(run(As::Root, {world().launcher, "doctor", "--bogus"}).status, 2);
  EXPECT_EQ(run(As::Root, {world().launcher, "doctor", "--workspace", "/nonexistent-gsb"}).status, 2);
  EXPECT_EQ(run(As::Root, {world().launcher, "doctor", "--vscode-settings", "/nonexistent-gsb.json"}).status, 2);
  auto h = run(As::Root, {world().launcher, "doctor", "--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("gopls-sandbox doctor --workspace"), std::string::npos) << h.out;
}

}  // namespace
}  // namespace gsb::test
