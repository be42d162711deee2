// Added latency of the --metrics LSP relay: one request/response round trip to an echo server
// directly over pipes vs through MetricsProxy, alternating in the same run. Reports the median
// added microseconds per request (target <= 50 us). Build with -DGSB_BUILD_BENCH=ON.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "gopls_sandbox/app/metrics.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/sys/io.hpp"

namespace {

using gsb::core::LspFrameParser;

// Reads frames from `in`, answers each request with {"id":…,"result":null} on `out` until EOF.
void echo_server(int in, int out) {
  LspFrameParser p;
  std::vector<std::string> bodies;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n <= 0) return;
    bodies.clear();
    p.feed(std::string_view(buf, static_cast<size_t>(n)), bodies);
    for (const auto& b : bodies) {
      auto m = gsb::core::classify_message(b);
      std::string f = gsb::core::lsp_frame(R"({"jsonrpc":"2.0","id":)" + m.id + R"(,"result":null})");
      if (gsb::sys::write_all(out, f.data(), f.size()) != 0) return;
    }
  }
}

struct Endpoint {
  int to = -1, from = -1;
  LspFrameParser parser;
  std::vector<std::string> bodies;
  // One round trip; returns nanoseconds.
  double round_trip(const std::string& frame) {
    auto t0 = std::chrono::steady_clock::now();
    if (gsb::sys::write_all(to, frame.data(), frame.size()) != 0) std::abort();
    char buf[4096];
    bodies.clear();
    while (bodies.empty()) {
      ssize_t n = ::read(from, buf, sizeof buf);
      if (n <= 0) std::abort();
      parser.feed(std::string_view(buf, static_cast<size_t>(n)), bodies);
    }
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  }
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}
double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

void BM_ProxyAddedLatency(benchmark::State& state) {
  char dir[] = "/tmp/gsb-bench-XXXXXX";
  if (!::mkdtemp(dir)) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string metrics = std::string(dir) + "/m.prom";

  // Direct: client <-> echo over two pipes.
  int a[2], b[2];
  if (::pipe2(a, O_CLOEXEC) || ::pipe2(b, O_CLOEXEC)) std::abort();
  std::thread direct_echo(echo_server, a[0], b[1]);
  Endpoint direct{a[1], b[0], {}, {}};

  // Proxied: client -> pipe -> proxy -> pipe -> echo -> pipe -> proxy -> pipe -> client.
  int cin[2], cout[2];
  if (::pipe2(cin, O_CLOEXEC) || ::pipe2(cout, O_CLOEXEC)) std::abort();
  auto created = gsb::app::MetricsProxy::create(metrics, cin[0], cout[1]);
  if (!created) {
    state.SkipWithError(created.error().message.c_str());
    return;
  }
  auto proxy = std::move(*created);
  std::thread proxied_echo(echo_server, proxy->child_stdin(), proxy->child_stdout());
  proxy->start();
  Endpoint via{cin[1], cout[0], {}, {}};

  // A hover request as an editor sends it.
  auto frame = [](long id) {
    return gsb::core::lsp_frame(
        R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
        R"(,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///home/user/src/project/internal/server/handler.go"},"position":{"line":120,"character":17}}})");
  };
  for (long i = 0; i < 200; ++i) {  // warm up both paths
    direct.round_trip(frame(i));
    via.round_trip(frame(i));
  }
  std::vector<double> d_ns, p_ns, added;
  long id = 1000;
  for (auto _ : state) {
    // Alternate the order so that neither path always runs on a freshly woken CPU.
    double d, p;
    if (id & 2) {
      d = direct.round_trip(frame(++id));
      p = via.round_trip(frame(++id));
    } else {
      p = via.round_trip(frame(++id));
      d = direct.round_trip(frame(++id));
    }
    d_ns.push_back(d);
    p_ns.push_back(p);
    added.push_back(p - d);
  }
  state.counters["direct_median_us"] = median(d_ns) / 1000;
  state.counters["proxy_median_us"] = median(p_ns) / 1000;
  state.counters["added_median_us"] = (median(p_ns) - median(d_ns)) / 1000;
  state.counters["added_pairwise_median_us"] = median(added) / 1000;
  state.counters["added_p90_us"] = percentile(added, 0.9) / 1000;

  ::close(a[1]);  // echo servers see EOF
  direct_echo.join();
  ::close(cin[1]);  // proxy forwards the EOF to its echo server
  proxied_echo.join();
  proxy->finish(0);
  for (int fd : {a[0], b[0], b[1], cin[0], cout[0], cout[1]}) ::close(fd);
  auto text = gsb::sys::read_file(metrics);
  if (!text || text->find("gopls_sandbox_lsp_request_duration_seconds_count{method=\"textDocument/hover\"}") == std::string::npos)
    state.SkipWithError("the proxy did not count the requests");
  ::unlink(metrics.c_str());
  ::rmdir(dir);
}
BENCHMARK(BM_ProxyAddedLatency)->Iterations(20000)->Unit(benchmark::kMicrosecond);

// Framing + classification throughput (the observer's work per byte).
void BM_FrameParserAndClassify(benchmark::State& state) {
  std::string one = gsb::core::lsp_frame(
      R"({"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a/b.go"},"position":{"line":1,"character":2}}})");
  std::string chunk;
  while (chunk.size() < 64 * 1024) chunk += one;
  LspFrameParser p;
  std::vector<std::string> bodies;
  for (auto _ : state) {
    bodies.clear();
    p.feed(chunk, bodies);
    for (const auto& b : bodies) benchmark::DoNotOptimize(gsb::core::classify_message(b));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(chunk.size()));
}
BENCHMARK(BM_FrameParserAndClassify);

}  // namespace

BENCHMARK_MAIN();
