#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The prediction meta through GObject introspection, as Python users see it:
the typelib loads, predictions attach from JSON, the meta is found on a
buffer, and its objects (GstSlyMeta.Object) give the values C gives."""

import base64
import json
import struct
import unittest
import zlib

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSlyMeta", "1.0")
from gi.repository import GLib, Gst, GstSlyMeta  # noqa: E402

# a tracked "ball" box and an untracked "tri" polygon in a 64x48 frame
ANNOTATION = {
    "size": {"height": 48, "width": 64},
    "description": "",
    "tags": [],
    "objects": [
        {"classTitle": "ball", "description": "",
         "tags": [{"name": "confidence", "value": 0.875}],
         "geometryType": "rectangle",
         "points": {"exterior": [[8, 4], [23, 19]], "interior": []}},
        {"classTitle": "tri", "description": "",
         "tags": [{"name": "confidence", "value": 0.25}],
         "geometryType": "polygon",
         "points": {"exterior": [[10, 10], [30, 12], [20, 40]],
                    "interior": []}},
    ],
    "customBigData": [7, 9],
}

# a 4x2 binary mask at column 2, row 3
MASK_ROWS = [[1, 0, 1, 1], [0, 1, 1, 0]]


def png_gray(rows):
    """An 8-bit greyscale PNG of rows of 0/1 values (1 becomes 255)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"".join(b"\x00" + bytes(255 * v for v in row) for row in rows)
    header = struct.pack(">IIBBBBB", len(rows[0]), len(rows), 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def bitmap_annotation():
    data = base64.b64encode(zlib.compress(png_gray(MASK_ROWS))).decode()
    return {
        "size": {"height": 48, "width": 64}, "description": "", "tags": [],
        "objects": [{"classTitle": "blob", "description": "", "tags": [],
                     "geometryType": "bitmap",
                     "bitmap": {"origin": [2, 3], "data": data}}],
    }


def frame_with_meta(status=GstSlyMeta.FrameStatus.INFERRED,
                    annotation=ANNOTATION, width=64, height=48):
    buf = Gst.Buffer.new_allocate(None, width * height * 4, None)
    text = json.dumps(annotation) if annotation is not None else None
    meta = GstSlyMeta.buffer_add_sly_prediction_meta_from_json(
        buf, status, text, 12 * Gst.MSECOND, "blob-detector")
    assert meta is not None
    return buf


class PredictionMetaTest(unittest.TestCase):
    def test_frame_fields(self):
        buf = frame_with_meta()
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        self.assertIsNotNone(meta)
        self.assertEqual(meta.get_status(), GstSlyMeta.FrameStatus.INFERRED)
        self.assertEqual(meta.get_status().value_nick, "inferred")
        self.assertEqual(meta.status, GstSlyMeta.FrameStatus.INFERRED)
        self.assertEqual(meta.get_round_trip(), 12 * Gst.MSECOND)
        self.assertEqual(meta.round_trip, 12 * Gst.MSECOND)
        self.assertEqual(meta.get_model_name(), "blob-detector")
        self.assertEqual(meta.model_name, "blob-detector")
        self.assertEqual(meta.get_size(), (True, 64, 48))
        self.assertEqual(meta.get_n_objects(), 2)
        self.assertEqual(meta.get_class_names(), [])

    def test_objects(self):
        buf = frame_with_meta()
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        meta.set_class_names(["tri", "cat"])
        objects = meta.get_objects()
        self.assertEqual(meta.get_class_names(), ["tri", "cat"])
        # the objects hold the predictions, not the buffer
        del meta, buf

        self.assertEqual(len(objects), 2)
        ball, tri = objects
        self.assertIsInstance(ball, GstSlyMeta.Object)
        self.assertEqual(ball.get_index(), 0)
        self.assertEqual(ball.get_class_title(), "ball")
        self.assertEqual(ball.get_class_id(), -1)
        self.assertEqual(ball.get_confidence(), 0.875)
        self.assertEqual(tuple(ball.get_box()), (8, 4, 16, 16))
        box = ball.get_box()
        self.assertEqual((box.x, box.y, box.width, box.height),
                         (8, 4, 16, 16))
        self.assertEqual(ball.get_track_id(), 7)
        self.assertEqual(ball.get_geometry_type(), "rectangle")
        self.assertEqual(ball.get_points(), [8, 4, 23, 19])
        self.assertFalse(ball.has_mask())
        self.assertEqual(json.loads(ball.to_json())["classTitle"], "ball")

        self.assertEqual(tri.get_index(), 1)
        self.assertEqual(tri.get_class_title(), "tri")
        self.assertEqual(tri.get_class_id(), 0)
        self.assertEqual(tri.get_confidence(), 0.25)
        self.assertEqual(tuple(tri.get_box()), (10, 10, 21, 31))
        self.assertEqual(tri.get_track_id(), 9)
        self.assertEqual(tri.get_geometry_type(), "polygon")
        self.assertEqual(tri.get_points(), [10, 10, 30, 12, 20, 40])

    def test_nth_object(self):
        buf = frame_with_meta()
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        tri = meta.get_nth_object(1)
        self.assertEqual(tri.get_class_title(), "tri")
        self.assertIsNone(meta.get_nth_object(2))
        whole = json.loads(meta.to_json())
        self.assertEqual(len(whole["objects"]), 2)

    def test_mask(self):
        buf = frame_with_meta(annotation=bitmap_annotation())
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        (blob,) = meta.get_objects()
        self.assertTrue(blob.has_mask())
        self.assertEqual(blob.get_geometry_type(), "bitmap")
        self.assertEqual(blob.get_points(), [])
        self.assertEqual(tuple(blob.get_box()), (2, 3, 4, 2))
        data, x, y, width, height = blob.get_mask()
        self.assertEqual((x, y, width, height), (2, 3, 4, 2))
        self.assertIsInstance(data, GLib.Bytes)
        self.assertEqual(list(data.get_data()),
                         [255 * v for row in MASK_ROWS for v in row])

    def test_mask_of_a_box_raises(self):
        buf = frame_with_meta()
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        with self.assertRaises(GLib.Error):
            meta.get_nth_object(0).get_mask()

    def test_no_meta(self):
        self.assertIsNone(
            GstSlyMeta.buffer_get_sly_prediction_meta(Gst.Buffer.new()))

    def test_skipped_frame(self):
        buf = frame_with_meta(GstSlyMeta.FrameStatus.SKIPPED, None)
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        self.assertEqual(meta.get_status().value_nick, "skipped")
        self.assertEqual(meta.get_n_objects(), 0)
        self.assertEqual(meta.get_objects(), [])
        self.assertIsNone(meta.to_json())
        self.assertEqual(meta.get_size(), (False, 0, 0))

    def test_bad_json_raises(self):
        buf = Gst.Buffer.new_allocate(None, 16, None)
        with self.assertRaises(GLib.Error):
            GstSlyMeta.buffer_add_sly_prediction_meta_from_json(
                buf, GstSlyMeta.FrameStatus.INFERRED, "{\"objects\": 3}",
                Gst.CLOCK_TIME_NONE, None)
        self.assertIsNone(GstSlyMeta.buffer_get_sly_prediction_meta(buf))

    def test_status_enum(self):
        nicks = [GstSlyMeta.FrameStatus(v).value_nick for v in range(5)]
        self.assertEqual(nicks, ["inferred", "skipped", "failed",
                                 "tracker-predicted", "late"])
        self.assertEqual(GstSlyMeta.frame_status_get_nick(
            GstSlyMeta.FrameStatus.TRACKER_PREDICTED), "tracker-predicted")
        self.assertEqual(GstSlyMeta.FrameStatus.LATE.value_nick, "late")

    def test_c_only_functions_hidden(self):
        # they take or return types of the private core library
        self.assertFalse(hasattr(GstSlyMeta, "buffer_add_sly_prediction_meta"))
        self.assertFalse(hasattr(GstSlyMeta.PredictionMeta, "decode_mask"))

    def test_index_accessors_deprecated(self):
        buf = frame_with_meta()
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        with self.assertWarns(DeprecationWarning):
            result = meta.get_object(0)
        self.assertEqual(tuple(result),
                         (True, "ball", 0.875, 8, 4, 16, 16, 7))


class ScaleTest(unittest.TestCase):
    """videoscale from Python: the objects come in the new frame's pixels,
    each axis by its own factor."""

    def scale(self, buf, width, height):
        pipeline = Gst.parse_launch(
            "appsrc name=src format=time caps=video/x-raw,format=RGBA,"
            "width=64,height=48,framerate=30/1 ! videoscale ! "
            f"video/x-raw,width={width},height={height} ! "
            "appsink name=sink sync=false")
        pipeline.set_state(Gst.State.PLAYING)
        buf.pts = 0
        buf.duration = Gst.SECOND // 30
        src = pipeline.get_by_name("src")
        src.emit("push-buffer", buf)
        src.emit("end-of-stream")
        sample = pipeline.get_by_name("sink").emit("pull-sample")
        pipeline.set_state(Gst.State.NULL)
        self.assertIsNotNone(sample)
        return sample.get_buffer()

    def test_scale_one_axis(self):
        out = self.scale(frame_with_meta(), 128, 48)
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(out)
        self.assertEqual(meta.get_size(), (True, 128, 48))
        ball, tri = meta.get_objects()
        self.assertEqual(tuple(ball.get_box()), (16, 4, 32, 16))
        self.assertEqual(tri.get_points(), [20, 10, 60, 12, 40, 40])

    def test_scale_mask(self):
        out = self.scale(frame_with_meta(annotation=bitmap_annotation()),
                         128, 96)
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(out)
        data, x, y, width, height = meta.get_nth_object(0).get_mask()
        self.assertEqual((x, y, width, height), (4, 6, 8, 4))
        expected = [255 * MASK_ROWS[i // 2][j // 2]
                    for i in range(4) for j in range(8)]
        self.assertEqual(list(data.get_data()), expected)


if __name__ == "__main__":
    Gst.init(None)
    unittest.main(verbosity=2)
