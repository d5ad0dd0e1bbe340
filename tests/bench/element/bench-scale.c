/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What slymodelinfer costs and how it scales (issue #11), printed as
 * ratios from one run, never asserted (shared machines are noisy):
 *  - CPU per frame of this process at 1080p, pattern=snow (the worst case
 *    to encode), for the bare source, the source into jpegenc, and the
 *    source into slymodelinfer with and without upload-max-size=640: the
 *    element's marginal CPU over jpegenc's;
 *  - throughput with one and with two sly-model-server deployments
 *    (--latency-ms 20 --workers 1 each), url listing both.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/resource.h>
#include <gst/gst.h>

#include "slytestserver.h"

#define N_FRAMES 120
#define HD "video/x-raw,format=I420,width=1920,height=1080,framerate=30/1"
#define VGA "video/x-raw,format=I420,width=640,height=480,framerate=30/1"

typedef struct
{
  gdouble cpu_ms_per_frame;
  gdouble fps;
} Run;

static gdouble
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
      ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Runs "videotestsrc ... ! @caps ! @middle ! fakesink" for N_FRAMES. */
static Run
run (const gchar * pattern, const gchar * caps, const gchar * middle)
{
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc pattern=%s "
      "num-buffers=%u ! %s ! %s%sfakesink sync=false", pattern, N_FRAMES, caps,
      middle ? middle : "", middle ? " ! " : "");
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gdouble cpu;
  gint64 start;
  Run r;

  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  gst_element_get_state (pipeline, NULL, NULL, GST_CLOCK_TIME_NONE);
  cpu = cpu_seconds ();
  start = g_get_monotonic_time ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    g_error ("pipeline failed: %s", desc);
  r.fps = N_FRAMES / ((g_get_monotonic_time () - start) / 1e6);
  r.cpu_ms_per_frame = (cpu_seconds () - cpu) * 1000 / N_FRAMES;
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return r;
}

int
main (int argc, char **argv)
{
  SlyTestServer *a, *b;
  g_autofree gchar *one = NULL, *both = NULL, *full = NULL, *small = NULL;
  Run bare, jpeg, element, scaled, fps1, fps2;

  gst_init (&argc, &argv);
  a = sly_test_server_start ("--latency-ms", "20", "--workers", "1", NULL);
  b = sly_test_server_start ("--latency-ms", "20", "--workers", "1", NULL);

  full = g_strdup_printf ("slymodelinfer url=%s,%s max-inflight=4",
      sly_test_server_get_url (a), sly_test_server_get_url (b));
  small = g_strdup_printf ("%s upload-max-size=640", full);
  bare = run ("snow", HD, NULL);
  jpeg = run ("snow", HD, "jpegenc quality=85");
  element = run ("snow", HD, full);
  scaled = run ("snow", HD, small);

  one = g_strdup_printf ("slymodelinfer url=%s max-inflight=4",
      sly_test_server_get_url (a));
  both = g_strdup_printf ("slymodelinfer url=%s,%s max-inflight=4",
      sly_test_server_get_url (a), sly_test_server_get_url (b));
  fps1 = run ("ball", VGA, one);
  fps2 = run ("ball", VGA, both);

  g_print ("1080p I420 pattern=snow, %u frames, CPU of this process per "
      "frame (the servers are other processes)\n", N_FRAMES);
  g_print ("bare source:                     %7.2f ms\n",
      bare.cpu_ms_per_frame);
  g_print ("jpegenc:                         %7.2f ms\n",
      jpeg.cpu_ms_per_frame);
  g_print ("slymodelinfer:                   %7.2f ms (%5.1f fps)\n",
      element.cpu_ms_per_frame, element.fps);
  g_print ("slymodelinfer upload-max-size=640: %5.2f ms (%5.1f fps)\n",
      scaled.cpu_ms_per_frame, scaled.fps);
  g_print ("element / jpegenc over the bare source: %5.2f (goal <= 1.3)\n",
      (element.cpu_ms_per_frame - bare.cpu_ms_per_frame) /
      (jpeg.cpu_ms_per_frame - bare.cpu_ms_per_frame));
  g_print ("upload-max-size=640 / jpegenc over the bare source: %5.2f\n",
      (scaled.cpu_ms_per_frame - bare.cpu_ms_per_frame) /
      (jpeg.cpu_ms_per_frame - bare.cpu_ms_per_frame));
  g_print ("640x480, servers --latency-ms 20 --workers 1: one %5.1f fps, "
      "two %5.1f fps, ratio %4.2f (goal >= 1.8)\n", fps1.fps, fps2.fps,
      fps2.fps / fps1.fps);

  sly_test_server_stop (a);
  sly_test_server_stop (b);
  return 0;
}
