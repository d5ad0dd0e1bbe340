/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer's src pad task: pops the ordered queue, runs the tracker in
 * output order, attaches the predictions to each buffer (prediction meta
 * and ROI metas), posts the per-frame messages, and pushes. It also answers
 * LATENCY queries with what the element adds.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslymodelinfer-private.h"
#ifdef HAVE_SLY_META
#include "gstslypredictionmeta.h"
#endif

static void gst_sly_model_infer_loop (GstPad * pad);

/* ---- messages ---- */

static const gchar *
result_nick (GstSlyResult result)
{
  switch (result) {
    case GST_SLY_RESULT_INFERRED:
      return "inferred";
    case GST_SLY_RESULT_SKIPPED:
      return "skipped";
    case GST_SLY_RESULT_FAILED:
      return "failed";
    case GST_SLY_RESULT_PREDICTED:
      return "tracker-predicted";
    default:
      return "dropped";
  }
}

static void
post_prediction (GstSlyModelInfer * self, GstBuffer * buffer, GstSlyItem * item)
{
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  g_autofree gchar *json = NULL;
  GstStructure *s;

  if (item->annotation != NULL)
    json = sly_annotation_to_json (item->annotation);
  s = gst_structure_new ("slymodelinfer-prediction",
      "timestamp", G_TYPE_UINT64, pts,
      "running-time", G_TYPE_UINT64,
      gst_segment_to_running_time (&self->segment, GST_FORMAT_TIME, pts),
      "stream-time", G_TYPE_UINT64,
      gst_segment_to_stream_time (&self->segment, GST_FORMAT_TIME, pts),
      "status", G_TYPE_STRING, result_nick (item->result),
      "round-trip", G_TYPE_UINT64, item->round_trip,
      "model", G_TYPE_STRING, item->model_name,
      "annotation", G_TYPE_STRING, json, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

void
gst_sly_model_infer_post_tracking_warnings (GstSlyModelInfer * self,
    GPtrArray * warnings)
{
  guint i;

  for (i = 0; i < warnings->len; i++)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("Tracking: %s",
            (gchar *) warnings->pdata[i]), (NULL));
}

/* ---- tracking ---- */

/* src task: runs the tracker over @item in output order. Frames the server
 * answered get track ids; the others carry the predicted boxes. */
static void
track_item (GstSlyModelInfer * self, GstSlyItem * item)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  if (item->result == GST_SLY_RESULT_DROPPED) {
    /* not output, but time passes for the tracks */
    gst_sly_tracking_process (self->tracking_glue, FALSE, NULL, 0, 0, warnings);
  } else if (gst_sly_tracking_process (self->tracking_glue,
          item->result == GST_SLY_RESULT_INFERRED, &item->annotation,
          self->width, self->height, warnings)) {
    /* the item held the only reference to its annotation: nothing shared
     * it before the meta is attached */
    item->result = GST_SLY_RESULT_PREDICTED;
    GST_OBJECT_LOCK (self);
    self->predicted++;
    GST_OBJECT_UNLOCK (self);
  }
  gst_sly_model_infer_post_tracking_warnings (self, warnings);
}

/* src task: keeps what tracking and the messages need from the events
 * going out. */
static void
src_event_seen (GstSlyModelInfer * self, GstEvent * event)
{
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_SEGMENT:
      gst_event_copy_segment (event, &self->segment);
      break;
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      GstStructure *s;

      gst_event_parse_caps (event, &caps);
      s = gst_caps_get_structure (caps, 0);
      if (!gst_structure_get_int (s, "width", &self->width) ||
          !gst_structure_get_int (s, "height", &self->height))
        self->width = self->height = 0;
      break;
    }
    case GST_EVENT_STREAM_START:
      /* a new stream: new track ids */
      if (self->tracking_glue != NULL)
        gst_sly_tracking_reset (self->tracking_glue);
      break;
    default:
      break;
  }
}

/* ---- metas ---- */

#ifdef HAVE_SLY_META
static GstSlyFrameStatus
frame_status_of (GstSlyResult result)
{
  switch (result) {
    case GST_SLY_RESULT_INFERRED:
      return GST_SLY_FRAME_STATUS_INFERRED;
    case GST_SLY_RESULT_FAILED:
      return GST_SLY_FRAME_STATUS_FAILED;
    case GST_SLY_RESULT_PREDICTED:
      return GST_SLY_FRAME_STATUS_TRACKER_PREDICTED;
    default:
      return GST_SLY_FRAME_STATUS_SKIPPED;
  }
}

/* src task: the prediction meta, and one ROI meta per object labelled
 * with the model's class ids. */
static void
attach_metas (GstSlyModelInfer * self, GstBuffer * buffer, GstSlyItem * item)
{
  GstSlyPredictionMeta *meta;
  GHashTable *class_index = NULL;
  g_auto (GStrv) class_names = NULL;

  GST_OBJECT_LOCK (self);
  if (self->class_index != NULL)
    class_index = g_hash_table_ref (self->class_index);
  if (self->info != NULL)
    class_names = g_strdupv (self->info->classes);
  GST_OBJECT_UNLOCK (self);

  meta = gst_buffer_add_sly_prediction_meta (buffer,
      frame_status_of (item->result), item->annotation, item->round_trip,
      item->model_name);
  if (class_names != NULL)
    gst_sly_prediction_meta_set_class_names (meta,
        (const gchar * const *) class_names);
  if (item->annotation != NULL)
    gst_sly_prediction_meta_add_roi_metas (buffer, meta, class_index);
  if (class_index != NULL)
    g_hash_table_unref (class_index);
}
#endif

/* src task: the buffer of @item with its predictions attached. */
static GstBuffer *
decorate (GstSlyModelInfer * self, GstSlyItem * item)
{
  GstBuffer *buffer = GST_BUFFER_CAST (g_steal_pointer (&item->object));
  gboolean post;

  buffer = gst_buffer_make_writable (buffer);
  if (self->tracking_glue != NULL)
    track_item (self, item);

  GST_OBJECT_LOCK (self);
  post = self->post_messages;
  self->frames_out++;
  GST_OBJECT_UNLOCK (self);

#ifdef HAVE_SLY_META
  attach_metas (self, buffer, item);
#endif
  if (post)
    post_prediction (self, buffer, item);
  return buffer;
}

/* ---- the task ---- */

static void
gst_sly_model_infer_loop (GstPad * pad)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (GST_PAD_PARENT (pad));
  GstFlowReturn ret;
  GstSlyItem *item;

  item = gst_sly_request_queue_pop (&self->queue, &ret);
  if (item == NULL)
    goto pause;

  if (item->kind == GST_SLY_ITEM_EVENT) {
    GstEvent *event = GST_EVENT_CAST (gst_mini_object_ref (item->object));

    src_event_seen (self, event);
    ret = GST_EVENT_TYPE (event) == GST_EVENT_EOS ? GST_FLOW_EOS : GST_FLOW_OK;
    gst_pad_push_event (self->srcpad, event);
  } else if (item->result == GST_SLY_RESULT_DROPPED) {
    if (self->tracking_glue != NULL)
      track_item (self, item);
    ret = GST_FLOW_OK;
  } else {
    ret = gst_pad_push (self->srcpad, decorate (self, item));
  }
  gst_sly_item_unref (item);
  if (ret != GST_FLOW_OK)
    goto pause;
  return;

pause:
  GST_DEBUG_OBJECT (self, "pausing task: %s", gst_flow_get_name (ret));
  gst_sly_request_queue_set_flushing (&self->queue, ret);
  gst_pad_pause_task (pad);
  if (ret == GST_FLOW_NOT_LINKED || ret < GST_FLOW_EOS) {
    GST_ELEMENT_FLOW_ERROR (self, ret);
    gst_pad_push_event (self->srcpad, gst_event_new_eos ());
  }
}

gboolean
gst_sly_model_infer_start_task (GstSlyModelInfer * self)
{
  return gst_pad_start_task (self->srcpad,
      (GstTaskFunction) gst_sly_model_infer_loop, self->srcpad, NULL);
}

gboolean
gst_sly_model_infer_src_activate_mode (GstPad * pad, GstObject * parent,
    GstPadMode mode, gboolean active)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);

  if (mode != GST_PAD_MODE_PUSH)
    return FALSE;
  if (active) {
    gst_sly_request_queue_flush (&self->queue, GST_FLOW_OK);
    return gst_sly_model_infer_start_task (self);
  }
  gst_sly_request_queue_set_flushing (&self->queue, GST_FLOW_FLUSHING);
  /* joins the task */
  gst_pad_stop_task (pad);
  gst_sly_request_queue_flush (&self->queue, GST_FLOW_FLUSHING);
  return TRUE;
}

gboolean
gst_sly_model_infer_src_query (GstPad * pad, GstObject * parent,
    GstQuery * query)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);
  GstClockTime min, max, ours;
  gboolean live;

  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return gst_pad_query_default (pad, parent, query);

  if (!gst_pad_peer_query (self->sinkpad, query))
    return FALSE;
  gst_query_parse_latency (query, &live, &min, &max);
  ours = gst_sly_model_infer_get_latency (self);
  GST_DEBUG_OBJECT (self, "adding %" GST_TIME_FORMAT " of latency",
      GST_TIME_ARGS (ours));
  min += ours;
  if (GST_CLOCK_TIME_IS_VALID (max))
    max += ours;
  gst_query_set_latency (query, live, min, max);
  return TRUE;
}
