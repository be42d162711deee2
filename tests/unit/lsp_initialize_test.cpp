#include <gtest/gtest.h>

#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/core/lsp_initialize.hpp"

namespace gsb::core {
namespace {

TEST(LspInitialize, FirstFrameNeedsTheWholeBody) {
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})";
  std::string frame = lsp_frame(body) + "Content-Length: 2\r\n\r\n{}";
  for (size_t cut = 0; cut < lsp_frame(body).size(); ++cut)
    EXPECT_EQ(scan_first_frame(std::string_view(frame).substr(0, cut)).status, FirstFrame::NeedMore) << cut;
  auto f = scan_first_frame(frame);
  ASSERT_EQ(f.status, FirstFrame::Complete);
  EXPECT_EQ(f.body, body);
  EXPECT_EQ(f.end, lsp_frame(body).size());
  EXPECT_EQ(scan_first_frame("{\"jsonrpc\":").status, FirstFrame::NotLsp);
  EXPECT_EQ(scan_first_frame("Content-Length: x\r\n\r\n").status, FirstFrame::NotLsp);
  EXPECT_EQ(scan_first_frame("content-length: 2\r\n\r\n{}").status, FirstFrame::Complete);
}

TEST(LspInitialize, FileUris) {
  EXPECT_EQ(file_uri_to_path("file:///home/u/a%20b"), "/home/u/a b");
  EXPECT_EQ(file_uri_to_path("file://localhost/x/y/"), "/x/y");
  EXPECT_EQ(file_uri_to_path("file:///x/../y"), "/y");
  EXPECT_EQ(file_uri_to_path("FILE:///x"), "/x");
  EXPECT_EQ(file_uri_to_path("file:///%E2%82%AC"), "/\xE2\x82\xAC");
  EXPECT_FALSE(file_uri_to_path("file://host/x"));
  EXPECT_FALSE(file_uri_to_path("https:///x"));
  EXPECT_FALSE(file_uri_to_path("file:///x%00y"));
  EXPECT_FALSE(file_uri_to_path("file:///x%4"));
  EXPECT_FALSE(file_uri_to_path("file:///x%zz"));
  EXPECT_FALSE(file_uri_to_path("file:"));
}

TEST(LspInitialize, FoldersInOrderOfPreference) {
  auto a = folders_from_initialize(
      R"({"id":1,"method":"initialize","params":{"rootUri":"file:///r","workspaceFolders":[{"uri":"file:///a","name":"a"},{"uri":"file:///b"},{"uri":"file:///a"},{"uri":"vsls:/x"}]}})");
  EXPECT_TRUE(a.is_initialize);
  EXPECT_EQ(a.source, "workspaceFolders");
  EXPECT_EQ(a.folders, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(a.rejected, (std::vector<std::string>{"vsls:/x"}));
  auto b = folders_from_initialize(R"({"method":"initialize","params":{"rootUri":"file:///r","workspaceFolders":null}})");
  EXPECT_EQ(b.source, "rootUri");
  EXPECT_EQ(b.folders, (std::vector<std::string>{"/r"}));
  auto c = folders_from_initialize(R"({"method":"initialize","params":{"rootUri":null,"rootPath":"/p/q/"}})");
  EXPECT_EQ(c.source, "rootPath");
  EXPECT_EQ(c.folders, (std::vector<std::string>{"/p/q"}));
  auto d = folders_from_initialize(R"({"method":"initialize","params":{"rootUri":null}})");
  EXPECT_TRUE(d.is_initialize);
  EXPECT_TRUE(d.folders.empty());
  EXPECT_FALSE(folders_from_initialize(R"({"method":"shutdown"})").is_initialize);
  EXPECT_FALSE(folders_from_initialize("not json").is_initialize);
}

TEST(LspInitialize, AddedFolders) {
  EXPECT_EQ(added_workspace_folders(
                R"({"method":"workspace/didChangeWorkspaceFolders","params":{"event":{"added":[{"uri":"file:///c"}],"removed":[]}}})"),
            (std::vector<std::string>{"/c"}));
  EXPECT_TRUE(added_workspace_folders(R"({"method":"initialized"})").empty());
}

TEST(LspInitialize, ServerModeArguments) {
  EXPECT_TRUE(is_lsp_stdio_server({}));
  EXPECT_TRUE(is_lsp_stdio_server({"serve"}));
  EXPECT_TRUE(is_lsp_stdio_server({"-rpc.trace", "-logfile", "/tmp/x", "serve"}));
  EXPECT_TRUE(is_lsp_stdio_server({"-logfile=/tmp/x", "-v"}));
  EXPECT_FALSE(is_lsp_stdio_server({"version"}));
  EXPECT_FALSE(is_lsp_stdio_server({"check", "x.go"}));
  EXPECT_FALSE(is_lsp_stdio_server({"mcp"}));
  EXPECT_FALSE(is_lsp_stdio_server({"serve", "-listen=:1234"}));
  EXPECT_TRUE(is_lsp_stdio_server({"-remote=auto"}));  // a forwarder: LSP on stdio
  EXPECT_TRUE(is_lsp_stdio_server({"serve", "x"}));   // gopls refuses it and exits
  // Review: flags with a separate value this did not know (-otel, -listen.timeout, -mcp.listen,
  // -mode) turned the relay off; an unknown flag is taken to have a value.
  EXPECT_TRUE(is_lsp_stdio_server({"serve", "-listen.timeout", "1m"}));
  EXPECT_TRUE(is_lsp_stdio_server({"-otel", "x"}));
  EXPECT_TRUE(is_lsp_stdio_server({"-otel", "version"}));
  EXPECT_TRUE(is_lsp_stdio_server({"-mode", "stdio"}));
  EXPECT_TRUE(is_lsp_stdio_server({"-some.future.flag", "check"}));
  EXPECT_FALSE(is_lsp_stdio_server({"-v", "version"}));
  EXPECT_FALSE(is_lsp_stdio_server({"-logfile", "/tmp/x", "check", "x.go"}));
  EXPECT_FALSE(is_lsp_stdio_server({"-listen", "unix;/tmp/s"}));
  // Third review: an empty -listen address is no socket: gopls serves stdio.
  EXPECT_TRUE(is_lsp_stdio_server({"-listen="}));
  EXPECT_TRUE(is_lsp_stdio_server({"serve", "-listen", ""}));
  EXPECT_TRUE(is_lsp_stdio_server({"-listen=", "-remote=auto"}));
  EXPECT_FALSE(is_lsp_stdio_server({"--help"}));
  // "--" and "-" (the launcher aborted on both).
  EXPECT_FALSE(is_lsp_stdio_server({"--", "version"}));
  EXPECT_TRUE(is_lsp_stdio_server({"--", "serve"}));
  EXPECT_TRUE(is_lsp_stdio_server({"--"}));
  EXPECT_FALSE(is_lsp_stdio_server({"-"}));
}

TEST(LspInitialize, BoundariesInAnySplit) {
  std::string s = lsp_frame("{\"a\":1}") + lsp_frame("") + "Content-Type: x\r\nContent-Length: 3\r\n\r\n[1]";
  std::vector<size_t> want = {lsp_frame("{\"a\":1}").size(), lsp_frame("{\"a\":1}").size() + lsp_frame("").size(),
                              s.size()};
  for (size_t cut1 = 0; cut1 <= s.size(); ++cut1) {
    for (size_t cut2 = cut1; cut2 <= s.size(); cut2 += 7) {
      FrameBoundaryTracker t;
      std::vector<size_t> got, b;
      for (auto [from, to] : {std::pair{size_t{0}, cut1}, {cut1, cut2}, {cut2, s.size()}}) {
        b.clear();
        t.feed(std::string_view(s).substr(from, to - from), b);
        for (size_t x : b) got.push_back(from + x);
      }
      EXPECT_EQ(got, want) << cut1 << " " << cut2;
      EXPECT_TRUE(t.at_boundary());
    }
  }
  FrameBoundaryTracker bad;
  std::vector<size_t> b;
  bad.feed("garbage\r\n\r\n", b);
  EXPECT_TRUE(bad.lost());
  EXPECT_FALSE(bad.at_boundary());
}

TEST(LspInitialize, ShowMessageFrame) {
  std::string f = show_message_frame("a \"b\"");
  auto s = scan_first_frame(f);
  ASSERT_EQ(s.status, FirstFrame::Complete);
  auto v = json::parse(s.body);
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)["method"].as_string(), "window/showMessage");
  EXPECT_EQ((*v)["params"]["type"].as_int(), 2);
  EXPECT_EQ((*v)["params"]["message"].as_string(), "a \"b\"");
}

}  // namespace
}  // namespace gsb::core
