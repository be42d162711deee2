// `gopls-sandbox inspect PID`: a sandboxed gopls (started by the launcher) against a plain child.
#include <signal.h>
#include <unistd.h>

#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"

namespace gsb::test {
namespace {

std::string comm_of(pid_t pid) {
  std::string c = read_file("/proc/" + std::to_string(pid) + "/comm");
  while (!c.empty() && c.back() == '\n') c.pop_back();
  return c;
}

json::Value inspect_json(As as, pid_t pid, int* status, std::string* err = nullptr) {
  auto r = run(as, {world().launcher, "inspect", std::to_string(pid), "--json"}, {"/", {}, false},
               std::chrono::seconds(60));
  *status = r.status;
  if (err) *err = r.err;
  auto v = json::parse(r.out);
  EXPECT_TRUE(v.ok()) << r.out << r.err;
  return v.ok() ? *v : json::Value();
}

TEST(Inspect, SandboxedGoplsHasSeccompNoNewPrivsNoCapsAndOtherNamespaces) {
  TempDir ws(As::Root);
  write_go_module(ws.path, As::Root);
  SpawnOptions so;
  so.cwd = ws.path;
  Proc p = spawn(As::Root, {world().launcher}, so);
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}})";
  p.write_all("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(p.read_until([](const std::string& s) { return s.find("\"id\":1") != std::string::npos; },
                           std::chrono::seconds(60)))
      << p.err_buf;
  pid_t gopls = -1;
  for (pid_t t : process_tree(p.pid))
    if (comm_of(t) == "gopls") gopls = t;
  ASSERT_GT(gopls, 0) << "no gopls in the launcher's process tree";

  int st = -1;
  json::Value v = inspect_json(As::Root, gopls, &st);
  EXPECT_EQ(st, 0);
  EXPECT_EQ(v["pid"].as_int(), gopls);
  EXPECT_EQ(v["name"].as_string(), "gopls");
  EXPECT_EQ(v["status"]["seccomp"].as_int(-1), 2);
  EXPECT_EQ(v["status"]["no_new_privs"].as_int(-1), 1);
  EXPECT_EQ(v["status"]["cap_eff"].as_int(-1), 0);
  EXPECT_GE(v["status"]["threads"].as_int(), 1);
  EXPECT_GT(v["status"]["vm_rss_kb"].as_int(), 0);
  EXPECT_TRUE(v["sandbox"]["sandboxed"].as_bool(false)) << v.dump(2);
  EXPECT_EQ(v["sandbox"]["launcher"].as_string(), "gopls-sandbox");
  EXPECT_TRUE(v["sandbox"]["env_marker"].as_bool(false));
  for (const char* ns : {"user", "pid", "mnt", "net", "uts", "ipc"})
    EXPECT_FALSE(v["namespaces"][ns]["same"].as_bool(true)) << ns;
  // Parent chain on the host: gopls-sandbox (pid 1 inside) → gopls-sandbox → ...
  const auto& parents = v["sandbox"]["parents"].as_array();
  ASSERT_GE(parents.size(), 2u);
  EXPECT_EQ(parents[0]["name"].as_string(), "gopls-sandbox");
  EXPECT_EQ(parents[1]["name"].as_string(), "gopls-sandbox");
  EXPECT_EQ(parents[1]["pid"].as_int(), p.pid);
  // fd 0 is the LSP connection: the pipe this test writes to or, since the launcher reads the
  // initialize request itself (issue 13), the pipe the launcher splices the test's stream into.
  const auto& fds = v["fds"].as_array();
  ASSERT_FALSE(fds.empty());
  EXPECT_EQ(fds[0]["fd"].as_int(), 0);
  EXPECT_EQ(fds[0]["kind"].as_string(), "pipe");
  bool test_holds_it = false;
  for (const auto& peer : fds[0]["peer"].as_array())
    if (peer["pid"].as_int() == ::getpid() || peer["pid"].as_int() == p.pid) test_holds_it = true;
  EXPECT_TRUE(test_holds_it) << fds[0].dump();
  EXPECT_GT(v["maps"]["total_bytes"].as_int(), 0);
  EXPECT_FALSE(v["maps"]["groups"].as_array().empty());

  // The human-readable form says the same.
  auto txt = run(As::Root, {world().launcher, "inspect", std::to_string(gopls)}, {"/", {}, false});
  EXPECT_EQ(txt.status, 0) << txt.err;
  EXPECT_NE(txt.out.find("sandbox: yes, by gopls-sandbox"), std::string::npos) << txt.out;
  EXPECT_NE(txt.out.find("Seccomp 2"), std::string::npos) << txt.out;

  p.close_stdin();
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), 0) << p.err_buf;
}

TEST(Inspect, PlainChildIsNotSandboxed) {
  SpawnOptions so;
  so.cwd = "/";
  so.pipe_stdin = true;
  Proc child = spawn(As::Root, {"/bin/sleep", "1000"}, so);
  ASSERT_GT(child.pid, 0);
  int st = -1;
  json::Value v = inspect_json(As::Root, child.pid, &st);
  EXPECT_EQ(st, 0);
  EXPECT_FALSE(v["sandbox"]["sandboxed"].as_bool(true)) << v.dump(2);
  EXPECT_TRUE(v["sandbox"]["launcher"].is_null());
  EXPECT_EQ(v["status"]["seccomp"].as_int(-1), 0);
  EXPECT_TRUE(v["namespaces"]["mnt"]["same"].as_bool(false));

  // Another user may read its status but not its environment or descriptors: shown as such.
  if (world().why_unavailable.empty()) {
    std::string err;
    json::Value u = inspect_json(As::User, child.pid, &st, &err);
    EXPECT_EQ(st, 0) << err;
    EXPECT_FALSE(u["environ_error"].as_string().empty()) << u.dump(2);
  }
  ::kill(child.pid, SIGKILL);
  child.wait(std::chrono::seconds(10));
}

TEST(Inspect, BadAndVanishedPids) {
  auto bad = run(As::Root, {world().launcher, "inspect", "12abc"}, {"/", {}, false});
  EXPECT_EQ(bad.status, 2);
  EXPECT_TRUE(bad.out.empty());
  EXPECT_NE(bad.err.find("12abc"), std::string::npos) << bad.err;
  // A pid that cannot exist (above the kernel's pid_max limit is rejected too; use one just exited).
  Proc gone = spawn(As::Root, {"/bin/true"}, {"/", {}, false});
  pid_t pid = gone.pid;
  ASSERT_EQ(gone.wait(std::chrono::seconds(10)), 0);
  auto r = run(As::Root, {world().launcher, "inspect", std::to_string(pid)}, {"/", {}, false});
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.err.find("pid " + std::to_string(pid) + ": no such process"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace gsb::test
