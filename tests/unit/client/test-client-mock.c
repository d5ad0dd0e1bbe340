/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client over real HTTP against a scripted server in a thread of the
 * test: recorded answers of the SDK's own server, the requests the client
 * sends, timeouts, retries, cancellation, task-mode routing and where the
 * token goes.
 */
#include "slyclient.h"
#include "slyerror.h"
#include "clienttestutil.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#define TOKEN "s3cret-T0ken"
#define SESSION "SeSs10nT0k"

typedef struct
{
  MockServer *server;
  SlyClient *client;
} Fixture;

static void
fixture_setup (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->server = mock_server_new ();
  f->client = sly_client_new_for_url (mock_server_get_url (f->server), &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture * f, gconstpointer data)
{
  g_assert_finalize_object (f->client);
  mock_server_free (f->server);
}

static JsonNode *
parse (GBytes * bytes)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
      g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static MockRequest *
only_request (GPtrArray * requests)
{
  g_assert_cmpuint (requests->len, ==, 1);
  return requests->pdata[0];
}

/* Every JSON call carries {"state": {...}, "context": {}}. */
static void
assert_envelope (MockRequest * req)
{
  g_autoptr (JsonNode) body = parse (req->body);
  JsonObject *obj = json_node_get_object (body);

  g_assert_cmpstr (req->content_type, ==, "application/json");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj,
              "state")));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj,
              "context")));
}

/* Recorded: the defaults are a YAML string; the client returns it as is
 * and sly_settings_to_object reads it. */
static void
test_recorded_settings (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autoptr (JsonObject) obj = NULL;
  g_autoptr (GPtrArray) reqs = NULL;

  mock_server_add_sample (f->server, "/get_custom_inference_settings",
      "get_custom_inference_settings");
  settings = sly_client_get_settings (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_node_get_string (settings), ==, "conf: 0.25\n");
  obj = sly_settings_to_object (settings, &error);
  g_assert_cmpfloat (json_object_get_double_member (obj, "conf"), ==, 0.25);

  reqs = mock_server_get_requests (f->server, NULL);
  assert_envelope (only_request (reqs));
  g_assert_null (only_request (reqs)->api_key);
}

/* Recorded: the model meta with the extra projectSettings key. */
static void
test_recorded_meta (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyProjectMeta) meta = NULL;
  g_auto (GStrv) classes = NULL;

  mock_server_add_sample (f->server, "/get_output_classes_and_tags",
      "get_output_classes_and_tags");
  meta = sly_client_get_model_meta (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (meta->classes->len, ==, 2);
  g_assert_cmpstr (((SlyObjClass *) meta->classes->pdata[0])->title, ==,
      "ball");
  g_assert_cmpuint (((SlyObjClass *) meta->classes->pdata[0])->color, ==,
      0x8A550F);
  classes = sly_client_get_classes (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (classes), ==, 2);
  g_assert_cmpstr (classes[1], ==, "box");
}

static void
test_recorded_metadata_calls (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) tracking = NULL;
  g_autoptr (JsonObject) info = NULL;
  g_autoptr (JsonObject) status = NULL;
  g_autoptr (JsonObject) deploy = NULL;
  g_autoptr (JsonArray) infos = NULL;
  g_autofree gchar *frozen = NULL;
  g_auto (GStrv) models = NULL;

  mock_server_add_sample (f->server, "/get_tracking_settings",
      "get_tracking_settings");
  mock_server_add_sample (f->server, "/get_session_info", "get_session_info");
  mock_server_add_sample (f->server, "/get_status", "get_status");
  mock_server_add_sample (f->server, "/get_deploy_info", "get_deploy_info");
  mock_server_add_sample (f->server, "/freeze_model", "freeze_model");
  mock_server_add_sample (f->server, "/list_pretrained_models",
      "list_pretrained_models");
  mock_server_add_sample (f->server, "/list_pretrained_model_infos",
      "list_pretrained_model_infos");
  mock_server_add_sample (f->server, "/deploy_from_api", "deploy_from_api");

  tracking = sly_client_get_tracking_settings (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (json_object_get_double_member (tracking,
          "track_high_thresh"), ==, 0.6);
  info = sly_client_get_session_info (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (info, "task type"));
  status = sly_client_get_status (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (status, "is_deployed"));
  deploy = sly_client_get_deploy_info (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (deploy, "model_name"));
  frozen = sly_client_freeze_model (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (frozen, "Model") ||
      g_str_has_prefix (frozen, "Failed"));
  models = sly_client_list_pretrained_models (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (models), >=, 1);
  infos = sly_client_list_pretrained_model_infos (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (infos), ==, g_strv_length (models));
  g_assert_true (sly_client_load (f->client, models[0], NULL, "torch", NULL,
          &error));
  g_assert_no_error (error);
  {
    g_autoptr (GPtrArray) reqs = mock_server_get_requests (f->server,
        "/deploy_from_api");
    g_autoptr (JsonNode) body = parse (only_request (reqs)->body);
    JsonObject *state = json_object_get_object_member (json_node_get_object
        (body), "state");
    JsonObject *params = json_object_get_object_member (state,
        "deploy_params");

    g_assert_cmpstr (json_object_get_string_member (state, "model_name"), ==,
        models[0]);
    g_assert_cmpstr (json_object_get_string_member (params, "model_source"),
        ==, "Pretrained models");
    g_assert_cmpstr (json_object_get_string_member (params, "runtime"), ==,
        "PyTorch");
    g_assert_true (json_object_get_null_member (params, "device"));
  }
}

/* {} from get_tracking_settings: the model has no tracker. */
static void
test_tracking_unsupported (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  mock_server_add (f->server, "/get_tracking_settings", 200,
      "application/json", "{}");
  g_assert_null (sly_client_get_tracking_settings (f->client, NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_NOT_SUPPORTED);
}

static void
test_is_deployed (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  mock_server_add_sample (f->server, "/is_ready", "is_ready");
  g_assert_true (sly_client_is_deployed (f->client, NULL, &error));
  g_assert_no_error (error);
  mock_server_add_sample (f->server, "/is_ready",
      "is_ready_after_failed_deploy");
  g_assert_false (sly_client_is_deployed (f->client, NULL, &error));
  g_assert_no_error (error);
  mock_server_add_sample (f->server, "/is_ready", "err_progress_unknown_uuid");
  g_assert_false (sly_client_is_deployed (f->client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 500);
  g_assert_cmpstr (error->message, ==, "Internal Server Error");
}

/* Bad bodies from a 200 are parse errors, not crashes. */
static void
test_bad_bodies (Fixture * f, gconstpointer data)
{
  static const gchar *const bodies[] = { "", "{", "[]", "\"x\"", "null",
    "{\"botsort\": 3}"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bodies); i++) {
    g_autoptr (GError) error = NULL;

    mock_server_add (f->server, "/get_tracking_settings", 200,
        "application/json", bodies[i]);
    g_assert_null (sly_client_get_tracking_settings (f->client, NULL, &error));
    g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  }
}

static GBytes *
fake_image (guint i)
{
  return g_bytes_new_take (g_strdup_printf ("fake image %u", i), 12);
}

/* Checks one multipart upload: files parts with unique names of the right
 * extension and type, then state and settings with the same content. */
static void
assert_upload (MockRequest * req, guint n_files, const gchar * ext,
    const gchar * type, GHashTable * names, JsonNode ** state_out)
{
  g_autoptr (SoupMessageHeaders) headers =
      soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr (SoupMultipart) multipart = NULL;
  g_autoptr (GBytes) state = NULL;
  g_autoptr (GBytes) settings = NULL;
  guint i, n = 0;

  soup_message_headers_replace (headers, "Content-Type", req->content_type);
  multipart = soup_multipart_new_from_message (headers, req->body);
  g_assert_nonnull (multipart);
  for (i = 0; i < (guint) soup_multipart_get_length (multipart); i++) {
    SoupMessageHeaders *part_headers;
    GBytes *part_body;
    g_autoptr (GHashTable) params = NULL;
    g_autofree gchar *disposition = NULL;
    const gchar *name, *filename;

    g_assert_true (soup_multipart_get_part (multipart, i, &part_headers,
            &part_body));
    g_assert_true (soup_message_headers_get_content_disposition
        (part_headers, &disposition, &params));
    name = g_hash_table_lookup (params, "name");
    filename = g_hash_table_lookup (params, "filename");
    if (g_strcmp0 (name, "files") == 0) {
      g_assert_nonnull (filename);
      g_assert_true (g_str_has_suffix (filename, ext));
      g_assert_false (g_hash_table_contains (names, filename));
      g_hash_table_add (names, g_strdup (filename));
      g_assert_cmpstr (soup_message_headers_get_content_type (part_headers,
              NULL), ==, type);
      n++;
    } else if (g_strcmp0 (name, "state") == 0) {
      g_assert_null (filename);
      state = g_bytes_ref (part_body);
    } else if (g_strcmp0 (name, "settings") == 0) {
      g_assert_null (filename);
      settings = g_bytes_ref (part_body);
    } else {
      g_assert_not_reached ();
    }
  }
  g_assert_cmpuint (n, ==, n_files);
  g_assert_nonnull (state);
  g_assert_nonnull (settings);
  g_assert_true (g_bytes_equal (state, settings));
  *state_out = parse (state);
}

/* Recorded answers of inference_image and inference_batch. */
static void
test_recorded_infer (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  g_autoptr (GPtrArray) reqs = NULL;
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash,
      g_str_equal, g_free, NULL);
  g_autoptr (SlyInferenceSettings) settings = sly_inference_settings_new ();
  g_autoptr (JsonNode) state = NULL;
  g_autoptr (JsonNode) state2 = NULL;
  GBytes *images[2] = { fake_image (0), fake_image (1) };
  SlyAnnotation *ann;
  SlyBox box;

  mock_server_add_sample (f->server, "/inference_image", "inference_image");
  mock_server_add_sample (f->server, "/inference_batch", "inference_batch");
  sly_inference_settings_set_conf (settings, 0.3);

  anns = sly_client_infer_sync (f->client, images, 1, "image/png", settings,
      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (anns->len, ==, 1);
  ann = anns->pdata[0];
  g_assert_cmpint (ann->width, ==, 320);
  g_assert_cmpint (ann->height, ==, 240);
  g_assert_cmpuint (ann->objects->len, ==, 2);
  box =
      sly_geometry_get_bbox (((SlyObject *) ann->objects->pdata[0])->geometry);
  g_assert_cmpint (box.left, ==, 60);
  g_assert_cmpint (box.bottom, ==, 120);
  g_assert_cmpfloat_with_epsilon (((SlyObject *) ann->objects->pdata[1])->
      confidence, 0.5985, 1e-9);
  g_clear_pointer (&anns, g_ptr_array_unref);

  anns = sly_client_infer_sync (f->client, images, 2, "image/jpeg", settings,
      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (anns->len, ==, 2);

  reqs = mock_server_get_requests (f->server, "/inference_image");
  assert_upload (only_request (reqs), 1, ".png", "image/png", names, &state);
  g_assert_cmpfloat (json_object_get_double_member
      (json_object_get_object_member (json_node_get_object (state), "settings"),
          "conf"), ==, 0.3);
  g_assert_false (json_object_has_member (json_node_get_object (state),
          "batch_size"));
  g_clear_pointer (&reqs, g_ptr_array_unref);
  reqs = mock_server_get_requests (f->server, "/inference_batch");
  assert_upload (only_request (reqs), 2, ".jpg", "image/jpeg", names, &state2);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (state2),
          "batch_size"), ==, 2);
  g_assert_cmpuint (g_hash_table_size (names), ==, 3);

  g_bytes_unref (images[0]);
  g_bytes_unref (images[1]);
}

/* The SDK server may answer 200 with fewer results: an error here. */
static void
test_infer_fewer_results (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GBytes *images[3] = { fake_image (0), fake_image (1), fake_image (2) };
  guint i;

  mock_server_add_sample (f->server, "/inference_batch", "inference_batch");
  g_assert_null (sly_client_infer_sync (f->client, images, 3, "image/jpeg",
          NULL, NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INFERENCE);
  g_clear_error (&error);
  mock_server_add (f->server, "/inference_batch", 200, "application/json",
      "[]");
  g_assert_null (sly_client_infer_sync (f->client, images, 2, "image/jpeg",
          NULL, NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INFERENCE);
  g_clear_error (&error);
  g_assert_null (sly_client_infer_sync (f->client, images, 1, "text/plain",
          NULL, NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
  for (i = 0; i < 3; i++)
    g_bytes_unref (images[i]);
}

/* Recorded 422 (old validation shape) and plain-text 500 from inference. */
static void
test_recorded_infer_errors (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GBytes *image = fake_image (0);

  mock_server_add_sample (f->server, "/inference_image", "err_no_files");
  g_assert_null (sly_client_infer_sync (f->client, &image, 1, "image/png",
          NULL, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 422);
  g_assert_cmpstr (error->message, ==, "field required");
  g_clear_error (&error);
  mock_server_add_sample (f->server, "/inference_image", "err_not_an_image");
  g_assert_null (sly_client_infer_sync (f->client, &image, 1, "image/png",
          NULL, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 500);
  g_assert_cmpstr (error->message, ==, "Internal Server Error");
  g_bytes_unref (image);
}

static gchar **
request_paths (MockServer * server)
{
  g_autoptr (GPtrArray) reqs = mock_server_get_requests (server, NULL);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint i;

  for (i = 0; i < reqs->len; i++)
    g_strv_builder_add (builder, ((MockRequest *) reqs->pdata[i])->path);
  return g_strv_builder_end (builder);
}

static SlyPredictionSession *
start_session (Fixture * f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) state = sly_inference_settings_to_state (NULL, 0);
  GBytes *image = fake_image (0);
  SlyPredictionSession *session;

  mock_server_add_sample (f->server, "/inference_batch_async",
      "inference_batch_async");
  mock_server_add_sample (f->server, "/get_inference_result",
      "get_inference_result");
  mock_server_add_sample (f->server, "/clear_inference_request",
      "clear_inference_request");
  mock_server_add_sample (f->server, "/stop_inference", "stop_inference");
  session = sly_prediction_session_start (f->client, "inference_batch_async",
      &image, 1, "image/png", state, NULL, &error);
  g_assert_no_error (error);
  g_bytes_unref (image);
  sly_prediction_session_set_poll_interval (session, 10);
  return session;
}

/* Recorded async life cycle: results with "finished", then result+clear. */
static void
test_recorded_session (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyPredictionSession) session = start_session (f);
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (JsonNode) final_result = NULL;
  g_auto (GStrv) paths = NULL;
  g_autoptr (SlyAnnotation) ann = NULL;
  gboolean finished = FALSE;
  const gchar *expected[] = { "/inference_batch_async",
    "/pop_inference_results", "/get_inference_result",
    "/clear_inference_request", NULL
  };

  g_assert_cmpstr (sly_prediction_session_get_uuid (session), ==,
      "c9838b37377151a494cb2e8206015e17");
  mock_server_add_sample (f->server, "/pop_inference_results",
      "pop_inference_results");
  results = sly_prediction_session_next (session, &finished, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (finished);
  g_assert_cmpuint (results->len, ==, 2);
  ann = sly_annotation_from_json_node (results->pdata[0], &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ann->objects->len, ==, 2);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = sly_prediction_session_next (session, &finished, NULL, &error);
  g_assert_cmpuint (results->len, ==, 0);
  g_assert_true (finished);
  final_result = sly_prediction_session_close (session, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_NULL (final_result));

  paths = request_paths (f->server);
  g_assert_cmpstrv (paths, expected);
  {
    g_autoptr (GPtrArray) reqs = mock_server_get_requests (f->server,
        "/clear_inference_request");
    g_autoptr (JsonNode) body = parse (only_request (reqs)->body);

    g_assert_cmpstr (json_object_get_string_member
        (json_object_get_object_member (json_node_get_object (body), "state"),
            "inference_request_uuid"), ==, "c9838b37377151a494cb2e8206015e17");
  }
}

/* Recorded exception: the error names it; stop, result, clear follow. */
static void
test_recorded_session_exception (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyPredictionSession) session = start_session (f);
  g_auto (GStrv) paths = NULL;
  gboolean finished = FALSE;
  const gchar *expected[] = { "/inference_batch_async",
    "/pop_inference_results", "/stop_inference", "/get_inference_result",
    "/clear_inference_request", NULL
  };

  mock_server_add_sample (f->server, "/pop_inference_results",
      "err_async_inference_exception_pop");
  g_assert_null (sly_prediction_session_next (session, &finished, NULL,
          &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INFERENCE);
  g_assert_cmpstr (error->message, ==,
      "Inference Error: KeyError: 'sliding_window_params'");
  paths = request_paths (f->server);
  g_assert_cmpstrv (paths, expected);
}

/* Legacy records: no "finished"; the end is is_inferring false after the
 * results started; a string exception. */
static void
test_legacy_session (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyPredictionSession) session = start_session (f);
  g_autoptr (SlyPredictionSession) session2 = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (JsonNode) final_result = NULL;
  gboolean finished = FALSE;

  mock_server_add (f->server, "/pop_inference_results", 200,
      "application/json", "{\"progress\": {\"current\": 1, \"total\": 1}, "
      "\"is_inferring\": false, \"cancel_inference\": false, \"result\": null,"
      " \"pending_results\": [{\"annotation\": {\"size\": {\"height\": 4, "
      "\"width\": 4}, \"objects\": [], \"tags\": []}, \"data\": {}}], "
      "\"exception\": null}");
  results = sly_prediction_session_next (session, &finished, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_true (finished);
  final_result = sly_prediction_session_close (session, &error);
  g_assert_no_error (error);

  session2 = start_session (f);
  mock_server_add (f->server, "/pop_inference_results", 200,
      "application/json", "{\"is_inferring\": false, \"pending_results\": [],"
      " \"exception\": \"CUDA out of memory\"}");
  g_assert_null (sly_prediction_session_next (session2, &finished, NULL,
          &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INFERENCE);
  g_assert_cmpstr (error->message, ==, "Inference Error: CUDA out of memory");
}

/* Nothing ever queued: the idle timeout stops the request. */
static void
test_session_idle_timeout (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyPredictionSession) session = start_session (f);
  g_autoptr (GPtrArray) stops = NULL;
  gboolean finished = FALSE;

  mock_server_add (f->server, "/pop_inference_results", 200,
      "application/json", "{\"pending_results\": [], \"exception\": null, "
      "\"is_inferring\": true, \"finished\": false}");
  sly_prediction_session_set_idle_timeout (session, 200);
  g_assert_null (sly_prediction_session_next (session, &finished, NULL,
          &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  stops = mock_server_get_requests (f->server, "/stop_inference");
  g_assert_cmpuint (stops->len, ==, 1);
}

static gpointer cancel_later (gpointer data);

/* Cancelling next() during its poll pause ends it at once; close() then
 * stops and clears the unfinished request. */
static void
test_session_cancel (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyPredictionSession) session = start_session (f);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (JsonNode) final_result = NULL;
  g_autoptr (GPtrArray) stops = NULL;
  gboolean finished = FALSE;
  GThread *thread;
  gint64 start;

  mock_server_add (f->server, "/pop_inference_results", 200,
      "application/json", "{\"pending_results\": [], \"exception\": null, "
      "\"is_inferring\": true, \"finished\": false}");
  sly_prediction_session_set_poll_interval (session, 5000);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_null (sly_prediction_session_next (session, &finished,
          cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_thread_join (thread);
  g_clear_error (&error);
  final_result = sly_prediction_session_close (session, &error);
  g_assert_no_error (error);
  stops = mock_server_get_requests (f->server, "/stop_inference");
  g_assert_cmpuint (stops->len, ==, 1);
}

/* A server that accepts and never answers: a timeout error in time. */
static void
test_timeout (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 start;

  mock_server_add_hang (f->server, "/get_status");
  sly_client_set_timeout (f->client, 300);
  start = g_get_monotonic_time ();
  g_assert_null (sly_client_get_status (f->client, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
}

/* Retryable failures are retried as configured; others are not. */
static void
test_retries (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) status = NULL;
  g_autoptr (GPtrArray) reqs = NULL;

  mock_server_add_sample (f->server, "/get_status", "get_status");
  mock_server_fail_first (f->server, "/get_status", 2, 503);
  sly_client_set_retries (f->client, 3, 10);
  status = sly_client_get_status (f->client, NULL, &error);
  g_assert_no_error (error);
  reqs = mock_server_get_requests (f->server, "/get_status");
  g_assert_cmpuint (reqs->len, ==, 3);
  g_clear_pointer (&reqs, g_ptr_array_unref);

  /* too few attempts: the last failure is reported */
  mock_server_fail_first (f->server, "/get_status", 3, 502);
  g_assert_null (sly_client_get_status (f->client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 502);
  g_clear_error (&error);

  /* 400 is final */
  mock_server_fail_first (f->server, "/get_status", 1, 400);
  g_assert_null (sly_client_get_status (f->client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 400);
  g_clear_error (&error);
  reqs = mock_server_get_requests (f->server, "/get_status");
  g_assert_cmpuint (reqs->len, ==, 3 + 3 + 1);
  g_clear_pointer (&reqs, g_ptr_array_unref);

  /* 429 waits at least its Retry-After, whatever the configured delay */
  {
    g_autoptr (JsonObject) again = NULL;
    gint64 start = g_get_monotonic_time ();

    mock_server_fail_first (f->server, "/get_status", 1, 429);
    again = sly_client_get_status (f->client, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  }

  /* the SDK's raise_error calls (is_ready) never retry */
  mock_server_add_sample (f->server, "/is_ready", "is_ready");
  mock_server_fail_first (f->server, "/is_ready", 1, 500);
  g_assert_false (sly_client_is_deployed (f->client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 500);
  reqs = mock_server_get_requests (f->server, "/is_ready");
  g_assert_cmpuint (reqs->len, ==, 1);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (100 * 1000);
  g_cancellable_cancel (G_CANCELLABLE (data));
  return NULL;
}

/* Cancelling from another thread ends a hanging call at once. */
static void
test_cancel (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GThread *thread;
  gint64 start;

  mock_server_add_hang (f->server, "/get_status");
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_null (sly_client_get_status (f->client, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_thread_join (thread);

  /* already cancelled: no request at all */
  g_clear_error (&error);
  mock_server_add_sample (f->server, "/get_status", "get_status");
  g_assert_null (sly_client_get_status (f->client, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Cancelling during the backoff sleep ends the call too. */
static void
test_cancel_during_backoff (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GThread *thread;
  gint64 start;

  mock_server_add_sample (f->server, "/get_status", "get_status");
  mock_server_fail_first (f->server, "/get_status", 5, 503);
  sly_client_set_retries (f->client, 5, 5000);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_null (sly_client_get_status (f->client, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_thread_join (thread);
}

typedef struct
{
  GMainContext *context;
  gboolean done;
  gboolean on_context;
  JsonObject *status;
} AsyncCheck;

static void
on_status (GObject * source, GAsyncResult * res, gpointer data)
{
  AsyncCheck *check = data;
  g_autoptr (GError) error = NULL;

  check->on_context = g_main_context_is_owner (check->context)
      && g_main_context_get_thread_default () == check->context;
  check->status = sly_client_get_status_finish (SLY_CLIENT (source), res,
      &error);
  g_assert_no_error (error);
  check->done = TRUE;
}

/* Async calls complete on the caller's thread-default context. */
static void
test_async_context (Fixture * f, gconstpointer data)
{
  AsyncCheck check = { NULL, };

  mock_server_add_sample (f->server, "/get_status", "get_status");
  check.context = g_main_context_new ();
  g_main_context_push_thread_default (check.context);
  sly_client_get_status_async (f->client, NULL, on_status, &check);
  while (!check.done)
    g_main_context_iteration (check.context, TRUE);
  g_main_context_pop_thread_default (check.context);
  g_assert_true (check.on_context);
  g_assert_nonnull (check.status);
  json_object_unref (check.status);
  g_main_context_unref (check.context);
}

/* URL mode sends no credentials, even with API_TOKEN in the environment. */
static void
test_url_mode_no_credentials (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) status = NULL;
  g_autoptr (GPtrArray) reqs = NULL;

  g_setenv ("API_TOKEN", TOKEN, TRUE);
  mock_server_add_sample (f->server, "/get_status", "get_status");
  status = sly_client_get_status (f->client, NULL, &error);
  g_assert_no_error (error);
  reqs = mock_server_get_requests (f->server, NULL);
  g_assert_null (only_request (reqs)->api_key);
  g_assert_null (g_strstr_len (g_bytes_get_data (only_request (reqs)->body,
              NULL), g_bytes_get_size (only_request (reqs)->body), TOKEN));
  g_setenv ("API_TOKEN", "", TRUE);
}

/* The /net/<token> part of a URL never shows in an error. */
static void
test_url_redacted (void)
{
  g_autoptr (MockServer) server = NULL;
  g_autoptr (SlyClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *url = NULL;

  server = mock_server_new ();
  /* user info is a secret too */
  url = g_strdup_printf ("http://user:pa55w0rd@%s/net/" SESSION "/",
      mock_server_get_url (server) + strlen ("http://"));
  client = sly_client_new_for_url (url, &error);
  g_assert_no_error (error);
  mock_server_add_hang (server, "/net/" SESSION "/get_status");
  sly_client_set_timeout (client, 100);
  g_assert_null (sly_client_get_status (client, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_null (strstr (error->message, SESSION));
  g_assert_null (strstr (error->message, "pa55w0rd"));
  g_assert_nonnull (strstr (error->message, "/net/***/get_status"));
}


/* ---- task mode against a scripted platform ---- */

static SlyClient *
task_client (MockServer * server, gint64 task_id)
{
  g_autoptr (GError) error = NULL;
  SlyClient *client = sly_client_new_for_task (task_id,
      mock_server_get_url (server), TOKEN, &error);

  g_assert_no_error (error);
  mock_server_add (server, "/public/api/v3/tasks.info", 200,
      "application/json", "{\"id\": 7, \"meta\": {\"sessionToken\": \""
      SESSION "\"}}");
  return client;
}

static JsonObject *
body_object (MockRequest * req)
{
  g_autoptr (JsonNode) body = parse (req->body);

  return json_object_ref (json_node_get_object (body));
}

/* Routing of 1.2: prediction calls on /net/<token>, the rest wrapped in
 * tasks.request.direct, shutdown with tasks.stop; the key everywhere. */
static void
test_task_routing (void)
{
  g_autoptr (MockServer) server = mock_server_new ();
  g_autoptr (SlyClient) client = task_client (server, 7);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) info = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  g_autoptr (GPtrArray) reqs = NULL;
  g_autoptr (JsonObject) direct = NULL;
  g_autoptr (JsonObject) net = NULL;
  g_autofree gchar *status = NULL;
  GBytes *image = fake_image (0);
  guint i;

  mock_server_add_sample (server, "/net/" SESSION "/get_session_info",
      "get_session_info");
  mock_server_add_sample (server, "/net/" SESSION "/inference_image",
      "inference_image");
  mock_server_add_sample (server, "/public/api/v3/tasks.request.direct",
      "get_custom_inference_settings");
  mock_server_add (server, "/public/api/v3/tasks.stop", 200,
      "application/json", "{\"status\": \"stopped\"}");

  g_setenv ("SUPERVISELY_TASK_ID", "1234", TRUE);
  info = sly_client_get_session_info (client, NULL, &error);
  g_assert_no_error (error);
  g_unsetenv ("SUPERVISELY_TASK_ID");
  settings = sly_client_get_settings (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_node_get_string (settings), ==, "conf: 0.25\n");
  anns = sly_client_infer_sync (client, &image, 1, "image/png", NULL, NULL,
      &error);
  g_assert_no_error (error);
  status = sly_client_shutdown (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "stopped");

  reqs = mock_server_get_requests (server, NULL);
  /* tasks.info once, then the four calls */
  g_assert_cmpuint (reqs->len, ==, 5);
  g_assert_cmpstr (((MockRequest *) reqs->pdata[0])->path, ==,
      "/public/api/v3/tasks.info");
  for (i = 0; i < reqs->len; i++)
    g_assert_cmpstr (((MockRequest *) reqs->pdata[i])->api_key, ==, TOKEN);
  /* x-task-id travels with the key while SUPERVISELY_TASK_ID is set */
  g_assert_cmpstr (((MockRequest *) reqs->pdata[0])->task_id, ==, "1234");
  g_assert_cmpstr (((MockRequest *) reqs->pdata[1])->task_id, ==, "1234");
  g_assert_null (((MockRequest *) reqs->pdata[2])->task_id);

  direct = body_object (reqs->pdata[2]);
  g_assert_cmpint (json_object_get_int_member (direct, "taskId"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (direct, "command"), ==,
      "get_custom_inference_settings");
  g_assert_true (json_object_get_boolean_member
      (json_object_get_object_member (direct, "context"), "outside_request"));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (direct,
              "state")));
  g_assert_false (json_object_get_boolean_member (direct, "skipResponse"));
  g_assert_cmpint (json_object_get_int_member (direct, "timeout"), ==, 60);

  net = body_object (reqs->pdata[1]);
  g_assert_cmpstr (json_object_get_string_member (net, "api_token"), ==, TOKEN);
  {
    g_autoptr (JsonObject) stop = body_object (reqs->pdata[4]);

    g_assert_cmpint (json_object_get_int_member (stop, "id"), ==, 7);
  }
  g_bytes_unref (image);
}

static void
test_task_errors (void)
{
  g_autoptr (MockServer) server = mock_server_new ();
  g_autoptr (SlyClient) client = task_client (server, 7);
  g_autoptr (SlyClient) url_client = NULL;
  g_autoptr (GError) error = NULL;

  /* unknown task */
  mock_server_add (server, "/public/api/v3/tasks.info", 404,
      "application/json", "{\"error\": \"not found\"}");
  g_assert_null (sly_client_get_session_info (client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 404);
  g_assert_cmpstr (error->message, ==, "Task with id 7 not found");
  g_clear_error (&error);

  /* wrong token, echoed back by a careless server: never shown */
  mock_server_add (server, "/public/api/v3/tasks.info", 401,
      "application/json", "{\"detail\": \"Invalid token " TOKEN "\"}");
  g_assert_null (sly_client_get_session_info (client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 401);
  g_assert_cmpstr (error->message, ==, "Invalid token ***");
  g_clear_error (&error);

  /* not a serving app */
  mock_server_add (server, "/public/api/v3/tasks.info", 200,
      "application/json", "{\"meta\": {}}");
  g_assert_null (sly_client_get_session_info (client, NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  g_clear_error (&error);

  /* shutdown needs task mode */
  url_client = sly_client_new_for_url (mock_server_get_url (server), &error);
  g_assert_null (sly_client_shutdown (url_client, NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_NOT_SUPPORTED);
}

/* x-api-key follows a redirect only to the same origin. (libsoup follows
 * 301/302/303 for a POST, turning it into a GET, and never 307/308.) */
static void
test_task_redirect (void)
{
  g_autoptr (MockServer) server = mock_server_new ();
  g_autoptr (MockServer) other = mock_server_new ();
  g_autoptr (SlyClient) client = task_client (server, 7);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) status = NULL;
  g_autoptr (JsonObject) status2 = NULL;
  g_autoptr (GPtrArray) reqs = NULL;
  g_autoptr (GPtrArray) same = NULL;
  g_autofree gchar *elsewhere = g_strdup_printf ("%s/somewhere",
      mock_server_get_url (other));
  g_autofree gchar *here = g_strdup_printf ("%s/here",
      mock_server_get_url (server));

  mock_server_add_redirect (server, "/public/api/v3/tasks.request.direct",
      302, elsewhere);
  mock_server_add_sample (other, "/somewhere", "get_status");
  status = sly_client_get_status (client, NULL, &error);
  g_assert_no_error (error);
  reqs = mock_server_get_requests (other, "/somewhere");
  g_assert_null (only_request (reqs)->api_key);

  mock_server_add_redirect (server, "/public/api/v3/tasks.request.direct",
      302, here);
  mock_server_add_sample (server, "/here", "get_status");
  status2 = sly_client_get_status (client, NULL, &error);
  g_assert_no_error (error);
  same = mock_server_get_requests (server, "/here");
  g_assert_cmpstr (only_request (same)->api_key, ==, TOKEN);
}

/* Credentials from ~/supervisely.env and the environment reach the wire:
 * the token from the file, the API root on another origin from
 * SUPERVISELY_API_SERVER_ADDRESS; the key goes to both origins. */
static void
test_task_credentials_from_env (void)
{
  g_autoptr (MockServer) platform = mock_server_new ();
  g_autoptr (MockServer) api = mock_server_new ();
  g_autoptr (SlyClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) info = NULL;
  g_autoptr (JsonObject) status = NULL;
  g_autoptr (GPtrArray) api_reqs = NULL;
  g_autoptr (GPtrArray) net_reqs = NULL;
  g_autofree gchar *home = g_dir_make_tmp ("sly-client-XXXXXX", NULL);
  g_autofree gchar *file = g_build_filename (home, "supervisely.env", NULL);
  g_autofree gchar *old_home = g_strdup (g_getenv ("HOME"));
  g_autofree gchar *api_root = g_strdup_printf ("%s/api/",
      mock_server_get_url (api));
  g_autofree gchar *text = g_strdup_printf ("SERVER_ADDRESS=\"%s\"\n"
      "API_TOKEN=\"" TOKEN "\"\n", mock_server_get_url (platform));
  guint i;

  g_assert_true (g_file_set_contents (file, text, -1, NULL));
  g_setenv ("HOME", home, TRUE);
  g_setenv ("SUPERVISELY_API_SERVER_ADDRESS", api_root, TRUE);
  client = sly_client_new_for_task (9, NULL, NULL, &error);
  g_assert_no_error (error);
  g_setenv ("SUPERVISELY_API_SERVER_ADDRESS", "", TRUE);
  g_setenv ("HOME", old_home, TRUE);
  g_unlink (file);
  g_rmdir (home);

  mock_server_add (api, "/api/v3/tasks.info", 200, "application/json",
      "{\"meta\": {\"sessionToken\": \"" SESSION "\"}}");
  mock_server_add_sample (api, "/api/v3/tasks.request.direct", "get_status");
  mock_server_add_sample (platform, "/net/" SESSION "/get_session_info",
      "get_session_info");
  info = sly_client_get_session_info (client, NULL, &error);
  g_assert_no_error (error);
  status = sly_client_get_status (client, NULL, &error);
  g_assert_no_error (error);

  api_reqs = mock_server_get_requests (api, NULL);
  net_reqs = mock_server_get_requests (platform, NULL);
  g_assert_cmpuint (api_reqs->len, ==, 2);
  g_assert_cmpuint (net_reqs->len, ==, 1);
  for (i = 0; i < api_reqs->len; i++)
    g_assert_cmpstr (((MockRequest *) api_reqs->pdata[i])->api_key, ==, TOKEN);
  g_assert_cmpstr (only_request (net_reqs)->api_key, ==, TOKEN);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The client over loopback HTTP against a scripted server "
      "replaying recorded answers");

#define ADD(path, func) g_test_add ("/client/" path, Fixture, NULL, \
    fixture_setup, func, fixture_teardown)
  ADD ("recorded/settings", test_recorded_settings);
  ADD ("recorded/meta", test_recorded_meta);
  ADD ("recorded/metadata-calls", test_recorded_metadata_calls);
  ADD ("recorded/infer", test_recorded_infer);
  ADD ("recorded/infer-errors", test_recorded_infer_errors);
  ADD ("recorded/session", test_recorded_session);
  ADD ("recorded/session-exception", test_recorded_session_exception);
  ADD ("tracking-unsupported", test_tracking_unsupported);
  ADD ("is-deployed", test_is_deployed);
  ADD ("bad-bodies", test_bad_bodies);
  ADD ("infer/fewer-results", test_infer_fewer_results);
  ADD ("session/legacy", test_legacy_session);
  ADD ("session/idle-timeout", test_session_idle_timeout);
  ADD ("session/cancel", test_session_cancel);
  ADD ("http/timeout", test_timeout);
  ADD ("http/retries", test_retries);
  ADD ("http/cancel", test_cancel);
  ADD ("http/cancel-during-backoff", test_cancel_during_backoff);
  ADD ("http/async-context", test_async_context);
  ADD ("url/no-credentials", test_url_mode_no_credentials);
#undef ADD
  g_test_add_func ("/client/url/redacted", test_url_redacted);
  g_test_add_func ("/client/task/routing", test_task_routing);
  g_test_add_func ("/client/task/errors", test_task_errors);
  g_test_add_func ("/client/task/redirect", test_task_redirect);
  g_test_add_func ("/client/task/credentials-from-env",
      test_task_credentials_from_env);
  return g_test_run ();
}
