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

#include <stdlib.h>

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

#define N_CONCURRENT 4

typedef struct
{
  SoupMessage *msg;
  guint status;
  gint64 done_at;               /* monotonic time of the answer, 0 before */
} Exchange;

static void
exchange_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Exchange *x = user_data;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), res, NULL);

  x->status = body ? soup_message_get_status (x->msg) : 0;
  x->done_at = g_get_monotonic_time ();
}

static SoupMessage *
image_message (SlyTestServer * server, GBytes * png)
{
  g_autofree gchar *url = g_strconcat (sly_test_server_get_url (server),
      "/inference_image", NULL);
  g_autoptr (SoupMultipart) mp = soup_multipart_new ("multipart/form-data");

  soup_multipart_append_form_file (mp, "files", "a.png", "image/png", png);
  return soup_message_new_from_multipart (url, mp);
}

static gint
by_time (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Four concurrent requests with four workers overlap; with one worker they
 * are served one after the other. Both servers get their four requests at
 * the same time, so a loaded machine slows both: what is asserted is the
 * order of the answers, not their times. The one-worker server has 3/4 of
 * the latency L of the four-worker one: it answers at 0.75 L, 1.5 L,
 * 2.25 L and 3 L at the earliest. Four workers answer all four requests
 * after about L, before its second answer; with fewer workers one request
 * would wait for another and be answered after 2 L. */
static void
test_parallel (void)
{
  g_autofree gchar *latency = srv_latency_arg (800);
  g_autofree gchar *latency_one = srv_latency_arg (600);
  gint64 latency_us = 800 * srv_slow_factor () * 1000;
  gint64 latency_one_us = 600 * srv_slow_factor () * 1000;
  g_autoptr (SlyTestServer) four = sly_test_server_start ("--latency-ms",
      latency, "--workers", "4", NULL);
  g_autoptr (SlyTestServer) one = sly_test_server_start ("--latency-ms",
      latency_one, "--workers", "1", NULL);
  g_autoptr (GBytes) png = square_png ();
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (SoupSession) session = NULL;
  Exchange parallel[N_CONCURRENT], serial[N_CONCURRENT];
  gint64 parallel_done[N_CONCURRENT], serial_done[N_CONCURRENT];
  gint64 start;
  guint i, pending;

  g_main_context_push_thread_default (ctx);
  session = soup_session_new_with_options ("max-conns", 32,
      "max-conns-per-host", 16, NULL);
  start = g_get_monotonic_time ();
  for (i = 0; i < N_CONCURRENT; i++) {
    parallel[i] = (Exchange) {
    image_message (four, png), 0, 0};
    serial[i] = (Exchange) {
    image_message (one, png), 0, 0};
    soup_session_send_and_read_async (session, parallel[i].msg,
        G_PRIORITY_DEFAULT, NULL, exchange_done, &parallel[i]);
    soup_session_send_and_read_async (session, serial[i].msg,
        G_PRIORITY_DEFAULT, NULL, exchange_done, &serial[i]);
  }
  do {
    g_main_context_iteration (ctx, TRUE);
    for (i = 0, pending = 0; i < N_CONCURRENT; i++)
      pending += (parallel[i].done_at == 0) + (serial[i].done_at == 0);
  } while (pending > 0);
  g_clear_object (&session);
  g_main_context_pop_thread_default (ctx);

  for (i = 0; i < N_CONCURRENT; i++) {
    g_assert_cmpuint (parallel[i].status, ==, 200);
    g_assert_cmpuint (serial[i].status, ==, 200);
    parallel_done[i] = parallel[i].done_at;
    serial_done[i] = serial[i].done_at;
    g_object_unref (parallel[i].msg);
    g_object_unref (serial[i].msg);
  }
  qsort (parallel_done, N_CONCURRENT, sizeof (gint64), by_time);
  qsort (serial_done, N_CONCURRENT, sizeof (gint64), by_time);
  g_test_message ("four workers: last answer after %.3f s; one worker: "
      "answers after %.3f, %.3f, %.3f, %.3f s",
      (parallel_done[N_CONCURRENT - 1] - start) / 1e6,
      (serial_done[0] - start) / 1e6, (serial_done[1] - start) / 1e6,
      (serial_done[2] - start) / 1e6, (serial_done[3] - start) / 1e6);
  /* the latency is a lower bound: one worker takes four of them */
  g_assert_cmpint (parallel_done[0] - start, >=, latency_us);
  g_assert_cmpint (serial_done[N_CONCURRENT - 1] - start, >=,
      N_CONCURRENT * latency_one_us);
  /* four workers: every answer comes before the second one of one worker */
  g_assert_cmpint (parallel_done[N_CONCURRENT - 1], <, serial_done[1]);
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

/* Sends the big batch and probes /is_ready meanwhile; TRUE when the
 * slowest probe took less than a quarter of the batch's time. */
static gboolean
probe_during_batch (SlyTestServer * server, GBytes * png)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree gchar *url = g_strconcat (sly_test_server_get_url (server),
      "/is_ready", NULL);
  BigBatch batch = { server, png, NULL, 0 };
  GThread *thread = g_thread_new ("big-batch", big_batch_thread, &batch);
  gdouble worst = 0;
  guint probes = 0;
  gboolean free;

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
  free = probes >= 3 && worst < batch.reply->seconds / 4;
  srv_reply_free (batch.reply);
  return free;
}

/* While a worker decodes and runs the model on large images, the main loop
 * answers other requests at once: the computation is not on it. (Before
 * the worker threads, a probe waited for the whole decoding of the batch,
 * about half of the batch's time.) A loaded machine can stall one probe
 * once; a main loop that computes stalls a probe in every batch: the
 * batch is tried twice. */
static void
test_main_loop_free (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--workers", "1",
      NULL);
  g_autoptr (GBytes) png = big_png ();

  g_assert_true (probe_during_batch (server, png)
      || probe_during_batch (server, png));
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
 * latency: the server finishes or drops the job and keeps serving. A
 * batch takes at least four latencies (1.2 s), far more than the
 * moments at which the clients give up. */
static void
test_client_disconnects (void)
{
  g_autofree gchar *latency = srv_latency_arg (300);
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
