// The --metrics relay (MetricsProxy) with plain child processes: a real gopls session relayed
// byte for byte, and malformed framing passed through unchanged.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gopls_sandbox/app/metrics.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/core/lsp_client.hpp"
#include "harness.hpp"
#include "lsp_session.hpp"

namespace gsb::test {
namespace {

using namespace std::chrono_literals;

// A child whose stdin/stdout are the proxy's child ends; the test is the "editor" on two pipes.
struct Relayed {
  std::unique_ptr<app::MetricsProxy> proxy;
  pid_t pid = -1;
  int to_proxy = -1;    // the editor writes here (proxy's client_in)
  int from_proxy = -1;  // the editor reads here (proxy's client_out)
  int client_out_w = -1;
  int client_in_r = -1;  // the proxy's client_in (owned by the caller, like the launcher's fd 0)
  std::string sent, received;
  core::LspFrameParser parser;
  std::vector<std::string> bodies;

  ~Relayed() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      int st;
      ::waitpid(pid, &st, 0);
    }
    for (int fd : {to_proxy, from_proxy, client_out_w, client_in_r})
      if (fd >= 0) ::close(fd);
  }

  void start(const std::string& metrics, const std::vector<std::string>& argv, const std::string& cwd) {
    int cin[2], cout[2];
    ASSERT_EQ(::pipe2(cin, O_CLOEXEC), 0);
    ASSERT_EQ(::pipe2(cout, O_CLOEXEC), 0);
    auto p = app::MetricsProxy::create(metrics, cin[0], cout[1]);
    ASSERT_TRUE(p) << p.error().message;
    proxy = std::move(*p);
    to_proxy = cin[1];
    from_proxy = cout[0];
    client_out_w = cout[1];
    std::vector<char*> av;
    for (auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
    av.push_back(nullptr);
    int in_fd = proxy->child_stdin(), out_fd = proxy->child_stdout();
    pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::dup2(in_fd, 0);
      ::dup2(out_fd, 1);
      if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(121);
      ::execvp(av[0], av.data());
      ::_exit(127);
    }
    proxy->close_child_ends();
    client_in_r = cin[0];
    proxy->start();
  }

  void send_raw(const std::string& s) {
    sent += s;
    ASSERT_EQ(::write(to_proxy, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  void send(const json::Value& v) { send_raw(core::lsp_frame(v.dump())); }

  // Reads until pred holds for a received body (returned) or the deadline.
  std::optional<json::Value> until(const std::function<bool(const json::Value&)>& pred,
                                   std::chrono::milliseconds timeout = 90s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t next = 0;
    for (;;) {
      for (; next < bodies.size(); ++next) {
        auto v = json::parse(bodies[next]);
        if (!v) continue;
        // Answer server->client requests like an editor.
        if ((*v)["method"].is_string() && v->find("id")) {
          json::Value r;
          r.set("jsonrpc", "2.0");
          r.set("id", (*v)["id"]);
          if ((*v)["method"].as_string() == "workspace/configuration") {
            json::Value arr;
            arr.array();
            for (size_t i = 0; i < (*v)["params"]["items"].as_array().size(); ++i) arr.push(json::Object{});
            r.set("result", arr);
          } else {
            r.set("result", nullptr);
          }
          send(r);
          ++server_requests[(*v)["method"].as_string()];
          continue;
        }
        if (pred(*v)) {
          ++next;
          bodies.erase(bodies.begin(), bodies.begin() + static_cast<long>(next));
          return *v;
        }
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p = {from_proxy, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[65536];
      ssize_t n = ::read(from_proxy, buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      received.append(buf, static_cast<size_t>(n));
      parser.feed(std::string_view(buf, static_cast<size_t>(n)), bodies);
    }
  }
  std::optional<json::Value> response(int id) {
    return until([id](const json::Value& v) { return !v["method"].is_string() && v["id"].as_int(-1) == id; });
  }

  int wait_exit(std::chrono::milliseconds timeout) {
    auto r = run_wait(pid, timeout);
    if (r >= 0) pid = -1;
    return r;
  }
  static int run_wait(pid_t pid, std::chrono::milliseconds timeout) {
    auto alive = wait_gone({pid}, timeout);
    if (!alive.empty()) return -1;
    int st = 0;
    if (::waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }

  // After finish(): the rest of what the proxy wrote to the editor.
  void drain_received() {
    ::close(client_out_w);
    client_out_w = -1;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(from_proxy, buf, sizeof buf)) > 0) received.append(buf, static_cast<size_t>(n));
  }

  std::map<std::string, int> server_requests;
};

json::Value req(int id, const std::string& method, json::Value params) {
  return core::lsp_request(id, method, std::move(params));
}
json::Value note(const std::string& method, json::Value params) { return core::lsp_notification(method, std::move(params)); }

// name{labels} -> value
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

// Against each gopls generation (issue 15), with private caches (issue 17 §4).
class MetricsProxyGen : public ::testing::TestWithParam<Gen> {};
INSTANTIATE_TEST_SUITE_P(Gen, MetricsProxyGen, ::testing::Values(Gen::Debian, Gen::Current),
                         [](const auto& info) { return gen_name(info.param); });

TEST_P(MetricsProxyGen, RelaysARealGoplsSessionByteForByte) {
  const GoplsGen& gen = gopls_gen(GetParam());
  GSB_REQUIRE_GEN(GetParam());
  TempDir ws(As::Root, "metrics");
  write_go_module(ws.path, As::Root);
  const std::string in_log = ws.path + "/.in.log", out_log = ws.path + "/.out.log";
  const std::string metrics = ws.path + "/.metrics.prom";
  auto caches = fresh_go_caches(As::Root);
  std::map<std::string, std::string> env;
  caches->apply(env);
  gen.apply(env);
  std::string assigns;
  for (const auto& [k, v] : env) assigns += k + "=" + shell_quote(v) + " ";
  // tee on both sides records exactly what gopls received and sent.
  Relayed r;
  ASSERT_NO_FATAL_FAILURE(r.start(metrics,
                                  {"/bin/sh", "-c",
                                   "tee " + shell_quote(in_log) + " | GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local " +
                                       assigns + shell_quote(gen.gopls) + " | tee " + shell_quote(out_log)},
                                  ws.path));
  const std::string uri = "file://" + ws.path + "/main.go";
  json::Value init;
  init.set("processId", nullptr);
  init.set("rootUri", "file://" + ws.path);
  json::Value caps;
  json::Value wsc;
  wsc.set("configuration", true);
  wsc.set("workspaceFolders", true);
  caps.set("workspace", wsc);
  init.set("capabilities", caps);
  ASSERT_NO_FATAL_FAILURE(r.send(req(1, "initialize", init)));
  auto ir = r.response(1);
  ASSERT_TRUE(ir) << "no initialize response";
  ASSERT_TRUE((*ir)["result"]["capabilities"].is_object());
  ASSERT_NO_FATAL_FAILURE(r.send(note("initialized", json::Object{})));
  json::Value item;
  item.set("uri", uri);
  item.set("languageId", "go");
  item.set("version", 1);
  item.set("text", read_file(ws.path + "/main.go"));
  json::Value open;
  open.set("textDocument", item);
  ASSERT_NO_FATAL_FAILURE(r.send(note("textDocument/didOpen", open)));
  json::Value hp;
  json::Value td;
  td.set("uri", uri);
  hp.set("textDocument", td);
  json::Value pos;
  pos.set("line", 9);
  pos.set("character", 6);
  hp.set("position", pos);
  ASSERT_NO_FATAL_FAILURE(r.send(req(2, "textDocument/hover", hp)));
  auto hr = r.response(2);
  ASSERT_TRUE(hr);
  EXPECT_NE((*hr)["result"]["contents"]["value"].as_string().find("Greeter"), std::string::npos) << hr->dump();
  // An unknown method: a response with an error.
  ASSERT_NO_FATAL_FAILURE(r.send(req(3, "gsb/noSuchMethod", json::Object{})));
  auto er = r.response(3);
  ASSERT_TRUE(er);
  EXPECT_TRUE(er->find("error")) << er->dump();
  ASSERT_NO_FATAL_FAILURE(r.send(req(4, "shutdown", nullptr)));
  ASSERT_TRUE(r.response(4));
  ASSERT_NO_FATAL_FAILURE(r.send(note("exit", nullptr)));
  ::close(r.to_proxy);  // stdin EOF, like an editor
  r.to_proxy = -1;
  int st = r.wait_exit(30s);
  ASSERT_EQ(st, 0);
  r.proxy->finish(st);
  r.drain_received();

  EXPECT_EQ(read_file(in_log), r.sent) << "what gopls received differs from what the editor sent";
  EXPECT_EQ(read_file(out_log), r.received) << "what the editor received differs from what gopls sent";

  std::string text = read_file(metrics);
  auto s = samples(text);
  EXPECT_EQ(s["gopls_sandbox_lsp_requests_total{method=\"initialize\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_requests_total{method=\"textDocument/hover\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_requests_total{method=\"shutdown\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_requests_total{method=\"gsb/noSuchMethod\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_errors_total{method=\"gsb/noSuchMethod\"}"], 1) << text;
  EXPECT_EQ(s.count("gopls_sandbox_lsp_errors_total{method=\"initialize\"}"), 0u) << text;
  for (const auto& [m, n] : r.server_requests) {
    EXPECT_EQ(s["gopls_sandbox_lsp_requests_total{method=\"" + m + "\"}"], n) << m << "\n" << text;
    EXPECT_EQ(s["gopls_sandbox_lsp_request_duration_seconds_count{method=\"" + m + "\"}"], n) << m << "\n" << text;
  }
  EXPECT_EQ(s["gopls_sandbox_lsp_request_duration_seconds_count{method=\"initialize\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_request_duration_seconds_bucket{method=\"textDocument/hover\",le=\"+Inf\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_notifications_total{method=\"initialized\",direction=\"client_to_server\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_notifications_total{method=\"textDocument/didOpen\",direction=\"client_to_server\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_notifications_total{method=\"exit\",direction=\"client_to_server\"}"], 1) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_bytes_total{direction=\"client_to_server\"}"], static_cast<double>(r.sent.size())) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_bytes_total{direction=\"server_to_client\"}"], static_cast<double>(r.received.size())) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_framing_errors_total{direction=\"server_to_client\"}"], 0) << text;
  EXPECT_EQ(s["gopls_sandbox_lsp_pending_requests"], 0) << text;
  EXPECT_EQ(s["gopls_sandbox_server_exit_status"], 0) << text;
  EXPECT_GT(s["gopls_sandbox_server_start_time_seconds"], 1.7e9) << text;
  EXPECT_NE(access((metrics + ".tmp." + std::to_string(::getpid())).c_str(), F_OK), 0) << "temporary file left behind";
}

TEST(MetricsProxy, MalformedFramingPassesThroughUnchanged) {
  TempDir dir(As::Root, "metrics");
  const std::string metrics = dir.path + "/m.prom";
  Relayed r;
  ASSERT_NO_FATAL_FAILURE(r.start(metrics, {"/bin/cat"}, ""));
  std::string a = core::lsp_frame(R"({"jsonrpc":"2.0","id":1,"method":"a/b"})");
  std::string junk = "Content-Length: nope\r\n\r\nthis is not json\r\n\r\n";
  std::string body = "{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":\"\r\n\r\n\"}";  // raw CRLFs in the body
  std::string b = "Content-Type: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string all = a + junk + b;
  // in pieces, split inside headers and bodies
  ASSERT_NO_FATAL_FAILURE(r.send_raw(all.substr(0, 7)));
  ASSERT_NO_FATAL_FAILURE(r.send_raw(all.substr(7, 50)));
  ASSERT_NO_FATAL_FAILURE(r.send_raw(all.substr(57)));
  ::close(r.to_proxy);
  r.to_proxy = -1;
  int st = r.wait_exit(10s);
  ASSERT_EQ(st, 0);
  r.proxy->finish(st);
  r.drain_received();
  EXPECT_EQ(r.received, all);
  auto s = samples(read_file(metrics));
  EXPECT_EQ(s["gopls_sandbox_lsp_bytes_total{direction=\"client_to_server\"}"], all.size());
  EXPECT_EQ(s["gopls_sandbox_lsp_bytes_total{direction=\"server_to_client\"}"], all.size());
  EXPECT_GE(s["gopls_sandbox_lsp_framing_errors_total{direction=\"client_to_server\"}"], 1);
  // cat echoes the request: it is seen once in each direction.
  EXPECT_EQ(s["gopls_sandbox_lsp_requests_total{method=\"a/b\"}"], 2);
}

TEST(MetricsProxy, CreateFailsForAnUnwritableFile) {
  auto p = app::MetricsProxy::create("/nonexistent-dir/m.prom");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("/nonexistent-dir/m.prom"), std::string::npos);
}

}  // namespace
}  // namespace gsb::test

namespace gsb::test {
namespace {

// The launcher's --metrics wiring end to end: the full LSP session through `run --metrics`.
class LauncherMetrics : public ::testing::TestWithParam<Gen> {};
INSTANTIATE_TEST_SUITE_P(Gen, LauncherMetrics, ::testing::Values(Gen::Debian, Gen::Current),
                         [](const auto& info) { return gen_name(info.param); });

TEST_P(LauncherMetrics, LspSessionThroughTheRelayCountsEveryRequest) {
  const GoplsGen& gen = gopls_gen(GetParam());
  GSB_REQUIRE_GEN(GetParam());
  TempDir dir(As::Root, "metrics");
  std::string file = dir.path + "/gopls.prom";
  LspSessionOptions o;
  o.gen = &gen;
  o.launcher_args = {"run", "--metrics", file, "--"};
  LspSessionResult r;
  ASSERT_NO_FATAL_FAILURE(full_lsp_session(As::Root, o, &r));
  std::string text = read_file(file);
  for (const char* m : {"initialize", "textDocument/definition", "textDocument/hover", "textDocument/completion",
                        "shutdown"})
    EXPECT_NE(text.find(std::string("gopls_sandbox_lsp_requests_total{method=\"") + m + "\"} 1\n"), std::string::npos)
        << m << "\n" << text;
  EXPECT_NE(text.find("gopls_sandbox_server_exit_status 0"), std::string::npos) << text;
  // Every sample line is `name{labels} value` or `name value`.
  std::istringstream in(text);
  std::string line;
  size_t samples = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.rfind(' ');
    ASSERT_NE(sp, std::string::npos) << line;
    char* end = nullptr;
    std::strtod(line.c_str() + sp + 1, &end);
    EXPECT_EQ(*end, '\0') << line;
    ++samples;
  }
  EXPECT_GT(samples, 10u);
}

}  // namespace
}  // namespace gsb::test
