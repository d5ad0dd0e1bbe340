/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Frames per second of a plain sequential request loop: one
 * sly_client_infer_sync() per 640x480 JPEG frame against sly-model-server
 * with 20 ms of emulated inference. The bound is 1000 / 20 = 50 frames/s;
 * what is missing is the client's and the server's own overhead (upload,
 * decode, JSON). Prints numbers, asserts only that every frame succeeded.
 *
 * Options: bench-client [FRAMES] (default 100).
 */
#include "slyclient.h"
#include "slyimage.h"
#include "slytestserver.h"

#include <stdlib.h>
#include <string.h>

#define WIDTH 640
#define HEIGHT 480
#define LATENCY_MS 20

static GBytes *
make_frame (void)
{
  g_autoptr (SlyImage) image = sly_image_new (WIDTH, HEIGHT, 3);
  g_autoptr (GError) error = NULL;
  SlyImageView view;
  GBytes *jpeg;
  gint x, y;

  /* a grey gradient with one bright square: realistic JPEG size */
  for (y = 0; y < HEIGHT; y++)
    for (x = 0; x < WIDTH; x++) {
      guint8 *p = image->data + (gsize) y * image->stride + x * 3;
      gboolean blob = x >= 200 && x < 280 && y >= 150 && y < 230;

      p[0] = p[1] = p[2] = blob ? 250 : (guint8) ((x + y) % 100);
    }
  sly_image_get_view (image, &view);
  jpeg = sly_jpeg_encode (&view, 85, &error);
  g_assert_no_error (error);
  return jpeg;
}

/* Runs @frames requests of @batch images each; returns frames/s. */
static gdouble
run (SlyClient * client, GBytes * frame, guint frames, guint batch,
    gdouble * mean_ms)
{
  g_autofree GBytes **images = g_new (GBytes *, batch);
  gint64 start, elapsed;
  guint i, done = 0;

  for (i = 0; i < batch; i++)
    images[i] = frame;
  start = g_get_monotonic_time ();
  while (done < frames) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) anns = sly_client_infer_sync (client, images, batch,
        "image/jpeg", NULL, NULL, &error);

    if (anns == NULL)
      g_error ("inference failed: %s", error->message);
    g_assert_cmpuint (((SlyAnnotation *) anns->pdata[0])->objects->len, ==, 1);
    done += batch;
  }
  elapsed = g_get_monotonic_time () - start;
  *mean_ms = elapsed / 1000.0 / (frames / batch);
  return done / (elapsed / (gdouble) G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  guint frames = argc > 1 ? (guint) atoi (argv[1]) : 100;
  g_autoptr (GBytes) frame = make_frame ();
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyClient) client = NULL;
  SlyTestServer *server;
  gdouble fps, mean_ms, warm_ms;

  server = sly_test_server_start ("--latency-ms", G_STRINGIFY (LATENCY_MS),
      "--workers", "4", NULL);
  client = sly_client_new_for_url (sly_test_server_get_url (server), &error);
  g_assert_no_error (error);

  /* the first request opens the connection */
  run (client, frame, 1, 1, &warm_ms);

  g_print ("frame: %dx%d JPEG, %" G_GSIZE_FORMAT " bytes; server latency "
      "%d ms per image\n", WIDTH, HEIGHT, g_bytes_get_size (frame), LATENCY_MS);
  fps = run (client, frame, frames, 1, &mean_ms);
  g_print ("sequential inference_image: %u frames, %.1f frames/s, "
      "%.1f ms per request, %.1f ms overhead over the %d ms latency "
      "(bound %.1f frames/s)\n", frames, fps, mean_ms, mean_ms - LATENCY_MS,
      LATENCY_MS, 1000.0 / LATENCY_MS);
  fps = run (client, frame, frames, 4, &mean_ms);
  g_print ("sequential inference_batch of 4: %u frames, %.1f frames/s, "
      "%.1f ms per request\n", frames, fps, mean_ms);

  g_clear_object (&client);
  sly_test_server_stop (server);
  return 0;
}
