// strace parser throughput on the largest corpus trace (decompressed), one core.
// Target: >= 300 MB/s for BM_ParseLargestCorpusFile. Build with -DGSB_BUILD_BENCH=ON.
// The "MB" counter is printed as a rate ("MB=640/s" = 640 MB/s of decompressed log per CPU second).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "gopls_sandbox/core/profile_gen.hpp"
#include "gopls_sandbox/core/strace.hpp"
#include "gopls_sandbox/core/trace_input.hpp"
#include "gopls_sandbox/sys/io.hpp"

namespace {

namespace fs = std::filesystem;
const std::string kCorpus = GSB_TEST_SOURCE_DIR "/../shared/strace-corpus";

// The corpus file with the largest decompressed size.
const gsb::trace_input::TraceText* largest() {
  static std::vector<gsb::trace_input::TraceText> texts;
  static const gsb::trace_input::TraceText* best = nullptr;
  if (best || !fs::exists(kCorpus)) return best;
  for (const auto& e : fs::directory_iterator(kCorpus)) {
    if (e.path().extension() != ".gz") continue;
    auto bytes = gsb::sys::read_file(e.path().string());
    if (!bytes) continue;
    auto ex = gsb::trace_input::expand(e.path().filename().string(), std::move(*bytes));
    if (!ex || ex->size() != 1) continue;
    texts.push_back(std::move((*ex)[0]));
  }
  for (const auto& t : texts)
    if (!best || t.text.size() > best->text.size()) best = &t;
  return best;
}

void set_rate(benchmark::State& state, size_t bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  state.counters["MB"] = benchmark::Counter(static_cast<double>(bytes) / 1e6, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ParseLargestCorpusFile(benchmark::State& state) {
  const auto* t = largest();
  if (!t) {
    state.SkipWithError("corpus not found");
    return;
  }
  state.SetLabel(t->name);
  uint64_t syscalls = 0;
  for (auto _ : state) {
    gsb::strace::Trace trace;
    trace.parse(t->text, t->name);
    syscalls = trace.stats().syscalls;
    benchmark::DoNotOptimize(trace.events().data());
  }
  state.counters["syscalls"] = static_cast<double>(syscalls);
  set_rate(state, t->text.size());
}
BENCHMARK(BM_ParseLargestCorpusFile)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// What `profile generate` does with the text: the parser with its argv filter, every event into
// a Collector, in 1 MiB pieces (the command's read buffer).
void BM_ParseAndCollectLikeProfileGenerate(benchmark::State& state) {
  const auto* t = largest();
  if (!t) {
    state.SkipWithError("corpus not found");
    return;
  }
  state.SetLabel(t->name);
  for (auto _ : state) {
    gsb::strace::Trace trace;
    trace.set_argv_filter(&gsb::profile_gen::needs_argv);
    gsb::profile_gen::Collector c;
    auto on_event = [&](const gsb::strace::Event& e) { c.add(e); };
    auto on_row = [&](const gsb::strace::SummaryRow& r) { c.add(r); };
    std::string_view text = t->text;
    trace.begin(t->name);
    while (!text.empty()) {
      size_t nl = text.size() <= (1u << 20) ? std::string_view::npos : text.rfind('\n', 1u << 20);
      size_t cut = nl == std::string_view::npos ? text.size() : nl + 1;
      trace.feed(text.substr(0, cut), cut == text.size());
      trace.drain(on_event, on_row);
      text.remove_prefix(cut);
    }
    trace.end();
    trace.drain(on_event, on_row);
    auto agg = c.finish();
    benchmark::DoNotOptimize(agg.calls);
  }
  set_rate(state, t->text.size());
}
BENCHMARK(BM_ParseAndCollectLikeProfileGenerate)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_Gunzip(benchmark::State& state) {
  std::string path = kCorpus + "/gopls-check.f-tt-T-y.strace.gz";
  auto bytes = gsb::sys::read_file(path);
  if (!bytes) {
    state.SkipWithError("corpus not found");
    return;
  }
  size_t out = 0;
  for (auto _ : state) {
    auto r = gsb::trace_input::gunzip(*bytes);
    out = r ? r->size() : 0;
    benchmark::DoNotOptimize(out);
  }
  set_rate(state, out);
}
BENCHMARK(BM_Gunzip)->Unit(benchmark::kMillisecond);

void BM_AggregateAndGenerate(benchmark::State& state) {
  const auto* t = largest();
  if (!t) {
    state.SkipWithError("corpus not found");
    return;
  }
  gsb::strace::Trace trace;
  trace.parse(t->text, t->name);
  for (auto _ : state) {
    auto agg = gsb::profile_gen::aggregate(trace);
    gsb::profile_gen::Options o;
    o.always_allowed = gsb::profile_gen::default_always_allowed();
    auto gen = gsb::profile_gen::generate(agg, o);
    benchmark::DoNotOptimize(gen.ok());
  }
  set_rate(state, t->text.size());
}
BENCHMARK(BM_AggregateAndGenerate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
