#include "gopls_sandbox/sys/http_proxy.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <ifaddrs.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "gopls_sandbox/core/net_allowlist.hpp"
#include "gopls_sandbox/sys/process.hpp"

namespace gsb::sys {

namespace {

constexpr size_t kMaxHead = 16 * 1024;

void set_nonblock(int fd) {
  int fl = ::fcntl(fd, F_GETFL);
  if (fl >= 0) ::fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Waits until fd has `events` or stop fires; false on stop, timeout or error.
bool wait_fd(int fd, short events, int stop_fd, int timeout_ms) {
  struct pollfd p[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    int r = ::poll(p, 2, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    if (p[1].revents) return false;
    return true;
  }
}

// Writes everything to a non-blocking fd (waiting as needed); false on stop/timeout/error.
bool send_all(int fd, const char* data, size_t n, int stop_fd, int timeout_ms) {
  while (n > 0) {
    ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w > 0) {
      data += w;
      n -= static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_fd(fd, POLLOUT, stop_fd, timeout_ms)) return false;
      continue;
    }
    return false;
  }
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "host:port" / "[v6]:port" / "host" (default_port) -> host, port; false when malformed.
bool split_authority(const std::string& a, uint16_t default_port, std::string& host, uint16_t& port) {
  std::string h = a, p;
  if (!h.empty() && h[0] == '[') {
    size_t c = h.find(']');
    if (c == std::string::npos) return false;
    std::string rest = h.substr(c + 1);
    h = h.substr(1, c - 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return false;
      p = rest.substr(1);
    }
  } else {
    size_t c = h.rfind(':');
    if (c != std::string::npos) {
      p = h.substr(c + 1);
      h = h.substr(0, c);
    }
  }
  if (h.empty() || h.size() > 253) return false;
  for (char ch : h)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_' || ch == ':')) return false;
  if (p.empty()) {
    if (default_port == 0) return false;
    port = default_port;
  } else {
    if (p.size() > 5) return false;
    unsigned v = 0;
    for (char ch : p) {
      if (ch < '0' || ch > '9') return false;
      v = v * 10 + static_cast<unsigned>(ch - '0');
    }
    if (v == 0 || v > 65535) return false;
    port = static_cast<uint16_t>(v);
  }
  host = lower(h);
  return true;
}

void reply(int fd, int stop_fd, const char* status, const std::string& body) {
  std::string r = std::string("HTTP/1.1 ") + status +
                  "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)send_all(fd, r.data(), r.size(), stop_fd, 5000);
}

// The addresses of `host` as the host's programs see them. The launcher is a static binary, whose
// getaddrinfo would load the NSS modules of whatever glibc is installed: names go to getent
// (nsswitch.conf: files, dns, resolved, mdns... as configured), cached for a minute; getaddrinfo
// only when getent is missing. IP literals need neither.
struct Resolved {
  std::vector<std::pair<sockaddr_storage, socklen_t>> addrs;
  int64_t at_ms = 0;
};
std::mutex g_dns_mu;
std::map<std::string, Resolved> g_dns;

bool literal(const std::string& host, uint16_t port, std::vector<std::pair<sockaddr_storage, socklen_t>>& out) {
  sockaddr_storage ss{};
  auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, host.c_str(), &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(port);
    out.push_back({ss, sizeof(sockaddr_in)});
    return true;
  }
  ss = {};
  if (::inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    out.push_back({ss, sizeof(sockaddr_in6)});
    return true;
  }
  return false;
}

std::vector<std::pair<sockaddr_storage, socklen_t>> resolve(const std::string& host, uint16_t port, std::string& err,
                                                            const std::map<std::string, std::string>& test_hosts) {
  std::vector<std::pair<sockaddr_storage, socklen_t>> out;
  if (literal(host, port, out)) return out;
  if (auto t = test_hosts.find(host); t != test_hosts.end()) {
    if (!literal(t->second, port, out)) err = "cannot resolve " + host;
    return out;
  }
  {
    std::lock_guard<std::mutex> lk(g_dns_mu);
    auto it = g_dns.find(host);
    if (it != g_dns.end() && now_ms() - it->second.at_ms < 60000) out = it->second.addrs;
  }
  if (out.empty()) {
    const char* getent = ::access("/usr/bin/getent", X_OK) == 0 ? "/usr/bin/getent"
                         : ::access("/bin/getent", X_OK) == 0   ? "/bin/getent"
                                                                : nullptr;
    if (getent) {
      auto r = run_capture({getent, "ahosts", "--", host}, {"PATH=/usr/bin:/bin", "LC_ALL=C"});
      if (r && r->status == 0) {
        size_t pos = 0;
        while (pos < r->out.size()) {
          size_t e = r->out.find('\n', pos);
          if (e == std::string::npos) e = r->out.size();
          std::string line = r->out.substr(pos, e - pos);
          pos = e + 1;
          if (line.find(" STREAM") == std::string::npos) continue;
          std::vector<std::pair<sockaddr_storage, socklen_t>> one;
          if (literal(line.substr(0, line.find(' ')), 1, one)) out.push_back(one[0]);
        }
      } else if (r && r->status == 2) {
        err = "cannot resolve " + host + ": not found";
        return {};
      }
    }
    if (out.empty()) {
      struct addrinfo hints;
      std::memset(&hints, 0, sizeof hints);
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      struct addrinfo* res = nullptr;
      int g = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
      if (g != 0) {
        err = "cannot resolve " + host + ": " + ::gai_strerror(g);
        return {};
      }
      for (auto* ai = res; ai; ai = ai->ai_next) {
        sockaddr_storage ss{};
        std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
        out.push_back({ss, ai->ai_addrlen});
      }
      ::freeaddrinfo(res);
    }
    std::lock_guard<std::mutex> lk(g_dns_mu);
    if (g_dns.size() > 256) g_dns.clear();
    g_dns[host] = {out, now_ms()};
  }
  for (auto& [ss, len] : out) {
    if (ss.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&ss)->sin_port = htons(port);
    else reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port = htons(port);
  }
  if (out.empty()) err = "cannot resolve " + host;
  return out;
}

core::IpAddr ip_of(const sockaddr_storage& ss) {
  core::IpAddr a;
  if (ss.ss_family == AF_INET) {
    a.family = 2;
    std::memcpy(a.bytes, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, 4);
  } else if (ss.ss_family == AF_INET6) {
    a.family = 10;
    std::memcpy(a.bytes, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, 16);
  }
  return a;
}

std::string ip_text(const sockaddr_storage& ss) {
  char b[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, b, sizeof b);
  else ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, b, sizeof b);
  return b;
}

// The host's own interface addresses (a service bound to 0.0.0.0 answers on each of them).
std::vector<core::IpAddr> own_addresses() {
  std::vector<core::IpAddr> out;
  struct ifaddrs* ifa = nullptr;
  if (::getifaddrs(&ifa) != 0) return out;
  for (auto* i = ifa; i; i = i->ifa_next) {
    if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6)) continue;
    sockaddr_storage ss{};
    std::memcpy(&ss, i->ifa_addr, i->ifa_addr->sa_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
    out.push_back(ip_of(ss));
  }
  ::freeifaddrs(ifa);
  return out;
}

}  // namespace

bool resolves_only_to_local(const std::string& host, bool local_ok,
                            std::vector<std::pair<sockaddr_storage, socklen_t>>& addrs, std::string& why) {
  // An IP literal was allowed as written (only an exact entry matches one).
  std::vector<std::pair<sockaddr_storage, socklen_t>> lit;
  if (literal(host, 1, lit)) return false;
  // A name never reaches an unspecified (0.0.0.0: the host's own services) or link-local
  // (169.254.169.254: a cloud's metadata service) address, and reaches loopback or the host's own
  // addresses only when an exact entry names it: a wildcard's DNS answer (a sinkhole's, a
  // rebinding attacker's) would otherwise open the host's local services. The addresses checked
  // are the ones connected to: nothing resolves the name a second time.
  std::vector<core::IpAddr> own;
  if (!local_ok) own = own_addresses();
  std::string first;
  size_t before = addrs.size();
  std::erase_if(addrs, [&](const std::pair<sockaddr_storage, socklen_t>& a) {
    core::IpAddr ip = ip_of(a.first);
    bool drop = core::is_never_by_name(ip) || (!local_ok && core::is_local_address(ip, own));
    if (drop && first.empty()) first = ip_text(a.first);
    return drop;
  });
  if (!addrs.empty() || before == 0) return false;
  why = local_ok ? "it resolves only to " + first + " (unspecified or link-local: never reached through a name)"
                 : "it resolves only to " + first +
                       " (a loopback, link-local or this host's own address: only an exact --allow-host entry, "
                       "not a wildcard, may reach those)";
  return true;
}

namespace {

// Connects to one of `addrs` (already checked) on this (the launcher's) network; -1 and `err` on
// failure.
int connect_to(const std::string& host, uint16_t port, const std::vector<std::pair<sockaddr_storage, socklen_t>>& addrs,
               int stop_fd, int timeout_ms, std::string& err) {
  std::string service = std::to_string(port);
  int fd = -1;
  err = "no address";
  for (const auto& [ss, len] : addrs) {
    fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      err = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&ss), len);
    if (r != 0 && errno == EINPROGRESS) {
      if (wait_fd(fd, POLLOUT, stop_fd, timeout_ms)) {
        int so = 0;
        socklen_t sl = sizeof so;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl);
        r = so == 0 ? 0 : -1;
        errno = so;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (r == 0) break;
    err = "connect " + host + ":" + service + ": " + std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  if (fd >= 0) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

// Relays both directions until both are closed, the idle timeout passes or stop fires. Each
// direction has one fixed buffer: a slow reader stops the other side's reads (TCP backpressure).
void relay(int a, int b, int stop_fd, size_t bufsize, int idle_ms, bool end_with_response) {
  struct Dir {
    int from, to;
    std::vector<char> buf;
    size_t off = 0, len = 0;
    bool eof = false, done = false;
  };
  Dir d[2] = {{a, b, std::vector<char>(bufsize)}, {b, a, std::vector<char>(bufsize)}};
  int64_t last = now_ms();
  while (!(d[0].done && d[1].done)) {
    struct pollfd p[5];
    int n = 0;
    int idx[4] = {-1, -1, -1, -1};  // read a, write b (dir 0), read b, write a (dir 1)
    for (int i = 0; i < 2; ++i) {
      if (!d[i].eof && d[i].len == 0) {
        idx[i * 2] = n;
        p[n++] = {d[i].from, POLLIN, 0};
      }
      if (d[i].len > 0) {
        idx[i * 2 + 1] = n;
        p[n++] = {d[i].to, POLLOUT, 0};
      }
    }
    int stop_i = n;
    p[n++] = {stop_fd, POLLIN, 0};
    int64_t left = idle_ms - (now_ms() - last);
    if (left <= 0) return;
    int r = ::poll(p, static_cast<nfds_t>(n), static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return;
    if (r == 0) return;  // idle
    if (p[stop_i].revents) return;
    for (int i = 0; i < 2; ++i) {
      Dir& x = d[i];
      if (idx[i * 2] >= 0 && p[idx[i * 2]].revents) {
        ssize_t got = ::recv(x.from, x.buf.data(), x.buf.size(), 0);
        if (got > 0) {
          x.off = 0;
          x.len = static_cast<size_t>(got);
          last = now_ms();
        } else if (got == 0 || (errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK)) {
          if (got < 0) return;  // reset: end both
          x.eof = true;
        }
      }
      if (idx[i * 2 + 1] >= 0 && p[idx[i * 2 + 1]].revents) {
        ssize_t w = ::send(x.to, x.buf.data() + x.off, x.len, MSG_NOSIGNAL);
        if (w > 0) {
          x.off += static_cast<size_t>(w);
          x.len -= static_cast<size_t>(w);
          last = now_ms();
        } else if (w < 0 && errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK) {
          return;
        }
      }
      if (x.eof && x.len == 0 && !x.done) {
        ::shutdown(x.to, SHUT_WR);
        x.done = true;
        if (i == 1 && end_with_response) return;  // plain HTTP: the response is complete
      }
    }
  }
}

// The same relay with the kernel moving the bytes: socket -> pipe -> socket with splice(2), one
// pipe per direction (its capacity is the direction's bound: nothing queues beyond it), and each
// wake-up moving as much as both sides take before polling again. false when splice cannot be
// used here (no pipe, or the first splice says EINVAL): the caller falls back to relay().
bool splice_relay(int a, int b, int stop_fd, size_t bufsize, int idle_ms, bool end_with_response) {
  struct Dir {
    int from, to;
    int pr = -1, pw = -1;
    size_t len = 0;  // bytes in the pipe
    bool eof = false, done = false;
  };
  Dir d[2] = {{a, b}, {b, a}};
  auto close_pipes = [&] {
    for (auto& x : d) {
      if (x.pr >= 0) ::close(x.pr);
      if (x.pw >= 0) ::close(x.pw);
    }
  };
  for (auto& x : d) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
      close_pipes();
      return false;
    }
    x.pr = p[0];
    x.pw = p[1];
    (void)::fcntl(x.pw, F_SETPIPE_SZ, static_cast<int>(bufsize));  // best effort: 64 KiB otherwise
  }
  const unsigned kFlags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
  int64_t last = now_ms();
  bool first = true;
  for (;;) {
    // Move what can move without waiting.
    for (int i = 0; i < 2; ++i) {
      Dir& x = d[i];
      for (;;) {
        bool progress = false;
        if (!x.eof) {
          ssize_t n = ::splice(x.from, nullptr, x.pw, nullptr, bufsize, kFlags);
          if (n > 0) {
            x.len += static_cast<size_t>(n);
            progress = true;
          } else if (n == 0) {
            x.eof = true;
          } else if (errno == EINVAL && first) {
            close_pipes();
            return false;
          } else if (errno != EAGAIN && errno != EINTR) {
            close_pipes();
            return true;  // reset: end both
          }
          first = false;
        }
        if (x.len > 0) {
          ssize_t n = ::splice(x.pr, nullptr, x.to, nullptr, x.len, kFlags);
          if (n > 0) {
            x.len -= static_cast<size_t>(n);
            progress = true;
          } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            close_pipes();
            return true;
          }
        }
        if (progress) last = now_ms();
        if (!progress) break;
      }
      if (x.eof && x.len == 0 && !x.done) {
        ::shutdown(x.to, SHUT_WR);
        x.done = true;
        if (i == 1 && end_with_response) {  // plain HTTP: the response is complete
          close_pipes();
          return true;
        }
      }
    }
    if (d[0].done && d[1].done) break;
    // Wait: for data when a pipe is empty, for room when it holds bytes (a read that found the
    // pipe full must not spin on a readable socket).
    struct pollfd p[5];
    int n = 0;
    for (auto& x : d) {
      if (x.len > 0) p[n++] = {x.to, POLLOUT, 0};
      else if (!x.eof) p[n++] = {x.from, POLLIN, 0};
    }
    int stop_i = n;
    p[n++] = {stop_fd, POLLIN, 0};
    int64_t left = idle_ms - (now_ms() - last);
    if (left <= 0) break;
    int r = ::poll(p, static_cast<nfds_t>(n), static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || p[stop_i].revents) break;
  }
  close_pipes();
  return true;
}

}  // namespace

HttpProxy::HttpProxy(Options o) : o_(std::move(o)) {}

HttpProxy::~HttpProxy() {
  if (stop()) return;
  // (An owner that got false from stop() should not destroy us; if it does, wait.)
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [this] { return active_ == 0; });
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

int HttpProxy::start(int listen_fd) {
  std::lock_guard<std::mutex> lk(mu_);
  if (listen_fd_ >= 0 || stopped_) {
    ::close(listen_fd);
    return EBUSY;
  }
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    int e = errno;
    ::close(listen_fd);
    return e;
  }
  listen_fd_ = listen_fd;
  set_nonblock(listen_fd_);
  // The proxy's threads (the acceptor and the connection threads it starts inherit its mask) get
  // EPIPE, not SIGPIPE, when a peer is gone: splice(2) into a closed socket raises SIGPIPE (it
  // has no MSG_NOSIGNAL); blocked, a thread-directed SIGPIPE stays pending and harmless.
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  int rc = 0;
  try {
    acceptor_ = std::thread([this] { accept_loop(); });
  } catch (const std::system_error& e) {
    rc = e.code().value() ? e.code().value() : EAGAIN;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return rc;
}

bool HttpProxy::stop(int timeout_ms) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stopped_) return active_ == 0;
    stopped_ = true;
    if (stop_fd_ >= 0) {
      uint64_t one = 1;
      (void)!::write(stop_fd_, &one, sizeof one);
    }
  }
  if (acceptor_.joinable()) acceptor_.join();
  std::unique_lock<std::mutex> lk(mu_);
  if (!cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms), [this] { return active_ == 0; })) return false;
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
  listen_fd_ = stop_fd_ = -1;
  return true;
}

void HttpProxy::accept_loop() {
  for (;;) {
    if (!wait_fd(listen_fd_, POLLIN, stop_fd_, -1)) return;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int c = ::accept4(listen_fd_, reinterpret_cast<struct sockaddr*>(&ss), &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: back off briefly (the pending connection stays queued).
        struct pollfd p = {stop_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) return;
        continue;
      }
      return;
    }
    int peer_port = 0;
    if (ss.ss_family == AF_INET) peer_port = ntohs(reinterpret_cast<struct sockaddr_in*>(&ss)->sin_port);
    ++conns_total_;
    std::unique_lock<std::mutex> lk(mu_);
    if (active_ >= o_.max_conns) {
      lk.unlock();
      reply(c, stop_fd_, "503 Service Unavailable",
            "gopls-sandbox: too many proxy connections at once (limit " + std::to_string(o_.max_conns) + ")\n");
      ::close(c);
      continue;
    }
    ++active_;
    lk.unlock();
    try {
      std::thread([this, c, peer_port] {
        serve(c, peer_port);
        ::close(c);
        std::lock_guard<std::mutex> g(mu_);
        --active_;
        cv_.notify_all();
      }).detach();
    } catch (const std::system_error&) {
      ::close(c);
      std::lock_guard<std::mutex> g(mu_);
      --active_;
      cv_.notify_all();
    }
  }
}

void HttpProxy::serve(int client, int peer_port) {
  // The request head, at most kMaxHead bytes, within header_timeout_ms.
  std::string head;
  head.reserve(1024);
  size_t end = std::string::npos;
  int64_t deadline = now_ms() + o_.header_timeout_ms;
  char buf[4096];
  while (end == std::string::npos) {
    int64_t left = deadline - now_ms();
    if (left <= 0 || !wait_fd(client, POLLIN, stop_fd_, static_cast<int>(left))) {
      if (left <= 0) reply(client, stop_fd_, "408 Request Timeout", "gopls-sandbox: no request within the timeout\n");
      return;
    }
    ssize_t n = ::recv(client, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return;
    size_t scan_from = head.size() > 3 ? head.size() - 3 : 0;
    head.append(buf, static_cast<size_t>(n));
    end = head.find("\r\n\r\n", scan_from);
    if (end == std::string::npos && head.size() > kMaxHead) {
      reply(client, stop_fd_, "431 Request Header Fields Too Large", "gopls-sandbox: request head over 16 KiB\n");
      return;
    }
  }
  std::string rest = head.substr(end + 4);
  head.resize(end + 2);  // keep the last header's CRLF

  size_t eol = head.find("\r\n");
  std::string line = head.substr(0, eol);
  size_t s1 = line.find(' ');
  size_t s2 = s1 == std::string::npos ? std::string::npos : line.find(' ', s1 + 1);
  if (s2 == std::string::npos) {
    reply(client, stop_fd_, "400 Bad Request", "gopls-sandbox: malformed request line\n");
    return;
  }
  ProxyRequestInfo info;
  info.method = line.substr(0, s1);
  // A method is an RFC 9110 token: anything else (control bytes, escape sequences) is refused here.
  if (info.method.empty() || info.method.size() > 32 ||
      !std::all_of(info.method.begin(), info.method.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || (ch != '\0' && std::strchr("!#$%&'*+-.^_`|~", ch) != nullptr);
      })) {
    reply(client, stop_fd_, "400 Bad Request", "gopls-sandbox: malformed request method\n");
    return;
  }
  info.peer_port = peer_port;
  std::string target = line.substr(s1 + 1, s2 - s1 - 1);
  std::string version = line.substr(s2 + 1);
  bool is_connect = info.method == "CONNECT";
  std::string path;
  if (is_connect) {
    if (!split_authority(target, 0, info.host, info.port)) {
      reply(client, stop_fd_, "400 Bad Request", "gopls-sandbox: CONNECT needs HOST:PORT\n");
      return;
    }
  } else {
    if (lower(target.substr(0, 7)) != "http://") {
      reply(client, stop_fd_, "400 Bad Request",
            "gopls-sandbox: this proxy takes CONNECT or an absolute http:// URI, got \"" + target.substr(0, 200) +
                "\"\n");
      return;
    }
    std::string after = target.substr(7);
    size_t slash = after.find_first_of("/?#");
    std::string auth = after.substr(0, slash);
    path = slash == std::string::npos ? "/" : after.substr(slash);
    if (path[0] != '/') path = "/" + path;
    if (auth.find('@') != std::string::npos) auth = auth.substr(auth.rfind('@') + 1);
    if (!split_authority(auth, 80, info.host, info.port)) {
      reply(client, stop_fd_, "400 Bad Request", "gopls-sandbox: malformed host in the request URI\n");
      return;
    }
  }

  auto refuse = [&](const std::string& why) {
    ++refused_;
    if (o_.on_refusal) o_.on_refusal(info, why);
    // The reason is also the status line's reason phrase: Go's client reports a refused CONNECT
    // by that phrase alone ("Get \"https://...\": gopls-sandbox refused ..."), so what gopls
    // shows says why. (Printable ASCII only: the host was validated, `why` is ours.)
    std::string phrase = "gopls-sandbox refused " + info.host + ":" + std::to_string(info.port) + ": " + why;
    for (auto& ch : phrase)
      if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7e) ch = '?';
    reply(client, stop_fd_, ("403 " + phrase).c_str(),
          "gopls-sandbox: refused " + info.method + " " + info.host + ":" + std::to_string(info.port) + ": " + why +
              "\n");
  };
  std::string why = o_.check ? o_.check(info) : std::string("no allowlist");
  if (!why.empty()) return refuse(why);

  std::string err;
  auto addrs = resolve(info.host, info.port, err, o_.test_hosts);
  if (addrs.empty()) {
    reply(client, stop_fd_, "502 Bad Gateway", "gopls-sandbox: " + err + "\n");
    return;
  }
  if (resolves_only_to_local(info.host, o_.local_ok && o_.local_ok(info), addrs, why)) return refuse(why);
  int up = connect_to(info.host, info.port, addrs, stop_fd_, o_.connect_timeout_ms, err);
  if (up < 0) {
    reply(client, stop_fd_, "502 Bad Gateway", "gopls-sandbox: " + err + "\n");
    return;
  }
  int one = 1;
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  bool ok;
  if (is_connect) {
    static const char kOk[] = "HTTP/1.1 200 Connection established\r\n\r\n";
    ok = send_all(client, kOk, sizeof kOk - 1, stop_fd_, o_.idle_timeout_ms) &&
         (rest.empty() || send_all(up, rest.data(), rest.size(), stop_fd_, o_.idle_timeout_ms));
  } else {
    // Origin-form request line; hop-by-hop and proxy headers dropped; one request per upstream
    // connection (Connection: close), so a reused client connection cannot reach another host.
    std::string out = info.method + " " + path + " " + version + "\r\n";
    size_t pos = eol + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      std::string h = head.substr(pos, e - pos);
      pos = e + 2;
      std::string name = lower(h.substr(0, h.find(':')));
      if (name == "proxy-connection" || name == "proxy-authorization" || name == "connection" ||
          name == "keep-alive")
        continue;
      out += h + "\r\n";
    }
    out += "Connection: close\r\n\r\n";
    out += rest;
    ok = send_all(up, out.data(), out.size(), stop_fd_, o_.idle_timeout_ms);
  }
  if (ok && !(o_.splice && splice_relay(client, up, stop_fd_, o_.buffer_size, o_.idle_timeout_ms, !is_connect)))
    relay(client, up, stop_fd_, std::min<size_t>(o_.buffer_size, 64 * 1024), o_.idle_timeout_ms, !is_connect);
  ::close(up);
}

}  // namespace gsb::sys
