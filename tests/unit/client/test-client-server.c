/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client against sly-model-server over loopback HTTP, in URL mode and
 * in task mode: every ModelAPI call, per-frame inference on images whose
 * objects the test placed, timeouts, retries, cancellation, and the async
 * request life cycle.
 */
#include "slyclient.h"
#include "slymodelinfo.h"
#include "slyerror.h"
#include "slyimage.h"
#include "slytestserver.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define TOKEN "T0ken-for-tests"
#define TASK_ID 42

/* ---- test images: bright shapes on black, whose boxes we know ---- */

typedef struct
{
  guint8 r, g, b;
} Rgb;

static const Rgb white = { 255, 255, 255 };
static const Rgb red = { 220, 20, 20 };
static const Rgb blue = { 20, 20, 220 };

static SlyImage *
canvas (gint width, gint height)
{
  SlyImage *image = sly_image_new (width, height, 3);
  gint y;

  for (y = 0; y < height; y++)
    memset (image->data + (gsize) y * image->stride, 0, width * 3);
  return image;
}

static void
put (SlyImage * image, gint x, gint y, Rgb c)
{
  guint8 *p = image->data + (gsize) y * image->stride + x * 3;

  p[0] = c.r;
  p[1] = c.g;
  p[2] = c.b;
}

/* inclusive box */
static void
fill_rect (SlyImage * image, SlyBox box, Rgb c)
{
  gint x, y;

  for (y = box.top; y <= box.bottom; y++)
    for (x = box.left; x <= box.right; x++)
      put (image, x, y, c);
}

/* a disc of radius r at (cx, cy); its box is cx-r..cx+r */
static SlyBox
fill_disc (SlyImage * image, gint cx, gint cy, gint r, Rgb c)
{
  SlyBox box = { cx - r, cy - r, cx + r, cy + r };
  gint x, y;

  for (y = cy - r; y <= cy + r; y++)
    for (x = cx - r; x <= cx + r; x++)
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
        put (image, x, y, c);
  return box;
}

static GBytes *
encode (SlyImage * image, gboolean jpeg)
{
  g_autoptr (GError) error = NULL;
  SlyImageView view;
  GBytes *bytes;

  sly_image_get_view (image, &view);
  bytes = jpeg ? sly_jpeg_encode (&view, 95, &error) :
      sly_png_encode (&view, &error);
  g_assert_no_error (error);
  return bytes;
}

static void
assert_box_near (const SlyObject * obj, SlyBox truth)
{
  SlyBox box = sly_geometry_get_bbox (obj->geometry);

  g_assert_cmpint (ABS (box.left - truth.left), <=, 1);
  g_assert_cmpint (ABS (box.top - truth.top), <=, 1);
  g_assert_cmpint (ABS (box.right - truth.right), <=, 1);
  g_assert_cmpint (ABS (box.bottom - truth.bottom), <=, 1);
}

/* The object whose box is nearest to @truth (order is the server's). */
static const SlyObject *
find_object (const SlyAnnotation * ann, SlyBox truth)
{
  const SlyObject *best = NULL;
  gint best_d = G_MAXINT;
  guint i;

  for (i = 0; i < ann->objects->len; i++) {
    const SlyObject *obj = ann->objects->pdata[i];
    SlyBox b = sly_geometry_get_bbox (obj->geometry);
    gint d = ABS (b.left - truth.left) + ABS (b.top - truth.top);

    if (d < best_d) {
      best_d = d;
      best = obj;
    }
  }
  g_assert_nonnull (best);
  return best;
}

/* ---- fixtures ---- */

typedef struct
{
  SlyTestServer *server;
  SlyClient *client;
} Fixture;

static void
url_setup (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->server = sly_test_server_startv (data);
  f->client = sly_client_new_for_url (sly_test_server_get_url (f->server),
      &error);
  g_assert_no_error (error);
}

static void
task_setup (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->server = sly_test_server_start ("--api-token", TOKEN, "--task-id",
      G_STRINGIFY (TASK_ID), NULL);
  f->client = sly_client_new_for_task (TASK_ID,
      sly_test_server_get_url (f->server), TOKEN, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture * f, gconstpointer data)
{
  g_assert_finalize_object (f->client);
  sly_test_server_stop (f->server);
}

/* ---- every ModelAPI call ---- */

static void
check_metadata_calls (SlyClient * client)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) info = NULL;
  g_autoptr (SlyProjectMeta) meta = NULL;
  g_auto (GStrv) classes = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autoptr (JsonObject) settings_obj = NULL;
  g_autoptr (JsonObject) tracking = NULL;
  g_autoptr (JsonObject) deploy = NULL;
  g_autoptr (JsonObject) status = NULL;
  g_autofree gchar *frozen = NULL;
  g_auto (GStrv) models = NULL;
  g_autoptr (JsonArray) infos = NULL;

  info = sly_client_get_session_info (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (info, "task type"));
  g_assert_true (json_object_has_member (info, "batch_inference_support"));

  meta = sly_client_get_model_meta (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (meta->classes->len, ==, 1);
  g_assert_cmpstr (((SlyObjClass *) meta->classes->pdata[0])->title, ==,
      "ball");
  classes = sly_client_get_classes (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (classes), ==, 1);
  g_assert_cmpstr (classes[0], ==, "ball");

  settings = sly_client_get_settings (client, NULL, &error);
  g_assert_no_error (error);
  settings_obj = sly_settings_to_object (settings, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (json_object_get_double_member (settings_obj, "conf"), ==,
      0.25);

  tracking = sly_client_get_tracking_settings (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (tracking, "track_high_thresh"));

  deploy = sly_client_get_deploy_info (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (deploy, "model_name"));

  g_assert_true (sly_client_is_deployed (client, NULL, &error));
  g_assert_no_error (error);

  status = sly_client_get_status (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (status, "is_deployed"));

  frozen = sly_client_freeze_model (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (frozen, "rozen") ? frozen : strstr (frozen,
          "freeze"));

  models = sly_client_list_pretrained_models (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const gchar * const *) models,
          "color-detector"));
  infos = sly_client_list_pretrained_model_infos (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (infos), ==, g_strv_length (models));
}

/* After load the classes are the new model's. */
static void
check_load (SlyClient * client)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) classes = NULL;
  const gchar *expected[] = { "red", "green", "blue", NULL };

  g_assert_true (sly_client_load (client, "color-detector", "cpu", NULL,
          NULL, &error));
  g_assert_no_error (error);
  classes = sly_client_get_classes (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (classes, expected);

  g_assert_false (sly_client_load (client, "no-such-model", NULL, NULL, NULL,
          &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == SLY_HTTP_ERROR);
}

static void
test_url_calls (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  check_metadata_calls (f->client);
  check_load (f->client);
  g_assert_null (sly_client_shutdown (f->client, NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_NOT_SUPPORTED);
}

static void
test_task_calls (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *status = NULL;

  check_metadata_calls (f->client);
  check_load (f->client);
  status = sly_client_shutdown (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "stopped");
  g_assert_false (sly_client_is_deployed (f->client, NULL, &error));
  g_assert_no_error (error);
}

/* A wrong token: 401 with a clear message that does not hold the token;
 * an unknown task: 404 naming the id. */
static void
test_task_wrong_token (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyClient) wrong = NULL;
  g_autoptr (SlyClient) other_task = NULL;

  wrong = sly_client_new_for_task (TASK_ID,
      sly_test_server_get_url (f->server), "Wr0ng-T0ken", &error);
  g_assert_no_error (error);
  g_assert_null (sly_client_get_session_info (wrong, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 401);
  g_assert_nonnull (strstr (error->message, "token"));
  g_assert_null (strstr (error->message, "Wr0ng-T0ken"));
  g_assert_null (strstr (error->message, TOKEN));
  g_clear_error (&error);
  g_assert_null (sly_client_get_status (wrong, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 401);
  g_clear_error (&error);

  other_task = sly_client_new_for_task (TASK_ID + 1,
      sly_test_server_get_url (f->server), TOKEN, &error);
  g_assert_null (sly_client_get_session_info (other_task, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 404);
  g_assert_cmpstr (error->message, ==, "Task with id 43 not found");
}

/* ---- per-frame inference ---- */

static void
check_infer_single (SlyClient * client, gboolean jpeg)
{
  g_autoptr (SlyImage) image = canvas (320, 240);
  g_autoptr (SlyInferenceSettings) settings = sly_inference_settings_new ();
  g_autoptr (GPtrArray) anns = NULL;
  g_autoptr (GError) error = NULL;
  SlyBox rect = { 40, 60, 99, 119 };
  SlyBox disc;
  GBytes *bytes;
  SlyAnnotation *ann;
  const SlyObject *obj;

  fill_rect (image, rect, white);
  disc = fill_disc (image, 230, 160, 20, white);
  bytes = encode (image, jpeg);

  anns = sly_client_infer_sync (client, &bytes, 1, jpeg ? "image/jpeg" :
      "image/png", settings, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (anns->len, ==, 1);
  ann = anns->pdata[0];
  g_assert_cmpint (ann->width, ==, 320);
  g_assert_cmpint (ann->height, ==, 240);
  g_assert_cmpuint (ann->objects->len, ==, 2);
  obj = find_object (ann, rect);
  assert_box_near (obj, rect);
  g_assert_cmpstr (obj->class_title, ==, "ball");
  g_assert_cmpfloat (obj->confidence, >, 0.95);
  obj = find_object (ann, disc);
  assert_box_near (obj, disc);
  /* a disc fills about pi/4 of its box */
  g_assert_cmpfloat (fabs (obj->confidence - G_PI / 4), <, 0.05);
  g_clear_pointer (&anns, g_ptr_array_unref);

  /* conf between the two drops the disc */
  sly_inference_settings_set_conf (settings, 0.9);
  anns = sly_client_infer_sync (client, &bytes, 1, jpeg ? "image/jpeg" :
      "image/png", settings, NULL, &error);
  g_assert_no_error (error);
  ann = anns->pdata[0];
  g_assert_cmpuint (ann->objects->len, ==, 1);
  assert_box_near (ann->objects->pdata[0], rect);
  g_bytes_unref (bytes);
}

static void
test_infer_png (Fixture * f, gconstpointer data)
{
  check_infer_single (f->client, FALSE);
}

static void
test_infer_jpeg_task (Fixture * f, gconstpointer data)
{
  check_infer_single (f->client, TRUE);
}

/* Several frames in one inference_batch come back in order. */
static void
test_infer_batch (Fixture * f, gconstpointer data)
{
  GBytes *images[3];
  SlyBox boxes[3];
  g_autoptr (GPtrArray) anns = NULL;
  g_autoptr (GError) error = NULL;
  guint i;

  for (i = 0; i < 3; i++) {
    g_autoptr (SlyImage) image = canvas (640, 480);
    SlyBox box = { 50 + 150 * i, 40 + 100 * i, 50 + 150 * i + 40 + 10 * i,
      40 + 100 * i + 30
    };

    boxes[i] = box;
    fill_rect (image, box, white);
    images[i] = encode (image, TRUE);
  }
  anns = sly_client_infer_sync (f->client, images, 3, "image/jpeg", NULL,
      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (anns->len, ==, 3);
  for (i = 0; i < 3; i++) {
    SlyAnnotation *ann = anns->pdata[i];

    g_assert_cmpuint (ann->objects->len, ==, 1);
    assert_box_near (ann->objects->pdata[0], boxes[i]);
    g_bytes_unref (images[i]);
  }
}

typedef struct
{
  SlyBox truth;
  gboolean done;
} Concurrent;

static void
on_concurrent_done (GObject * source, GAsyncResult * res, gpointer data)
{
  Concurrent *c = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = sly_client_infer_finish (SLY_CLIENT (source),
      res, &error);
  SlyAnnotation *ann;

  g_assert_no_error (error);
  ann = anns->pdata[0];
  g_assert_cmpuint (ann->objects->len, ==, 1);
  assert_box_near (ann->objects->pdata[0], c->truth);
  c->done = TRUE;
}

/* Eight requests in flight at once on one client, one context: each answer
 * belongs to its own frame. */
static void
test_infer_concurrent (Fixture * f, gconstpointer data)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  Concurrent c[8];
  guint i, done = 0;

  g_main_context_push_thread_default (context);
  for (i = 0; i < G_N_ELEMENTS (c); i++) {
    g_autoptr (SlyImage) image = canvas (320, 240);
    SlyBox box = { 10 + 30 * i, 5 + 25 * i, 10 + 30 * i + 20, 5 + 25 * i + 12
    };
    GBytes *bytes;

    c[i].truth = box;
    c[i].done = FALSE;
    fill_rect (image, box, white);
    bytes = encode (image, TRUE);
    sly_client_infer_async (f->client, &bytes, 1, "image/jpeg", NULL, 0,
        NULL, on_concurrent_done, &c[i]);
    g_bytes_unref (bytes);
  }
  while (done < G_N_ELEMENTS (c)) {
    g_main_context_iteration (context, TRUE);
    for (done = 0, i = 0; i < G_N_ELEMENTS (c); i++)
      done += c[i].done;
  }
  g_main_context_pop_thread_default (context);
}

/* classes keeps only the listed classes; [] drops everything. */
static void
test_infer_classes (Fixture * f, gconstpointer data)
{
  g_autoptr (SlyImage) image = canvas (200, 100);
  g_autoptr (SlyInferenceSettings) settings = sly_inference_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  const gchar *only_red[] = { "red", NULL };
  const gchar *none[] = { NULL };
  SlyBox red_box = { 10, 10, 49, 39 };
  SlyBox blue_box = { 120, 50, 179, 89 };
  SlyAnnotation *ann;
  GBytes *bytes;

  g_assert_true (sly_client_load (f->client, "color-detector", NULL, NULL,
          NULL, &error));
  g_assert_no_error (error);
  fill_rect (image, red_box, red);
  fill_rect (image, blue_box, blue);
  bytes = encode (image, FALSE);

  anns = sly_client_infer_sync (f->client, &bytes, 1, "image/png", settings,
      NULL, &error);
  g_assert_no_error (error);
  ann = anns->pdata[0];
  g_assert_cmpuint (ann->objects->len, ==, 2);
  g_assert_cmpstr (find_object (ann, red_box)->class_title, ==, "red");
  g_assert_cmpstr (find_object (ann, blue_box)->class_title, ==, "blue");
  g_clear_pointer (&anns, g_ptr_array_unref);

  sly_inference_settings_set_classes (settings, only_red);
  anns = sly_client_infer_sync (f->client, &bytes, 1, "image/png", settings,
      NULL, &error);
  g_assert_no_error (error);
  ann = anns->pdata[0];
  g_assert_cmpuint (ann->objects->len, ==, 1);
  g_assert_cmpstr (((SlyObject *) ann->objects->pdata[0])->class_title, ==,
      "red");
  assert_box_near (ann->objects->pdata[0], red_box);
  g_clear_pointer (&anns, g_ptr_array_unref);

  sly_inference_settings_set_classes (settings, none);
  anns = sly_client_infer_sync (f->client, &bytes, 1, "image/png", settings,
      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((SlyAnnotation *) anns->pdata[0])->objects->len, ==, 0);
  g_bytes_unref (bytes);
}

/* Bytes that are no image: the server's error text reaches the caller. */
static void
test_infer_not_an_image (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = g_bytes_new_static ("not an image at all", 19);

  g_assert_null (sly_client_infer_sync (f->client, &bytes, 1, "image/png",
          NULL, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 400);
  g_assert_nonnull (strstr (error->message, "format"));
  g_bytes_unref (bytes);
}

/* ---- failures ---- */

/* A paused server: the call fails with a timeout in the configured time,
 * and works again once the server resumes. */
static void
test_timeout (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) status = NULL;
  gint64 start = 0;
  guint i;

  g_assert_true (sly_client_is_deployed (f->client, NULL, &error));
  sly_client_set_timeout (f->client, 400);
  sly_test_server_pause (f->server);
  /* GSubprocess sends signals from GLib's worker thread, so the SIGSTOP
   * may land a moment after pause() returned: until it does, the server
   * still answers */
  for (i = 0; i < 40; i++) {
    start = g_get_monotonic_time ();
    status = sly_client_get_status (f->client, NULL, &error);
    if (status == NULL)
      break;
    g_clear_pointer (&status, json_object_unref);
    g_usleep (50 * 1000);
  }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 350 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_clear_error (&error);
  sly_test_server_resume (f->server);
  sly_client_set_timeout (f->client, 10000);
  status = sly_client_get_status (f->client, NULL, &error);
  g_assert_no_error (error);
}

static GBytes *
blob_image (void)
{
  g_autoptr (SlyImage) image = canvas (64, 48);
  SlyBox box = { 10, 10, 29, 24 };

  fill_rect (image, box, white);
  return encode (image, FALSE);
}

/* Injected 500/503 faults: without retries some calls fail, with retries
 * every call succeeds. */
static void
test_retries (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = blob_image ();
  guint i, failures = 0;

  for (i = 0; i < 10; i++) {
    g_autoptr (GPtrArray) anns = sly_client_infer_sync (f->client, &bytes, 1,
        "image/png", NULL, NULL, &error);

    if (anns == NULL) {
      g_assert_true (g_error_matches (error, SLY_HTTP_ERROR, 500)
          || g_error_matches (error, SLY_HTTP_ERROR, 503));
      failures++;
      g_clear_error (&error);
    }
  }
  g_assert_cmpuint (failures, >, 0);

  sly_client_set_retries (f->client, 12, 1);
  for (i = 0; i < 10; i++) {
    g_autoptr (GPtrArray) anns = sly_client_infer_sync (f->client, &bytes, 1,
        "image/png", NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (((SlyAnnotation *) anns->pdata[0])->objects->len, ==, 1);
  }
  g_bytes_unref (bytes);
}

typedef struct
{
  GError *error;
  gboolean done;
} InferWait;

static void
on_infer_done (GObject * source, GAsyncResult * res, gpointer data)
{
  InferWait *wait = data;
  GPtrArray *anns = sly_client_infer_finish (SLY_CLIENT (source), res,
      &wait->error);

  g_assert_null (anns);
  wait->done = TRUE;
}

static gboolean
cancel_now (gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
  return G_SOURCE_REMOVE;
}

/* Cancelling an inference that the server holds for 10 s ends it at once. */
static void
test_cancel (Fixture * f, gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSource) timer = g_timeout_source_new (100);
  InferWait wait = { NULL, FALSE };
  GBytes *bytes = blob_image ();
  gint64 start = g_get_monotonic_time ();

  g_main_context_push_thread_default (context);
  g_source_set_callback (timer, cancel_now, cancellable, NULL);
  g_source_attach (timer, context);
  sly_client_infer_async (f->client, &bytes, 1, "image/png", NULL, 0,
      cancellable, on_infer_done, &wait);
  while (!wait.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_error_free (wait.error);
  g_bytes_unref (bytes);
}

/* A model that is not loaded: is_deployed is FALSE, not an error. */
static void
test_not_deployed (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (sly_client_is_deployed (f->client, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (sly_client_get_deploy_info (f->client, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == SLY_HTTP_ERROR);
  g_clear_error (&error);
  g_assert_true (sly_client_load (f->client, "blob-detector", NULL, NULL,
          NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sly_client_is_deployed (f->client, NULL, &error));
}

/* ---- model info in one fetch (issue #12) ---- */

/* What the reference server says about its default model, checked member
 * by member against the typed calls' own answers. */
static void
check_model_info (SlyClient * client, SlyModelInfo * info, guint max_batch)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) tracking = NULL;
  g_autoptr (JsonObject) deploy = NULL;
  JsonObject *session;
  const gchar *expected[] = { "ball", NULL };

  g_assert_true (info->deployed);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (info->session_info));
  session = json_node_get_object (info->session_info);
  g_assert_true (json_object_has_member (session, "task type"));
  g_assert_cmpuint (info->max_batch_size, ==, max_batch);
  g_assert_cmpstrv (info->classes, expected);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (info->model_meta));
  g_assert_cmpuint (info->project_meta->classes->len, ==, 1);
  g_assert_nonnull (info->settings);
  /* the "botsort" member, not the whole answer */
  g_assert_true (JSON_NODE_HOLDS_OBJECT (info->tracking_settings));
  g_assert_false (json_object_has_member (json_node_get_object
          (info->tracking_settings), "botsort"));
  tracking = sly_client_get_tracking_settings (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (tracking, "track_high_thresh"));
  g_assert_true (json_object_equal (tracking,
          json_node_get_object (info->tracking_settings)));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (info->status));
  g_assert_true (json_object_get_boolean_member (json_node_get_object
          (info->status), "is_deployed"));
  deploy = sly_client_get_deploy_info (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_equal (deploy,
          json_node_get_object (info->deploy_info)));
  g_assert_cmpstr (info->model_name, ==,
      json_object_get_string_member (deploy, "model_name"));
  g_assert_cmpstr (info->model_name, ==,
      json_object_get_string_member (session, "model_name"));
}

static void
on_model_info (GObject * source, GAsyncResult * res, gpointer data)
{
  g_autoptr (GError) error = NULL;

  *(SlyModelInfo **) data = sly_client_fetch_model_info_finish (SLY_CLIENT
      (source), res, &error);
  g_assert_no_error (error);
}

static void
test_model_info (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyModelInfo) info = NULL;
  g_autoptr (SlyModelInfo) async_info = NULL;
  g_autoptr (GMainContext) context = g_main_context_new ();

  info = sly_client_fetch_model_info (f->client, NULL, &error);
  g_assert_no_error (error);
  check_model_info (f->client, info, 4);

  g_main_context_push_thread_default (context);
  sly_client_fetch_model_info_async (f->client, NULL, on_model_info,
      &async_info);
  while (async_info == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  check_model_info (f->client, async_info, 4);
  g_assert_true (sly_model_info_ref (info) == info);
  sly_model_info_unref (info);
}

/* Task mode: is_ready and the settings through tasks.request.direct,
 * session info on /net/<token>. */
static void
test_model_info_task (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyModelInfo) info = NULL;

  info = sly_client_fetch_model_info (f->client, NULL, &error);
  g_assert_no_error (error);
  check_model_info (f->client, info, 0);
}

/* No tracker: tracking_settings is NULL, the rest is there. */
static void
test_model_info_no_tracking (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyModelInfo) info = NULL;

  info = sly_client_fetch_model_info (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (info->tracking_settings);
  g_assert_nonnull (info->session_info);
  g_assert_nonnull (info->classes);
  g_assert_true (info->deployed);
}

/* No model: is_ready answers 503, the fetch fails with the prefix. */
static void
test_model_info_not_deployed (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (sly_client_fetch_model_info (f->client, NULL, &error));
  g_assert_error (error, SLY_HTTP_ERROR, 503);
  g_assert_true (g_str_has_prefix (error->message, "No model is deployed on "
          "the server (set the model property to load one): "));
}

/* ---- async request life cycle ---- */

static void
test_session (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyPredictionSession) session = NULL;
  g_autoptr (JsonNode) state = sly_inference_settings_to_state (NULL, 0);
  g_autoptr (JsonNode) final_result = NULL;
  g_autoptr (GPtrArray) all =
      g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_free);
  GBytes *images[4];
  SlyBox boxes[4];
  gboolean finished = FALSE;
  guint i, polls = 0;

  for (i = 0; i < 4; i++) {
    g_autoptr (SlyImage) image = canvas (160, 120);
    SlyBox box = { 10 + 20 * i, 20, 10 + 20 * i + 15, 20 + 10 + i };

    boxes[i] = box;
    fill_rect (image, box, white);
    images[i] = encode (image, FALSE);
  }
  session = sly_prediction_session_start (f->client, "inference_batch_async",
      images, 4, "image/png", state, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sly_prediction_session_get_uuid (session));
  sly_prediction_session_set_poll_interval (session, 20);
  while (!finished) {
    g_autoptr (GPtrArray) results = sly_prediction_session_next (session,
        &finished, NULL, &error);

    g_assert_no_error (error);
    for (i = 0; i < results->len; i++)
      g_ptr_array_add (all, json_node_copy (results->pdata[i]));
    g_assert_cmpuint (++polls, <, 100);
  }
  g_assert_cmpuint (all->len, ==, 4);
  for (i = 0; i < 4; i++) {
    g_autoptr (SlyAnnotation) ann =
        sly_annotation_from_json_node (all->pdata[i], &error);

    g_assert_no_error (error);
    g_assert_cmpuint (ann->objects->len, ==, 1);
    assert_box_near (ann->objects->pdata[0], boxes[i]);
    g_bytes_unref (images[i]);
  }
  final_result = sly_prediction_session_close (session, &error);
  g_assert_no_error (error);
  g_assert_nonnull (final_result);
}

/* 12 frames of videotestsrc's moving ball, MJPEG in AVI, made by
 * gst-launch-1.0 in a temporary directory. NULL when there is no
 * gst-launch-1.0 or it fails (missing plugins). */
static GBytes *
make_video (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("sly-client-video-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "ball.avi", NULL);
  g_autofree gchar *location = g_strconcat ("location=", path, NULL);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  gchar *data = NULL;
  gsize size = 0;

  if (GST_LAUNCH[0] == '\0')
    return NULL;
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
      G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, GST_LAUNCH, "-q",
      "videotestsrc", "pattern=ball", "num-buffers=12", "!",
      "video/x-raw,width=160,height=120,framerate=10/1", "!", "jpegenc", "!",
      "avimux", "!", "filesink", location, NULL);
  if (proc == NULL || !g_subprocess_wait_check (proc, NULL, &error)
      || !g_file_get_contents (path, &data, &size, NULL)) {
    g_test_message ("cannot make a video: %s",
        error ? error->message : "no file");
    data = NULL;
  }
  g_unlink (path);
  g_rmdir (dir);
  return data ? g_bytes_new_take (data, size) : NULL;
}

/* An uploaded video through a prediction session: results in frame order
 * with frame_index and track ids, then the video annotation. */
static void
test_video_session (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) video = make_video ();
  g_autoptr (SlyPredictionSession) session = NULL;
  g_autoptr (JsonNode) state = json_from_string ("{\"tracker\": \"botsort\","
      " \"stride\": 2, \"endFrameIndex\": 9}", NULL);
  g_autoptr (JsonNode) final_result = NULL;
  g_autoptr (GPtrArray) all =
      g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_free);
  JsonObject *video_ann;
  gboolean finished = FALSE;
  guint i;

  if (video == NULL) {
    g_test_skip ("gst-launch-1.0 with videotestsrc, jpegenc and avimux is "
        "needed to make the clip");
    return;
  }
  session = sly_prediction_session_start (f->client, "inference_video_async",
      &video, 1, "video/x-msvideo", state, NULL, &error);
  g_assert_no_error (error);
  sly_prediction_session_set_poll_interval (session, 20);
  while (!finished) {
    g_autoptr (GPtrArray) results = sly_prediction_session_next (session,
        &finished, NULL, &error);

    g_assert_no_error (error);
    for (i = 0; i < results->len; i++)
      g_ptr_array_add (all, json_node_copy (results->pdata[i]));
  }
  /* frames 0, 2, 4, 6, 8: the end frame is inclusive for uploads */
  g_assert_cmpuint (all->len, ==, 5);
  for (i = 0; i < all->len; i++) {
    JsonObject *item = json_node_get_object (all->pdata[i]);
    g_autoptr (SlyAnnotation) ann =
        sly_annotation_from_json_node (all->pdata[i], &error);

    g_assert_no_error (error);
    g_assert_cmpint (json_object_get_int_member (item, "frame_index"), ==,
        2 * i);
    g_assert_cmpuint (ann->objects->len, ==, 1);
    g_assert_true (ann->has_track_ids);
    g_assert_cmpint (((SlyObject *) ann->objects->pdata[0])->track_id, ==, 1);
  }
  final_result = sly_prediction_session_close (session, &error);
  g_assert_no_error (error);
  video_ann = json_object_get_object_member (json_node_get_object
      (final_result), "video_ann");
  g_assert_nonnull (video_ann);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member
          (video_ann, "frames")), ==, 5);
}

int
main (int argc, char **argv)
{
  static const gchar *const no_args[] = { NULL };
  static const gchar *const slow[] = { "--latency-ms", "10000", NULL };
  static const gchar *const faulty[] = { "--fail-rate", "0.5",
    "--fail-kinds", "500,503", "--seed", "7", NULL
  };
  static const gchar *const no_model[] = { "--no-model", NULL };
  static const gchar *const batch4[] = { "--max-batch-size", "4", NULL };
  static const gchar *const no_tracking[] = { "--no-tracking", NULL };
  static const gchar *const workers[] = { "--workers", "4", "--latency-ms",
    "50", NULL
  };

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The client against sly-model-server on loopback");

#define ADD_URL(path, args, func) g_test_add ("/client/server/" path, \
    Fixture, args, url_setup, func, teardown)
#define ADD_TASK(path, func) g_test_add ("/client/server/" path, \
    Fixture, NULL, task_setup, func, teardown)
  ADD_URL ("url/calls", no_args, test_url_calls);
  ADD_URL ("url/infer-png", no_args, test_infer_png);
  ADD_URL ("url/infer-batch", no_args, test_infer_batch);
  ADD_URL ("url/infer-classes", no_args, test_infer_classes);
  ADD_URL ("url/infer-concurrent", workers, test_infer_concurrent);
  ADD_URL ("url/infer-not-an-image", no_args, test_infer_not_an_image);
  ADD_URL ("url/not-deployed", no_model, test_not_deployed);
  ADD_URL ("url/model-info", batch4, test_model_info);
  ADD_URL ("url/model-info-no-tracking", no_tracking,
      test_model_info_no_tracking);
  ADD_URL ("url/model-info-not-deployed", no_model,
      test_model_info_not_deployed);
  ADD_URL ("url/timeout", no_args, test_timeout);
  ADD_URL ("url/retries", faulty, test_retries);
  ADD_URL ("url/cancel", slow, test_cancel);
  ADD_URL ("url/session", no_args, test_session);
  ADD_URL ("url/video-session", no_args, test_video_session);
  ADD_TASK ("task/calls", test_task_calls);
  ADD_TASK ("task/model-info", test_model_info_task);
  ADD_TASK ("task/wrong-token", test_task_wrong_token);
  ADD_TASK ("task/infer-jpeg", test_infer_jpeg_task);
  ADD_TASK ("task/infer-batch", test_infer_batch);
  ADD_TASK ("task/session", test_session);
#undef ADD_URL
#undef ADD_TASK
  return g_test_run ();
}
