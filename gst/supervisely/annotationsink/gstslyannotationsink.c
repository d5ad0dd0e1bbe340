/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-slyannotationsink
 * @title: slyannotationsink
 *
 * Writes the predictions it receives (#GstSlyPredictionMeta, as attached
 * by slymodelinfer) as one Supervisely video annotation JSON file
 * (protocol.md section 9): one video object per track id, one frame entry
 * per buffer with a figure per object, the frame size from the caps and
 * framesCount from the number of buffers (or #GstSlyAnnotationSink:frames-count).
 * The tags of the objects (a second-stage classifier's, e.g. color=red;
 * the confidence / conf / score tags excepted) become tags of their video
 * object with frame ranges: consecutive frames with the same value make
 * one range.
 *
 * A frame's index is its position in the stream: the number of buffers
 * received before it since start (or since the last flushing seek, which
 * discards what was collected and starts again from frame 0, as the
 * tracker of slymodelinfer restarts its ids). Buffers without predictions
 * are frames too, listed with no figures.
 *
 * The file is written at EOS, and when the element stops (PAUSED to READY)
 * after receiving frames without an EOS, e.g. on an error upstream or
 * Ctrl-C without -e. It is written to a temporary file in the same folder
 * and renamed, so readers never see half a file.
 *
 * With #GstSlyAnnotationSink:jsonl-location set, it also appends one JSON
 * line per frame as the frame arrives.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *     slymodelinfer url=http://127.0.0.1:8000 tracking=true ! \
 *     slyannotationsink location=out.json jsonl-location=out.jsonl
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gstslyelements.h"
#include "gstslyannotationsink.h"
#include "gstslypredictionmeta.h"
#include "slyjson.h"

GST_DEBUG_CATEGORY_STATIC (gst_sly_annotation_sink_debug);
#define GST_CAT_DEFAULT gst_sly_annotation_sink_debug

#define DEFAULT_LOCATION NULL
#define DEFAULT_JSONL_LOCATION NULL
#define DEFAULT_FRAMES_COUNT 0

enum
{
  PROP_0,
  PROP_LOCATION,
  PROP_JSONL_LOCATION,
  PROP_FRAMES_COUNT,
};

/* it only reads metas and the frame size: any raw format, any memory */
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw(ANY); image/jpeg"));

#define gst_sly_annotation_sink_parent_class parent_class
G_DEFINE_TYPE (GstSlyAnnotationSink, gst_sly_annotation_sink,
    GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (slyannotationsink, "slyannotationsink",
    GST_RANK_NONE, GST_TYPE_SLY_ANNOTATION_SINK,
    GST_DEBUG_CATEGORY_INIT (gst_sly_annotation_sink_debug,
        "slyannotationsink", 0, "Supervisely video annotation writer");
    sly_element_init (plugin));

static void gst_sly_annotation_sink_finalize (GObject * object);
static void gst_sly_annotation_sink_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_sly_annotation_sink_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_sly_annotation_sink_change_state (GstElement
    * element, GstStateChange transition);
static gboolean gst_sly_annotation_sink_set_caps (GstBaseSink * sink,
    GstCaps * caps);
static gboolean gst_sly_annotation_sink_event (GstBaseSink * sink,
    GstEvent * event);
static GstFlowReturn gst_sly_annotation_sink_render (GstBaseSink * sink,
    GstBuffer * buffer);

static void
gst_sly_annotation_sink_class_init (GstSlyAnnotationSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *base_sink_class = GST_BASE_SINK_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  gobject_class->finalize = gst_sly_annotation_sink_finalize;
  gobject_class->set_property = gst_sly_annotation_sink_set_property;
  gobject_class->get_property = gst_sly_annotation_sink_get_property;

  /**
   * GstSlyAnnotationSink:location:
   *
   * Where the video annotation JSON goes (replaced atomically at EOS, or
   * when stopping after frames without EOS). Going to PAUSED without it is
   * an error.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "Path of the Supervisely video annotation JSON written at EOS "
          "(required)", DEFAULT_LOCATION, flags));
  /**
   * GstSlyAnnotationSink:jsonl-location:
   *
   * When set, a file truncated when going to PAUSED that gets one line per
   * frame: {"index", "pts", "running_time", "status", "annotation"}, times
   * in ns or null, status and annotation null for a buffer without meta.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_JSONL_LOCATION,
      g_param_spec_string ("jsonl-location", "JSON lines location",
          "Optional path of a file that gets one JSON line per frame (index, "
          "pts, running time, status, annotation) as frames arrive",
          DEFAULT_JSONL_LOCATION, flags));
  /**
   * GstSlyAnnotationSink:frames-count:
   *
   * The video's frame count to write as framesCount when the application
   * knows it; the count of frames seen wins when it is larger.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_FRAMES_COUNT,
      g_param_spec_uint ("frames-count", "Frames count",
          "framesCount written in the annotation (e.g. the source's frame "
          "count); 0 = the number of frames seen. Never below the frames seen",
          0, G_MAXINT, DEFAULT_FRAMES_COUNT, flags));

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_sly_annotation_sink_change_state);
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "Supervisely video annotation sink", "Sink/Metadata",
      "Writes the predictions of a stream as a Supervisely video annotation",
      "gst-supervisely team");

  base_sink_class->set_caps =
      GST_DEBUG_FUNCPTR (gst_sly_annotation_sink_set_caps);
  base_sink_class->event = GST_DEBUG_FUNCPTR (gst_sly_annotation_sink_event);
  base_sink_class->render = GST_DEBUG_FUNCPTR (gst_sly_annotation_sink_render);
}

static void
gst_sly_annotation_sink_init (GstSlyAnnotationSink * self)
{
  self->frames_count = DEFAULT_FRAMES_COUNT;
  /* a file writer: no reason to wait for the clock */
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
}

static void
gst_sly_annotation_sink_finalize (GObject * object)
{
  GstSlyAnnotationSink *self = GST_SLY_ANNOTATION_SINK (object);

  g_free (self->location);
  g_free (self->jsonl_location);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_sly_annotation_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSlyAnnotationSink *self = GST_SLY_ANNOTATION_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_free (self->location);
      self->location = g_value_dup_string (value);
      break;
    case PROP_JSONL_LOCATION:
      g_free (self->jsonl_location);
      self->jsonl_location = g_value_dup_string (value);
      break;
    case PROP_FRAMES_COUNT:
      self->frames_count = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sly_annotation_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstSlyAnnotationSink *self = GST_SLY_ANNOTATION_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_JSONL_LOCATION:
      g_value_set_string (value, self->jsonl_location);
      break;
    case PROP_FRAMES_COUNT:
      g_value_set_uint (value, self->frames_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---- collecting ---- */

/* Forgets what was collected: a new annotation starting at frame 0. */
static void
reset_collection (GstSlyAnnotationSink * self)
{
  g_clear_pointer (&self->video, sly_video_annotation_unref);
  self->video = sly_video_annotation_new (self->width, self->height);
  /* the objects' tags (a classifier's, e.g. color=red) as video object
   * tags with frame ranges */
  sly_video_annotation_set_record_tags (self->video, TRUE);
  self->next_index = 0;
  self->unwritten = FALSE;
}

/* Writes the annotation atomically (temporary file, then rename). */
static gboolean
write_annotation (GstSlyAnnotationSink * self)
{
  g_autofree gchar *json = NULL;
  g_autoptr (GError) error = NULL;
  guint frames_count;

  GST_OBJECT_LOCK (self);
  frames_count = self->frames_count;
  GST_OBJECT_UNLOCK (self);

  self->video->width = self->width;
  self->video->height = self->height;
  if (frames_count > 0)
    sly_video_annotation_set_frames_count (self->video, frames_count);
  json = sly_video_annotation_to_json (self->video);
  /* written or reported once: a failed write at EOS is not retried */
  self->unwritten = FALSE;
  if (!g_file_set_contents_full (self->out_path, json, -1,
          G_FILE_SET_CONTENTS_CONSISTENT, 0666, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Could not write the video annotation to \"%s\".", self->out_path),
        ("%s", error->message));
    return FALSE;
  }
  GST_INFO_OBJECT (self, "wrote %d frames, %u objects to %s",
      self->video->frames_count, self->video->objects->len, self->out_path);
  return TRUE;
}

/* ---- starting and stopping ---- */

/* Whether a file can be created beside @path (the temporary file of the
 * final write): failing at start beats failing after a long stream. */
static gboolean
can_create_beside (const gchar * path, gint * err)
{
  g_autofree gchar *tmpl = g_strdup_printf ("%s.XXXXXX", path);
  gint fd = g_mkstemp (tmpl);

  if (fd < 0) {
    *err = errno;
    return FALSE;
  }
  close (fd);
  g_unlink (tmpl);
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    *err = EISDIR;
    return FALSE;
  }
  return TRUE;
}

static gboolean
open_outputs (GstSlyAnnotationSink * self)
{
  gint err = 0;

  if (!can_create_beside (self->out_path, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Could not open file \"%s\" for writing.", self->out_path),
        ("%s", g_strerror (err)));
    return FALSE;
  }
  if (self->jsonl_path && !(self->jsonl = g_fopen (self->jsonl_path, "w"))) {
    err = errno;
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Could not open file \"%s\" for writing.", self->jsonl_path),
        ("%s", g_strerror (err)));
    return FALSE;
  }
  return TRUE;
}

/* Ready for a stream: the paths as set now, the outputs open. */
static gboolean
begin (GstSlyAnnotationSink * self)
{
  GST_OBJECT_LOCK (self);
  self->out_path = g_strdup (self->location);
  self->jsonl_path = g_strdup (self->jsonl_location);
  GST_OBJECT_UNLOCK (self);
  /* an empty jsonl-location means none, as a property set from a tool */
  if (self->jsonl_path && self->jsonl_path[0] == '\0')
    g_clear_pointer (&self->jsonl_path, g_free);

  if (self->out_path == NULL || self->out_path[0] == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No file name specified for writing the video annotation."),
        ("the location property is not set"));
    return FALSE;
  }
  if (!open_outputs (self))
    return FALSE;
  self->no_objects = sly_annotation_new (0, 0);
  self->width = self->height = 0;
  reset_collection (self);
  return TRUE;
}

/* After the streaming thread has stopped, or when begin() failed. */
static void
end (GstSlyAnnotationSink * self)
{
  /* frames but no EOS (error upstream, interrupted): keep what we saw */
  if (self->video && self->unwritten)
    write_annotation (self);
  if (self->jsonl && fclose (self->jsonl) != 0) {
    gint err = errno;

    GST_ELEMENT_ERROR (self, RESOURCE, CLOSE,
        ("Could not close file \"%s\".", self->jsonl_path),
        ("%s", g_strerror (err)));
  }
  self->jsonl = NULL;
  g_clear_pointer (&self->video, sly_video_annotation_unref);
  g_clear_pointer (&self->no_objects, sly_annotation_unref);
  g_clear_pointer (&self->out_path, g_free);
  g_clear_pointer (&self->jsonl_path, g_free);
}

/* READY to PAUSED rather than GstBaseSink's start (NULL to READY): the
 * properties may change in READY, and the file is written on the way back
 * to READY. */
static GstStateChangeReturn
gst_sly_annotation_sink_change_state (GstElement * element,
    GstStateChange transition)
{
  GstSlyAnnotationSink *self = GST_SLY_ANNOTATION_SINK (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !begin (self)) {
    end (self);
    return GST_STATE_CHANGE_FAILURE;
  }
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY ||
      (transition == GST_STATE_CHANGE_READY_TO_PAUSED &&
          ret == GST_STATE_CHANGE_FAILURE))
    end (self);
  return ret;
}

/* ---- streaming ---- */

static gboolean
gst_sly_annotation_sink_set_caps (GstBaseSink * sink, GstCaps * caps)
{
  GstSlyAnnotationSink *self = GST_SLY_ANNOTATION_SINK (sink);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gint width = 0, height = 0;

  /* image/jpeg may come without a size: the metas give it then */
  if (!gst_structure_get_int (s, "width", &width) ||
      !gst_structure_get_int (s, "height", &height))
    return TRUE;
  if (self->next_index > 0 && (width != self->width || height != self->height))
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("The frame size changed from %dx%d to %dx%d; the annotation names "
            "the last one.", self->width, self->height, width, height), (NULL));
  self->width = width;
  self->height = height;
  return TRUE;
}

static gboolean
gst_sly_annotation_sink_event (GstBaseSink * sink, GstEvent * event)
{
  GstSlyAnnotationSink *self = GST_SLY_ANNOTATION_SINK (sink);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:
      /* before the EOS message, so the file is there when it arrives */
      if (self->video)
        write_annotation (self);
      break;
    case GST_EVENT_FLUSH_STOP:
      GST_DEBUG_OBJECT (self, "flushing seek: starting again at frame 0");
      reset_collection (self);
      break;
    default:
      break;
  }
  return GST_BASE_SINK_CLASS (parent_class)->event (sink, event);
}

static void
add_time_member (JsonBuilder * b, const gchar * name, GstClockTime t)
{
  json_builder_set_member_name (b, name);
  if (GST_CLOCK_TIME_IS_VALID (t))
    json_builder_add_int_value (b, (gint64) t);
  else
    json_builder_add_null_value (b);
}

/* {"index", "pts", "running_time" (ns or null), "status" (nick or null),
 * "annotation" (image annotation or null)} */
static gchar *
frame_line (GstSlyAnnotationSink * self, gint index, GstBuffer * buffer,
    GstSlyPredictionMeta * meta)
{
  GstSegment *segment = &GST_BASE_SINK (self)->segment;
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, index);
  add_time_member (b, "pts", pts);
  add_time_member (b, "running_time", segment->format == GST_FORMAT_TIME ?
      gst_segment_to_running_time (segment, GST_FORMAT_TIME, pts) :
      GST_CLOCK_TIME_NONE);
  json_builder_set_member_name (b, "status");
  if (meta)
    json_builder_add_string_value (b,
        gst_sly_frame_status_get_nick (meta->status));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "annotation");
  if (meta && meta->annotation)
    json_builder_add_value (b, sly_annotation_to_json_node (meta->annotation));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return sly_json_to_string (root);
}

static gboolean
write_line (GstSlyAnnotationSink * self, const gchar * line)
{
  /* flushed per line so a reader can follow the file while it grows */
  if (fputs (line, self->jsonl) < 0 || fputc ('\n', self->jsonl) == EOF ||
      fflush (self->jsonl) != 0) {
    gint err = errno;

    GST_ELEMENT_ERROR (self, RESOURCE, WRITE,
        ("Could not write to file \"%s\".", self->jsonl_path),
        ("%s", g_strerror (err)));
    return FALSE;
  }
  return TRUE;
}

static GstFlowReturn
gst_sly_annotation_sink_render (GstBaseSink * sink, GstBuffer * buffer)
{
  GstSlyAnnotationSink *self = GST_SLY_ANNOTATION_SINK (sink);
  GstSlyPredictionMeta *meta = gst_buffer_get_sly_prediction_meta (buffer);
  gint index = self->next_index;

  if (index == G_MAXINT - 1) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Too many frames."), (NULL));
    return GST_FLOW_ERROR;
  }
  /* no size in the caps (image/jpeg): the predictions know it */
  if (self->width == 0 && meta)
    gst_sly_prediction_meta_get_size (meta, &self->width, &self->height);

  sly_video_annotation_add_frame (self->video, index,
      meta && meta->annotation ? meta->annotation : self->no_objects);
  self->next_index++;
  self->unwritten = TRUE;

  if (self->jsonl) {
    g_autofree gchar *line = frame_line (self, index, buffer, meta);

    if (!write_line (self, line))
      return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}
