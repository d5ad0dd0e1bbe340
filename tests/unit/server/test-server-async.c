/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Asynchronous inference end to end (protocol.md 3.14 - 3.18): the request
 * status object, popping results in order, stop, clear, the worker queue,
 * and uploaded videos with and without BoT-SORT tracking.
 */
#include "servertestutil.h"

#include <gst/gst.h>
#include <string.h>

static const gchar *const status_keys[] = {
  "uuid", "stage", "progress", "pending_results", "final_result", "exception",
  "is_inferring", "stopped", "paused", "finished", "created_at", "updated_at",
  "cancel_inference", "has_result", "preparing_progress", "result", NULL
};

static void
assert_keys (JsonObject * obj, const gchar * const *keys, gboolean present)
{
  for (; *keys; keys++)
    if (json_object_has_member (obj, *keys) != present)
      g_error ("key '%s' is %s", *keys, present ? "missing" : "present");
}

/* n PNGs with one white square each, at x = 10 i */
static SrvFile *
squares (guint n, GPtrArray * keep)
{
  SrvFile *files = g_new0 (SrvFile, n);
  guint i;

  for (i = 0; i < n; i++) {
    g_autoptr (SlyImage) image = srv_image_new (80, 40);

    srv_fill_rect (image, 10 * i, 5, 10 * i + 7, 12, 255, 255, 255);
    g_ptr_array_add (keep, srv_png (image));
    files[i].filename = "frame.png";
    files[i].content_type = "image/png";
    files[i].data = keep->pdata[i];
  }
  return files;
}

static gchar *
start_batch (SlyTestServer * server, guint n)
{
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func
      ((GDestroyNotify) g_bytes_unref);
  g_autofree SrvFile *files = squares (n, keep);
  g_autoptr (SrvReply) r = srv_post_files (server, "/inference_batch_async",
      files, n, "{\"settings\": {\"conf\": 0.5}}", NULL);

  return srv_reply_uuid (r);
}

static SrvReply *
control (SlyTestServer * server, const gchar * path, const gchar * uuid)
{
  g_autofree gchar *body = srv_uuid_body (uuid);
  SrvReply *r = srv_post_json (server, path, body, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return r;
}

/* Pops until finished; returns every result in arrival order. */
static GPtrArray *
pop_all (SlyTestServer * server, const gchar * uuid, JsonNode ** last)
{
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify)
      json_node_unref);
  guint polls;

  for (polls = 0; polls < 1000; polls++) {
    g_autoptr (SrvReply) r = control (server, "/pop_inference_results", uuid);
    JsonObject *obj = srv_reply_object (r);
    JsonArray *pending = json_object_get_array_member (obj,
        "pending_results");
    guint i;

    assert_keys (obj, status_keys, TRUE);
    g_assert_true (json_node_is_null (json_object_get_member (obj,
                "exception")));
    for (i = 0; i < json_array_get_length (pending); i++)
      g_ptr_array_add (results,
          json_node_ref (json_array_get_element (pending, i)));
    if (srv_get_bool (obj, "finished")) {
      if (last)
        *last = json_node_ref (r->json);
      return results;
    }
    g_usleep (20000);
  }
  g_error ("the request never finished");
  return NULL;
}

static void
test_batch_life_cycle (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--latency-ms",
      "40", NULL);
  g_autofree gchar *uuid = start_batch (server, 4);
  g_autoptr (JsonNode) last = NULL;
  g_autoptr (GPtrArray) results = NULL;
  JsonObject *obj, *progress;
  guint i;

  {
    g_autoptr (SrvReply) r = control (server, "/get_inference_progress", uuid);

    obj = srv_reply_object (r);
    assert_keys (obj, status_keys, TRUE);
    g_assert_cmpstr (srv_get_string (obj, "uuid"), ==, uuid);
    /* a count here, an array in pop */
    g_assert_cmpint (srv_get_int (obj, "pending_results"), <=, 4);
    /* how far it got depends on the machine's speed, not its shape */
    g_assert_cmpint (srv_get_bool (obj, "finished"), ==,
        g_str_equal (srv_get_string (obj, "stage"), "Finished"));
    g_assert_cmpint (srv_get_bool (obj, "is_inferring"), ==,
        g_str_equal (srv_get_string (obj, "stage"), "Running inference..."));
  }
  results = pop_all (server, uuid, &last);
  obj = json_node_get_object (last);
  g_assert_cmpstr (srv_get_string (obj, "stage"), ==, "Finished");
  g_assert_false (srv_get_bool (obj, "is_inferring"));
  g_assert_false (srv_get_bool (obj, "final_result"));
  progress = json_object_get_object_member (obj, "progress");
  g_assert_cmpint (srv_get_int (progress, "current"), ==, 4);
  g_assert_cmpint (srv_get_int (progress, "total"), ==, 4);

  g_assert_cmpuint (results->len, ==, 4);
  for (i = 0; i < 4; i++) {
    g_autoptr (SlyAnnotation) ann = srv_result_annotation (results->pdata[i]);

    g_assert_cmpuint (ann->objects->len, ==, 1);
    srv_assert_box (ann->objects->pdata[0], "ball", 10 * i, 5, 10 * i + 7,
        12, 0);
  }
  {
    g_autoptr (SrvReply) r = control (server, "/get_inference_progress", uuid);

    obj = srv_reply_object (r);
    g_assert_cmpint (srv_get_int (obj, "pending_results"), ==, 0);
    /* outside "Running inference..." progress reads 0 of 1 */
    progress = json_object_get_object_member (obj, "progress");
    g_assert_cmpint (srv_get_int (progress, "total"), ==, 1);
  }
  {
    g_autoptr (SrvReply) r = control (server, "/get_inference_result", uuid);
    g_assert_true (json_node_is_null (r->json));
  }
  {
    const gchar *const absent[] = { "pending_results", "final_result",
      "created_at", "updated_at", NULL
    };
    const gchar *const extra[] = { "gpu_memory", "ram_memory", NULL };
    g_autoptr (SrvReply) r = control (server, "/get_inference_status", uuid);

    obj = srv_reply_object (r);
    assert_keys (obj, absent, FALSE);
    assert_keys (obj, extra, TRUE);
    g_assert_cmpstr (srv_get_string (json_object_get_object_member (obj,
                "progress"), "message"), ==, "Finished");
  }
  {
    g_autoptr (SrvReply) r = control (server, "/clear_inference_request", uuid);
    g_assert_true (srv_get_bool (srv_reply_object (r), "success"));
  }
}

static void
test_stop (void)
{
  g_autofree gchar *latency = srv_latency_arg (100);
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--latency-ms",
      latency, NULL);
  g_autofree gchar *uuid = start_batch (server, 8);
  g_autoptr (JsonNode) last = NULL;
  g_autoptr (GPtrArray) results = NULL;
  JsonObject *obj;

  {
    g_autoptr (SrvReply) r = control (server, "/stop_inference", uuid);

    obj = srv_reply_object (r);
    g_assert_cmpstr (srv_get_string (obj, "message"), ==,
        "Inference will be stopped.");
    g_assert_true (srv_get_bool (obj, "success"));
  }
  results = pop_all (server, uuid, &last);
  obj = json_node_get_object (last);
  g_assert_cmpstr (srv_get_string (obj, "stage"), ==, "Cancelled");
  g_assert_true (srv_get_bool (obj, "stopped"));
  g_assert_true (srv_get_bool (obj, "cancel_inference"));
  g_assert_cmpuint (results->len, <, 8);
}

/* One worker: the second request waits in "Preparing" behind the first. */
static void
test_worker_queue (void)
{
  g_autofree gchar *latency = srv_latency_arg (150);
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--latency-ms",
      latency, "--workers", "1", NULL);
  g_autofree gchar *first = start_batch (server, 3);
  g_autofree gchar *second = start_batch (server, 1);
  g_autoptr (SrvReply) r = control (server, "/get_inference_progress", second);
  g_autoptr (GPtrArray) a = NULL, b = NULL;

  g_autoptr (SrvReply) status = srv_post_json (server, "/get_status", "{}",
      NULL);
  g_autoptr (SrvReply) prep = control (server, "/get_preparing_progress",
      second);
  JsonObject *progress = json_object_get_object_member (srv_reply_object
      (status), "progress");

  g_assert_cmpstr (srv_get_string (srv_reply_object (r), "stage"), ==,
      "Preparing model for inference...");
  g_assert_false (srv_get_bool (srv_reply_object (r), "is_inferring"));
  g_assert_cmpstr (srv_get_string (srv_reply_object (prep), "status"), ==,
      "Preparing model for inference...");
  /* get_status sums the running requests: the first one, 3 images */
  g_assert_cmpstr (srv_get_string (progress, "message"), ==,
      "Inferring model...");
  g_assert_cmpint (srv_get_int (progress, "total"), ==, 3);
  a = pop_all (server, first, NULL);
  b = pop_all (server, second, NULL);
  g_assert_cmpuint (a->len, ==, 3);
  g_assert_cmpuint (b->len, ==, 1);
}

static void
test_record_limit (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start
      ("--max-async-requests", "1", NULL);
  g_autofree gchar *uuid = start_batch (server, 1);
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func
      ((GDestroyNotify) g_bytes_unref);
  g_autofree SrvFile *files = squares (1, keep);
  g_autoptr (SrvReply) r = srv_post_files (server, "/inference_batch_async",
      files, 1, NULL, NULL);

  srv_assert_error (r, 503, "Too many asynchronous inference requests");
}

/* ---- video ---- */

/* 12 frames of videotestsrc pattern=ball as MJPEG in AVI, in memory. */
static GBytes *
make_video (void)
{
  g_autoptr (GError) error = NULL;
  GstElement *pipeline, *sink;
  GstSample *sample;
  GByteArray *data = g_byte_array_new ();

  gst_init (NULL, NULL);
  pipeline = gst_parse_launch ("videotestsrc pattern=ball num-buffers=12 ! "
      "video/x-raw,width=160,height=120,framerate=10/1 ! jpegenc ! avimux ! "
      "appsink name=sink sync=false", &error);
  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;) {
    GstMapInfo map;

    sample = NULL;
    g_signal_emit_by_name (sink, "pull-sample", &sample);
    if (sample == NULL)
      break;
    gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
    g_byte_array_append (data, map.data, map.size);
    gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return g_byte_array_free_to_bytes (data);
}

static GPtrArray *
run_video (SlyTestServer * server, const gchar * state, JsonNode ** final)
{
  g_autoptr (GBytes) video = make_video ();
  SrvFile file = { "ball.avi", "video/x-msvideo", video };
  g_autoptr (SrvReply) r = srv_post_files (server, "/inference_video_async",
      &file, 1, state, NULL);
  g_autofree gchar *uuid = srv_reply_uuid (r);
  GPtrArray *results = pop_all (server, uuid, NULL);
  g_autoptr (SrvReply) res = control (server, "/get_inference_result", uuid);

  *final = json_node_ref (res->json);
  return results;
}

static void
test_video_tracking (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (JsonNode) final = NULL;
  g_autoptr (GPtrArray) results = run_video (server,
      "{\"tracker\": \"botsort\", \"stride\": 2, \"endFrameIndex\": 9}",
      &final);
  JsonObject *video_ann;
  guint i;

  /* frames 0, 2, 4, 6, 8: end frame inclusive, stride 2 */
  g_assert_cmpuint (results->len, ==, 5);
  for (i = 0; i < results->len; i++) {
    JsonObject *item = json_node_get_object (results->pdata[i]);
    g_autoptr (SlyAnnotation) ann = srv_result_annotation (results->pdata[i]);
    SlyObject *obj;

    g_assert_cmpint (srv_get_int (item, "frame_index"), ==, 2 * i);
    g_assert_cmpuint (ann->objects->len, ==, 1);
    g_assert_true (ann->has_track_ids);
    obj = ann->objects->pdata[0];
    g_assert_cmpint (obj->track_id, ==, 1);
    g_assert_cmpstr (obj->class_title, ==, "ball");
  }
  video_ann = json_object_get_object_member (json_node_get_object (final),
      "video_ann");
  g_assert_nonnull (video_ann);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member
          (json_node_get_object (final), "ann")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member
          (video_ann, "objects")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member
          (video_ann, "frames")), ==, 5);
}

static void
test_video_no_tracking (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--no-tracking",
      NULL);
  g_autoptr (JsonNode) final = NULL;
  /* the SDK ignores the tracker silently on a model without tracking */
  g_autoptr (GPtrArray) results = run_video (server,
      "{\"tracker\": \"botsort\", \"startFrameIndex\": 3, \"framesCount\": 4}",
      &final);
  guint i;

  g_assert_cmpuint (results->len, ==, 4);
  for (i = 0; i < results->len; i++) {
    JsonObject *item = json_node_get_object (results->pdata[i]);
    g_autoptr (SlyAnnotation) ann = srv_result_annotation (results->pdata[i]);

    g_assert_cmpint (srv_get_int (item, "frame_index"), ==, 3 + i);
    g_assert_cmpuint (ann->objects->len, ==, 1);
    g_assert_false (ann->has_track_ids);
  }
  g_assert_true (json_node_is_null (json_object_get_member
          (json_node_get_object (final), "video_ann")));
}

/* The server's tracker starts from --tracking-settings: no detection of the
 * ball (confidence about 0.785) reaches new_track_thresh 0.99, so no track
 * starts; a request's tracker_settings still override it. */
static void
test_video_tracking_settings (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start
      ("--tracking-settings", "{\"new_track_thresh\": 0.99}", NULL);
  g_autoptr (JsonNode) final = NULL;
  g_autoptr (JsonNode) final2 = NULL;
  g_autoptr (GPtrArray) results = run_video (server,
      "{\"tracker\": \"botsort\", \"framesCount\": 4}", &final);
  g_autoptr (GPtrArray) overridden = NULL;
  guint i;

  g_assert_cmpuint (results->len, ==, 4);
  for (i = 0; i < results->len; i++) {
    g_autoptr (SlyAnnotation) ann = srv_result_annotation (results->pdata[i]);

    g_assert_cmpuint (ann->objects->len, ==, 0);
  }
  overridden = run_video (server, "{\"tracker\": \"botsort\", "
      "\"framesCount\": 4, \"tracker_settings\": {\"new_track_thresh\": "
      "0.5}}", &final2);
  g_assert_cmpuint (overridden->len, ==, 4);
  for (i = 0; i < overridden->len; i++) {
    g_autoptr (SlyAnnotation) ann =
        srv_result_annotation (overridden->pdata[i]);

    g_assert_cmpuint (ann->objects->len, ==, 1);
    g_assert_cmpint (((SlyObject *) ann->objects->pdata[0])->track_id, ==, 1);
  }
}

/* inference_video_async takes exactly one file: two are a 400 with this
 * text (not the 422 of a request without files). */
static void
test_video_two_files (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GBytes) video = make_video ();
  SrvFile files[2] = {
    {"a.avi", "video/x-msvideo", video},
    {"b.avi", "video/x-msvideo", video},
  };
  g_autoptr (SrvReply) r = srv_post_files (server, "/inference_video_async",
      files, 2, NULL, NULL);
  JsonObject *obj = srv_reply_object (r);

  g_assert_cmpuint (r->status, ==, 400);
  g_assert_cmpstr (srv_get_string (obj, "message"), ==,
      "Only one file expected but got 2");
  g_assert_cmpstr (srv_get_string (obj, "detail"), ==,
      "Only one file expected but got 2");
  g_assert_false (srv_get_bool (obj, "success"));
  g_assert_cmpuint (json_object_get_size (obj), ==, 3);
}

static void
test_video_not_a_video (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GBytes) text = g_bytes_new_static ("no video here", 13);
  SrvFile file = { "x.mp4", "video/mp4", text };
  g_autoptr (SrvReply) r = srv_post_files (server, "/inference_video_async",
      &file, 1, NULL, NULL);
  g_autofree gchar *uuid = srv_reply_uuid (r);
  guint polls;

  /* errors during processing arrive in the record's exception */
  for (polls = 0; polls < 500; polls++) {
    g_autoptr (SrvReply) p = control (server, "/pop_inference_results", uuid);
    JsonObject *obj = srv_reply_object (p);

    if (srv_get_bool (obj, "finished")) {
      JsonObject *exc = json_object_get_object_member (obj, "exception");

      g_assert_nonnull (exc);
      g_assert_cmpstr (srv_get_string (obj, "stage"), ==, "Error");
      g_assert_nonnull (strstr (srv_get_string (exc, "message"),
              "Cannot decode the uploaded video"));
      return;
    }
    g_usleep (20000);
  }
  g_error ("the request never finished");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/async/batch-life-cycle", test_batch_life_cycle);
  g_test_add_func ("/server/async/stop", test_stop);
  g_test_add_func ("/server/async/worker-queue", test_worker_queue);
  g_test_add_func ("/server/async/record-limit", test_record_limit);
  g_test_add_func ("/server/async/video-tracking", test_video_tracking);
  g_test_add_func ("/server/async/video-no-tracking", test_video_no_tracking);
  g_test_add_func ("/server/async/video-not-a-video", test_video_not_a_video);
  g_test_add_func ("/server/async/video-tracking-settings",
      test_video_tracking_settings);
  g_test_add_func ("/server/async/video-two-files", test_video_two_files);
  return g_test_run ();
}
