#include "gopls_sandbox/core/lsp_framing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using gsb::core::classify_message;
using gsb::core::LspFrameParser;
using gsb::core::LspMessageInfo;
using gsb::core::lsp_frame;
using gsb::core::parse_content_length;

namespace {

std::vector<std::string> feed_all(LspFrameParser& p, const std::vector<std::string>& pieces) {
  std::vector<std::string> out;
  for (const auto& s : pieces) p.feed(s, out);
  return out;
}

}  // namespace

TEST(LspFraming, OneFrame) {
  LspFrameParser p;
  auto b = feed_all(p, {lsp_frame(R"({"jsonrpc":"2.0","id":1,"method":"initialize"})")});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], R"({"jsonrpc":"2.0","id":1,"method":"initialize"})");
  EXPECT_EQ(p.buffered(), 0u);
  EXPECT_EQ(p.bad_headers(), 0u);
}

TEST(LspFraming, SplitAtEveryByte) {
  std::string body = R"({"jsonrpc":"2.0","method":"initialized","params":{}})";
  std::string all = lsp_frame(body) + lsp_frame("{}");
  LspFrameParser p;
  std::vector<std::string> out;
  for (char c : all) p.feed(std::string_view(&c, 1), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], body);
  EXPECT_EQ(out[1], "{}");
  EXPECT_EQ(p.frames(), 2u);
}

TEST(LspFraming, SplitInsideHeaderTerminator) {
  std::string f = lsp_frame("[1]");
  size_t cut = f.find("\r\n\r\n") + 2;  // between the two CRLFs
  LspFrameParser p;
  auto b = feed_all(p, {f.substr(0, cut), f.substr(cut)});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], "[1]");
}

TEST(LspFraming, SeveralFramesInOneRead) {
  std::string all;
  for (int i = 0; i < 5; ++i) all += lsp_frame("{\"id\":" + std::to_string(i) + "}");
  all += lsp_frame("{\"id\":5}").substr(0, 10);  // and the start of a sixth
  LspFrameParser p;
  auto b = feed_all(p, {all});
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(b[4], "{\"id\":4}");
  EXPECT_EQ(p.buffered(), 10u);
  b = feed_all(p, {lsp_frame("{\"id\":5}").substr(10)});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], "{\"id\":5}");
}

TEST(LspFraming, OtherHeaders) {
  std::string body = R"({"id":7,"result":null})";
  std::string f = "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length:  " +
                  std::to_string(body.size()) + " \r\nX-Extra: a:b\r\n\r\n" + body;
  LspFrameParser p;
  auto b = feed_all(p, {f});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], body);
  EXPECT_EQ(p.bad_headers(), 0u);
}

TEST(LspFraming, BodyContainingHeaderTerminator) {
  std::string body = "{\"text\":\"a\r\n\r\nContent-Length: 3\r\n\r\nxyz\"}";
  LspFrameParser p;
  auto b = feed_all(p, {lsp_frame(body) + lsp_frame("{}")});
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0], body);
  EXPECT_EQ(b[1], "{}");
}

TEST(LspFraming, BadHeaderIsSkippedAndParsingResumes) {
  LspFrameParser p;
  auto b = feed_all(p, {"Content-Length: abc\r\n\r\n", "garbage without colon\r\n\r\n", lsp_frame("{\"ok\":1}")});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], "{\"ok\":1}");
  EXPECT_EQ(p.bad_headers(), 2u);
}

TEST(LspFraming, MissingContentLengthIsBad) {
  LspFrameParser p;
  auto b = feed_all(p, {"Content-Type: x\r\n\r\n" + lsp_frame("{}")});
  EXPECT_EQ(p.bad_headers(), 1u);
  ASSERT_EQ(b.size(), 1u);
}

TEST(LspFraming, OversizedHeaderIsDropped) {
  LspFrameParser p;
  std::string junk(LspFrameParser::kMaxHeader + 100, 'x');
  auto b = feed_all(p, {junk});
  EXPECT_EQ(p.bad_headers(), 1u);
  EXPECT_LE(p.buffered(), 3u);
  b = feed_all(p, {"\r\n\r\n" + lsp_frame("{}")});
  ASSERT_EQ(b.size(), 1u);  // the first blank line ends the junk block (bad), then the frame
  EXPECT_EQ(b[0], "{}");
}

TEST(LspFraming, ZeroLengthBody) {
  LspFrameParser p;
  auto b = feed_all(p, {"Content-Length: 0\r\n\r\n"});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], "");
}

TEST(LspFraming, ContentLengthParsing) {
  EXPECT_EQ(parse_content_length("Content-Length: 12"), 12);
  EXPECT_EQ(parse_content_length("CONTENT-LENGTH:12\r\nContent-Type: x"), 12);
  EXPECT_EQ(parse_content_length("Content-Length: 12\r\nContent-Length: 12"), 12);
  EXPECT_EQ(parse_content_length("Content-Length: 12\r\nContent-Length: 13"), -1);
  EXPECT_EQ(parse_content_length("Content-Length: -1"), -1);
  EXPECT_EQ(parse_content_length("Content-Length: 1e3"), -1);
  EXPECT_EQ(parse_content_length("Content-Length:"), -1);
  EXPECT_EQ(parse_content_length("Content-Type: a"), -1);
  EXPECT_EQ(parse_content_length("no colon here"), -1);
}

TEST(LspClassify, Kinds) {
  auto r = classify_message(R"({"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{}})");
  EXPECT_EQ(r.kind, LspMessageInfo::Request);
  EXPECT_EQ(r.method, "textDocument/hover");
  EXPECT_EQ(r.id, "3");
  r = classify_message(R"({"jsonrpc":"2.0","id":"abc","method":"workspace/configuration"})");
  EXPECT_EQ(r.kind, LspMessageInfo::Request);
  EXPECT_EQ(r.id, "\"abc\"");
  r = classify_message(R"({"jsonrpc":"2.0","method":"initialized","params":{}})");
  EXPECT_EQ(r.kind, LspMessageInfo::Notification);
  r = classify_message(R"({"jsonrpc":"2.0","id":3,"result":null})");
  EXPECT_EQ(r.kind, LspMessageInfo::Response);
  EXPECT_FALSE(r.has_error);
  r = classify_message(R"({"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"no"}})");
  EXPECT_EQ(r.kind, LspMessageInfo::Response);
  EXPECT_TRUE(r.has_error);
  EXPECT_EQ(classify_message("not json").kind, LspMessageInfo::Invalid);
  EXPECT_EQ(classify_message("[1,2]").kind, LspMessageInfo::Invalid);
}
