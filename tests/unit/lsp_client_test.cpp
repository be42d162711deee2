// core::LspConversation: the pure half of the project's LSP client (sys/lsp_client.hpp drives it
// over a process' pipes for doctor and the integration tests).
#include "gopls_sandbox/core/lsp_client.hpp"

#include <gtest/gtest.h>

using namespace gsb::core;
namespace json = gsb::json;

namespace {

std::string frame(const std::string& body) { return lsp_frame(body); }

}  // namespace

TEST(LspConversation, RequestsAreFramedWithIncreasingIds) {
  LspConversation c;
  EXPECT_EQ(c.request("initialize", json::Object{}), 1);
  c.notify("initialized", json::Object{});
  EXPECT_EQ(c.request("shutdown", nullptr), 2);
  std::string out = c.take_outgoing();
  std::vector<std::string> bodies;
  LspFrameParser p;
  p.feed(out, bodies);
  ASSERT_EQ(bodies.size(), 3u);
  auto first = json::parse(bodies[0]);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["jsonrpc"].as_string(), "2.0");
  EXPECT_EQ((*first)["id"].as_int(), 1);
  EXPECT_EQ((*first)["method"].as_string(), "initialize");
  EXPECT_FALSE(json::parse(bodies[1])->find("id"));
  EXPECT_TRUE(c.take_outgoing().empty());  // handed over once
}

TEST(LspConversation, ResponsesArriveInPiecesAndServerRequestsAreAnswered) {
  LspConversation c;
  int id = c.request("initialize", json::Object{});
  c.take_outgoing();
  std::string bytes = frame(R"({"jsonrpc":"2.0","id":7,"method":"workspace/configuration","params":{"items":[{},{}]}})") +
                      frame(R"({"jsonrpc":"2.0","method":"window/logMessage","params":{"message":"hi"}})") +
                      frame(R"({"jsonrpc":"2.0","id":1,"result":{"capabilities":{}}})");
  for (size_t i = 0; i < bytes.size(); i += 5) {
    EXPECT_FALSE(c.take_response(id));
    c.feed(std::string_view(bytes).substr(i, 5));
  }
  auto r = c.take_response(id);
  ASSERT_TRUE(r);
  EXPECT_TRUE((*r)["result"]["capabilities"].is_object());
  EXPECT_FALSE(c.take_response(id));  // consumed
  EXPECT_EQ(c.requests_answered(), 1);
  std::vector<std::string> bodies;
  LspFrameParser p;
  p.feed(c.take_outgoing(), bodies);
  ASSERT_EQ(bodies.size(), 1u);
  auto reply = json::parse(bodies[0]);
  EXPECT_EQ((*reply)["id"].as_int(), 7);
  EXPECT_EQ((*reply)["result"].as_array().size(), 2u);  // one {} per configuration item
  EXPECT_EQ(c.kept(), 1u);                              // the log message
}

TEST(LspConversation, NotificationsBeforeTheWantedOneAreDropped) {
  LspConversation c;
  c.feed(frame(R"({"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"a"}})") +
         frame(R"({"jsonrpc":"2.0","id":3,"result":null})") +
         frame(R"({"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"b"}})") +
         frame(R"({"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"c"}})"));
  auto is_b = [](const json::Value& v) { return v["params"]["uri"].as_string() == "b"; };
  auto n = c.take_notification("textDocument/publishDiagnostics", is_b);
  ASSERT_TRUE(n);
  EXPECT_EQ((*n)["params"]["uri"].as_string(), "b");
  EXPECT_FALSE(c.take_notification("textDocument/publishDiagnostics", is_b));  // a dropped, c dropped too
  EXPECT_TRUE(c.take_response(3));  // responses are kept meanwhile
  EXPECT_EQ(c.kept(), 0u);
}

TEST(LspConversation, GarbageIsSkipped) {
  LspConversation c;
  c.feed("Content-Length: 5\r\n\r\nnope!" + frame(R"([1,2])") + frame(R"({"jsonrpc":"2.0","id":1,"result":1})"));
  EXPECT_TRUE(c.take_response(1));
  EXPECT_EQ(c.kept(), 0u);
}
