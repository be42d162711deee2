#!/usr/bin/env bash
# Install the Debian 12 packages gopls-sandbox needs (when run as root) and build into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS=(build-essential cmake pkg-config libseccomp-dev libcap-dev libcli11-dev libtomlplusplus-dev
      zlib1g-dev libgtest-dev libbenchmark-dev gopls golang-go strace bubblewrap util-linux passwd
      clang libclang-rt-14-dev dpkg-dev file apparmor)
if [ "$(id -u)" = 0 ]; then
  missing=()
  for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
