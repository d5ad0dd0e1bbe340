#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job, end to end: install what is missing, build, start the bundled
# reference model server on loopback, annotate a test video (a bouncing ball)
# with slymodelinfer, print what the model detected in each frame, then write
# the annotated video (slyoverlay) and its Supervisely video annotation
# (slyannotationsink) into build/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}
frames=${FRAMES:-30}

bash scripts/install-deps.sh
[ -f "$builddir/build.ninja" ] || meson setup "$builddir" >/dev/null
ninja -C "$builddir" >/dev/null

server_out=$(mktemp)
"$builddir/src/server/sly-model-server" --port 0 --model blob-detector >"$server_out" &
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
echo "annotating $frames frames with tracking into $out/ ..."
gst-launch-1.0 -q videotestsrc pattern=ball num-buffers="$frames" ! \
    video/x-raw,width=320,height=240 ! videoconvert ! \
    slymodelinfer url="$url" tracking=true ! tee name=t \
    t. ! queue ! videoconvert ! slyoverlay ! videoconvert ! jpegenc ! avimux ! \
        filesink location="$out/ball-annotated.avi" \
    t. ! queue ! slyannotationsink location="$out/ball.json"
/usr/bin/python3 - "$out/ball.json" <<'PY'
import json, sys
ann = json.load(open(sys.argv[1]))
figures = sum(len(f["figures"]) for f in ann["frames"])
print(f"{sys.argv[1]}: {ann['size']['width']}x{ann['size']['height']}, "
      f"{ann['framesCount']} frames, {len(ann['objects'])} object(s) "
      f"({', '.join(o['classTitle'] for o in ann['objects'])}), {figures} figures")
PY
echo "annotated video: $out/ball-annotated.avi"
