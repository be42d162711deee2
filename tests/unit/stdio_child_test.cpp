// sys::StdioChild + sys::LspClient: the project's LSP client over real pipes (doctor's transport).
#include "gopls_sandbox/sys/stdio_child.hpp"

#include <gtest/gtest.h>

#include "gopls_sandbox/sys/lsp_client.hpp"
#include "gopls_sandbox/sys/self.hpp"

using namespace gsb;
using Clock = std::chrono::steady_clock;

namespace {

std::unique_ptr<sys::StdioChild> start(std::vector<std::string> argv) {
  sys::ignore_sigpipe();
  sys::StdioChildSpec spec;
  spec.exe = argv[0];
  spec.argv = std::move(argv);
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.cwd = "/";
  auto c = sys::StdioChild::start(spec);
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? std::move(*c) : nullptr;
}

}  // namespace

// cat echoes our request: the client sees a server->client request, answers it, and that
// answer comes back as the response to its own id.
TEST(StdioChild, LspRoundTripThroughCat) {
  auto c = start({"/bin/cat"});
  ASSERT_TRUE(c);
  sys::LspClient lsp(*c);
  json::Value params;
  json::Value items;
  items.push(json::Object{});
  params.set("items", items);
  int id = lsp.request("workspace/configuration", params);
  auto r = lsp.response(id, std::chrono::seconds(30));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["result"].as_array().size(), 1u) << r->dump();
  EXPECT_EQ(lsp.requests_answered(), 1);
  c->close_stdin();
  ASSERT_TRUE(c->wait_exit(Clock::now() + std::chrono::seconds(30)));
  EXPECT_EQ(c->exit_status(), 0);
}

TEST(StdioChild, ServerThatExitsIsClosedWithItsStatusAndStderr) {
  auto c = start({"/bin/sh", "-c", "echo oops >&2; exit 3"});
  ASSERT_TRUE(c);
  sys::LspClient lsp(*c);
  int id = lsp.request("initialize", json::Object{});
  EXPECT_FALSE(lsp.response(id, std::chrono::seconds(30)));
  EXPECT_EQ(lsp.last_wait(), sys::LspTransport::Read::Closed);
  EXPECT_TRUE(c->exited());
  EXPECT_EQ(c->exit_status(), 3);
  c->drain_stderr(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(c->stderr_text(), "oops\n");
}

TEST(StdioChild, SilentServerTimesOutAndIsKilled) {
  auto c = start({"/bin/cat"});  // reads forever, answers nothing that is LSP
  ASSERT_TRUE(c);
  sys::LspClient lsp(*c);
  EXPECT_FALSE(lsp.response(99, std::chrono::milliseconds(100)));
  EXPECT_EQ(lsp.last_wait(), sys::LspTransport::Read::Timeout);
  EXPECT_FALSE(c->exited());
  c->kill_and_reap();
  EXPECT_EQ(c->exit_status(), 128 + 9);
}

TEST(StdioChild, MissingWorkingDirectoryExits121) {
  sys::StdioChildSpec spec;
  spec.exe = "/bin/true";
  spec.argv = {"true"};
  spec.cwd = "/nonexistent/gsb-stdio-child";
  auto c = sys::StdioChild::start(spec);
  ASSERT_TRUE(c);
  ASSERT_TRUE((*c)->wait_exit(Clock::now() + std::chrono::seconds(30)));
  EXPECT_EQ((*c)->exit_status(), 121);
}
