// Per-syscall cost of the compiled seccomp filters: a getppid loop with no filter vs with the
// shipped profiles loaded, in the same invocation. A filter cannot be removed once loaded, so
// each variant runs in its own forked child that loads it, then serves timed batches over a
// pipe; the parent reports the child's own clock as manual time. At the end a summary line per
// filter gives ns/syscall, ns added and the ratio (target: <= 30 ns added for "gopls"); the
// "allow-all" one-instruction filter shows the kernel's fixed cost for comparison.
#include <benchmark/benchmark.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <string>

#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/sys/seccomp.hpp"

namespace {

constexpr long kBatch = 2000;  // getppid calls per benchmark iteration

struct Child {
  pid_t pid = -1;
  int to = -1, from = -1;
};

// Forks a worker. profile == "" means no filter. Returns pid -1 on failure (message printed).
Child start_worker(const std::string& profile) {
  std::vector<sock_filter> prog;
  if (profile == "allow-all") {
    // The floor: the cheapest possible filter (one RET ALLOW); what remains is the kernel's
    // fixed seccomp entry cost, which no profile can go below.
    prog.push_back(sock_filter BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  } else if (!profile.empty()) {
    auto p = gsb::core::load_profile(profile, {std::string(GSB_TEST_SOURCE_DIR) + "/profiles"});
    if (!p) {
      std::fprintf(stderr, "seccomp_bench: %s\n", p.error().message.c_str());
      return {};
    }
    auto c = gsb::core::compile_policy(*p, gsb::core::Delivery::Errno);
    if (!c) {
      std::fprintf(stderr, "seccomp_bench: %s\n", c.error().message.c_str());
      return {};
    }
    prog = std::move(c->program);
  }
  int a[2], b[2];
  if (pipe(a) != 0 || pipe(b) != 0) return {};
  pid_t pid = fork();
  if (pid < 0) return {};
  if (pid == 0) {
    close(a[1]);
    close(b[0]);
    if (!prog.empty()) {
      prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      int e = gsb::sys::load_filter(prog.data(), prog.size(), false, nullptr);
      if (e != 0) {
        std::fprintf(stderr, "seccomp_bench: load_filter: %s\n", std::strerror(e));
        _exit(1);
      }
    }
    long n;
    while (read(a[0], &n, sizeof n) == static_cast<ssize_t>(sizeof n) && n > 0) {
      timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      for (long i = 0; i < n; ++i) syscall(SYS_getppid);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      int64_t ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
      if (write(b[1], &ns, sizeof ns) != static_cast<ssize_t>(sizeof ns)) _exit(1);
    }
    _exit(0);
  }
  close(a[0]);
  close(b[1]);
  return {pid, a[1], b[0]};
}

void stop_worker(Child& c) {
  long zero = 0;
  if (c.to >= 0) {
    if (write(c.to, &zero, sizeof zero) < 0) { /* worker gone */ }
    close(c.to);
  }
  if (c.from >= 0) close(c.from);
  if (c.pid > 0) waitpid(c.pid, nullptr, 0);
  c = {};
}

std::map<std::string, double>& results() {
  static std::map<std::string, double> r;  // variant -> ns per getppid
  return r;
}

void BM_getppid(benchmark::State& state, const std::string& profile) {
  Child c = start_worker(profile);
  if (c.pid < 0) {
    state.SkipWithError("cannot start worker");
    return;
  }
  int64_t total_ns = 0, total_calls = 0;
  for (auto _ : state) {
    long n = kBatch;
    int64_t ns = 0;
    if (write(c.to, &n, sizeof n) != static_cast<ssize_t>(sizeof n) ||
        read(c.from, &ns, sizeof ns) != static_cast<ssize_t>(sizeof ns)) {
      state.SkipWithError("worker died (filter refused something?)");
      break;
    }
    state.SetIterationTime(static_cast<double>(ns) / 1e9);
    total_ns += ns;
    total_calls += n;
  }
  stop_worker(c);
  if (total_calls > 0) {
    double per = static_cast<double>(total_ns) / static_cast<double>(total_calls);
    state.counters["ns_per_syscall"] = per;
    results()[profile.empty() ? "none" : profile] = per;
  }
  state.SetItemsProcessed(total_calls);
}

BENCHMARK_CAPTURE(BM_getppid, no_filter, std::string())->UseManualTime()->MinTime(0.5);
BENCHMARK_CAPTURE(BM_getppid, allow_all, std::string("allow-all"))->UseManualTime()->MinTime(0.5);
BENCHMARK_CAPTURE(BM_getppid, gopls, std::string("gopls"))->UseManualTime()->MinTime(0.5);
BENCHMARK_CAPTURE(BM_getppid, gopls_strict, std::string("gopls-strict"))->UseManualTime()->MinTime(0.5);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  auto& r = results();
  auto base = r.find("none");
  if (base != r.end()) {
    for (auto& [name, ns] : r) {
      if (name == "none") continue;
      std::printf("seccomp filter %-14s getppid %.1f ns vs %.1f ns unfiltered: +%.1f ns per syscall (x%.2f)\n",
                  name.c_str(), ns, base->second, ns - base->second, ns / base->second);
    }
  }
  return 0;
}
