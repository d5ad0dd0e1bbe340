#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The prediction meta through GObject introspection, as Python users see it:
the typelib loads, the meta is found on a buffer, and every accessor gives
the values C gives."""

import json
import unittest

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


def frame_with_meta(status=GstSlyMeta.FrameStatus.INFERRED,
                    annotation=ANNOTATION):
    buf = Gst.Buffer.new_allocate(None, 64 * 48 * 4, None)
    text = json.dumps(annotation) if annotation is not None else None
    GstSlyMeta.buffer_add_sly_prediction_meta_from_json(
        buf, status, text, 12 * Gst.MSECOND, "blob-detector")
    return buf


class PredictionMetaTest(unittest.TestCase):
    def test_frame_fields(self):
        buf = frame_with_meta()
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        self.assertIsNotNone(meta)
        self.assertEqual(meta.get_status(), GstSlyMeta.FrameStatus.INFERRED)
        self.assertEqual(meta.get_status().value_nick, "inferred")
        self.assertEqual(meta.get_round_trip(), 12 * Gst.MSECOND)
        self.assertEqual(meta.get_model_name(), "blob-detector")
        self.assertEqual(meta.get_size(), (True, 64, 48))
        self.assertEqual(meta.get_n_objects(), 2)

    def test_objects(self):
        buf = frame_with_meta()
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        self.assertEqual(tuple(meta.get_object(0)),
                         (True, "ball", 0.875, 8, 4, 16, 16, 7))
        self.assertEqual(tuple(meta.get_object(1)),
                         (True, "tri", 0.25, 10, 10, 21, 31, 9))
        self.assertFalse(meta.get_object(2)[0])
        self.assertEqual(meta.get_object_geometry_type(1), "polygon")
        self.assertEqual(list(meta.get_object_points(1)),
                         [10, 10, 30, 12, 20, 40])
        self.assertEqual(json.loads(meta.get_object_json(0))["classTitle"],
                         "ball")
        whole = json.loads(meta.to_json())
        self.assertEqual(len(whole["objects"]), 2)

    def test_no_meta(self):
        self.assertIsNone(
            GstSlyMeta.buffer_get_sly_prediction_meta(Gst.Buffer.new()))

    def test_skipped_frame(self):
        buf = frame_with_meta(GstSlyMeta.FrameStatus.SKIPPED, None)
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        self.assertEqual(meta.get_status().value_nick, "skipped")
        self.assertEqual(meta.get_n_objects(), 0)
        self.assertIsNone(meta.to_json())

    def test_bad_json_raises(self):
        buf = Gst.Buffer.new_allocate(None, 16, None)
        with self.assertRaises(GLib.Error):
            GstSlyMeta.buffer_add_sly_prediction_meta_from_json(
                buf, GstSlyMeta.FrameStatus.INFERRED, "{\"objects\": 3}",
                Gst.CLOCK_TIME_NONE, None)
        self.assertIsNone(GstSlyMeta.buffer_get_sly_prediction_meta(buf))

    def test_mask_of_a_box_raises(self):
        buf = frame_with_meta()
        meta = GstSlyMeta.buffer_get_sly_prediction_meta(buf)
        with self.assertRaises(GLib.Error):
            meta.get_object_mask(0)

    def test_status_enum(self):
        nicks = [GstSlyMeta.FrameStatus(v).value_nick for v in range(4)]
        self.assertEqual(nicks, ["inferred", "skipped", "failed",
                                 "tracker-predicted"])
        self.assertEqual(GstSlyMeta.frame_status_get_nick(
            GstSlyMeta.FrameStatus.TRACKER_PREDICTED), "tracker-predicted")


if __name__ == "__main__":
    Gst.init(None)
    unittest.main(verbosity=2)
