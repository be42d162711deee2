// Issue 13.2: the relay's client->server side when folders added later are attached
// (app/lsp_relay.cpp pump_in_framed): byte-exact and in order; a didChangeWorkspaceFolders that
// adds folders is held until the hook returns; large bodies and non-LSP input pass unexamined.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "gopls_sandbox/app/lsp_relay.hpp"

namespace gsb::app {
namespace {

std::string frame(const std::string& body, const std::string& extra_header = "") {
  return "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra_header + "\r\n" + body;
}
std::string did_change(const std::string& added, const std::string& removed) {
  return R"({"jsonrpc":"2.0","method":"workspace/didChangeWorkspaceFolders","params":{"event":{"added":[)" + added +
         R"(],"removed":[)" + removed + "]}}}";
}

// Feeds `input` to a relay with a folder hook, in pieces of `piece` bytes; returns what the
// program side received, the folders of each hook call and what had arrived at each call.
struct Relayed {
  std::string out;
  std::vector<std::vector<std::string>> calls;
  std::vector<std::string> at_call;
};
Relayed run(const std::string& input, size_t piece, const std::vector<size_t>& expect_at_call = {}) {
  Relayed res;
  int in[2];
  EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
  auto r = LspRelay::create("", false, in[0], 1);
  EXPECT_TRUE(r.ok());
  int child = (*r)->child_stdin();
  std::mutex mu;
  std::condition_variable cv;
  (*r)->set_folder_hook([&](const std::vector<std::string>& f) {
    std::unique_lock<std::mutex> lk(mu);
    size_t want = res.calls.size() < expect_at_call.size() ? expect_at_call[res.calls.size()] : 0;
    // Everything before the held message has been written: wait until the reader has it all.
    cv.wait_for(lk, std::chrono::seconds(10), [&] { return res.out.size() >= want; });
    res.calls.push_back(f);
    res.at_call.push_back(res.out);
  });
  (*r)->start();
  std::thread reader([&] {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(child, buf, sizeof buf);
      if (n <= 0) break;
      std::lock_guard<std::mutex> lk(mu);
      res.out.append(buf, static_cast<size_t>(n));
      cv.notify_all();
    }
  });
  for (size_t off = 0; off < input.size(); off += piece) {
    size_t n = std::min(piece, input.size() - off);
    EXPECT_EQ(::write(in[1], input.data() + off, n), static_cast<ssize_t>(n));
  }
  ::close(in[1]);
  reader.join();
  (*r)->finish();
  ::close(in[0]);
  return res;
}

TEST(LspRelayFramed, HoldsAnAddingMessageUntilTheHookReturnsAndStaysByteExact) {
  std::string a = frame(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})");
  std::string b = frame(did_change(R"({"uri":"file:///src/x","name":"x"})", ""), "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n");
  std::string big = std::string(R"({"jsonrpc":"2.0","method":"workspace/didChangeWorkspaceFolders","params":{"event":{"added":[{"uri":"file:///src/y","name":"y"}],"removed":[]},"pad":")") +
                    std::string(2u << 20, 'p') + "\"}}";
  std::string c = frame(big);  // 2 MiB: examined and held too (bodies up to 64 MiB are)
  std::string d = frame(did_change("", R"({"uri":"file:///src/x","name":"x"})"));  // removes only
  std::string e = frame(did_change(R"({"uri":"file:///src/z","name":"z"},{"uri":"file:///src/w","name":"w"})", ""));
  std::string f = frame(R"({"jsonrpc":"2.0","method":"exit"})");
  std::string input = a + b + c + d + e + f;
  for (size_t piece : {size_t(7), size_t(65536), input.size()}) {
    Relayed res = run(input, piece, {a.size(), (a + b).size(), (a + b + c + d).size()});
    EXPECT_EQ(res.out.size(), input.size()) << piece;
    EXPECT_TRUE(res.out == input) << piece;
    ASSERT_EQ(res.calls.size(), 3u) << piece;
    EXPECT_EQ(res.calls[0], std::vector<std::string>{"/src/x"});
    EXPECT_EQ(res.calls[1], std::vector<std::string>{"/src/y"});
    EXPECT_EQ(res.calls[2], (std::vector<std::string>{"/src/z", "/src/w"}));
    EXPECT_TRUE(res.at_call[0] == a) << piece;  // b itself only after the hook
    EXPECT_TRUE(res.at_call[1] == a + b) << piece;
    EXPECT_TRUE(res.at_call[2] == a + b + c + d) << piece;
  }
}

TEST(LspRelayFramed, InputThatIsNotLspPassesUnexamined) {
  std::string input = "hello, not LSP\r\n\r\n" + frame(did_change(R"({"uri":"file:///src/x","name":"x"})", ""));
  Relayed res = run(input, 5);
  EXPECT_TRUE(res.out == input);
  EXPECT_TRUE(res.calls.empty());
}

}  // namespace
}  // namespace gsb::app
