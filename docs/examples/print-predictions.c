/* print-predictions: read the predictions slymodelinfer attaches to frames
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs
 *   videotestsrc pattern=ball ! videoconvert ! slymodelinfer url=URL ! appsink
 * and prints, for each of the first N frames, every predicted object with its
 * class, confidence, bounding box and track id, read from the buffer's
 * GstSlyPredictionMeta.
 *
 * Build: cc print-predictions.c $(pkg-config --cflags --libs
 *   gstreamer-sly-meta-1.0) -o print-predictions
 * Usage: print-predictions URL [N]   (N defaults to 10)
 */

#include <stdlib.h>

#include <gst/gst.h>
#include <gstslypredictionmeta.h>

static void
print_frame (guint index, GstBuffer * buf)
{
  GstSlyPredictionMeta *meta = gst_buffer_get_sly_prediction_meta (buf);
  GList *objects, *l;
  GstClockTime rtt;
  guint n;

  if (!meta) {
    g_print ("frame %u pts %" GST_TIME_FORMAT ": no predictions\n", index,
        GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
    return;
  }

  n = gst_sly_prediction_meta_get_n_objects (meta);
  rtt = gst_sly_prediction_meta_get_round_trip (meta);
  g_print ("frame %u pts %" GST_TIME_FORMAT ": %s, model %s, round trip ",
      index, GST_TIME_ARGS (GST_BUFFER_PTS (buf)),
      gst_sly_frame_status_get_nick (gst_sly_prediction_meta_get_status
          (meta)), GST_STR_NULL (gst_sly_prediction_meta_get_model_name
          (meta)));
  if (GST_CLOCK_TIME_IS_VALID (rtt))
    g_print ("%.1f ms", (gdouble) rtt / GST_MSECOND);
  else
    g_print ("-");
  g_print (", %u objects\n", n);

  /* a list of GstSlyObject, each holding a reference */
  objects = gst_sly_prediction_meta_get_objects (meta);
  for (l = objects; l; l = l->next) {
    GstSlyObject *obj = l->data;
    gint64 track_id = gst_sly_object_get_track_id (obj);
    gint x, y, w, h;

    gst_sly_object_get_box (obj, &x, &y, &w, &h);
    g_print ("  %s %.3f box %d,%d %dx%d track ",
        gst_sly_object_get_class_title (obj),
        gst_sly_object_get_confidence (obj), x, y, w, h);
    if (track_id != 0)
      g_print ("%" G_GINT64_FORMAT "\n", track_id);
    else
      g_print ("-\n");
  }
  g_list_free_full (objects, (GDestroyNotify) gst_sly_object_unref);
}

/* Returns TRUE when the pipeline posted no error. */
static gboolean
report_errors (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gboolean ok = TRUE;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
    GError *error = NULL;
    gchar *debug = NULL;

    gst_message_parse_error (msg, &error, &debug);
    g_printerr ("error from %s: %s\n%s\n", GST_OBJECT_NAME (msg->src),
        error->message, GST_STR_NULL (debug));
    g_clear_error (&error);
    g_free (debug);
    gst_message_unref (msg);
    ok = FALSE;
  }
  gst_object_unref (bus);
  return ok;
}

int
main (int argc, char **argv)
{
  GstElement *pipeline, *sink;
  GError *error = NULL;
  gchar *desc;
  guint n_frames = 10, frames = 0;
  gboolean ok;

  gst_init (&argc, &argv);
  if (argc < 2 || argc > 3 || (argc == 3 && atoi (argv[2]) <= 0)) {
    g_printerr ("usage: %s URL [N]\n", argv[0]);
    return 2;
  }
  if (argc == 3)
    n_frames = atoi (argv[2]);

  desc = g_strdup_printf ("videotestsrc pattern=ball num-buffers=%u ! "
      "videoconvert ! slymodelinfer url=\"%s\" ! appsink name=sink "
      "sync=false", n_frames, argv[1]);
  pipeline = gst_parse_launch (desc, &error);
  g_free (desc);
  if (!pipeline) {
    g_printerr ("could not build the pipeline: %s\n", error->message);
    g_clear_error (&error);
    return 1;
  }

  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;) {
    GstSample *sample = NULL;

    /* NULL at EOS or on error */
    g_signal_emit_by_name (sink, "pull-sample", &sample);
    if (!sample)
      break;
    print_frame (frames++, gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  }

  ok = report_errors (pipeline);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  if (ok && frames != n_frames) {
    g_printerr ("got %u frames of %u\n", frames, n_frames);
    ok = FALSE;
  }
  return ok ? 0 : 1;
}
