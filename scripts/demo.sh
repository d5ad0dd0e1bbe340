#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job, end to end: install what is missing, build, start the bundled
# reference model server on loopback, annotate a test video (a bouncing ball)
# with slymodelinfer, print what the model detected in each frame, then
# annotate a ball video file with the command-line tool sly-annotate
# (docs/annotate.md): a Supervisely project in build/demo/project/ with the
# video annotation, meta.json and an annotated video drawn by slyoverlay.
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}
frames=${FRAMES:-30}
video_frames=${VIDEO_FRAMES:-150}

bash scripts/install-deps.sh
[ -f "$builddir/build.ninja" ] || meson setup "$builddir" >/dev/null
ninja -C "$builddir" >/dev/null

server_out=$(mktemp)
# --latency-ms: 20 ms per image, as a real model would take (the progress
# line of sly-annotate then has time to show)
"$builddir/src/server/sly-model-server" --port 0 --model blob-detector \
    --latency-ms 20 >"$server_out" &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null; rm -f "$server_out"' EXIT
for _ in $(seq 100); do
  grep -q '^listening on ' "$server_out" && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$server_out" | head -n 1)
[ -n "$url" ] || { echo "sly-model-server did not start" >&2; exit 1; }
echo "sly-model-server listening on $url"

export GST_PLUGIN_PATH="$PWD/$builddir/gst/supervisely${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
"$builddir/docs/examples/print-predictions" "$url" "$frames"

out="$builddir/demo"
mkdir -p "$out"
echo
echo "writing a test video: $out/ball.avi ($video_frames frames, JPEG in AVI)"
gst-launch-1.0 -q videotestsrc pattern=ball num-buffers="$video_frames" ! \
    video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert ! \
    jpegenc ! avimux ! filesink location="$out/ball.avi"
echo "sly-annotate --url $url --tracking --overlay --output $out/project $out/ball.avi"
rm -rf "$out/project"
"$builddir/tools/sly-annotate/sly-annotate" --url "$url" --tracking --overlay \
    --output "$out/project" "$out/ball.avi"
echo
echo "Supervisely project (import it as a videos project, docs/annotate.md):"
find "$out/project" | sort | sed "s|^$out/||"
