/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer throughput against sly-model-server --latency-ms 20
 * --workers 4 at 640x480 and 1920x1080: element fps with max-inflight 1
 * and 4, their ratio, a plain sequential request loop
 * (sly_client_infer_sync) and the server's capacity with four clients at
 * once (a wrk -c4) on a pre-encoded frame of the same size, for
 * comparison. Prints numbers; asserts nothing about time.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>

#include "slyclient.h"
#include "slyimage.h"
#include "slytestserver.h"

#define N_FRAMES 300

static gdouble
element_fps (const gchar * url, guint max_inflight, gint width, gint height)
{
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc pattern=ball "
      "num-buffers=%u ! video/x-raw,format=I420,width=%d,height=%d,"
      "framerate=30/1 ! slymodelinfer url=%s max-inflight=%u ! "
      "fakesink sync=false", N_FRAMES, width, height, url, max_inflight);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gint64 start;
  gdouble seconds;

  /* preroll first: connection set-up is not part of the rate */
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  gst_element_get_state (pipeline, NULL, NULL, GST_CLOCK_TIME_NONE);
  start = g_get_monotonic_time ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    g_error ("pipeline failed");
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return N_FRAMES / seconds;
}

/* A black @width x @height frame with a bright square, as JPEG. */
static GBytes *
frame_jpeg (gint width, gint height)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *pixels = g_malloc0 ((gsize) width * height * 3);
  SlyImageView view = { SLY_PIXEL_RGB, width, height, {pixels}, {width * 3} };
  GBytes *jpeg;
  gint x, y;

  for (y = height / 2 - 30; y < height / 2 + 30; y++)
    for (x = width / 2 - 30; x < width / 2 + 30; x++)
      memset (pixels + ((gsize) y * width + x) * 3, 255, 3);
  jpeg = sly_jpeg_encode (&view, 85, &error);
  g_assert_nonnull (jpeg);
  return jpeg;
}

typedef struct
{
  const gchar *url;
  GBytes *jpeg;
  guint frames;
} Loop;

/* One client sending its share of frames, one request after the other. */
static gpointer
request_loop (gpointer data)
{
  Loop *loop = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyClient) client = sly_client_new_for_url (loop->url, &error);
  guint i;

  g_assert_nonnull (client);
  for (i = 0; i < loop->frames; i++) {
    g_autoptr (GPtrArray) result = sly_client_infer_sync (client,
        &loop->jpeg, 1, "image/jpeg", NULL, NULL, &error);

    if (result == NULL)
      g_error ("request failed: %s", error->message);
  }
  return NULL;
}

/* What the server answers with @clients clients each sending one
 * pre-encoded frame after the other (wrk -c N): its capacity for that
 * many requests in flight; 1 client is the plain sequential loop. */
static gdouble
server_fps (const gchar * url, guint clients, gint width, gint height)
{
  g_autoptr (GBytes) jpeg = frame_jpeg (width, height);
  GThread *threads[16];
  Loop loop = { url, jpeg, N_FRAMES / clients };
  gint64 start = g_get_monotonic_time ();
  guint i;

  g_assert (clients <= G_N_ELEMENTS (threads));
  for (i = 0; i < clients; i++)
    threads[i] = g_thread_new ("loop", request_loop, &loop);
  for (i = 0; i < clients; i++)
    g_thread_join (threads[i]);
  return loop.frames * clients / ((g_get_monotonic_time () - start) / 1e6);
}

static void
measure (const gchar * url, gint width, gint height)
{
  gdouble seq = server_fps (url, 1, width, height);
  gdouble cap = server_fps (url, 4, width, height);
  gdouble fps1 = element_fps (url, 1, width, height);
  gdouble fps4 = element_fps (url, 4, width, height);

  g_print ("slymodelinfer, %dx%d I420 ball, server --latency-ms 20 "
      "--workers 4, %u frames\n", width, height, N_FRAMES);
  g_print ("sequential infer_sync loop:       %7.1f fps\n", seq);
  g_print ("4 clients at once (capacity):     %7.1f fps\n", cap);
  g_print ("element max-inflight=1:           %7.1f fps\n", fps1);
  g_print ("element max-inflight=4:           %7.1f fps\n", fps4);
  g_print ("ratio inflight 4 / 1:             %7.2f (expected >= 3.5 at "
      "640x480)\n", fps4 / fps1);
  g_print ("ratio inflight 1 / loop:          %7.2f\n", fps1 / seq);
  g_print ("ratio inflight 4 / capacity:      %7.2f\n", fps4 / cap);
}

int
main (int argc, char **argv)
{
  SlyTestServer *server;

  gst_init (&argc, &argv);
  server = sly_test_server_start ("--latency-ms", "20", "--workers", "4", NULL);
  measure (sly_test_server_get_url (server), 640, 480);
  measure (sly_test_server_get_url (server), 1920, 1080);
  sly_test_server_stop (server);
  return 0;
}
