// sys/http_proxy: the address check after resolution, the refusal's status line, and the
// splice relay's integrity (8 MiB each way through a CONNECT tunnel on loopback). No sandbox.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>

#include "gopls_sandbox/sys/http_proxy.hpp"

using namespace gsb::sys;

namespace {

std::pair<sockaddr_storage, socklen_t> v4(const char* ip) {
  sockaddr_storage ss{};
  auto* a = reinterpret_cast<sockaddr_in*>(&ss);
  a->sin_family = AF_INET;
  ::inet_pton(AF_INET, ip, &a->sin_addr);
  return {ss, sizeof(sockaddr_in)};
}
std::pair<sockaddr_storage, socklen_t> v6(const char* ip) {
  sockaddr_storage ss{};
  auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
  a->sin6_family = AF_INET6;
  ::inet_pton(AF_INET6, ip, &a->sin6_addr);
  return {ss, sizeof(sockaddr_in6)};
}

int listen_loopback(uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 16) != 0) return -1;
  socklen_t l = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &l);
  port = ntohs(a.sin_port);
  return fd;
}

int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string read_head(int fd) {
  std::string s;
  char c;
  while (s.find("\r\n\r\n") == std::string::npos && ::read(fd, &c, 1) == 1) s += c;
  return s;
}

}  // namespace

TEST(HttpProxy, NamesReachLocalAddressesOnlyWhenAllowed) {
  std::string why;
  auto addrs = std::vector{v4("127.0.0.1"), v6("::1"), v6("::ffff:127.0.0.2")};
  EXPECT_TRUE(resolves_only_to_local("evil.wild.test", false, addrs, why));
  EXPECT_TRUE(addrs.empty());
  EXPECT_NE(why.find("127.0.0.1"), std::string::npos) << why;
  EXPECT_NE(why.find("only an exact --allow-host entry"), std::string::npos) << why;

  addrs = {v4("127.0.0.1"), v4("0.0.0.0"), v4("169.254.169.254")};
  EXPECT_FALSE(resolves_only_to_local("goproxy.test", true, addrs, why));  // an exact entry
  ASSERT_EQ(addrs.size(), 1u);  // loopback stays; unspecified and link-local never through a name
  addrs = {v4("169.254.169.254"), v6("fe80::1")};
  EXPECT_TRUE(resolves_only_to_local("goproxy.test", true, addrs, why));
  EXPECT_NE(why.find("link-local"), std::string::npos) << why;

  // A mix: the local answers are dropped, the public one is what gets connected to.
  addrs = {v4("127.0.0.1"), v4("93.184.216.34")};
  EXPECT_FALSE(resolves_only_to_local("a.wild.test", false, addrs, why));
  ASSERT_EQ(addrs.size(), 1u);
  EXPECT_EQ(reinterpret_cast<sockaddr_in*>(&addrs[0].first)->sin_addr.s_addr, inet_addr("93.184.216.34"));

  // An IP literal was allowed as written (only an exact entry matches one).
  addrs = {v4("127.0.0.1")};
  EXPECT_FALSE(resolves_only_to_local("127.0.0.1", false, addrs, why));
  EXPECT_EQ(addrs.size(), 1u);
}

TEST(HttpProxy, RefusalSaysWhyInTheStatusLineAndTunnelsAreByteExact) {
  // Upstream: echoes everything back, XOR 0x5a, until EOF.
  uint16_t up_port = 0;
  int up = listen_loopback(up_port);
  ASSERT_GE(up, 0);
  std::thread echo([up] {
    int c = ::accept4(up, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t i = 0; i < n; ++i) buf[i] ^= 0x5a;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = ::write(c, buf + off, static_cast<size_t>(n - off));
        if (w <= 0) return;
        off += w;
      }
    }
    ::shutdown(c, SHUT_WR);
    ::close(c);
  });

  std::string refused_host;
  HttpProxy::Options o;
  o.check = [](const ProxyRequestInfo& r) -> std::string {
    return r.host == "127.0.0.1" ? std::string() : std::string("not on the allowlist (test)");
  };
  o.on_refusal = [&](const ProxyRequestInfo& r, const std::string&) { refused_host = r.host; };
  HttpProxy proxy(o);
  uint16_t pport = 0;
  int lfd = listen_loopback(pport);
  ASSERT_GE(lfd, 0);
  ASSERT_EQ(proxy.start(lfd), 0);

  int r = connect_loopback(pport);
  ASSERT_GE(r, 0);
  std::string req = "CONNECT refused.invalid:443 HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::write(r, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::string head = read_head(r);
  EXPECT_EQ(head.rfind("HTTP/1.1 403 gopls-sandbox refused refused.invalid:443: not on the allowlist (test)\r\n", 0), 0u)
      << head;
  ::close(r);
  EXPECT_EQ(refused_host, "refused.invalid");

  int c = connect_loopback(pport);
  ASSERT_GE(c, 0);
  req = "CONNECT 127.0.0.1:" + std::to_string(up_port) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::write(c, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  head = read_head(c);
  ASSERT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
  const size_t total = 8u << 20;
  std::string sent(total, '\0');
  for (size_t i = 0; i < total; ++i) sent[i] = static_cast<char>((i * 2654435761u) >> 13);
  std::thread writer([&] {
    for (size_t off = 0; off < total;) {
      ssize_t w = ::write(c, sent.data() + off, std::min<size_t>(total - off, 100000));
      if (w <= 0) break;
      off += static_cast<size_t>(w);
    }
    ::shutdown(c, SHUT_WR);
  });
  std::string got;
  got.reserve(total);
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(c, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  writer.join();
  ::close(c);
  ASSERT_EQ(got.size(), total);
  size_t bad = 0;
  for (size_t i = 0; i < total; ++i) bad += (static_cast<char>(got[i] ^ 0x5a) != sent[i]);
  EXPECT_EQ(bad, 0u);
  EXPECT_TRUE(proxy.stop());
  echo.join();
  ::close(up);
}
