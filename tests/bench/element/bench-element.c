/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer throughput against sly-model-server --latency-ms 20
 * --workers 4 at 640x480: element fps with max-inflight 1 and 4, their
 * ratio, and a plain sequential request loop (sly_client_infer_sync) on the
 * same frame for comparison. Prints numbers; asserts nothing about time.
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
#define CAPS "video/x-raw,format=I420,width=640,height=480,framerate=30/1"

static gdouble
element_fps (const gchar * url, guint max_inflight)
{
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc pattern=ball "
      "num-buffers=%u ! " CAPS " ! slymodelinfer url=%s max-inflight=%u ! "
      "fakesink sync=false", N_FRAMES, url, max_inflight);
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

/* The same 640x480 ball frame sent N_FRAMES times, one after the other. */
static gdouble
sequential_fps (const gchar * url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyClient) client = sly_client_new_for_url (url, &error);
  g_autoptr (GBytes) jpeg = NULL;
  g_autofree guint8 *pixels = g_malloc0 (640 * 480 * 3);
  SlyImageView view = { SLY_PIXEL_RGB, 640, 480, {pixels}, {640 * 3} };
  gint64 start;
  guint i, x, y;

  g_assert_nonnull (client);
  for (y = 200; y < 260; y++)
    for (x = 300; x < 360; x++)
      memset (pixels + (y * 640 + x) * 3, 255, 3);
  jpeg = sly_jpeg_encode (&view, 85, &error);
  g_assert_nonnull (jpeg);

  start = g_get_monotonic_time ();
  for (i = 0; i < N_FRAMES; i++) {
    g_autoptr (GPtrArray) result = sly_client_infer_sync (client, &jpeg, 1,
        "image/jpeg", NULL, NULL, &error);

    if (result == NULL)
      g_error ("request failed: %s", error->message);
  }
  return N_FRAMES / ((g_get_monotonic_time () - start) / 1e6);
}

int
main (int argc, char **argv)
{
  SlyTestServer *server;
  gdouble fps1, fps4, seq;

  gst_init (&argc, &argv);
  server = sly_test_server_start ("--latency-ms", "20", "--workers", "4", NULL);

  seq = sequential_fps (sly_test_server_get_url (server));
  fps1 = element_fps (sly_test_server_get_url (server), 1);
  fps4 = element_fps (sly_test_server_get_url (server), 4);

  g_print ("slymodelinfer, 640x480 I420, server --latency-ms 20 --workers 4, "
      "%u frames\n", N_FRAMES);
  g_print ("sequential infer_sync loop: %7.1f fps\n", seq);
  g_print ("element max-inflight=1:     %7.1f fps\n", fps1);
  g_print ("element max-inflight=4:     %7.1f fps\n", fps4);
  g_print ("ratio inflight 4 / 1:       %7.2f (expected >= 3.5)\n",
      fps4 / fps1);
  g_print ("ratio inflight 1 / loop:    %7.2f\n", fps1 / seq);

  sly_test_server_stop (server);
  return 0;
}
