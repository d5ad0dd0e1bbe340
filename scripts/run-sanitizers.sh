#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the default test suites again under three checkers (style.md 4.4-4.6):
#   1. under valgrind memcheck (the 'valgrind' test setup of meson.build,
#      suppressions in tests/valgrind/gst-supervisely.supp), in BUILDDIR;
#   2. in an AddressSanitizer + UBSan build (-Db_sanitize=address,undefined)
#      with leak detection (suppressions in tests/valgrind/lsan.supp), in
#      ASAN_BUILDDIR;
#   3. the gst-check tests (suites element and unit) with GStreamer's leak
#      tracer (style.md 4.6), in BUILDDIR: a GstObject or GstMiniObject alive
#      at exit fails the test.
# Usage: scripts/run-sanitizers.sh [valgrind|asan|leaks]... (default: all); extra
# `meson test` arguments go in MESON_TEST_ARGS (e.g. "--suite unit").
# The last lines printed are one summary line per run; the exit status is 0
# only when every run passed. docs/testing.md explains each knob.
set -uo pipefail

# Wrapper mode for the leaks run: the leak tracer is in the system plugin
# directory, which some tests leave out of their plugin path; add it, with a
# registry file of its own, then run the test.
if [ "${1:-}" = "--leaks-wrapper" ]; then
  shift
  sysdir=$(pkg-config --variable=pluginsdir gstreamer-1.0)
  export GST_PLUGIN_PATH_1_0="${GST_PLUGIN_PATH_1_0:+$GST_PLUGIN_PATH_1_0:}$sysdir"
  [ -z "${GST_REGISTRY:-}" ] || export GST_REGISTRY="$GST_REGISTRY.leaks"
  exec "$@"
fi

cd "$(dirname "$0")/.."
srcdir=$(pwd)
builddir=${BUILDDIR:-build}
asan_builddir=${ASAN_BUILDDIR:-build-asan}
jobs=${JOBS:-2}
read -r -a extra <<< "${MESON_TEST_ARGS:-}"
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(valgrind asan leaks)

summary=()
status=0

# count LOG: "N passed, N failed, N skipped" from meson test's totals
count () {
  local log=$1 ok fail timeout skipped xpass
  get () { sed -n "s/^$1: *\([0-9]\+\).*/\1/p" "$log" | tail -n 1; }
  ok=$(get 'Ok'); fail=$(get 'Fail'); timeout=$(get 'Timeout')
  xpass=$(get 'Unexpected Pass'); skipped=$(get 'Skipped')
  failed=$(( ${fail:-0} + ${timeout:-0} + ${xpass:-0} ))
  passed=${ok:-0}
  echo "${passed} passed, ${failed} failed, ${skipped:-0} skipped"
}

# run NAME BUILDDIR MESON-TEST-ARGS...: build, test, record a summary line
run () {
  local name=$1 dir=$2 log start rc failed passed line
  shift 2
  log=$(mktemp)
  ninja -C "$dir" -j "$jobs" || { summary+=("$name: build failed"); status=1; return; }
  start=$(date +%s)
  meson test -C "$dir" --num-processes "$jobs" --print-errorlogs \
      "$@" "${extra[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(count "$log")
  failed=$(echo "$line" | sed 's/.* \([0-9]\+\) failed.*/\1/')
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    line="$line (meson test exited with $rc)"   # never report green then
  fi
  [ "$rc" -eq 0 ] || status=1
  summary+=("$name: $line in $(( $(date +%s) - start )) s")
  rm -f "$log"
}

for r in "${runs[@]}"; do
  case $r in
    valgrind)
      command -v valgrind > /dev/null || { echo "valgrind is not installed"; exit 1; }
      [ -f "$builddir/build.ninja" ] || meson setup "$builddir" || exit 1
      # A first scan of the system plugins under valgrind can die on libhwy's
      # RDTSCP (docs/testing.md): the gst-check tests write their registry
      # files in a plain run first.
      ninja -C "$builddir" -j "$jobs" > /dev/null &&
        meson test -C "$builddir" --num-processes "$jobs" --suite element --suite cli \
          > /dev/null 2>&1
      # The setup excludes slow, bench, fuzz-long, no-valgrind and style.
      run valgrind "$builddir" --setup valgrind
      ;;
    asan)
      [ -f "$asan_builddir/build.ninja" ] ||
        meson setup "$asan_builddir" -Db_sanitize=address,undefined || exit 1
      # detect_leaks: LeakSanitizer at every exit, also of sly-model-server.
      # fast_unwind_on_malloc=0: Debian's GLib has no frame pointers, so the
      #   fast unwinder stops at g_malloc and lsan.supp's entries (named by
      #   frames below it) would never match.
      # GST_REGISTRY_FORK=no: the uninstrumented gst-plugin-scanner cannot
      #   load an ASan plugin (check_env sets it too).
      # LD_PRELOAD (tests only, via --wrapper): uninstrumented programs the
      #   tests spawn (python3 for PyGObject, gst-inspect-1.0) load our ASan
      #   libraries, which needs the runtime first in the library list.
      # --no-suite style: the format check runs git and indent, which the
      #   preloaded LeakSanitizer would fail; the default run covers it.
      # --timeout-multiplier 3: instrumented code runs about 2-3 times
      #   slower; the overlay and tracking suites came within a few seconds
      #   of their default limits, and over them on a loaded machine.
      # The cli suite runs too: sly-annotate is instrumented, and every exit
      #   of it (usage errors, a refused token, an unreachable server...)
      #   must be free of leaks, or LeakSanitizer changes its exit status
      #   and the test fails; the valgrind run does not see the tool itself.
      ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=0 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      LSAN_OPTIONS=suppressions=$srcdir/tests/valgrind/lsan.supp \
      GST_REGISTRY_FORK=no \
        run asan "$asan_builddir" \
          --no-suite style --timeout-multiplier 3 \
          --wrapper "env LD_PRELOAD=$(gcc -print-file-name=libasan.so)"
      ;;
    leaks)
      [ -f "$builddir/build.ninja" ] || meson setup "$builddir" || exit 1
      # gst-check turns the tracer's "Leaks detected" warning into a failure.
      GST_TRACERS=leaks GST_DEBUG=GST_TRACER:7 \
        run leaks "$builddir" --suite element --suite unit \
          --wrapper "$srcdir/scripts/run-sanitizers.sh --leaks-wrapper"
      ;;
    *) echo "unknown run '$r' (valgrind, asan or leaks)"; exit 2 ;;
  esac
done

echo
for s in "${summary[@]}"; do echo "$s"; done
exit $status
