/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-slymodelinfer
 * @title: slymodelinfer
 *
 * Sends video frames to a model deployed with Supervisely (a serving app,
 * or sly-model-server) and attaches the predictions to the same buffers as
 * #GstSlyPredictionMeta plus one #GstVideoRegionOfInterestMeta per object.
 *
 * The streaming thread never waits on the network: frames are encoded in
 * the chain function and sent by an I/O thread, up to #GstSlyModelInfer:max-inflight
 * requests at a time; a source pad task pushes buffers and serialized events
 * in their original order once each buffer's answer is there. With
 * #GstSlyModelInfer:tracking, a BoT-SORT tracker in that task gives objects
 * track ids and fills frames without an answer with predicted boxes.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc pattern=ball ! videoconvert ! \
 *     slymodelinfer url=http://127.0.0.1:8000 conf=0.4 ! fakesink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyelements.h"
#include "gstslymodelinfer-private.h"

GST_DEBUG_CATEGORY (gst_sly_model_infer_debug);

#define VIDEO_FORMATS "{ I420, NV12, RGB, BGR, RGBx, BGRx, xRGB, xBGR, " \
    "RGBA, BGRA, ARGB, ABGR, GRAY8 }"
#define SLY_CAPS GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS) "; image/jpeg"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (SLY_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (SLY_CAPS));

#define gst_sly_model_infer_parent_class parent_class
G_DEFINE_TYPE (GstSlyModelInfer, gst_sly_model_infer, GST_TYPE_ELEMENT);

static gboolean slymodelinfer_element_init (GstPlugin * plugin);
GST_ELEMENT_REGISTER_DEFINE_CUSTOM (slymodelinfer, slymodelinfer_element_init);

static void gst_sly_model_infer_finalize (GObject * object);
static GstStateChangeReturn gst_sly_model_infer_change_state (GstElement *
    element, GstStateChange transition);

static void
gst_sly_model_infer_class_init (GstSlyModelInferClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->finalize = gst_sly_model_infer_finalize;
  gobject_class->set_property = gst_sly_model_infer_set_property;
  gobject_class->get_property = gst_sly_model_infer_get_property;

  gst_sly_model_infer_install_properties (gobject_class);
  gst_sly_model_infer_install_signals (klass);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Supervisely model inference", "Filter/Analyzer/Video",
      "Runs a model deployed with Supervisely on video frames and attaches "
      "the predictions as metadata", "gst-supervisely team");

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_sly_model_infer_change_state);

  gst_type_mark_as_plugin_api (gst_sly_overload_get_type (), 0);
  gst_type_mark_as_plugin_api (gst_sly_upload_format_get_type (), 0);
}

static void
gst_sly_model_infer_init (GstSlyModelInfer * self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_sly_model_infer_chain));
  gst_pad_set_event_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_sly_model_infer_sink_event));
  gst_pad_set_query_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_sly_model_infer_sink_query));
  GST_PAD_SET_PROXY_CAPS (self->sinkpad);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_set_activatemode_function (self->srcpad,
      GST_DEBUG_FUNCPTR (gst_sly_model_infer_src_activate_mode));
  gst_pad_set_query_function (self->srcpad,
      GST_DEBUG_FUNCPTR (gst_sly_model_infer_src_query));
  GST_PAD_SET_PROXY_CAPS (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);

  self->cfg.timeout_ms = DEFAULT_TIMEOUT;
  self->cfg.retries = DEFAULT_RETRIES;
  self->conf = DEFAULT_CONF;
  self->img_size = DEFAULT_IMG_SIZE;
  self->tracking = DEFAULT_TRACKING;
  self->max_inflight = DEFAULT_MAX_INFLIGHT;
  self->batch_size = DEFAULT_BATCH_SIZE;
  self->jpeg_quality = DEFAULT_JPEG_QUALITY;
  self->upload_format = DEFAULT_UPLOAD_FORMAT;
  self->overload = DEFAULT_OVERLOAD;
  self->inference_interval = DEFAULT_INFERENCE_INTERVAL;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->latency = DEFAULT_LATENCY;
  self->reported_rtt = GST_CLOCK_TIME_NONE;
  gst_segment_init (&self->segment, GST_FORMAT_TIME);
  gst_sly_request_queue_init (&self->queue);
}

static void
gst_sly_model_infer_finalize (GObject * object)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (object);

  gst_sly_client_config_clear (&self->cfg);
  g_free (self->model);
  g_free (self->device);
  g_free (self->runtime);
  g_free (self->classes);
  g_free (self->settings);
  g_free (self->tracking_config);
  g_free (self->bad_settings);
  gst_sly_model_info_free (self->info);
  g_clear_pointer (&self->class_index, g_hash_table_unref);
  gst_sly_request_queue_clear (&self->queue);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static GstStateChangeReturn
gst_sly_model_infer_change_state (GstElement * element,
    GstStateChange transition)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (!gst_sly_model_infer_start (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      /* unblock a chain function waiting for a slot or for the model
       * before the pads are deactivated (identity's pattern) */
      gst_sly_request_queue_set_flushing (&self->queue, GST_FLOW_FLUSHING);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (ret == GST_STATE_CHANGE_FAILURE)
        gst_sly_model_infer_stop (self);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      gst_sly_model_infer_stop (self);
      break;
    default:
      break;
  }
  return ret;
}

static gboolean
slymodelinfer_element_init (GstPlugin * plugin)
{
  GST_DEBUG_CATEGORY_INIT (gst_sly_model_infer_debug, "slymodelinfer", 0,
      "Supervisely model inference");
  sly_element_init (plugin);
  return gst_element_register (plugin, "slymodelinfer", GST_RANK_NONE,
      GST_TYPE_SLY_MODEL_INFER);
}
