#include "gopls_sandbox/core/doctor.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>

using namespace gsb::core;
namespace json = gsb::json;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream i(std::string(GSB_TEST_FIXTURES) + "/doctor/" + name, std::ios::binary);
  std::stringstream s;
  s << i.rdbuf();
  return s.str();
}

// A copy: callers pass temporaries.
std::optional<Check> find(const std::vector<Check>& v, const std::string& name) {
  for (const auto& c : v)
    if (c.name == name) return c;
  return std::nullopt;
}

SettingsContext ctx_with(std::map<std::string, ExecFacts> files) {
  SettingsContext c;
  c.file = "settings.json";
  c.home = "/home/u";
  c.workspace = "/home/u/proj";
  c.go = GoEnv{"/usr/lib/go", "/home/u/go", "/home/u/go/pkg/mod", "/home/u/.cache/go-build", "", "go1.19"};
  c.probe_exec = [files](const std::string& p) {
    auto it = files.find(p);
    return it == files.end() ? ExecFacts{} : it->second;
  };
  c.dir_exists = [](const std::string& p) { return p == "/usr/lib/go" || p == "/opt/go"; };
  c.real_path = [](const std::string& p) { return p; };
  return c;
}

ExecFacts launcher(const std::string& p) { return {true, false, true, true, p}; }

}  // namespace

TEST(Jsonc, StripsCommentsAndTrailingCommas) {
  auto v = parse_jsonc(fixture("settings_jsonc.json"));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ((*v)["go.alternateTools"]["gopls"].as_string(), "/opt/x // not a comment");
  EXPECT_EQ((*v)["url"].as_string(), "http://example.com/*x*/");
  EXPECT_EQ((*v)["list"].as_array().size(), 2u);
  EXPECT_EQ((*v)["esc"].as_string(), "quote \" // still string");
}

TEST(Jsonc, KeepsLineNumbersForErrors) {
  auto v = parse_jsonc("{\n// c\n/* a\nb */\n\"a\": tru\n}");
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("5:"), std::string::npos) << v.error().message;
}

TEST(Jsonc, EmptyFileIsAnEmptyObject) {
  auto v = parse_jsonc("  // nothing\n");
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->is_object());
}

TEST(Jsonc, CommaBeforeCommentThenBrace) {
  auto v = parse_jsonc("{\"a\": [1, 2, /* x */ ], // y\n}");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ((*v)["a"].as_array().size(), 2u);
}

TEST(DoctorSettings, MissingAlternateToolIsAnError) {
  auto s = parse_jsonc(fixture("settings_missing_tool.json"));
  ASSERT_TRUE(s);
  auto checks = check_vscode_settings(*s, ctx_with({}));
  auto c = find(checks, "vscode go.alternateTools.gopls");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, CheckStatus::Error);
  EXPECT_NE(c->detail.find("does not exist"), std::string::npos) << c->detail;
  EXPECT_NE(c->detail.find("unsandboxed"), std::string::npos) << c->detail;
  EXPECT_FALSE(c->fix.empty());
  EXPECT_EQ(doctor_exit_code(checks), 1);
}

TEST(DoctorSettings, LauncherPathIsOk) {
  json::Value s = *parse_jsonc(R"({"go.alternateTools": {"gopls": "${userHome}/bin/gs"}})");
  auto checks = check_vscode_settings(s, ctx_with({{"/home/u/bin/gs", launcher("/home/u/bin/gs")}}));
  auto c = find(checks, "vscode go.alternateTools.gopls");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, CheckStatus::Ok) << c->detail;
  EXPECT_EQ(doctor_exit_code(checks), 0);
}

TEST(DoctorSettings, InsideGopathBinIsAWarning) {
  json::Value s = *parse_jsonc(R"({"go.alternateTools": {"gopls": "~/go/bin/gopls"}})");
  auto checks = check_vscode_settings(s, ctx_with({{"/home/u/go/bin/gopls", launcher("/home/u/go/bin/gopls")}}));
  auto c = find(checks, "vscode go.alternateTools.gopls");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, CheckStatus::Warning);
  EXPECT_NE(c->detail.find("overwrites"), std::string::npos) << c->detail;
}

TEST(DoctorSettings, InsideGobinIsAWarning) {
  json::Value s = *parse_jsonc(R"({"go.alternateTools": {"gopls": "/opt/bin/gopls"}})");
  auto ctx = ctx_with({{"/opt/bin/gopls", launcher("/opt/bin/gopls")}});
  ctx.gobin = "/opt/bin";
  auto c = find(check_vscode_settings(s, ctx), "vscode go.alternateTools.gopls");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, CheckStatus::Warning);
}

TEST(DoctorSettings, NotExecutableAndNotLauncher) {
  json::Value s = *parse_jsonc(R"({"go.alternateTools": {"gopls": "/x/gopls"}})");
  ExecFacts ne{true, false, false, false, "/x/gopls"};
  auto c = find(check_vscode_settings(s, ctx_with({{"/x/gopls", ne}})), "vscode go.alternateTools.gopls");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, CheckStatus::Error);
  ExecFacts plain{true, false, true, false, "/usr/bin/gopls"};
  c = find(check_vscode_settings(s, ctx_with({{"/x/gopls", plain}})), "vscode go.alternateTools.gopls");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, CheckStatus::Warning);
  EXPECT_NE(c->detail.find("not gopls-sandbox"), std::string::npos);
}

TEST(DoctorSettings, UnsetOrRelative) {
  auto c = find(check_vscode_settings(json::Value(json::Object{}), ctx_with({})), "vscode go.alternateTools.gopls");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, CheckStatus::Warning);
  json::Value s = *parse_jsonc(R"({"go.alternateTools": {"gopls": "gopls-sandbox"}})");
  c = find(check_vscode_settings(s, ctx_with({})), "vscode go.alternateTools.gopls");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, CheckStatus::Warning);
}

TEST(DoctorSettings, GorootGopathAndToolsEnvVars) {
  json::Value s = *parse_jsonc(R"({
    "go.goroot": "/usr/lib/go",
    "go.gopath": "/elsewhere",
    "go.toolsEnvVars": {"GOMODCACHE": "/home/u/go/pkg/mod", "GOCACHE": "/tmp/c",
                        "GOPLS_SANDBOX_PROFILE": "gopls", "GOPLS_SANDBOX_INODE_CHECK": "sometimes"}
  })");
  auto checks = check_vscode_settings(s, ctx_with({}));
  EXPECT_EQ(find(checks, "vscode go.goroot")->status, CheckStatus::Ok);
  EXPECT_EQ(find(checks, "vscode go.gopath")->status, CheckStatus::Warning);
  EXPECT_EQ(find(checks, "vscode go.toolsEnvVars.GOMODCACHE")->status, CheckStatus::Ok);
  EXPECT_EQ(find(checks, "vscode go.toolsEnvVars.GOCACHE")->status, CheckStatus::Warning);
  auto t = find(checks, "vscode go.toolsEnvVars");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, CheckStatus::Error) << t->detail;  // bad GOPLS_SANDBOX_INODE_CHECK
}

TEST(DoctorSettings, MissingGorootIsAnError) {
  json::Value s = *parse_jsonc(R"({"go.goroot": "/nope/go"})");
  auto c = find(check_vscode_settings(s, ctx_with({})), "vscode go.goroot");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, CheckStatus::Error);
}

TEST(DoctorSettings, ExpandsVariables) {
  auto ctx = ctx_with({});
  ctx.env = {{"TOOLS", "/t"}};
  EXPECT_EQ(expand_vscode_path("~/a", ctx), "/home/u/a");
  EXPECT_EQ(expand_vscode_path("${workspaceFolder}/b", ctx), "/home/u/proj/b");
  EXPECT_EQ(expand_vscode_path("${env:TOOLS}/gopls", ctx), "/t/gopls");
  EXPECT_EQ(expand_vscode_path("${env:NOPE}x", ctx), "x");
}

TEST(DoctorDirs, Verdicts) {
  EXPECT_EQ(check_go_dir("GOROOT", "/g", {true, true, true, false, false}, false, false).status, CheckStatus::Ok);
  EXPECT_EQ(check_go_dir("GOROOT", "/g", {}, false, false).status, CheckStatus::Error);
  EXPECT_EQ(check_go_dir("GOCACHE", "/c", {true, true, true, false, false}, true, true).status, CheckStatus::Error);
  EXPECT_EQ(check_go_dir("GOCACHE", "/c", {false, false, false, false, true}, true, true).status, CheckStatus::Ok);
  EXPECT_EQ(check_go_dir("GOCACHE", "/c", {false, false, false, false, false}, true, true).status, CheckStatus::Error);
  EXPECT_EQ(check_go_dir("GOCACHE", "/c", {true, false, true, true, false}, true, true).status, CheckStatus::Error);
  EXPECT_EQ(check_go_dir("GOPATH", "/p", {false, false, false, false, false}, false, true).status, CheckStatus::Ok);
}

TEST(DoctorKernel, Userns) {
  UsernsFacts f;
  f.max_user_namespaces = 1000;
  f.unshare_errno = 0;
  EXPECT_EQ(check_userns(f)[0].status, CheckStatus::Ok);
  f.max_user_namespaces = 0;
  f.unshare_errno = ENOSPC;
  auto c = check_userns(f)[0];
  EXPECT_EQ(c.status, CheckStatus::Error);
  EXPECT_NE(c.fix.find("user.max_user_namespaces"), std::string::npos);
  f = {};
  f.apparmor_restrict = 1;
  f.unshare_errno = EACCES;
  c = check_userns(f)[0];
  EXPECT_EQ(c.status, CheckStatus::Error);
  EXPECT_NE(c.fix.find("kernel.apparmor_restrict_unprivileged_userns=0"), std::string::npos);
  f = {};
  f.root = true;
  f.unprivileged_userns_clone = 0;
  f.unshare_errno = 0;
  f.unprivileged_errno = 0;  // a sysctl says no, but the probe as nobody worked: still a warning
  c = check_userns(f)[0];
  EXPECT_EQ(c.status, CheckStatus::Warning);  // works for root, not for users
  EXPECT_NE(c.fix.find("kernel.unprivileged_userns_clone=1"), std::string::npos);
}

TEST(DoctorKernel, RootButNotUsers) {
  UsernsFacts f;
  f.root = true;
  f.unshare_errno = 0;
  f.unprivileged_errno = EPERM;
  auto c = check_userns(f)[0];
  EXPECT_EQ(c.status, CheckStatus::Warning);
  EXPECT_NE(c.detail.find("as an unprivileged user: Operation not permitted (EPERM)"), std::string::npos) << c.detail;
  f.unprivileged_errno = 0;
  c = check_userns(f)[0];
  EXPECT_EQ(c.status, CheckStatus::Ok);
  EXPECT_NE(c.detail.find("also for unprivileged users"), std::string::npos) << c.detail;
}

TEST(DoctorKernel, Seccomp) {
  SeccompFacts s{true, "kill_process errno user_notif allow", true};
  auto v = check_seccomp(s);
  EXPECT_EQ(v[0].status, CheckStatus::Ok);
  EXPECT_EQ(v[1].status, CheckStatus::Ok);
  s.user_notif = false;
  EXPECT_EQ(check_seccomp(s)[1].status, CheckStatus::Warning);
  s.filter_mode = false;
  EXPECT_EQ(check_seccomp(s)[0].status, CheckStatus::Error);
}

TEST(DoctorStartup, NamedCauseWhenTheServerExits) {
  StartupResult r;
  r.ran = true;
  r.failed_step = "initialize";
  r.exit_status = 1;
  r.stderr_tail = "something\nfatal: cannot start\n";
  r.denials = parse_denial_log(
      "{\"syscall\":\"ptrace\",\"errno_name\":\"EPERM\",\"comm\":\"gopls\",\"count\":2,\"rule\":\"default\",\"action\":\"errno\"}\n"
      "not json\n"
      "{\"syscall\":\"ptrace\",\"errno_name\":\"EPERM\",\"comm\":\"gopls\",\"count\":1,\"rule\":\"default\",\"action\":\"errno\"}\n");
  ASSERT_EQ(r.denials.size(), 2u);
  Check c = startup_check(r);
  EXPECT_EQ(c.status, CheckStatus::Error);
  EXPECT_NE(c.detail.find("exited with status 1 before answering `initialize`"), std::string::npos) << c.detail;
  EXPECT_NE(c.detail.find("ptrace \xC3\x97" "3 (comm gopls, EPERM, rule default)"), std::string::npos) << c.detail;
  EXPECT_NE(c.detail.find("fatal: cannot start"), std::string::npos) << c.detail;
  r.denials.clear();
  r.exit_status = -1;
  r.timed_out = true;
  c = startup_check(r);
  EXPECT_NE(c.detail.find("no answer to `initialize` within"), std::string::npos) << c.detail;
}

TEST(DoctorStartup, SuccessListsSteps) {
  StartupResult r;
  r.ran = true;
  r.exit_status = 0;
  r.steps = {{"initialize", 120}, {"initialized", 121}, {"shutdown", 130}, {"exit", 140}};
  Check c = startup_check(r);
  EXPECT_EQ(c.status, CheckStatus::Ok);
  EXPECT_NE(c.detail.find("initialize 120 ms"), std::string::npos) << c.detail;
  json::Value j = startup_to_json(r);
  EXPECT_TRUE(j["ok"].as_bool());
  EXPECT_EQ(j["steps"].as_array().size(), 4u);
}

TEST(DoctorReport, TableAndJson) {
  std::vector<Check> v = {{"go", CheckStatus::Ok, "/usr/bin/go", ""},
                          {"GOCACHE", CheckStatus::Error, "/c not writable", "chown it"},
                          {"seccomp user notification", CheckStatus::Warning, "missing", "upgrade"}};
  DoctorReport rep = make_doctor_report({}, v, std::nullopt);
  std::string t = to_text(rep);
  EXPECT_EQ(t.rfind("STATUS", 0), 0u);
  EXPECT_NE(t.find("fix: chown it"), std::string::npos) << t;
  EXPECT_NE(t.find("1 ok, 1 warning, 1 error"), std::string::npos) << t;
  json::Value j = to_json(rep);
  EXPECT_EQ(j["summary"]["error"].as_int(), 1);
  EXPECT_EQ(j["checks"][1]["status"].as_string(), "error");
  EXPECT_EQ(j["exit_status"].as_int(), 1);
  EXPECT_TRUE(json::parse(j.dump(2)).ok());
  EXPECT_EQ(tail_lines("a\nb\n\nc\n", 2), "b\nc\n");
}

TEST(DoctorReport, OneValueForTextAndJson) {
  StartupResult s;
  s.ran = true;
  s.failed_step = "initialize";
  s.exit_status = 1;
  s.stderr_tail = "first\nfatal: no gopls\n";
  DoctorReport r = make_doctor_report({"MODE: landlock-only"}, {{"go", CheckStatus::Ok, "/usr/bin/go", ""}}, s);
  ASSERT_EQ(r.checks.size(), 2u);  // the startup verdict appended
  EXPECT_EQ(r.checks[1].name, "startup reproduction");
  EXPECT_EQ(r.errors, 1);
  EXPECT_EQ(r.exit_status, 1);
  EXPECT_EQ(r.startup_failure, "startup reproduction failed at `initialize`; exit status 1");
  ASSERT_EQ(r.startup_stderr.size(), 2u);
  std::string t = to_text(r);
  EXPECT_EQ(t.rfind("MODE: landlock-only\nSTATUS", 0), 0u) << t;
  EXPECT_NE(t.find("\nstartup reproduction failed at `initialize`; exit status 1\nstderr (last lines):\n  first\n  fatal: no gopls\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("1 ok, 0 warnings, 1 error\n"), std::string::npos) << t;
  json::Value j = to_json(r);
  EXPECT_EQ(j["notes"][0].as_string(), "MODE: landlock-only");
  EXPECT_EQ(j["checks"][1]["check"].as_string(), "startup reproduction");
  EXPECT_EQ(j["startup"]["failed_step"].as_string(), "initialize");
  EXPECT_EQ(j["summary"]["error"].as_int(), 1);
  EXPECT_EQ(j["exit_status"].as_int(), 1);
}

TEST(DoctorStartup, HandshakePieces) {
  json::Value init = startup_initialize_params("/w", 42);
  EXPECT_EQ(init["processId"].as_int(), 42);
  EXPECT_EQ(init["rootUri"].as_string(), "file:///w");
  EXPECT_EQ(init["workspaceFolders"][0]["uri"].as_string(), "file:///w");
  EXPECT_TRUE(init["capabilities"]["workspace"]["configuration"].as_bool());
  auto resp = json::parse(R"({"id":1,"result":{"serverInfo":{"name":"gopls","version":"{\"GoVersion\":\"go1.26.8\",\"Main\":{\"Version\":\"v0.23.0\"}}"}}})");
  ASSERT_TRUE(resp);
  EXPECT_EQ(startup_server_name(*resp), "gopls v0.23.0, built with go1.26.8");
  EXPECT_EQ(startup_server_name(*json::parse(R"({"id":1,"result":{}})")), "");
  EXPECT_EQ(startup_step_error("initialize", *resp), "");
  EXPECT_EQ(startup_step_error("shutdown", *json::parse(R"({"id":2,"error":{"code":-1,"message":"no"}})")),
            "shutdown returned an error: no");
  EXPECT_EQ(startup_exit_error(0), "");
  EXPECT_EQ(startup_exit_error(3), "exit status 3 after `exit` (expected 0)");
}
