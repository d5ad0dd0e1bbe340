/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sly-model-server over real HTTP: the shape of every information endpoint
 * (protocol.md 3.1 - 3.10), model switching, a server without a model, and
 * the documented status and error body of each malformed request.
 */
#include "servertestutil.h"

#include "slyprojectmeta.h"

static GBytes *
ball_png (void)
{
  g_autoptr (SlyImage) image = srv_image_new (64, 48);

  srv_fill_rect (image, 10, 10, 19, 19, 255, 255, 255);
  return srv_png (image);
}

static void
assert_keys (JsonObject * obj, const gchar * const *keys)
{
  for (; *keys; keys++)
    if (!json_object_has_member (obj, *keys))
      g_error ("key '%s' is missing", *keys);
}

/* ---- health ---- */

static void
test_health (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  const gchar *const probes[] = { "/is_alive", "/livez" };
  guint i;

  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/is_ready", "{}", NULL);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (srv_get_string (srv_reply_object (r), "status"), ==,
        "ready");
  }
  {
    g_autoptr (SrvReply) r = srv_get (server, "/is_ready");
    g_assert_cmpuint (r->status, ==, 200);
  }
  {
    g_autoptr (SrvReply) r = srv_get (server, "/readyz");
    g_assert_cmpuint (r->status, ==, 200);
  }
  for (i = 0; i < G_N_ELEMENTS (probes); i++) {
    g_autoptr (SrvReply) r = srv_get (server, probes[i]);
    JsonObject *obj = srv_reply_object (r);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_true (srv_get_bool (obj, "running"));
    g_assert_cmpstr (srv_get_string (obj, "mode"), ==, "development");
  }
  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/is_running", "{}", NULL);
    g_assert_true (srv_get_bool (srv_reply_object (r), "running"));
  }
  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/is_deployed", "{}", NULL);
    JsonObject *obj = srv_reply_object (r);

    g_assert_true (srv_get_bool (obj, "deployed"));
    g_assert_cmpstr (srv_get_string (obj, "description:"), ==,
        "Model is ready to receive requests");
  }
}

/* ---- information ---- */

static void
test_session_info (void)
{
  const gchar *const keys[] = { "app_name", "session_id", "number_of_classes",
    "sliding_window_support", "videos_support",
    "async_video_inference_support", "tracking_on_videos_support",
    "async_image_inference_support", "tracking_algorithms",
    "batch_inference_support", "max_batch_size", "task type", NULL
  };
  g_autoptr (SlyTestServer) plain = sly_test_server_startv (NULL);
  g_autoptr (SlyTestServer) custom = sly_test_server_start ("--task-id",
      "48213", "--max-batch-size", "4", "--no-tracking", "--model",
      "color-detector", NULL);
  g_autoptr (SrvReply) r1 = srv_post_json (plain, "/get_session_info",
      "{\"state\": {}, \"context\": {}}", NULL);
  g_autoptr (SrvReply) r2 = srv_post_json (custom, "/get_session_info",
      NULL, NULL);
  JsonObject *o1 = srv_reply_object (r1), *o2 = srv_reply_object (r2);

  g_assert_cmpuint (r1->status, ==, 200);
  assert_keys (o1, keys);
  assert_keys (o2, keys);
  g_assert_true (json_node_is_null (json_object_get_member (o1, "session_id")));
  g_assert_true (json_node_is_null (json_object_get_member (o1,
              "max_batch_size")));
  g_assert_cmpint (srv_get_int (o1, "number_of_classes"), ==, 1);
  g_assert_true (srv_get_bool (o1, "tracking_on_videos_support"));
  g_assert_cmpstr (srv_get_string (o1, "task type"), ==, "object detection");
  g_assert_cmpstr (srv_get_string (o1, "model_name"), ==, "blob-detector");

  g_assert_cmpint (srv_get_int (o2, "session_id"), ==, 48213);
  g_assert_cmpint (srv_get_int (o2, "max_batch_size"), ==, 4);
  g_assert_cmpint (srv_get_int (o2, "number_of_classes"), ==, 3);
  g_assert_false (srv_get_bool (o2, "tracking_on_videos_support"));
}

static void
test_custom_settings (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SrvReply) r = srv_post_json (server,
      "/get_custom_inference_settings", "{}", NULL);
  JsonObject *settings = json_object_get_object_member (srv_reply_object (r),
      "settings");
  JsonNode *conf = json_object_get_member (settings, "conf");

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (conf);
  g_assert_cmpfloat (json_node_get_double (conf), ==, 0.25);
  g_assert_cmpint (srv_get_int (settings, "min_area"), ==, 10);
}

static void
test_model_meta (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--model",
      "color-detector", NULL);
  const gchar *const paths[] = { "/get_output_classes_and_tags",
    "/get_model_meta"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (paths); i++) {
    g_autoptr (SrvReply) r = srv_post_json (server, paths[i], "{}", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (SlyProjectMeta) meta = NULL;
    g_auto (GStrv) titles = NULL;
    SlyTagMeta *tag;

    g_assert_cmpuint (r->status, ==, 200);
    meta = sly_project_meta_from_json_node (r->json, &error);
    g_assert_no_error (error);
    titles = sly_project_meta_dup_class_titles (meta);
    g_assert_cmpuint (g_strv_length (titles), ==, 3);
    g_assert_cmpstr (titles[0], ==, "red");
    g_assert_cmpstr (titles[1], ==, "green");
    g_assert_cmpstr (titles[2], ==, "blue");
    g_assert_cmpuint (meta->tag_metas->len, ==, 1);
    tag = meta->tag_metas->pdata[0];
    g_assert_cmpstr (tag->name, ==, "confidence");
    g_assert_cmpstr (tag->value_type, ==, "any_number");
  }
}

static void
test_tracking_settings (void)
{
  const gchar *const keys[] = { "fp16", "track_high_thresh",
    "track_low_thresh", "new_track_thresh", "track_buffer", "match_thresh",
    "min_box_area", "with_reid", "reid_weights", "proximity_thresh",
    "appearance_thresh", "fuse_score", "ablation", "mot20", "cmc_method",
    NULL
  };
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SlyTestServer) untracked = sly_test_server_start
      ("--no-tracking", NULL);
  g_autoptr (SrvReply) r = srv_post_json (server, "/get_tracking_settings",
      "{}", NULL);
  g_autoptr (SrvReply) r2 = srv_post_json (untracked,
      "/get_tracking_settings", "{}", NULL);
  JsonObject *botsort = json_object_get_object_member (srv_reply_object (r),
      "botsort");

  g_assert_nonnull (botsort);
  assert_keys (botsort, keys);
  g_assert_false (json_object_has_member (botsort, "device"));
  g_assert_false (json_object_has_member (botsort, "fps"));
  g_assert_cmpint (srv_get_int (botsort, "track_buffer"), ==, 30);
  g_assert_cmpuint (json_object_get_size (srv_reply_object (r2)), ==, 0);
}

static void
test_deploy_info_and_status (void)
{
  const gchar *const keys[] = { "checkpoint_name", "model_name",
    "architecture", "checkpoint_url", "custom_checkpoint_path",
    "model_source", "task_type", "device", "runtime", "model_precision",
    "hardware", "deploy_params", NULL
  };
  const gchar *const status_keys[] = { "is_deployed", "progress",
    "gpu_memory", "ram_memory", NULL
  };
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SrvReply) r = srv_post_json (server, "/get_deploy_info", "{}",
      NULL);
  g_autoptr (SrvReply) s = srv_post_json (server, "/get_status", "{}", NULL);
  JsonObject *obj = srv_reply_object (r), *st = srv_reply_object (s);
  JsonObject *progress;

  assert_keys (obj, keys);
  g_assert_cmpuint (json_object_get_size (obj), ==, 12);
  g_assert_cmpstr (srv_get_string (obj, "model_name"), ==, "blob-detector");
  g_assert_cmpstr (srv_get_string (obj, "model_source"), ==,
      "Pretrained models");

  assert_keys (st, status_keys);
  g_assert_true (srv_get_bool (st, "is_deployed"));
  progress = json_object_get_object_member (st, "progress");
  g_assert_cmpstr (srv_get_string (progress, "message"), ==, "Ready");
  g_assert_cmpint (srv_get_int (progress, "total"), ==, 1);
  g_assert_cmpint (srv_get_int (json_object_get_object_member (st,
              "ram_memory"), "allocated"), >, 0);
}

static const gchar *
freeze (SlyTestServer * server, SrvReply ** keep)
{
  *keep = srv_post_json (server, "/freeze_model", "{}", NULL);
  g_assert_cmpuint ((*keep)->status, ==, 200);
  return srv_get_string (srv_reply_object (*keep), "message");
}

static void
test_freeze (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SlyTestServer) empty = sly_test_server_start ("--no-model", NULL);
  g_autoptr (GBytes) png = ball_png ();
  g_autoptr (SrvReply) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;

  g_assert_cmpstr (freeze (server, &a), ==, "Model is frozen.");
  g_assert_cmpstr (freeze (server, &b), ==, "Model is already frozen.");
  /* the next inference "reloads" the model */
  e = srv_post_image (server, "/inference_image", png, NULL);
  g_assert_cmpuint (e->status, ==, 200);
  g_assert_cmpstr (freeze (server, &c), ==, "Model is frozen.");
  g_assert_cmpstr (freeze (empty, &d), ==,
      "Failed to freeze model. Check the logs for details.");
}

static void
test_list_models (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SrvReply) names = srv_post_json (server,
      "/list_pretrained_models", "{}", NULL);
  g_autoptr (SrvReply) infos = srv_post_json (server,
      "/list_pretrained_model_infos", "{}", NULL);
  JsonArray *n = srv_reply_array (names), *i = srv_reply_array (infos);
  JsonObject *meta;

  g_assert_cmpuint (json_array_get_length (n), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (n, 0), ==, "blob-detector");
  g_assert_cmpstr (json_array_get_string_element (n, 1), ==, "color-detector");
  g_assert_cmpstr (json_array_get_string_element (n, 2), ==, "blob-segmenter");
  g_assert_cmpstr (json_array_get_string_element (n, 3), ==, "blob-classifier");
  g_assert_cmpuint (json_array_get_length (i), ==, 4);
  meta = json_object_get_object_member (json_array_get_object_element (i,
          2), "meta");
  g_assert_cmpstr (srv_get_string (meta, "model_name"), ==, "blob-segmenter");
  g_assert_cmpstr (srv_get_string (meta, "task_type"), ==,
      "instance segmentation");
  g_assert_true (json_object_has_member (meta, "model_files"));
  {
    const gchar *const keys[] = { "name", "type", "default", "doc", NULL };
    g_autoptr (SrvReply) r = srv_post_json (server, "/get_deploy_settings",
        "{}", NULL);
    JsonArray *arr = srv_reply_array (r);

    g_assert_cmpuint (json_array_get_length (arr), >, 0);
    assert_keys (json_array_get_object_element (arr, 0), keys);
  }
}

/* ---- deploy_from_api and --no-model ---- */

static void
test_deploy_switch (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SlyImage) image = srv_image_new (64, 48);
  g_autoptr (GBytes) png = NULL;

  srv_fill_rect (image, 5, 6, 14, 15, 255, 0, 0);
  png = srv_png (image);
  {
    /* case-insensitive, as the SDK's lookup */
    g_autoptr (SrvReply) r = srv_post_json (server, "/deploy_from_api",
        "{\"state\": {\"deploy_params\": {\"model_source\": "
        "\"Pretrained models\", \"device\": \"cpu\"}, "
        "\"model_name\": \"Color-Detector\"}}", NULL);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (srv_get_string (srv_reply_object (r), "result"), ==,
        "model was successfully deployed");
  }
  {
    g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
        NULL);
    g_autoptr (SlyAnnotation) ann = srv_result_annotation (r->json);

    g_assert_cmpuint (ann->objects->len, ==, 1);
    srv_assert_box (ann->objects->pdata[0], "red", 5, 6, 14, 15, 0);
  }
  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/deploy_from_api",
        "{\"state\": {\"model_name\": \"NoSuchModel\"}}", NULL);
    srv_assert_error (r, 500, "Model NoSuchModel not found");
  }
  {
    /* as the SDK: a failed deploy leaves no model */
    g_autoptr (SrvReply) r = srv_post_json (server, "/is_ready", "{}", NULL);
    srv_assert_error (r, 503, "Service not ready");
  }
  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/deploy_from_api",
        "{\"state\": {\"deploy_params\": {\"model_info\": {\"meta\": "
        "{\"model_name\": \"blob-segmenter\"}}}}}", NULL);
    g_autoptr (SrvReply) info = srv_post_json (server, "/get_deploy_info",
        "{}", NULL);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (srv_get_string (srv_reply_object (info), "model_name"),
        ==, "blob-segmenter");
  }
}

static void
test_no_model (void)
{
  const gchar *const failing[] = { "/get_session_info",
    "/get_output_classes_and_tags", "/get_model_meta",
    "/get_tracking_settings", "/get_deploy_info"
  };
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--no-model", NULL);
  g_autoptr (GBytes) png = ball_png ();
  guint i;

  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/is_ready", "{}", NULL);
    srv_assert_error (r, 503, "Service not ready");
  }
  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/is_deployed", "{}", NULL);
    g_assert_false (srv_get_bool (srv_reply_object (r), "deployed"));
  }
  for (i = 0; i < G_N_ELEMENTS (failing); i++) {
    g_autoptr (SrvReply) r = srv_post_json (server, failing[i], "{}", NULL);
    srv_assert_error (r, 500, "not yet been deployed");
  }
  {
    g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
        NULL);
    srv_assert_error (r, 500, "not yet been deployed");
  }
  {
    g_autoptr (SrvReply) r = srv_post_json (server,
        "/get_custom_inference_settings", "{}", NULL);
    g_assert_cmpuint (r->status, ==, 200);
  }
  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/deploy_from_api",
        "{\"state\": {\"model_name\": \"blob-detector\"}}", NULL);
    g_autoptr (SrvReply) ready = srv_post_json (server, "/is_ready", "{}",
        NULL);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpuint (ready->status, ==, 200);
  }
}

/* ---- malformed requests (protocol.md 2.2, 3.12, 3.15) ---- */

typedef struct
{
  const gchar *name;
  const gchar *path;
  guint n_files;                /* ball PNGs; 0 = JSON body */
  gboolean text_file;           /* the file is text, not an image */
  const gchar *body_or_state;
  guint status;
  const gchar *message;
} BadCase;

static const BadCase bad_cases[] = {
  {"no-files", "/inference_image", 0, FALSE, NULL, 422, "field required"},
  {"no-files-batch", "/inference_batch", 0, FALSE, NULL, 422,
      "field required"},
  {"two-files", "/inference_image", 2, FALSE, NULL, 400,
      "Only one file expected but got 2"},
  {"not-an-image", "/inference_image", 1, TRUE, NULL, 400,
      "File has unsupported format"},
  {"not-an-image-batch", "/inference_batch", 1, TRUE, NULL, 400,
      "File has unsupported format"},
  {"invalid-state", "/inference_image", 1, FALSE,
      "{\"settings\": {\"conf\": 0.3", 400, "Cannot decode settings"},
  {"state-not-object", "/inference_image", 1, FALSE, "[1, 2]", 400,
      "Settings is not json object"},
  {"batch-size-above-limit", "/inference_batch", 1, FALSE,
        "{\"batch_size\": 3}", 400,
      "Batch size should be less than or equal to 2 for this model."},
  {"batch-size-above-limit-async", "/inference_batch_async", 1, FALSE,
      "{\"batch_size\": 3}", 400, "Batch size should be less than"},
  {"bad-conf", "/inference_image", 1, FALSE,
      "{\"settings\": {\"conf\": \"high\"}}", 400, "settings.conf"},
  {"bad-classes", "/inference_image", 1, FALSE,
      "{\"settings\": {\"classes\": [1]}}", 400, "settings.classes"},
  {"conf-above-1", "/inference_image", 1, FALSE,
        "{\"settings\": {\"conf\": 1.5}}", 400,
      "settings.conf must be a number from 0 to 1"},
  {"conf-negative", "/inference_image", 1, FALSE,
        "{\"settings\": {\"conf\": -0.1}}", 400,
      "settings.conf must be a number from 0 to 1"},
  {"conf-alias-not-number", "/inference_image", 1, FALSE,
        "{\"settings\": {\"confidence_threshold\": \"x\"}}", 400,
      "settings.conf must be a number"},
  {"min-area-string", "/inference_image", 1, FALSE,
        "{\"settings\": {\"min_area\": \"ten\"}}", 400,
      "settings.min_area must be an integer from 1 to 2147483647"},
  {"min-area-zero", "/inference_image", 1, FALSE,
        "{\"settings\": {\"min_area\": 0}}", 400,
      "settings.min_area must be an integer"},
  {"min-area-fraction", "/inference_image", 1, FALSE,
        "{\"settings\": {\"min_area\": 2.5}}", 400,
      "settings.min_area must be an integer"},
  {"min-area-huge", "/inference_image", 1, FALSE,
        "{\"settings\": {\"min_area\": 3000000000}}", 400,
      "settings.min_area must be an integer"},
  {"min-area-bool", "/inference_batch", 1, FALSE,
        "{\"settings\": {\"min_area\": true}}", 400,
      "settings.min_area must be an integer"},
  {"min-area-async", "/inference_batch_async", 1, FALSE,
        "{\"settings\": {\"min_area\": -3}}", 400,
      "settings.min_area must be an integer"},
  {"min-area-video", "/inference_video_async", 1, FALSE,
        "{\"settings\": {\"min_area\": [10]}}", 400,
      "settings.min_area must be an integer"},
  {"missing-uuid", "/get_inference_progress", 0, FALSE, "{\"state\": {}}",
      400, "Error: 'inference_request_uuid' is required."},
  {"missing-uuid-pop", "/pop_inference_results", 0, FALSE, "{}", 400,
      "Error: 'inference_request_uuid' is required."},
  {"missing-uuid-stop", "/stop_inference", 0, FALSE, "{}", 400,
      "Error: 'inference_request_uuid' is required."},
  {"missing-uuid-clear", "/clear_inference_request", 0, FALSE, "{}", 400,
      "Error: 'inference_request_uuid' is required."},
  {"missing-uuid-status", "/get_inference_status", 0, FALSE, "{}", 400,
      "Error: 'inference_request_uuid' is required."},
  {"unknown-uuid", "/get_inference_progress", 0, FALSE,
        "{\"state\": {\"inference_request_uuid\": \"0000\"}}", 500,
      "no such uuid"},
  {"unknown-uuid-result", "/get_inference_result", 0, FALSE,
        "{\"state\": {\"inference_request_uuid\": \"0000\"}}", 500,
      "no such uuid"},
  {"unknown-endpoint", "/no_such_endpoint", 0, FALSE, "{}", 404,
      "Not Found"},
  {"unknown-endpoint-net", "/net/wrong-token/is_ready", 0, FALSE, "{}", 404,
      "Not Found"},
  {"invalid-json-body", "/get_inference_progress", 0, FALSE, "{oops", 400,
      "Cannot decode request body"},
  {"state-not-object-json", "/get_inference_progress", 0, FALSE,
      "{\"state\": 5}", 400, "state is not a JSON object"},
};

static void
test_bad_request (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr (SlyTestServer) server = sly_test_server_start
      ("--max-batch-size", "2", NULL);
  g_autoptr (GBytes) png = ball_png ();
  g_autoptr (GBytes) text = g_bytes_new_static ("hello, not an image", 19);
  g_autoptr (SrvReply) r = NULL;

  if (c->n_files == 0 && g_str_has_prefix (c->path, "/inference"))
    r = srv_post_files (server, c->path, NULL, 0, "{\"settings\": {}}", NULL);
  else if (c->n_files == 0)
    r = srv_post_json (server, c->path, c->body_or_state, NULL);
  else {
    SrvFile files[2] = {
      {"a.png", "image/png", c->text_file ? text : png},
      {"b.png", "image/png", png},
    };
    r = srv_post_files (server, c->path, files, c->n_files,
        c->body_or_state, NULL);
  }
  srv_assert_error (r, c->status, c->message);
}

/* Settings the model reads are checked; null means the default; a setting
 * that the model does not read (geometry for a detector) is ignored. */
static void
test_model_settings (void)
{
  g_autoptr (SlyTestServer) segmenter = sly_test_server_start ("--model",
      "blob-segmenter", NULL);
  g_autoptr (SlyTestServer) detector = sly_test_server_startv (NULL);
  g_autoptr (GBytes) png = ball_png ();
  const gchar *const bad[] = {
    "{\"settings\": {\"geometry\": \"circle\"}}",
    "{\"settings\": {\"geometry\": 5}}",
    "{\"settings\": {\"geometry\": \"Bitmap\"}}",
  };
  const gchar *const good[] = {
    "{\"settings\": {\"geometry\": null, \"min_area\": null}}",
    "{\"settings\": {\"geometry\": \"polygon\", \"min_area\": 1, "
        "\"conf\": 1}}",
    "{\"settings\": {\"conf\": 0, \"min_area\": 2147483647}}",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (SrvReply) r = srv_post_image (segmenter, "/inference_image",
        png, bad[i]);

    srv_assert_error (r, 400,
        "settings.geometry must be \"both\", \"bitmap\" or \"polygon\"");
  }
  for (i = 0; i < G_N_ELEMENTS (good); i++) {
    g_autoptr (SrvReply) r = srv_post_image (segmenter, "/inference_image",
        png, good[i]);

    g_assert_cmpuint (r->status, ==, 200);
  }
  {
    g_autoptr (SrvReply) r = srv_post_image (detector, "/inference_image",
        png, bad[0]);

    g_assert_cmpuint (r->status, ==, 200);
  }
}

static void
test_no_files_detail (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SrvReply) r = srv_post_json (server, "/inference_image",
      "{\"state\": {}}", NULL);
  JsonArray *detail;
  JsonObject *item;

  /* FastAPI's validation detail, inside the 2.2 shape */
  srv_assert_error (r, 422, "field required");
  detail = json_object_get_array_member (srv_reply_object (r), "detail");
  item = json_array_get_object_element (detail, 0);
  g_assert_cmpstr (json_array_get_string_element
      (json_object_get_array_member (item, "loc"), 1), ==, "files");
}

static void
test_upload_limit (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start
      ("--max-upload-bytes", "4096", NULL);
  gpointer big = g_malloc0 (8192);
  g_autoptr (GBytes) data = g_bytes_new_take (big, 8192);
  SrvFile file = { "big.png", "image/png", data };
  g_autoptr (SrvReply) r = srv_post_files (server, "/inference_image",
      &file, 1, NULL, NULL);
  g_autoptr (SrvReply) after = srv_post_json (server, "/is_ready", "{}", NULL);

  srv_assert_error (r, 413, "larger than the limit of 4096 bytes");
  /* and the server goes on */
  g_assert_cmpuint (after->status, ==, 200);
}

/* A chunked body has no length to check first: past the limit the
 * connection is closed, and the server goes on. */
static void
test_upload_limit_chunked (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start
      ("--max-upload-bytes", "4096", NULL);
  g_autofree gchar *url = g_strconcat (sly_test_server_get_url (server),
      "/inference_image", NULL);
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GInputStream) body =
      g_memory_input_stream_new_from_data (g_malloc0 (65536), 65536, g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (SrvReply) after = NULL;

  /* length -1: sent chunked */
  soup_message_set_request_body (msg, "application/json", body, -1);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_nonnull (error);
  after = srv_post_json (server, "/is_ready", "{}", NULL);
  g_assert_cmpuint (after->status, ==, 200);
}

/* A small upload that decodes to more than the limit is refused. */
static void
test_decoded_limit (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start
      ("--max-decoded-bytes", "100000", NULL);
  g_autoptr (SlyImage) image = srv_image_new (200, 200);
  g_autoptr (GBytes) png = srv_png (image);
  g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
      NULL);

  /* 120000 bytes of RGB from a PNG of a few hundred bytes */
  g_assert_cmpuint (g_bytes_get_size (png), <, 100000);
  srv_assert_error (r, 413, "decode to more than 100000 bytes");
}

static void
test_wrong_method (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SrvReply) r = srv_get (server, "/get_session_info");

  srv_assert_error (r, 405, "Method Not Allowed");
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/health/probes", test_health);
  g_test_add_func ("/server/info/session-info", test_session_info);
  g_test_add_func ("/server/info/custom-settings", test_custom_settings);
  g_test_add_func ("/server/info/model-meta", test_model_meta);
  g_test_add_func ("/server/info/tracking-settings", test_tracking_settings);
  g_test_add_func ("/server/info/deploy-info-and-status",
      test_deploy_info_and_status);
  g_test_add_func ("/server/info/freeze", test_freeze);
  g_test_add_func ("/server/info/list-models", test_list_models);
  g_test_add_func ("/server/deploy/switch", test_deploy_switch);
  g_test_add_func ("/server/deploy/no-model", test_no_model);
  for (i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/server/bad-request/%s",
        bad_cases[i].name);
    g_test_add_data_func (path, &bad_cases[i], test_bad_request);
  }
  g_test_add_func ("/server/bad-request/no-files-detail", test_no_files_detail);
  g_test_add_func ("/server/bad-request/model-settings", test_model_settings);
  g_test_add_func ("/server/bad-request/upload-limit", test_upload_limit);
  g_test_add_func ("/server/bad-request/upload-limit-chunked",
      test_upload_limit_chunked);
  g_test_add_func ("/server/bad-request/decoded-limit", test_decoded_limit);
  g_test_add_func ("/server/bad-request/wrong-method", test_wrong_method);
  return g_test_run ();
}
