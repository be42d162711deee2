#!/usr/bin/env bash
# Build the libFuzzer targets (tests/fuzz/) with clang-14 into ./build-fuzz and run each for
# SECONDS (default 60), as many at a time as there are CPUs (FUZZ_JOBS overrides). Exits
# non-zero when any target finds a crash, leak, timeout or invariant violation; the input is
# kept in build-fuzz/fuzz/artifacts/<target>/ (turning it into a regression test:
# tests/fuzz/README.md).
#   scripts/fuzz.sh [SECONDS]          FUZZ_TARGETS="strace json" FUZZ_JOBS=1 scripts/fuzz.sh 30
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
[[ "$secs" =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS]" >&2; exit 2; }
read -r -a targets <<<"${FUZZ_TARGETS:-profile config strace lsp_framing json lsp_initialize}"
jobs=${FUZZ_JOBS:-$(nproc)}

cmake -S . -B build-fuzz -DGSB_BUILD_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target gsb_fuzzers

out=build-fuzz/fuzz
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One target: new inputs go to the first directory (the work corpus); the seeds and the
# regressions are read only. -timeout: one input running longer than 10 s counts as a hang.
fuzz_one() {
  local t=$1 bin="$out/fuzz_$1" work="$out/corpus/$1" arts="$out/artifacts/$1" log="$out/fuzz_$1.log"
  mkdir -p "$work" "$arts"
  local rc=0
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$arts/" \
    "$work" "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t" >"$log" 2>&1 || rc=$?
  echo "$rc" >"$out/fuzz_$t.rc"
}

for t in "${targets[@]}"; do
  [ -x "$out/fuzz_$t" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
  rm -f "$out/fuzz_$t.rc"
done
echo "=== fuzzing ${targets[*]}: ${secs}s each, $jobs at a time (logs: $out/fuzz_<target>.log)"
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait || true

failed=()
echo "=== fuzz summary"
for t in "${targets[@]}"; do
  log="$out/fuzz_$t.log"
  rc=$(cat "$out/fuzz_$t.rc" 2>/dev/null || echo "?")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
  echo "fuzz_$t: rc=$rc runs=${execs:-?} exec/s=${rate:-?} ${cov} corpus=$(ls "$out/corpus/$t" | wc -l)"
  if [ "$rc" != 0 ]; then
    failed+=("$t")
    echo "--- fuzz_$t FAILED (exit $rc); last lines of $log:"
    tail -n 60 "$log" | sed 's/^/    /'
    ls -l "$out/artifacts/$t" | sed 's/^/    /'
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failures in: ${failed[*]} (inputs under $out/artifacts/)" >&2
  exit 1
fi
