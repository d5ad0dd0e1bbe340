/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decoding of uploaded videos with GStreamer, in a thread so the server's
 * main loop keeps answering: giostreamsrc (the upload in memory) ! decodebin
 * ! videoconvert ! RGB appsink. Only the frames the request selects are kept.
 */
#include "slyserver-video.h"

#include <string.h>

#include <gst/gst.h>
#include <gst/video/video.h>

#include "slyerror.h"
#include "slyimage.h"

#define PULL_TIMEOUT (100 * GST_MSECOND)

struct _SlyVideoDecode
{
  GThread *thread;
  GBytes *video;
  JsonObject *state;
  gsize max_bytes;
  gint cancelled;               /* atomic */
  gint idle_queued;             /* atomic */
  SlyVideoDoneFunc done;
  gpointer user_data;

  /* selection (protocol.md 3.16, upload path) */
  gint64 start;
  gint64 step;
  gint64 count;                 /* frames of the range; -1 = to the end */
  gdouble duration;             /* seconds; < 0 = not given */
  gint direction;               /* +1 or -1 */

  /* results, handed to the main context */
  GPtrArray *frames;
  GArray *indices;
  gint width;
  gint height;
  gint64 frames_count;
  GError *error;
};

static gboolean
state_int (JsonObject * state, const gchar * name, gint64 * value,
    GError ** error)
{
  JsonNode *node;

  if (!json_object_has_member (state, name))
    return TRUE;
  node = json_object_get_member (state, name);
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "state.%s must be an integer", name);
    return FALSE;
  }
  *value = json_node_get_int (node);
  return TRUE;
}

static gboolean
parse_selection (SlyVideoDecode * d, GError ** error)
{
  JsonObject *s = d->state;
  gint64 end = -1, stride = -1;
  JsonNode *node;

  d->start = 0;
  d->step = 1;
  d->count = -1;
  d->duration = -1;
  d->direction = 1;
  if (!state_int (s, "startFrameIndex", &d->start, error)
      || !state_int (s, "stride", &stride, error)
      || !state_int (s, "step", &d->step, error)
      || !state_int (s, "framesCount", &d->count, error)
      || !state_int (s, "endFrameIndex", &end, error))
    return FALSE;
  if (stride > 0)
    d->step = stride;
  if (d->start < 0 || d->step < 1) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "startFrameIndex must be >= 0 and stride/step >= 1");
    return FALSE;
  }
  if (d->count < 0 && end >= 0)
    d->count = end - d->start + 1;      /* inclusive for uploads */
  node = json_object_has_member (s, "duration") ?
      json_object_get_member (s, "duration") : NULL;
  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) != G_TYPE_STRING)
    d->duration = json_node_get_double (node);
  node = json_object_has_member (s, "direction") ?
      json_object_get_member (s, "direction") : NULL;
  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING
      && g_strcmp0 (json_node_get_string (node), "forward") != 0)
    d->direction = -1;
  return TRUE;
}

/* Frame @index is processed when it lies in the range and on the step. */
static gboolean
selected (SlyVideoDecode * d, gint64 index)
{
  gint64 offset = d->direction > 0 ? index - d->start : d->start - index;

  return offset >= 0 && offset % d->step == 0 && (d->count < 0
      || offset < d->count);
}

static gboolean
past_range (SlyVideoDecode * d, gint64 index)
{
  if (d->direction < 0)
    return index > d->start;
  return d->count >= 0 && index - d->start >= d->count;
}

static SlyImage *
sample_to_image (GstSample * sample, GError ** error)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  SlyImage *image;
  gint y;

  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample))
      || !gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample),
          GST_MAP_READ)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INFERENCE,
        "cannot read a decoded video frame");
    return NULL;
  }
  image = sly_image_new (info.width, info.height, 3);
  for (y = 0; y < info.height; y++)
    memcpy (image->data + (gsize) y * image->stride,
        (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
        (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
        (gsize) info.width * 3);
  gst_video_frame_unmap (&frame);
  return image;
}

static void
apply_duration (SlyVideoDecode * d, GstSample * sample)
{
  GstStructure *st = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
  gint num = 0, den = 1;

  if (d->count >= 0 || d->duration < 0)
    return;
  if (gst_structure_get_fraction (st, "framerate", &num, &den) && num > 0)
    d->count = (gint64) (d->duration * num / den);
}

/* Pulls frames until EOS, an error, the end of the range or cancellation. */
static void
pull_frames (SlyVideoDecode * d, GstElement * pipeline, GstElement * sink)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  gsize kept_bytes = 0;
  gint64 index = 0;

  while (!g_atomic_int_get (&d->cancelled)) {
    GstSample *sample = NULL;
    GstMessage *msg;
    gboolean eos = FALSE;

    g_signal_emit_by_name (sink, "try-pull-sample", PULL_TIMEOUT, &sample);
    if (sample) {
      if (index == 0)
        apply_duration (d, sample);
      if (selected (d, index)) {
        SlyImage *image = sample_to_image (sample, &d->error);

        if (image == NULL) {
          gst_sample_unref (sample);
          return;
        }
        d->width = image->width;
        d->height = image->height;
        kept_bytes += (gsize) image->stride * image->height;
        g_ptr_array_add (d->frames, image);
        g_array_append_val (d->indices, index);
        if (kept_bytes > d->max_bytes) {
          g_set_error (d->error ? NULL : &d->error, SLY_ERROR,
              SLY_ERROR_INVALID_ARGUMENT,
              "The selected frames need more than %" G_GSIZE_FORMAT
              " bytes decoded: select fewer frames", d->max_bytes);
          gst_sample_unref (sample);
          return;
        }
      }
      gst_sample_unref (sample);
      index++;
      d->frames_count = index;
      if (past_range (d, index))
        return;
      continue;
    }
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg) {
      g_autoptr (GError) gerr = NULL;

      gst_message_parse_error (msg, &gerr, NULL);
      g_set_error (&d->error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
          "Cannot decode the uploaded video: %s", gerr->message);
      gst_message_unref (msg);
      return;
    }
    g_object_get (sink, "eos", &eos, NULL);
    if (eos)
      return;
  }
}

static void
decode (SlyVideoDecode * d)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) stream = NULL;
  GstElement *pipeline, *src, *sink;

  if (!parse_selection (d, &d->error))
    return;
  pipeline = gst_parse_launch ("giostreamsrc name=src ! decodebin ! "
      "videoconvert ! video/x-raw,format=RGB ! appsink name=sink sync=false",
      &error);
  if (pipeline == NULL) {
    g_set_error (&d->error, SLY_ERROR, SLY_ERROR_NOT_SUPPORTED,
        "Cannot build the video decoder: %s", error->message);
    return;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  stream = g_memory_input_stream_new_from_bytes (d->video);
  g_object_set (src, "stream", stream, NULL);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE)
    g_set_error (&d->error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "Cannot decode the uploaded video");
  else
    pull_frames (d, pipeline, sink);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);

  if (d->error == NULL && d->frames->len == 0)
    g_set_error (&d->error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "No video frame was selected (the video has %" G_GINT64_FORMAT
        " frames)", d->frames_count);
  /* backward: frames are processed from the start frame downwards */
  if (d->direction < 0 && d->error == NULL) {
    guint i, n = d->frames->len;

    for (i = 0; i < n / 2; i++) {
      gpointer tmp = d->frames->pdata[i];
      gint64 t = g_array_index (d->indices, gint64, i);

      d->frames->pdata[i] = d->frames->pdata[n - 1 - i];
      d->frames->pdata[n - 1 - i] = tmp;
      g_array_index (d->indices, gint64, i) =
          g_array_index (d->indices, gint64, n - 1 - i);
      g_array_index (d->indices, gint64, n - 1 - i) = t;
    }
  }
}

static void
decode_free (SlyVideoDecode * d)
{
  g_bytes_unref (d->video);
  json_object_unref (d->state);
  g_ptr_array_unref (d->frames);
  g_array_unref (d->indices);
  g_clear_error (&d->error);
  g_free (d);
}

static gboolean
decode_idle (gpointer user_data)
{
  SlyVideoDecode *d = user_data;

  if (d->thread) {
    g_thread_join (d->thread);
    d->thread = NULL;
  }
  if (!g_atomic_int_get (&d->cancelled))
    d->done (d->user_data, d->frames, d->indices, d->width, d->height,
        d->frames_count, d->error);
  decode_free (d);
  return G_SOURCE_REMOVE;
}

static gpointer
decode_thread (gpointer user_data)
{
  SlyVideoDecode *d = user_data;

  decode (d);
  g_atomic_int_set (&d->idle_queued, 1);
  g_idle_add (decode_idle, d);
  return NULL;
}

SlyVideoDecode *
sly_video_decode_start (GBytes * video, JsonObject * state, gsize max_bytes,
    SlyVideoDoneFunc done, gpointer user_data)
{
  static gsize gst_ready = 0;
  SlyVideoDecode *d = g_new0 (SlyVideoDecode, 1);

  /* GStreamer is only initialised by the first video: plain image
   * inference never pays for the registry scan */
  if (g_once_init_enter (&gst_ready)) {
    gst_init (NULL, NULL);
    g_once_init_leave (&gst_ready, 1);
  }
  d->video = g_bytes_ref (video);
  d->state = json_object_ref (state);
  d->max_bytes = max_bytes;
  d->done = done;
  d->user_data = user_data;
  d->frames = g_ptr_array_new_with_free_func ((GDestroyNotify)
      sly_image_free);
  d->indices = g_array_new (FALSE, FALSE, sizeof (gint64));
  d->thread = g_thread_new ("sly-video-decode", decode_thread, d);
  return d;
}

void
sly_video_decode_cancel (SlyVideoDecode * d)
{
  g_atomic_int_set (&d->cancelled, 1);
  g_thread_join (d->thread);
  d->thread = NULL;
  /* a queued idle frees it; else nobody will */
  if (!g_atomic_int_get (&d->idle_queued))
    decode_free (d);
}
