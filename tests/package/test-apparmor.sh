#!/usr/bin/env bash
# Parse the shipped AppArmor profile without loading it (the project's machines have no AppArmor
# in the kernel). Debian 12's parser (AppArmor 3.0) predates the `userns` rule and the 4.0 ABI
# file that Ubuntu 24.04's profile needs: with an older parser, those two lines are checked to be
# present and the rest is parsed; with AppArmor 4 the file is parsed as it is.
set -euo pipefail
profile="$1"
command -v apparmor_parser >/dev/null || { echo "apparmor_parser missing (Debian package apparmor)"; exit 1; }
grep -Eq '^\s*userns,\s*$' "$profile" || { echo "$profile: no userns rule"; exit 1; }
grep -Eq '^abi <abi/4\.0>,' "$profile" || { echo "$profile: no abi 4.0 line"; exit 1; }
grep -Eq 'flags=\(unconfined\)' "$profile" || { echo "$profile: not flags=(unconfined)"; exit 1; }
version=$(apparmor_parser --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p;q')
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if [ "${version:-0}" -ge 4 ]; then
  cp "$profile" "$tmp"
else
  grep -Ev '^\s*userns,\s*$|^abi <abi/4\.0>,' "$profile" > "$tmp"
fi
# -Q: do not load into the kernel; -K: no cache; -T: skip reading the cache.
apparmor_parser -Q -K -T "$tmp" 2>&1 | grep -v 'Cache read/write disabled' || true
apparmor_parser -Q -K -T "$tmp" 2>/dev/null
echo "apparmor profile ok (parser ${version})"
