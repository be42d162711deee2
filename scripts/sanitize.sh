#!/usr/bin/env bash
# Build with AddressSanitizer + UndefinedBehaviorSanitizer into ./build-asan and run the unit and
# integration tests (real sandboxes, as root and as the unprivileged test user) under them.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGSB_SANITIZE=ON
cmake --build build-asan -j"$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L 'unit|integration' --output-on-failure -j2
