/* GStreamer Supervisely prediction meta: unit tests
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "gstslypredictionmeta.h"
#include "slyerror.h"

#define FRAME_CAPS(w, h) \
    "video/x-raw,format=RGBA,width=" #w ",height=" #h ",framerate=30/1"

/* A 64x48 frame with a tracked "ball" at columns 8..23, rows 4..19 and an
 * untracked "box" at columns 40..59, rows 30..41. */
static SlyAnnotation *
make_annotation (void)
{
  SlyAnnotation *ann = sly_annotation_new (64, 48);
  SlyObject *ball;

  ball = sly_annotation_add_object (ann, "ball",
      sly_geometry_new_rectangle (8, 4, 23, 19), 0.875);
  ball->track_id = 7;
  sly_annotation_add_object (ann, "box",
      sly_geometry_new_rectangle (40, 30, 59, 41), 0.5);
  return ann;
}

static GstBuffer *
make_frame (gint width, gint height)
{
  GstBuffer *buf = gst_buffer_new_and_alloc (width * height * 4);

  gst_buffer_memset (buf, 0, 0x80, width * height * 4);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

static void
assert_object (GstSlyPredictionMeta * meta, guint index, const gchar * title,
    gdouble confidence, gint x, gint y, gint w, gint h, gint64 track_id)
{
  const gchar *t = NULL;
  gdouble c = -1;
  gint ox = -1, oy = -1, ow = -1, oh = -1;
  gint64 tid = -1;

  fail_unless (gst_sly_prediction_meta_get_object (meta, index, &t, &c,
          &ox, &oy, &ow, &oh, &tid));
  fail_unless_equals_string (t, title);
  fail_unless_equals_float (c, confidence);
  fail_unless_equals_int (ox, x);
  fail_unless_equals_int (oy, y);
  fail_unless_equals_int (ow, w);
  fail_unless_equals_int (oh, h);
  fail_unless_equals_int64 (tid, track_id);
}

/* Test that a meta added to a buffer is found again with every field. */
GST_START_TEST (test_add_get)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  GstBuffer *buf = make_frame (64, 48);
  GstSlyPredictionMeta *meta;
  gint w, h;

  fail_unless (gst_buffer_get_sly_prediction_meta (buf) == NULL);
  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, 12 * GST_MSECOND, "blob-detector");
  fail_unless (meta != NULL);
  fail_unless (gst_buffer_get_sly_prediction_meta (buf) == meta);

  /* the meta holds a reference: the annotation is shared, not copied */
  fail_unless (meta->annotation == ann);
  fail_unless_equals_int (gst_sly_prediction_meta_get_status (meta),
      GST_SLY_FRAME_STATUS_INFERRED);
  fail_unless_equals_uint64 (gst_sly_prediction_meta_get_round_trip (meta),
      12 * GST_MSECOND);
  fail_unless_equals_string (gst_sly_prediction_meta_get_model_name (meta),
      "blob-detector");
  fail_unless (gst_sly_prediction_meta_get_size (meta, &w, &h));
  fail_unless_equals_int (w, 64);
  fail_unless_equals_int (h, 48);

  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (meta), 2);
  assert_object (meta, 0, "ball", 0.875, 8, 4, 16, 16, 7);
  assert_object (meta, 1, "box", 0.5, 40, 30, 20, 12, 0);
  fail_if (gst_sly_prediction_meta_get_object (meta, 2, NULL, NULL, NULL,
          NULL, NULL, NULL, NULL));
  fail_unless_equals_string (gst_sly_prediction_meta_get_object_geometry_type
      (meta, 0), "rectangle");
  fail_unless (gst_sly_prediction_meta_get_object_geometry_type (meta,
          2) == NULL);

  gst_buffer_unref (buf);
}

GST_END_TEST;

/* Test that a frame without predictions (skipped, failed) has a meta with
 * its status and no objects. */
GST_START_TEST (test_no_annotation)
{
  GstBuffer *buf = make_frame (64, 48);
  GstSlyPredictionMeta *meta;
  guint n = 99;

  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_SKIPPED, NULL, GST_CLOCK_TIME_NONE, NULL);
  fail_unless_equals_int (gst_sly_prediction_meta_get_status (meta),
      GST_SLY_FRAME_STATUS_SKIPPED);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (meta), 0);
  fail_if (gst_sly_prediction_meta_get_size (meta, NULL, NULL));
  fail_unless (gst_sly_prediction_meta_to_json (meta) == NULL);
  fail_unless (gst_sly_prediction_meta_get_object_points (meta, 0, &n) == NULL);
  fail_unless_equals_int (n, 0);
  fail_unless (gst_sly_prediction_meta_get_model_name (meta) == NULL);
  fail_unless (!GST_CLOCK_TIME_IS_VALID
      (gst_sly_prediction_meta_get_round_trip (meta)));

  /* a scaled copy of an empty meta stays empty */
  {
    GstHarness *hs = gst_harness_new ("videoscale");
    GstBuffer *out;

    gst_harness_set_caps_str (hs, FRAME_CAPS (64, 48), FRAME_CAPS (32, 24));
    out = gst_harness_push_and_pull (hs, buf);
    meta = gst_buffer_get_sly_prediction_meta (out);
    fail_unless (meta != NULL);
    fail_unless_equals_int (meta->status, GST_SLY_FRAME_STATUS_SKIPPED);
    fail_unless (meta->annotation == NULL);
    gst_buffer_unref (out);
    gst_harness_teardown (hs);
  }
}

GST_END_TEST;

/* Test that gst_buffer_copy keeps the same predictions (one shared
 * annotation) and the class list. */
GST_START_TEST (test_copy)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  const gchar *classes[] = { "box", "ball", NULL };
  GstBuffer *buf = make_frame (64, 48), *copy;
  GstSlyPredictionMeta *meta, *cmeta;

  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_TRACKER_PREDICTED, ann, 5 * GST_MSECOND, "m");
  gst_sly_prediction_meta_set_class_names (meta, classes);
  copy = gst_buffer_copy (buf);
  gst_buffer_unref (buf);

  cmeta = gst_buffer_get_sly_prediction_meta (copy);
  fail_unless (cmeta != NULL);
  fail_unless (cmeta->annotation == ann);
  fail_unless_equals_int (cmeta->status,
      GST_SLY_FRAME_STATUS_TRACKER_PREDICTED);
  fail_unless_equals_uint64 (cmeta->round_trip, 5 * GST_MSECOND);
  fail_unless_equals_string (cmeta->model_name, "m");
  assert_object (cmeta, 0, "ball", 0.875, 8, 4, 16, 16, 7);
  assert_object (cmeta, 1, "box", 0.5, 40, 30, 20, 12, 0);
  fail_unless_equals_int (gst_sly_prediction_meta_get_object_class_id (cmeta,
          0), 1);
  fail_unless_equals_int (gst_sly_prediction_meta_get_object_class_id (cmeta,
          1), 0);
  gst_buffer_unref (copy);
}

GST_END_TEST;

static void
assert_roi (GstVideoRegionOfInterestMeta * roi, const gchar * type,
    guint x, guint y, guint w, guint h)
{
  fail_unless_equals_string (g_quark_to_string (roi->roi_type), type);
  fail_unless_equals_int (roi->x, x);
  fail_unless_equals_int (roi->y, y);
  fail_unless_equals_int (roi->w, w);
  fail_unless_equals_int (roi->h, h);
}

static GstVideoRegionOfInterestMeta *
get_roi (GstBuffer * buf, gint id)
{
  GstVideoRegionOfInterestMeta *roi =
      gst_buffer_get_video_region_of_interest_meta_id (buf, id);

  fail_unless (roi != NULL, "no ROI meta with id %d", id);
  return roi;
}

/* Test that a 64x48 frame with a box scaled by videoscale to 128x96 carries
 * the box doubled, in the prediction meta and in the ROI metas (after
 * gst-plugins-base videoscale.c test_transform_meta). */
GST_START_TEST (test_videoscale)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  GstHarness *h = gst_harness_new ("videoscale");
  GstBuffer *buf = make_frame (64, 48), *out;
  GstSlyPredictionMeta *meta;
  g_autofree gchar *json = NULL;
  gint w, hh;

  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, 3 * GST_MSECOND, "blob-detector");
  gst_sly_prediction_meta_add_roi_metas (buf, meta, NULL);

  gst_harness_set_caps_str (h, FRAME_CAPS (64, 48), FRAME_CAPS (128, 96));
  out = gst_harness_push_and_pull (h, buf);
  fail_unless (out != NULL);

  meta = gst_buffer_get_sly_prediction_meta (out);
  fail_unless (meta != NULL);
  /* scaling deep-copies: the attached annotation never changes */
  fail_unless (meta->annotation != ann);
  assert_object (meta, 0, "ball", 0.875, 16, 8, 32, 32, 7);
  assert_object (meta, 1, "box", 0.5, 80, 60, 40, 24, 0);
  fail_unless (gst_sly_prediction_meta_get_size (meta, &w, &hh));
  fail_unless_equals_int (w, 128);
  fail_unless_equals_int (hh, 96);
  fail_unless_equals_string (meta->model_name, "blob-detector");
  fail_unless_equals_uint64 (meta->round_trip, 3 * GST_MSECOND);
  /* the source annotation is untouched */
  fail_unless_equals_int (ann->width, 64);

  /* the JSON is in the new frame's coordinates */
  json = gst_sly_prediction_meta_to_json (meta);
  fail_unless (strstr (json, "\"width\":128") != NULL, "%s", json);

  /* GstVideo scales the ROI metas itself */
  assert_roi (get_roi (out, 0), "ball", 16, 8, 32, 32);
  assert_roi (get_roi (out, 1), "box", 80, 60, 40, 24);

  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Test that an element that flips the frame drops the meta rather than
 * passing boxes that would be wrong (the meta is tagged orientation). */
GST_START_TEST (test_videoflip_drops)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  GstHarness *h = gst_harness_new ("videoflip");
  GstBuffer *buf = make_frame (64, 48), *out;

  gst_util_set_object_arg (G_OBJECT (h->element), "video-direction", "horiz");
  gst_buffer_add_sly_prediction_meta (buf, GST_SLY_FRAME_STATUS_INFERRED,
      ann, GST_CLOCK_TIME_NONE, NULL);
  gst_harness_set_caps_str (h, FRAME_CAPS (64, 48), FRAME_CAPS (64, 48));
  out = gst_harness_push_and_pull (h, buf);
  fail_unless (out != NULL);
  fail_unless (gst_buffer_get_sly_prediction_meta (out) == NULL);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

static GstPadProbeReturn
add_meta_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  SlyAnnotation *ann = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

  buf = gst_buffer_make_writable (buf);
  gst_buffer_add_sly_prediction_meta (buf, GST_SLY_FRAME_STATUS_INFERRED,
      ann, GST_CLOCK_TIME_NONE, "blob-detector");
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

/* Test that in a real pipeline the meta survives videoconvert (format
 * change, same size) and follows videoscale (64x48 -> 128x96). */
GST_START_TEST (test_pipeline_convert_scale)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  GstElement *pipeline, *conv, *sink;
  GstPad *pad;
  GstSample *sample;
  GstSlyPredictionMeta *meta;

  pipeline = gst_parse_launch ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=I420,width=64,height=48 ! videoconvert name=conv ! "
      "video/x-raw,format=RGBA ! videoscale ! video/x-raw,width=128,height=96 "
      "! appsink name=sink sync=false", NULL);
  fail_unless (pipeline != NULL);
  conv = gst_bin_get_by_name (GST_BIN (pipeline), "conv");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  pad = gst_element_get_static_pad (conv, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, add_meta_probe, ann, NULL);
  gst_object_unref (pad);

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);
  g_signal_emit_by_name (sink, "pull-sample", &sample);
  fail_unless (sample != NULL);

  meta = gst_buffer_get_sly_prediction_meta (gst_sample_get_buffer (sample));
  fail_unless (meta != NULL);
  assert_object (meta, 0, "ball", 0.875, 16, 8, 32, 32, 7);
  assert_object (meta, 1, "box", 0.5, 80, 60, 40, 24, 0);

  gst_sample_unref (sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (conv);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static const GstStructure *
get_param (GstVideoRegionOfInterestMeta * roi, const gchar * name)
{
  return gst_video_region_of_interest_meta_get_param (roi, name);
}

static void
assert_detection (GstVideoRegionOfInterestMeta * roi, gdouble x_min,
    gdouble y_min, gdouble x_max, gdouble y_max, gdouble confidence,
    guint label_id, const gchar * label)
{
  const GstStructure *s = get_param (roi, "detection");
  gdouble d;
  guint id;

  fail_unless (s != NULL);
  fail_unless (gst_structure_get_double (s, "x_min", &d));
  fail_unless_equals_float (d, x_min);
  fail_unless (gst_structure_get_double (s, "y_min", &d));
  fail_unless_equals_float (d, y_min);
  fail_unless (gst_structure_get_double (s, "x_max", &d));
  fail_unless_equals_float (d, x_max);
  fail_unless (gst_structure_get_double (s, "y_max", &d));
  fail_unless_equals_float (d, y_max);
  fail_unless (gst_structure_get_double (s, "confidence", &d));
  fail_unless_equals_float (d, confidence);
  fail_unless (gst_structure_get_uint (s, "label_id", &id));
  fail_unless_equals_int (id, label_id);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), label);
}

/* Test that each object becomes one ROI meta with the documented detection
 * fields, and a tracked one also an object_id structure with its track id. */
GST_START_TEST (test_roi_tracked)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  g_autoptr (GHashTable) class_index =
      g_hash_table_new (g_str_hash, g_str_equal);
  GstBuffer *buf = make_frame (64, 48);
  GstSlyPredictionMeta *meta;
  GstVideoRegionOfInterestMeta *roi;
  const GstStructure *s;
  gint64 track_id = 0;

  g_hash_table_insert (class_index, (gpointer) "box", GUINT_TO_POINTER (0));
  g_hash_table_insert (class_index, (gpointer) "ball", GUINT_TO_POINTER (3));
  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, GST_CLOCK_TIME_NONE, NULL);
  gst_sly_prediction_meta_add_roi_metas (buf, meta, class_index);

  fail_unless_equals_int (gst_buffer_get_n_meta (buf,
          GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE), 2);

  roi = get_roi (buf, 0);
  assert_roi (roi, "ball", 8, 4, 16, 16);
  assert_detection (roi, 8 / 64.0, 4 / 48.0, 24 / 64.0, 20 / 48.0, 0.875, 3,
      "ball");
  s = get_param (roi, "object_id");
  fail_unless (s != NULL);
  fail_unless (gst_structure_get_int64 (s, "id", &track_id));
  fail_unless_equals_int64 (track_id, 7);

  roi = get_roi (buf, 1);
  assert_roi (roi, "box", 40, 30, 20, 12);
  assert_detection (roi, 40 / 64.0, 30 / 48.0, 60 / 64.0, 42 / 48.0, 0.5, 0,
      "box");
  fail_unless (get_param (roi, "object_id") == NULL);

  gst_buffer_unref (buf);
}

GST_END_TEST;

/* Tags of every JSON kind come out as the fields of one "tags" structure,
 * score tags left out, on the object and its ROI meta; a child object (a
 * parent index) gets its parent's index as ROI parent_id, the others -1;
 * add_roi_metas_from adds the later objects only. */
GST_START_TEST (test_tags_and_parents)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  g_autoptr (GstSlyObject) top = NULL;
  g_autoptr (GstSlyObject) child = NULL;
  GstBuffer *buf = make_frame (64, 48);
  GstSlyPredictionMeta *meta;
  GstStructure *tags;
  SlyObject *obj = g_ptr_array_index (ann->objects, 0);
  JsonNode *value = json_node_new (JSON_NODE_VALUE);
  const gchar *colour;
  gint64 age = 0;
  gdouble weight = 0;
  gboolean occluded = FALSE;

  json_node_set_string (value, "red");
  sly_object_set_tag (obj, "colour", value);
  value = json_node_new (JSON_NODE_VALUE);
  json_node_set_int (value, 3);
  sly_object_set_tag (obj, "age", value);
  value = json_node_new (JSON_NODE_VALUE);
  json_node_set_double (value, 0.25);
  sly_object_set_tag (obj, "weight", value);
  sly_object_set_tag (obj, "occluded", NULL);
  ((SlyObject *) g_ptr_array_index (ann->objects, 1))->parent = 0;
  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, GST_CLOCK_TIME_NONE, NULL);

  top = gst_sly_prediction_meta_get_nth_object (meta, 0);
  child = gst_sly_prediction_meta_get_nth_object (meta, 1);
  tags = gst_sly_object_get_tags (top);
  fail_unless (tags != NULL && gst_structure_has_name (tags, "tags"));
  fail_unless_equals_int (gst_structure_n_fields (tags), 4);
  colour = gst_structure_get_string (tags, "colour");
  fail_unless_equals_string (colour, "red");
  fail_unless (gst_structure_get_int64 (tags, "age", &age) && age == 3);
  fail_unless (gst_structure_get_double (tags, "weight", &weight) &&
      weight == 0.25);
  fail_unless (gst_structure_get_boolean (tags, "occluded", &occluded) &&
      occluded);
  gst_structure_free (tags);
  /* its only tag is the score */
  fail_unless (gst_sly_object_get_tags (child) == NULL);
  fail_unless_equals_int (gst_sly_object_get_parent_index (top), -1);
  fail_unless_equals_int (gst_sly_object_get_parent_index (child), 0);

  gst_sly_prediction_meta_add_roi_metas_from (buf, meta, NULL, 1);
  fail_unless_equals_int (gst_buffer_get_n_meta (buf,
          GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE), 1);
  fail_unless_equals_int (get_roi (buf, 1)->parent_id, 0);
  gst_sly_prediction_meta_add_roi_metas_from (buf, meta, NULL, 0);
  fail_unless_equals_int (get_roi (buf, 0)->parent_id, -1);
  fail_unless_equals_string (gst_structure_get_string (get_param (get_roi
              (buf, 0), "tags"), "colour"), "red");
  fail_unless (get_param (get_roi (buf, 1), "tags") == NULL);

  gst_buffer_unref (buf);
}

GST_END_TEST;

/* Test where label ids come from without a class table: the meta's class
 * list, else the order of first appearance. */
GST_START_TEST (test_roi_label_ids)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  const gchar *classes[] = { "cat", "box", "ball", NULL };
  GstBuffer *buf = make_frame (64, 48);
  GstSlyPredictionMeta *meta;
  guint id;

  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, GST_CLOCK_TIME_NONE, NULL);
  gst_sly_prediction_meta_add_roi_metas (buf, meta, NULL);
  fail_unless (gst_structure_get_uint (get_param (get_roi (buf, 0),
              "detection"), "label_id", &id));
  fail_unless_equals_int (id, 0);
  fail_unless (gst_structure_get_uint (get_param (get_roi (buf, 1),
              "detection"), "label_id", &id));
  fail_unless_equals_int (id, 1);
  gst_buffer_unref (buf);

  buf = make_frame (64, 48);
  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, GST_CLOCK_TIME_NONE, NULL);
  gst_sly_prediction_meta_set_class_names (meta, classes);
  gst_sly_prediction_meta_add_roi_metas (buf, meta, NULL);
  fail_unless (gst_structure_get_uint (get_param (get_roi (buf, 0),
              "detection"), "label_id", &id));
  fail_unless_equals_int (id, 2);
  fail_unless (gst_structure_get_uint (get_param (get_roi (buf, 1),
              "detection"), "label_id", &id));
  fail_unless_equals_int (id, 1);
  gst_buffer_unref (buf);
}

GST_END_TEST;

/* Test that ROI boxes are clipped to the frame, that an object wholly
 * outside it gets no ROI (the others keep their object index as id), and
 * that an annotation without a frame size gets no ROI metas at all. */
GST_START_TEST (test_roi_clipping)
{
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (64, 48);
  g_autoptr (SlyAnnotation) unsized = sly_annotation_new (0, 0);
  GstBuffer *buf = make_frame (64, 48);
  GstSlyPredictionMeta *meta;
  GstVideoRegionOfInterestMeta *roi;

  sly_annotation_add_object (ann, "out",
      sly_geometry_new_rectangle (70, 10, 80, 20), 0.5);
  sly_annotation_add_object (ann, "edge",
      sly_geometry_new_rectangle (-5, 40, 10, 60), 0.5);
  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, GST_CLOCK_TIME_NONE, NULL);
  gst_sly_prediction_meta_add_roi_metas (buf, meta, NULL);

  fail_unless_equals_int (gst_buffer_get_n_meta (buf,
          GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE), 1);
  fail_unless (gst_buffer_get_video_region_of_interest_meta_id (buf,
          0) == NULL);
  roi = get_roi (buf, 1);
  assert_roi (roi, "edge", 0, 40, 11, 8);
  /* label ids follow the classes' first appearance, "out" included */
  assert_detection (roi, 0.0, 40 / 48.0, 11 / 64.0, 1.0, 0.5, 1, "edge");
  /* the prediction itself is what the model said */
  assert_object (meta, 1, "edge", 0.5, -5, 40, 16, 21, 0);
  gst_buffer_unref (buf);

  buf = make_frame (64, 48);
  sly_annotation_add_object (unsized, "ball",
      sly_geometry_new_rectangle (8, 4, 23, 19), 0.5);
  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, unsized, GST_CLOCK_TIME_NONE, NULL);
  gst_sly_prediction_meta_add_roi_metas (buf, meta, NULL);
  fail_unless_equals_int (gst_buffer_get_n_meta (buf,
          GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE), 0);
  gst_buffer_unref (buf);
}

GST_END_TEST;

/* Test that every status is a registered GEnum value whose nick and
 * serialised form round-trip, and that the status survives a copy. */
GST_START_TEST (test_status_enum)
{
  static const struct
  {
    GstSlyFrameStatus status;
    const gchar *nick;
  } table[] = {
    {GST_SLY_FRAME_STATUS_INFERRED, "inferred"},
    {GST_SLY_FRAME_STATUS_SKIPPED, "skipped"},
    {GST_SLY_FRAME_STATUS_FAILED, "failed"},
    {GST_SLY_FRAME_STATUS_TRACKER_PREDICTED, "tracker-predicted"},
    {GST_SLY_FRAME_STATUS_LATE, "late"},
  };
  GEnumClass *klass = g_type_class_ref (GST_TYPE_SLY_FRAME_STATUS);
  guint i;

  fail_unless (G_TYPE_IS_ENUM (GST_TYPE_SLY_FRAME_STATUS));
  fail_unless_equals_string (g_type_name (GST_TYPE_SLY_FRAME_STATUS),
      "GstSlyFrameStatus");
  fail_unless_equals_int (klass->n_values, G_N_ELEMENTS (table));

  for (i = 0; i < G_N_ELEMENTS (table); i++) {
    GValue v = G_VALUE_INIT, back = G_VALUE_INIT;
    g_autofree gchar *str = NULL;
    GstBuffer *buf = make_frame (4, 4), *copy;

    fail_unless_equals_string (gst_sly_frame_status_get_nick (table[i].status),
        table[i].nick);
    fail_unless_equals_int (g_enum_get_value_by_nick (klass,
            table[i].nick)->value, table[i].status);

    g_value_init (&v, GST_TYPE_SLY_FRAME_STATUS);
    g_value_set_enum (&v, table[i].status);
    str = gst_value_serialize (&v);
    g_value_init (&back, GST_TYPE_SLY_FRAME_STATUS);
    fail_unless (gst_value_deserialize (&back, str));
    fail_unless_equals_int (g_value_get_enum (&back), table[i].status);
    g_value_unset (&v);
    g_value_unset (&back);

    gst_buffer_add_sly_prediction_meta (buf, table[i].status, NULL,
        GST_CLOCK_TIME_NONE, NULL);
    copy = gst_buffer_copy (buf);
    fail_unless_equals_int (gst_sly_prediction_meta_get_status
        (gst_buffer_get_sly_prediction_meta (copy)), table[i].status);
    gst_buffer_unref (copy);
    gst_buffer_unref (buf);
  }
  fail_unless (gst_sly_frame_status_get_nick (42) == NULL);
  g_type_class_unref (klass);
}

GST_END_TEST;

/* a binary mask decodes to 0 and 255 */
static const guint8 mask_pixels[] = {
  1, 0, 1, 1,
  0, 1, 1, 0,
};

/* An annotation parsed from JSON whose only object is a 4x2 bitmap at
 * column 2, row 3. */
static SlyAnnotation *
make_bitmap_annotation (void)
{
  g_autoptr (SlyMask) mask = sly_mask_new (2, 3, 4, 2);
  g_autofree gchar *b64 = NULL;
  g_autofree gchar *json = NULL;
  g_autoptr (GError) error = NULL;
  SlyAnnotation *ann;

  memcpy (mask->data, mask_pixels, sizeof (mask_pixels));
  b64 = sly_mask_encode (mask);
  json = g_strdup_printf ("{\"size\": {\"height\": 48, \"width\": 64}, "
      "\"description\": \"\", \"tags\": [], \"objects\": [{\"classTitle\": "
      "\"blob\", \"description\": \"\", \"tags\": [], \"geometryType\": "
      "\"bitmap\", \"bitmap\": {\"origin\": [2, 3], \"data\": \"%s\"}}]}", b64);
  ann = sly_annotation_from_json (json, -1, &error);
  fail_unless (ann != NULL, "%s", error ? error->message : "");
  return ann;
}

static void
assert_mask (GstSlyPredictionMeta * meta)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gint x = -1, y = -1, w = -1, h = -1;
  gsize size, i;
  const guint8 *data;

  bytes = gst_sly_prediction_meta_get_object_mask (meta, 0, &x, &y, &w, &h,
      &error);
  fail_unless (bytes != NULL, "%s", error ? error->message : "");
  fail_unless_equals_int (x, 2);
  fail_unless_equals_int (y, 3);
  fail_unless_equals_int (w, 4);
  fail_unless_equals_int (h, 2);
  data = g_bytes_get_data (bytes, &size);
  fail_unless_equals_int (size, sizeof (mask_pixels));
  for (i = 0; i < size; i++)
    fail_unless_equals_int (data[i], mask_pixels[i] ? 255 : 0);
}

/* Test that a mask decoded on demand is the same in a copy of the buffer
 * (shared, decoded once) and follows videoscale (64x48 -> 128x96: each
 * mask pixel becomes 2x2). */
GST_START_TEST (test_mask_survives_copy_and_scale)
{
  g_autoptr (SlyAnnotation) ann = make_bitmap_annotation ();
  GstHarness *h = gst_harness_new ("videoscale");
  GstBuffer *buf = make_frame (64, 48), *copy, *out;
  GstSlyPredictionMeta *meta, *cmeta;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) scaled = NULL;
  const SlyMask *m1, *m2;
  const guint8 *data;
  gint x, y, w, hh, i, j;

  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, GST_CLOCK_TIME_NONE, NULL);
  fail_unless_equals_string (gst_sly_prediction_meta_get_object_geometry_type
      (meta, 0), "bitmap");
  assert_object (meta, 0, "blob", 1.0, 2, 3, 4, 2, 0);

  copy = gst_buffer_copy (buf);
  cmeta = gst_buffer_get_sly_prediction_meta (copy);
  assert_mask (cmeta);
  assert_mask (meta);
  m1 = gst_sly_prediction_meta_decode_mask (meta, 0, &error);
  m2 = gst_sly_prediction_meta_decode_mask (cmeta, 0, &error);
  fail_unless (m1 != NULL && m1 == m2);
  gst_buffer_unref (buf);

  gst_harness_set_caps_str (h, FRAME_CAPS (64, 48), FRAME_CAPS (128, 96));
  out = gst_harness_push_and_pull (h, gst_buffer_ref (copy));
  meta = gst_buffer_get_sly_prediction_meta (out);
  fail_unless (meta != NULL);
  scaled = gst_sly_prediction_meta_get_object_mask (meta, 0, &x, &y, &w, &hh,
      &error);
  fail_unless (scaled != NULL, "%s", error ? error->message : "");
  fail_unless_equals_int (x, 4);
  fail_unless_equals_int (y, 6);
  fail_unless_equals_int (w, 8);
  fail_unless_equals_int (hh, 4);
  data = g_bytes_get_data (scaled, NULL);
  for (i = 0; i < hh; i++) {
    for (j = 0; j < w; j++)
      fail_unless_equals_int (data[i * w + j],
          mask_pixels[(i / 2) * 4 + j / 2] ? 255 : 0);
  }
  assert_object (meta, 0, "blob", 1.0, 4, 6, 8, 4, 0);
  /* the original annotation keeps its own mask */
  fail_unless (m1 == gst_sly_prediction_meta_decode_mask (cmeta, 0, NULL));

  gst_buffer_unref (copy);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Test that a scale by a different factor on each axis (64x48 -> 128x48:
 * columns doubled, rows kept) scales every coordinate by its own axis's
 * factor: boxes, points, masks and the frame size. */
GST_START_TEST (test_videoscale_one_axis)
{
  g_autoptr (SlyAnnotation) ann = make_bitmap_annotation ();
  const SlyPoint tri[] = { {10, 10}, {30, 12}, {20, 40} };
  GstHarness *h = gst_harness_new ("videoscale");
  GstBuffer *buf = make_frame (64, 48), *out;
  GstSlyPredictionMeta *meta;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) mask = NULL;
  g_autofree gint *rect = NULL;
  g_autofree gint *poly = NULL;
  const guint8 *data;
  gint x, y, w, hh, i, j;
  guint n = 0;

  sly_annotation_add_object (ann, "ball",
      sly_geometry_new_rectangle (8, 4, 23, 19), 0.875);
  sly_annotation_add_object (ann, "tri", sly_geometry_new_polygon (tri, 3),
      0.25);
  gst_buffer_add_sly_prediction_meta (buf, GST_SLY_FRAME_STATUS_INFERRED, ann,
      GST_CLOCK_TIME_NONE, NULL);

  gst_harness_set_caps_str (h, FRAME_CAPS (64, 48), FRAME_CAPS (128, 48));
  out = gst_harness_push_and_pull (h, buf);
  fail_unless (out != NULL);
  meta = gst_buffer_get_sly_prediction_meta (out);
  fail_unless (meta != NULL);

  fail_unless (gst_sly_prediction_meta_get_size (meta, &w, &hh));
  fail_unless_equals_int (w, 128);
  fail_unless_equals_int (hh, 48);

  /* boxes: columns 8..23 become 16..47, rows 4..19 stay */
  assert_object (meta, 1, "ball", 0.875, 16, 4, 32, 16, 0);
  rect = gst_sly_prediction_meta_get_object_points (meta, 1, &n);
  fail_unless_equals_int (n, 4);
  fail_unless (rect[0] == 16 && rect[1] == 4 && rect[2] == 47
      && rect[3] == 19, "%d,%d %d,%d", rect[0], rect[1], rect[2], rect[3]);

  /* points: x doubled, y as it was */
  poly = gst_sly_prediction_meta_get_object_points (meta, 2, &n);
  fail_unless_equals_int (n, 6);
  fail_unless (poly[0] == 20 && poly[1] == 10 && poly[2] == 60
      && poly[3] == 12 && poly[4] == 40 && poly[5] == 40);
  assert_object (meta, 2, "tri", 0.25, 20, 10, 41, 31, 0);

  /* the 4x2 mask at (2, 3) becomes 8x2 at (4, 3): each pixel two wide */
  mask = gst_sly_prediction_meta_get_object_mask (meta, 0, &x, &y, &w, &hh,
      &error);
  fail_unless (mask != NULL, "%s", error ? error->message : "");
  fail_unless_equals_int (x, 4);
  fail_unless_equals_int (y, 3);
  fail_unless_equals_int (w, 8);
  fail_unless_equals_int (hh, 2);
  data = g_bytes_get_data (mask, NULL);
  for (i = 0; i < hh; i++) {
    for (j = 0; j < w; j++)
      fail_unless_equals_int (data[i * w + j],
          mask_pixels[i * 4 + j / 2] ? 255 : 0);
  }
  assert_object (meta, 0, "blob", 1.0, 4, 3, 8, 2, 0);

  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Test that asking for the mask of an object that has none gives an error,
 * not a crash or a critical. */
GST_START_TEST (test_mask_errors)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  GstBuffer *buf = make_frame (64, 48);
  GstSlyPredictionMeta *meta;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error2 = NULL;

  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, GST_CLOCK_TIME_NONE, NULL);
  fail_unless (gst_sly_prediction_meta_get_object_mask (meta, 0, NULL, NULL,
          NULL, NULL, &error) == NULL);
  fail_unless (error != NULL);
  fail_unless (gst_sly_prediction_meta_get_object_mask (meta, 5, NULL, NULL,
          NULL, NULL, &error2) == NULL);
  fail_unless (g_error_matches (error2, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT));
  gst_buffer_unref (buf);
}

GST_END_TEST;

/* Test the binding-friendly views: points of each geometry, an object's
 * JSON and the frame's JSON. */
GST_START_TEST (test_points_and_json)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  const SlyPoint tri[] = { {10, 10}, {30, 12}, {20, 40} };
  GstBuffer *buf = make_frame (64, 48);
  GstSlyPredictionMeta *meta;
  g_autofree gint *rect = NULL;
  g_autofree gint *poly = NULL;
  g_autofree gchar *obj_json = NULL;
  g_autofree gchar *json = NULL;
  g_autoptr (SlyAnnotation) back = NULL;
  g_autoptr (GError) error = NULL;
  guint n = 0;

  sly_annotation_add_object (ann, "tri", sly_geometry_new_polygon (tri, 3),
      0.25);
  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, GST_CLOCK_TIME_NONE, NULL);

  rect = gst_sly_prediction_meta_get_object_points (meta, 0, &n);
  fail_unless_equals_int (n, 4);
  fail_unless (rect[0] == 8 && rect[1] == 4 && rect[2] == 23 && rect[3] == 19);
  poly = gst_sly_prediction_meta_get_object_points (meta, 2, &n);
  fail_unless_equals_int (n, 6);
  fail_unless (poly[0] == 10 && poly[1] == 10 && poly[2] == 30
      && poly[3] == 12 && poly[4] == 20 && poly[5] == 40);
  assert_object (meta, 2, "tri", 0.25, 10, 10, 21, 31, 0);
  fail_unless_equals_string (gst_sly_prediction_meta_get_object_geometry_type
      (meta, 2), "polygon");

  obj_json = gst_sly_prediction_meta_get_object_json (meta, 2);
  fail_unless (strstr (obj_json, "\"classTitle\":\"tri\"") != NULL, "%s",
      obj_json);
  fail_unless (gst_sly_prediction_meta_get_object_json (meta, 3) == NULL);

  json = gst_sly_prediction_meta_to_json (meta);
  back = sly_annotation_from_json (json, -1, &error);
  fail_unless (back != NULL, "%s", error ? error->message : "");
  fail_unless_equals_int (back->objects->len, 3);
  fail_unless_equals_int (back->width, 64);
  gst_buffer_unref (buf);
}

GST_END_TEST;

static void
assert_sly_object (GstSlyObject * object, guint index, const gchar * title,
    gdouble confidence, gint x, gint y, gint w, gint h, gint64 track_id)
{
  gint ox = -1, oy = -1, ow = -1, oh = -1;

  fail_unless (object != NULL);
  fail_unless_equals_int (gst_sly_object_get_index (object), index);
  fail_unless_equals_string (gst_sly_object_get_class_title (object), title);
  fail_unless_equals_float (gst_sly_object_get_confidence (object), confidence);
  gst_sly_object_get_box (object, &ox, &oy, &ow, &oh);
  fail_unless_equals_int (ox, x);
  fail_unless_equals_int (oy, y);
  fail_unless_equals_int (ow, w);
  fail_unless_equals_int (oh, h);
  fail_unless_equals_int64 (gst_sly_object_get_track_id (object), track_id);
}

/* Test the object view: every object of the frame with its fields, its
 * points, class id and JSON; out of range gives NULL; the objects stay
 * valid after the buffer is gone. */
GST_START_TEST (test_objects)
{
  g_autoptr (SlyAnnotation) ann = make_annotation ();
  const SlyPoint tri[] = { {10, 10}, {30, 12}, {20, 40} };
  const gchar *classes[] = { "box", "ball", NULL };
  GstBuffer *buf = make_frame (64, 48);
  GstSlyPredictionMeta *meta;
  GList *objects, *l;
  g_autoptr (GstSlyObject) tri_obj = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *json = NULL;
  const gint *points;
  guint n = 99;

  sly_annotation_add_object (ann, "tri", sly_geometry_new_polygon (tri, 3),
      0.25);
  meta = gst_buffer_add_sly_prediction_meta (buf,
      GST_SLY_FRAME_STATUS_INFERRED, ann, GST_CLOCK_TIME_NONE, NULL);
  gst_sly_prediction_meta_set_class_names (meta, classes);
  fail_unless_equals_string (gst_sly_prediction_meta_get_class_names
      (meta)[1], "ball");

  objects = gst_sly_prediction_meta_get_objects (meta);
  tri_obj = gst_sly_prediction_meta_get_nth_object (meta, 2);
  fail_unless (gst_sly_prediction_meta_get_nth_object (meta, 3) == NULL);
  gst_buffer_unref (buf);

  fail_unless_equals_int (g_list_length (objects), 3);
  l = objects;
  assert_sly_object (l->data, 0, "ball", 0.875, 8, 4, 16, 16, 7);
  fail_unless_equals_int (gst_sly_object_get_class_id (l->data), 1);
  fail_unless_equals_string (gst_sly_object_get_geometry_type (l->data),
      "rectangle");
  points = gst_sly_object_get_points (l->data, &n);
  fail_unless_equals_int (n, 4);
  fail_unless (points[0] == 8 && points[1] == 4 && points[2] == 23
      && points[3] == 19);
  fail_if (gst_sly_object_has_mask (l->data));
  fail_unless (gst_sly_object_get_mask (l->data, NULL, NULL, NULL, NULL,
          &error) == NULL);
  fail_unless (error != NULL);
  l = l->next;
  assert_sly_object (l->data, 1, "box", 0.5, 40, 30, 20, 12, 0);
  fail_unless_equals_int (gst_sly_object_get_class_id (l->data), 0);
  l = l->next;
  assert_sly_object (l->data, 2, "tri", 0.25, 10, 10, 21, 31, 0);
  fail_unless_equals_int (gst_sly_object_get_class_id (l->data), -1);
  g_list_free_full (objects, (GDestroyNotify) gst_sly_object_unref);

  /* the separate reference outlives the list and the buffer */
  assert_sly_object (tri_obj, 2, "tri", 0.25, 10, 10, 21, 31, 0);
  points = gst_sly_object_get_points (tri_obj, &n);
  fail_unless_equals_int (n, 6);
  fail_unless (points[4] == 20 && points[5] == 40);
  json = gst_sly_object_to_json (tri_obj);
  fail_unless (strstr (json, "\"classTitle\":\"tri\"") != NULL, "%s", json);
  fail_unless (strstr (json, "\"geometryType\":\"polygon\"") != NULL, "%s",
      json);
}

GST_END_TEST;

/* Test that a frame without predictions has no objects. */
GST_START_TEST (test_objects_empty)
{
  GstBuffer *buf = make_frame (64, 48);
  GstSlyPredictionMeta *meta;

  meta = gst_buffer_add_sly_prediction_meta (buf, GST_SLY_FRAME_STATUS_LATE,
      NULL, GST_CLOCK_TIME_NONE, NULL);
  fail_unless (gst_sly_prediction_meta_get_objects (meta) == NULL);
  fail_unless (gst_sly_prediction_meta_get_nth_object (meta, 0) == NULL);
  fail_unless (gst_sly_prediction_meta_get_class_names (meta) == NULL);
  gst_buffer_unref (buf);
}

GST_END_TEST;

/* Test the mask through the object view: decoded on demand, the same from
 * a copy of the buffer, scaled by videoscale, and the object is a GBoxed
 * type whose copy is a reference. */
GST_START_TEST (test_object_mask)
{
  g_autoptr (SlyAnnotation) ann = make_bitmap_annotation ();
  GstHarness *h = gst_harness_new ("videoscale");
  GstBuffer *buf = make_frame (64, 48), *out;
  g_autoptr (GstSlyObject) object = NULL;
  g_autoptr (GstSlyObject) scaled = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) scaled_bytes = NULL;
  GstSlyObject *copy;
  const guint8 *data;
  gint x = -1, y = -1, w = -1, hh = -1;
  gsize size, i;
  guint n = 99;

  gst_buffer_add_sly_prediction_meta (buf, GST_SLY_FRAME_STATUS_INFERRED,
      ann, GST_CLOCK_TIME_NONE, NULL);
  object = gst_sly_prediction_meta_get_nth_object
      (gst_buffer_get_sly_prediction_meta (buf), 0);
  fail_unless (gst_sly_object_has_mask (object));
  fail_unless (gst_sly_object_get_points (object, &n) == NULL);
  fail_unless_equals_int (n, 0);
  bytes = gst_sly_object_get_mask (object, &x, &y, &w, &hh, &error);
  fail_unless (bytes != NULL, "%s", error ? error->message : "");
  fail_unless_equals_int (x, 2);
  fail_unless_equals_int (y, 3);
  fail_unless_equals_int (w, 4);
  fail_unless_equals_int (hh, 2);
  data = g_bytes_get_data (bytes, &size);
  fail_unless_equals_int (size, sizeof (mask_pixels));
  for (i = 0; i < size; i++)
    fail_unless_equals_int (data[i], mask_pixels[i] ? 255 : 0);

  fail_unless (G_TYPE_IS_BOXED (GST_TYPE_SLY_OBJECT));
  copy = g_boxed_copy (GST_TYPE_SLY_OBJECT, object);
  fail_unless (copy == object);
  g_boxed_free (GST_TYPE_SLY_OBJECT, copy);

  gst_harness_set_caps_str (h, FRAME_CAPS (64, 48), FRAME_CAPS (128, 96));
  out = gst_harness_push_and_pull (h, buf);
  scaled = gst_sly_prediction_meta_get_nth_object
      (gst_buffer_get_sly_prediction_meta (out), 0);
  gst_buffer_unref (out);
  assert_sly_object (scaled, 0, "blob", 1.0, 4, 6, 8, 4, 0);
  scaled_bytes = gst_sly_object_get_mask (scaled, &x, &y, &w, &hh, NULL);
  fail_unless (scaled_bytes != NULL);
  fail_unless (x == 4 && y == 6 && w == 8 && hh == 4);
  fail_unless_equals_int (g_bytes_get_size (scaled_bytes), 32);
  /* the first object still reads the unscaled mask */
  assert_sly_object (object, 0, "blob", 1.0, 2, 3, 4, 2, 0);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
slypredictionmeta_suite (void)
{
  Suite *s = suite_create ("slypredictionmeta");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_add_get);
  tcase_add_test (tc, test_no_annotation);
  tcase_add_test (tc, test_copy);
  tcase_add_test (tc, test_videoscale);
  tcase_add_test (tc, test_pipeline_convert_scale);
  tcase_add_test (tc, test_videoflip_drops);
  tcase_add_test (tc, test_roi_tracked);
  tcase_add_test (tc, test_tags_and_parents);
  tcase_add_test (tc, test_roi_label_ids);
  tcase_add_test (tc, test_roi_clipping);
  tcase_add_test (tc, test_status_enum);
  tcase_add_test (tc, test_mask_survives_copy_and_scale);
  tcase_add_test (tc, test_videoscale_one_axis);
  tcase_add_test (tc, test_mask_errors);
  tcase_add_test (tc, test_points_and_json);
  tcase_add_test (tc, test_objects);
  tcase_add_test (tc, test_objects_empty);
  tcase_add_test (tc, test_object_mask);
  return s;
}

GST_CHECK_MAIN (slypredictionmeta);
