// Issue 14: the launcher's HTTP proxy. Serves connections accepted on a listening socket (in
// practice one created by the sandbox's pid 1 inside the sandbox's network namespace and passed
// out): CONNECT tunnels (bytes relayed as they are: no TLS interception) and plain HTTP requests
// with an absolute URI. Names are resolved and connections made in the launcher's (the host's)
// network namespace, only to what `check` allows. Threads: one acceptor, one per connection, at
// most max_conns at a time; every buffer is fixed-size; every wait has a timeout; stop() ends all.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/socket.h>

namespace gsb::sys {

struct ProxyRequestInfo {
  std::string method;  // "CONNECT", "GET", ...
  std::string host;    // as the client named it (lower case)
  uint16_t port = 0;
  int peer_port = 0;   // the client's source port (inside the sandbox's namespace)
};

// The address check after resolution (exposed for tests): drops from `addrs` what `host` (a name,
// not an IP literal) may not reach; true with `why` when nothing is left.
bool resolves_only_to_local(const std::string& host, bool local_ok,
                            std::vector<std::pair<sockaddr_storage, socklen_t>>& addrs, std::string& why);

class HttpProxy {
 public:
  struct Options {
    // "" allows the destination; anything else is the reason it is refused (403).
    std::function<std::string(const ProxyRequestInfo&)> check;
    // May host:port (allowed by check) resolve to a loopback or this host's own address? (An
    // exact allowlist entry: yes; a wildcard: no.) Unset: no. Unspecified and link-local
    // addresses are never reached through a name.
    std::function<bool(const ProxyRequestInfo&)> local_ok;
    // Called (from a connection thread) for every refusal, with the reason.
    std::function<void(const ProxyRequestInfo&, const std::string& reason)> on_refusal;
    // Test hook: names answered from this map (name -> IP literal) instead of the resolver.
    std::map<std::string, std::string> test_hosts;
    unsigned max_conns = 64;
    int header_timeout_ms = 30000;
    int connect_timeout_ms = 15000;
    int idle_timeout_ms = 300000;
    size_t buffer_size = 256 * 1024;  // per direction of a connection (a pipe's capacity)
    // Relay with splice(2) through a pipe per direction (else, or where splice is refused, a
    // user-space buffer of at most 64 KiB per direction). A knob for the benchmark.
    bool splice = true;
  };
  explicit HttpProxy(Options o);
  ~HttpProxy();
  HttpProxy(const HttpProxy&) = delete;
  HttpProxy& operator=(const HttpProxy&) = delete;

  // Starts the acceptor thread on `listen_fd` (a listening stream socket; ownership taken).
  // Returns 0 or an errno.
  int start(int listen_fd);
  // Stops accepting and ends every connection. Waits up to timeout_ms for the connection threads
  // (one can be inside getaddrinfo, which nothing interrupts); false when some still run: the
  // object must then be left alive (the launcher is exiting anyway). Idempotent.
  bool stop(int timeout_ms = 3000);
  uint64_t connections() const { return conns_total_; }
  uint64_t refused() const { return refused_; }

 private:
  void accept_loop();
  void serve(int client, int peer_port);
  Options o_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: readable once stop() was called
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable cv_;
  unsigned active_ = 0;
  std::atomic<uint64_t> conns_total_{0}, refused_{0};
  bool stopped_ = false;
};

}  // namespace gsb::sys
