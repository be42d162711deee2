#!/usr/bin/env bash
# Build the libFuzzer targets (tests/fuzz/) with clang-14 into ./build-fuzz and run each for
# SECONDS (default 60). Exits non-zero when any target finds a crash, leak, timeout or
# invariant violation; the input is kept in build-fuzz/fuzz/artifacts/<target>/ (turn it into a
# regression: tests/fuzz/README.md).
#   scripts/fuzz.sh [SECONDS]          FUZZ_TARGETS="strace json" scripts/fuzz.sh 30
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
[[ "$secs" =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS]" >&2; exit 2; }
read -r -a targets <<<"${FUZZ_TARGETS:-profile config strace lsp_framing json}"

cmake -S . -B build-fuzz -DGSB_BUILD_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target gsb_fuzzers

out=build-fuzz/fuzz
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$out/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
  work="$out/corpus/$t" arts="$out/artifacts/$t" log="$out/fuzz_$t.log"
  mkdir -p "$work" "$arts"
  echo "=== fuzz_$t: ${secs}s (log: $log)"
  # New inputs go to the first directory (the work corpus); the seeds and the regressions are
  # read only. -timeout: one input running longer than 10 s counts as a hang.
  rc=0
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$arts/" \
    "$work" "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
  line="fuzz_$t: rc=$rc runs=${execs:-?} exec/s=${rate:-?} ${cov} corpus=$(ls "$work" | wc -l)"
  summary+=("$line")
  if [ "$rc" != 0 ]; then
    failed+=("$t")
    echo "--- fuzz_$t FAILED (exit $rc); last lines of $log:"
    tail -n 60 "$log"
    ls -l "$arts"
  fi
  echo "$line"
done
echo "=== fuzz summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: crashes in: ${failed[*]} (inputs under $out/artifacts/)" >&2
  exit 1
fi
