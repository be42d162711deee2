// Issue 14: the --net proxy's cost. A 100 MB download from an HTTP server on loopback directly
// vs through the launcher's proxy (sys::HttpProxy; plain HTTP and a CONNECT tunnel), interleaved
// in one run, and the added latency of one small request on a new connection (what go does per
// module file). Medians with bootstrap 95% CIs of the ratio / difference. Target: throughput
// ratio >= 0.8x direct. (The sandbox's bridge only hands the proxy a listening socket: the data
// path measured here is the one a sandboxed go uses.)
//
//   proxy_bench [REPS] [SMALL_REQUESTS]   (defaults 9 and 2000)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gopls_sandbox/sys/http_proxy.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBig = 100u << 20;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::pair<double, double> boot(const std::vector<double>& a, const std::vector<double>& b, bool ratio) {
  std::mt19937 rng(12345);
  std::vector<double> r;
  for (int k = 0; k < 4000; ++k) {
    std::vector<double> ra, rb;
    std::uniform_int_distribution<size_t> da(0, a.size() - 1), db(0, b.size() - 1);
    for (size_t i = 0; i < a.size(); ++i) ra.push_back(a[da(rng)]);
    for (size_t i = 0; i < b.size(); ++i) rb.push_back(b[db(rng)]);
    double ma = median(ra), mb = median(rb);
    r.push_back(ratio ? (ma > 0 ? mb / ma : 0) : mb - ma);
  }
  std::sort(r.begin(), r.end());
  return {r[r.size() * 25 / 1000], r[r.size() * 975 / 1000]};
}

int listen_any(uint16_t* port) {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, 128) != 0) std::abort();
  socklen_t l = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &l);
  *port = ntohs(a.sin_port);
  return s;
}

int dial(uint16_t port) {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) std::abort();
  int one = 1;
  ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return s;
}

void send_str(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t w = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (w <= 0) std::abort();
    off += static_cast<size_t>(w);
  }
}

// Reads a response head (up to "\r\n\r\n") and returns the bytes of body already read.
size_t read_head(int fd, char* buf, size_t cap) {
  std::string head;
  for (;;) {
    ssize_t n = ::recv(fd, buf, cap, 0);
    if (n <= 0) std::abort();
    size_t before = head.size();
    head.append(buf, static_cast<size_t>(n));
    size_t e = head.find("\r\n\r\n");
    if (e != std::string::npos) return head.size() - (e + 4) - 0 * before;
  }
}

// The origin: GET /big -> 100 MB, anything else -> 2 bytes; Connection: close.
void origin(int lfd) {
  static std::vector<char> chunk(1 << 20, 'x');
  for (;;) {
    int c = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    std::thread([c] {
      char buf[4096];
      std::string req;
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) {
          ::close(c);
          return;
        }
        req.append(buf, static_cast<size_t>(n));
      }
      bool big = req.find(" /big ") != std::string::npos;
      size_t len = big ? kBig : 2;
      std::string h = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(len) + "\r\nConnection: close\r\n\r\n";
      send_str(c, h);
      for (size_t left = len; left > 0;) {
        size_t n = std::min(left, chunk.size());
        ssize_t w = ::send(c, chunk.data(), n, MSG_NOSIGNAL);
        if (w <= 0) break;
        left -= static_cast<size_t>(w);
      }
      ::close(c);
    }).detach();
  }
}

enum class Via { Direct, Plain, Tunnel };

// One request on a new connection; returns seconds from connect to the last body byte.
double fetch(Via via, uint16_t origin_port, uint16_t proxy_port, bool big) {
  static std::vector<char> buf(1 << 20);
  auto t0 = Clock::now();
  std::string path = big ? "/big" : "/small";
  int fd;
  if (via == Via::Direct) {
    fd = dial(origin_port);
    send_str(fd, "GET " + path + " HTTP/1.1\r\nHost: origin\r\n\r\n");
  } else if (via == Via::Plain) {
    fd = dial(proxy_port);
    send_str(fd, "GET http://127.0.0.1:" + std::to_string(origin_port) + path + " HTTP/1.1\r\nHost: origin\r\n\r\n");
  } else {
    fd = dial(proxy_port);
    send_str(fd, "CONNECT 127.0.0.1:" + std::to_string(origin_port) + " HTTP/1.1\r\nHost: origin\r\n\r\n");
    read_head(fd, buf.data(), 64);  // the 200 (exact: the origin says nothing before the request)
    send_str(fd, "GET " + path + " HTTP/1.1\r\nHost: origin\r\n\r\n");
  }
  size_t want = big ? kBig : 2;
  size_t got = read_head(fd, buf.data(), buf.size());
  while (got < want) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) std::abort();
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 9;
  int small = argc > 2 ? std::atoi(argv[2]) : 2000;
  uint16_t oport = 0, pport = 0;
  int ofd = listen_any(&oport);
  std::thread(origin, ofd).detach();
  gsb::sys::HttpProxy::Options po;
  po.check = [](const gsb::sys::ProxyRequestInfo&) { return std::string(); };
  po.max_conns = 256;
  gsb::sys::HttpProxy proxy(po);
  if (proxy.start(listen_any(&pport)) != 0) std::abort();
  // The same proxy relaying through a user-space buffer (splice off): the relay's two designs,
  // interleaved in one run.
  uint16_t cport = 0;
  po.splice = false;
  gsb::sys::HttpProxy copying(po);
  if (copying.start(listen_any(&cport)) != 0) std::abort();

  constexpr int kPaths = 5;
  const char* names[kPaths] = {"direct", "proxy (plain HTTP)", "proxy (CONNECT)", "copy relay (plain)", "copy relay (CONNECT)"};
  auto go = [&](int k, bool big) {
    static const Via via[kPaths] = {Via::Direct, Via::Plain, Via::Tunnel, Via::Plain, Via::Tunnel};
    return fetch(via[k], oport, k >= 3 ? cport : pport, big);
  };
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < kPaths; ++k) go(k, true);  // warm up
  std::vector<double> tput[kPaths];
  for (int r = 0; r < reps; ++r) {
    int order[kPaths] = {0, 1, 2, 3, 4};
    std::rotate(order, order + (r % kPaths), order + kPaths);
    for (int k : order) tput[k].push_back(static_cast<double>(kBig) / 1e6 / go(k, true));
  }
  std::vector<double> lat[kPaths];
  for (int i = 0; i < 200; ++i)
    for (int k = 0; k < kPaths; ++k) go(k, false);
  for (int i = 0; i < small; ++i) {
    int order[kPaths] = {0, 1, 2, 3, 4};
    std::rotate(order, order + (i % kPaths), order + kPaths);
    for (int k : order) lat[k].push_back(go(k, false) * 1e6);
  }
  std::printf("## --net proxy: 100 MB over loopback, %d repetitions interleaved (medians, bootstrap 95%% CI)\n\n", reps);
  std::printf("%-22s %12s %10s %22s\n", "path", "MB/s", "ratio", "95% CI");
  std::printf("%-22s %12.0f %10s %22s\n", "direct", median(tput[0]), "1.00x", "");
  for (int k = 1; k < kPaths; ++k) {
    auto ci = boot(tput[0], tput[k], true);
    std::printf("%-22s %12.0f %9.2fx %10.2fx - %.2fx\n", names[k], median(tput[k]), median(tput[k]) / median(tput[0]),
                ci.first, ci.second);
  }
  std::printf("\n## Added latency per request (new connection, 2-byte body), %d requests interleaved\n\n", small);
  std::printf("%-22s %12s %14s %22s\n", "path", "median us", "added us", "95% CI");
  std::printf("%-22s %12.1f %14s %22s\n", "direct", median(lat[0]), "", "");
  for (int k = 1; k < kPaths; ++k) {
    auto ci = boot(lat[0], lat[k], false);
    std::printf("%-22s %12.1f %14.1f %10.1f - %.1f\n", names[k], median(lat[k]), median(lat[k]) - median(lat[0]),
                ci.first, ci.second);
  }
  std::printf("\n(target: throughput ratio >= 0.8x; the machine is shared: figures are noisy)\n");
  proxy.stop();
  copying.stop();
  return 0;
}
