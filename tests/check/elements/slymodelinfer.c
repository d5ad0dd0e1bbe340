/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer against sly-model-server on loopback: predictions where the
 * test itself finds the object, order and timestamps, window policies,
 * flushing and teardown with requests outstanding, failures and recovery.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "gstslypredictionmeta.h"
#include "slyimage.h"
#include "slytestserver.h"

#define WIDTH 320
#define HEIGHT 240
#define FPS 30

/* ---- helpers ---- */

/* Fails the test on a warning or critical in our own log domains: gst-check
 * only watches GLib's, GStreamer's and the default domain. */
static void
fail_on_our_warnings (const gchar * domain, GLogLevelFlags level,
    const gchar * message, gpointer user_data)
{
  if (_gst_check_expecting_log)
    return;
  g_printerr ("%s: %s\n", domain, message);
  fail ("unexpected warning in log domain %s: %s", domain, message);
}

static void
install_log_guard (void)
{
  const gchar *domains[] = { "SlyCore", "GstSlyMeta" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (domains); i++)
    g_log_set_handler (domains[i], G_LOG_LEVEL_WARNING |
        G_LOG_LEVEL_CRITICAL, fail_on_our_warnings, NULL);
}

/* Tests of timing (live frame rates, a slow sink outpacing the element)
 * cannot hold at memcheck's speed; the ASan run covers their code paths. */
static gboolean
under_valgrind (const gchar * test)
{
  if (g_getenv ("SLY_UNDER_VALGRIND") == NULL)
    return FALSE;
  g_printerr ("%s: a timing test, skipped under valgrind\n", test);
  return TRUE;
}

static SlyTestServer *
start_server (const gchar * first_arg, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const gchar *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) "--model");
  g_ptr_array_add (args, (gpointer) "blob-detector");
  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const gchar *))
      g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return sly_test_server_startv ((const gchar * const *) args->pdata);
}

/* A harness around slymodelinfer on @server with extra properties;
 * non-live unless told (gst_harness defaults to live). */
static GstHarness *
infer_harness (SlyTestServer * server, const gchar * props, gboolean live)
{
  /* memcheck runs one thread at a time: a request may wait long for the
   * I/O thread while the encoders run */
  g_autofree gchar *desc = g_strdup_printf ("slymodelinfer url=%s %s %s",
      sly_test_server_get_url (server),
      g_getenv ("SLY_UNDER_VALGRIND") ? "timeout=60000" : "",
      props ? props : "");
  GstHarness *h = gst_harness_new_parse (desc);

  gst_harness_set_live (h, live);
  return h;
}

static GstElement *
harness_element (GstHarness * h)
{
  GstElement *e = gst_harness_find_element (h, "slymodelinfer");

  fail_unless (e != NULL);
  gst_object_unref (e);
  return e;
}

typedef struct
{
  GMutex lock;
  GCond cond;
} Notified;

static void
deployed_changed (GObject * object, GParamSpec * pspec, gpointer user_data)
{
  Notified *n = user_data;

  g_mutex_lock (&n->lock);
  g_cond_broadcast (&n->cond);
  g_mutex_unlock (&n->lock);
}

/* Waits (on notify::deployed) until the element knows the model. */
static gboolean
wait_deployed (GstElement * e, gint64 timeout_us)
{
  gint64 end = g_get_monotonic_time () + timeout_us;
  gboolean deployed = FALSE;
  Notified n;
  gulong id;

  g_mutex_init (&n.lock);
  g_cond_init (&n.cond);
  id = g_signal_connect (e, "notify::deployed", G_CALLBACK (deployed_changed),
      &n);
  g_mutex_lock (&n.lock);
  g_object_get (e, "deployed", &deployed, NULL);
  while (!deployed && g_cond_wait_until (&n.cond, &n.lock, end))
    g_object_get (e, "deployed", &deployed, NULL);
  g_mutex_unlock (&n.lock);
  g_signal_handler_disconnect (e, id);
  g_cond_clear (&n.cond);
  g_mutex_clear (&n.lock);
  return deployed;
}

/* Bounding box of the pixels the blob detector calls bright (luma >= 128),
 * measured by the test in the frame itself. */
typedef struct
{
  gint left, top, right, bottom;
  gboolean found;
} Box;

static void
box_add (Box * box, gint x, gint y)
{
  if (!box->found) {
    box->left = box->right = x;
    box->top = box->bottom = y;
    box->found = TRUE;
    return;
  }
  box->left = MIN (box->left, x);
  box->right = MAX (box->right, x);
  box->top = MIN (box->top, y);
  box->bottom = MAX (box->bottom, y);
}

static gboolean
rgb_bright (guint r, guint g, guint b)
{
  return 299 * r + 587 * g + 114 * b >= 128000;
}

static Box
measure_rgb (const guint8 * data, gint width, gint height, gint stride,
    gint bpp, gint r_off, gint g_off, gint b_off)
{
  Box box = { 0, };
  gint x, y;

  for (y = 0; y < height; y++) {
    const guint8 *row = data + y * stride;

    for (x = 0; x < width; x++) {
      const guint8 *p = row + x * bpp;

      if (rgb_bright (p[r_off], p[g_off], p[b_off]))
        box_add (&box, x, y);
    }
  }
  return box;
}

/* Y is studio range: luma 128 is about Y 126. */
static Box
measure_luma_plane (const guint8 * data, gint width, gint height, gint stride)
{
  Box box = { 0, };
  gint x, y;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      if (data[y * stride + x] >= 126)
        box_add (&box, x, y);
  return box;
}

static Box
measure_frame (GstBuffer * buffer, GstCaps * caps)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  GstVideoInfo info;
  GstVideoFrame frame;
  GstMapInfo map;
  Box box = { 0, };

  if (gst_structure_has_name (s, "image/jpeg")) {
    g_autoptr (GError) error = NULL;
    g_autoptr (SlyImage) img = NULL;

    fail_unless (gst_buffer_map (buffer, &map, GST_MAP_READ));
    img = sly_jpeg_decode (map.data, map.size, &error);
    gst_buffer_unmap (buffer, &map);
    fail_unless (img != NULL, "cannot decode output JPEG");
    return measure_rgb (img->data, img->width, img->height, img->stride, 3,
        0, 1, 2);
  }

  fail_unless (gst_video_info_from_caps (&info, caps));
  fail_unless (gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ));
  switch (GST_VIDEO_INFO_FORMAT (&info)) {
    case GST_VIDEO_FORMAT_I420:
    case GST_VIDEO_FORMAT_NV12:
      box = measure_luma_plane (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
          GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
          GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0));
      break;
    case GST_VIDEO_FORMAT_RGB:
      box = measure_rgb (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
          GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
          GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0), 3, 0, 1, 2);
      break;
    case GST_VIDEO_FORMAT_BGRx:
      box = measure_rgb (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
          GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
          GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0), 4, 2, 1, 0);
      break;
    default:
      fail ("format not handled by the test");
  }
  gst_video_frame_unmap (&frame);
  return box;
}

static GstSlyPredictionMeta *
get_meta (GstBuffer * buffer)
{
  GstSlyPredictionMeta *meta = gst_buffer_get_sly_prediction_meta (buffer);

  fail_unless (meta != NULL, "output buffer without prediction meta");
  return meta;
}

/* Number of objects of @meta whose class is @title. */
static guint
count_class (GstSlyPredictionMeta * meta, const gchar * title)
{
  guint i, n = 0;

  for (i = 0; i < gst_sly_prediction_meta_get_n_objects (meta); i++) {
    const gchar *t;

    fail_unless (gst_sly_prediction_meta_get_object (meta, i, &t, NULL, NULL,
            NULL, NULL, NULL, NULL));
    if (g_strcmp0 (t, title) == 0)
      n++;
  }
  return n;
}

static void
push_src_frames (GstHarness * h, guint n)
{
  guint i;

  for (i = 0; i < n; i++)
    fail_unless_equals_int (gst_harness_push_from_src (h), GST_FLOW_OK);
}

static GstBuffer *
make_frame (guint index)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 3 / 2,
      NULL);

  /* black I420 with a bright square that moves with the index */
  gst_buffer_memset (buffer, 0, 0, WIDTH * HEIGHT);
  gst_buffer_memset (buffer, WIDTH * HEIGHT, 128, WIDTH * HEIGHT / 2);
  {
    GstMapInfo map;
    gint x, y, x0 = 10 + (index * 7) % 200, y0 = 20;

    gst_buffer_map (buffer, &map, GST_MAP_WRITE);
    for (y = y0; y < y0 + 30; y++)
      for (x = x0; x < x0 + 40; x++)
        map.data[y * WIDTH + x] = 235;
    gst_buffer_unmap (buffer, &map);
  }
  GST_BUFFER_PTS (buffer) = index * GST_SECOND / FPS + 17;
  GST_BUFFER_DTS (buffer) = index * GST_SECOND / FPS;
  GST_BUFFER_DURATION (buffer) = GST_SECOND / FPS;
  if (index == 0)
    GST_BUFFER_FLAG_SET (buffer, GST_BUFFER_FLAG_DISCONT);
  if (index % 3 == 1)
    GST_BUFFER_FLAG_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  return buffer;
}

#define I420_CAPS "video/x-raw,format=I420,width=320,height=240,framerate=30/1"

/* ---- ball position ---- */

static void
check_ball_with (const gchar * src_desc, guint n_frames, const gchar * props)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, props, FALSE);
  guint i, boxes = 0;

  gst_harness_add_src_parse (h, src_desc, FALSE);
  push_src_frames (h, n_frames);

  for (i = 0; i < n_frames; i++) {
    GstBuffer *buffer = gst_harness_pull (h);
    GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
    GstSlyPredictionMeta *meta;
    Box ball;
    gint x, y, w, hh;

    fail_unless (buffer != NULL);
    /* videotestsrc stamps frame i at i / FPS: out == in, in order */
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buffer),
        gst_util_uint64_scale (i, GST_SECOND, FPS));

    meta = get_meta (buffer);
    fail_unless_equals_int (meta->status, GST_SLY_FRAME_STATUS_INFERRED);
    ball = measure_frame (buffer, caps);
    fail_unless (ball.found, "the test found no ball in frame %u", i);
    fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (meta), 1);
    fail_unless (gst_sly_prediction_meta_get_object (meta, 0, NULL, NULL,
            &x, &y, &w, &hh, NULL));
    fail_unless (ABS (x - ball.left) <= 2, "frame %u: left %d vs %d", i, x,
        ball.left);
    fail_unless (ABS (y - ball.top) <= 2, "frame %u: top %d vs %d", i, y,
        ball.top);
    fail_unless (ABS (x + w - 1 - ball.right) <= 2, "frame %u: right %d vs %d",
        i, x + w - 1, ball.right);
    fail_unless (ABS (y + hh - 1 - ball.bottom) <= 2, "frame %u: bottom", i);
    boxes++;
    gst_caps_unref (caps);
    gst_buffer_unref (buffer);
  }
  fail_unless_equals_int (boxes, n_frames);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);

  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

/* a harness src description cannot end with caps: use a capsfilter */
static void
check_ball (const gchar * src_desc, guint n_frames)
{
  check_ball_with (src_desc, n_frames, "max-inflight=4");
}

#define BALL_SRC(fmt) "videotestsrc pattern=ball ! capsfilter " \
    "caps=video/x-raw,format=" fmt ",width=320,height=240,framerate=30/1"

/* Every output frame of I420 input carries one box within 2 px of the ball
 * the test finds in that frame, in input order. */
GST_START_TEST (test_ball_i420)
{
  check_ball (BALL_SRC ("I420"), 20);
}

GST_END_TEST;

/* Same for NV12 input. */
GST_START_TEST (test_ball_nv12)
{
  check_ball (BALL_SRC ("NV12"), 20);
}

GST_END_TEST;

/* Same for packed RGB input. */
GST_START_TEST (test_ball_rgb)
{
  check_ball (BALL_SRC ("RGB"), 20);
}

GST_END_TEST;

/* Same for BGRx input. */
GST_START_TEST (test_ball_bgrx)
{
  check_ball (BALL_SRC ("BGRx"), 20);
}

GST_END_TEST;

/* Same for image/jpeg input, which is sent to the server as is. */
GST_START_TEST (test_ball_jpeg)
{
  check_ball (BALL_SRC ("I420") " ! jpegenc", 20);
}

GST_END_TEST;

/* Same with lossless PNG uploads (upload-format=png) in batches of 3. */
GST_START_TEST (test_ball_png_upload)
{
  check_ball_with (BALL_SRC ("I420"), 12,
      "upload-format=png batch-size=3 max-inflight=2");
}

GST_END_TEST;

/* ---- buffers pass unchanged ---- */

/* Output buffers are the input buffers: same memory, PTS, DTS, duration and
 * flags, in the same order, one out per one in. */
GST_START_TEST (test_buffers_unchanged)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "max-inflight=8", FALSE);
  GstBuffer *in[30];
  guint i;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < G_N_ELEMENTS (in); i++) {
    in[i] = make_frame (i);
    fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in[i])),
        GST_FLOW_OK);
  }
  for (i = 0; i < G_N_ELEMENTS (in); i++) {
    GstBuffer *out = gst_harness_pull (h);

    fail_unless (gst_buffer_peek_memory (out, 0) ==
        gst_buffer_peek_memory (in[i], 0));
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), GST_BUFFER_PTS (in[i]));
    fail_unless_equals_uint64 (GST_BUFFER_DTS (out), GST_BUFFER_DTS (in[i]));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
        GST_BUFFER_DURATION (in[i]));
    fail_unless_equals_int (GST_BUFFER_FLAGS (out), GST_BUFFER_FLAGS (in[i]));
    fail_unless_equals_int (get_meta (out)->status,
        GST_SLY_FRAME_STATUS_INFERRED);
    fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
            (out)), 1);
    gst_buffer_unref (out);
    gst_buffer_unref (in[i]);
  }
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

static GMutex order_lock;
static GCond order_cond;

static GstPadProbeReturn
record_order (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GString *order = user_data;
  gchar c = 0;

  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER) {
    c = 'B';
  } else {
    switch (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info))) {
      case GST_EVENT_CUSTOM_DOWNSTREAM:
        c = 'M';
        break;
      case GST_EVENT_EOS:
        c = 'E';
        break;
      default:
        break;
    }
  }
  if (c != 0) {
    g_mutex_lock (&order_lock);
    g_string_append_c (order, c);
    g_cond_broadcast (&order_cond);
    g_mutex_unlock (&order_lock);
  }
  return GST_PAD_PROBE_OK;
}

/* Serialized events stay between the buffers they arrived between: a
 * custom downstream event sent after frame 4 leaves after frame 4 and
 * before frame 5, and EOS leaves last. */
GST_START_TEST (test_events_in_order)
{
  SlyTestServer *server = start_server ("--latency-ms", "30", NULL);
  GstHarness *h = infer_harness (server, "max-inflight=8", FALSE);
  GString *order = g_string_new (NULL);
  GstPad *srcpad = gst_element_get_static_pad (harness_element (h), "src");
  gint64 end;
  guint i;

  gst_pad_add_probe (srcpad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, record_order, order, NULL);
  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < 10; i++) {
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
    if (i == 4)
      fail_unless (gst_harness_push_event (h,
              gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM,
                  gst_structure_new_empty ("test-marker"))));
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));

  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  g_mutex_lock (&order_lock);
  while (strchr (order->str, 'E') == NULL &&
      g_cond_wait_until (&order_cond, &order_lock, end));
  g_mutex_unlock (&order_lock);
  fail_unless_equals_string (order->str, "BBBBBMBBBBBE");

  gst_object_unref (srcpad);
  gst_harness_teardown (h);
  g_string_free (order, TRUE);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* ---- settings ---- */

/* conf above the ball's fill ratio (pi/4) removes the box; conf below
 * keeps it; the change applies to the next request while playing. */
GST_START_TEST (test_conf_switching)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "max-inflight=1 conf=0.9", FALSE);
  GstBuffer *buffer;

  gst_harness_add_src_parse (h, BALL_SRC ("I420"), FALSE);
  push_src_frames (h, 1);
  buffer = gst_harness_pull (h);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
          (buffer)), 0);
  gst_buffer_unref (buffer);

  g_object_set (harness_element (h), "conf", 0.5, NULL);
  push_src_frames (h, 1);
  buffer = gst_harness_pull (h);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
          (buffer)), 1);
  gst_buffer_unref (buffer);

  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

static GstMessage *
wait_bus_message (GstBus * bus, GstMessageType types, const gchar * name,
    guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * 1000;

  while (g_get_monotonic_time () < end) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 10 * GST_MSECOND,
        types);

    if (msg == NULL)
      continue;
    if (name == NULL || (gst_message_get_structure (msg) &&
            gst_structure_has_name (gst_message_get_structure (msg), name)))
      return msg;
    gst_message_unref (msg);
  }
  return NULL;
}

/* classes=red keeps only red boxes of the color detector on SMPTE bars;
 * an unknown class name gives a warning naming it and the real classes. */
GST_START_TEST (test_classes)
{
  SlyTestServer *server = sly_test_server_start ("--model", "color-detector",
      NULL);
  GstHarness *h = infer_harness (server, "max-inflight=1", FALSE);
  GstElement *e = harness_element (h);
  GstBus *bus = gst_bus_new ();
  GstBuffer *buffer;
  GstMessage *msg;
  GError *error = NULL;
  gchar *debug = NULL;
  GstSlyPredictionMeta *meta;

  gst_element_set_bus (e, bus);
  gst_harness_add_src_parse (h, "videotestsrc pattern=smpte ! "
      "capsfilter caps=" I420_CAPS, FALSE);
  push_src_frames (h, 1);
  buffer = gst_harness_pull (h);
  meta = get_meta (buffer);
  fail_unless (count_class (meta, "red") >= 1);
  fail_unless (count_class (meta, "green") >= 1);
  fail_unless (count_class (meta, "blue") >= 1);
  gst_buffer_unref (buffer);

  g_object_set (e, "classes", "red", NULL);
  push_src_frames (h, 1);
  buffer = gst_harness_pull (h);
  meta = get_meta (buffer);
  fail_unless (count_class (meta, "red") >= 1);
  fail_unless_equals_int (count_class (meta, "red"),
      gst_sly_prediction_meta_get_n_objects (meta));
  gst_buffer_unref (buffer);

  /* the gst-launch spelling of a list */
  g_object_set (e, "classes", "<green, blue>", NULL);
  push_src_frames (h, 1);
  buffer = gst_harness_pull (h);
  meta = get_meta (buffer);
  fail_unless_equals_int (count_class (meta, "red"), 0);
  fail_unless (count_class (meta, "green") >= 1);
  fail_unless (count_class (meta, "blue") >= 1);
  gst_buffer_unref (buffer);

  g_object_set (e, "classes", "red,person", NULL);
  msg = wait_bus_message (bus, GST_MESSAGE_WARNING, NULL, 5000);
  fail_unless (msg != NULL, "no warning for an unknown class");
  gst_message_parse_warning (msg, &error, &debug);
  fail_unless (strstr (error->message, "person") != NULL, "%s", error->message);
  fail_unless (strstr (error->message, "red, green, blue") != NULL, "%s",
      error->message);
  g_clear_error (&error);
  g_free (debug);
  gst_message_unref (msg);

  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* Setting model while playing loads it in the background: frames keep
 * flowing with the old model (ball boxes on SMPTE bars), a
 * slymodelinfer-model-loaded message reports success, and later frames
 * carry the new model's classes. */
GST_START_TEST (test_model_switching)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "max-inflight=2", FALSE);
  GstElement *e = harness_element (h);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GstBuffer *buffer;
  gboolean success = FALSE, switched = FALSE;
  gchar **classes = NULL;
  guint i;

  gst_element_set_bus (e, bus);
  gst_harness_add_src_parse (h, "videotestsrc pattern=smpte ! "
      "capsfilter caps=" I420_CAPS, FALSE);
  push_src_frames (h, 1);
  buffer = gst_harness_pull (h);
  fail_unless (count_class (get_meta (buffer), "ball") >= 1);
  fail_unless_equals_int (count_class (get_meta (buffer), "red"), 0);
  gst_buffer_unref (buffer);

  g_object_set (e, "model", "color-detector", NULL);
  msg = wait_bus_message (bus, GST_MESSAGE_ELEMENT,
      "slymodelinfer-model-loaded", 10000);
  fail_unless (msg != NULL);
  fail_unless (gst_structure_get_boolean (gst_message_get_structure (msg),
          "success", &success));
  fail_unless (success);
  gst_message_unref (msg);

  g_object_get (e, "model-classes", &classes, NULL);
  fail_unless (classes != NULL);
  fail_unless_equals_string (classes[0], "red");
  g_strfreev (classes);

  for (i = 0; i < 5 && !switched; i++) {
    push_src_frames (h, 1);
    buffer = gst_harness_pull (h);
    switched = count_class (get_meta (buffer), "red") >= 1;
    gst_buffer_unref (buffer);
  }
  fail_unless (switched, "frames never showed the new model");

  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* Setting model before start loads it: the element serves a server
 * started without a model. */
GST_START_TEST (test_model_at_start)
{
  SlyTestServer *server = sly_test_server_start ("--no-model", NULL);
  GstHarness *h = infer_harness (server, "model=blob-detector", FALSE);
  GstBuffer *buffer;
  gboolean deployed = FALSE;

  gst_harness_add_src_parse (h, BALL_SRC ("I420"), FALSE);
  push_src_frames (h, 1);
  buffer = gst_harness_pull (h);
  fail_unless_equals_int (get_meta (buffer)->status,
      GST_SLY_FRAME_STATUS_INFERRED);
  fail_unless_equals_int (count_class (get_meta (buffer), "ball"), 1);
  gst_buffer_unref (buffer);
  g_object_get (harness_element (h), "deployed", &deployed, NULL);
  fail_unless (deployed);

  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* ---- errors at start ---- */

/* The first error message slymodelinfer posts when @desc starts. */
static GstMessage *
start_and_get_error (const gchar * desc)
{
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  fail_unless (pipeline != NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (TRUE) {
    GstElementFactory *factory;

    msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
        GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
    fail_unless (msg != NULL, "no error for %s", desc);
    fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR);
    factory = GST_IS_ELEMENT (GST_MESSAGE_SRC (msg)) ?
        gst_element_get_factory (GST_ELEMENT (GST_MESSAGE_SRC (msg))) : NULL;
    if (factory && g_str_equal (GST_OBJECT_NAME (factory), "slymodelinfer"))
      break;
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return msg;
}

static void
assert_error_mentions (GstMessage * msg, const gchar * text)
{
  GError *error = NULL;
  gchar *debug = NULL;

  gst_message_parse_error (msg, &error, &debug);
  fail_unless (strstr (error->message, text) != NULL,
      "error \"%s\" does not mention \"%s\"", error->message, text);
  g_error_free (error);
  g_free (debug);
}

/* Starting without url or task-id is an error that says what to set. */
GST_START_TEST (test_error_no_url)
{
  GstMessage *msg = start_and_get_error ("videotestsrc num-buffers=5 ! "
      "slymodelinfer ! fakesink");

  assert_error_mentions (msg, "url");
  gst_message_unref (msg);
}

GST_END_TEST;

/* A URL that is not http(s) is an error at start. */
GST_START_TEST (test_error_bad_url)
{
  GstMessage *msg = start_and_get_error ("videotestsrc num-buffers=5 ! "
      "slymodelinfer url=ftp://nowhere ! fakesink");

  assert_error_mentions (msg, "ftp://nowhere");
  gst_message_unref (msg);
}

GST_END_TEST;

/* A server that does not answer is an error naming its address. */
GST_START_TEST (test_error_unreachable)
{
  /* port 9 (discard) on loopback: nobody listens there in tests */
  GstMessage *msg = start_and_get_error ("videotestsrc num-buffers=5 ! "
      "slymodelinfer url=http://127.0.0.1:9 ! fakesink");

  assert_error_mentions (msg, "http://127.0.0.1:9");
  assert_error_mentions (msg, "reach");
  gst_message_unref (msg);
}

GST_END_TEST;

/* An unknown model at start is an error naming it, with the HTTP status as
 * a structured detail. */
GST_START_TEST (test_error_unknown_model)
{
  SlyTestServer *server = start_server (NULL);
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc num-buffers=5 ! "
      "slymodelinfer url=%s model=no-such-model ! fakesink",
      sly_test_server_get_url (server));
  GstMessage *msg = start_and_get_error (desc);
  const GstStructure *details = NULL;
  guint status = 0;

  assert_error_mentions (msg, "no-such-model");
  gst_message_parse_error_details (msg, &details);
  fail_unless (details != NULL);
  fail_unless (gst_structure_get_uint (details, "http-status-code", &status));
  fail_unless (status >= 400);
  gst_message_unref (msg);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* A tracking-config that is not a JSON object of BoT-SORT settings is an
 * error at start naming the property. */
GST_START_TEST (test_error_bad_tracking_config)
{
  /* checked before any connection: no server needed */
  GstMessage *msg = start_and_get_error ("videotestsrc num-buffers=5 ! "
      "slymodelinfer url=http://127.0.0.1:9 tracking=true "
      "tracking-config=[1,2] ! fakesink");

  assert_error_mentions (msg, "tracking-config");
  gst_message_unref (msg);
}

GST_END_TEST;

/* ---- tracking ---- */

static void
get_box (GstSlyPredictionMeta * meta, guint i, gint * x, gint * y,
    gint64 * track_id, const gchar ** title)
{
  fail_unless (gst_sly_prediction_meta_get_object (meta, i, title, NULL, x, y,
          NULL, NULL, track_id));
}

/* tracking=true with inference-interval=3: the server's frames carry track
 * id 1 on the one moving square, and the two frames in between carry the
 * tracker's predicted box, marked as such, within 4 px of the square. */
GST_START_TEST (test_tracking_interval_predictions)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server,
      "tracking=true inference-interval=3 max-inflight=1", FALSE);
  guint i, predicted = 0;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < 27; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  for (i = 0; i < 27; i++) {
    GstBuffer *out = gst_harness_pull (h);
    GstSlyPredictionMeta *meta = get_meta (out);
    gint x, y;
    gint64 track_id = 0;

    fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (meta), 1);
    get_box (meta, 0, &x, &y, &track_id, NULL);
    fail_unless_equals_int64 (track_id, 1);
    if (i % 3 == 0) {
      fail_unless_equals_int (meta->status, GST_SLY_FRAME_STATUS_INFERRED);
    } else {
      fail_unless_equals_int (meta->status,
          GST_SLY_FRAME_STATUS_TRACKER_PREDICTED);
      predicted++;
      /* once the filter has seen the motion, the prediction follows it */
      if (i >= 9) {
        fail_unless (ABS (x - (gint) (10 + i * 7)) <= 4,
            "frame %u: predicted x %d, square at %u", i, x, 10 + i * 7);
        fail_unless (ABS (y - 20) <= 4, "frame %u: predicted y %d", i, y);
      }
    }
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (predicted, 18);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

#define RGB_CAPS "video/x-raw,format=RGB,width=320,height=240,framerate=30/1"

static void
fill_rect (guint8 * data, gint x0, gint y0, gint w, gint h, guint8 r,
    guint8 g, guint8 b)
{
  gint x, y;

  for (y = y0; y < y0 + h; y++)
    for (x = x0; x < x0 + w; x++) {
      guint8 *p = data + (y * WIDTH + x) * 3;

      p[0] = r;
      p[1] = g;
      p[2] = b;
    }
}

/* A red square moving right and a green one moving left, 20 px apart
 * vertically, crossing in the middle (the green one drawn on top). */
static GstBuffer *
make_crossing_frame (guint i)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 3, NULL);
  GstMapInfo map;

  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  memset (map.data, 0, map.size);
  fill_rect (map.data, 20 + 8 * i, 100, 40, 30, 230, 20, 20);
  fill_rect (map.data, 260 - 8 * i, 120, 40, 30, 20, 230, 20);
  gst_buffer_unmap (buffer, &map);
  GST_BUFFER_PTS (buffer) = i * GST_SECOND / FPS;
  GST_BUFFER_DURATION (buffer) = GST_SECOND / FPS;
  return buffer;
}

/* Two objects crossing keep their track ids through the crossing: every
 * frame's red object has the red track's id and the green one the green
 * track's, and the two differ. */
GST_START_TEST (test_tracking_crossing_keeps_ids)
{
  SlyTestServer *server = sly_test_server_start ("--model", "color-detector",
      NULL);
  GstHarness *h = infer_harness (server, "tracking=true max-inflight=2",
      FALSE);
  gint64 red_id = 0, green_id = 0;
  guint i, j;

  gst_harness_set_src_caps_str (h, RGB_CAPS);
  for (i = 0; i < 30; i++)
    fail_unless_equals_int (gst_harness_push (h, make_crossing_frame (i)),
        GST_FLOW_OK);
  for (i = 0; i < 30; i++) {
    GstBuffer *out = gst_harness_pull (h);
    GstSlyPredictionMeta *meta = get_meta (out);

    fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (meta), 2);
    for (j = 0; j < 2; j++) {
      const gchar *title;
      gint64 id;
      gint x, y;

      get_box (meta, j, &x, &y, &id, &title);
      fail_unless (id > 0);
      if (g_str_equal (title, "red")) {
        if (red_id == 0)
          red_id = id;
        fail_unless_equals_int64 (id, red_id);
      } else {
        fail_unless_equals_string (title, "green");
        if (green_id == 0)
          green_id = id;
        fail_unless_equals_int64 (id, green_id);
      }
    }
    gst_buffer_unref (out);
  }
  fail_unless (red_id != green_id);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* ---- throughput and order ---- */

/* With random server latency and max-inflight=8, answers arrive out of
 * order but frames leave in input order, each with its own prediction:
 * with @props "batch-size=1" every frame is encoded on the encoding pool
 * (min(8, cores) threads); with the default, frames that find the eight
 * slots taken also gather into batches. */
static void
check_order_random_latency (const gchar * props)
{
  /* half of the answers get 60 ms extra ("slow" faults): out of order */
  SlyTestServer *server = start_server ("--latency-ms", "10",
      "--workers", "8", "--fail-rate", "0.5", "--fail-kinds", "slow",
      "--slow-ms", "60", "--seed", "7", NULL);
  g_autofree gchar *all = g_strdup_printf ("max-inflight=8 %s", props);
  GstHarness *h = infer_harness (server, all, FALSE);
  guint i;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < 40; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  for (i = 0; i < 40; i++) {
    GstBuffer *out = gst_harness_pull (h);
    gint x;

    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), i * GST_SECOND / FPS + 17);
    /* the square of frame i starts at x = 10 + 7 i (mod 200) */
    fail_unless (gst_sly_prediction_meta_get_object (get_meta (out), 0, NULL,
            NULL, &x, NULL, NULL, NULL, NULL));
    fail_unless (ABS (x - (gint) (10 + (i * 7) % 200)) <= 2);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_START_TEST (test_order_random_latency)
{
  check_order_random_latency ("batch-size=1");
  check_order_random_latency ("");
}

GST_END_TEST;

/* batch-size=4 sends four frames per inference_batch request and every
 * frame still gets its own prediction, in order. */
GST_START_TEST (test_batch_size)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "max-inflight=2 batch-size=4",
      FALSE);
  GstStructure *stats = NULL;
  guint64 inferred = 0;
  guint i;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  /* 10 frames: two full batches and a partial one sent at EOS */
  for (i = 0; i < 10; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  for (i = 0; i < 10; i++) {
    GstBuffer *out = gst_harness_pull (h);
    gint x;

    fail_unless (gst_sly_prediction_meta_get_object (get_meta (out), 0, NULL,
            NULL, &x, NULL, NULL, NULL, NULL));
    fail_unless (ABS (x - (gint) (10 + (i * 7) % 200)) <= 2);
    gst_buffer_unref (out);
  }
  g_object_get (harness_element (h), "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint64 (stats, "inferred", &inferred));
  fail_unless_equals_uint64 (inferred, 10);
  gst_structure_free (stats);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* Pushes @n frames from @from, then pulls them: every one inferred, in
 * order; their round trips in @rtt. */
static void
push_then_pull (GstHarness * h, guint from, guint n, GstClockTime * rtt)
{
  guint i;

  for (i = 0; i < n; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (from + i)),
        GST_FLOW_OK);
  for (i = 0; i < n; i++) {
    GstBuffer *out = gst_harness_pull (h);

    fail_unless_equals_uint64 (GST_BUFFER_PTS (out),
        (from + i) * GST_SECOND / FPS + 17);
    fail_unless_equals_int (get_meta (out)->status,
        GST_SLY_FRAME_STATUS_INFERRED);
    rtt[i] = gst_sly_prediction_meta_get_round_trip (get_meta (out));
    gst_buffer_unref (out);
  }
}

/* batch-size=0 (auto, the default) on non-live input, with a server that
 * says it batches: a frame that finds a slot free leaves alone; frames that
 * come while every slot is taken gather into one batch (its frames share a
 * round trip to the nanosecond), which leaves when the request in flight
 * ends, even when no frame follows them; under steady load most frames go
 * in batches. On live input every frame has a request of its own. */
GST_START_TEST (test_batch_size_auto)
{
  /* long enough that the pushes below come within one round trip */
  SlyTestServer *server = start_server ("--latency-ms",
      g_getenv ("SLY_UNDER_VALGRIND") ? "2000" : "100", NULL);
  GstHarness *h = infer_harness (server, "max-inflight=1", FALSE);
  GstHarness *live;
  GstClockTime rtt[16];
  guint i, batched = 0;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  /* 0 alone; 1 and 2 gathered while 0 is out, sent when it ends */
  push_then_pull (h, 0, 3, rtt);
  fail_unless (rtt[0] != rtt[1] && rtt[1] == rtt[2], "round trips %"
      G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT, rtt[0],
      rtt[1], rtt[2]);
  /* sixteen at once: batches of at most four form */
  push_then_pull (h, 3, 16, rtt);
  for (i = 1; i < 16; i++)
    batched += rtt[i] == rtt[i - 1];
  fail_unless (batched >= 8, "%u of 16 frames shared a request", batched);
  for (i = 4; i < 16; i++)
    fail_if (rtt[i] == rtt[i - 1] && rtt[i] == rtt[i - 2] &&
        rtt[i] == rtt[i - 3] && rtt[i] == rtt[i - 4], "a batch over 4");
  gst_harness_teardown (h);

  /* a budget longer than any round trip here, valgrind included */
  live = infer_harness (server, "max-inflight=1 latency=10000000000", TRUE);
  gst_harness_set_src_caps_str (live, I420_CAPS);
  /* live input passes frames skipped until the model is ready */
  fail_unless_equals_int (gst_harness_push (live, make_frame (0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (live));
  fail_unless (wait_deployed (harness_element (live), 5 * G_USEC_PER_SEC));
  /* frames that find the one slot taken pass skipped, never gathered */
  for (i = 1; i < 5; i++)
    fail_unless_equals_int (gst_harness_push (live, make_frame (i)),
        GST_FLOW_OK);
  for (i = 1; i < 5; i++) {
    GstBuffer *out = gst_harness_pull (live);

    fail_unless_equals_int (get_meta (out)->status, i == 1 ?
        GST_SLY_FRAME_STATUS_INFERRED : GST_SLY_FRAME_STATUS_SKIPPED);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (live);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* Frames gathered by automatic batching, then batch-size set to 8 while
 * they wait, then one more frame and EOS: every frame comes out (the
 * gathered batch still leaves when a slot frees, and the fixed one at the
 * EOS), none waits for frames that never come. */
GST_START_TEST (test_batch_size_auto_then_fixed)
{
  SlyTestServer *server = start_server ("--latency-ms",
      g_getenv ("SLY_UNDER_VALGRIND") ? "2000" : "300", NULL);
  GstHarness *h = infer_harness (server, "max-inflight=1", FALSE);
  GstStructure *stats = NULL;
  guint64 in = 0;
  guint i, inflight = 0;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  /* the premise: 1 and 2 wait, gathered, while 0 is the one request out */
  g_object_get (harness_element (h), "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint (stats, "in-flight", &inflight));
  fail_unless (gst_structure_get_uint64 (stats, "frames-in", &in));
  gst_structure_free (stats);
  fail_unless (inflight == 1 && in == 3, "in flight %u of %" G_GUINT64_FORMAT,
      inflight, in);
  g_object_set (harness_element (h), "batch-size", 8, NULL);
  fail_unless_equals_int (gst_harness_push (h, make_frame (3)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  for (i = 0; i < 4; i++) {
    GstBuffer *out = gst_harness_pull (h);

    fail_unless (out != NULL, "frame %u never came", i);
    fail_unless_equals_int (get_meta (out)->status,
        GST_SLY_FRAME_STATUS_INFERRED);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* batch-size above the server's max_batch_size is capped to it: a server
 * that refuses batches over 2 still answers every frame of batch-size=4. */
GST_START_TEST (test_batch_size_capped_by_server)
{
  SlyTestServer *server = start_server ("--max-batch-size", "2", NULL);
  GstHarness *h = infer_harness (server, "max-inflight=2 batch-size=4",
      FALSE);
  GstStructure *stats = NULL;
  guint64 inferred = 0, failed = 0;
  guint i;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < 8; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  for (i = 0; i < 8; i++) {
    GstBuffer *out = gst_harness_pull (h);

    fail_unless_equals_int (get_meta (out)->status,
        GST_SLY_FRAME_STATUS_INFERRED);
    gst_buffer_unref (out);
  }
  g_object_get (harness_element (h), "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "inferred", &inferred);
  gst_structure_get_uint64 (stats, "failed", &failed);
  gst_structure_free (stats);
  fail_unless_equals_uint64 (inferred, 8);
  fail_unless_equals_uint64 (failed, 0);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

static void
recalculate_latency_async (GstElement * pipeline, gpointer user_data)
{
  gst_bin_recalculate_latency (GST_BIN (pipeline));
}

/* What a pipeline's application does with LATENCY messages (gst-launch
 * does the same): the element's new latency takes effect. Not on the
 * posting thread: a streaming thread must not wait for the state lock. */
static GstBusSyncReply
recalculate_latency (GstBus * bus, GstMessage * msg, gpointer pipeline)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_LATENCY)
    gst_element_call_async (GST_ELEMENT (pipeline), recalculate_latency_async,
        NULL, NULL);
  return GST_BUS_PASS;
}

/* A live source against a slow server: frames that find the window full
 * pass at once marked skipped, so nothing piles up; once the measured
 * round trips raise the latency, answers come back within it. */
static void
live_slow_server_skips (void)
{
  SlyTestServer *server = start_server ("--latency-ms", "300", "--workers",
      "2", NULL);
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc is-live=true "
      "pattern=ball num-buffers=90 ! " I420_CAPS " ! slymodelinfer url=%s "
      "max-inflight=2 name=infer ! fakesink name=sink sync=true "
      "signal-handoffs=true", sly_test_server_get_url (server));
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *infer = gst_bin_get_by_name (GST_BIN (pipeline), "infer");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GstStructure *stats = NULL;
  guint64 in = 0, out = 0, skipped = 0, inferred = 0, late = 0;
  GstQuery *latency = gst_query_new_latency ();
  GstClockTime min_latency = 0;

  gst_bus_set_sync_handler (bus, recalculate_latency, pipeline, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);

  g_object_get (infer, "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "frames-in", &in);
  gst_structure_get_uint64 (stats, "frames-out", &out);
  gst_structure_get_uint64 (stats, "skipped", &skipped);
  gst_structure_get_uint64 (stats, "inferred", &inferred);
  gst_structure_get_uint64 (stats, "late", &late);
  gst_structure_free (stats);
  fail_unless_equals_uint64 (in, 90);
  fail_unless_equals_uint64 (out, 90);
  /* 3 s of video, 300 ms per answer, 2 at a time: about 20 answers, the
   * first ones late (the first budget is 250 ms) */
  fail_unless (inferred >= 3 && inferred <= 22, "inferred %" G_GUINT64_FORMAT,
      inferred);
  fail_unless_equals_uint64 (skipped + inferred + late, 90);

  /* the element reports its latency: at first the 250 ms estimate, then
   * (after 8 answers) the measured p95 round trip plus a quarter */
  fail_unless (gst_element_query (pipeline, latency));
  gst_query_parse_latency (latency, NULL, &min_latency, NULL);
  fail_unless (min_latency >= 250 * GST_MSECOND);
  fail_unless (min_latency <= 3 * GST_SECOND);
  /* (under valgrind fewer answers may come back in time) */
  if (inferred >= 8)
    fail_unless (min_latency >= 290 * GST_MSECOND,
        "latency %" GST_TIME_FORMAT " below the measured round trips",
        GST_TIME_ARGS (min_latency));
  gst_query_unref (latency);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (infer);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  sly_test_server_stop (server);
}

GST_START_TEST (test_live_slow_server_skips)
{
  if (!under_valgrind ("test_live_slow_server_skips"))
    live_slow_server_skips ();
}

GST_END_TEST;

/* A live source against a server that queues the element's requests (one
 * worker, 150 ms each, four in flight: round trips near 600 ms, over twice
 * the first 250 ms budget): the latency grows in steps until answers fit,
 * and most answers then land in time. */
static void
live_queueing_server_adapts (void)
{
  SlyTestServer *server = start_server ("--latency-ms", "150", "--workers",
      "1", NULL);
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc is-live=true "
      "pattern=ball num-buffers=180 ! " I420_CAPS " ! slymodelinfer url=%s "
      "name=infer ! fakesink sync=true", sly_test_server_get_url (server));
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *infer = gst_bin_get_by_name (GST_BIN (pipeline), "infer");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstStructure *stats = NULL;
  guint64 inferred = 0, late = 0;
  GstMessage *msg;

  gst_bus_set_sync_handler (bus, recalculate_latency, pipeline, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
  gst_message_unref (msg);
  g_object_get (infer, "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "inferred", &inferred);
  gst_structure_get_uint64 (stats, "late", &late);
  gst_structure_free (stats);
  /* 6 s at about 6.7 answers a second: some 40 answers */
  fail_unless (inferred >= 15, "inferred %" G_GUINT64_FORMAT ", late %"
      G_GUINT64_FORMAT, inferred, late);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (infer);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  sly_test_server_stop (server);
}

GST_START_TEST (test_live_queueing_server_adapts)
{
  if (!under_valgrind ("test_live_queueing_server_adapts"))
    live_queueing_server_adapts ();
}

GST_END_TEST;

/* ---- live output while the server is in trouble ---- */

/* Output of a live pipeline as its sink renders it. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GArray *times;                /* gint64: monotonic us of each buffer */
  GArray *statuses;             /* GstSlyFrameStatus of each */
} LiveOutput;

/* fakesink's handoff: called when the frame is rendered, at its time */
static void
record_live_output (GstElement * sink, GstBuffer * buffer, GstPad * pad,
    gpointer user_data)
{
  LiveOutput *o = user_data;
  gint64 now = g_get_monotonic_time ();
  GstSlyFrameStatus status = get_meta (buffer)->status;

  g_mutex_lock (&o->lock);
  g_array_append_val (o->times, now);
  g_array_append_val (o->statuses, status);
  g_cond_broadcast (&o->cond);
  g_mutex_unlock (&o->lock);
}

/* Waits until a buffer with @status (or any, -1) came out at or after
 * @since_us; returns its time, or 0 when none came by @timeout_us. */
static gint64
wait_live_output (LiveOutput * o, gint status, gint64 since_us,
    gint64 timeout_us)
{
  gint64 end = g_get_monotonic_time () + timeout_us;
  gint64 found = 0;
  guint i = 0;

  g_mutex_lock (&o->lock);
  while (found == 0) {
    for (; i < o->times->len; i++) {
      gint64 t = g_array_index (o->times, gint64, i);

      if (t >= since_us && (status < 0 ||
              g_array_index (o->statuses, GstSlyFrameStatus, i) ==
              (GstSlyFrameStatus) status)) {
        found = t;
        break;
      }
    }
    if (found == 0 && !g_cond_wait_until (&o->cond, &o->lock, end))
      break;
  }
  g_mutex_unlock (&o->lock);
  return found;
}

/* How many buffers with @status came out in [@from_us, @to_us). */
static guint
count_live_output (LiveOutput * o, GstSlyFrameStatus status, gint64 from_us,
    gint64 to_us)
{
  guint i, n = 0;

  g_mutex_lock (&o->lock);
  for (i = 0; i < o->times->len; i++) {
    gint64 t = g_array_index (o->times, gint64, i);

    if (t >= from_us && t < to_us &&
        g_array_index (o->statuses, GstSlyFrameStatus, i) == status)
      n++;
  }
  g_mutex_unlock (&o->lock);
  return n;
}

/* The output of [@from_us, @to_us): no gap over @max_gap_us, and at least
 * @min_per_second buffers in every whole second of it. */
static void
check_live_output (LiveOutput * o, gint64 from_us, gint64 to_us,
    gint64 max_gap_us, guint min_per_second)
{
  gint64 prev = 0, second_start = from_us;
  guint i, in_second = 0;

  g_mutex_lock (&o->lock);
  for (i = 0; i < o->times->len; i++) {
    gint64 t = g_array_index (o->times, gint64, i);

    if (t < from_us || t >= to_us)
      continue;
    if (g_getenv ("SLY_TEST_DUMP"))
      g_printerr ("%" G_GINT64_FORMAT " %d\n", (t - from_us) / 1000,
          g_array_index (o->statuses, GstSlyFrameStatus, i));
    if (prev != 0)
      fail_unless (t - prev <= max_gap_us, "a gap of %" G_GINT64_FORMAT
          " ms in the output (allowed %" G_GINT64_FORMAT " ms)",
          (t - prev) / 1000, max_gap_us / 1000);
    prev = t;
    while (t >= second_start + G_USEC_PER_SEC) {
      fail_unless (in_second >= min_per_second, "%u frames in a second of "
          "output (at least %u expected)", in_second, min_per_second);
      second_start += G_USEC_PER_SEC;
      in_second = 0;
    }
    in_second++;
  }
  g_mutex_unlock (&o->lock);
}

typedef void (*OutageFunc) (SlyTestServer * server);

/* Predictions are back within a second of the server; an ASan build is
 * about twice as slow. */
#ifdef __SANITIZE_ADDRESS__
#define BACK_WITHIN_US (2 * G_USEC_PER_SEC)
#else
#define BACK_WITHIN_US G_USEC_PER_SEC
#endif

/* A live 30 fps pipeline whose server goes into trouble (@begin) for
 * @outage_s seconds and out of it (@end): the output never stalls, and
 * predictions come back within a second of the end. */
static void
check_live_outage (SlyTestServer * server, OutageFunc begin, OutageFunc end,
    guint outage_s, gboolean hangs)
{
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc is-live=true "
      "pattern=ball ! " I420_CAPS " ! slymodelinfer url=%s name=infer "
      "retries=2 ! fakesink name=sink sync=true signal-handoffs=true",
      sly_test_server_get_url (server));
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *infer = gst_bin_get_by_name (GST_BIN (pipeline), "infer");
  GstPad *src = gst_element_get_static_pad (infer, "src");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstElement *sink;
  LiveOutput o;
  GstQuery *query = gst_query_new_latency ();
  GstClockTime latency = 0;
  GstStructure *stats = NULL;
  guint inflight = 0;
  gint64 start, resumed, back, first_inferred;

  g_mutex_init (&o.lock);
  g_cond_init (&o.cond);
  o.times = g_array_new (FALSE, FALSE, sizeof (gint64));
  o.statuses = g_array_new (FALSE, FALSE, sizeof (GstSlyFrameStatus));
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (record_live_output), &o);
  gst_bus_set_sync_handler (bus, recalculate_latency, pipeline, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  /* healthy first: a few answers */
  first_inferred = wait_live_output (&o, GST_SLY_FRAME_STATUS_INFERRED, 0,
      20 * G_USEC_PER_SEC);
  fail_unless (first_inferred != 0, "no answer from the healthy server");
  /* upstream's latency plus the element's */
  fail_unless (gst_pad_query (src, query));
  gst_query_parse_latency (query, NULL, &latency, NULL);

  begin (server);
  start = g_get_monotonic_time ();
  fail_unless (wait_live_output (&o, -1, start + outage_s * G_USEC_PER_SEC,
          (outage_s + 10) * G_USEC_PER_SEC) != 0, "the output stopped");
  g_object_get (infer, "stats", &stats, NULL);
  gst_structure_get_uint (stats, "in-flight", &inflight);
  gst_structure_free (stats);
  end (server);
  resumed = g_get_monotonic_time ();
  /* the premise: the server was in trouble (no answer after those already
   * on their way), with requests hanging on it when it hangs */
  fail_unless_equals_int (count_live_output (&o, GST_SLY_FRAME_STATUS_INFERRED,
          start + latency / GST_USECOND + 500 * 1000, resumed), 0);
  if (hangs)
    fail_unless (inflight > 0, "no request was waiting on the server");

  back = wait_live_output (&o, GST_SLY_FRAME_STATUS_INFERRED, resumed,
      10 * G_USEC_PER_SEC);
  fail_unless (back != 0, "predictions did not come back");
  /* latency + 2 frames between buffers, 27 of 30 frames every second */
  check_live_output (&o, start, resumed, latency / GST_USECOND +
      2 * G_USEC_PER_SEC / FPS, 27);
  fail_unless (back - resumed <= BACK_WITHIN_US, "predictions came back "
      "%" G_GINT64_FORMAT " ms after the server", (back - resumed) / 1000);
  GST_INFO ("outage: %u in flight during it, latency %" GST_TIME_FORMAT
      ", back after %" G_GINT64_FORMAT " ms", inflight, GST_TIME_ARGS (latency),
      (back - resumed) / 1000);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_query_unref (query);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (infer);
  gst_object_unref (pipeline);
  g_array_unref (o.times);
  g_array_unref (o.statuses);
  g_cond_clear (&o.cond);
  g_mutex_clear (&o.lock);
}

/* SIGSTOP: requests hang on the frozen server for 5 s. */
static void
live_server_frozen (void)
{
  SlyTestServer *server = start_server (NULL);

  check_live_outage (server, sly_test_server_pause, sly_test_server_resume,
      5, TRUE);
  sly_test_server_stop (server);
}

GST_START_TEST (test_live_server_frozen)
{
  if (!under_valgrind ("test_live_server_frozen"))
    live_server_frozen ();
}

GST_END_TEST;

/* The server process killed, then started again on the same port. */
static void
live_server_killed (void)
{
  SlyTestServer *server = start_server (NULL);

  check_live_outage (server, sly_test_server_kill, sly_test_server_restart, 3,
      FALSE);
  sly_test_server_stop (server);
}

GST_START_TEST (test_live_server_killed)
{
  if (!under_valgrind ("test_live_server_killed"))
    live_server_killed ();
}

GST_END_TEST;

static void
faults_on (SlyTestServer * server)
{
  sly_test_server_signal (server, SIGUSR1);
}

static void
faults_off (SlyTestServer * server)
{
  sly_test_server_signal (server, SIGUSR2);
}

/* 429 Too Many Requests with Retry-After: 30 for 3 s. */
static void
live_server_retry_after (void)
{
  SlyTestServer *server = start_server ("--fail-rate", "1", "--fail-kinds",
      "429", "--retry-after", "30", "--faults-off", NULL);

  check_live_outage (server, faults_on, faults_off, 3, FALSE);
  sly_test_server_stop (server);
}

GST_START_TEST (test_live_server_retry_after)
{
  if (!under_valgrind ("test_live_server_retry_after"))
    live_server_retry_after ();
}

GST_END_TEST;

/* A caps change mid-stream (I420 to RGB) is serialized with the buffers:
 * frames before it are encoded as I420, frames after it as RGB, and each
 * one's box is where its own square is. */
GST_START_TEST (test_caps_change)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "max-inflight=4", FALSE);
  guint i;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < 4; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  gst_harness_set_src_caps_str (h, RGB_CAPS);
  for (i = 0; i < 4; i++) {
    GstBuffer *buffer = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 3,
        NULL);
    GstMapInfo map;

    gst_buffer_map (buffer, &map, GST_MAP_WRITE);
    memset (map.data, 0, map.size);
    fill_rect (map.data, 200 - 10 * i, 150, 30, 30, 255, 255, 255);
    gst_buffer_unmap (buffer, &map);
    GST_BUFFER_PTS (buffer) = (4 + i) * GST_SECOND / FPS;
    fail_unless_equals_int (gst_harness_push (h, buffer), GST_FLOW_OK);
  }
  for (i = 0; i < 8; i++) {
    GstBuffer *out = gst_harness_pull (h);
    gint x, y;

    get_box (get_meta (out), 0, &x, &y, NULL, NULL);
    if (i < 4) {
      fail_unless (ABS (x - (gint) (10 + i * 7)) <= 2);
      fail_unless (ABS (y - 20) <= 2);
    } else {
      fail_unless (ABS (x - (gint) (200 - 10 * (i - 4))) <= 2);
      fail_unless (ABS (y - 150) <= 2);
    }
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* overload=drop on live input with a slow server: frames that find the
 * window full are dropped, not pushed; every frame is accounted for. */
GST_START_TEST (test_overload_drop)
{
  SlyTestServer *server = start_server ("--latency-ms", "200", NULL);
  GstHarness *h = infer_harness (server, "max-inflight=1 overload=drop",
      TRUE);
  GstStructure *stats = NULL;
  guint64 dropped = 0, frames_out = 0;
  guint i, out = 0;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  /* live input passes frames skipped until the model is ready: wait */
  fail_unless_equals_int (gst_harness_push (h, make_frame (0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  fail_unless (wait_deployed (harness_element (h), 5 * G_USEC_PER_SEC));
  for (i = 1; i < 10; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  /* after EOS everything that will come out has come out */
  while (TRUE) {
    GstEvent *event = gst_harness_pull_event (h);
    gboolean eos = GST_EVENT_TYPE (event) == GST_EVENT_EOS;

    gst_event_unref (event);
    if (eos)
      break;
  }
  out = gst_harness_buffers_in_queue (h);
  g_object_get (harness_element (h), "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "dropped", &dropped);
  gst_structure_get_uint64 (stats, "frames-out", &frames_out);
  gst_structure_free (stats);
  fail_unless (dropped >= 5, "dropped %" G_GUINT64_FORMAT, dropped);
  fail_unless_equals_uint64 (out, 9 - dropped);
  fail_unless_equals_uint64 (frames_out, 1 + out);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* ---- failures ---- */

/* Killing the server mid-stream gives a warning and frames marked failed,
 * none lost; after a restart inference resumes by itself. */
GST_START_TEST (test_server_killed_and_restarted)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "max-inflight=2 retries=0", FALSE);
  GstElement *e = harness_element (h);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GstBuffer *out;
  guint i, n = 0, failed = 0, inferred_after = 0;

  gst_element_set_bus (e, bus);
  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < 5; i++, n++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (n)), GST_FLOW_OK);
  for (i = 0; i < 5; i++) {
    out = gst_harness_pull (h);
    fail_unless_equals_int (get_meta (out)->status,
        GST_SLY_FRAME_STATUS_INFERRED);
    gst_buffer_unref (out);
  }

  sly_test_server_kill (server);
  for (i = 0; i < 5; i++, n++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (n)), GST_FLOW_OK);
  for (i = 0; i < 5; i++) {
    out = gst_harness_pull (h);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out),
        (5 + i) * GST_SECOND / FPS + 17);
    if (get_meta (out)->status == GST_SLY_FRAME_STATUS_FAILED)
      failed++;
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (failed, 5);
  msg = wait_bus_message (bus, GST_MESSAGE_WARNING, NULL, 5000);
  fail_unless (msg != NULL, "no warning about the failures");
  gst_message_unref (msg);

  sly_test_server_restart (server);
  /* each frame waits for its answer (or its failure after the backoff,
   * at most 500 ms): within 150 frames inference is back */
  for (i = 0; i < 150 && inferred_after < 3; i++, n++) {
    fail_unless_equals_int (gst_harness_push (h, make_frame (n)), GST_FLOW_OK);
    out = gst_harness_pull (h);
    if (get_meta (out)->status == GST_SLY_FRAME_STATUS_INFERRED)
      inferred_after++;
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (inferred_after, 3);

  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* ---- flushing and teardown ---- */

static guint
inflight_of (GstElement * infer)
{
  GstStructure *stats = NULL;
  guint inflight = 0;

  g_object_get (infer, "stats", &stats, NULL);
  gst_structure_get_uint (stats, "in-flight", &inflight);
  gst_structure_free (stats);
  return inflight;
}

/* Counts the buffers that reach the element's chain function. */
typedef struct
{
  GMutex lock;
  GCond cond;
  guint n;
  GstPad *pad;
} BufferCounter;

static GstPadProbeReturn
count_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  BufferCounter *c = user_data;

  g_mutex_lock (&c->lock);
  c->n++;
  g_cond_broadcast (&c->cond);
  g_mutex_unlock (&c->lock);
  return GST_PAD_PROBE_OK;
}

static void
buffer_counter_attach (BufferCounter * c, GstElement * infer)
{
  g_mutex_init (&c->lock);
  g_cond_init (&c->cond);
  c->n = 0;
  c->pad = gst_element_get_static_pad (infer, "sink");
  gst_pad_add_probe (c->pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, c, NULL);
}

static void
buffer_counter_clear (BufferCounter * c)
{
  gst_object_unref (c->pad);
  g_cond_clear (&c->cond);
  g_mutex_clear (&c->lock);
}

/* Waits until @n more buffers than now reached the chain function. */
static gboolean
buffer_counter_wait (BufferCounter * c, guint n)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint target;

  g_mutex_lock (&c->lock);
  target = c->n + n;
  while (c->n < target && g_cond_wait_until (&c->cond, &c->lock, end));
  n = c->n;
  g_mutex_unlock (&c->lock);
  return n >= target;
}

/* A streaming non-live pipeline whose server takes 300 ms per frame keeps
 * its requests outstanding all the time: once frames stream, the server
 * is stopped with requests on it. Asserts that they hang there. */
static void
wait_requests_hanging (BufferCounter * c, GstElement * infer,
    SlyTestServer * server)
{
  fail_unless (buffer_counter_wait (c, 3), "frames do not stream");
  sly_test_server_pause (server);
  fail_unless (inflight_of (infer) > 0, "no request in flight");
}


/* A flush while requests hang on a stopped server: FLUSH_START returns at
 * once, nothing is pushed after it, and after FLUSH_STOP new frames flow
 * again once the server is back. */
GST_START_TEST (test_flush_in_flight)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "max-inflight=4 overload=skip",
      FALSE);
  GstSegment segment;
  GstBuffer *out;
  guint i;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  /* one frame through so the model is ready */
  fail_unless_equals_int (gst_harness_push (h, make_frame (0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));

  sly_test_server_pause (server);
  for (i = 1; i < 5; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  /* the premise: four requests wait on the stopped server */
  fail_unless_equals_int (inflight_of (harness_element (h)), 4);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);

  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  sly_test_server_resume (server);

  /* flush-stop removed the sticky segment: send a new one */
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  fail_unless_equals_int (gst_harness_push (h, make_frame (7)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 7 * GST_SECOND / FPS + 17);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  gst_buffer_unref (out);

  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* A flushing seek on a pipeline whose requests hang on a stopped server
 * completes promptly and playback continues after the server resumes. */
GST_START_TEST (test_flushing_seek)
{
  SlyTestServer *server = start_server ("--latency-ms", "300", NULL);
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc pattern=ball ! "
      I420_CAPS " ! slymodelinfer name=infer url=%s max-inflight=4 ! "
      "fakesink name=sink sync=false", sly_test_server_get_url (server));
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstElement *infer = gst_bin_get_by_name (GST_BIN (pipeline), "infer");
  BufferCounter counter;
  gint64 start;
  GstMessage *msg;

  buffer_counter_attach (&counter, infer);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_ASYNC);
  fail_unless_equals_int (gst_element_get_state (pipeline, NULL, NULL,
          10 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  wait_requests_hanging (&counter, infer, server);
  start = g_get_monotonic_time ();
  fail_unless (gst_element_seek_simple (pipeline, GST_FORMAT_TIME,
          GST_SEEK_FLAG_FLUSH, 0));
  fail_unless (g_get_monotonic_time () - start < 2 * G_USEC_PER_SEC);
  sly_test_server_resume (server);
  fail_unless_equals_int (gst_element_get_state (pipeline, NULL, NULL,
          10 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg == NULL);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  buffer_counter_clear (&counter);
  gst_object_unref (infer);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* PLAYING -> NULL with requests stuck on a stopped server returns
 * promptly and leaks nothing. */
GST_START_TEST (test_stop_with_requests_outstanding)
{
  SlyTestServer *server = start_server ("--latency-ms", "300", NULL);
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc pattern=ball ! "
      I420_CAPS " ! slymodelinfer name=infer url=%s max-inflight=4 ! "
      "fakesink sync=false", sly_test_server_get_url (server));
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *infer = gst_bin_get_by_name (GST_BIN (pipeline), "infer");
  BufferCounter counter;
  gint64 start;

  buffer_counter_attach (&counter, infer);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  fail_unless_equals_int (gst_element_get_state (pipeline, NULL, NULL,
          10 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  wait_requests_hanging (&counter, infer, server);

  start = g_get_monotonic_time ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (g_get_monotonic_time () - start < 2 * G_USEC_PER_SEC);
  buffer_counter_clear (&counter);
  gst_object_unref (infer);
  gst_object_unref (pipeline);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* 200 start/stop cycles of a pipeline that streams a few frames each time:
 * no hang, no leak, every cycle ends in EOS. */
GST_START_TEST (test_start_stop_cycles)
{
  SlyTestServer *server = start_server (NULL);
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc pattern=ball "
      "num-buffers=3 ! " I420_CAPS " ! slymodelinfer url=%s ! fakesink "
      "sync=false", sly_test_server_get_url (server));
  guint i;

  for (i = 0; i < 200; i++) {
    GstElement *pipeline = gst_parse_launch (desc, NULL);
    GstBus *bus = gst_element_get_bus (pipeline);
    GstMessage *msg;

    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    /* every 4th cycle stops in the middle of the stream */
    if (i % 4 != 3) {
      msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
          GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
      fail_unless (msg != NULL);
      fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
      gst_message_unref (msg);
    }
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
    gst_object_unref (bus);
    gst_object_unref (pipeline);
  }
  sly_test_server_stop (server);
}

GST_END_TEST;

/* ---- properties, messages, secrets ---- */

/* post-messages=true posts one slymodelinfer-prediction message per frame
 * with running time, status and the annotation JSON. */
GST_START_TEST (test_post_messages)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "post-messages=true", FALSE);
  GstElement *e = harness_element (h);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  const GstStructure *s;
  guint64 running_time = 1;

  gst_element_set_bus (e, bus);
  gst_harness_add_src_parse (h, BALL_SRC ("I420"), FALSE);
  push_src_frames (h, 2);
  gst_buffer_unref (gst_harness_pull (h));
  gst_buffer_unref (gst_harness_pull (h));

  msg = wait_bus_message (bus, GST_MESSAGE_ELEMENT,
      "slymodelinfer-prediction", 5000);
  fail_unless (msg != NULL);
  s = gst_message_get_structure (msg);
  fail_unless (gst_structure_get_uint64 (s, "running-time", &running_time));
  fail_unless_equals_uint64 (running_time, 0);
  fail_unless_equals_string (gst_structure_get_string (s, "status"),
      "inferred");
  fail_unless (strstr (gst_structure_get_string (s, "annotation"),
          "\"ball\"") != NULL);
  gst_message_unref (msg);
  msg = wait_bus_message (bus, GST_MESSAGE_ELEMENT,
      "slymodelinfer-prediction", 5000);
  fail_unless (msg != NULL);
  fail_unless (gst_structure_get_uint64 (gst_message_get_structure (msg),
          "running-time", &running_time));
  fail_unless_equals_uint64 (running_time, GST_SECOND / FPS);
  gst_message_unref (msg);

  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* upload-max-size: frames are scaled down before encoding and the boxes
 * come back in frame coordinates, within 2 px of the ball the test finds
 * in the frame itself, for several sizes and aspect ratios. */
GST_START_TEST (test_upload_max_size)
{
  static const struct
  {
    gint width, height;
    const gchar *props;
  } cases[] = {
    {640, 480, "upload-max-size=320"},
    {640, 360, "upload-max-size=400"},
    {480, 640, "upload-max-size=500"},
    {320, 240, "upload-max-size=640"},  /* already small: sent as is */
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *src = g_strdup_printf ("videotestsrc pattern=ball ! "
        "capsfilter caps=video/x-raw,format=I420,width=%d,height=%d,"
        "framerate=30/1", cases[i].width, cases[i].height);

    check_ball_with (src, 10, cases[i].props);
  }
}

GST_END_TEST;

/* The same for the segmenter's bitmap and polygon: both land on the ball
 * in frame coordinates (the mask is scaled to the frame). */
GST_START_TEST (test_upload_max_size_masks)
{
  SlyTestServer *server = sly_test_server_start ("--model", "blob-segmenter",
      NULL);
  GstHarness *h = infer_harness (server, "upload-max-size=320", FALSE);
  GstBuffer *buffer;
  GstCaps *caps;
  Box ball;
  guint i, n;

  gst_harness_add_src_parse (h, "videotestsrc pattern=ball ! capsfilter "
      "caps=video/x-raw,format=I420,width=640,height=480,framerate=30/1",
      FALSE);
  push_src_frames (h, 1);
  buffer = gst_harness_pull (h);
  caps = gst_pad_get_current_caps (h->sinkpad);
  ball = measure_frame (buffer, caps);
  n = gst_sly_prediction_meta_get_n_objects (get_meta (buffer));
  fail_unless (n >= 2, "%u objects", n);
  for (i = 0; i < n; i++) {
    const gchar *type = gst_sly_prediction_meta_get_object_geometry_type
        (get_meta (buffer), i);
    gint x, y, w, hh;

    fail_unless (gst_sly_prediction_meta_get_object (get_meta (buffer), i,
            NULL, NULL, &x, &y, &w, &hh, NULL));
    fail_unless (ABS (x - ball.left) <= 2 && ABS (y - ball.top) <= 2 &&
        ABS (x + w - 1 - ball.right) <= 2 &&
        ABS (y + hh - 1 - ball.bottom) <= 2, "%s: [%d,%d %dx%d], ball "
        "[%d,%d - %d,%d]", type, x, y, w, hh, ball.left, ball.top, ball.right,
        ball.bottom);
  }
  gst_caps_unref (caps);
  gst_buffer_unref (buffer);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* ---- regions ---- */

/* What the server's debug_inferred_images says: every image it ran its
 * model on (its total since start, the last 1000 of them). */
static JsonObject *
server_inferred_images (SlyTestServer * server)
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
  fail_unless (root != NULL && JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

/* The sizes of the last @n images the server ran its model on. */
static void
server_last_sizes (SlyTestServer * server, guint n, gint * sizes)
{
  g_autoptr (JsonObject) root = server_inferred_images (server);
  JsonArray *images = json_object_get_array_member (root, "images");
  guint i, len = json_array_get_length (images);

  fail_unless (len >= n);
  for (i = 0; i < n; i++) {
    JsonObject *o = json_array_get_object_element (images, len - n + i);

    sizes[2 * i] = json_object_get_int_member (o, "width");
    sizes[2 * i + 1] = json_object_get_int_member (o, "height");
  }
}

/* roi: only the regions are sent (the server ran on images of their
 * size), and the box comes back in frame coordinates, within 2 px of the
 * square the test drew; a region without the square gives no object. */
GST_START_TEST (test_roi)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "roi=5,10,120,90", FALSE);
  GstElement *e = harness_element (h);
  GstBuffer *out;
  gint sizes[4], x, y, w, hh;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  /* frame 3: the square at 31,20, 40x30 */
  fail_unless_equals_int (gst_harness_push (h, make_frame (3)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
          (out)), 1);
  fail_unless (gst_sly_prediction_meta_get_object (get_meta (out), 0, NULL,
          NULL, &x, &y, &w, &hh, NULL));
  fail_unless (ABS (x - 31) <= 2 && ABS (y - 20) <= 2 && ABS (w - 40) <= 2 &&
      ABS (hh - 30) <= 2, "box %d,%d %dx%d", x, y, w, hh);
  gst_buffer_unref (out);
  server_last_sizes (server, 1, sizes);
  fail_unless_equals_int (sizes[0], 120);
  fail_unless_equals_int (sizes[1], 90);

  /* two regions, the square in neither: two images, no object */
  g_object_set (e, "roi", "150,100,100,80; 0,150,60,40", NULL);
  fail_unless_equals_int (gst_harness_push (h, make_frame (4)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (get_meta (out)->status,
      GST_SLY_FRAME_STATUS_INFERRED);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
          (out)), 0);
  gst_buffer_unref (out);
  server_last_sizes (server, 2, sizes);
  fail_unless (sizes[0] == 100 && sizes[1] == 80 && sizes[2] == 60 &&
      sizes[3] == 40, "sizes %dx%d and %dx%d", sizes[0], sizes[1], sizes[2],
      sizes[3]);

  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* A roi that is not a list of x,y,width,height gives a warning and leaves
 * the property as it was; huge values are clipped, never overflow. */
GST_START_TEST (test_roi_bad_values)
{
  static const gchar *bad[] = { "abc", "1,2,3", "-1,0,5,5", "0,0,0,5",
    "1,2,3,4,5", "1,2,3,4;x", "99999999999,0,5,5", "1,2,3,4 junk"
  };
  GstElement *e = gst_element_factory_make ("slymodelinfer", NULL);
  GstBus *bus = gst_bus_new ();
  gchar *roi = NULL;
  guint i;

  gst_element_set_bus (e, bus);
  g_object_set (e, "roi", "0,0,10,10", NULL);
  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    GstMessage *msg;

    g_object_set (e, "roi", bad[i], NULL);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
    fail_unless (msg != NULL, "no warning for roi=%s", bad[i]);
    gst_message_unref (msg);
    g_object_get (e, "roi", &roi, NULL);
    fail_unless_equals_string (roi, "0,0,10,10");
    g_free (roi);
  }
  /* large but valid: accepted (clipped to the frame when used) */
  g_object_set (e, "roi", "0, 0, 2147483647, 2147483647", NULL);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING) == NULL);
  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_object_unref (e);
}

GST_END_TEST;

/* A black 1920x1080 I420 frame with bright 30x30 squares at @xy. */
static GstBuffer *
squares_frame_hd (const gint * xy, guint n)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, 1920 * 1080 * 3 / 2,
      NULL);
  GstMapInfo map;
  guint i;

  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  memset (map.data, 0, 1920 * 1080);
  memset (map.data + 1920 * 1080, 128, 1920 * 1080 / 2);
  for (i = 0; i < n; i++)
    for (gint y = xy[2 * i + 1]; y < xy[2 * i + 1] + 30; y++)
      memset (map.data + y * 1920 + xy[2 * i], 235, 30);
  gst_buffer_unmap (buffer, &map);
  GST_BUFFER_PTS (buffer) = 0;
  return buffer;
}

/* sliding-window=640x480 with 64 px overlap on a 1080p frame of squares,
 * several across window borders, and a bar wider than a window: every
 * square is found once; the bar comes back only in pieces (the windows
 * were used). The windows are run by the server, or cut by the element
 * (@server_has_windows FALSE), which the server's image sizes show. */
static void
check_sliding_windows (gboolean server_has_windows)
{
  /* window columns start at 0, 576, 1152, 1280; rows at 0, 416, 600 */
  static const gint xy[] = { 100, 100, 560, 200, 1140, 300, 1265, 700,
    600, 405, 1800, 1000
  };
  SlyTestServer *server = server_has_windows ? start_server (NULL) :
      start_server ("--no-sliding-window", NULL);
  GstHarness *h = infer_harness (server, "sliding-window=640x480 "
      "sliding-window-overlap=64", FALSE);
  GstBus *bus = gst_bus_new ();
  GstSlyPredictionMeta *meta;
  GstBuffer *in, *out;
  GstMessage *msg;
  GstMapInfo map;
  gint sizes[24];
  guint i, j, n, widest = 0;

  gst_element_set_bus (harness_element (h), bus);
  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=1920,"
      "height=1080,framerate=30/1");
  in = squares_frame_hd (xy, G_N_ELEMENTS (xy) / 2);
  /* the bar: 700x20 at 100,950 */
  gst_buffer_map (in, &map, GST_MAP_WRITE);
  for (gint y = 950; y < 970; y++)
    memset (map.data + y * 1920 + 100, 235, 700);
  gst_buffer_unmap (in, &map);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  meta = get_meta (out);
  n = gst_sly_prediction_meta_get_n_objects (meta);
  for (i = 0; i < G_N_ELEMENTS (xy) / 2; i++) {
    guint found = 0;

    for (j = 0; j < n; j++) {
      gint x, y, w, hh;

      fail_unless (gst_sly_prediction_meta_get_object (meta, j, NULL, NULL,
              &x, &y, &w, &hh, NULL));
      found += ABS (x - xy[2 * i]) <= 2 && ABS (y - xy[2 * i + 1]) <= 2 &&
          ABS (w - 30) <= 2 && ABS (hh - 30) <= 2;
    }
    fail_unless_equals_int (found, 1);
  }
  for (j = 0; j < n; j++) {
    gint y, w;

    gst_sly_prediction_meta_get_object (meta, j, NULL, NULL, NULL, &y, &w,
        NULL, NULL);
    if (y >= 940)
      widest = MAX (widest, (guint) w);
  }
  fail_unless (widest > 0 && widest <= 640, "the bar came back %u wide",
      widest);
  gst_buffer_unref (out);

  if (server_has_windows) {
    server_last_sizes (server, 1, sizes);
    fail_unless (sizes[0] == 1920 && sizes[1] == 1080);
    fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING) == NULL);
  } else {
    /* twelve windows of 640x480 went up, and a warning said so */
    server_last_sizes (server, 12, sizes);
    for (i = 0; i < 12; i++)
      fail_unless (sizes[2 * i] == 640 && sizes[2 * i + 1] == 480,
          "image %u: %dx%d", i, sizes[2 * i], sizes[2 * i + 1]);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
    fail_unless (msg != NULL);
    gst_message_unref (msg);
  }

  gst_element_set_bus (harness_element (h), NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

/* The premise of the sliding-window tests: their squares are too small for
 * a model that sees the frame scaled down whole (upload-max-size=160: a
 * 30 px square becomes 2.5 px, under the detector's min_area): none is
 * found. */
GST_START_TEST (test_sliding_window_premise)
{
  static const gint xy[] = { 100, 100, 560, 200, 1140, 300 };
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "upload-max-size=160", FALSE);
  GstBuffer *out;

  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=1920,"
      "height=1080,framerate=30/1");
  fail_unless_equals_int (gst_harness_push (h, squares_frame_hd (xy,
              G_N_ELEMENTS (xy) / 2)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (get_meta (out)->status,
      GST_SLY_FRAME_STATUS_INFERRED);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
          (out)), 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

GST_START_TEST (test_sliding_window)
{
  check_sliding_windows (TRUE);
}

GST_END_TEST;

/* A server without sliding windows: the element cuts the windows itself
 * and merges what several of them saw. */
GST_START_TEST (test_sliding_window_unsupported)
{
  check_sliding_windows (FALSE);
}

GST_END_TEST;

/* A window overlap close to the window size: the element still cuts at
 * most 16 windows along each axis (16 x 16 here), not 1.2 million. */
GST_START_TEST (test_sliding_window_overlap_capped)
{
  SlyTestServer *server = start_server ("--no-sliding-window", NULL);
  GstHarness *h = infer_harness (server, "sliding-window=320x320 "
      "sliding-window-overlap=400", FALSE);
  g_autoptr (JsonObject) before = NULL;
  g_autoptr (JsonObject) after = NULL;
  GstBuffer *out;

  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=1920,"
      "height=1080,framerate=30/1");
  before = server_inferred_images (server);
  fail_unless_equals_int (gst_harness_push (h, squares_frame_hd (NULL, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (get_meta (out)->status,
      GST_SLY_FRAME_STATUS_INFERRED);
  gst_buffer_unref (out);
  after = server_inferred_images (server);
  fail_unless_equals_int64 (json_object_get_int_member (after, "total") -
      json_object_get_int_member (before, "total"), 256);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* ---- several model servers ---- */


/* requests each server of the element's stats got so far */
static void
server_requests (GstElement * e, guint64 * a, guint64 * b)
{
  GstStructure *stats = NULL;
  const GValue *servers;

  g_object_get (e, "stats", &stats, NULL);
  servers = gst_structure_get_value (stats, "servers");
  fail_unless (servers != NULL && gst_value_array_get_size (servers) == 2);
  fail_unless (gst_structure_get_uint64 (gst_value_get_structure
          (gst_value_array_get_value (servers, 0)), "requests", a));
  fail_unless (gst_structure_get_uint64 (gst_value_get_structure
          (gst_value_array_get_value (servers, 1)), "requests", b));
  gst_structure_free (stats);
}

/* Pushes frame @n and pulls it: inferred, in order. */
static void
push_pull_inferred (GstHarness * h, guint n)
{
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (h, make_frame (n)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), n * GST_SECOND / FPS + 17);
  fail_unless_equals_int (get_meta (out)->status,
      GST_SLY_FRAME_STATUS_INFERRED);
  gst_buffer_unref (out);
}

/* url lists two deployments: both get requests; with one killed every
 * non-live frame is still inferred (retried on the other), in order; back,
 * it gets requests again. */
GST_START_TEST (test_two_servers)
{
  SlyTestServer *a = start_server (NULL);
  SlyTestServer *b = start_server (NULL);
  g_autofree gchar *desc = g_strdup_printf ("slymodelinfer url=%s,%s "
      "max-inflight=2 retries=0", sly_test_server_get_url (a),
      sly_test_server_get_url (b));
  GstHarness *h = gst_harness_new_parse (desc);
  GstElement *e;
  guint64 ra = 0, rb = 0, ra_down = 0, rb_down = 0;
  guint i, n = 0;

  gst_harness_set_live (h, FALSE);
  e = harness_element (h);
  gst_harness_set_src_caps_str (h, I420_CAPS);
  /* two in flight at a time: the least loaded server takes each */
  for (i = 0; i < 10; i++, n++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (n)), GST_FLOW_OK);
  for (i = 0; i < 10; i++)
    gst_buffer_unref (gst_harness_pull (h));
  server_requests (e, &ra, &rb);
  fail_unless (ra > 0 && rb > 0, "requests %" G_GUINT64_FORMAT " and %"
      G_GUINT64_FORMAT, ra, rb);

  sly_test_server_kill (a);
  for (i = 0; i < 20; i++, n++)
    push_pull_inferred (h, n);
  server_requests (e, &ra_down, &rb_down);
  fail_unless (rb_down >= rb + 20);

  /* back: within its backoff it gets requests again */
  sly_test_server_restart (a);
  for (i = 0; i < 200 && ra <= ra_down; i++, n++) {
    push_pull_inferred (h, n);
    server_requests (e, &ra, &rb);
  }
  fail_unless (ra > ra_down, "the restarted server got no request");

  gst_harness_teardown (h);
  sly_test_server_stop (a);
  sly_test_server_stop (b);
}

GST_END_TEST;

/* task-ids lists serving apps by task id: both get requests (here the same
 * app twice, the one task our platform knows); a value that is no task id
 * stops the start with an error naming it. */
GST_START_TEST (test_task_ids)
{
  SlyTestServer *server = start_server ("--task-id", "4242", NULL);
  g_autofree gchar *desc = g_strdup_printf ("slymodelinfer task-ids=4242,"
      "4242 server-address=%s api-token=t max-inflight=2",
      sly_test_server_get_url (server));
  GstHarness *h = gst_harness_new_parse (desc);
  GstMessage *msg;
  gchar *frozen = NULL, *desc2;
  guint64 a = 0, b = 0;
  guint i;

  gst_harness_set_live (h, FALSE);
  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < 10; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  for (i = 0; i < 10; i++)
    gst_buffer_unref (gst_harness_pull (h));
  server_requests (harness_element (h), &a, &b);
  fail_unless (a > 0 && b > 0, "requests %" G_GUINT64_FORMAT " and %"
      G_GUINT64_FORMAT, a, b);
  /* actions go to the first app */
  g_signal_emit_by_name (harness_element (h), "freeze-model", &frozen);
  fail_unless (frozen != NULL);
  g_free (frozen);
  gst_harness_teardown (h);

  /* url with task-ids: which? an error; a value that is no task id too */
  desc2 = g_strdup_printf ("videotestsrc num-buffers=5 ! slymodelinfer "
      "url=%s task-ids=4242 ! fakesink", sly_test_server_get_url (server));
  msg = start_and_get_error (desc2);
  assert_error_mentions (msg, "Both url");
  gst_message_unref (msg);
  g_free (desc2);
  desc2 = g_strdup_printf ("videotestsrc num-buffers=5 ! slymodelinfer "
      "task-ids=\"4242, abc\" server-address=%s ! fakesink",
      sly_test_server_get_url (server));
  msg = start_and_get_error (desc2);
  assert_error_mentions (msg, "abc");
  gst_message_unref (msg);
  g_free (desc2);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* ---- visibility, failures, streaming rules (issues #7, #12) ---- */

/* Frames dropped for want of a slot (overload=drop) are not output, but
 * time passes for the tracks: the prediction after two dropped frames is
 * where the square is, not two frames behind. */
GST_START_TEST (test_dropped_frames_advance_tracker)
{
  /* long enough that the five frames after 12 come in while it is out */
  SlyTestServer *server = start_server ("--latency-ms",
      g_getenv ("SLY_UNDER_VALGRIND") ? "3000" : "150", NULL);
  GstHarness *h = infer_harness (server, "tracking=true inference-interval=2 "
      "max-inflight=1 overload=drop", FALSE);
  GstStructure *stats = NULL;
  guint64 dropped = 0;
  guint i;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  /* one at a time: every even frame inferred, the odd ones predicted */
  for (i = 0; i < 12; i++) {
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  /* 12 takes the slot; 14 and 16 find it busy and are dropped */
  for (i = 12; i < 18; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  for (i = 12; i < 18; i++) {
    GstBuffer *out;
    GstSlyPredictionMeta *meta;
    gint x, y;

    if (i == 14 || i == 16)
      continue;
    out = gst_harness_pull (h);
    meta = get_meta (out);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), i * GST_SECOND / FPS + 17);
    fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (meta), 1);
    get_box (meta, 0, &x, &y, NULL, NULL);
    fail_unless (ABS (x - (gint) (10 + i * 7)) <= 4,
        "frame %u (%s): x %d, square at %u", i,
        gst_sly_frame_status_get_nick (meta->status), x, 10 + i * 7);
    gst_buffer_unref (out);
  }
  g_object_get (harness_element (h), "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "dropped", &dropped);
  gst_structure_free (stats);
  /* the premise */
  fail_unless_equals_uint64 (dropped, 2);

  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* The element takes the BoT-SORT parameters from the "botsort" member of
 * get_tracking_settings: values that differ from the defaults show. */
GST_START_TEST (test_tracking_settings_member)
{
  SlyTestServer *server = start_server ("--tracking-settings",
      "{\"track_buffer\": 7, \"match_thresh\": 0.55}", NULL);
  GstHarness *h = infer_harness (server, NULL, FALSE);
  GstElement *e = harness_element (h);
  g_autofree gchar *json = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *settings;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  fail_unless_equals_int (gst_harness_push (h, make_frame (0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  g_object_get (e, "tracking-settings", &json, NULL);
  fail_unless (json != NULL);
  node = json_from_string (json, NULL);
  fail_unless (node != NULL && JSON_NODE_HOLDS_OBJECT (node), "%s", json);
  settings = json_node_get_object (node);
  fail_if (json_object_has_member (settings, "botsort"), "%s", json);
  fail_unless_equals_int (json_object_get_int_member (settings,
          "track_buffer"), 7);
  fail_unless (ABS (json_object_get_double_member (settings,
              "match_thresh") - 0.55) < 1e-9, "%s", json);

  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* An inference request answered with a redirect to another host is an
 * error naming the status: the frame passes failed, never with another
 * host's answer. */
GST_START_TEST (test_inference_redirect_is_error)
{
  SlyTestServer *other = start_server (NULL);
  g_autofree gchar *target = g_strdup_printf ("%s/inference_image",
      sly_test_server_get_url (other));
  SlyTestServer *server = start_server ("--redirect", target, NULL);
  GstHarness *h = infer_harness (server, "retries=0", FALSE);
  GstElement *e = harness_element (h);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GstBuffer *out;
  g_autoptr (GError) error = NULL;

  gst_element_set_bus (e, bus);
  gst_harness_set_src_caps_str (h, I420_CAPS);
  fail_unless_equals_int (gst_harness_push (h, make_frame (0)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (get_meta (out)->status, GST_SLY_FRAME_STATUS_FAILED);
  fail_unless_equals_int (gst_sly_prediction_meta_get_n_objects (get_meta
          (out)), 0);
  gst_buffer_unref (out);
  msg = wait_bus_message (bus, GST_MESSAGE_WARNING, NULL, 5000);
  fail_unless (msg != NULL);
  gst_message_parse_warning (msg, &error, NULL);
  fail_unless (strstr (error->message, "302") != NULL, "%s", error->message);
  gst_message_unref (msg);

  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
  sly_test_server_stop (other);
}

GST_END_TEST;


/* A load that fails leaves SDK servers without a model (they unload
 * first): the element loads the previous one again and says so. */
GST_START_TEST (test_model_load_rollback)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, NULL, FALSE);
  GstElement *e = harness_element (h);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GstBuffer *buffer;
  gboolean success = TRUE, rolled_back = FALSE;
  gchar *model = NULL;

  gst_element_set_bus (e, bus);
  gst_harness_add_src_parse (h, BALL_SRC ("I420"), FALSE);
  push_src_frames (h, 1);
  gst_buffer_unref (gst_harness_pull (h));

  g_object_set (e, "model", "no-such-model", NULL);
  /* the warning comes first (waiting for one type drops the others); a
   * failed load, a load of the old model and its information: several
   * requests, slow under valgrind (a 10 s wait ran out there once) */
  msg = wait_bus_message (bus, GST_MESSAGE_WARNING, NULL, 60000);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  msg = wait_bus_message (bus, GST_MESSAGE_ELEMENT,
      "slymodelinfer-model-loaded", 60000);
  fail_unless (msg != NULL);
  fail_unless (gst_structure_get_boolean (gst_message_get_structure (msg),
          "success", &success));
  fail_if (success);
  fail_unless (gst_structure_get_boolean (gst_message_get_structure (msg),
          "rolled-back", &rolled_back));
  fail_unless (rolled_back);
  gst_message_unref (msg);
  g_object_get (e, "model", &model, NULL);
  fail_unless_equals_string (model, "blob-detector");
  g_free (model);

  /* the server has its model again */
  push_src_frames (h, 1);
  buffer = gst_harness_pull (h);
  fail_unless_equals_int (get_meta (buffer)->status,
      GST_SLY_FRAME_STATUS_INFERRED);
  fail_unless (count_class (get_meta (buffer), "ball") >= 1);
  gst_buffer_unref (buffer);

  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* Pops every message of @bus; counts those of @type (named @name when
 * set) and keeps the last one in *@last. Messages of other types are
 * left for a later call. */
static guint
count_messages (GstBus * bus, GstMessageType type, const gchar * name,
    GstMessage ** last)
{
  GQueue others = G_QUEUE_INIT;
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop (bus)) != NULL) {
    const GstStructure *s = gst_message_get_structure (msg);

    if (GST_MESSAGE_TYPE (msg) != type) {
      g_queue_push_tail (&others, msg);
      continue;
    }
    if (name == NULL || (s != NULL && gst_structure_has_name (s, name))) {
      n++;
      if (last != NULL)
        gst_message_replace (last, msg);
    }
    gst_message_unref (msg);
  }
  while ((msg = g_queue_pop_head (&others)) != NULL)
    gst_bus_post (bus, msg);
  return n;
}

/* A known mix: 5 frames inferred, the server killed, 5 failed, and every
 * other frame skipped on purpose (inference-interval=2). QoS for the 5
 * failed ones only; the stats messages count all of them. */
GST_START_TEST (test_qos_and_stats_messages)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "inference-interval=2 retries=0 "
      "stats-interval=1", FALSE);
  GstElement *e = harness_element (h);
  GstBus *bus = gst_bus_new ();
  GstMessage *last = NULL;
  const GstStructure *s;
  guint64 processed = 0, dropped = 0, v = 0;
  GstFormat format;
  guint i;

  gst_element_set_bus (e, bus);
  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < 10; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  for (i = 0; i < 10; i++)
    gst_buffer_unref (gst_harness_pull (h));
  fail_unless_equals_int (count_messages (bus, GST_MESSAGE_QOS, NULL, NULL), 0);

  sly_test_server_kill (server);
  for (i = 10; i < 20; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  for (i = 10; i < 20; i++)
    gst_buffer_unref (gst_harness_pull (h));
  while (TRUE) {
    GstEvent *event = gst_harness_pull_event (h);
    gboolean eos = GST_EVENT_TYPE (event) == GST_EVENT_EOS;

    gst_event_unref (event);
    if (eos)
      break;
  }

  fail_unless_equals_int (count_messages (bus, GST_MESSAGE_QOS, NULL, &last),
      5);
  gst_message_parse_qos_stats (last, &format, &processed, &dropped);
  fail_unless_equals_int (format, GST_FORMAT_BUFFERS);
  /* at the last failed frame (the 19th out): 5 with a prediction, 14
   * without */
  fail_unless_equals_uint64 (processed, 5);
  fail_unless_equals_uint64 (dropped, 14);
  g_clear_pointer (&last, gst_message_unref);

  /* periodic ones while frames flowed, and the final one at EOS */
  fail_unless (count_messages (bus, GST_MESSAGE_ELEMENT, "slymodelinfer-stats",
          &last) >= 2);
  s = gst_message_get_structure (last);
  fail_unless (gst_structure_get_uint64 (s, "frames-out", &v) && v == 20);
  fail_unless (gst_structure_get_uint64 (s, "inferred", &v) && v == 5);
  fail_unless (gst_structure_get_uint64 (s, "failed", &v) && v == 5);
  fail_unless (gst_structure_get_uint64 (s, "skipped", &v) && v == 10);
  gst_message_unref (last);

  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* Before any answer, stats hold no sentinel round trips; after, real ones. */
GST_START_TEST (test_stats_without_sentinels)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, NULL, FALSE);
  GstElement *e = harness_element (h);
  GstStructure *stats = NULL;
  guint64 p50 = 0;

  g_object_get (e, "stats", &stats, NULL);
  fail_if (gst_structure_has_field (stats, "round-trip-p50"));
  fail_if (gst_structure_has_field (stats, "round-trip-p95"));
  gst_structure_free (stats);

  gst_harness_set_src_caps_str (h, I420_CAPS);
  fail_unless_equals_int (gst_harness_push (h, make_frame (0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  g_object_get (e, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint64 (stats, "round-trip-p50", &p50));
  fail_unless (p50 > 0 && p50 < 30 * GST_SECOND);
  gst_structure_free (stats);

  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* url reads back without its secrets (it ends up in dot dumps); an empty
 * url is unset, so task-id mode works with url="" on the command line. */
GST_START_TEST (test_url_property)
{
  GstElement *e = gst_element_factory_make ("slymodelinfer", NULL);
  gchar *url = NULL;

  g_object_set (e, "url", "https://user:pass@host.example/net/SESSIONTOKEN42/"
      "?token=QUERYSECRET", NULL);
  g_object_get (e, "url", &url, NULL);
  fail_unless (url != NULL);
  fail_if (strstr (url, "SESSIONTOKEN42") != NULL, "%s", url);
  fail_if (strstr (url, "QUERYSECRET") != NULL, "%s", url);
  fail_if (strstr (url, "pass") != NULL, "%s", url);
  fail_unless (strstr (url, "host.example") != NULL, "%s", url);
  g_free (url);

  g_object_set (e, "url", "", NULL);
  g_object_get (e, "url", &url, NULL);
  fail_unless (url == NULL);
  gst_object_unref (e);
}

GST_END_TEST;

/* image/jpeg in a BYTES segment (multifilesrc) with post-messages: no
 * CRITICAL, and the message has no running time. */
GST_START_TEST (test_bytes_segment_messages)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "post-messages=true", FALSE);
  GstElement *e = harness_element (h);
  GstBus *bus = gst_bus_new ();
  GstSegment segment;
  GstMessage *msg;
  GstBuffer *raw = make_frame (0), *jpeg;
  GstMapInfo map;
  SlyImageView view = { 0, };
  g_autoptr (GBytes) bytes = NULL;
  guint64 running_time = 0;

  gst_buffer_map (raw, &map, GST_MAP_READ);
  view.format = SLY_PIXEL_I420;
  view.width = WIDTH;
  view.height = HEIGHT;
  view.planes[0] = map.data;
  view.planes[1] = map.data + WIDTH * HEIGHT;
  view.planes[2] = map.data + WIDTH * HEIGHT * 5 / 4;
  view.strides[0] = WIDTH;
  view.strides[1] = view.strides[2] = WIDTH / 2;
  bytes = sly_jpeg_encode (&view, 90, NULL);
  gst_buffer_unmap (raw, &map);
  gst_buffer_unref (raw);
  fail_unless (bytes != NULL);
  jpeg = gst_buffer_new_wrapped_bytes (bytes);

  gst_element_set_bus (e, bus);
  gst_harness_set_src_caps_str (h, "image/jpeg,width=320,height=240,"
      "framerate=0/1");
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  fail_unless_equals_int (gst_harness_push (h, jpeg), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  msg = wait_bus_message (bus, GST_MESSAGE_ELEMENT,
      "slymodelinfer-prediction", 5000);
  fail_unless (msg != NULL);
  fail_unless (gst_structure_get_uint64 (gst_message_get_structure (msg),
          "running-time", &running_time));
  fail_unless_equals_uint64 (running_time, GST_CLOCK_TIME_NONE);
  gst_message_unref (msg);

  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* After EOS a new stream (STREAM_START, SEGMENT) flows again, as through
 * queue; a second EOS is not pushed twice. */
GST_START_TEST (test_eos_not_sticky)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, NULL, FALSE);
  GstSegment segment;
  GstBuffer *out;
  guint i, eos = 0;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  fail_unless_equals_int (gst_harness_push (h, make_frame (0)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  gst_buffer_unref (gst_harness_pull (h));
  /* a buffer after EOS is refused */
  fail_unless_equals_int (gst_harness_push (h, make_frame (1)), GST_FLOW_EOS);
  gst_harness_push_event (h, gst_event_new_eos ());

  fail_unless (gst_harness_push_event (h,
          gst_event_new_stream_start ("second")));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  fail_unless_equals_int (gst_harness_push (h, make_frame (2)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 2 * GST_SECOND / FPS + 17);
  fail_unless_equals_int (get_meta (out)->status,
      GST_SLY_FRAME_STATUS_INFERRED);
  gst_buffer_unref (out);

  for (i = gst_harness_events_in_queue (h); i > 0; i--) {
    GstEvent *event = gst_harness_pull_event (h);

    if (GST_EVENT_TYPE (event) == GST_EVENT_EOS)
      eos++;
    gst_event_unref (event);
  }
  fail_unless_equals_int (eos, 1);

  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* A DRAIN query is answered after the buffers before it went downstream,
 * not when they were taken off the queue: a probe holds the last buffer
 * and notes whether the query had returned meanwhile. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean answered;
  gboolean answered_while_held;
  guint seen;
} DrainOrder;

static GstPadProbeReturn
hold_last_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  DrainOrder *d = user_data;
  gint64 end = g_get_monotonic_time () + 500 * 1000;

  g_mutex_lock (&d->lock);
  if (++d->seen == 3) {
    while (!d->answered && g_cond_wait_until (&d->cond, &d->lock, end));
    d->answered_while_held = d->answered;
  }
  g_mutex_unlock (&d->lock);
  return GST_PAD_PROBE_OK;
}

static gpointer
drain_thread (gpointer user_data)
{
  GstHarness *h = user_data;
  GstQuery *query = gst_query_new_drain ();
  gboolean res = gst_pad_peer_query (h->srcpad, query);

  gst_query_unref (query);
  return GINT_TO_POINTER (res);
}

GST_START_TEST (test_drain_after_buffers)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, NULL, FALSE);
  GstPad *src = gst_element_get_static_pad (harness_element (h), "src");
  DrainOrder d = { 0, };
  GThread *thread;
  guint i;

  g_mutex_init (&d.lock);
  g_cond_init (&d.cond);
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, hold_last_buffer, &d,
      NULL);
  gst_harness_set_src_caps_str (h, I420_CAPS);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
  thread = g_thread_new ("drain", drain_thread, h);
  fail_unless (g_thread_join (thread) != NULL);
  g_mutex_lock (&d.lock);
  d.answered = TRUE;
  g_cond_broadcast (&d.cond);
  g_mutex_unlock (&d.lock);
  fail_unless_equals_int (d.seen, 3);
  fail_if (d.answered_while_held, "the DRAIN query overtook a buffer");
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 3);

  gst_object_unref (src);
  gst_harness_teardown (h);
  g_cond_clear (&d.cond);
  g_mutex_clear (&d.lock);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* Non-live input into a slow sink: the element holds at most
 * max-queued-frames frames (the chain waits, as queue's does), and every
 * frame is inferred, in order. */
static GstPadProbeReturn
sample_held_frames (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  guint64 *max_held = user_data;
  GstElement *e = GST_ELEMENT (gst_pad_get_parent (pad));
  GstStructure *stats = NULL;
  guint64 in = 0, out = 0;

  g_object_get (e, "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "frames-in", &in);
  gst_structure_get_uint64 (stats, "frames-out", &out);
  gst_structure_free (stats);
  gst_object_unref (e);
  *max_held = MAX (*max_held, in - out);
  return GST_PAD_PROBE_OK;
}

#define MAX_QUEUED 8

static void
slow_sink_bounded (void)
{
  SlyTestServer *server = start_server (NULL);
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc pattern=ball "
      "num-buffers=24 ! video/x-raw,format=I420,width=1280,height=720,"
      "framerate=6/1 ! slymodelinfer url=%s name=infer max-queued-frames=%d "
      "! fakesink name=sink "
      "sync=true", sly_test_server_get_url (server), MAX_QUEUED);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *infer = gst_bin_get_by_name (GST_BIN (pipeline), "infer");
  GstPad *src = gst_element_get_static_pad (infer, "src");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstStructure *stats = NULL;
  guint64 max_held = 0, inferred = 0;
  GstMessage *msg;

  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, sample_held_frames,
      &max_held, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);

  g_object_get (infer, "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "inferred", &inferred);
  gst_structure_free (stats);
  fail_unless_equals_uint64 (inferred, 24);
  /* those queued, and one the chain counted in and waits to queue */
  fail_unless (max_held <= MAX_QUEUED + 1, "held %" G_GUINT64_FORMAT
      " frames", max_held);
  /* the premise: the sink was the slow one, the queue filled up */
  fail_unless (max_held >= MAX_QUEUED, "held only %"
      G_GUINT64_FORMAT " frames: the sink was not slow", max_held);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (infer);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  sly_test_server_stop (server);
}

GST_START_TEST (test_slow_sink_bounded)
{
  if (!under_valgrind ("test_slow_sink_bounded"))
    slow_sink_bounded ();
}

GST_END_TEST;

/* A flush while a frame waits in the backoff of a failing server lets its
 * buffer go at once, not when the backoff ends. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gint64 freed_us;
} Freed;

static void
note_freed (gpointer user_data, GstMiniObject * obj)
{
  Freed *f = user_data;

  g_mutex_lock (&f->lock);
  f->freed_us = g_get_monotonic_time ();
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
}

GST_START_TEST (test_flush_releases_backoff)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "retries=0", FALSE);
  GstSegment segment;
  GstBuffer *buffer;
  Freed f = { 0, };
  gint64 flushed_us, end;
  guint i;

  gst_harness_set_src_caps_str (h, I420_CAPS);
  fail_unless_equals_int (gst_harness_push (h, make_frame (0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  sly_test_server_kill (server);
  /* enough failures for a long backoff */
  for (i = 1; i < 8; i++) {
    fail_unless_equals_int (gst_harness_push (h, make_frame (i)), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  buffer = make_frame (8);
  g_mutex_init (&f.lock);
  g_cond_init (&f.cond);
  gst_mini_object_weak_ref (GST_MINI_OBJECT (buffer), note_freed, &f);
  fail_unless_equals_int (gst_harness_push (h, buffer), GST_FLOW_OK);
  /* the premise: the frame is waiting, not answered */
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);

  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  flushed_us = g_get_monotonic_time ();
  end = flushed_us + G_USEC_PER_SEC;
  g_mutex_lock (&f.lock);
  while (f.freed_us == 0 && g_cond_wait_until (&f.cond, &f.lock, end));
  g_mutex_unlock (&f.lock);
  fail_unless (f.freed_us != 0, "the buffer is still held after a second");
  /* (the backoff would hold it up to 500 ms; memcheck is slower) */
  fail_unless (f.freed_us - flushed_us < (g_getenv ("SLY_UNDER_VALGRIND") ?
          400 : 100) * 1000, "the buffer was held %" G_GINT64_FORMAT
      " ms after the flush", (f.freed_us - flushed_us) / 1000);

  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  gst_harness_teardown (h);
  g_cond_clear (&f.cond);
  g_mutex_clear (&f.lock);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* The read-only model properties are filled from the server at start, the
 * api-token reads back masked and the actions answer. */
GST_START_TEST (test_read_only_properties_and_actions)
{
  SlyTestServer *server = start_server (NULL);
  GstHarness *h = infer_harness (server, "api-token=abc", FALSE);
  GstElement *e = harness_element (h);
  gchar *meta = NULL, *session = NULL, *token = NULL, *infos = NULL;
  gchar **classes = NULL, **models = NULL;
  gboolean deployed = FALSE;

  gst_harness_add_src_parse (h, BALL_SRC ("I420"), FALSE);
  push_src_frames (h, 1);
  gst_buffer_unref (gst_harness_pull (h));

  g_object_get (e, "model-meta", &meta, "session-info", &session,
      "model-classes", &classes, "deployed", &deployed, "api-token", &token,
      NULL);
  fail_unless (meta != NULL && strstr (meta, "\"ball\"") != NULL);
  fail_unless (session != NULL && strstr (session, "blob-detector") != NULL);
  fail_unless (classes != NULL);
  fail_unless_equals_string (classes[0], "ball");
  fail_unless (classes[1] == NULL);
  fail_unless (deployed);
  fail_unless_equals_string (token, "***");

  g_signal_emit_by_name (e, "list-pretrained-models", &models);
  fail_unless (models != NULL);
  fail_unless (g_strv_length (models) >= 3);
  g_signal_emit_by_name (e, "list-pretrained-model-infos", &infos);
  fail_unless (infos != NULL && infos[0] == '[');

  g_free (meta);
  g_free (session);
  g_free (token);
  g_free (infos);
  g_strfreev (classes);
  g_strfreev (models);
  gst_harness_teardown (h);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* written by every thread that logs */
static GString *debug_log;
static GMutex debug_log_lock;

static void
debug_log_append (const gchar * text)
{
  g_mutex_lock (&debug_log_lock);
  g_string_append (debug_log, text ? text : "");
  g_string_append_c (debug_log, '\n');
  g_mutex_unlock (&debug_log_lock);
}

static void
collect_log (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  debug_log_append (gst_debug_message_get (message));
}

static void
collect_glib_log (const gchar * domain, GLogLevelFlags level,
    const gchar * message, gpointer user_data)
{
  debug_log_append (message);
}

static void
collect_messages (GstBus * bus)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop (bus)) != NULL) {
    const GstStructure *s = gst_message_get_structure (msg);
    gchar *text;

    if (s != NULL) {
      text = gst_structure_to_string (s);
      debug_log_append (text);
      g_free (text);
    }
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR ||
        GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING) {
      GError *error = NULL;
      gchar *debug = NULL;

      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
        gst_message_parse_error (msg, &error, &debug);
      else
        gst_message_parse_warning (msg, &error, &debug);
      debug_log_append (error->message);
      debug_log_append (debug);
      g_error_free (error);
      g_free (debug);
    }
    gst_message_unref (msg);
  }
}

#define SECRET_TOKEN "sEcReT-ToKeN-4f1c2b"
#define SESSION_TOKEN "SeSsIoN-9d8e7f"

/* Task-id mode end to end with all logging at level 9: predictions arrive,
 * and neither the API token nor the session token of the /net/<token> URL
 * appears in any log line, message or error; a wrong token is an error that
 * says so without printing either token. */
GST_START_TEST (test_task_mode_token_never_logged)
{
  SlyTestServer *server = start_server ("--api-token", SECRET_TOKEN,
      "--task-id", "4242", "--session-token", SESSION_TOKEN, NULL);
  g_autofree gchar *good = NULL, *bad = NULL;
  GstElement *pipeline;
  GstBus *bus;
  GstMessage *msg;
  GstElement *sink;
  gchar *logged;
  guint i;

  if (debug_log == NULL)
    debug_log = g_string_new (NULL);
  /* every log line at every level: slow under valgrind, hence the long
   * timeout of the requests below (is_ready is never retried) */
  gst_debug_set_default_threshold (GST_LEVEL_MEMDUMP);
  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (collect_log, NULL, NULL);
  g_log_set_default_handler (collect_glib_log, NULL);

  for (i = 0; i < 2; i++) {
    g_autofree gchar *desc = g_strdup_printf ("videotestsrc pattern=ball "
        "num-buffers=5 ! " I420_CAPS " ! slymodelinfer task-id=4242 "
        "server-address=%s post-messages=true timeout=60000 name=infer ! "
        "fakesink name=sink", sly_test_server_get_url (server));
    GstElement *infer;

    pipeline = gst_parse_launch (desc, NULL);
    /* not in the description: GStreamer's own parser logs that */
    infer = gst_bin_get_by_name (GST_BIN (pipeline), "infer");
    g_object_set (infer, "api-token", i == 0 ? SECRET_TOKEN :
        "wrong-" SECRET_TOKEN, NULL);
    gst_object_unref (infer);
    bus = gst_element_get_bus (pipeline);
    sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    fail_unless (msg != NULL);
    if (i == 0) {
      GstSample *sample = NULL;

      fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
      g_object_get (sink, "last-sample", &sample, NULL);
      fail_unless (sample != NULL);
      fail_unless_equals_int (get_meta (gst_sample_get_buffer
              (sample))->status, GST_SLY_FRAME_STATUS_INFERRED);
      gst_sample_unref (sample);
    } else {
      GError *error = NULL;

      fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR);
      gst_message_parse_error (msg, &error, NULL);
      fail_unless (strstr (error->message, "401") != NULL ||
          strstr (error->message, "403") != NULL ||
          strstr (error->message, "oken") != NULL, "%s", error->message);
      g_error_free (error);
    }
    gst_message_unref (msg);
    collect_messages (bus);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (sink);
    gst_object_unref (bus);
    gst_object_unref (pipeline);
  }

  gst_debug_remove_log_function (collect_log);
  gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);
  gst_debug_set_default_threshold (GST_LEVEL_NONE);
  g_log_set_default_handler (g_log_default_handler, NULL);
  /* a thread may still be inside a log function: read a copy, and leave
   * the buffer itself alive (the test process ends with the test) */
  g_mutex_lock (&debug_log_lock);
  logged = g_strdup (debug_log->str);
  g_mutex_unlock (&debug_log_lock);
  fail_unless (strlen (logged) > 10000, "logging did not reach the test");
  if (strstr (logged, SECRET_TOKEN) != NULL ||
      strstr (logged, SESSION_TOKEN) != NULL) {
    gchar **lines = g_strsplit (logged, "\n", -1);
    guint k;

    for (k = 0; lines[k] != NULL; k++)
      if (strstr (lines[k], SECRET_TOKEN) || strstr (lines[k], SESSION_TOKEN))
        g_printerr ("leak: %s\n", lines[k]);
    g_strfreev (lines);
    fail ("a token leaked into the logs");
  }
  g_free (logged);
  sly_test_server_stop (server);
}

GST_END_TEST;

/* gst-inspect-1.0 slymodelinfer succeeds and lists every property, each
 * with a description. */
GST_START_TEST (test_inspect_documents_every_property)
{
  const gchar *inspect = g_getenv ("GST_INSPECT");
  const gchar *argv[] = { inspect, "slymodelinfer", NULL };
  GstElement *e = gst_element_factory_make ("slymodelinfer", NULL);
  g_autofree gchar *out = NULL;
  GParamSpec **specs;
  gint status = -1;
  guint i, n;

  fail_unless (inspect != NULL);
  fail_unless (g_spawn_sync (NULL, (gchar **) argv, NULL,
          G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, NULL));
  fail_unless (g_spawn_check_wait_status (status, NULL));

  specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (e), &n);
  for (i = 0; i < n; i++) {
    const gchar *blurb = g_param_spec_get_blurb (specs[i]);

    if (specs[i]->owner_type != G_OBJECT_TYPE (e))
      continue;
    fail_unless (blurb != NULL && strlen (blurb) > 15,
        "property %s has no real description", specs[i]->name);
    fail_unless (strstr (out, specs[i]->name) != NULL,
        "gst-inspect does not list %s", specs[i]->name);
  }
  g_free (specs);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
slymodelinfer_suite (void)
{
  Suite *s = suite_create ("slymodelinfer");
  TCase *tc = tcase_create ("general");
  TCase *tc_cycles = tcase_create ("cycles");

  install_log_guard ();
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_ball_i420);
  tcase_add_test (tc, test_ball_nv12);
  tcase_add_test (tc, test_ball_rgb);
  tcase_add_test (tc, test_ball_bgrx);
  tcase_add_test (tc, test_ball_jpeg);
  tcase_add_test (tc, test_ball_png_upload);
  tcase_add_test (tc, test_buffers_unchanged);
  tcase_add_test (tc, test_events_in_order);
  tcase_add_test (tc, test_conf_switching);
  tcase_add_test (tc, test_classes);
  tcase_add_test (tc, test_model_switching);
  tcase_add_test (tc, test_model_at_start);
  tcase_add_test (tc, test_error_no_url);
  tcase_add_test (tc, test_error_bad_url);
  tcase_add_test (tc, test_error_unreachable);
  tcase_add_test (tc, test_error_unknown_model);
  tcase_add_test (tc, test_error_bad_tracking_config);
  tcase_add_test (tc, test_tracking_interval_predictions);
  tcase_add_test (tc, test_tracking_crossing_keeps_ids);
  tcase_add_test (tc, test_order_random_latency);
  tcase_add_test (tc, test_batch_size);
  tcase_add_test (tc, test_batch_size_auto);
  tcase_add_test (tc, test_batch_size_auto_then_fixed);
  tcase_add_test (tc, test_batch_size_capped_by_server);
  tcase_add_test (tc, test_live_slow_server_skips);
  tcase_add_test (tc, test_live_queueing_server_adapts);
  tcase_add_test (tc, test_live_server_frozen);
  tcase_add_test (tc, test_live_server_killed);
  tcase_add_test (tc, test_live_server_retry_after);
  tcase_add_test (tc, test_model_load_rollback);
  tcase_add_test (tc, test_two_servers);
  tcase_add_test (tc, test_task_ids);
  tcase_add_test (tc, test_roi);
  tcase_add_test (tc, test_roi_bad_values);
  tcase_add_test (tc, test_sliding_window);
  tcase_add_test (tc, test_sliding_window_unsupported);
  tcase_add_test (tc, test_sliding_window_premise);
  tcase_add_test (tc, test_sliding_window_overlap_capped);
  tcase_add_test (tc, test_upload_max_size);
  tcase_add_test (tc, test_upload_max_size_masks);
  tcase_add_test (tc, test_dropped_frames_advance_tracker);
  tcase_add_test (tc, test_tracking_settings_member);
  tcase_add_test (tc, test_inference_redirect_is_error);
  tcase_add_test (tc, test_qos_and_stats_messages);
  tcase_add_test (tc, test_stats_without_sentinels);
  tcase_add_test (tc, test_url_property);
  tcase_add_test (tc, test_bytes_segment_messages);
  tcase_add_test (tc, test_eos_not_sticky);
  tcase_add_test (tc, test_drain_after_buffers);
  tcase_add_test (tc, test_slow_sink_bounded);
  tcase_add_test (tc, test_flush_releases_backoff);
  tcase_add_test (tc, test_caps_change);
  tcase_add_test (tc, test_overload_drop);
  tcase_add_test (tc, test_server_killed_and_restarted);
  tcase_add_test (tc, test_flush_in_flight);
  tcase_add_test (tc, test_flushing_seek);
  tcase_add_test (tc, test_stop_with_requests_outstanding);
  tcase_add_test (tc, test_post_messages);
  tcase_add_test (tc, test_read_only_properties_and_actions);
  tcase_add_test (tc, test_task_mode_token_never_logged);
  tcase_add_test (tc, test_inspect_documents_every_property);
  /* 200 pipelines: about 3 s, but give a loaded machine room */
  suite_add_tcase (s, tc_cycles);
  tcase_set_timeout (tc_cycles, 120);
  tcase_add_test (tc_cycles, test_start_stop_cycles);
  return s;
}

int
main (int argc, char **argv)
{
  Suite *s;

  /* Under valgrind, each test in a child of its own (still watched by
   * memcheck): the ~60 tests in one process exhaust memcheck's table of
   * address-space segments ("VG_N_SEGMENTS is too low"). */
  if (g_getenv ("SLY_UNDER_VALGRIND") != NULL)
    g_setenv ("CK_FORK", "yes", TRUE);
  gst_check_init (&argc, &argv);
  s = slymodelinfer_suite ();
  return gst_check_run_suite (s, "slymodelinfer", __FILE__);
}
