#!/usr/bin/env bash
# package.deb: build the .deb from a build dir with CPack (into a temporary directory), unpack it
# with `dpkg -x` into a staging root and run the launcher from there.
#   tests/package/test-deb.sh BUILD_DIR [CPACK]
# Exit 0 pass, 1 fail, 77 skip (no dpkg).
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR [CPACK]}" && pwd)
cpack=${2:-cpack}
if ! command -v dpkg-deb >/dev/null; then
  echo "SKIP: dpkg-deb not found"
  [ "${GSB_REQUIRE_ALL:-0}" = 1 ] && exit 1
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gsb-deb-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

# 1. Build the package. -B keeps CPack's staging tree and the .deb out of the build dir.
start=$SECONDS
if ! "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log" >&2
  echo "FAIL: cpack -G DEB" >&2
  exit 1
fi
debs=("$tmp"/out/*.deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || { ls -l "$tmp/out" >&2; echo "FAIL: expected one .deb" >&2; exit 1; }
deb=${debs[0]}
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes) in $((SECONDS - start))s"

# 2. Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
check "Package: gopls-sandbox" test "$(field Package)" = gopls-sandbox
check "Architecture: amd64" test "$(field Architecture)" = "$(dpkg --print-architecture)"
depends=$(field Depends)
echo "Depends: $depends"
echo "Recommends: $(field Recommends)"
# A static-pie launcher (the default build) needs no shared library; a dynamic one names them.
if file -L "$build/gopls-sandbox" | grep -q 'static-pie linked\|statically linked'; then
  for d in libseccomp2 libcap2 libtomlplusplus3 zlib1g libstdc++6 libc6; do
    check "static launcher: Depends does not name $d" bash -c "! grep -q '\b$d\b' <<<'$depends'"
  done
else
  for d in libseccomp2 libcap2 zlib1g; do
    check "Depends names $d" grep -q "\b$d\b" <<<"$depends"
  done
fi
for r in gopls golang-go; do check "Recommends names $r" grep -q "\b$r\b" <<<"$(field Recommends)"; done
check "Maintainer set" test -n "$(field Maintainer)"

# 3. Contents: everything under /usr, nothing under /usr/local.
dpkg-deb -c "$deb" >"$tmp/contents"
check "no /usr/local in the package" bash -c "! grep -q ' \./usr/local' '$tmp/contents'"
check "nothing outside /usr but the AppArmor profile" bash -c "! awk '{print \$6}' '$tmp/contents' | grep -v '^\./\$' | grep -v '^\./etc/\$' | grep -v '^\./etc/apparmor.d/' | grep -vq '^\./usr/'"

stage="$tmp/stage"
dpkg-deb -x "$deb" "$stage"
exe="$stage/usr/bin/gopls-sandbox"
link="$stage/usr/libexec/gopls-sandbox/gopls"
for f in usr/bin/gopls-sandbox usr/share/gopls-sandbox/profiles/gopls.toml \
         usr/share/gopls-sandbox/profiles/gopls-strict.toml usr/share/gopls-sandbox/profiles/README.md \
         usr/share/gopls-sandbox/groups.txt usr/share/man/man1/gopls-sandbox.1.gz \
         usr/share/bash-completion/completions/gopls-sandbox usr/share/zsh/vendor-completions/_gopls-sandbox \
         etc/apparmor.d/gopls-sandbox; do
  check "contains /$f" test -s "$stage/$f"
done
check "gopls-sandbox is executable" test -x "$exe"
shim="$stage/usr/libexec/gopls-sandbox/bin/go"
check "the go shim is executable and alone in its directory" bash -c "[ -x '$shim' ] && [ \"\$(ls '$stage/usr/libexec/gopls-sandbox/bin')\" = go ]"
check "the go shim is static (no program interpreter)" bash -c "! readelf -l '$shim' | grep -q INTERP"
check "libexec/gopls-sandbox/gopls is a relative symlink" bash -c "[ -L '$link' ] && [[ \$(readlink '$link') != /* ]]"
check "the gopls link resolves to the staged binary" test "$(readlink -f "$link")" = "$(readlink -f "$exe")"
check "groups.txt lists @groups" grep -q "@" "$stage/usr/share/gopls-sandbox/groups.txt"
if command -v man >/dev/null; then
  check "man page renders" bash -c "MANWIDTH=80 man -l '$stage/usr/share/man/man1/gopls-sandbox.1.gz' 2>&1 >/dev/null | (! grep -q .)"
fi
check "bash completion loads" bash -c "source '$stage/usr/share/bash-completion/completions/gopls-sandbox' && complete -p gopls-sandbox >/dev/null"

# 4. Run it from the staging root, with a clean environment (no user profile dir).
run() { env -i PATH=/usr/bin:/bin HOME="$tmp/home" "$@"; }
mkdir -p "$tmp/home"
version=$(run "$exe" --version) || true
echo "--version: $version"
check "--version prints the version" grep -Eq '^gopls-sandbox [0-9]+\.[0-9]+' <<<"$version"

run "$exe" profile list >"$tmp/list.txt" 2>&1 || fail "profile list exit status"
run "$exe" profile list --json >"$tmp/list.json" 2>&1 || fail "profile list --json exit status"
cat "$tmp/list.txt"
# The first (unshadowed) entry of each shipped profile must be the staged file.
for name in gopls gopls-strict; do
  want="$stage/usr/share/gopls-sandbox/profiles/$name.toml"
  first=$(grep -o '"path": *"[^"]*/'"$name"'\.toml"' "$tmp/list.json" | sed -n 1p | sed 's/.*"\([^"]*\)"$/\1/')
  check "profile list: $name from the staging root (got ${first:-nothing})" test "$first" = "$want"
done
check "profile show gopls loads the staged profile" bash -c "env -i PATH=/usr/bin:/bin HOME='$tmp/home' '$exe' profile show gopls | grep -q '$stage/usr/share/gopls-sandbox/profiles/gopls.toml'"

# 5. Drop-in mode through the libexec link: runs the real gopls, sandboxed.
if command -v gopls >/dev/null; then
  # Whole outputs, first lines compared (no `| head`: SIGPIPE + pipefail).
  want=$(gopls version 2>&1) || true
  want=${want%%$'\n'*}
  got=$(cd "$tmp/home" && run "$link" version 2>"$tmp/dropin.err") || true
  got=${got%%$'\n'*}
  echo "gopls version: $want"
  echo "through the link: $got"
  if [ "$got" = "$want" ] && [ -n "$want" ]; then
    ok "libexec/gopls-sandbox/gopls version prints gopls' version"
  else
    cat "$tmp/dropin.err" >&2
    fail "libexec/gopls-sandbox/gopls version"
  fi
elif [ "${GSB_REQUIRE_ALL:-0}" = 1 ]; then
  fail "gopls not installed (GSB_REQUIRE_ALL=1: the drop-in check may not skip)"
else
  echo "skip: gopls not installed (drop-in check)"
fi

echo "package.deb: $fails failure(s), $((SECONDS - start))s"
[ "$fails" = 0 ]
