#!/usr/bin/env bash
# Build gopls-sandbox into ./build (and the pinned current gopls into build/gopls-VERSION).
# As root, first installs the Debian 12 packages it needs. Under sudo, only that apt step runs
# as root: the build itself runs as the invoking user ($SUDO_USER), so ./build stays theirs.
# Run as root without sudo (CI, containers), everything runs as root.
#   scripts/build.sh              apt (as root) + build
#   scripts/build.sh --no-apt     build only
set -euo pipefail
cd "$(dirname "$0")/.."
no_apt=0
if [ "${1:-}" = --no-apt ]; then no_apt=1; fi
PKGS=(build-essential cmake pkg-config libseccomp-dev libcap-dev libcli11-dev libtomlplusplus-dev
      zlib1g-dev libgtest-dev libbenchmark-dev gopls golang-go strace bubblewrap util-linux passwd
      clang libclang-rt-14-dev dpkg-dev file apparmor)
if [ "$(id -u)" = 0 ] && [ "$no_apt" = 0 ]; then
  missing=()
  for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
    if [ -e build ] && ! runuser -u "$SUDO_USER" -- test -w build; then
      echo "build.sh: ./build is not writable by $SUDO_USER (an earlier build as root?):" \
           "sudo chown -R $SUDO_USER: build, then rerun" >&2
      exit 1
    fi
    echo "build.sh: packages done; building as $SUDO_USER"
    exec runuser -u "$SUDO_USER" -- "$(pwd)/scripts/build.sh" --no-apt
  fi
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"

# The current gopls (issue 15), pinned, built from the Go module proxy with the machine's Go into
# build/gopls-$GOPLS_VERSION/bin/gopls. Its own GOPATH, GOMODCACHE and GOCACHE under that
# directory: nothing depends on (or lands in) the caches of the user running this script. The
# tests pair it with the go it was built with; Debian's gopls stays the other generation.
# GSB_GOPLS_VERSION=none skips it.
GOPLS_VERSION="${GSB_GOPLS_VERSION:-v0.23.0}"
GOPLS_MIN_GO=1.26   # golang.org/x/tools/gopls@v0.23.0's go.mod says `go 1.26.0`
install_current_gopls() {
  local dir="build/gopls-$GOPLS_VERSION" go gover
  go="$(command -v go || true)"
  if [ -z "$go" ]; then
    echo "build.sh: no go on PATH: not installing gopls $GOPLS_VERSION (tests use Debian's gopls only)"
    return 0
  fi
  gover="$("$go" env GOVERSION 2>/dev/null || true)"   # go1.26.8
  if ! printf '%s\n%s\n' "go$GOPLS_MIN_GO" "${gover%%-*}" | sort -V -C; then
    echo "build.sh: $go is ${gover:-unknown}, gopls $GOPLS_VERSION needs go$GOPLS_MIN_GO or newer:" \
         "keeping Debian's gopls only (install a newer Go first on PATH and rerun to test both)"
    return 0
  fi
  if [ -x "$dir/bin/gopls" ] && [ "$("$go" version "$dir/bin/gopls" 2>/dev/null | awk '{print $2}')" = "$gover" ]; then
    echo "build.sh: gopls $GOPLS_VERSION already in $dir/bin (built with $gover)"
    return 0
  fi
  echo "build.sh: installing golang.org/x/tools/gopls@$GOPLS_VERSION with $go ($gover) into $dir/bin"
  mkdir -p "$dir"
  local abs
  abs="$(cd "$dir" && pwd)"
  env -u GOFLAGS -u GOENV GOENV=off GOTOOLCHAIN=local GOFLAGS=-modcacherw \
      GOBIN="$abs/bin" GOPATH="$abs/gopath" GOMODCACHE="$abs/gopath/pkg/mod" GOCACHE="$abs/gocache" \
      "$go" install "golang.org/x/tools/gopls@$GOPLS_VERSION"
  chmod -R a+rX "$abs/bin"
  "$abs/bin/gopls" version
}
if [ "$GOPLS_VERSION" != none ]; then install_current_gopls; fi
