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
 * the chain function and sent by an I/O thread, up to
 * #GstSlyModelInfer:max-inflight requests at a time; a source pad task
 * pushes buffers, serialized events and serialized queries in their
 * original order once each buffer's answer is there. On live input every
 * frame leaves by a deadline, its arrival plus the element's latency: a
 * frame whose answer is not back by then goes out marked late (or with the
 * tracker's predicted boxes), so a frozen server never stalls the stream.
 * The ordered queue is bounded (#GstSlyModelInfer:max-queued-frames,
 * #GstSlyModelInfer:max-queued-bytes): a slow downstream holds upstream
 * back as a queue does. With #GstSlyModelInfer:tracking, a BoT-SORT
 * tracker in the task gives objects track ids and fills frames without an
 * answer with predicted boxes.
 *
 * Frames that go out without a fresh prediction (skipped for lack of a
 * request slot, late, failed, dropped) post a QoS message; on live input a
 * warning names the cause when most frames of a few seconds had none.
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

#include <string.h>

#include "gstslyelements.h"
#include "gstslymodelinfer.h"
#include "gstslyactions.h"
#include "gstslyinferstats.h"
#include "gstslyiothread.h"
#include "gstslyobjectregions.h"
#include "gstslyrequestbuilder.h"
#include "gstslyrequestqueue.h"
#include "slyredact.h"
#include "slyerror.h"
#include "slyjson.h"
#include "slytracking.h"
#ifdef HAVE_SLY_META
#include "gstslypredictionmeta.h"
#endif

GST_DEBUG_CATEGORY_STATIC (gst_sly_model_infer_debug);
#define GST_CAT_DEFAULT gst_sly_model_infer_debug

#define DEFAULT_TASK_ID            0
#define DEFAULT_CONF               -1.0
#define DEFAULT_IMG_SIZE           0
#define DEFAULT_TRACKING           FALSE
#define DEFAULT_MAX_INFLIGHT       4
#define DEFAULT_BATCH_SIZE         0
#define DEFAULT_TIMEOUT            10000
#define DEFAULT_RETRIES            2
#define DEFAULT_JPEG_QUALITY       85
#define DEFAULT_UPLOAD_FORMAT      GST_SLY_UPLOAD_JPEG
#define DEFAULT_OVERLOAD           GST_SLY_OVERLOAD_AUTO
#define DEFAULT_INFERENCE_INTERVAL 1
#define DEFAULT_POST_MESSAGES      FALSE
#define DEFAULT_LATENCY            -1
#define DEFAULT_MAX_QUEUED_FRAMES  32
#define DEFAULT_MAX_QUEUED_BYTES   (128 * 1024 * 1024)
#define DEFAULT_STATS_INTERVAL     0
#define DEFAULT_MAX_OBJECTS        SLY_CLIENT_DEFAULT_MAX_OBJECTS
#define DEFAULT_UPLOAD_MAX_SIZE    0
#define DEFAULT_WINDOW_OVERLAP     64
#define DEFAULT_INFERENCE_REGION   GST_SLY_INFERENCE_REGION_FRAME
#define DEFAULT_MIN_OBJECT_SIZE    0
#define DEFAULT_OBJECT_PADDING     0
#define DEFAULT_RECLASSIFY_INTERVAL 1

enum
{
  PROP_0,
  PROP_URL,
  PROP_TASK_ID,
  PROP_TASK_IDS,
  PROP_SERVER_ADDRESS,
  PROP_API_TOKEN,
  PROP_MODEL,
  PROP_DEVICE,
  PROP_RUNTIME,
  PROP_CONF,
  PROP_CLASSES,
  PROP_IMG_SIZE,
  PROP_SETTINGS,
  PROP_TRACKING,
  PROP_TRACKING_CONFIG,
  PROP_MAX_INFLIGHT,
  PROP_BATCH_SIZE,
  PROP_TIMEOUT,
  PROP_RETRIES,
  PROP_JPEG_QUALITY,
  PROP_UPLOAD_FORMAT,
  PROP_OVERLOAD,
  PROP_INFERENCE_INTERVAL,
  PROP_POST_MESSAGES,
  PROP_LATENCY,
  PROP_MAX_QUEUED_FRAMES,
  PROP_MAX_QUEUED_BYTES,
  PROP_MAX_OBJECTS,
  PROP_CA_FILE,
  PROP_UPLOAD_MAX_SIZE,
  PROP_ROI,
  PROP_SLIDING_WINDOW,
  PROP_SLIDING_WINDOW_OVERLAP,
  PROP_INFERENCE_REGION,
  PROP_OBJECT_CLASSES,
  PROP_MIN_OBJECT_SIZE,
  PROP_OBJECT_PADDING,
  PROP_RECLASSIFY_INTERVAL,
  PROP_STATS_INTERVAL,
  PROP_MODEL_META,
  PROP_MODEL_CLASSES,
  PROP_MODEL_SETTINGS,
  PROP_TRACKING_SETTINGS,
  PROP_SESSION_INFO,
  PROP_DEPLOY_INFO,
  PROP_DEPLOYED,
  PROP_STATUS,
  PROP_STATS,
};

enum
{
  SIGNAL_LOAD,
  SIGNAL_FREEZE_MODEL,
  SIGNAL_SHUTDOWN,
  SIGNAL_LIST_PRETRAINED_MODELS,
  SIGNAL_LIST_PRETRAINED_MODEL_INFOS,
  SIGNAL_REFRESH,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

struct _GstSlyModelInfer
{
  GstElement parent;

  GstPad *sinkpad;
  GstPad *srcpad;

  /* properties: GST_OBJECT_LOCK */
  GstSlyClientConfig cfg;
  gchar *model;
  gchar *device;
  gchar *runtime;
  gdouble conf;
  gchar *classes;
  gint img_size;
  gchar *settings;
  gboolean tracking;
  gchar *tracking_config;
  guint max_inflight;
  guint batch_size;
  gint jpeg_quality;
  GstSlyUploadFormat upload_format;
  GstSlyOverload overload;
  guint inference_interval;
  gboolean post_messages;
  gint64 latency;
  guint max_queued_frames;
  guint64 max_queued_bytes;
  guint stats_interval;
  guint upload_max_size;
  gchar *roi;
  GArray *regions;              /* GstVideoRectangle of roi, NULL = frame */
  gchar *sliding_window;
  gint window_width, window_height;     /* of sliding-window, 0 = none */
  guint window_overlap;
  gboolean warned_no_windows;   /* the server cannot: said once per run */
  GstSlyInferenceRegion inference_region;
  gchar *object_classes;
  gint min_object_size;
  gint object_padding;
  guint reclassify_interval;

  /* what the server told us: GST_OBJECT_LOCK */
  SlyModelInfo *info;
  GHashTable *class_index;      /* title -> label id, for ROI metas */
  gchar *bad_settings;          /* the settings value already warned about */
  /* of the input caps, for the latency of a batch: written by the sink
   * streaming thread, read by LATENCY queries from any thread */
  GstClockTime frame_duration;
  /* what the last LATENCY answer added: the budget of live frames */
  GstClockTime reported_latency;

  /* the I/O thread: set and cleared under GST_OBJECT_LOCK by state
   * changes; the streaming threads only run while it exists */
  GstSlyIoThread *io;

  /* counters and warning rate limits: their own lock */
  GstSlyInferStats *stats;

  /* frames into requests: the sink pad streaming thread */
  GstSlyRequestBuilder *requests;

  /* sink pad streaming thread */
  gboolean have_caps;
  gboolean live;
  gboolean live_known;
  guint64 frame_count;

  /* inference-region=objects: what each track was told when; the sink
   * streaming thread and the src task (own lock) */
  GstSlyReclassify *reclassify;
  gboolean warned_jpeg_objects; /* sink pad streaming thread */

  /* src pad task */
  GstSegment segment;
  gint width, height;           /* of the current caps, 0 when unknown */
  /* tracking=true: made at start, fed frames in output order by the src
   * task; NULL when off */
  SlyTracking *tracking_glue;

  GstSlyRequestQueue queue;
};

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
static void gst_sly_model_infer_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_sly_model_infer_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_sly_model_infer_change_state (GstElement *
    element, GstStateChange transition);
static GstFlowReturn gst_sly_model_infer_chain (GstPad * pad,
    GstObject * parent, GstBuffer * buffer);
static gboolean gst_sly_model_infer_sink_event (GstPad * pad,
    GstObject * parent, GstEvent * event);
static gboolean gst_sly_model_infer_sink_query (GstPad * pad,
    GstObject * parent, GstQuery * query);
static gboolean gst_sly_model_infer_src_query (GstPad * pad,
    GstObject * parent, GstQuery * query);
static gboolean gst_sly_model_infer_src_activate_mode (GstPad * pad,
    GstObject * parent, GstPadMode mode, gboolean active);
static void gst_sly_model_infer_loop (GstPad * pad);
static void warn_encode_failure (const GError * error, gpointer user_data);
static void gst_sly_model_infer_install_properties (GObjectClass * klass);
static void gst_sly_model_infer_install_signals (GstSlyModelInferClass * klass);

/* ---- enum types ---- */

static GType
gst_sly_overload_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SLY_OVERLOAD_AUTO, "Wait for non-live input, skip for live input",
        "auto"},
    {GST_SLY_OVERLOAD_WAIT, "Block until a request slot is free", "wait"},
    {GST_SLY_OVERLOAD_SKIP, "Pass the frame at once, marked skipped", "skip"},
    {GST_SLY_OVERLOAD_DROP, "Drop the frame", "drop"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstSlyOverload", values));
  return type;
}

static GType
gst_sly_inference_region_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SLY_INFERENCE_REGION_FRAME, "The frame, or its roi regions",
        "frame"},
    {GST_SLY_INFERENCE_REGION_OBJECTS, "The objects of an upstream model "
          "(its prediction meta or ROI metas), each cropped", "objects"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstSlyInferenceRegion", values));
  return type;
}

static GType
gst_sly_upload_format_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SLY_UPLOAD_JPEG, "JPEG (see jpeg-quality)", "jpeg"},
    {GST_SLY_UPLOAD_PNG, "PNG (lossless, larger)", "png"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstSlyUploadFormat", values));
  return type;
}

/* ---- GObject ---- */

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
  gst_type_mark_as_plugin_api (gst_sly_inference_region_get_type (), 0);
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
  self->cfg.max_objects = DEFAULT_MAX_OBJECTS;
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
  self->max_queued_frames = DEFAULT_MAX_QUEUED_FRAMES;
  self->max_queued_bytes = DEFAULT_MAX_QUEUED_BYTES;
  self->stats_interval = DEFAULT_STATS_INTERVAL;
  self->window_overlap = DEFAULT_WINDOW_OVERLAP;
  self->inference_region = DEFAULT_INFERENCE_REGION;
  self->min_object_size = DEFAULT_MIN_OBJECT_SIZE;
  self->object_padding = DEFAULT_OBJECT_PADDING;
  self->reclassify_interval = DEFAULT_RECLASSIFY_INTERVAL;
  self->reclassify = gst_sly_reclassify_new ();
  self->reported_latency = GST_CLOCK_TIME_NONE;
  self->stats = gst_sly_infer_stats_new ();
  self->requests = gst_sly_request_builder_new (&self->queue,
      warn_encode_failure, self);
  gst_segment_init (&self->segment, GST_FORMAT_TIME);
  gst_sly_request_queue_init (&self->queue);
  gst_sly_request_queue_set_limits (&self->queue, self->max_queued_frames,
      self->max_queued_bytes);
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
  g_free (self->roi);
  g_free (self->sliding_window);
  g_clear_pointer (&self->regions, g_array_unref);
  g_free (self->object_classes);
  gst_sly_reclassify_free (self->reclassify);
  g_free (self->bad_settings);
  g_clear_pointer (&self->info, sly_model_info_unref);
  g_clear_pointer (&self->class_index, g_hash_table_unref);
  gst_sly_infer_stats_free (self->stats);
  gst_sly_request_builder_free (self->requests);
  gst_sly_request_queue_clear (&self->queue);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* ---- properties ---- */

#define RW_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)
#define RO_FLAGS (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)

static void
install_string (GObjectClass * klass, guint id, const gchar * name,
    const gchar * nick, const gchar * blurb, GParamFlags flags)
{
  g_object_class_install_property (klass, id,
      g_param_spec_string (name, nick, blurb, NULL, flags));
}

static void
install_connection_properties (GObjectClass * klass)
{
  /**
   * GstSlyModelInfer:url:
   *
   * Base URL of the serving app. It reads back, and appears in messages,
   * without its secrets: user info, query and the /net/<session token>
   * part are hidden. An empty string means unset.
   *
   * Several deployments of the same model, comma-separated, share the
   * requests: each goes to the server with the fewest outstanding; a
   * server that fails is left alone for a backoff (100 ms doubling to
   * 500 ms) and its failed non-live frames are retried on another; live
   * frames are marked failed. The model property loads on the first one,
   * which also gives the model information.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_URL, "url", "URL",
      "Base URL of the serving app, e.g. http://127.0.0.1:8000 or "
      "https://host/net/<session token>; several deployments of one model "
      "comma-separated (use this or task-id; reads back with the session "
      "token hidden)", RW_FLAGS | GST_PARAM_MUTABLE_READY);
  /**
   * GstSlyModelInfer:task-id:
   *
   * Supervisely task id of the serving app, resolved through the platform
   * (server-address and api-token) when url is not set.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_TASK_ID,
      g_param_spec_int64 ("task-id", "Task id",
          "Supervisely task id of the serving app, resolved through the "
          "platform (0 = not set; use this or url)", 0, G_MAXINT64,
          DEFAULT_TASK_ID, RW_FLAGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSlyModelInfer:task-ids:
   *
   * Several deployments of one model by their task ids, comma-separated,
   * as url takes several URLs: requests go to the one with the fewest
   * outstanding. A list of its own because task-id is an integer property
   * that code sets as one. Set, it takes the place of task-id.
   *
   * Since: 0.3
   */
  install_string (klass, PROP_TASK_IDS, "task-ids", "Task ids",
      "Several serving apps of one model by task id, comma-separated, "
      "resolved through the platform (instead of task-id)",
      RW_FLAGS | GST_PARAM_MUTABLE_READY);
  /**
   * GstSlyModelInfer:server-address:
   *
   * Supervisely platform address for task-id mode.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_SERVER_ADDRESS, "server-address",
      "Server address", "Supervisely platform address for task-id mode "
      "(default: $SERVER_ADDRESS, then ~/supervisely.env)",
      RW_FLAGS | GST_PARAM_MUTABLE_READY);
  /**
   * GstSlyModelInfer:api-token:
   *
   * Supervisely API token for task-id mode. A secret: it reads back as
   * "***" and never appears in logs or messages.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_API_TOKEN, "api-token", "API token",
      "Supervisely API token for task-id mode (default: $API_TOKEN, then "
      "~/supervisely.env); reads back as \"***\" when set",
      RW_FLAGS | GST_PARAM_MUTABLE_READY);
  /**
   * GstSlyModelInfer:timeout:
   *
   * Timeout of one request in milliseconds; also the longest wait a
   * server's Retry-After can impose.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Timeout of one request in milliseconds, also the longest a "
          "Retry-After is honoured (0 = none)", 0, G_MAXUINT,
          DEFAULT_TIMEOUT, RW_FLAGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSlyModelInfer:retries:
   *
   * Extra attempts of a request that failed in a way worth retrying. On
   * live input only those that fit the frame's latency are made.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_RETRIES,
      g_param_spec_uint ("retries", "Retries",
          "Extra attempts of a request that failed on the network, timed out "
          "or got 408/429/5xx, with backoff (live input: only within the "
          "frame's latency)", 0, 20, DEFAULT_RETRIES,
          RW_FLAGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSlyModelInfer:ca-file:
   *
   * PEM file of the certificate authorities to trust for an https url,
   * instead of the system's (a self-hosted instance with its own CA). A
   * server whose certificate is not trusted fails with a clear error.
   *
   * Since: 0.2
   */
  install_string (klass, PROP_CA_FILE, "ca-file", "CA file",
      "PEM file of the certificate authorities to trust for https "
      "(NULL = the system's trust store)", RW_FLAGS | GST_PARAM_MUTABLE_READY);
  /**
   * GstSlyModelInfer:max-objects:
   *
   * Objects kept per answer; the rest are dropped while the answer is read
   * (a warning says how many), so a runaway model cannot fill the memory.
   * Answers are also limited to 64 MiB.
   *
   * Since: 0.2
   */
  g_object_class_install_property (klass, PROP_MAX_OBJECTS,
      g_param_spec_uint ("max-objects", "Max objects",
          "Objects kept per frame's answer, the rest dropped with a warning "
          "(0 = no limit)", 0, G_MAXUINT, DEFAULT_MAX_OBJECTS,
          RW_FLAGS | GST_PARAM_MUTABLE_READY));
}

static void
install_model_properties (GObjectClass * klass)
{
  /**
   * GstSlyModelInfer:model:
   *
   * Pretrained model to load. Set while playing, it loads in the
   * background; serving apps unload the old model first, so when the new
   * one fails to load the element loads the previous one again.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_MODEL, "model", "Model",
      "Pretrained model to load (deploy_from_api) when the element starts; "
      "set while playing, it loads in the background, and a model that "
      "fails to load is replaced by the previous one again "
      "(NULL = use what the server has)", RW_FLAGS | GST_PARAM_MUTABLE_PLAYING);
  /**
   * GstSlyModelInfer:device:
   *
   * Device the model is loaded on, used with #GstSlyModelInfer:model.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_DEVICE, "device", "Device",
      "Device for model loading, e.g. cpu or cuda:0 (NULL = server's choice)",
      RW_FLAGS | GST_PARAM_MUTABLE_PLAYING);
  /**
   * GstSlyModelInfer:runtime:
   *
   * Runtime the model is loaded with, used with #GstSlyModelInfer:model.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_RUNTIME, "runtime", "Runtime",
      "Runtime for model loading: PyTorch, ONNXRuntime or TensorRT "
      "(NULL = PyTorch)", RW_FLAGS | GST_PARAM_MUTABLE_PLAYING);
  /**
   * GstSlyModelInfer:conf:
   *
   * Minimum confidence of the predictions the server returns.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_CONF,
      g_param_spec_double ("conf", "Confidence",
          "Minimum confidence of predictions (-1 = the server's default)",
          -1.0, 1.0, DEFAULT_CONF, RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:classes:
   *
   * Class names to keep; a warning names those the model does not have.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_CLASSES, "classes", "Classes",
      "Comma-separated class names to keep, e.g. person,car (NULL = all "
      "classes of the model)", RW_FLAGS | GST_PARAM_MUTABLE_PLAYING);
  /**
   * GstSlyModelInfer:img-size:
   *
   * Model input size the server should use.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_IMG_SIZE,
      g_param_spec_int ("img-size", "Image size",
          "Model input size the server should use (0 = the server's default)",
          0, 16384, DEFAULT_IMG_SIZE, RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:settings:
   *
   * Extra inference settings, a JSON object merged into state.settings.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_SETTINGS, "settings", "Settings",
      "Extra inference settings: a JSON object merged into state.settings, "
      "e.g. {\"iou\": 0.5}", RW_FLAGS | GST_PARAM_MUTABLE_PLAYING);
  /**
   * GstSlyModelInfer:tracking:
   *
   * Track objects across frames with BoT-SORT on the client.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_TRACKING,
      g_param_spec_boolean ("tracking", "Tracking",
          "Track objects across frames with BoT-SORT on the client: track "
          "ids on every object, and frames without an answer carry the "
          "tracker's predicted boxes", DEFAULT_TRACKING,
          RW_FLAGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSlyModelInfer:tracking-config:
   *
   * JSON object overriding the server's BoT-SORT parameters.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_TRACKING_CONFIG, "tracking-config",
      "Tracking config", "JSON object overriding the server's BoT-SORT "
      "parameters, e.g. {\"track_buffer\": 60}",
      RW_FLAGS | GST_PARAM_MUTABLE_READY);
}

static void
install_throughput_properties (GObjectClass * klass)
{
  /**
   * GstSlyModelInfer:max-inflight:
   *
   * Requests outstanding at the same time; see #GstSlyModelInfer:overload.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_MAX_INFLIGHT,
      g_param_spec_uint ("max-inflight", "Max in flight",
          "Requests outstanding at the same time", 1, 64,
          DEFAULT_MAX_INFLIGHT, RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:batch-size:
   *
   * Frames sent in one request, capped by the server's max_batch_size.
   * 0 (auto, the default): on non-live input to a server that says it
   * batches, a frame that finds a request slot free leaves alone, and
   * frames that come while every slot is taken gather into one batch (up
   * to 4) that leaves as soon as a request ends: batches form only when
   * the server is the limit, and no frame waits for frames after it. Live
   * input, overload=skip/drop, roi and inference-region=objects send one
   * frame per request. N > 0: batches of N frames (a batch leaves early
   * only for an event, a query or a full queue).
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_BATCH_SIZE,
      g_param_spec_uint ("batch-size", "Batch size",
          "Frames per inference_batch request, capped by the server's "
          "max_batch_size (0 = auto: on non-live input, frames that wait "
          "for a free request slot go together, up to 4)", 0, 64,
          DEFAULT_BATCH_SIZE, RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:jpeg-quality:
   *
   * Quality of the JPEG frames sent to the server.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_JPEG_QUALITY,
      g_param_spec_int ("jpeg-quality", "JPEG quality",
          "Quality of the JPEG frames sent to the server", 1, 100,
          DEFAULT_JPEG_QUALITY, RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:upload-format:
   *
   * Encoding of raw frames sent to the server.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_UPLOAD_FORMAT,
      g_param_spec_enum ("upload-format", "Upload format",
          "Encoding of raw frames sent to the server (image/jpeg input is "
          "sent as is)", gst_sly_upload_format_get_type (),
          DEFAULT_UPLOAD_FORMAT, RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:upload-max-size:
   *
   * Scales raw frames down before encoding so that their longest side is
   * at most this many pixels; every geometry of the answer is mapped back
   * to frame coordinates (masks are scaled to the frame). Set it to the
   * model's input size (640 for most detectors): the model would shrink
   * the frame anyway, and encoding, upload and the server's decoding of a
   * large frame cost far more than the scaling. image/jpeg input is sent
   * as it is.
   *
   * Since: 0.2
   */
  g_object_class_install_property (klass, PROP_UPLOAD_MAX_SIZE,
      g_param_spec_uint ("upload-max-size", "Upload max size",
          "Longest side in pixels of the images sent; larger raw frames are "
          "scaled down and the answers mapped back (0 = full frame)", 0,
          16384, DEFAULT_UPLOAD_MAX_SIZE,
          RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:roi:
   *
   * Regions of interest in frame pixels, "x,y,width,height", several
   * separated by ";". Only the regions are cropped, encoded and sent (in
   * one request per frame), and every geometry comes back in frame
   * coordinates: objects outside every region do not exist for the frame.
   * Raw video only; empty = the whole frame.
   *
   * Since: 0.2
   */
  install_string (klass, PROP_ROI, "roi", "Regions of interest",
      "Regions to infer on, x,y,width,height in frame pixels, several "
      "separated by ';' (NULL = the whole frame)",
      RW_FLAGS | GST_PARAM_MUTABLE_PLAYING);
  /**
   * GstSlyModelInfer:sliding-window:
   *
   * "WIDTHxHEIGHT": the model runs on windows of that size sliding over
   * the frame (overlapping by sliding-window-overlap) and their objects
   * are merged, for small objects in large frames. A server whose session
   * info has a sliding_window_support other than "none" runs the windows
   * itself (the frame goes once); for any other the element cuts the
   * windows, sends them in one request and merges what several windows saw
   * of one object (after a warning that says so). Raw video only.
   *
   * Since: 0.2
   */
  install_string (klass, PROP_SLIDING_WINDOW, "sliding-window",
      "Sliding window", "Window size WIDTHxHEIGHT for sliding-window "
      "inference, e.g. 640x640, run by the server when it can, else cut "
      "here (NULL = the whole frame)", RW_FLAGS | GST_PARAM_MUTABLE_PLAYING);
  /**
   * GstSlyModelInfer:sliding-window-overlap:
   *
   * Pixels two neighbouring windows share; an object fits in one window
   * when the overlap is at least its size.
   *
   * Since: 0.2
   */
  g_object_class_install_property (klass, PROP_SLIDING_WINDOW_OVERLAP,
      g_param_spec_uint ("sliding-window-overlap", "Sliding window overlap",
          "Pixels neighbouring sliding windows share", 0, 16384,
          DEFAULT_WINDOW_OVERLAP, RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:overload:
   *
   * What happens to a frame when max-inflight requests are outstanding.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_OVERLOAD,
      g_param_spec_enum ("overload", "Overload",
          "What to do with a frame when max-inflight requests are "
          "outstanding", gst_sly_overload_get_type (), DEFAULT_OVERLOAD,
          RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:inference-interval:
   *
   * Infer every Nth frame only.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint ("inference-interval", "Inference interval",
          "Infer every Nth frame; the others pass marked skipped", 1,
          G_MAXUINT, DEFAULT_INFERENCE_INTERVAL,
          RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:max-queued-frames:
   *
   * Frames the element holds at most (waiting for their answers or for
   * downstream); when full, upstream waits, as with queue.
   *
   * Since: 0.2
   */
  g_object_class_install_property (klass, PROP_MAX_QUEUED_FRAMES,
      g_param_spec_uint ("max-queued-frames", "Max queued frames",
          "Frames held at most, in flight or waiting for downstream; when "
          "full, upstream waits (0 = no limit)", 0, G_MAXUINT,
          DEFAULT_MAX_QUEUED_FRAMES, RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:max-queued-bytes:
   *
   * Bytes of frames the element holds at most; it always takes one frame.
   *
   * Since: 0.2
   */
  g_object_class_install_property (klass, PROP_MAX_QUEUED_BYTES,
      g_param_spec_uint64 ("max-queued-bytes", "Max queued bytes",
          "Bytes of frames held at most (at least one frame is taken; "
          "0 = no limit)", 0, G_MAXUINT64, DEFAULT_MAX_QUEUED_BYTES,
          RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
}

/* inference-region=objects and what it crops */
static void
install_region_properties (GObjectClass * klass)
{
  /**
   * GstSlyModelInfer:inference-region:
   *
   * What goes to the model. `frame`: the frame, or its roi regions.
   * `objects`: the objects an upstream model put on the buffer (the
   * prediction meta of an upstream slymodelinfer, else every
   * GstVideoRegionOfInterestMeta) whose class is in object-classes and
   * whose box is at least min-object-size: each is cropped (grown by
   * object-padding) and the crops of a frame go in one request. The
   * answer for a crop is attached to its object: its image tags become the
   * object's tags (in the prediction meta, as a `tags` param of the
   * object's ROI meta, in messages), its objects become objects of the
   * frame whose parent is that object (ROI meta parent_id). The prediction
   * meta of the upstream model is replaced by one holding both; tracking
   * on this element is ignored. Raw video only.
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, PROP_INFERENCE_REGION,
      g_param_spec_enum ("inference-region", "Inference region",
          "What is sent to the model: the frame, or the objects of an "
          "upstream model (each cropped; answers attached to them)",
          gst_sly_inference_region_get_type (), DEFAULT_INFERENCE_REGION,
          RW_FLAGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSlyModelInfer:object-classes:
   *
   * With inference-region=objects: the classes of the upstream objects to
   * send, comma-separated (as classes); empty = every class.
   *
   * Since: 0.3
   */
  install_string (klass, PROP_OBJECT_CLASSES, "object-classes",
      "Object classes", "inference-region=objects: classes of the upstream "
      "objects to send, comma-separated (NULL = all)",
      RW_FLAGS | GST_PARAM_MUTABLE_PLAYING);
  /**
   * GstSlyModelInfer:min-object-size:
   *
   * With inference-region=objects: objects narrower or lower than this
   * (pixels) are not sent.
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, PROP_MIN_OBJECT_SIZE,
      g_param_spec_int ("min-object-size", "Min object size",
          "inference-region=objects: smallest width and height of an object "
          "that is sent, in pixels", 0, G_MAXINT, DEFAULT_MIN_OBJECT_SIZE,
          RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:object-padding:
   *
   * With inference-region=objects: pixels added on each side of an
   * object's box before cropping (clipped to the frame), for models that
   * want some context around the object.
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, PROP_OBJECT_PADDING,
      g_param_spec_int ("object-padding", "Object padding",
          "inference-region=objects: pixels added on each side of an "
          "object's box before cropping", 0, 16384, DEFAULT_OBJECT_PADDING,
          RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:reclassify-interval:
   *
   * With inference-region=objects and tracked objects upstream (track
   * ids): each track is sent once every this many frames and keeps the
   * tags of its last answer on the frames in between. A track whose
   * request failed is sent again on its next frame; a track not seen for
   * this many frames is forgotten. Objects without a track id are sent on
   * every frame.
   *
   * Since: 0.3
   */
  g_object_class_install_property (klass, PROP_RECLASSIFY_INTERVAL,
      g_param_spec_uint ("reclassify-interval", "Reclassify interval",
          "inference-region=objects: send each tracked object once every N "
          "frames, carrying its last tags in between (1 = every frame)", 1,
          G_MAXINT, DEFAULT_RECLASSIFY_INTERVAL,
          RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
}

static void
install_reporting_properties (GObjectClass * klass)
{
  /**
   * GstSlyModelInfer:post-messages:
   *
   * Post a slymodelinfer-prediction element message per output frame.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a slymodelinfer-prediction element message per frame "
          "(running-time, status, annotation JSON)", DEFAULT_POST_MESSAGES,
          RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSlyModelInfer:latency:
   *
   * Latency added to LATENCY queries; -1 measures it. On live input it is
   * also each frame's budget: a frame leaves at most this long after it
   * came in, with its answer or marked late.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_LATENCY,
      g_param_spec_int64 ("latency", "Latency",
          "Latency in nanoseconds added to LATENCY queries, and the longest a "
          "live frame waits for its answer (-1 = automatic: the measured p95 "
          "round trip plus a quarter, 250 ms before any was measured, plus "
          "the time to gather a batch)", -1, G_MAXINT64, DEFAULT_LATENCY,
          RW_FLAGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSlyModelInfer:stats-interval:
   *
   * Post a slymodelinfer-stats element message this often.
   *
   * Since: 0.2
   */
  g_object_class_install_property (klass, PROP_STATS_INTERVAL,
      g_param_spec_uint ("stats-interval", "Stats interval",
          "Post a slymodelinfer-stats element message (the stats fields) "
          "every this many milliseconds while frames flow (0 = only at EOS)",
          0, G_MAXUINT, DEFAULT_STATS_INTERVAL,
          RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
}

static void
install_read_only_properties (GObjectClass * klass)
{
  /**
   * GstSlyModelInfer:model-meta:
   *
   * The model's classes and tags (ProjectMeta JSON). This and the other
   * read-only model properties are notified (notify::) when the element
   * has read them, at start, after a load and on refresh.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_MODEL_META, "model-meta", "Model meta",
      "The model's classes and tags (ProjectMeta JSON), read at start and "
      "on refresh", RO_FLAGS);
  /**
   * GstSlyModelInfer:model-classes:
   *
   * Class names the model predicts, in model order.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_MODEL_CLASSES,
      g_param_spec_boxed ("model-classes", "Model classes",
          "Class names the model predicts, in model order", G_TYPE_STRV,
          RO_FLAGS));
  /**
   * GstSlyModelInfer:model-settings:
   *
   * The server's default inference settings.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_MODEL_SETTINGS, "model-settings",
      "Model settings", "The server's default inference settings (JSON, or "
      "the YAML text the app sent)", RO_FLAGS);
  /**
   * GstSlyModelInfer:tracking-settings:
   *
   * The server's BoT-SORT defaults.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_TRACKING_SETTINGS, "tracking-settings",
      "Tracking settings", "The server's BoT-SORT defaults (JSON), NULL when "
      "it has none", RO_FLAGS);
  /**
   * GstSlyModelInfer:session-info:
   *
   * The server's get_session_info answer.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_SESSION_INFO, "session-info", "Session info",
      "The server's get_session_info answer (JSON)", RO_FLAGS);
  /**
   * GstSlyModelInfer:deploy-info:
   *
   * The server's get_deploy_info answer.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_DEPLOY_INFO, "deploy-info", "Deploy info",
      "The server's get_deploy_info answer (JSON)", RO_FLAGS);
  /**
   * GstSlyModelInfer:deployed:
   *
   * Whether the server had a model ready at start or last refresh.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_DEPLOYED,
      g_param_spec_boolean ("deployed", "Deployed",
          "Whether the server had a model ready at start or last refresh",
          FALSE, RO_FLAGS));
  /**
   * GstSlyModelInfer:status:
   *
   * The server's get_status answer.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_STATUS, "status", "Status",
      "The server's get_status answer (JSON) at start or last refresh",
      RO_FLAGS);
  /**
   * GstSlyModelInfer:stats:
   *
   * Counters since the element started, as a #GstStructure.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters since the element started: frames-in, frames-out and "
          "what they went out as (inferred, skipped, dropped, failed, late, "
          "tracker-predicted), in-flight, fps, and once answers came back "
          "round-trip-p50 and round-trip-p95 (ns)",
          GST_TYPE_STRUCTURE, RO_FLAGS));
}

static void
gst_sly_model_infer_install_properties (GObjectClass * klass)
{
  install_connection_properties (klass);
  install_model_properties (klass);
  install_throughput_properties (klass);
  install_region_properties (klass);
  install_reporting_properties (klass);
  install_read_only_properties (klass);
}

/* "person,car", "<person, car>", "{person,car}" -> {"person", "car"};
 * NULL for an empty list (all classes). */
static gchar *
strip_pair (gchar * s, const gchar * open, const gchar * close)
{
  gsize len = strlen (s);

  if (len >= 2 && strchr (open, s[0]) && strchr (close, s[len - 1])) {
    s[len - 1] = '\0';
    s++;
  }
  return s;
}

static gchar **
parse_classes (const gchar * text)
{
  g_autofree gchar *copy = NULL;
  g_auto (GStrv) parts = NULL;
  GPtrArray *out;
  guint i;

  if (text == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (text));
  parts = g_strsplit (strip_pair (copy, "<{[", ">}]"), ",", -1);
  out = g_ptr_array_new ();
  for (i = 0; parts[i] != NULL; i++) {
    gchar *name = strip_pair (g_strstrip (parts[i]), "\"", "\"");

    if (*name != '\0')
      g_ptr_array_add (out, g_strdup (name));
  }
  if (out->len == 0) {
    g_ptr_array_unref (out);
    return NULL;
  }
  g_ptr_array_add (out, NULL);
  return (gchar **) g_ptr_array_free (out, FALSE);
}

/* Posts a warning naming classes the model does not have. */
static void
check_classes (GstSlyModelInfer * self)
{
  g_auto (GStrv) wanted = NULL;
  g_auto (GStrv) known = NULL;
  g_autoptr (GString) unknown = g_string_new (NULL);
  g_autofree gchar *known_list = NULL;
  guint i;

  GST_OBJECT_LOCK (self);
  wanted = parse_classes (self->classes);
  if (self->info != NULL)
    known = g_strdupv (self->info->classes);
  GST_OBJECT_UNLOCK (self);

  if (wanted == NULL || known == NULL)
    return;
  for (i = 0; wanted[i] != NULL; i++) {
    if (!g_strv_contains ((const gchar * const *) known, wanted[i]))
      g_string_append_printf (unknown, "%s%s", unknown->len ? ", " : "",
          wanted[i]);
  }
  if (unknown->len == 0)
    return;
  known_list = g_strjoinv (", ", known);
  GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
      ("The model has no class named %s; its classes are: %s",
          unknown->str, known_list), (NULL));
}

/* Frames per request with batch-size=0 on non-live input: the SDK's own
 * server spends about 20 ms of CPU per frame in batches of 4 against 33
 * alone; more frames add latency for little. */
#define AUTO_BATCH_SIZE 4

/* called with GST_OBJECT_LOCK: whether the server says it batches */
static gboolean
locked_server_batches (GstSlyModelInfer * self)
{
  JsonNode *info = self->info ? self->info->session_info : NULL;
  JsonNode *member;

  if (info == NULL || !JSON_NODE_HOLDS_OBJECT (info))
    return FALSE;
  member = json_object_get_member (json_node_get_object (info),
      "batch_inference_support");
  return member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
      json_node_get_value_type (member) == G_TYPE_BOOLEAN &&
      json_node_get_boolean (member);
}

/* called with GST_OBJECT_LOCK: whether the server runs sliding windows
 * (session info sliding_window_support other than "none") */
static gboolean
locked_server_has_windows (GstSlyModelInfer * self)
{
  JsonNode *info = self->info ? self->info->session_info : NULL;
  JsonNode *member;

  if (info == NULL || !JSON_NODE_HOLDS_OBJECT (info))
    return FALSE;
  member = json_object_get_member (json_node_get_object (info),
      "sliding_window_support");
  return member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
      json_node_get_value_type (member) == G_TYPE_STRING &&
      g_strcmp0 (json_node_get_string (member), "none") != 0;
}

/* called with GST_OBJECT_LOCK: frames per request, batch-size (or the
 * automatic choice) capped by the server's max_batch_size */
static guint
locked_batch_size (GstSlyModelInfer * self)
{
  guint size = self->batch_size;

  /* auto: batches only where waiting for frames costs no live latency */
  if (size == 0)
    size = (!self->live && locked_server_batches (self)) ? AUTO_BATCH_SIZE : 1;
  if (self->info != NULL && self->info->max_batch_size > 0)
    return MIN (size, self->info->max_batch_size);
  return size;
}

/* "WxH" -> @w, @h (both from 1); NULL or "" -> 0 x 0 */
static gboolean
parse_window (const gchar * text, gint * w, gint * h)
{
  g_auto (GStrv) parts = NULL;
  guint64 v[2];

  *w = *h = 0;
  if (text == NULL || *text == '\0')
    return TRUE;
  parts = g_strsplit (text, "x", -1);
  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 1, 16384, &v[0],
          NULL) ||
      !g_ascii_string_to_unsigned (g_strstrip (parts[1]), 10, 1, 16384, &v[1],
          NULL))
    return FALSE;
  *w = v[0];
  *h = v[1];
  return TRUE;
}

/* "x,y,w,h" -> @r: four decimal integers, x and y from 0, sizes from 1. */
static gboolean
parse_region (const gchar * text, GstVideoRectangle * r)
{
  g_auto (GStrv) fields = g_strsplit (text, ",", -1);
  gint64 v[4];
  guint i;

  if (g_strv_length (fields) != 4)
    return FALSE;
  for (i = 0; i < 4; i++)
    if (!g_ascii_string_to_signed (g_strstrip (fields[i]), 10, i < 2 ? 0 : 1,
            G_MAXINT, &v[i], NULL))
      return FALSE;
  r->x = v[0];
  r->y = v[1];
  r->w = v[2];
  r->h = v[3];
  return TRUE;
}

/* "x,y,w,h;x,y,w,h" -> rectangles; NULL (empty) for none, and FALSE for
 * text that is not such a list. */
static gboolean
parse_regions (const gchar * text, GArray ** regions)
{
  g_auto (GStrv) parts = NULL;
  guint i;

  *regions = NULL;
  if (text == NULL)
    return TRUE;
  parts = g_strsplit (text, ";", -1);
  *regions = g_array_new (FALSE, FALSE, sizeof (GstVideoRectangle));
  for (i = 0; parts[i] != NULL; i++) {
    GstVideoRectangle r;

    if (*g_strstrip (parts[i]) == '\0')
      continue;
    if (!parse_region (parts[i], &r)) {
      g_clear_pointer (regions, g_array_unref);
      return FALSE;
    }
    g_array_append_val (*regions, r);
  }
  if ((*regions)->len == 0)
    g_clear_pointer (regions, g_array_unref);
  return TRUE;
}

static void
set_string (gchar ** field, const GValue * value)
{
  g_free (*field);
  *field = g_value_dup_string (value);
}

/* called with GST_OBJECT_LOCK: what the model property and the load action
 * share. The request is handed to the I/O thread under the lock because
 * stop() frees the thread once it took it from self->io under the same
 * lock; handing it over only queues a source, it never waits. */
static void
locked_set_model (GstSlyModelInfer * self, const gchar * model,
    const gchar * device, const gchar * runtime)
{
  g_autofree gchar *previous = g_strdup (self->model);

  /* without a model property, the one the server said it runs */
  if (previous == NULL && self->info != NULL)
    previous = g_strdup (self->info->model_name);
  if (model != self->model) {
    g_free (self->model);
    self->model = g_strdup (model);
  }
  if (device != self->device) {
    g_free (self->device);
    self->device = g_strdup (device);
  }
  if (runtime != self->runtime) {
    g_free (self->runtime);
    self->runtime = g_strdup (runtime);
  }
  if (self->io != NULL && self->model != NULL)
    gst_sly_io_thread_control (self->io, GST_SLY_IO_OP_LOAD, self->model,
        self->device, self->runtime, previous);
}

static void
gst_sly_model_infer_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (object);
  gboolean check = FALSE, bad_roi = FALSE, bad_window = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_URL:
      set_string (&self->cfg.url, value);
      /* "" is unset, as a gst-launch user expects */
      if (self->cfg.url != NULL && self->cfg.url[0] == '\0')
        g_clear_pointer (&self->cfg.url, g_free);
      break;
    case PROP_TASK_IDS:
      set_string (&self->cfg.task_ids, value);
      /* "" unsets, as for url */
      if (self->cfg.task_ids != NULL && *g_strstrip (self->cfg.task_ids) == 0)
        g_clear_pointer (&self->cfg.task_ids, g_free);
      break;
    case PROP_TASK_ID:
      self->cfg.task_id = g_value_get_int64 (value);
      break;
    case PROP_SERVER_ADDRESS:
      set_string (&self->cfg.server_address, value);
      break;
    case PROP_API_TOKEN:
      set_string (&self->cfg.api_token, value);
      break;
    case PROP_CA_FILE:
      set_string (&self->cfg.ca_file, value);
      break;
    case PROP_MAX_OBJECTS:
      self->cfg.max_objects = g_value_get_uint (value);
      break;
    case PROP_MODEL:
      locked_set_model (self, g_value_get_string (value), self->device,
          self->runtime);
      break;
    case PROP_DEVICE:
      set_string (&self->device, value);
      break;
    case PROP_RUNTIME:
      set_string (&self->runtime, value);
      break;
    case PROP_CONF:
      self->conf = g_value_get_double (value);
      break;
    case PROP_CLASSES:
      set_string (&self->classes, value);
      check = TRUE;
      break;
    case PROP_IMG_SIZE:
      self->img_size = g_value_get_int (value);
      break;
    case PROP_SETTINGS:
      set_string (&self->settings, value);
      break;
    case PROP_TRACKING:
      self->tracking = g_value_get_boolean (value);
      break;
    case PROP_TRACKING_CONFIG:
      set_string (&self->tracking_config, value);
      break;
    case PROP_MAX_INFLIGHT:
      self->max_inflight = g_value_get_uint (value);
      break;
    case PROP_BATCH_SIZE:
      self->batch_size = g_value_get_uint (value);
      break;
    case PROP_TIMEOUT:
      self->cfg.timeout_ms = g_value_get_uint (value);
      break;
    case PROP_RETRIES:
      self->cfg.retries = g_value_get_uint (value);
      break;
    case PROP_JPEG_QUALITY:
      self->jpeg_quality = g_value_get_int (value);
      break;
    case PROP_UPLOAD_FORMAT:
      self->upload_format = g_value_get_enum (value);
      break;
    case PROP_OVERLOAD:
      self->overload = g_value_get_enum (value);
      break;
    case PROP_INFERENCE_INTERVAL:
      self->inference_interval = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_LATENCY:
      self->latency = g_value_get_int64 (value);
      break;
    case PROP_MAX_QUEUED_FRAMES:
      self->max_queued_frames = g_value_get_uint (value);
      gst_sly_request_queue_set_limits (&self->queue, self->max_queued_frames,
          self->max_queued_bytes);
      break;
    case PROP_MAX_QUEUED_BYTES:
      self->max_queued_bytes = g_value_get_uint64 (value);
      gst_sly_request_queue_set_limits (&self->queue, self->max_queued_frames,
          self->max_queued_bytes);
      break;
    case PROP_STATS_INTERVAL:
      self->stats_interval = g_value_get_uint (value);
      break;
    case PROP_UPLOAD_MAX_SIZE:
      self->upload_max_size = g_value_get_uint (value);
      break;
    case PROP_SLIDING_WINDOW:{
      gint w, h;

      if (parse_window (g_value_get_string (value), &w, &h)) {
        set_string (&self->sliding_window, value);
        self->window_width = w;
        self->window_height = h;
      } else {
        bad_window = TRUE;
      }
      break;
    }
    case PROP_SLIDING_WINDOW_OVERLAP:
      self->window_overlap = g_value_get_uint (value);
      break;
    case PROP_INFERENCE_REGION:
      self->inference_region = g_value_get_enum (value);
      break;
    case PROP_OBJECT_CLASSES:
      set_string (&self->object_classes, value);
      break;
    case PROP_MIN_OBJECT_SIZE:
      self->min_object_size = g_value_get_int (value);
      break;
    case PROP_OBJECT_PADDING:
      self->object_padding = g_value_get_int (value);
      break;
    case PROP_RECLASSIFY_INTERVAL:
      self->reclassify_interval = g_value_get_uint (value);
      break;
    case PROP_ROI:{
      GArray *regions;

      if (parse_regions (g_value_get_string (value), &regions)) {
        set_string (&self->roi, value);
        g_clear_pointer (&self->regions, g_array_unref);
        self->regions = regions;
      } else {
        bad_roi = TRUE;
      }
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  /* posts a message: not under the lock */
  if (check)
    check_classes (self);
  if (bad_window)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("The sliding-window "
            "property must be WIDTHxHEIGHT, e.g. 640x640: \"%s\" is ignored",
            g_value_get_string (value)), (NULL));
  if (bad_roi)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("The roi property must be "
            "x,y,width,height with positive sizes, several separated by ';': "
            "\"%s\" is ignored", g_value_get_string (value)), (NULL));
}

/* The url property's comma-separated URLs, each without its secrets. */
static gchar *
redact_urls (const gchar * urls)
{
  g_auto (GStrv) parts = g_strsplit (urls, ",", -1);
  guint i;

  for (i = 0; parts[i] != NULL; i++) {
    gchar *safe = sly_redact_url (g_strstrip (parts[i]));

    g_free (parts[i]);
    parts[i] = safe;
  }
  return g_strjoinv (",", parts);
}

static gchar *
node_to_string (JsonNode * node)
{
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return sly_json_to_string (node);
}

/* called with GST_OBJECT_LOCK: the read-only properties the server fills */
static void
get_info_property (GstSlyModelInfer * self, guint prop_id, GValue * value)
{
  SlyModelInfo *info = self->info;

  if (info == NULL) {
    if (prop_id == PROP_DEPLOYED)
      g_value_set_boolean (value, FALSE);
    return;
  }
  switch (prop_id) {
    case PROP_MODEL_META:
      g_value_take_string (value, node_to_string (info->model_meta));
      break;
    case PROP_MODEL_CLASSES:
      g_value_set_boxed (value, info->classes);
      break;
    case PROP_MODEL_SETTINGS:
      g_value_take_string (value, node_to_string (info->settings));
      break;
    case PROP_TRACKING_SETTINGS:
      g_value_take_string (value, node_to_string (info->tracking_settings));
      break;
    case PROP_SESSION_INFO:
      g_value_take_string (value, node_to_string (info->session_info));
      break;
    case PROP_DEPLOY_INFO:
      g_value_take_string (value, node_to_string (info->deploy_info));
      break;
    case PROP_DEPLOYED:
      g_value_set_boolean (value, info->deployed);
      break;
    case PROP_STATUS:
      g_value_take_string (value, node_to_string (info->status));
      break;
    default:
      g_assert_not_reached ();
  }
}

static void
gst_sly_model_infer_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (object);

  if (prop_id == PROP_STATS) {
    /* the stats have their own lock */
    GstStructure *s = gst_sly_infer_stats_to_structure (self->stats,
        "application/x-slymodelinfer-stats",
        gst_sly_request_queue_get_inflight (&self->queue));

    /* the I/O thread is not freed while the lock is held */
    GST_OBJECT_LOCK (self);
    if (self->io != NULL)
      gst_sly_io_thread_add_stats (self->io, s);
    GST_OBJECT_UNLOCK (self);
    g_value_take_boxed (value, s);
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_URL:
      /* dot dumps and applications print it: no session token */
      g_value_take_string (value, self->cfg.url ?
          redact_urls (self->cfg.url) : NULL);
      break;
    case PROP_TASK_IDS:
      g_value_set_string (value, self->cfg.task_ids);
      break;
    case PROP_TASK_ID:
      g_value_set_int64 (value, self->cfg.task_id);
      break;
    case PROP_SERVER_ADDRESS:
      g_value_set_string (value, self->cfg.server_address);
      break;
    case PROP_API_TOKEN:
      /* never hand the secret back out */
      g_value_set_string (value, self->cfg.api_token ? "***" : NULL);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->cfg.ca_file);
      break;
    case PROP_MAX_OBJECTS:
      g_value_set_uint (value, self->cfg.max_objects);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_RUNTIME:
      g_value_set_string (value, self->runtime);
      break;
    case PROP_CONF:
      g_value_set_double (value, self->conf);
      break;
    case PROP_CLASSES:
      g_value_set_string (value, self->classes);
      break;
    case PROP_IMG_SIZE:
      g_value_set_int (value, self->img_size);
      break;
    case PROP_SETTINGS:
      g_value_set_string (value, self->settings);
      break;
    case PROP_TRACKING:
      g_value_set_boolean (value, self->tracking);
      break;
    case PROP_TRACKING_CONFIG:
      g_value_set_string (value, self->tracking_config);
      break;
    case PROP_MAX_INFLIGHT:
      g_value_set_uint (value, self->max_inflight);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_uint (value, self->batch_size);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->cfg.timeout_ms);
      break;
    case PROP_RETRIES:
      g_value_set_uint (value, self->cfg.retries);
      break;
    case PROP_JPEG_QUALITY:
      g_value_set_int (value, self->jpeg_quality);
      break;
    case PROP_UPLOAD_FORMAT:
      g_value_set_enum (value, self->upload_format);
      break;
    case PROP_OVERLOAD:
      g_value_set_enum (value, self->overload);
      break;
    case PROP_INFERENCE_INTERVAL:
      g_value_set_uint (value, self->inference_interval);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_LATENCY:
      g_value_set_int64 (value, self->latency);
      break;
    case PROP_MAX_QUEUED_FRAMES:
      g_value_set_uint (value, self->max_queued_frames);
      break;
    case PROP_MAX_QUEUED_BYTES:
      g_value_set_uint64 (value, self->max_queued_bytes);
      break;
    case PROP_STATS_INTERVAL:
      g_value_set_uint (value, self->stats_interval);
      break;
    case PROP_UPLOAD_MAX_SIZE:
      g_value_set_uint (value, self->upload_max_size);
      break;
    case PROP_ROI:
      g_value_set_string (value, self->roi);
      break;
    case PROP_INFERENCE_REGION:
      g_value_set_enum (value, self->inference_region);
      break;
    case PROP_OBJECT_CLASSES:
      g_value_set_string (value, self->object_classes);
      break;
    case PROP_MIN_OBJECT_SIZE:
      g_value_set_int (value, self->min_object_size);
      break;
    case PROP_OBJECT_PADDING:
      g_value_set_int (value, self->object_padding);
      break;
    case PROP_RECLASSIFY_INTERVAL:
      g_value_set_uint (value, self->reclassify_interval);
      break;
    case PROP_SLIDING_WINDOW:
      g_value_set_string (value, self->sliding_window);
      break;
    case PROP_SLIDING_WINDOW_OVERLAP:
      g_value_set_uint (value, self->window_overlap);
      break;
    case PROP_MODEL_META:
    case PROP_MODEL_CLASSES:
    case PROP_MODEL_SETTINGS:
    case PROP_TRACKING_SETTINGS:
    case PROP_SESSION_INFO:
    case PROP_DEPLOY_INFO:
    case PROP_DEPLOYED:
    case PROP_STATUS:
      get_info_property (self, prop_id, value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---- the model information ---- */

/* called with GST_OBJECT_LOCK; takes @info */
static void
locked_set_info (GstSlyModelInfer * self, SlyModelInfo * info)
{
  guint i;

  g_clear_pointer (&self->info, sly_model_info_unref);
  self->info = info;
  g_clear_pointer (&self->class_index, g_hash_table_unref);
  self->class_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  for (i = 0; info->classes != NULL && info->classes[i] != NULL; i++)
    g_hash_table_insert (self->class_index, g_strdup (info->classes[i]),
        GUINT_TO_POINTER (i));
}

/* After the model information changed (not under the lock): the
 * read-only properties that follow it. */
static void
notify_info (GstSlyModelInfer * self)
{
  static const gchar *names[] = { "model-meta", "model-classes",
    "model-settings", "tracking-settings", "session-info", "deploy-info",
    "deployed", "status"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    g_object_notify (G_OBJECT (self), names[i]);
}

/* The server for error messages, without secrets. */
static gchar *
describe_server (GstSlyModelInfer * self)
{
  gchar *server;

  GST_OBJECT_LOCK (self);
  if (self->cfg.url == NULL && self->cfg.task_ids != NULL)
    server = g_strdup_printf ("tasks %s", self->cfg.task_ids);
  else if (self->cfg.url == NULL && self->cfg.task_id > 0)
    server = g_strdup_printf ("task %" G_GINT64_FORMAT, self->cfg.task_id);
  else if (self->cfg.url == NULL)
    server = g_strdup ("(none)");
  else
    server = redact_urls (self->cfg.url);
  GST_OBJECT_UNLOCK (self);
  return server;
}

/* Any thread: what the tracker needs to know about the model, from the
 * cache (never the network). */
static void
tracking_model_info (gpointer user_data, JsonNode ** session_info,
    JsonNode ** tracking_settings)
{
  GstSlyModelInfer *self = user_data;

  GST_OBJECT_LOCK (self);
  if (self->info != NULL && self->info->session_info != NULL)
    *session_info = json_node_copy (self->info->session_info);
  if (self->info != NULL && self->info->tracking_settings != NULL)
    *tracking_settings = json_node_copy (self->info->tracking_settings);
  GST_OBJECT_UNLOCK (self);
}

static guint
http_status (const GError * error)
{
  if (error != NULL && error->domain == SLY_HTTP_ERROR)
    return error->code;
  return 0;
}

/* ---- I/O thread callbacks ---- */

static void
post_start_error (GstSlyModelInfer * self, const gchar * model,
    const GError * error)
{
  g_autofree gchar *server = describe_server (self);
  g_autofree gchar *text = NULL;
  guint status = http_status (error);

  if (model != NULL)
    text = g_strdup_printf ("Could not load model \"%s\" on the model server "
        "at %s: %s", model, server, error->message);
  else if (status != 0)
    text = g_strdup_printf ("The model server at %s answered HTTP %u: %s",
        server, status, error->message);
  else
    text = g_strdup_printf ("Could not reach the model server at %s: %s",
        server, error->message);

  if (status != 0)
    GST_ELEMENT_ERROR_WITH_DETAILS (self, RESOURCE, OPEN_READ, ("%s", text),
        (NULL), ("http-status-code", G_TYPE_UINT, status, NULL));
  else
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", text), (NULL));
}

/* I/O thread: the outcome of a model load (property or action). */
static void
model_loaded (GstSlyModelInfer * self, const gchar * model,
    const GError * error, const gchar * rolled_back)
{
  GstStructure *s;

  if (rolled_back != NULL) {
    GST_OBJECT_LOCK (self);
    g_free (self->model);
    self->model = g_strdup (rolled_back);
    GST_OBJECT_UNLOCK (self);
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
        ("Could not load model \"%s\": %s; model \"%s\" is loaded again",
            model, error->message, rolled_back), (NULL));
  } else if (error != NULL) {
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
        ("Could not load model \"%s\" (the server may have no model now): %s",
            model, error->message), (NULL));
  }
  s = gst_structure_new ("slymodelinfer-model-loaded",
      "model", G_TYPE_STRING, model,
      "success", G_TYPE_BOOLEAN, error == NULL,
      "rolled-back", G_TYPE_BOOLEAN, rolled_back != NULL,
      "error", G_TYPE_STRING, error ? error->message : NULL, NULL);
  if (rolled_back != NULL)
    gst_structure_set (s, "model-now", G_TYPE_STRING, rolled_back, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* I/O thread */
static void
on_info_done (GstSlyIoOp op, const gchar * model, SlyModelInfo * info,
    const GError * error, const gchar * rolled_back, gpointer user_data)
{
  GstSlyModelInfer *self = user_data;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_clear_pointer (&info, sly_model_info_unref);
    return;
  }

  if (info != NULL) {
    GST_INFO_OBJECT (self, "model %s ready", GST_STR_NULL (info->model_name));
    GST_OBJECT_LOCK (self);
    locked_set_info (self, info);
    GST_OBJECT_UNLOCK (self);
  }

  switch (op) {
    case GST_SLY_IO_OP_START:
      if (error != NULL)
        post_start_error (self, model, error);
      gst_sly_request_queue_set_model_state (&self->queue,
          error ? GST_SLY_MODEL_FAILED : GST_SLY_MODEL_READY);
      break;
    case GST_SLY_IO_OP_LOAD:
      model_loaded (self, model, error, rolled_back);
      break;
    case GST_SLY_IO_OP_REFRESH:
      if (error != NULL)
        GST_ELEMENT_WARNING (self, RESOURCE, READ,
            ("Could not refresh the model information: %s", error->message),
            (NULL));
      break;
  }

  /* last: whoever waits for the notification finds the element ready */
  if (info != NULL) {
    notify_info (self);
    check_classes (self);
  }
}

/* I/O thread: one warning per interval at most, counting the frames it
 * stands for, so a server that is down does not flood the bus. */
static void
warn_failure (GstSlyModelInfer * self, guint n_frames, const GError * error)
{
  guint failures;

  if (!gst_sly_infer_stats_may_warn (self->stats, GST_SLY_WARN_FAILURE,
          n_frames, &failures)) {
    GST_DEBUG_OBJECT (self, "request failed: %s", error->message);
    return;
  }
  GST_ELEMENT_WARNING_WITH_DETAILS (self, RESOURCE, READ,
      ("Inference failed for %u frame(s), they pass without predictions: %s",
          failures, error->message), (NULL),
      ("http-status-code", G_TYPE_UINT, http_status (error), NULL));
}

/* I/O thread: answers with more objects than max-objects were cut */
static void
warn_truncated (GstSlyModelInfer * self, GPtrArray * annotations)
{
  guint i, dropped = 0, n;

  for (i = 0; i < annotations->len; i++)
    dropped += sly_annotation_get_n_dropped_objects (annotations->pdata[i]);
  if (dropped > 0 && gst_sly_infer_stats_may_warn (self->stats,
          GST_SLY_WARN_TRUNCATED, dropped, &n))
    GST_ELEMENT_WARNING (self, STREAM, DECODE,
        ("The model answered more objects than max-objects: %u dropped",
            n), (NULL));
}

/* I/O thread */
static void
on_batch_done (GstSlyBatch * batch, GPtrArray * annotations,
    const GError * error, gpointer user_data)
{
  GstSlyModelInfer *self = user_data;
  GstClockTime rtt = GST_CLOCK_TIME_NONE;
  g_autofree gchar *model_name = NULL;
  GstClockTime budget, rtt_sample;
  gboolean automatic;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    gst_sly_request_queue_complete (&self->queue, batch->epoch, batch->items,
        NULL, GST_SLY_RESULT_FAILED, rtt, NULL);
    gst_sly_request_builder_poke (self->requests);
    return;
  }
  if (batch->sent_us != 0)
    rtt = (g_get_monotonic_time () - batch->sent_us) * GST_USECOND;
  rtt_sample = rtt;

  GST_OBJECT_LOCK (self);
  if (self->info != NULL)
    model_name = g_strdup (self->info->model_name);
  automatic = self->latency < 0;
  budget = self->reported_latency;
  GST_OBJECT_UNLOCK (self);

  /* On live input a round trip counts for at most twice the budget: a
   * slow server (or one queueing our requests) raises the latency in a few
   * doubling steps until its answers fit, while the few answers of a
   * frozen server that wakes up cannot raise it for good to their length. */
  if (self->live && GST_CLOCK_TIME_IS_VALID (budget) &&
      GST_CLOCK_TIME_IS_VALID (rtt) && rtt > 2 * budget)
    rtt_sample = 2 * budget;
  if (annotations != NULL &&
      gst_sly_infer_stats_add_round_trip (self->stats, rtt, rtt_sample,
          automatic)) {
    GST_INFO_OBJECT (self, "round trips grew: asking for a new latency");
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  }
  if (error != NULL)
    warn_failure (self, batch->items->len, error);
  if (annotations != NULL) {
    warn_truncated (self, annotations);
    gst_sly_batch_map_to_frame (batch, annotations);
  }

  gst_sly_request_queue_complete (&self->queue, batch->epoch, batch->items,
      annotations, annotations ? GST_SLY_RESULT_INFERRED :
      GST_SLY_RESULT_FAILED, rtt, model_name);
  /* the slot it freed may be what a gathered batch waits for */
  gst_sly_request_builder_poke (self->requests);
}

static const GstSlyIoCallbacks io_callbacks = {
  on_batch_done,
  on_info_done,
};

/* ---- start and stop ---- */

static gboolean
check_json_object (const gchar * text, GError ** error)
{
  g_autoptr (JsonNode) root = NULL;

  if (text == NULL)
    return TRUE;
  root = sly_json_parse (text, -1, "the value", error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "not a JSON object");
    return FALSE;
  }
  return TRUE;
}

static void
post_tracking_warnings (GstSlyModelInfer * self, GPtrArray * warnings)
{
  guint i;

  for (i = 0; i < warnings->len; i++)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("Tracking: %s",
            (gchar *) warnings->pdata[i]), (NULL));
}

/* Creates the I/O thread for the configured server; it only checks the
 * configuration here and connects later, in the background. */
static GstSlyIoThread *
new_io_thread (GstSlyModelInfer * self, GError ** error)
{
  GstSlyClientConfig cfg;
  GstSlyIoThread *io;

  GST_OBJECT_LOCK (self);
  gst_sly_client_config_copy (&self->cfg, &cfg);
  GST_OBJECT_UNLOCK (self);
  io = gst_sly_io_thread_new (&cfg, &io_callbacks, self, error);
  gst_sly_client_config_clear (&cfg);
  return io;
}

/* READY to PAUSED: checks the configuration, then connects (and loads the
 * model) in the background; the chain function waits for the outcome. */
static gboolean
gst_sly_model_infer_start (GstSlyModelInfer * self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *settings = NULL;
  g_autofree gchar *tracking_config = NULL;
  GstSlyIoThread *io;
  gboolean tracking;
  guint threads;

  GST_OBJECT_LOCK (self);
  tracking = self->tracking;
  tracking_config = g_strdup (self->tracking_config);
  settings = g_strdup (self->settings);
  self->reported_latency = GST_CLOCK_TIME_NONE;
  GST_OBJECT_UNLOCK (self);
  gst_sly_infer_stats_reset (self->stats);

  if (!check_json_object (settings, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The settings property must be a JSON object: %s", error->message),
        (NULL));
    return FALSE;
  }
  if (tracking) {
    self->tracking_glue = sly_tracking_new (tracking_config,
        tracking_model_info, self, warnings, &error);
    post_tracking_warnings (self, warnings);
    if (self->tracking_glue == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("The tracking-config property is not usable: %s", error->message),
          (NULL));
      return FALSE;
    }
  }
  io = new_io_thread (self, &error);
  if (io == NULL) {
    g_autofree gchar *server = describe_server (self);

    g_clear_pointer (&self->tracking_glue, sly_tracking_free);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Cannot use the model "
            "server %s: %s", server, error->message), (NULL));
    return FALSE;
  }

  /* JPEG encoding is CPU-bound: more threads than cores or than requests
   * at once would not help; with one of either, the chain encodes */
  GST_OBJECT_LOCK (self);
  threads = MIN (self->max_inflight, g_get_num_processors ());
  GST_OBJECT_UNLOCK (self);
  gst_sly_request_builder_start (self->requests, io, threads);
  GST_DEBUG_OBJECT (self, "encoding on %u thread(s)", MAX (threads, 1));

  self->live_known = FALSE;
  self->have_caps = FALSE;
  self->frame_count = 0;
  self->warned_no_windows = FALSE;
  self->width = self->height = 0;
  gst_sly_request_queue_set_model_state (&self->queue,
      GST_SLY_MODEL_CONNECTING);
  GST_OBJECT_LOCK (self);
  self->io = io;
  gst_sly_io_thread_control (io, GST_SLY_IO_OP_START, self->model,
      self->device, self->runtime, NULL);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* PAUSED to READY, or a failed start: called with the pads deactivated. */
static void
gst_sly_model_infer_stop (GstSlyModelInfer * self)
{
  GstSlyIoThread *io;

  GST_OBJECT_LOCK (self);
  io = g_steal_pointer (&self->io);
  GST_OBJECT_UNLOCK (self);

  /* the pads are down: nothing is encoded or submitted any more once the
   * pool's last jobs ran; this cancels what is in flight and waits for
   * every completion */
  gst_sly_request_builder_stop (self->requests);
  if (io != NULL)
    gst_sly_io_thread_free (io);
  gst_sly_request_queue_flush (&self->queue, GST_FLOW_FLUSHING);
  /* the src task is stopped: nobody else touches the tracker */
  g_clear_pointer (&self->tracking_glue, sly_tracking_free);
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
      /* unblock a chain function waiting for a slot, for room or for the
       * model before the pads are deactivated (identity's pattern) */
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

/* ---- sink pad: deciding which frames get a request ---- */

/* The properties a frame is processed with, copied in one go. */
typedef struct
{
  GstSlyOverload overload;
  guint max_inflight;
  guint batch_size;
  gboolean gather;              /* batch-size auto: batches form under load */
  guint inference_interval;
  GstSlyUploadParams upload;
  gint window_width, window_height, window_overlap;
  gboolean windows_supported;
  gdouble conf;
  gchar **classes;
  gint img_size;
  gchar *settings;
  GstSlyInferenceRegion region;
  GstSlyObjectFilter objects;
} Snapshot;

static void
snapshot_take (GstSlyModelInfer * self, Snapshot * snap)
{
  gboolean tiles;

  memset (snap, 0, sizeof (*snap));
  GST_OBJECT_LOCK (self);
  snap->overload = self->overload;
  snap->max_inflight = self->max_inflight;
  snap->window_width = self->window_width;
  snap->window_height = self->window_height;
  snap->window_overlap = self->window_overlap;
  snap->windows_supported = locked_server_has_windows (self);
  /* a server without windows: the windows are cut here */
  tiles = snap->window_width > 0 && !snap->windows_supported;
  if (tiles) {
    snap->upload.tile_width = snap->window_width;
    snap->upload.tile_height = snap->window_height;
    snap->upload.tile_overlap = snap->window_overlap;
  }
  snap->batch_size = locked_batch_size (self);
  /* automatic batches gather only where frames would wait for a slot
   * anyway, one image per frame; elsewhere auto means one frame per
   * request */
  snap->gather = self->batch_size == 0 && snap->batch_size > 1 &&
      (self->overload == GST_SLY_OVERLOAD_AUTO ||
      self->overload == GST_SLY_OVERLOAD_WAIT) && self->regions == NULL &&
      !tiles && self->inference_region == GST_SLY_INFERENCE_REGION_FRAME;
  if (self->batch_size == 0 && !snap->gather)
    snap->batch_size = 1;
  snap->inference_interval = self->inference_interval;
  snap->upload.png = self->upload_format == GST_SLY_UPLOAD_PNG;
  snap->upload.jpeg_quality = self->jpeg_quality;
  snap->upload.upload_max_size = self->upload_max_size;
  snap->upload.batch_size = snap->batch_size;
  snap->upload.max_inflight = self->max_inflight;
  snap->upload.gather = snap->gather;
  snap->upload.regions = self->regions ? g_array_ref (self->regions) : NULL;
  snap->upload.max_images = self->info ? self->info->max_batch_size : 0;
  snap->conf = self->conf;
  snap->classes = parse_classes (self->classes);
  snap->img_size = self->img_size;
  snap->settings = g_strdup (self->settings);
  snap->region = self->inference_region;
  /* parsed per frame only where it is used */
  if (snap->region == GST_SLY_INFERENCE_REGION_OBJECTS)
    snap->objects.classes = parse_classes (self->object_classes);
  snap->objects.min_size = self->min_object_size;
  snap->objects.padding = self->object_padding;
  snap->objects.reclassify_interval = self->reclassify_interval;
  GST_OBJECT_UNLOCK (self);
}

static void
snapshot_clear (Snapshot * snap)
{
  g_strfreev (snap->classes);
  g_free (snap->settings);
  g_clear_pointer (&snap->upload.regions, g_array_unref);
  g_strfreev (snap->objects.classes);
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
  if (snap->window_width > 0 && snap->windows_supported)
    sly_inference_settings_set_sliding_window (s, snap->window_width,
        snap->window_height, snap->window_overlap, snap->window_overlap);
  else if (snap->window_width > 0 && !self->warned_no_windows) {
    self->warned_no_windows = TRUE;
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("The model server does "
            "not run sliding windows (its sliding_window_support is none or "
            "unknown): the element cuts the frames into the windows itself "
            "and merges their objects"), (NULL));
  }
  /* a bad value set while playing: go on without it */
  if (snap->settings != NULL &&
      !sly_inference_settings_set_extra_json (s, snap->settings, &error))
    warn_bad_settings (self, snap->settings, error);
  return s;
}

/* Any thread: a frame that cannot be encoded passes marked failed, with a
 * (rate-limited) warning. */
static void
warn_encode_failure (const GError * error, gpointer user_data)
{
  GstSlyModelInfer *self = user_data;
  guint n;

  if (gst_sly_infer_stats_may_warn (self->stats, GST_SLY_WARN_ENCODE, 1, &n))
    GST_ELEMENT_WARNING (self, STREAM, ENCODE,
        ("Could not encode %u frame(s) for upload, they pass marked failed: "
            "%s", n, error->message), (NULL));
}

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

/* Streaming thread: decides whether this frame gets a request; if not,
 * *@skip says what it becomes. Returns a flow error when the element has
 * to stop. */
static GstFlowReturn
decide (GstSlyModelInfer * self, const Snapshot * snap, GstSlyItem * item,
    GstSlyResult * skip, gboolean * infer)
{
  GstSlyModelState state = gst_sly_request_queue_get_model_state (&self->queue);
  GstFlowReturn ret = GST_FLOW_OK;

  *infer = FALSE;
  *skip = GST_SLY_RESULT_SKIPPED;
  if (self->frame_count++ % snap->inference_interval != 0) {
    item->planned = TRUE;
    return GST_FLOW_OK;
  }

  if (state == GST_SLY_MODEL_FAILED)
    return GST_FLOW_ERROR;
  if (state == GST_SLY_MODEL_CONNECTING)
    return GST_FLOW_OK;

  /* a batch in progress already owns a slot; with automatic batches frames
   * gather while no slot is free */
  if (snap->gather || (gst_sly_request_builder_n_pending (self->requests) > 0
          && !gst_sly_request_builder_has_gathered (self->requests)) ||
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

/* The latency this element adds: the property, or measured round trips
 * plus the time to gather a batch. */
static GstClockTime
element_latency (GstSlyModelInfer * self)
{
  GstClockTime gather;
  gint64 fixed;

  GST_OBJECT_LOCK (self);
  fixed = self->latency;
  gather = (locked_batch_size (self) - 1) * self->frame_duration;
  GST_OBJECT_UNLOCK (self);
  if (fixed >= 0)
    return fixed;
  return gst_sly_infer_stats_get_latency (self->stats, gather);
}

/* Streaming thread: when a live frame that came in now must leave: after
 * the latency this element reported upstream (what the sinks wait for). */
static gint64
live_deadline (GstSlyModelInfer * self)
{
  GstClockTime budget;

  if (!self->live)
    return 0;
  GST_OBJECT_LOCK (self);
  budget = self->reported_latency;
  GST_OBJECT_UNLOCK (self);
  if (!GST_CLOCK_TIME_IS_VALID (budget))
    budget = element_latency (self);
  return g_get_monotonic_time () + budget / GST_USECOND;
}

/* Streaming thread: with inference-region=objects every frame gets a plan
 * (the src task replaces the upstream prediction meta of each); which
 * objects go to the model when the frame is sent (*@infer). image/jpeg
 * cannot be cropped: its frames pass with the upstream objects as they
 * are (*@infer turns FALSE). */
static void
plan_objects (GstSlyModelInfer * self, const Snapshot * snap,
    GstSlyItem * item, GstBuffer * buffer, gboolean * infer)
{
  gint width, height;

  if (snap->region != GST_SLY_INFERENCE_REGION_OBJECTS)
    return;
  if (!gst_sly_request_builder_get_size (self->requests, &width, &height)) {
    if (!self->warned_jpeg_objects)
      GST_ELEMENT_WARNING (self, STREAM, FORMAT, ("inference-region=objects "
              "needs raw video: image/jpeg frames pass unchanged"), (NULL));
    self->warned_jpeg_objects = TRUE;
    if (*infer)
      item->planned = TRUE;
    *infer = FALSE;
  }
  item->objects = gst_sly_object_job_plan (buffer, width, height,
      *infer ? &snap->objects : NULL, self->reclassify);
}

/* Streaming thread, batch-size auto: while a slot is free a frame leaves
 * alone; while every slot is taken frames gather into a batch, which leaves
 * as soon as a request ends (the I/O thread sends it), or, once full, with
 * the frame that fills it, after waiting for a slot. So batches form only
 * where the server is the limit, and no frame waits for others to come. */
static GstFlowReturn
gather_frame (GstSlyModelInfer * self, Snapshot * snap)
{
  guint pending = gst_sly_request_builder_n_pending (self->requests);

  if (pending == 0 &&
      gst_sly_request_queue_has_slot (&self->queue, snap->max_inflight)) {
    snap->upload.batch_size = 1;
    return GST_FLOW_OK;
  }
  if (pending + 1 < snap->batch_size)
    return GST_FLOW_OK;
  return gst_sly_request_queue_wait_slot (&self->queue, snap->max_inflight);
}

/* Streaming thread: automatic batching is off now (a property changed)
 * but a batch it gathered waits: it leaves first, in its own slot, before
 * the frame that found it takes the window by other rules. */
static GstFlowReturn
send_gathered (GstSlyModelInfer * self, const Snapshot * snap)
{
  GstFlowReturn ret = gst_sly_request_queue_wait_slot (&self->queue,
      snap->max_inflight);

  if (ret == GST_FLOW_OK)
    gst_sly_request_builder_submit (self->requests);
  return ret;
}

static GstFlowReturn
gst_sly_model_infer_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);
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

  gst_sly_infer_stats_count_in (self->stats);
  snapshot_take (self, &snap);
  item = gst_sly_item_new_buffer (buffer, live_deadline (self));
  ret = decide (self, &snap, item, &skip, &infer);
  if (ret != GST_FLOW_OK) {
    gst_sly_item_unref (item);
    goto out;
  }
  plan_objects (self, &snap, item, buffer, &infer);
  if (infer && snap.gather)
    ret = gather_frame (self, &snap);
  else if (infer && gst_sly_request_builder_has_gathered (self->requests))
    ret = send_gathered (self, &snap);
  if (ret != GST_FLOW_OK) {
    gst_sly_item_unref (item);
    goto out;
  }
  if (infer)
    gst_sly_request_builder_add (self->requests, item, buffer, &snap.upload,
        make_settings (self, &snap));
  else
    gst_sly_request_queue_finish_item (&self->queue, item, skip);
  /* a batch that gathered while no slot was free leaves if one is now */
  if (infer && snap.gather)
    gst_sly_request_builder_submit (self->requests);

  /* the frames of the batch being gathered must not wait for room that
   * only their own answers can make */
  if (gst_sly_request_queue_is_full (&self->queue))
    gst_sly_request_builder_submit (self->requests);
  ret = gst_sly_request_queue_push (&self->queue, item);
  if (ret != GST_FLOW_OK)
    gst_sly_request_builder_drop (self->requests);

out:
  snapshot_clear (&snap);
  return ret;
}

static gboolean
set_caps (GstSlyModelInfer * self, GstCaps * caps)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  GstClockTime frame_duration = 0;

  GstVideoInfo info;

  if (gst_structure_has_name (s, "image/jpeg")) {
    gst_sly_request_builder_set_caps (self->requests, NULL);
  } else {
    if (!gst_video_info_from_caps (&info, caps))
      return FALSE;
    gst_sly_request_builder_set_caps (self->requests, &info);
    if (GST_VIDEO_INFO_FPS_N (&info) > 0)
      frame_duration = gst_util_uint64_scale (GST_SECOND,
          GST_VIDEO_INFO_FPS_D (&info), GST_VIDEO_INFO_FPS_N (&info));
  }
  self->have_caps = TRUE;
  /* LATENCY queries read it from other threads */
  GST_OBJECT_LOCK (self);
  self->frame_duration = frame_duration;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
start_task (GstSlyModelInfer * self)
{
  return gst_pad_start_task (self->srcpad,
      (GstTaskFunction) gst_sly_model_infer_loop, self->srcpad, NULL);
}

/* A new stream after EOS: EOS is not sticky, as with queue. */
static void
restart_after_eos (GstSlyModelInfer * self)
{
  if (gst_sly_request_queue_restart (&self->queue, self->srcpad,
          (GstTaskFunction) gst_sly_model_infer_loop, self->srcpad))
    GST_DEBUG_OBJECT (self, "new stream after EOS: restarted");
}

static gboolean
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
      gst_sly_request_builder_drop (self->requests);
      gst_sly_request_queue_flush (&self->queue, GST_FLOW_OK);
      /* a seek: tracks do not continue across it; the task is paused */
      if (self->tracking_glue != NULL)
        sly_tracking_reset (self->tracking_glue);
      gst_sly_reclassify_reset (self->reclassify);
      if (gst_pad_is_active (self->srcpad))
        start_task (self);
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
    case GST_EVENT_STREAM_START:
      /* upstream track ids start over */
      gst_sly_reclassify_reset (self->reclassify);
      restart_after_eos (self);
      break;
    case GST_EVENT_SEGMENT:
      restart_after_eos (self);
      break;
    default:
      break;
  }

  if (!GST_EVENT_IS_SERIALIZED (event))
    return gst_pad_event_default (pad, parent, event);

  /* frames gathered so far must not wait behind the event */
  gst_sly_request_builder_submit (self->requests);
  ret = gst_sly_request_queue_push (&self->queue,
      gst_sly_item_new_event (event));
  if (ret == GST_FLOW_OK)
    return TRUE;
  /* as queue: a sticky event is kept on the pad anyway and the data flow
   * reports the real problem; anything else fails */
  return GST_EVENT_IS_STICKY (event) && type != GST_EVENT_EOS &&
      ret != GST_FLOW_FLUSHING;
}

static gboolean
gst_sly_model_infer_sink_query (GstPad * pad, GstObject * parent,
    GstQuery * query)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);

  if (!GST_QUERY_IS_SERIALIZED (query))
    return gst_pad_query_default (pad, parent, query);
  /* answered by the src task, after every buffer before it went out */
  gst_sly_request_builder_submit (self->requests);
  return gst_sly_request_queue_query (&self->queue, query);
}

/* ---- src pad task: tracking, metas, messages ---- */

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
    case GST_SLY_RESULT_LATE:
      return "late";
    default:
      return "dropped";
  }
}

/* Running and stream time of @pts; NONE when the segment is not in time
 * (image/jpeg from multifilesrc comes in a BYTES segment). */
static void
buffer_times (GstSlyModelInfer * self, GstClockTime pts,
    GstClockTime * running_time, GstClockTime * stream_time)
{
  *running_time = *stream_time = GST_CLOCK_TIME_NONE;
  if (self->segment.format != GST_FORMAT_TIME)
    return;
  *running_time = gst_segment_to_running_time (&self->segment,
      GST_FORMAT_TIME, pts);
  *stream_time = gst_segment_to_stream_time (&self->segment, GST_FORMAT_TIME,
      pts);
}

static void
post_prediction (GstSlyModelInfer * self, GstBuffer * buffer, GstSlyItem * item)
{
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime running_time, stream_time;
  g_autofree gchar *json = NULL;
  GstStructure *s;

  if (item->annotation != NULL)
    json = sly_annotation_to_json (item->annotation);
  buffer_times (self, pts, &running_time, &stream_time);
  s = gst_structure_new ("slymodelinfer-prediction",
      "timestamp", G_TYPE_UINT64, pts,
      "running-time", G_TYPE_UINT64, running_time,
      "stream-time", G_TYPE_UINT64, stream_time,
      "status", G_TYPE_STRING, result_nick (item->result),
      "round-trip", G_TYPE_UINT64, item->round_trip,
      "model", G_TYPE_STRING, item->model_name,
      "annotation", G_TYPE_STRING, json, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* src task: a frame that went out (or was dropped) without a fresh
 * prediction for want of a slot, an answer in time, or a working server:
 * a QoS message, as a sink posts for the frames it drops. Frames skipped
 * on purpose (inference-interval) are not QoS events. */
static void
post_qos (GstSlyModelInfer * self, GstBuffer * buffer, GstSlyItem * item)
{
  GstClockTime running_time, stream_time;
  GstStructure *stats;
  guint64 inferred = 0, out = 0, dropped = 0;
  gint64 jitter = 0;
  GstMessage *msg;

  buffer_times (self, GST_BUFFER_PTS (buffer), &running_time, &stream_time);
  if (item->result == GST_SLY_RESULT_LATE)
    jitter = (g_get_monotonic_time () - item->deadline_us) * GST_USECOND;
  stats = gst_sly_infer_stats_to_structure (self->stats, "qos", 0);
  gst_structure_get_uint64 (stats, "inferred", &inferred);
  gst_structure_get_uint64 (stats, "frames-out", &out);
  gst_structure_get_uint64 (stats, "dropped", &dropped);
  gst_structure_free (stats);

  msg = gst_message_new_qos (GST_OBJECT (self), self->live, running_time,
      stream_time, GST_BUFFER_PTS (buffer), GST_BUFFER_DURATION (buffer));
  gst_message_set_qos_values (msg, jitter, 1.0, 1000000);
  /* processed: frames with a fresh prediction; dropped: those without */
  gst_message_set_qos_stats (msg, GST_FORMAT_BUFFERS, inferred,
      out + dropped - inferred);
  gst_element_post_message (GST_ELEMENT (self), msg);
}

static void
post_stats (GstSlyModelInfer * self)
{
  GstStructure *s = gst_sly_infer_stats_to_structure (self->stats,
      "slymodelinfer-stats", gst_sly_request_queue_get_inflight (&self->queue));

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* src task: runs the tracker over @item in output order. Frames the server
 * answered get track ids; the others carry the predicted boxes. */
static void
track_item (GstSlyModelInfer * self, GstSlyItem * item)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  if (item->result == GST_SLY_RESULT_DROPPED) {
    /* not output, but time passes for the tracks */
    sly_tracking_process (self->tracking_glue, FALSE, NULL, 0, 0, warnings);
  } else if (sly_tracking_process (self->tracking_glue,
          item->result == GST_SLY_RESULT_INFERRED, &item->annotation,
          self->width, self->height, warnings)) {
    /* the item held the only reference to its annotation: nothing shared
     * it before the meta is attached */
    item->result = GST_SLY_RESULT_PREDICTED;
  }
  post_tracking_warnings (self, warnings);
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
        sly_tracking_reset (self->tracking_glue);
      break;
    case GST_EVENT_EOS:{
      g_autofree gchar *summary = gst_sly_infer_stats_summary (self->stats);

      GST_INFO_OBJECT (self, "end of stream: %s", summary);
      post_stats (self);
      break;
    }
    default:
      break;
  }
}

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
    case GST_SLY_RESULT_LATE:
      return GST_SLY_FRAME_STATUS_LATE;
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

#ifdef HAVE_SLY_META
/* src task, inference-region=objects: the answers go onto the objects of
 * the upstream model; the messages show the result. */
static void
attach_object_answers (GstSlyModelInfer * self, GstBuffer * buffer,
    GstSlyItem * item)
{
  GHashTable *class_index = NULL;
  SlyAnnotation *ann;

  GST_OBJECT_LOCK (self);
  if (self->class_index != NULL)
    class_index = g_hash_table_ref (self->class_index);
  GST_OBJECT_UNLOCK (self);
  ann = gst_sly_object_job_finish (item->objects, buffer,
      item->result == GST_SLY_RESULT_INFERRED ? item->annotation : NULL,
      class_index, self->reclassify);
  if (class_index != NULL)
    g_hash_table_unref (class_index);
  g_clear_pointer (&item->annotation, sly_annotation_unref);
  item->annotation = ann;
}
#endif

/* src task: a buffer item leaves: tracking, accounting, messages; returns
 * the buffer to push with its predictions attached, or NULL (dropped). */
static GstBuffer *
buffer_leaves (GstSlyModelInfer * self, GstSlyItem * item)
{
  GstBuffer *buffer = GST_BUFFER_CAST (g_steal_pointer (&item->object));
  g_autofree gchar *warning = NULL;
  gboolean post, fresh;
  guint stats_interval;

  if (self->tracking_glue != NULL && item->objects == NULL)
    track_item (self, item);
  fresh = item->result == GST_SLY_RESULT_INFERRED;
  warning = gst_sly_infer_stats_count_out (self->stats, item->result,
      item->planned, self->live);
  if (!fresh && !item->planned)
    post_qos (self, buffer, item);
  if (warning != NULL)
    GST_ELEMENT_WARNING (self, STREAM, FAILED, ("%s", warning), (NULL));

  GST_OBJECT_LOCK (self);
  post = self->post_messages;
  stats_interval = self->stats_interval;
  GST_OBJECT_UNLOCK (self);
  if (stats_interval > 0 && gst_sly_infer_stats_message_due (self->stats,
          stats_interval * GST_MSECOND))
    post_stats (self);

  if (item->result == GST_SLY_RESULT_DROPPED) {
    gst_buffer_unref (buffer);
    return NULL;
  }
  buffer = gst_buffer_make_writable (buffer);
#ifdef HAVE_SLY_META
  if (item->objects != NULL)
    attach_object_answers (self, buffer, item);
  else
    attach_metas (self, buffer, item);
#endif
  if (post)
    post_prediction (self, buffer, item);
  return buffer;
}

static GstFlowReturn
handle_item (GstSlyModelInfer * self, GstSlyItem * item)
{
  GstBuffer *buffer;

  switch (item->kind) {
    case GST_SLY_ITEM_EVENT:{
      GstEvent *event = GST_EVENT_CAST (gst_mini_object_ref (item->object));
      gboolean eos = GST_EVENT_TYPE (event) == GST_EVENT_EOS;

      src_event_seen (self, event);
      gst_pad_push_event (self->srcpad, event);
      return eos ? GST_FLOW_EOS : GST_FLOW_OK;
    }
    case GST_SLY_ITEM_QUERY:
      gst_sly_request_queue_query_done (&self->queue, item,
          gst_pad_peer_query (self->srcpad, GST_QUERY_CAST (item->object)));
      return GST_FLOW_OK;
    default:
      buffer = buffer_leaves (self, item);
      return buffer ? gst_pad_push (self->srcpad, buffer) : GST_FLOW_OK;
  }
}

static void
gst_sly_model_infer_loop (GstPad * pad)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (GST_PAD_PARENT (pad));
  GstFlowReturn ret;
  GstSlyItem *item;

  item = gst_sly_request_queue_pop (&self->queue, &ret);
  if (item == NULL)
    goto pause;
  ret = handle_item (self, item);
  gst_sly_item_unref (item);
  if (ret == GST_FLOW_EOS) {
    /* pauses unless a new stream is already queued */
    if (gst_sly_request_queue_end_stream (&self->queue, pad) == GST_FLOW_EOS)
      GST_DEBUG_OBJECT (self, "pausing task: eos");
    return;
  }
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

static gboolean
gst_sly_model_infer_src_activate_mode (GstPad * pad, GstObject * parent,
    GstPadMode mode, gboolean active)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);

  if (mode != GST_PAD_MODE_PUSH)
    return FALSE;
  if (active) {
    gst_sly_request_queue_flush (&self->queue, GST_FLOW_OK);
    return start_task (self);
  }
  gst_sly_request_queue_set_flushing (&self->queue, GST_FLOW_FLUSHING);
  /* joins the task */
  gst_pad_stop_task (pad);
  gst_sly_request_queue_flush (&self->queue, GST_FLOW_FLUSHING);
  return TRUE;
}

static gboolean
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
  ours = element_latency (self);
  GST_DEBUG_OBJECT (self, "adding %" GST_TIME_FORMAT " of latency",
      GST_TIME_ARGS (ours));
  /* the budget of the live frames from now on */
  GST_OBJECT_LOCK (self);
  self->reported_latency = ours;
  GST_OBJECT_UNLOCK (self);
  min += ours;
  if (GST_CLOCK_TIME_IS_VALID (max))
    max += ours;
  gst_query_set_latency (query, live, min, max);
  return TRUE;
}

/* ---- action signals ---- */

static gboolean
gst_sly_model_infer_load (GstSlyModelInfer * self, const gchar * model,
    const gchar * device, const gchar * runtime)
{
  if (model == NULL || *model == '\0')
    return FALSE;

  GST_OBJECT_LOCK (self);
  locked_set_model (self, model, device, runtime);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

typedef gpointer (*ActionFunc) (const GstSlyClientConfig * cfg,
    GError ** error);

/* Runs @func with the connection properties of now; a failure becomes a
 * warning naming @action. Blocks the calling thread up to the timeout
 * (times the attempts). */
static gpointer
run_action (GstSlyModelInfer * self, const gchar * action, ActionFunc func)
{
  g_autoptr (GError) error = NULL;
  GstSlyClientConfig cfg;
  gpointer result;

  GST_OBJECT_LOCK (self);
  gst_sly_client_config_copy (&self->cfg, &cfg);
  GST_OBJECT_UNLOCK (self);
  result = func (&cfg, &error);
  gst_sly_client_config_clear (&cfg);
  if (result == NULL)
    GST_ELEMENT_WARNING (self, RESOURCE, READ, ("%s failed: %s", action,
            error->message), (NULL));
  return result;
}

static gchar *
gst_sly_model_infer_freeze_model (GstSlyModelInfer * self)
{
  return run_action (self, "freeze-model",
      (ActionFunc) gst_sly_action_freeze_model);
}

static gchar *
gst_sly_model_infer_shutdown (GstSlyModelInfer * self)
{
  return run_action (self, "shutdown", (ActionFunc) gst_sly_action_shutdown);
}

static gchar **
gst_sly_model_infer_list_pretrained_models (GstSlyModelInfer * self)
{
  return run_action (self, "list-pretrained-models",
      (ActionFunc) gst_sly_action_list_pretrained_models);
}

static gchar *
gst_sly_model_infer_list_pretrained_model_infos (GstSlyModelInfer * self)
{
  return run_action (self, "list-pretrained-model-infos",
      (ActionFunc) gst_sly_action_list_pretrained_model_infos);
}

static gboolean
gst_sly_model_infer_refresh (GstSlyModelInfer * self)
{
  SlyModelInfo *info;

  /* running: the I/O thread reads it, and the properties follow */
  GST_OBJECT_LOCK (self);
  if (self->io != NULL) {
    gst_sly_io_thread_control (self->io, GST_SLY_IO_OP_REFRESH, NULL, NULL,
        NULL, NULL);
    GST_OBJECT_UNLOCK (self);
    return TRUE;
  }
  GST_OBJECT_UNLOCK (self);

  /* not running: read it here, with a client of our own */
  info = run_action (self, "refresh",
      (ActionFunc) gst_sly_action_fetch_model_info);
  if (info == NULL)
    return FALSE;
  GST_OBJECT_LOCK (self);
  locked_set_info (self, info);
  GST_OBJECT_UNLOCK (self);
  notify_info (self);
  return TRUE;
}

static void
gst_sly_model_infer_install_signals (GstSlyModelInferClass * klass)
{
  GType type = G_TYPE_FROM_CLASS (klass);

  /**
   * GstSlyModelInfer::load:
   * @model: pretrained model name
   * @device: (nullable): cpu, cuda:0...
   * @runtime: (nullable): PyTorch, ONNXRuntime, TensorRT
   *
   * Loads a model: in the background while running (a
   * slymodelinfer-model-loaded message tells the outcome; when the load
   * fails, the previous model is loaded again and the message says
   * rolled-back=true), at start otherwise. Returns at once; %FALSE for an
   * empty model name.
   *
   * Since: 0.1
   */
  signals[SIGNAL_LOAD] = g_signal_new_class_handler ("load", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_load), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstSlyModelInfer::freeze-model:
   *
   * Moves the model to CPU on the server; returns the server's message,
   * or %NULL after a warning. Blocks the calling thread until the server
   * answers, at most #GstSlyModelInfer:timeout per attempt.
   *
   * Since: 0.1
   */
  signals[SIGNAL_FREEZE_MODEL] = g_signal_new_class_handler ("freeze-model",
      type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_freeze_model), NULL, NULL, NULL,
      G_TYPE_STRING, 0);
  /**
   * GstSlyModelInfer::shutdown:
   *
   * Stops the serving task (task-id mode); returns its status, or %NULL
   * after a warning. Blocks like #GstSlyModelInfer::freeze-model.
   *
   * Since: 0.1
   */
  signals[SIGNAL_SHUTDOWN] = g_signal_new_class_handler ("shutdown", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_shutdown), NULL, NULL, NULL,
      G_TYPE_STRING, 0);
  /**
   * GstSlyModelInfer::list-pretrained-models:
   *
   * Returns the names of the models the server can load. Blocks like
   * #GstSlyModelInfer::freeze-model.
   *
   * Since: 0.1
   */
  signals[SIGNAL_LIST_PRETRAINED_MODELS] =
      g_signal_new_class_handler ("list-pretrained-models", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_list_pretrained_models), NULL, NULL,
      NULL, G_TYPE_STRV, 0);
  /**
   * GstSlyModelInfer::list-pretrained-model-infos:
   *
   * Returns the JSON array of the server's pretrained model table. Blocks
   * like #GstSlyModelInfer::freeze-model.
   *
   * Since: 0.1
   */
  signals[SIGNAL_LIST_PRETRAINED_MODEL_INFOS] =
      g_signal_new_class_handler ("list-pretrained-model-infos", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_list_pretrained_model_infos), NULL,
      NULL, NULL, G_TYPE_STRING, 0);
  /**
   * GstSlyModelInfer::refresh:
   *
   * Re-reads the model information behind the read-only properties: in
   * the background while running, at once (blocking) otherwise.
   *
   * Since: 0.1
   */
  signals[SIGNAL_REFRESH] = g_signal_new_class_handler ("refresh", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_refresh), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 0);
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
