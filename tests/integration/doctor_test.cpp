// gopls-sandbox doctor against the real machine: a healthy setup, a broken VS Code setting and a
// server that exits at once.
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <optional>
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


// ---- issue 13 §5: doctor --workspace tells the truth about the workspace ----

void put(const std::string& path, const std::string& data) {
  std::string dir = path.substr(0, path.rfind('/'));
  for (size_t i = 1; i <= dir.size(); ++i)
    if (i == dir.size() || dir[i] == '/') ::mkdir(dir.substr(0, i).c_str(), 0755);
  write_file(path, data);
}

struct DoctorRun {
  int status = -1;
  std::optional<json::Value> report;
  std::string out, err;
};

DoctorRun doctor_json(As as, const std::string& ws, const std::map<std::string, std::string>& env = {},
                      std::shared_ptr<GoCaches> caches = nullptr) {
  SpawnOptions so;
  so.cwd = ws;
  so.caches = caches;
  gopls_gen(Gen::Current).apply(so.env);
  for (const auto& [k, v] : env) so.env[k] = v;
  auto r = run(as, {world().launcher, "doctor", "--workspace", ws, "--json", "--no-startup"}, so);
  DoctorRun d;
  d.status = r.status;
  d.out = r.out;
  d.err = r.err;
  if (auto j = json::parse(r.out)) d.report = *j;
  return d;
}

std::string status_detail(const DoctorRun& d, const std::string& name) {
  if (!d.report) return "no report: " + d.out + d.err;
  const json::Value* c = check(*d.report, name);
  if (!c) return "no check " + name + ": " + d.out;
  return (*c)["status"].as_string() + ": " + (*c)["detail"].as_string() + " | fix: " + (*c)["fix"].as_string();
}

class DoctorTruth : public ::testing::Test {
 protected:
  void SetUp() override { GSB_REQUIRE_GEN(Gen::Current); }
};

TEST_F(DoctorTruth, HealthyModuleLoadsInsideTheSandbox) {
  TempDir ws(As::Root, "doctor");
  write_go_module(ws.path, As::Root);
  auto d = doctor_json(As::Root, ws.path);
  EXPECT_EQ(d.status, 0) << d.out << d.err;
  EXPECT_EQ(status_detail(d, "package load").rfind("ok: ", 0), 0u) << status_detail(d, "package load");
  EXPECT_EQ(status_detail(d, "workspace layout").rfind("ok: ", 0), 0u) << status_detail(d, "workspace layout");
  EXPECT_EQ(status_detail(d, "gopls cache").rfind("ok: ", 0), 0u) << status_detail(d, "gopls cache");
}

TEST_F(DoctorTruth, ReadOnlyGoplsCacheIsAnError) {
  if (!world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);  // (root may write anywhere)
  TempDir ws(As::User, "doctor");
  write_go_module(ws.path, As::User);
  auto caches = fresh_go_caches(As::User);
  ASSERT_EQ(::system(("mkdir -p " + shell_quote(caches->gopls_cache) + " && chown " + kTestUser + " " +
                      shell_quote(caches->gopls_cache) + " && chmod 0555 " + shell_quote(caches->gopls_cache))
                         .c_str()),
            0);
  auto d = doctor_json(As::User, ws.path, {}, caches);
  EXPECT_EQ(d.status, 1) << d.out << d.err;
  std::string c = status_detail(d, "gopls cache");
  EXPECT_EQ(c.rfind("error: ", 0), 0u) << c;
  EXPECT_NE(c.find("not writable"), std::string::npos) << c;
}

TEST_F(DoctorTruth, MissingDependencyIsNamed) {
  TempDir ws(As::Root, "doctor");
  put(ws.path + "/go.mod", "module example.com/m\n\ngo 1.22\n\nrequire example.com/missing v1.2.3\n");
  put(ws.path + "/m.go", "package m\n\nimport _ \"example.com/missing\"\n");
  auto d = doctor_json(As::Root, ws.path);
  EXPECT_EQ(d.status, 1) << d.out << d.err;
  std::string c = status_detail(d, "dependencies");
  EXPECT_EQ(c.rfind("error: ", 0), 0u) << c;
  EXPECT_NE(c.find("example.com/missing@v1.2.3"), std::string::npos) << c;
  EXPECT_NE(c.find("go mod download"), std::string::npos) << c;
  std::string l = status_detail(d, "package load");
  EXPECT_EQ(l.rfind("error: ", 0), 0u) << l;
  EXPECT_NE(l.find("example.com/missing"), std::string::npos) << l;
}

TEST_F(DoctorTruth, GoWorkInTheParentIsNamedAndBound) {
  TempDir t(As::Root, "doctor");
  put(t.path + "/go.work", "go 1.22\n\nuse (\n\t./a\n\t./b\n)\n");
  put(t.path + "/a/go.mod", "module example.com/a\n\ngo 1.22\n");
  put(t.path + "/a/a.go", "package a\n\nimport \"example.com/b\"\n\nvar A = b.B\n");
  put(t.path + "/b/go.mod", "module example.com/b\n\ngo 1.22\n");
  put(t.path + "/b/b.go", "package b\n\nconst B = 1\n");
  // (the harness' GOFLAGS=-mod=mod is refused in workspace mode, by bare go as well)
  auto d = doctor_json(As::Root, t.path + "/a", {{"GOFLAGS", ""}});
  std::string c = status_detail(d, "workspace layout");
  EXPECT_NE(c.find("go.work " + t.path + "/go.work"), std::string::npos) << c;
  EXPECT_NE(c.find("go.work use " + t.path + "/b"), std::string::npos) << c;
  EXPECT_EQ(status_detail(d, "package load").rfind("ok: ", 0), 0u) << status_detail(d, "package load");
  EXPECT_EQ(d.status, 0) << d.out;
}

TEST_F(DoctorTruth, LocalReplaceIsNamedAndBound) {
  TempDir t(As::Root, "doctor");
  put(t.path + "/m/go.mod",
             "module example.com/m\n\ngo 1.22\n\nrequire example.com/x v0.0.0\n\nreplace example.com/x => ../x\n");
  put(t.path + "/m/m.go", "package m\n\nimport \"example.com/x\"\n\nvar M = x.X\n");
  put(t.path + "/x/go.mod", "module example.com/x\n\ngo 1.22\n");
  put(t.path + "/x/x.go", "package x\n\nconst X = 1\n");
  auto d = doctor_json(As::Root, t.path + "/m");
  std::string c = status_detail(d, "workspace layout");
  EXPECT_NE(c.find("replace " + t.path + "/x (read-only)"), std::string::npos) << c;
  EXPECT_EQ(status_detail(d, "dependencies").rfind("ok: ", 0), 0u) << status_detail(d, "dependencies");
  EXPECT_EQ(status_detail(d, "package load").rfind("ok: ", 0), 0u) << status_detail(d, "package load");
}

TEST_F(DoctorTruth, GopathProjectIsNamed) {
  TempDir t(As::Root, "doctor");
  std::string a = t.path + "/gopath/src/example.com/a";
  put(a + "/a.go", "package a\n\nimport \"example.com/b\"\n\nvar A = b.B\n");
  put(t.path + "/gopath/src/example.com/b/b.go", "package b\n\nconst B = 1\n");
  // Module mode (the default): nothing loads, and doctor says why.
  auto d = doctor_json(As::Root, a, {{"GOPATH", t.path + "/gopath"}});
  std::string c = status_detail(d, "workspace layout");
  EXPECT_EQ(c.rfind("warning: ", 0), 0u) << c;
  EXPECT_NE(c.find("no go.mod"), std::string::npos) << c;
  EXPECT_NE(c.find("GO111MODULE=off"), std::string::npos) << c;
  // GOPATH mode: GOPATH/src is bound read-only and the packages load.
  auto g = doctor_json(As::Root, a, {{"GOPATH", t.path + "/gopath"}, {"GO111MODULE", "off"}});
  c = status_detail(g, "workspace layout");
  EXPECT_NE(c.find("GOPATH mode"), std::string::npos) << c;
  EXPECT_NE(c.find("GOPATH " + t.path + "/gopath/src (read-only)"), std::string::npos) << c;
  EXPECT_EQ(status_detail(g, "package load").rfind("ok: ", 0), 0u) << status_detail(g, "package load");
}

}  // namespace
}  // namespace gsb::test
