/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client over real HTTP against a scripted server in a thread of the
 * test: recorded answers of the SDK's own server, the requests the client
 * sends, timeouts, retries, cancellation, task-mode routing and where the
 * token goes.
 */
#include "slyclient.h"
#include "slyclient-private.h"
#include "slyerror.h"
#include "slyerrors.h"
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

/* A platform call redirected to another origin fails without a request
 * there; within the origin the redirect is followed and x-api-key goes
 * along. */
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
  g_assert_null (status);
  g_assert_error (error, SLY_HTTP_ERROR, 302);
  g_clear_error (&error);
  reqs = mock_server_get_requests (other, NULL);
  g_assert_cmpuint (reqs->len, ==, 0);

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

/* ---- redirects (issue #7) ---- */

/* An inference POST answered with a redirect to another host/port: an
 * error naming the status and the redacted Location; the other server
 * never sees a request, its answer is never taken for the prediction. */
static void
test_redirect_infer (Fixture * f, gconstpointer data)
{
  g_autoptr (MockServer) other = mock_server_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  g_autoptr (GPtrArray) reqs = NULL;
  g_autofree gchar *location = g_strdup_printf ("%s/net/L3akT0ken/"
      "inference_image?token=Qu3ryS3cret", mock_server_get_url (other));
  g_autofree gchar *shown = g_strdup_printf ("%s/net/***/inference_image",
      mock_server_get_url (other));
  GBytes *image = fake_image (0);
  guint statuses[] = { 302, 301, 303, 307, 308 };
  guint i;

  mock_server_add_sample (other, "/net/L3akT0ken/inference_image",
      "inference_image");
  for (i = 0; i < G_N_ELEMENTS (statuses); i++) {
    mock_server_add_redirect (f->server, "/inference_image", statuses[i],
        location);
    anns = sly_client_infer_sync (f->client, &image, 1, "image/png", NULL,
        NULL, &error);
    g_assert_null (anns);
    g_assert_error (error, SLY_HTTP_ERROR, (gint) statuses[i]);
    g_assert_nonnull (strstr (error->message, shown));
    g_assert_nonnull (strstr (error->message, "redirect"));
    g_assert_null (strstr (error->message, "L3akT0ken"));
    g_assert_null (strstr (error->message, "Qu3ryS3cret"));
    g_clear_error (&error);
  }
  /* a batch too, and a redirect to the same server */
  mock_server_add_redirect (f->server, "/inference_batch", 307,
      "/inference_image");
  {
    GBytes *two[2] = { image, image };

    g_assert_null (sly_client_infer_sync (f->client, two, 2, "image/png",
            NULL, NULL, &error));
    g_assert_error (error, SLY_HTTP_ERROR, 307);
  }
  reqs = mock_server_get_requests (other, NULL);
  g_assert_cmpuint (reqs->len, ==, 0);
  g_bytes_unref (image);
}

/* Info calls follow a redirect within the origin: 302 as a GET (as
 * libsoup did), 307 with the POST and its body again. */
static void
test_redirect_info_same_origin (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) status = NULL;
  g_autoptr (JsonObject) status2 = NULL;
  g_autoptr (GPtrArray) here = NULL;
  g_autoptr (GPtrArray) there = NULL;
  g_autofree gchar *absolute = g_strdup_printf ("%s/here",
      mock_server_get_url (f->server));

  mock_server_add_sample (f->server, "/here", "get_status");
  mock_server_add_sample (f->server, "/there", "get_status");
  mock_server_add_redirect (f->server, "/get_status", 302, absolute);
  status = sly_client_get_status (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (status, "is_deployed"));
  here = mock_server_get_requests (f->server, "/here");
  g_assert_cmpstr (only_request (here)->method, ==, "GET");

  mock_server_add_redirect (f->server, "/get_status", 307, "/there");
  status2 = sly_client_get_status (f->client, NULL, &error);
  g_assert_no_error (error);
  there = mock_server_get_requests (f->server, "/there");
  g_assert_cmpstr (only_request (there)->method, ==, "POST");
  assert_envelope (only_request (there));
}

/* An info call redirected to another origin (port): an error, and the
 * other server is never asked. A redirect loop ends too. */
static void
test_redirect_info_cross_origin (Fixture * f, gconstpointer data)
{
  g_autoptr (MockServer) other = mock_server_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) reqs = NULL;
  g_autofree gchar *location = g_strdup_printf ("%s/get_status?key=S3cr3t",
      mock_server_get_url (other));
  g_autofree gchar *shown = g_strdup_printf ("%s/get_status",
      mock_server_get_url (other));

  mock_server_add_sample (other, "/get_status", "get_status");
  mock_server_add_redirect (f->server, "/get_status", 302, location);
  g_assert_null (sly_client_get_status (f->client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 302);
  g_assert_nonnull (strstr (error->message, shown));
  g_assert_null (strstr (error->message, "S3cr3t"));
  reqs = mock_server_get_requests (other, NULL);
  g_assert_cmpuint (reqs->len, ==, 0);
  g_clear_error (&error);

  mock_server_add_redirect (f->server, "/get_status", 307, "/get_status");
  g_assert_null (sly_client_get_status (f->client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 307);
  g_assert_nonnull (strstr (error->message, "Too many redirects"));
}

/* ---- Retry-After and the retry deadline (issue #7) ---- */

typedef struct
{
  GMainContext *context;
  GPtrArray *anns;
  GError *error;
  gboolean done;
} InferWait;

static void
on_infer_waited (GObject * source, GAsyncResult * res, gpointer data)
{
  InferWait *wait = data;

  wait->anns = sly_client_infer_finish (SLY_CLIENT (source), res, &wait->error);
  wait->done = TRUE;
}

/* sly_client_infer_async() with @deadline_us, run to completion. */
static GPtrArray *
infer_with_deadline (SlyClient * client, gint64 deadline_us, GError ** error)
{
  InferWait wait = { g_main_context_new (), NULL, NULL, FALSE };
  GBytes *image = fake_image (0);

  g_main_context_push_thread_default (wait.context);
  sly_client_infer_async (client, &image, 1, "image/png", NULL, deadline_us,
      NULL, on_infer_waited, &wait);
  while (!wait.done)
    g_main_context_iteration (wait.context, TRUE);
  g_main_context_pop_thread_default (wait.context);
  g_main_context_unref (wait.context);
  g_bytes_unref (image);
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.anns;
}

static guint
n_requests (MockServer * server, const gchar * path)
{
  g_autoptr (GPtrArray) reqs = mock_server_get_requests (server, path);

  return reqs->len;
}

/* 429 with Retry-After: 30: the pause is cut to the per-attempt timeout,
 * for info calls and inference alike. */
static void
test_retry_after_capped (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  gint64 start, took;

  mock_server_add_with_header (f->server, "/get_status", 429,
      "application/json", "{\"message\": \"slow down\"}", "Retry-After", "30");
  mock_server_add_with_header (f->server, "/inference_image", 429,
      "application/json", "{\"message\": \"slow down\"}", "Retry-After", "30");
  sly_client_set_timeout (f->client, 500);
  sly_client_set_retries (f->client, 2, 10);

  start = g_get_monotonic_time ();
  g_assert_null (sly_client_get_status (f->client, NULL, &error));
  took = g_get_monotonic_time () - start;
  g_assert_error (error, SLY_HTTP_ERROR, 429);
  g_assert_cmpuint (n_requests (f->server, "/get_status"), ==, 2);
  g_assert_cmpint (took, >=, 450 * 1000);
  g_assert_cmpint (took, <, 3 * G_USEC_PER_SEC);
  g_clear_error (&error);

  start = g_get_monotonic_time ();
  anns = infer_with_deadline (f->client, 0, &error);
  took = g_get_monotonic_time () - start;
  g_assert_null (anns);
  g_assert_error (error, SLY_HTTP_ERROR, 429);
  g_assert_cmpuint (n_requests (f->server, "/inference_image"), ==, 2);
  g_assert_cmpint (took, >=, 450 * 1000);
  g_assert_cmpint (took, <, 3 * G_USEC_PER_SEC);
}

/* A deadline 300 ms ahead: no pause that would end after it, so the call
 * fails with the 429 by then, after one request. */
static void
test_retry_deadline (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  gint64 start, deadline;

  mock_server_add_with_header (f->server, "/inference_image", 429,
      "application/json", "{\"message\": \"slow down\"}", "Retry-After", "30");
  sly_client_set_timeout (f->client, 5000);
  sly_client_set_retries (f->client, 5, 10);
  start = g_get_monotonic_time ();
  deadline = start + 300 * 1000;
  anns = infer_with_deadline (f->client, deadline, &error);
  g_assert_null (anns);
  g_assert_error (error, SLY_HTTP_ERROR, 429);
  g_assert_cmpstr (error->message, ==, "slow down");
  g_assert_cmpint (g_get_monotonic_time (), <=, deadline);
  g_assert_cmpuint (n_requests (f->server, "/inference_image"), ==, 1);
}

/* Within the deadline a retry still happens; a retry that does not answer
 * is cut at the deadline. */
static void
test_retry_deadline_budget (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  g_autoptr (GPtrArray) anns2 = NULL;
  gint64 deadline;

  mock_server_add_sample (f->server, "/inference_image", "inference_image");
  mock_server_fail_first (f->server, "/inference_image", 1, 503);
  sly_client_set_timeout (f->client, 10000);
  sly_client_set_retries (f->client, 3, 10);
  anns = infer_with_deadline (f->client,
      g_get_monotonic_time () + 5 * G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (anns->len, ==, 1);
  g_assert_cmpuint (n_requests (f->server, "/inference_image"), ==, 2);

  /* the second attempt hangs: cut at the deadline, not at the 10 s timeout */
  mock_server_add_hang (f->server, "/inference_image");
  mock_server_fail_first (f->server, "/inference_image", 1, 503);
  deadline = g_get_monotonic_time () + 400 * 1000;
  anns2 = infer_with_deadline (f->client, deadline, &error);
  g_assert_null (anns2);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time (), <, deadline + G_USEC_PER_SEC);
  g_assert_cmpuint (n_requests (f->server, "/inference_image"), ==, 4);
}

/* ---- secrets (issue #7) ---- */

static void
test_redact_url (void)
{
  static const struct
  {
    const gchar *url;
    const gchar *shown;
  } cases[] = {
    {"https://user:pass@host/net/TOKEN/x?token=abc#f",
        "https://host/net/***/x"},
    {"http://127.0.0.1:8000", "http://127.0.0.1:8000"},
    {"https://app.supervisely.com/net/TOKEN",
        "https://app.supervisely.com/net/***"},
    {"http://h/a/net/T1/b/net/T2/c", "http://h/a/net/***/b/net/***/c"},
    {"http://h/path?api_token=abc", "http://h/path"},
    {"host/net/TOKEN/x", "(not a URL)"},
    {NULL, "(none)"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *shown = sly_redact_url (cases[i].url);

    g_assert_cmpstr (shown, ==, cases[i].shown);
  }
}

/* A server echoing the session token in a /net/<token> call's error: the
 * message never holds it (only the session-token masking hides a bare
 * token). In task mode and in URL mode (the token of the URL, its user
 * info and password too). */
static void
test_redact_session_token_errors (void)
{
  g_autoptr (MockServer) server = mock_server_new ();
  g_autoptr (SlyClient) client = task_client (server, 7);
  g_autoptr (SlyClient) url_client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *url = g_strdup_printf ("http://us3r:pa55w0rd@%s/net/"
      SESSION "/", mock_server_get_url (server) + strlen ("http://"));
  GBytes *image = fake_image (0);

  mock_server_add (server, "/net/" SESSION "/get_session_info", 500,
      "application/json", "{\"detail\": \"session " SESSION " has ended\"}");
  g_assert_null (sly_client_get_session_info (client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 500);
  g_assert_cmpstr (error->message, ==, "session *** has ended");
  g_clear_error (&error);

  mock_server_add (server, "/net/" SESSION "/inference_image", 500,
      "text/plain", "inference failed for " SESSION);
  g_assert_null (sly_client_infer_sync (client, &image, 1, "image/png", NULL,
          NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 500);
  g_assert_cmpstr (error->message, ==, "inference failed for ***");
  g_clear_error (&error);

  url_client = sly_client_new_for_url (url, &error);
  g_assert_no_error (error);
  mock_server_add (server, "/net/" SESSION "/get_session_info", 500,
      "text/plain", "bad session " SESSION " for us3r:pa55w0rd, pa55w0rd");
  g_assert_null (sly_client_get_session_info (url_client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 500);
  g_assert_cmpstr (error->message, ==, "bad session *** for ***, ***");
  g_bytes_unref (image);
}

/* No four characters of @secret in a row appear in @text. */
static void
assert_no_part_of (const gchar * text, const gchar * secret)
{
  gsize i;

  for (i = 0; i + 4 <= strlen (secret); i++) {
    g_autofree gchar *part = g_strndup (secret + i, 4);

    if (strstr (text, part) != NULL)
      g_error ("\"%s\" of the secret shows in \"%s\"", part, text);
  }
}

/* An error text longer than the 400-byte cut with the token straddling
 * it: redaction comes first, so no part of the token shows. Through the
 * client (the API token echoed by a platform) and for every offset. */
static void
test_redact_before_cut (void)
{
  g_autoptr (MockServer) server = mock_server_new ();
  g_autoptr (SlyClient) client = task_client (server, 7);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *pad = g_strnfill (390, 'x');
  g_autofree gchar *body = g_strdup_printf ("{\"detail\": \"%s" TOKEN
      "%s\"}", pad, pad);
  const gchar *secrets[] = { TOKEN, NULL };
  guint offset;

  mock_server_add (server, "/public/api/v3/tasks.request.direct", 401,
      "application/json", body);
  g_assert_null (sly_client_get_status (client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 401);
  g_assert_cmpuint (strlen (error->message), <=, SLY_ERROR_TEXT_MAX);
  assert_no_part_of (error->message, TOKEN);

  for (offset = 370; offset < 410; offset++) {
    g_autofree gchar *before = g_strnfill (offset, 'x');
    g_autofree gchar *text = g_strconcat (before, TOKEN, pad, NULL);
    g_autofree gchar *shown = sly_error_text_from_body_redacted (text,
        strlen (text), 500, secrets);

    g_assert_cmpuint (strlen (shown), <=, SLY_ERROR_TEXT_MAX);
    g_assert_true (g_str_has_suffix (shown, "..."));
    assert_no_part_of (shown, TOKEN);
  }
}

/* ---- bounded answers (issue #7) ---- */

/* An inference answer with @n rectangles, object i at x = i % 500; with
 * track ids i + 1 when @ids. */
static GBytes *
many_objects (guint n, gboolean ids)
{
  GString *s = g_string_new ("{\"annotation\": {\"size\": {\"height\": 480, "
      "\"width\": 640}, \"tags\": [], \"objects\": [");
  guint i;

  for (i = 0; i < n; i++)
    g_string_append_printf (s, "%s{\"classTitle\": \"c\", \"tags\": "
        "[{\"name\": \"confidence\", \"value\": 0.5}], \"geometryType\": "
        "\"rectangle\", \"points\": {\"exterior\": [[%u, 2], [600, 400]], "
        "\"interior\": []}}", i ? ", " : "", i % 500);
  g_string_append (s, "]");
  if (ids) {
    g_string_append (s, ", \"customBigData\": [");
    for (i = 0; i < n; i++)
      g_string_append_printf (s, "%s%u", i ? ", " : "", i + 1);
    g_string_append (s, "]");
  }
  g_string_append (s, "}, \"data\": {}}");
  return g_string_free_to_bytes (s);
}

/* Peak resident memory of the process, in kB (VmHWM). */
static gsize
peak_rss_kb (void)
{
  g_autofree gchar *status = NULL;
  const gchar *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL,
          NULL));
  line = strstr (status, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

/* 100,000 objects: 10,000 kept (the default), 90,000 counted as dropped,
 * and the memory stays near the answer's size (json-glib's tree of the
 * whole answer would take about 300 MB). */
static void
test_max_objects (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  GBytes *answer = many_objects (100000, FALSE);
  GBytes *image = fake_image (0);
  SlyAnnotation *ann;
  gsize before;

  g_test_message ("answer of %" G_GSIZE_FORMAT " bytes",
      g_bytes_get_size (answer));
  mock_server_add_bytes (f->server, "/inference_image", 200,
      "application/json", answer);
  /* the peak so far, from now on (Linux >= 4.0) */
  g_file_set_contents ("/proc/self/clear_refs", "5", -1, NULL);
  before = peak_rss_kb ();
  anns = sly_client_infer_sync (f->client, &image, 1, "image/png", NULL, NULL,
      &error);
  g_assert_no_error (error);
  ann = anns->pdata[0];
  g_assert_cmpuint (ann->objects->len, ==, SLY_CLIENT_DEFAULT_MAX_OBJECTS);
  g_assert_cmpuint (sly_annotation_get_n_dropped_objects (ann), ==,
      100000 - SLY_CLIENT_DEFAULT_MAX_OBJECTS);
  /* the first ones, in order */
  g_assert_cmpint (sly_geometry_get_bbox (((SlyObject *) ann->objects->
              pdata[7])->geometry).left, ==, 7);
  g_test_message ("peak grew by %" G_GSIZE_FORMAT " kB",
      peak_rss_kb () - before);
  /* memcheck and AddressSanitizer keep freed blocks aside and add their
   * own: a bound for the process as it runs, not under either */
#ifndef __SANITIZE_ADDRESS__
  if (g_getenv ("SLY_UNDER_VALGRIND") == NULL)
    g_assert_cmpuint (peak_rss_kb () - before, <, 120 * 1024);
#endif
  g_bytes_unref (image);
}

/* A small cap: track ids stay matched, a legacy string annotation and an
 * escaped "objects" key are capped too, 0 keeps everything. */
static void
test_max_objects_shapes (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  g_autoptr (GPtrArray) anns2 = NULL;
  g_autoptr (GPtrArray) anns3 = NULL;
  g_autoptr (JsonNode) legacy = NULL;
  g_autoptr (JsonObject) wrapper = json_object_new ();
  g_autofree gchar *legacy_text = NULL;
  GBytes *image = fake_image (0);
  GBytes *with_ids = many_objects (30, TRUE);
  g_autofree gchar *inner =
      g_strndup ((const gchar *) g_bytes_get_data (with_ids,
          NULL) + strlen ("{\"annotation\": "),
      g_bytes_get_size (with_ids) - strlen ("{\"annotation\": ") -
      strlen (", \"data\": {}}"));
  SlyAnnotation *ann;
  guint i;

  sly_client_set_max_objects (f->client, 10);
  mock_server_add_bytes (f->server, "/inference_image", 200,
      "application/json", with_ids);
  anns = sly_client_infer_sync (f->client, &image, 1, "image/png", NULL, NULL,
      &error);
  g_assert_no_error (error);
  ann = anns->pdata[0];
  g_assert_cmpuint (ann->objects->len, ==, 10);
  g_assert_cmpuint (sly_annotation_get_n_dropped_objects (ann), ==, 20);
  g_assert_true (ann->has_track_ids);
  for (i = 0; i < 10; i++)
    g_assert_cmpint (((SlyObject *) ann->objects->pdata[i])->track_id, ==,
        i + 1);

  /* {"annotation": "<the annotation as a JSON string>"} */
  json_object_set_string_member (wrapper, "annotation", inner);
  legacy = json_node_init_object (json_node_alloc (), wrapper);
  legacy_text = json_to_string (legacy, FALSE);
  mock_server_add (f->server, "/inference_image", 200, "application/json",
      legacy_text);
  anns2 = sly_client_infer_sync (f->client, &image, 1, "image/png", NULL,
      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((SlyAnnotation *) anns2->pdata[0])->objects->len, ==, 10);
  g_assert_cmpuint (sly_annotation_get_n_dropped_objects (anns2->pdata[0]),
      ==, 20);

  /* no cap */
  sly_client_set_max_objects (f->client, 0);
  anns3 = sly_client_infer_sync (f->client, &image, 1, "image/png", NULL,
      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((SlyAnnotation *) anns3->pdata[0])->objects->len, ==, 30);
  g_assert_cmpuint (sly_annotation_get_n_dropped_objects (anns3->pdata[0]),
      ==, 0);
  g_bytes_unref (image);
}

/* The text pruning itself: only arrays under "objects" (escapes read),
 * strings and nesting followed, elements become null in place. */
static void
test_prune_text (void)
{
  static const struct
  {
    const gchar *in;
    const gchar *out;           /* NULL: nothing pruned */
    guint n;
  } cases[] = {
    {"{\"objects\": [1, 2, 3]}", "{\"objects\": [1, 2, null]}", 1},
    {"{\"objects\": [{\"a\": [1, 2, 3]}, {\"b\": \"],\"}, [3]]}",
        "{\"objects\": [{\"a\": [1, 2, 3]}, {\"b\": \"],\"}, null]}", 1},
    {"{\"other\": [1, 2, 3], \"x\": \"objects\"}", NULL, 0},
    {"{\"\\u006fbjects\": [1,2,3,4]}", "{\"\\u006fbjects\": [1,2,null,null]}",
        2},
    {"[{\"objects\":[1,2]},{\"objects\":[\"a\\\"]\",\"b\",\"c\"]}]",
        "[{\"objects\":[1,2]},{\"objects\":[\"a\\\"]\",\"b\",null]}]", 1},
    {"{\"objects\": [1, 2]}", NULL, 0},
    {"{\"objects\": [1, 2, 3", "{\"objects\": [1, 2, null", 1},
    {"{\"objects\": \"[1, 2, 3]\"}", NULL, 0},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gsize len = 0;
    guint n = 99;
    g_autofree gchar *out = sly_client_prune_objects (cases[i].in,
        strlen (cases[i].in), 2, &len, &n);

    g_assert_cmpstr (out, ==, cases[i].out);
    g_assert_cmpuint (n, ==, cases[i].n);
    if (out != NULL)
      g_assert_cmpuint (len, ==, strlen (out));
  }
}

/* More than SLY_CLIENT_MAX_ANSWER_BYTES: refused while it is read. */
static void
test_answer_too_large (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gsize size = SLY_CLIENT_MAX_ANSWER_BYTES + 1;
  gchar *big = g_malloc (size);

  memset (big, ' ', size);
  mock_server_add_bytes (f->server, "/get_status", 200, "application/json",
      g_bytes_new_take (big, size));
  g_assert_null (sly_client_get_status (f->client, NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "larger than"));
}

/* ---- HTTPS with a private CA (issue #12) ---- */

/* A self-signed certificate for 127.0.0.1 made with the openssl tool in
 * @dir: cert.pem, key.pem. FALSE when there is no openssl. */
static gboolean
make_certificate (const gchar * dir)
{
  g_autofree gchar *openssl = g_find_program_in_path ("openssl");
  g_autofree gchar *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree gchar *key = g_build_filename (dir, "key.pem", NULL);
  g_autoptr (GError) error = NULL;
  const gchar *argv[] = { openssl, "req", "-x509", "-newkey", "ec",
    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", key, "-out", cert, NULL
  };
  gint status = -1;

  if (openssl == NULL)
    return FALSE;
  if (!g_spawn_sync (NULL, (gchar **) argv, NULL,
          G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
          NULL, NULL, &status, &error))
    g_error ("openssl: %s", error->message);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return TRUE;
}

static void
test_tls_ca_file (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("sly-tls-XXXXXX", NULL);
  g_autofree gchar *cert_file = g_build_filename (dir, "cert.pem", NULL);
  g_autofree gchar *key_file = g_build_filename (dir, "key.pem", NULL);
  g_autofree gchar *missing = g_build_filename (dir, "none.pem", NULL);
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autoptr (MockServer) server = NULL;
  g_autoptr (SlyClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) status = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ())) {
    g_test_skip ("no TLS backend (glib-networking)");
    return;
  }
  if (!make_certificate (dir)) {
    g_test_skip ("no openssl to make a certificate");
    return;
  }
  cert = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  g_assert_no_error (error);
  server = mock_server_new_https (cert);
  g_assert_true (g_str_has_prefix (mock_server_get_url (server), "https://"));
  mock_server_add_sample (server, "/get_status", "get_status");
  client = sly_client_new_for_url (mock_server_get_url (server), &error);
  g_assert_no_error (error);
  sly_client_set_retries (client, 3, 10);

  /* by default: the system's CAs, which do not know ours */
  g_assert_null (sly_client_get_status (client, NULL, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "not trusted"));
  g_assert_nonnull (strstr (error->message, mock_server_get_url (server)));
  g_clear_error (&error);

  /* with our CA */
  g_assert_true (sly_client_set_tls_ca_file (client, cert_file, &error));
  g_assert_no_error (error);
  status = sly_client_get_status (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (status, "is_deployed"));

  /* a file that is not there: refused, the CA set stays */
  g_assert_false (sly_client_set_tls_ca_file (client, missing, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* back to the system's store (for connections opened from then on):
   * untrusted again */
  g_clear_object (&client);
  client = sly_client_new_for_url (mock_server_get_url (server), &error);
  g_assert_true (sly_client_set_tls_ca_file (client, cert_file, &error));
  g_assert_true (sly_client_set_tls_ca_file (client, NULL, &error));
  g_assert_null (sly_client_get_status (client, NULL, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  g_unlink (cert_file);
  g_unlink (key_file);
  g_rmdir (dir);
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
  ADD ("redirect/infer", test_redirect_infer);
  ADD ("redirect/info-same-origin", test_redirect_info_same_origin);
  ADD ("redirect/info-cross-origin", test_redirect_info_cross_origin);
  ADD ("http/retry-after-capped", test_retry_after_capped);
  ADD ("http/retry-deadline", test_retry_deadline);
  ADD ("http/retry-deadline-budget", test_retry_deadline_budget);
  ADD ("http/answer-too-large", test_answer_too_large);
  ADD ("infer/max-objects", test_max_objects);
  ADD ("infer/max-objects-shapes", test_max_objects_shapes);
#undef ADD
  g_test_add_func ("/client/redact/url", test_redact_url);
  g_test_add_func ("/client/redact/session-token-errors",
      test_redact_session_token_errors);
  g_test_add_func ("/client/redact/before-cut", test_redact_before_cut);
  g_test_add_func ("/client/infer/prune-text", test_prune_text);
  g_test_add_func ("/client/tls/ca-file", test_tls_ca_file);
  g_test_add_func ("/client/url/redacted", test_url_redacted);
  g_test_add_func ("/client/task/routing", test_task_routing);
  g_test_add_func ("/client/task/errors", test_task_errors);
  g_test_add_func ("/client/task/redirect", test_task_redirect);
  g_test_add_func ("/client/task/credentials-from-env",
      test_task_credentials_from_env);
  return g_test_run ();
}
