/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Two slymodelinfer in one pipeline: a detector, then a second model on
 * the objects it found (inference-region=objects), each on its own
 * sly-model-server. The tests draw coloured squares, compute the tags the
 * blob classifier must give each one from the frame's pixels, and check
 * them on the objects, their ROI metas, and after videoscale; objects
 * found inside others; the class filter; reclassify-interval.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "gstslypredictionmeta.h"
#include "slytestserver.h"

#define WIDTH 320
#define HEIGHT 240
#define SIDE 30

typedef struct
{
  gint x, y;
  guint8 rgb[3];
} Square;

/* bright enough for the blob detector (luma >= 128), each of another
 * colour for the classifier */
static const Square squares[] = {
  {20, 20, {255, 255, 255}},
  {120, 30, {255, 150, 150}},
  {220, 40, {150, 255, 150}},
  {60, 150, {150, 150, 255}},
};

/* A black RGB frame with @n of the squares, moved right by @dx. */
static GstBuffer *
squares_frame (guint n, gint dx, guint index)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 3,
      NULL);
  GstMapInfo map;
  guint i;

  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  memset (map.data, 0, map.size);
  for (i = 0; i < n; i++)
    for (gint y = squares[i].y; y < squares[i].y + SIDE; y++)
      for (gint x = squares[i].x + dx; x < squares[i].x + dx + SIDE; x++)
        memcpy (map.data + (y * WIDTH + x) * 3, squares[i].rgb, 3);
  gst_buffer_unmap (buffer, &map);
  GST_BUFFER_PTS (buffer) = index * GST_SECOND / 30;
  GST_BUFFER_DURATION (buffer) = GST_SECOND / 30;
  return buffer;
}

#define RGB_CAPS "video/x-raw,format=RGB,width=320,height=240,framerate=30/1"

/* The blob classifier's two tags for the pixels of @frame in the box, as
 * the server documents them: brightness from the mean luma, colour from
 * the channel sums (the leader must lead by a quarter). */
static void
expected_tags (GstBuffer * frame, gint bx, gint by, gint bw, gint bh,
    const gchar ** brightness, const gchar ** colour)
{
  static const gchar *names[] = { "red", "green", "blue" };
  guint64 sum[3] = { 0, 0, 0 }, luma = 0;
  GstMapInfo map;
  guint c, lead = 0;
  gboolean leads = TRUE;

  gst_buffer_map (frame, &map, GST_MAP_READ);
  for (gint y = by; y < by + bh; y++)
    for (gint x = bx; x < bx + bw; x++) {
      const guint8 *p = map.data + (y * WIDTH + x) * 3;

      luma += 299 * p[0] + 587 * p[1] + 114 * p[2];
      for (c = 0; c < 3; c++)
        sum[c] += p[c];
    }
  gst_buffer_unmap (frame, &map);
  *brightness = luma >= 128000ull * bw * bh ? "bright" : "dark";
  for (c = 1; c < 3; c++)
    if (sum[c] > sum[lead])
      lead = c;
  for (c = 0; c < 3; c++)
    if (c != lead && 4 * sum[lead] < 5 * sum[c])
      leads = FALSE;
  *colour = sum[lead] > 0 && leads ? names[lead] : "gray";
}

/* det (blob detector) ! cls (@cls_props) [! @tail], non-live */
static GstHarness *
two_stage_harness (SlyTestServer * det, SlyTestServer * cls,
    const gchar * det_props, const gchar * cls_props, const gchar * tail)
{
  const gchar *timeout = g_getenv ("SLY_UNDER_VALGRIND") ? "timeout=60000" : "";
  g_autofree gchar *desc = g_strdup_printf ("slymodelinfer name=det url=%s "
      "%s %s ! slymodelinfer name=cls url=%s inference-region=objects %s %s "
      "%s%s", sly_test_server_get_url (det), timeout, det_props ? det_props :
      "", sly_test_server_get_url (cls), timeout, cls_props ? cls_props : "",
      tail ? "! " : "", tail ? tail : "");
  GstHarness *h = gst_harness_new_parse (desc);

  gst_harness_set_live (h, FALSE);
  gst_harness_set_src_caps_str (h, RGB_CAPS);
  return h;
}

static GstSlyPredictionMeta *
get_meta (GstBuffer * buffer)
{
  GstSlyPredictionMeta *meta = gst_buffer_get_sly_prediction_meta (buffer);

  fail_unless (meta != NULL, "output buffer without prediction meta");
  return meta;
}

/* Images the server ran its model on since it started. */
static guint64
server_images (SlyTestServer * server)
{
  g_autofree gchar *url = g_strdup_printf ("%s/debug_inferred_images",
      sly_test_server_get_url (server));
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = soup_session_send_and_read (session, msg, NULL,
      NULL);
  g_autoptr (JsonNode) root = NULL;

  fail_unless (body != NULL);
  root = json_from_string (g_bytes_get_data (body, NULL), NULL);
  fail_unless (root != NULL);
  return json_object_get_int_member (json_node_get_object (root), "total");
}

/* Whether the tags structure @s holds exactly the tag names @a and @b. */
static gboolean
tags_are (const GstStructure * s, const gchar * a, const gchar * b)
{
  return s != NULL && gst_structure_has_name (s, "tags") &&
      gst_structure_n_fields (s) == 2 && gst_structure_has_field (s, a) &&
      gst_structure_has_field (s, b);
}

/* Every top-level object of @out has the tags the test computes from the
 * pixels of its box in @in (@scale times smaller); so does its ROI meta
 * when @roi_params. Returns how many. */
static guint
check_tags (GstBuffer * in, GstBuffer * out, gint scale, gboolean roi_params)
{
  GstSlyPredictionMeta *meta = get_meta (out);
  guint i, n = gst_sly_prediction_meta_get_n_objects (meta), tagged = 0;

  for (i = 0; i < n; i++) {
    g_autoptr (GstSlyObject) object = gst_sly_prediction_meta_get_nth_object
        (meta, i);
    GstStructure *tags = gst_sly_object_get_tags (object);
    GstVideoRegionOfInterestMeta *roi;
    const gchar *brightness, *colour;
    gint x, y, w, h;

    fail_unless_equals_int (gst_sly_object_get_parent_index (object), -1);
    gst_sly_object_get_box (object, &x, &y, &w, &h);
    expected_tags (in, x / scale, y / scale, w / scale, h / scale,
        &brightness, &colour);
    fail_unless (tags_are (tags, brightness, colour),
        "object %u at %d,%d: expected %s, %s, got %" GST_PTR_FORMAT, i, x, y,
        brightness, colour, tags);
    roi = gst_buffer_get_video_region_of_interest_meta_id (out, i);
    fail_unless (roi != NULL);
    fail_unless_equals_int (roi->parent_id, -1);
    fail_unless (!roi_params || tags_are
        (gst_video_region_of_interest_meta_get_param (roi, "tags"),
            brightness, colour), "ROI meta %u without the tags", i);
    gst_structure_free (tags);
    tagged++;
  }
  return tagged;
}

/* Four squares through the detector and a classifier started with
 * @cls_arg (NULL: none): each gets the tags of its own pixels (four
 * colours: four different answers), on the object and its ROI meta, from
 * four crops (counted by the classifier); the detections stay as they
 * were. */
static void
check_four_squares_tagged (const gchar * cls_arg, const gchar * cls_value)
{
  SlyTestServer *det = sly_test_server_start ("--model", "blob-detector",
      NULL);
  SlyTestServer *cls = sly_test_server_start ("--model", "blob-classifier",
      cls_arg, cls_value, NULL);
  GstHarness *h = two_stage_harness (det, cls, NULL, NULL, NULL);
  GstBuffer *in = squares_frame (4, 0, 0), *out;
  guint64 before = server_images (cls);

  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
          (out)), 4);
  fail_unless_equals_int (get_meta (out)->status,
      GST_SLY_FRAME_STATUS_INFERRED);
  fail_unless_equals_int (check_tags (in, out, 1, TRUE), 4);
  fail_unless_equals_uint64 (server_images (cls) - before, 4);
  gst_buffer_unref (out);
  gst_buffer_unref (in);

  gst_harness_teardown (h);
  sly_test_server_stop (cls);
  sly_test_server_stop (det);
}

GST_START_TEST (test_objects_classifier_tags)
{
  check_four_squares_tagged (NULL, NULL);
}

GST_END_TEST;

/* The tags survive a videoscale: the prediction meta is scaled with the
 * frame, tags and all. (GStreamer 1.22's own scale transform of the ROI
 * metas keeps their ids and parent ids but drops every param, detection
 * and tags alike: only the ROI metas themselves are checked.) */
GST_START_TEST (test_objects_tags_survive_videoscale)
{
  SlyTestServer *det = sly_test_server_start ("--model", "blob-detector", NULL);
  SlyTestServer *cls = sly_test_server_start ("--model", "blob-classifier",
      NULL);
  GstHarness *h = two_stage_harness (det, cls, NULL, NULL,
      "videoscale ! capsfilter caps=video/x-raw,width=640,height=480");
  GstBuffer *in = squares_frame (4, 0, 0), *out;

  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
          (out)), 4);
  fail_unless_equals_int (check_tags (in, out, 2, FALSE), 4);
  gst_buffer_unref (out);
  gst_buffer_unref (in);

  gst_harness_teardown (h);
  sly_test_server_stop (cls);
  sly_test_server_stop (det);
}

GST_END_TEST;

/* object-classes naming a class the detector does not have: nothing is
 * sent (the classifier server counts no image), frames pass with the
 * detections untagged. */
GST_START_TEST (test_objects_class_filter)
{
  SlyTestServer *det = sly_test_server_start ("--model", "blob-detector", NULL);
  SlyTestServer *cls = sly_test_server_start ("--model", "blob-classifier",
      NULL);
  GstHarness *h = two_stage_harness (det, cls, NULL, "object-classes=person",
      NULL);
  guint64 before = server_images (cls);
  GstElement *e = gst_bin_get_by_name (GST_BIN (h->element), "cls");
  GstBuffer *out;
  guint i;

  for (i = 0; i < 3; i++) {
    g_autoptr (GstSlyObject) object = NULL;

    fail_unless_equals_int (gst_harness_push (h, squares_frame (2, 0, i)),
        GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
            (out)), 2);
    object = gst_sly_prediction_meta_get_nth_object (get_meta (out), 0);
    fail_unless (gst_sly_object_get_tags (object) == NULL);
    gst_buffer_unref (out);
  }
  fail_unless_equals_uint64 (server_images (cls) - before, 0);

  /* the class of the detector: sent */
  g_object_set (e, "object-classes", "ball", NULL);
  gst_object_unref (e);
  fail_unless_equals_int (gst_harness_push (h, squares_frame (2, 0, 3)),
      GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  fail_unless_equals_uint64 (server_images (cls) - before, 2);

  gst_harness_teardown (h);
  sly_test_server_stop (cls);
  sly_test_server_stop (det);
}

GST_END_TEST;

/* Crops sent by one element over @n_frames frames of two tracked squares
 * moving right, every output frame's squares tagged as their pixels say. */
static guint64
tracked_crops_sent (guint interval, guint n_frames)
{
  SlyTestServer *det = sly_test_server_start ("--model", "blob-detector", NULL);
  SlyTestServer *cls = sly_test_server_start ("--model", "blob-classifier",
      NULL);
  g_autofree gchar *props = g_strdup_printf ("reclassify-interval=%u",
      interval);
  GstHarness *h = two_stage_harness (det, cls, "tracking=true", props, NULL);
  guint64 before = server_images (cls), sent;
  guint i;

  for (i = 0; i < n_frames; i++) {
    GstBuffer *in = squares_frame (2, i, i), *out;
    guint j;

    fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
        GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless_equals_int (check_tags (in, out, 1, TRUE), 2);
    for (j = 0; j < 2; j++) {
      g_autoptr (GstSlyObject) object =
          gst_sly_prediction_meta_get_nth_object (get_meta (out), j);

      fail_unless (gst_sly_object_get_track_id (object) > 0);
    }
    gst_buffer_unref (out);
    gst_buffer_unref (in);
  }
  sent = server_images (cls) - before;
  gst_harness_teardown (h);
  sly_test_server_stop (cls);
  sly_test_server_stop (det);
  return sent;
}

/* reclassify-interval=5 sends each track once every five frames (about a
 * fifth of the crops) and every frame still has the same tags. */
GST_START_TEST (test_objects_reclassify_interval)
{
  guint64 every = tracked_crops_sent (1, 20);
  guint64 fifth = tracked_crops_sent (5, 20);

  fail_unless_equals_uint64 (every, 40);
  fail_unless (fifth >= 8 && fifth <= 10, "%" G_GUINT64_FORMAT " crops sent",
      fifth);
}

GST_END_TEST;

/* A red rectangle with a white square inside: the color detector finds
 * the rectangle, the blob detector run on its crop finds the square, which
 * becomes an object of the frame in frame coordinates whose parent is the
 * rectangle, in the prediction meta and as ROI meta parent_id. */
GST_START_TEST (test_objects_children)
{
  SlyTestServer *det = sly_test_server_start ("--model", "color-detector",
      NULL);
  SlyTestServer *cls = sly_test_server_start ("--model", "blob-detector", NULL);
  GstHarness *h = two_stage_harness (det, cls, NULL, "object-padding=4",
      NULL);
  GstBuffer *in = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 3, NULL);
  g_autoptr (GstSlyObject) parent = NULL;
  g_autoptr (GstSlyObject) child = NULL;
  GstVideoRegionOfInterestMeta *roi;
  GstSlyPredictionMeta *meta;
  GstBuffer *out;
  GstMapInfo map;
  gint x, y, w, hh;

  gst_buffer_map (in, &map, GST_MAP_WRITE);
  memset (map.data, 0, map.size);
  for (y = 50; y < 150; y++)
    for (x = 100; x < 220; x++) {
      gboolean white = x >= 150 && x < 170 && y >= 90 && y < 110;
      guint8 *p = map.data + (y * WIDTH + x) * 3;

      p[0] = 255;
      p[1] = p[2] = white ? 255 : 0;
    }
  gst_buffer_unmap (in, &map);

  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  meta = get_meta (out);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (meta), 2);
  parent = gst_sly_prediction_meta_get_nth_object (meta, 0);
  child = gst_sly_prediction_meta_get_nth_object (meta, 1);
  fail_unless_equals_string (gst_sly_object_get_class_title (parent), "red");
  fail_unless_equals_string (gst_sly_object_get_class_title (child), "ball");
  fail_unless_equals_int (gst_sly_object_get_parent_index (child), 0);
  gst_sly_object_get_box (child, &x, &y, &w, &hh);
  fail_unless (ABS (x - 150) <= 2 && ABS (y - 90) <= 2 && ABS (w - 20) <= 2 &&
      ABS (hh - 20) <= 2, "child box %d,%d %dx%d", x, y, w, hh);
  roi = gst_buffer_get_video_region_of_interest_meta_id (out, 1);
  fail_unless (roi != NULL);
  fail_unless_equals_int (roi->parent_id, 0);
  fail_unless (ABS ((gint) roi->x - 150) <= 2 && ABS ((gint) roi->y - 90) <= 2);
  gst_buffer_unref (out);

  gst_harness_teardown (h);
  sly_test_server_stop (cls);
  sly_test_server_stop (det);
}

GST_END_TEST;

/* image/jpeg cannot be cropped: frames pass with the detector's objects as
 * they are, nothing goes to the classifier, a warning says so. */
GST_START_TEST (test_objects_jpeg_input)
{
  SlyTestServer *det = sly_test_server_start ("--model", "blob-detector",
      NULL);
  SlyTestServer *cls = sly_test_server_start ("--model", "blob-classifier",
      NULL);
  g_autofree gchar *desc = g_strdup_printf ("jpegenc ! slymodelinfer url=%s "
      "! slymodelinfer name=cls url=%s inference-region=objects",
      sly_test_server_get_url (det), sly_test_server_get_url (cls));
  GstHarness *h = gst_harness_new_parse (desc);
  GstElement *e = gst_bin_get_by_name (GST_BIN (h->element), "cls");
  GstBus *bus = gst_bus_new ();
  guint64 before = server_images (cls);
  GstMessage *msg;
  GstBuffer *out;

  gst_element_set_bus (e, bus);
  gst_harness_set_live (h, FALSE);
  gst_harness_set_src_caps_str (h, RGB_CAPS);
  fail_unless_equals_int (gst_harness_push (h, squares_frame (2, 0, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
          (out)), 2);
  fail_unless_equals_string (get_meta (out)->model_name, "blob-detector");
  gst_buffer_unref (out);
  fail_unless_equals_uint64 (server_images (cls) - before, 0);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL);
  gst_message_unref (msg);

  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_object_unref (e);
  gst_harness_teardown (h);
  sly_test_server_stop (cls);
  sly_test_server_stop (det);
}

GST_END_TEST;

/* ROI metas of another element (their ids left at GStreamer's 0): each
 * gets the tags of its own pixels, none takes another's. */
GST_START_TEST (test_objects_foreign_rois)
{
  SlyTestServer *cls = sly_test_server_start ("--model", "blob-classifier",
      NULL);
  g_autofree gchar *desc = g_strdup_printf ("slymodelinfer url=%s "
      "inference-region=objects", sly_test_server_get_url (cls));
  GstHarness *h = gst_harness_new_parse (desc);
  GstBuffer *in = squares_frame (2, 0, 0), *out;
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;
  guint i, n = 0;

  gst_harness_set_live (h, FALSE);
  gst_harness_set_src_caps_str (h, RGB_CAPS);
  for (i = 0; i < 2; i++)
    gst_buffer_add_video_region_of_interest_meta (in, "thing", squares[i].x,
        squares[i].y, SIDE, SIDE);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (out, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    const gchar *brightness, *colour;

    expected_tags (in, roi->x, roi->y, roi->w, roi->h, &brightness, &colour);
    fail_unless (tags_are (gst_video_region_of_interest_meta_get_param (roi,
                "tags"), brightness, colour), "ROI at %u,%u: not %s, %s",
        roi->x, roi->y, brightness, colour);
    n++;
  }
  fail_unless_equals_int (n, 2);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
          (out)), 2);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
  sly_test_server_stop (cls);
}

GST_END_TEST;

/* A classifier that takes at most 2 images a request: the 4 crops of a
 * frame go in two requests, and every square gets its tags. */
GST_START_TEST (test_objects_over_max_batch_size)
{
  check_four_squares_tagged ("--max-batch-size", "2");
}

GST_END_TEST;

static Suite *
slymodelinfer_objects_suite (void)
{
  Suite *s = suite_create ("slymodelinfer-objects");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_objects_classifier_tags);
  tcase_add_test (tc, test_objects_tags_survive_videoscale);
  tcase_add_test (tc, test_objects_class_filter);
  tcase_add_test (tc, test_objects_reclassify_interval);
  tcase_add_test (tc, test_objects_children);
  tcase_add_test (tc, test_objects_jpeg_input);
  tcase_add_test (tc, test_objects_foreign_rois);
  tcase_add_test (tc, test_objects_over_max_batch_size);
  return s;
}

GST_CHECK_MAIN (slymodelinfer_objects);
