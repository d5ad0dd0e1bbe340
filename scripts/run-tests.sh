#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what is missing, configures, builds and runs the whole default test
# suite. Extra arguments go to `meson test` (e.g. --suite unit, --setup valgrind).
# The last line printed is the summary "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}

bash scripts/install-deps.sh || exit 1
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" || exit 1
fi
ninja -C "$builddir" || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

count () { sed -n "s/^$1: *\([0-9]\+\).*/\1/p" "$log" | tail -n 1; }
ok=$(count 'Ok'); xfail=$(count 'Expected Fail'); fail=$(count 'Fail')
xpass=$(count 'Unexpected Pass'); timeout=$(count 'Timeout'); skipped=$(count 'Skipped')
passed=$(( ${ok:-0} + ${xfail:-0} ))
failed=$(( ${fail:-0} + ${xpass:-0} + ${timeout:-0} ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # meson itself failed (e.g. no such suite): never report green
fi
echo "${skipped:-0} skipped"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
