#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a libFuzzer binary for SECONDS on a scratch corpus seeded from the
# checked-in one (libFuzzer writes new inputs into its first directory only,
# so the source tree stays untouched). Crashes land in ARTIFACTS (default:
# the current directory) as crash-*, timeout-*, oom-*.
# usage: run-libfuzzer.sh FUZZER SEED_DIR SECONDS [libFuzzer options...]
set -eu
fuzzer=$1 seeds=$2 seconds=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=${ARTIFACTS:-$PWD}
mkdir -p "$artifacts"
# not exec: the trap must still remove the scratch corpus (the exit status
# is libFuzzer's either way)
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$work" "$seeds"
