#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print the predictions that slymodelinfer attaches to video frames.

Runs
    videotestsrc pattern=ball ! videoconvert ! slymodelinfer url=URL ! appsink
and prints, for each of the first N frames, every predicted object with its
class, confidence, bounding box and track id, read from the buffer's
GstSlyPredictionMeta through the GstSlyMeta typelib.

Usage: print_predictions.py URL [N]   (N defaults to 10)

Needs python3-gi, python3-gst-1.0 and the GstSlyMeta-1.0 typelib (installed,
or in GI_TYPELIB_PATH with its library in LD_LIBRARY_PATH).
docs/meta.md describes the API.
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSlyMeta", "1.0")
from gi.repository import Gst, GstSlyMeta  # noqa: E402


def print_frame(index, buf):
    pts = Gst.TIME_ARGS(buf.pts)
    # PyGObject cannot turn a Gst.Meta into our struct by itself: this
    # function finds the meta and returns it typed.
    meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
    if meta is None:
        print(f"frame {index} pts {pts}: no predictions")
        return

    n = meta.get_n_objects()
    rtt = meta.get_round_trip()
    rtt_text = "-" if rtt == Gst.CLOCK_TIME_NONE else f"{rtt / Gst.MSECOND:.1f} ms"
    status = meta.get_status().value_nick
    model = meta.get_model_name() or "(null)"
    print(f"frame {index} pts {pts}: {status}, model {model}, "
          f"round trip {rtt_text}, {n} objects")

    # GstSlyMeta.Object values; they stay valid after the buffer is gone
    for obj in meta.get_objects():
        x, y, w, h = obj.get_box()
        track = str(obj.get_track_id() or "-")
        print(f"  {obj.get_class_title()} {obj.get_confidence():.3f} "
              f"box {x},{y} {w}x{h} track {track}")


def report_errors(pipeline):
    ok = True
    bus = pipeline.get_bus()
    while True:
        msg = bus.pop_filtered(Gst.MessageType.ERROR)
        if msg is None:
            return ok
        error, debug = msg.parse_error()
        print(f"error from {msg.src.get_name()}: {error.message}\n{debug}",
              file=sys.stderr)
        ok = False


def main(argv):
    Gst.init(None)
    try:
        n_frames = int(argv[2]) if len(argv) == 3 else 10
    except ValueError:
        n_frames = 0
    if len(argv) not in (2, 3) or n_frames <= 0:
        print(f"usage: {argv[0]} URL [N]", file=sys.stderr)
        return 2
    url = argv[1]

    pipeline = Gst.parse_launch(
        f"videotestsrc pattern=ball num-buffers={n_frames} ! videoconvert ! "
        f'slymodelinfer url="{url}" ! appsink name=sink sync=false')
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)

    frames = 0
    while True:
        sample = sink.emit("pull-sample")  # None at EOS or on error
        if sample is None:
            break
        print_frame(frames, sample.get_buffer())
        frames += 1

    ok = report_errors(pipeline)
    pipeline.set_state(Gst.State.NULL)
    if ok and frames != n_frames:
        print(f"got {frames} frames of {n_frames}", file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
