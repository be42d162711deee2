#!/usr/bin/env bash
# Build with AddressSanitizer + UndefinedBehaviorSanitizer into ./build-asan and run the unit and
# integration tests (real sandboxes, as root and as the unprivileged test user) under them.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGSB_SANITIZE=ON
cmake --build build-asan -j"$(nproc)"
# GSB_SANITIZE_TESTS: a ctest -R filter (CI uses one that keeps every launcher code path — pid 1,
# mounts, Landlock, seccomp, the supervisor, the CLI — and leaves out the long gopls sessions).
filter=()
if [ -n "${GSB_SANITIZE_TESTS:-}" ]; then filter=(-R "$GSB_SANITIZE_TESTS"); fi
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L 'unit|integration' "${filter[@]}" --output-on-failure -j2
