/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What slymodelinfer costs and how it scales (issue #11), printed as
 * ratios from one run, never asserted (shared machines are noisy):
 *  - CPU per frame of this process for the bare source, the source into
 *    jpegenc, and the source into slymodelinfer with and without
 *    upload-max-size=640: the element's marginal CPU over jpegenc's;
 *  - throughput with one and with two sly-model-server deployments
 *    (--latency-ms 20 --workers 1 each), url listing both.
 *
 * Two sources, one per benchmark (tests/bench/element/meson.build):
 *  bench-scale          videotestsrc: pattern=snow at 1080p (the worst case
 *                       to encode), pattern=ball at 640x480 for throughput;
 *  bench-scale --photo  frames that cost what camera frames cost: a natural
 *                       photo ($SLY_BENCH_PHOTO, default PHOTO below, from
 *                       Debian's lomiri-wallpapers-20.04) scaled to 1.5
 *                       times the frame height and panned under a
 *                       1920x1080 and a 640x480 window, every frame at
 *                       another offset. Without the photo it says so and
 *                       exits 77 (skipped). The blob detector finds
 *                       hundreds of small blobs in a photo; the element
 *                       also runs with the model's min_area raised to
 *                       about 20 objects per frame, to tell the cost of
 *                       reading answers from that of encoding frames.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <sys/resource.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "gstslypredictionmeta.h"
#include "slytestserver.h"

#define N_FRAMES 120
#define HD "video/x-raw,format=I420,width=1920,height=1080,framerate=30/1"
#define VGA "video/x-raw,format=I420,width=640,height=480,framerate=30/1"
/* a photograph (a nuthatch on a tree trunk, 6028x3391, CC-BY-SA-3.0):
 * sharp bark on one side, an out-of-focus park on the other */
#define PHOTO "/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg"
#define PHOTO_PACKAGE "lomiri-wallpapers-20.04"
#define EXIT_SKIP 77

/* the frames of one run: videotestsrc, or windows of a scaled photo */
typedef struct
{
  const gchar *pattern;         /* videotestsrc pattern, NULL: the photo */
  GstVideoFrame pano;           /* the photo scaled, I420, mapped */
  GstVideoInfo info;            /* the frames */
  guint range_x, range_y;       /* largest window offsets */
  GstBufferPool *pool;
  guint index;
} Source;

typedef struct
{
  gdouble cpu_ms_per_frame;
  gdouble fps;
  gdouble kbytes_per_frame;     /* what reached the sink */
  gdouble objects_per_frame;    /* predictions of slymodelinfer */
} Run;

typedef struct
{
  guint64 frames, bytes, objects;
} Counts;

static gdouble
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
      ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---- the panned photo ---- */

/* Window offset of frame @i: back and forth over 0..@range in 2 * @period
 * frames, even (I420 chroma), never the same in two frames in a row. */
static guint
pan_offset (guint i, guint range, guint period)
{
  guint phase = i % (2 * period);
  guint t = phase <= period ? phase : 2 * period - phase;

  return (guint) ((guint64) range * t / period) & ~1u;
}

#define PERIOD_X 60
#define PERIOD_Y 45
/* the same objects at both sizes: area scaled by (480 / 1080)^2 */
#define MIN_AREA_HD 1000
#define MIN_AREA_VGA 200

/* The photo at @path decoded and scaled to @height rows (its own aspect
 * ratio), I420, into @src->pano. FALSE when it cannot be decoded. */
static gboolean
load_photo (Source * src, const gchar * path, gint height)
{
  g_autofree gchar *desc = g_strdup_printf ("filesrc name=file ! decodebin ! "
      "videoconvert ! videoscale ! video/x-raw,format=I420,height=%d,"
      "pixel-aspect-ratio=1/1 ! appsink name=sink", height);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *file = gst_bin_get_by_name (GST_BIN (pipeline), "file");
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstSample *sample = NULL;
  GstVideoInfo info;
  gboolean ok = FALSE;

  g_object_set (file, "location", path, NULL);
  if (gst_element_set_state (pipeline, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE &&
      gst_element_get_state (pipeline, NULL, NULL, GST_CLOCK_TIME_NONE) ==
      GST_STATE_CHANGE_SUCCESS)
    g_signal_emit_by_name (sink, "pull-preroll", &sample);
  if (sample && gst_video_info_from_caps (&info, gst_sample_get_caps (sample)))
    ok = gst_video_frame_map (&src->pano, &info, gst_sample_get_buffer (sample), GST_MAP_READ); /* the frame holds a ref on the buffer */
  if (sample)
    gst_sample_unref (sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (file);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return ok;
}

/* @src->pano and @caps: the window's offsets and a pool for the frames */
static void
photo_source_init (Source * src, const gchar * caps_str)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string (caps_str);
  GstStructure *config;

  gst_video_info_from_caps (&src->info, caps);
  if (GST_VIDEO_FRAME_WIDTH (&src->pano) < GST_VIDEO_INFO_WIDTH (&src->info)
      || GST_VIDEO_FRAME_HEIGHT (&src->pano) <
      GST_VIDEO_INFO_HEIGHT (&src->info))
    g_error ("the photo scaled to %dx%d is narrower than the %dx%d frames: "
        "take a landscape photo", GST_VIDEO_FRAME_WIDTH (&src->pano),
        GST_VIDEO_FRAME_HEIGHT (&src->pano), GST_VIDEO_INFO_WIDTH (&src->info),
        GST_VIDEO_INFO_HEIGHT (&src->info));
  src->range_x = GST_VIDEO_FRAME_WIDTH (&src->pano) -
      GST_VIDEO_INFO_WIDTH (&src->info);
  src->range_y = GST_VIDEO_FRAME_HEIGHT (&src->pano) -
      GST_VIDEO_INFO_HEIGHT (&src->info);
  /* recycled buffers, as videotestsrc's and a camera's */
  src->pool = gst_video_buffer_pool_new ();
  config = gst_buffer_pool_get_config (src->pool);
  gst_buffer_pool_config_set_params (config, caps,
      GST_VIDEO_INFO_SIZE (&src->info), 4, 0);
  if (!gst_buffer_pool_set_config (src->pool, config) ||
      !gst_buffer_pool_set_active (src->pool, TRUE))
    g_error ("cannot set up a buffer pool for %s", caps_str);
}

static void
photo_source_clear (Source * src)
{
  gst_buffer_pool_set_active (src->pool, FALSE);
  gst_clear_object (&src->pool);
  gst_video_frame_unmap (&src->pano);
}

/* appsrc's streaming thread: the window of frame src->index, copied out of
 * the photo plane by plane (the source's cost, like videotestsrc's) */
static void
on_need_data (GstElement * appsrc, guint length, Source * src)
{
  GstFlowReturn ret;
  GstBuffer *buf = NULL;
  GstVideoFrame out;
  guint x, y;

  if (src->index >= N_FRAMES) {
    g_signal_emit_by_name (appsrc, "end-of-stream", &ret);
    return;
  }
  x = pan_offset (src->index, src->range_x, PERIOD_X);
  y = pan_offset (src->index, src->range_y, PERIOD_Y);
  if (gst_buffer_pool_acquire_buffer (src->pool, &buf, NULL) != GST_FLOW_OK ||
      !gst_video_frame_map (&out, &src->info, buf, GST_MAP_WRITE))
    g_error ("cannot get a frame from the pool");
  for (guint c = 0; c < 3; c++) {
    guint shift = c == 0 ? 0 : 1;       /* I420: chroma halved both ways */
    guint w = GST_VIDEO_FRAME_COMP_WIDTH (&out, c);
    guint h = GST_VIDEO_FRAME_COMP_HEIGHT (&out, c);
    gint in_stride = GST_VIDEO_FRAME_COMP_STRIDE (&src->pano, c);
    gint out_stride = GST_VIDEO_FRAME_COMP_STRIDE (&out, c);
    const guint8 *in = GST_VIDEO_FRAME_COMP_DATA (&src->pano, c);
    guint8 *dst = GST_VIDEO_FRAME_COMP_DATA (&out, c);

    in += (gsize) (y >> shift) * in_stride + (x >> shift);
    for (guint row = 0; row < h; row++)
      memcpy (dst + (gsize) row * out_stride, in + (gsize) row * in_stride, w);
  }
  gst_video_frame_unmap (&out);
  GST_BUFFER_PTS (buf) = gst_util_uint64_scale (src->index,
      GST_VIDEO_INFO_FPS_D (&src->info) * GST_SECOND,
      GST_VIDEO_INFO_FPS_N (&src->info));
  GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (GST_SECOND,
      GST_VIDEO_INFO_FPS_D (&src->info), GST_VIDEO_INFO_FPS_N (&src->info));
  src->index++;
  g_signal_emit_by_name (appsrc, "push-buffer", buf, &ret);
  gst_buffer_unref (buf);
}

/* ---- one run ---- */

static GstPadProbeReturn
count_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Counts *counts = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstSlyPredictionMeta *meta = gst_buffer_get_sly_prediction_meta (buf);

  counts->frames++;
  counts->bytes += gst_buffer_get_size (buf);
  if (meta)
    counts->objects += gst_sly_prediction_meta_get_n_objects (meta);
  return GST_PAD_PROBE_OK;
}

/* Runs "<source> ! @caps ! @middle ! fakesink" for N_FRAMES. */
static Run
run (Source * src, const gchar * caps, const gchar * middle)
{
  g_autofree gchar *head = src->pattern ?
      g_strdup_printf ("videotestsrc pattern=%s num-buffers=%u", src->pattern,
      N_FRAMES) : g_strdup ("appsrc name=src format=time");
  g_autofree gchar *desc = g_strdup_printf ("%s ! %s ! %s%sfakesink "
      "name=sink sync=false", head, caps, middle ? middle : "",
      middle ? " ! " : "");
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  Counts counts = { 0 };
  GstMessage *msg;
  gdouble cpu;
  gint64 start;
  Run r;

  if (src->pattern == NULL) {
    GstElement *appsrc = gst_bin_get_by_name (GST_BIN (pipeline), "src");
    g_autoptr (GstCaps) c = gst_caps_from_string (caps);

    src->index = 0;
    g_object_set (appsrc, "caps", c, NULL);
    g_signal_connect (appsrc, "need-data", G_CALLBACK (on_need_data), src);
    gst_object_unref (appsrc);
  }
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &counts,
      NULL);

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
  if (counts.frames != N_FRAMES)
    g_error ("%" G_GUINT64_FORMAT " frames of %u reached the sink: %s",
        counts.frames, N_FRAMES, desc);
  r.kbytes_per_frame = counts.bytes / 1024.0 / N_FRAMES;
  r.objects_per_frame = (gdouble) counts.objects / N_FRAMES;
  gst_object_unref (pad);
  gst_object_unref (sink);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return r;
}

/* ---- what is printed ---- */

/* The blob detector's min_area setting for the element: fewer, larger
 * objects (a natural photo gives hundreds of small bright blobs) */
static gchar *
min_area_setting (guint min_area)
{
  return g_strdup_printf (" settings=\"{\\\"min_area\\\": %u}\"", min_area);
}

/* bare source, jpegenc, slymodelinfer on both servers (and with
 * upload-max-size=640 when @scaled, with the model's min_area at @min_area
 * when not 0): CPU per frame and the ratios */
static void
encode_cost (const gchar * title, Source * src, const gchar * caps,
    const gchar * urls, gboolean scaled, guint min_area)
{
  g_autofree gchar *full = g_strdup_printf ("slymodelinfer url=%s "
      "max-inflight=4", urls);
  g_autofree gchar *small = g_strdup_printf ("%s upload-max-size=640", full);
  g_autofree gchar *setting = min_area_setting (min_area);
  g_autofree gchar *few = g_strconcat (full, setting, NULL);
  Run bare, jpeg, element, down = { 0 }, fewer = { 0 };

  bare = run (src, caps, NULL);
  jpeg = run (src, caps, "jpegenc quality=85");
  element = run (src, caps, full);
  if (scaled)
    down = run (src, caps, small);
  if (min_area)
    fewer = run (src, caps, few);

  g_print ("%s, %u frames, CPU of this process per frame (the servers are "
      "other processes)\n", title, N_FRAMES);
  g_print ("bare source:                     %7.2f ms\n",
      bare.cpu_ms_per_frame);
  g_print ("jpegenc:                         %7.2f ms (%.0f KiB per frame)\n",
      jpeg.cpu_ms_per_frame, jpeg.kbytes_per_frame);
  g_print ("slymodelinfer:                   %7.2f ms (%5.1f fps, %.1f "
      "objects per frame)\n", element.cpu_ms_per_frame, element.fps,
      element.objects_per_frame);
  if (scaled)
    g_print ("slymodelinfer upload-max-size=640: %5.2f ms (%5.1f fps)\n",
        down.cpu_ms_per_frame, down.fps);
  if (min_area) {
    g_autofree gchar *label = g_strdup_printf ("slymodelinfer min_area=%u:",
        min_area);

    g_print ("%-33s%7.2f ms (%5.1f fps, %.1f objects per frame)\n", label,
        fewer.cpu_ms_per_frame, fewer.fps, fewer.objects_per_frame);
  }
  g_print ("element / jpegenc over the bare source: %5.2f (goal <= 1.3)\n",
      (element.cpu_ms_per_frame - bare.cpu_ms_per_frame) /
      (jpeg.cpu_ms_per_frame - bare.cpu_ms_per_frame));
  if (scaled)
    g_print ("upload-max-size=640 / jpegenc over the bare source: %5.2f\n",
        (down.cpu_ms_per_frame - bare.cpu_ms_per_frame) /
        (jpeg.cpu_ms_per_frame - bare.cpu_ms_per_frame));
  if (min_area)
    g_print ("min_area=%u / jpegenc over the bare source: %5.2f\n", min_area,
        (fewer.cpu_ms_per_frame - bare.cpu_ms_per_frame) /
        (jpeg.cpu_ms_per_frame - bare.cpu_ms_per_frame));
}

/* 640x480 at max-inflight 4 on server A, then on A and B (with the
 * model's min_area at @min_area when not 0) */
static void
two_servers (const gchar * title, Source * src, SlyTestServer * a,
    SlyTestServer * b, guint min_area)
{
  g_autofree gchar *setting = min_area ? min_area_setting (min_area) :
      g_strdup ("");
  g_autofree gchar *one = g_strdup_printf ("slymodelinfer url=%s "
      "max-inflight=4%s", sly_test_server_get_url (a), setting);
  g_autofree gchar *both = g_strdup_printf ("slymodelinfer url=%s,%s "
      "max-inflight=4%s", sly_test_server_get_url (a),
      sly_test_server_get_url (b), setting);
  Run fps1 = run (src, VGA, one);
  Run fps2 = run (src, VGA, both);

  g_print ("%s, servers --latency-ms 20 --workers 1: one %5.1f fps, two "
      "%5.1f fps, ratio %4.2f (goal >= 1.8)\n", title, fps1.fps, fps2.fps,
      fps2.fps / fps1.fps);
}

static void
bench_photo (const gchar * path, const gchar * urls, SlyTestServer * a,
    SlyTestServer * b)
{
  Source hd = { NULL }, vga = { NULL };
  g_autofree gchar *title = NULL;

  if (!load_photo (&hd, path, 1080 * 3 / 2) ||
      !load_photo (&vga, path, 480 * 3 / 2))
    g_error ("%s: cannot decode the photo", path);
  photo_source_init (&hd, HD);
  photo_source_init (&vga, VGA);

  g_print ("natural photo %s, panned: each frame a window of it at another "
      "offset (%u frames across and back in x, %u in y)\n", path,
      PERIOD_X, PERIOD_Y);
  /* min_area: about 20 objects per frame, a camera detector's count */
  title = g_strdup_printf ("1080p I420, photo scaled to %dx%d",
      GST_VIDEO_FRAME_WIDTH (&hd.pano), GST_VIDEO_FRAME_HEIGHT (&hd.pano));
  encode_cost (title, &hd, HD, urls, TRUE, MIN_AREA_HD);
  g_free (title);
  title = g_strdup_printf ("640x480 I420, photo scaled to %dx%d",
      GST_VIDEO_FRAME_WIDTH (&vga.pano), GST_VIDEO_FRAME_HEIGHT (&vga.pano));
  encode_cost (title, &vga, VGA, urls, FALSE, MIN_AREA_VGA);
  two_servers ("640x480 photo, min_area=" G_STRINGIFY (MIN_AREA_VGA), &vga, a,
      b, MIN_AREA_VGA);

  photo_source_clear (&hd);
  photo_source_clear (&vga);
}

int
main (int argc, char **argv)
{
  SlyTestServer *a, *b;
  g_autofree gchar *urls = NULL;
  gboolean photo = argc > 1 && g_str_equal (argv[1], "--photo");
  const gchar *path = g_getenv ("SLY_BENCH_PHOTO");

  gst_init (&argc, &argv);
  if (argc > 1 && !photo) {
    g_printerr ("usage: %s [--photo]\n", argv[0]);
    return 2;
  }
  if (path == NULL || !path[0])
    path = PHOTO;
  if (photo && !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_print ("SKIP: no natural photo at %s (Debian package %s: "
        "scripts/install-deps.sh --bench installs it; or set "
        "SLY_BENCH_PHOTO to a landscape JPEG)\n", path, PHOTO_PACKAGE);
    return EXIT_SKIP;
  }
  a = sly_test_server_start ("--latency-ms", "20", "--workers", "1", NULL);
  b = sly_test_server_start ("--latency-ms", "20", "--workers", "1", NULL);
  urls = g_strdup_printf ("%s,%s", sly_test_server_get_url (a),
      sly_test_server_get_url (b));

  if (photo) {
    bench_photo (path, urls, a, b);
  } else {
    Source snow = {.pattern = "snow" }, ball = {.pattern = "ball" };

    encode_cost ("1080p I420 pattern=snow", &snow, HD, urls, TRUE, 0);
    two_servers ("640x480 ball", &ball, a, b, 0);
  }

  sly_test_server_stop (a);
  sly_test_server_stop (b);
  return 0;
}
