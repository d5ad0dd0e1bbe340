/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer's sink pad: the chain function decides per frame whether it
 * gets a request, encodes it and gathers it into a batch, then appends it to
 * the ordered queue. It never waits on the network: the I/O thread sends.
 * The only waits are for a request slot (overload=wait) and, for non-live
 * input, for the model to be ready; flushing interrupts both.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslymodelinfer-private.h"
#include "slyimage.h"
#include "slyerror.h"

/* The properties a frame is processed with, copied in one go. */
typedef struct
{
  GstSlyOverload overload;
  guint max_inflight;
  guint batch_size;
  guint inference_interval;
  gint jpeg_quality;
  GstSlyUploadFormat upload_format;
  gdouble conf;
  gchar **classes;
  gint img_size;
  gchar *settings;
} Snapshot;

/* Copies the properties for one frame, and counts it in. */
static void
snapshot_take (GstSlyModelInfer * self, Snapshot * snap)
{
  GST_OBJECT_LOCK (self);
  snap->overload = self->overload;
  snap->max_inflight = self->max_inflight;
  snap->batch_size = gst_sly_model_infer_locked_batch_size (self);
  snap->inference_interval = self->inference_interval;
  snap->jpeg_quality = self->jpeg_quality;
  snap->upload_format = self->upload_format;
  snap->conf = self->conf;
  snap->classes = gst_sly_model_infer_parse_classes (self->classes);
  snap->img_size = self->img_size;
  snap->settings = g_strdup (self->settings);
  self->frames_in++;
  GST_OBJECT_UNLOCK (self);
}

static void
snapshot_clear (Snapshot * snap)
{
  g_strfreev (snap->classes);
  g_free (snap->settings);
}

/* Warns once per bad settings value, not once per request. */
static void
warn_bad_settings (GstSlyModelInfer * self, const gchar * settings,
    const GError * error)
{
  gboolean warn;

  GST_OBJECT_LOCK (self);
  warn = g_strcmp0 (self->bad_settings, settings) != 0;
  if (warn) {
    g_free (self->bad_settings);
    self->bad_settings = g_strdup (settings);
  }
  GST_OBJECT_UNLOCK (self);
  if (warn)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("The settings property is not a JSON object, ignoring it: %s",
            error->message), (NULL));
}

static SlyInferenceSettings *
make_settings (GstSlyModelInfer * self, const Snapshot * snap)
{
  SlyInferenceSettings *s = sly_inference_settings_new ();
  g_autoptr (GError) error = NULL;

  sly_inference_settings_set_conf (s, snap->conf);
  if (snap->classes != NULL)
    sly_inference_settings_set_classes (s,
        (const gchar * const *) snap->classes);
  sly_inference_settings_set_img_size (s, snap->img_size);
  /* a bad value set while playing: go on without it */
  if (snap->settings != NULL &&
      !sly_inference_settings_set_extra_json (s, snap->settings, &error))
    warn_bad_settings (self, snap->settings, error);
  return s;
}

/* ---- encoding ---- */

static const struct
{
  GstVideoFormat video;
  SlyPixelFormat sly;
} pixel_formats[] = {
  {GST_VIDEO_FORMAT_I420, SLY_PIXEL_I420},
  {GST_VIDEO_FORMAT_NV12, SLY_PIXEL_NV12},
  {GST_VIDEO_FORMAT_RGB, SLY_PIXEL_RGB},
  {GST_VIDEO_FORMAT_BGR, SLY_PIXEL_BGR},
  {GST_VIDEO_FORMAT_RGBx, SLY_PIXEL_RGBX},
  {GST_VIDEO_FORMAT_RGBA, SLY_PIXEL_RGBX},
  {GST_VIDEO_FORMAT_BGRx, SLY_PIXEL_BGRX},
  {GST_VIDEO_FORMAT_BGRA, SLY_PIXEL_BGRX},
  {GST_VIDEO_FORMAT_xRGB, SLY_PIXEL_XRGB},
  {GST_VIDEO_FORMAT_ARGB, SLY_PIXEL_XRGB},
  {GST_VIDEO_FORMAT_xBGR, SLY_PIXEL_XBGR},
  {GST_VIDEO_FORMAT_ABGR, SLY_PIXEL_XBGR},
  {GST_VIDEO_FORMAT_GRAY8, SLY_PIXEL_GRAY8},
};

/* The alpha byte of RGBA and friends is ignored, so they map to RGBx. */
static gboolean
pixel_format_of (GstVideoFormat format, SlyPixelFormat * out)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (pixel_formats); i++) {
    if (pixel_formats[i].video == format) {
      *out = pixel_formats[i].sly;
      return TRUE;
    }
  }
  return FALSE;
}

/* Streaming thread: the bytes to upload for a raw @buffer. */
static GBytes *
encode_raw_frame (GstSlyModelInfer * self, GstBuffer * buffer,
    GstSlyUploadFormat format, gint quality, const gchar ** content_type,
    GError ** error)
{
  GstVideoFrame frame;
  SlyImageView view = { 0, };
  GBytes *bytes;
  guint i;

  if (!pixel_format_of (GST_VIDEO_INFO_FORMAT (&self->vinfo), &view.format)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE, "unsupported format");
    return NULL;
  }
  if (!gst_video_frame_map (&frame, &self->vinfo, buffer, GST_MAP_READ)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE, "cannot map the frame");
    return NULL;
  }
  view.width = GST_VIDEO_FRAME_WIDTH (&frame);
  view.height = GST_VIDEO_FRAME_HEIGHT (&frame);
  for (i = 0; i < GST_VIDEO_FRAME_N_PLANES (&frame) && i < 3; i++) {
    view.planes[i] = GST_VIDEO_FRAME_PLANE_DATA (&frame, i);
    view.strides[i] = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, i);
  }
  if (format == GST_SLY_UPLOAD_PNG) {
    *content_type = "image/png";
    bytes = sly_png_encode (&view, error);
  } else {
    *content_type = "image/jpeg";
    bytes = sly_jpeg_encode (&view, quality, error);
  }
  gst_video_frame_unmap (&frame);
  return bytes;
}

/* Streaming thread: the bytes to upload for @buffer, NULL after a warning
 * when it cannot be encoded (the frame then passes marked failed). */
static GBytes *
encode_frame (GstSlyModelInfer * self, GstBuffer * buffer,
    const Snapshot * snap, const gchar ** content_type)
{
  g_autoptr (GError) error = NULL;
  GstSlyUploadFormat format = snap->upload_format;
  GBytes *bytes;

  if (self->is_jpeg) {
    gpointer data;
    gsize size;

    /* JPEG input travels as it is */
    gst_buffer_extract_dup (buffer, 0, gst_buffer_get_size (buffer), &data,
        &size);
    *content_type = "image/jpeg";
    return g_bytes_new_take (data, size);
  }

  /* one request holds one kind of image: a batch in progress keeps the
   * format it started with */
  if (self->pending != NULL)
    format = g_str_equal (self->pending->content_type, "image/png") ?
        GST_SLY_UPLOAD_PNG : GST_SLY_UPLOAD_JPEG;
  bytes = encode_raw_frame (self, buffer, format, snap->jpeg_quality,
      content_type, &error);
  if (bytes == NULL)
    GST_ELEMENT_WARNING (self, STREAM, ENCODE,
        ("Could not encode a frame for upload: %s", error->message), (NULL));
  return bytes;
}

/* ---- batches ---- */

/* Streaming thread: sends the gathered frames. The window slot was taken
 * when the batch started. */
static void
gst_sly_model_infer_submit_pending (GstSlyModelInfer * self)
{
  GstSlyBatch *batch = self->pending;

  if (batch == NULL)
    return;
  self->pending = NULL;
  batch->epoch = gst_sly_request_queue_begin_request (&self->queue,
      &batch->cancellable);
  GST_LOG_OBJECT (self, "sending %u frame(s)", batch->items->len);
  /* no lock: self->io is set before the pads activate and cleared after
   * they are deactivated, so it is there while this thread streams */
  gst_sly_io_thread_submit (self->io, batch);
}

void
gst_sly_model_infer_drop_pending (GstSlyModelInfer * self)
{
  g_clear_pointer (&self->pending, gst_sly_batch_free);
}

/* Streaming thread: adds @item and its @image to the batch being gathered,
 * starting one if needed. */
static void
add_to_batch (GstSlyModelInfer * self, GstSlyItem * item, GBytes * image,
    const gchar * content_type, const Snapshot * snap)
{
  if (self->pending == NULL) {
    self->pending = gst_sly_batch_new ();
    self->pending->settings = make_settings (self, snap);
    self->pending->content_type = content_type;
  }
  g_ptr_array_add (self->pending->items, gst_sly_item_ref (item));
  g_ptr_array_add (self->pending->images, image);
}

/* ---- deciding ---- */

static void
query_liveness (GstSlyModelInfer * self)
{
  GstQuery *query = gst_query_new_latency ();

  self->live = FALSE;
  if (gst_pad_peer_query (self->sinkpad, query))
    gst_query_parse_latency (query, &self->live, NULL, NULL);
  gst_query_unref (query);
  self->live_known = TRUE;
  GST_DEBUG_OBJECT (self, "input is %s", self->live ? "live" : "not live");
}

static GstSlyOverload
effective_overload (GstSlyModelInfer * self, GstSlyOverload overload)
{
  if (overload != GST_SLY_OVERLOAD_AUTO)
    return overload;
  return self->live ? GST_SLY_OVERLOAD_SKIP : GST_SLY_OVERLOAD_WAIT;
}

/* Streaming thread: decides whether this frame gets a request. Returns a
 * flow error when the element has to stop. */
static GstFlowReturn
decide (GstSlyModelInfer * self, const Snapshot * snap, GstSlyResult * skip,
    gboolean * infer)
{
  GstSlyModelState state = gst_sly_request_queue_get_model_state (&self->queue);
  GstFlowReturn ret = GST_FLOW_OK;

  *infer = FALSE;
  *skip = GST_SLY_RESULT_SKIPPED;
  if (self->frame_count++ % snap->inference_interval != 0)
    return GST_FLOW_OK;

  if (state == GST_SLY_MODEL_FAILED)
    return GST_FLOW_ERROR;
  if (state == GST_SLY_MODEL_CONNECTING)
    return GST_FLOW_OK;

  /* a batch in progress already owns a slot */
  if (self->pending != NULL ||
      gst_sly_request_queue_has_slot (&self->queue, snap->max_inflight)) {
    *infer = TRUE;
    return GST_FLOW_OK;
  }
  switch (effective_overload (self, snap->overload)) {
    case GST_SLY_OVERLOAD_WAIT:
      ret = gst_sly_request_queue_wait_slot (&self->queue, snap->max_inflight);
      *infer = (ret == GST_FLOW_OK);
      return ret;
    case GST_SLY_OVERLOAD_DROP:
      *skip = GST_SLY_RESULT_DROPPED;
      return GST_FLOW_OK;
    default:
      return GST_FLOW_OK;
  }
}

/* Non-live input waits for the model before anything else, so even the
 * first frames see what the server told us (max_batch_size...). */
static GstFlowReturn
wait_model_unless_live (GstSlyModelInfer * self)
{
  GstSlyModelState state;

  if (!self->live_known)
    query_liveness (self);
  if (self->live)
    return GST_FLOW_OK;
  return gst_sly_request_queue_wait_model (&self->queue, &state);
}

/* ---- pad functions ---- */

GstFlowReturn
gst_sly_model_infer_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);
  const gchar *content_type = NULL;
  GBytes *image = NULL;
  GstSlyResult skip;
  GstSlyItem *item;
  GstFlowReturn ret;
  gboolean infer;
  Snapshot snap;

  if (!self->have_caps) {
    gst_buffer_unref (buffer);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  ret = wait_model_unless_live (self);
  if (ret != GST_FLOW_OK) {
    gst_buffer_unref (buffer);
    return ret;
  }

  snapshot_take (self, &snap);
  ret = decide (self, &snap, &skip, &infer);
  if (ret != GST_FLOW_OK) {
    gst_buffer_unref (buffer);
    goto out;
  }
  if (infer) {
    image = encode_frame (self, buffer, &snap, &content_type);
    if (image == NULL)
      skip = GST_SLY_RESULT_FAILED;
  }

  item = gst_sly_item_new_buffer (buffer);
  if (image != NULL) {
    add_to_batch (self, item, image, content_type, &snap);
  } else {
    gst_sly_request_queue_finish_item (&self->queue, item, skip);
    gst_sly_model_infer_count_result (self, skip);
  }

  ret = gst_sly_request_queue_push (&self->queue, item);
  if (ret != GST_FLOW_OK)
    gst_sly_model_infer_drop_pending (self);
  else if (self->pending != NULL &&
      self->pending->items->len >= snap.batch_size)
    gst_sly_model_infer_submit_pending (self);

out:
  snapshot_clear (&snap);
  return ret;
}

static gboolean
set_caps (GstSlyModelInfer * self, GstCaps * caps)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  GstClockTime frame_duration = 0;

  if (gst_structure_has_name (s, "image/jpeg")) {
    self->is_jpeg = TRUE;
  } else {
    if (!gst_video_info_from_caps (&self->vinfo, caps))
      return FALSE;
    self->is_jpeg = FALSE;
    if (GST_VIDEO_INFO_FPS_N (&self->vinfo) > 0)
      frame_duration = gst_util_uint64_scale (GST_SECOND,
          GST_VIDEO_INFO_FPS_D (&self->vinfo),
          GST_VIDEO_INFO_FPS_N (&self->vinfo));
  }
  self->have_caps = TRUE;
  /* LATENCY queries read it from other threads */
  GST_OBJECT_LOCK (self);
  self->frame_duration = frame_duration;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

gboolean
gst_sly_model_infer_sink_event (GstPad * pad, GstObject * parent,
    GstEvent * event)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);
  GstEventType type = GST_EVENT_TYPE (event);
  GstFlowReturn ret;
  gboolean res;

  switch (type) {
    case GST_EVENT_FLUSH_START:
      /* downstream first, so a push racing with us returns FLUSHING */
      res = gst_pad_push_event (self->srcpad, event);
      gst_sly_request_queue_set_flushing (&self->queue, GST_FLOW_FLUSHING);
      gst_pad_pause_task (self->srcpad);
      return res;
    case GST_EVENT_FLUSH_STOP:
      res = gst_pad_push_event (self->srcpad, event);
      gst_sly_model_infer_drop_pending (self);
      gst_sly_request_queue_flush (&self->queue, GST_FLOW_OK);
      /* a seek: tracks do not continue across it; the task is paused */
      if (self->tracking_glue != NULL)
        gst_sly_tracking_reset (self->tracking_glue);
      if (gst_pad_is_active (self->srcpad))
        gst_sly_model_infer_start_task (self);
      return res;
    case GST_EVENT_CAPS:{
      GstCaps *caps;

      gst_event_parse_caps (event, &caps);
      if (!set_caps (self, caps)) {
        gst_event_unref (event);
        return FALSE;
      }
      break;
    }
    default:
      break;
  }

  if (!GST_EVENT_IS_SERIALIZED (event))
    return gst_pad_event_default (pad, parent, event);

  /* frames gathered so far must not wait behind the event */
  gst_sly_model_infer_submit_pending (self);
  ret = gst_sly_request_queue_push (&self->queue,
      gst_sly_item_new_event (gst_event_ref (event)));
  if (ret != GST_FLOW_OK && type == GST_EVENT_EOS && ret != GST_FLOW_FLUSHING) {
    /* the task stopped (not-linked...): let EOS still reach downstream */
    return gst_pad_push_event (self->srcpad, event);
  }
  gst_event_unref (event);
  return ret == GST_FLOW_OK;
}

gboolean
gst_sly_model_infer_sink_query (GstPad * pad, GstObject * parent,
    GstQuery * query)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);

  if (GST_QUERY_IS_SERIALIZED (query)) {
    /* answer in order: after everything before it has been pushed */
    gst_sly_model_infer_submit_pending (self);
    if (gst_sly_request_queue_wait_empty (&self->queue) != GST_FLOW_OK)
      return FALSE;
  }
  return gst_pad_query_default (pad, parent, query);
}
