/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The inference workers: --workers N jobs run at once, their images are
 * computed on worker threads while the main loop keeps serving HTTP, and a
 * client that goes away while its job runs does not harm the server.
 *
 * files/bright-rect-4096.png is a 4096x4096 black RGB PNG (49 KB, zlib
 * level 9) with a white rectangle [[1000, 1000], [1299, 1199]]: about
 * 0.2 s of decoding and detection for the server, from a small upload.
 */
#include "servertestutil.h"

#define BIG_PNG_BATCH 4

static GBytes *
square_png (void)
{
  g_autoptr (SlyImage) image = srv_image_new (32, 32);

  srv_fill_rect (image, 4, 4, 11, 11, 255, 255, 255);
  return srv_png (image);
}

static GBytes *
big_png (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) file = g_mapped_file_new (g_test_get_filename
      (G_TEST_DIST, "unit", "server", "files", "bright-rect-4096.png", NULL),
      FALSE, &error);

  g_assert_no_error (error);
  return g_mapped_file_get_bytes (file);
}

/* The wall time of the slowest of @replies, all asserted 200. */
static gdouble
slowest (GPtrArray * replies)
{
  gdouble seconds = 0;
  guint i;

  for (i = 0; i < replies->len; i++) {
    SrvReply *r = replies->pdata[i];

    g_assert_cmpuint (r->status, ==, 200);
    seconds = MAX (seconds, r->seconds);
  }
  return seconds;
}

/* Four concurrent requests with four workers overlap; with one worker they
 * are served one after the other. Only generous bounds are asserted. */
static void
test_parallel (void)
{
  g_autofree gchar *latency = srv_latency_arg (300);
  gdouble seconds = 0.3 * srv_slow_factor ();
  g_autoptr (SlyTestServer) four = sly_test_server_start ("--latency-ms",
      latency, "--workers", "4", NULL);
  g_autoptr (SlyTestServer) one = sly_test_server_start ("--latency-ms",
      latency, "--workers", "1", NULL);
  g_autoptr (GBytes) png = square_png ();
  g_autoptr (GPtrArray) parallel = srv_post_concurrently (four,
      "/inference_image", png, 4);
  g_autoptr (GPtrArray) serial = srv_post_concurrently (one,
      "/inference_image", png, 4);

  g_assert_cmpfloat (slowest (parallel), >=, seconds);
  g_assert_cmpfloat (slowest (parallel), <, 2 * seconds);
  g_assert_cmpfloat (slowest (serial), >=, 4 * seconds);
}

typedef struct
{
  SlyTestServer *server;
  GBytes *png;
  SrvReply *reply;
  gint done;
} BigBatch;

static gpointer
big_batch_thread (gpointer data)
{
  BigBatch *batch = data;
  SrvFile files[BIG_PNG_BATCH];
  guint i;

  for (i = 0; i < BIG_PNG_BATCH; i++) {
    files[i].filename = "big.png";
    files[i].content_type = "image/png";
    files[i].data = batch->png;
  }
  batch->reply = srv_post_files (batch->server, "/inference_batch", files,
      BIG_PNG_BATCH, NULL, NULL);
  g_atomic_int_set (&batch->done, 1);
  return NULL;
}

static void
assert_big_results (SrvReply * reply)
{
  JsonArray *results = srv_reply_array (reply);
  guint i;

  g_assert_cmpuint (json_array_get_length (results), ==, BIG_PNG_BATCH);
  for (i = 0; i < BIG_PNG_BATCH; i++) {
    g_autoptr (SlyAnnotation) ann =
        srv_result_annotation (json_array_get_element (results, i));

    g_assert_cmpuint (ann->objects->len, ==, 1);
    srv_assert_box (g_ptr_array_index (ann->objects, 0), "ball", 1000, 1000,
        1299, 1199, 0);
  }
}

/* While a worker decodes and runs the model on large images, the main loop
 * answers other requests at once: the computation is not on it. (Before
 * the worker threads, a probe waited for the whole decoding of the batch,
 * about half of the batch's time.) */
static void
test_main_loop_free (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--workers", "1",
      NULL);
  g_autoptr (GBytes) png = big_png ();
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree gchar *url = g_strconcat (sly_test_server_get_url (server),
      "/is_ready", NULL);
  BigBatch batch = { server, png, NULL, 0 };
  GThread *thread = g_thread_new ("big-batch", big_batch_thread, &batch);
  gdouble worst = 0;
  guint probes = 0;

  while (!g_atomic_int_get (&batch.done)) {
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = NULL;
    gint64 start = g_get_monotonic_time ();

    body = soup_session_send_and_read (session, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    worst = MAX (worst, (g_get_monotonic_time () - start) / 1e6);
    probes++;
    g_usleep (20000);           /* leave the CPU to the server */
  }
  g_thread_join (thread);

  assert_big_results (batch.reply);
  g_test_message ("%u probes, the slowest %.3f s; batch %.3f s", probes,
      worst, batch.reply->seconds);
  g_assert_cmpuint (probes, >=, 3);
  g_assert_cmpfloat (worst, <, batch.reply->seconds / 4);
  srv_reply_free (batch.reply);
}

typedef struct
{
  GError *error;
  gboolean done;
} Cancelled;

static void
cancelled_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Cancelled *c = user_data;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), res, &c->error);

  c->done = TRUE;
}

static gboolean
cancel_now (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Sends a batch of four images and closes the connection while the server
 * works on it. */
static void
send_and_cancel (SlyTestServer * server, GBytes * png, guint after_ms)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMultipart) mp = soup_multipart_new ("multipart/form-data");
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GSource) timeout = g_timeout_source_new (after_ms);
  g_autofree gchar *url = g_strconcat (sly_test_server_get_url (server),
      "/inference_batch", NULL);
  Cancelled c = { NULL, FALSE };
  guint i;

  g_main_context_push_thread_default (ctx);
  session = soup_session_new ();
  for (i = 0; i < 4; i++)
    soup_multipart_append_form_file (mp, "files", "a.png", "image/png", png);
  msg = soup_message_new_from_multipart (url, mp);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT,
      cancellable, cancelled_done, &c);
  g_source_set_callback (timeout, cancel_now, cancellable, NULL);
  g_source_attach (timeout, ctx);
  while (!c.done)
    g_main_context_iteration (ctx, TRUE);
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&c.error);
  g_clear_object (&session);
  g_main_context_pop_thread_default (ctx);
}

/* Clients that go away while their job is computed or waits for its
 * latency: the server finishes or drops the job and keeps serving. */
static void
test_client_disconnects (void)
{
  g_autofree gchar *latency = srv_latency_arg (150);
  guint f = srv_slow_factor ();
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--latency-ms",
      latency, "--workers", "2", NULL);
  g_autoptr (GBytes) small = square_png ();
  g_autoptr (GBytes) big = big_png ();
  g_autoptr (SrvReply) r = NULL;
  g_autoptr (SlyAnnotation) ann = NULL;

  send_and_cancel (server, small, 200 * f);     /* during a latency */
  send_and_cancel (server, big, 100 * f);       /* during the decoding */
  send_and_cancel (server, big, 1);     /* maybe before it is queued */

  r = srv_post_image (server, "/inference_image", small, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  ann = srv_result_annotation (r->json);
  g_assert_cmpuint (ann->objects->len, ==, 1);
  srv_assert_box (g_ptr_array_index (ann->objects, 0), "ball", 4, 4, 11, 11, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/workers/parallel", test_parallel);
  g_test_add_func ("/server/workers/main-loop-free", test_main_loop_free);
  g_test_add_func ("/server/workers/client-disconnects",
      test_client_disconnects);
  return g_test_run ();
}
