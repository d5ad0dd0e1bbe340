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

#include <string.h>
#include <gst/video/video.h>

#include "gstslyelements.h"
#include "gstslymodelinfer.h"
#include "gstslyrequestqueue.h"
#include "gstslyiothread.h"
#include "slyimage.h"
#include "slyerror.h"
#include "slyjson.h"
#include "gstslytracking.h"
#ifdef HAVE_SLY_META
#include "gstslypredictionmeta.h"
#endif

GST_DEBUG_CATEGORY (gst_sly_model_infer_debug);
#define GST_CAT_DEFAULT gst_sly_model_infer_debug

#define DEFAULT_URL NULL
#define DEFAULT_TASK_ID 0
#define DEFAULT_SERVER_ADDRESS NULL
#define DEFAULT_API_TOKEN NULL
#define DEFAULT_MODEL NULL
#define DEFAULT_DEVICE NULL
#define DEFAULT_RUNTIME NULL
#define DEFAULT_CONF -1.0
#define DEFAULT_CLASSES NULL
#define DEFAULT_IMG_SIZE 0
#define DEFAULT_SETTINGS NULL
#define DEFAULT_TRACKING FALSE
#define DEFAULT_TRACKING_CONFIG NULL
#define DEFAULT_MAX_INFLIGHT 4
#define DEFAULT_BATCH_SIZE 1
#define DEFAULT_TIMEOUT 10000
#define DEFAULT_RETRIES 2
#define DEFAULT_JPEG_QUALITY 85
#define DEFAULT_UPLOAD_FORMAT GST_SLY_UPLOAD_JPEG
#define DEFAULT_OVERLOAD GST_SLY_OVERLOAD_AUTO
#define DEFAULT_INFERENCE_INTERVAL 1
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_LATENCY -1
/* What "latency=-1" reports before round trips have been measured. */
#define LATENCY_ESTIMATE (200 * GST_MSECOND)
/* Round trips kept for the p50/p95 statistics. */
#define RTT_WINDOW 128
/* Round trips needed before the automatic latency trusts them. */
#define MIN_RTT_SAMPLES 8
/* At most one mid-stream failure warning per this many microseconds. */
#define WARNING_INTERVAL_US (2 * G_USEC_PER_SEC)

enum
{
  PROP_0,
  PROP_URL,
  PROP_TASK_ID,
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

#define VIDEO_FORMATS "{ I420, NV12, RGB, BGR, RGBx, BGRx, xRGB, xBGR, " \
    "RGBA, BGRA, ARGB, ABGR, GRAY8 }"
#define SLY_CAPS GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS) "; image/jpeg"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (SLY_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (SLY_CAPS));

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

  /* what the server told us, and statistics: GST_OBJECT_LOCK */
  GstSlyModelInfo *info;
  GHashTable *class_index;      /* title -> label id, for ROI metas */
  gchar *bad_settings;          /* the settings value already warned about */
  guint64 frames_in, frames_out, inferred, skipped, dropped, failed;
  GstClockTime rtt[RTT_WINDOW];
  guint rtt_len, rtt_pos;
  gint64 last_warning_us;
  guint unreported_failures;
  GstClockTime reported_rtt;    /* round trip in the last LATENCY answer */

  /* the I/O thread: set and cleared under GST_OBJECT_LOCK by state
   * changes; the streaming threads only run while it exists */
  GstSlyIoThread *io;

  /* sink pad streaming thread */
  GstVideoInfo vinfo;
  gboolean is_jpeg;
  gboolean have_caps;
  gboolean live;
  gboolean live_known;
  guint64 frame_count;
  GstSlyBatch *pending;         /* frames gathered for the next request */

  /* src pad task */
  GstSegment segment;
  gint width, height;           /* of the current caps, 0 when unknown */

  /* tracking=true: made at start, fed frames in output order by the src
   * task (gstslytracking.c); NULL when off */
  GstSlyTracking *tracking_glue;
  guint64 predicted;            /* GST_OBJECT_LOCK */

  GstSlyRequestQueue queue;
};

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

static gboolean gst_sly_model_infer_load (GstSlyModelInfer * self,
    const gchar * model, const gchar * device, const gchar * runtime);
static gchar *gst_sly_model_infer_freeze_model (GstSlyModelInfer * self);
static gchar *gst_sly_model_infer_shutdown (GstSlyModelInfer * self);
static gchar **gst_sly_model_infer_list_pretrained_models (GstSlyModelInfer *
    self);
static gchar *gst_sly_model_infer_list_pretrained_model_infos
    (GstSlyModelInfer * self);
static gboolean gst_sly_model_infer_refresh (GstSlyModelInfer * self);

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

static void
install_string (GObjectClass * klass, guint id, const gchar * name,
    const gchar * nick, const gchar * blurb, GParamFlags mutability)
{
  g_object_class_install_property (klass, id,
      g_param_spec_string (name, nick, blurb, NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | mutability));
}

static void
install_read_only_string (GObjectClass * klass, guint id, const gchar * name,
    const gchar * nick, const gchar * blurb)
{
  g_object_class_install_property (klass, id,
      g_param_spec_string (name, nick, blurb, NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
install_connection_properties (GObjectClass * gobject_class)
{
  install_string (gobject_class, PROP_URL, "url", "URL",
      "Base URL of the serving app, e.g. http://127.0.0.1:8000 or "
      "https://host/net/<session token> (use this or task-id)",
      GST_PARAM_MUTABLE_READY);
  g_object_class_install_property (gobject_class, PROP_TASK_ID,
      g_param_spec_int64 ("task-id", "Task id",
          "Supervisely task id of the serving app, resolved through the "
          "platform (0 = not set; use this or url)", 0, G_MAXINT64,
          DEFAULT_TASK_ID, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  install_string (gobject_class, PROP_SERVER_ADDRESS, "server-address",
      "Server address", "Supervisely platform address for task-id mode "
      "(default: $SERVER_ADDRESS, then ~/supervisely.env)",
      GST_PARAM_MUTABLE_READY);
  install_string (gobject_class, PROP_API_TOKEN, "api-token", "API token",
      "Supervisely API token for task-id mode (default: $API_TOKEN, then "
      "~/supervisely.env); reads back as \"***\" when set",
      GST_PARAM_MUTABLE_READY);
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Timeout of one request in milliseconds (0 = none)", 0, G_MAXUINT,
          DEFAULT_TIMEOUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_RETRIES,
      g_param_spec_uint ("retries", "Retries",
          "Extra attempts of a request that failed on the network, timed out "
          "or got 408/429/5xx, with backoff", 0, 20, DEFAULT_RETRIES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
}

static void
install_model_properties (GObjectClass * gobject_class)
{
  install_string (gobject_class, PROP_MODEL, "model", "Model",
      "Pretrained model to load (deploy_from_api) when the element starts; "
      "set while playing, it loads in the background and the old model "
      "serves until it is ready (NULL = use what the server has)",
      GST_PARAM_MUTABLE_PLAYING);
  install_string (gobject_class, PROP_DEVICE, "device", "Device",
      "Device for model loading, e.g. cpu or cuda:0 (NULL = server's choice)",
      GST_PARAM_MUTABLE_PLAYING);
  install_string (gobject_class, PROP_RUNTIME, "runtime", "Runtime",
      "Runtime for model loading: PyTorch, ONNXRuntime or TensorRT "
      "(NULL = PyTorch)", GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property (gobject_class, PROP_CONF,
      g_param_spec_double ("conf", "Confidence",
          "Minimum confidence of predictions (-1 = the server's default)",
          -1.0, 1.0, DEFAULT_CONF, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  install_string (gobject_class, PROP_CLASSES, "classes", "Classes",
      "Comma-separated class names to keep, e.g. person,car (NULL = all "
      "classes of the model)", GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property (gobject_class, PROP_IMG_SIZE,
      g_param_spec_int ("img-size", "Image size",
          "Model input size the server should use (0 = the server's default)",
          0, 16384, DEFAULT_IMG_SIZE, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  install_string (gobject_class, PROP_SETTINGS, "settings", "Settings",
      "Extra inference settings: a JSON object merged into state.settings, "
      "e.g. {\"iou\": 0.5}", GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property (gobject_class, PROP_TRACKING,
      g_param_spec_boolean ("tracking", "Tracking",
          "Track objects across frames with BoT-SORT on the client: track "
          "ids on every object, and frames without an answer carry the "
          "tracker's predicted boxes", DEFAULT_TRACKING,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  install_string (gobject_class, PROP_TRACKING_CONFIG, "tracking-config",
      "Tracking config", "JSON object overriding the server's BoT-SORT "
      "parameters, e.g. {\"track_buffer\": 60}", GST_PARAM_MUTABLE_READY);
}

static void
install_throughput_properties (GObjectClass * gobject_class)
{
  g_object_class_install_property (gobject_class, PROP_MAX_INFLIGHT,
      g_param_spec_uint ("max-inflight", "Max in flight",
          "Requests outstanding at the same time", 1, 64,
          DEFAULT_MAX_INFLIGHT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_BATCH_SIZE,
      g_param_spec_uint ("batch-size", "Batch size",
          "Frames per inference_batch request (capped by the server's "
          "max_batch_size)", 1, 64, DEFAULT_BATCH_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_JPEG_QUALITY,
      g_param_spec_int ("jpeg-quality", "JPEG quality",
          "Quality of the JPEG frames sent to the server", 1, 100,
          DEFAULT_JPEG_QUALITY, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_UPLOAD_FORMAT,
      g_param_spec_enum ("upload-format", "Upload format",
          "Encoding of raw frames sent to the server (image/jpeg input is "
          "sent as is)", gst_sly_upload_format_get_type (),
          DEFAULT_UPLOAD_FORMAT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_OVERLOAD,
      g_param_spec_enum ("overload", "Overload",
          "What to do with a frame when max-inflight requests are "
          "outstanding", gst_sly_overload_get_type (), DEFAULT_OVERLOAD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint ("inference-interval", "Inference interval",
          "Infer every Nth frame; the others pass marked skipped", 1,
          G_MAXUINT, DEFAULT_INFERENCE_INTERVAL, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a slymodelinfer-prediction element message per frame "
          "(running-time, status, annotation JSON)", DEFAULT_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_int64 ("latency", "Latency",
          "Latency in nanoseconds added to LATENCY queries (-1 = automatic: "
          "the measured p95 round trip, 200 ms before any was measured, plus "
          "the time to gather a batch)", -1, G_MAXINT64, DEFAULT_LATENCY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
}

static void
install_read_only_properties (GObjectClass * gobject_class)
{
  install_read_only_string (gobject_class, PROP_MODEL_META, "model-meta",
      "Model meta", "The model's classes and tags (ProjectMeta JSON), read "
      "at start and on refresh");
  g_object_class_install_property (gobject_class, PROP_MODEL_CLASSES,
      g_param_spec_boxed ("model-classes", "Model classes",
          "Class names the model predicts, in model order", G_TYPE_STRV,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  install_read_only_string (gobject_class, PROP_MODEL_SETTINGS,
      "model-settings", "Model settings",
      "The server's default inference settings (JSON, or the YAML text the "
      "app sent)");
  install_read_only_string (gobject_class, PROP_TRACKING_SETTINGS,
      "tracking-settings", "Tracking settings",
      "The server's BoT-SORT defaults (JSON), NULL when it has none");
  install_read_only_string (gobject_class, PROP_SESSION_INFO, "session-info",
      "Session info", "The server's get_session_info answer (JSON)");
  install_read_only_string (gobject_class, PROP_DEPLOY_INFO, "deploy-info",
      "Deploy info", "The server's get_deploy_info answer (JSON)");
  g_object_class_install_property (gobject_class, PROP_DEPLOYED,
      g_param_spec_boolean ("deployed", "Deployed",
          "Whether the server had a model ready at start or last refresh",
          FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  install_read_only_string (gobject_class, PROP_STATUS, "status", "Status",
      "The server's get_status answer (JSON) at start or last refresh");
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters since the element started: frames-in, frames-out, "
          "inferred, skipped, dropped, failed, tracker-predicted, in-flight, "
          "round-trip-p50 and round-trip-p95 (ns)",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
install_signals (GstSlyModelInferClass * klass)
{
  GType type = G_TYPE_FROM_CLASS (klass);

  /**
   * GstSlyModelInfer::load:
   * @model: pretrained model name
   * @device: (nullable): cpu, cuda:0...
   * @runtime: (nullable): PyTorch, ONNXRuntime, TensorRT
   *
   * Loads a model: in the background while running (a
   * slymodelinfer-model-loaded message tells the outcome), at start
   * otherwise. Returns %FALSE for an empty model name.
   */
  signals[SIGNAL_LOAD] = g_signal_new_class_handler ("load", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_load), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  /* Moves the model to CPU on the server; returns the server's message. */
  signals[SIGNAL_FREEZE_MODEL] = g_signal_new_class_handler ("freeze-model",
      type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_freeze_model), NULL, NULL, NULL,
      G_TYPE_STRING, 0);
  /* Stops the serving task (task-id mode); returns its status or NULL. */
  signals[SIGNAL_SHUTDOWN] = g_signal_new_class_handler ("shutdown", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_shutdown), NULL, NULL, NULL,
      G_TYPE_STRING, 0);
  signals[SIGNAL_LIST_PRETRAINED_MODELS] =
      g_signal_new_class_handler ("list-pretrained-models", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_list_pretrained_models), NULL, NULL,
      NULL, G_TYPE_STRV, 0);
  /* Returns the JSON array of the server's pretrained model table. */
  signals[SIGNAL_LIST_PRETRAINED_MODEL_INFOS] =
      g_signal_new_class_handler ("list-pretrained-model-infos", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_list_pretrained_model_infos), NULL,
      NULL, NULL, G_TYPE_STRING, 0);
  /* Re-reads the model information behind the read-only properties. */
  signals[SIGNAL_REFRESH] = g_signal_new_class_handler ("refresh", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_refresh), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 0);
}

static void
gst_sly_model_infer_class_init (GstSlyModelInferClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->finalize = gst_sly_model_infer_finalize;
  gobject_class->set_property = gst_sly_model_infer_set_property;
  gobject_class->get_property = gst_sly_model_infer_get_property;

  install_connection_properties (gobject_class);
  install_model_properties (gobject_class);
  install_throughput_properties (gobject_class);
  install_read_only_properties (gobject_class);
  install_signals (klass);

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

/* ---- helpers ---- */

/* "person,car", "<person, car>", "{person,car}" -> {"person", "car"};
 * NULL for an empty list (all classes). */
static gchar **
parse_classes (const gchar * text)
{
  g_autofree gchar *copy = NULL;
  g_auto (GStrv) parts = NULL;
  GPtrArray *out;
  gchar *s;
  gsize len;
  guint i;

  if (text == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (text));
  s = copy;
  len = strlen (s);
  if (len >= 2 && strchr ("<{[", s[0]) && strchr (">}]", s[len - 1])) {
    s[len - 1] = '\0';
    s++;
  }
  parts = g_strsplit (s, ",", -1);
  out = g_ptr_array_new ();
  for (i = 0; parts[i] != NULL; i++) {
    gchar *name = g_strstrip (parts[i]);

    len = strlen (name);
    if (len >= 2 && name[0] == '"' && name[len - 1] == '"') {
      name[len - 1] = '\0';
      name++;
    }
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

/* A URL fit for messages: the /net/<session token> part hidden. */
static gchar *
redact_url (const gchar * url)
{
  const gchar *net;
  const gchar *end;

  if (url == NULL)
    return g_strdup ("(none)");
  net = strstr (url, "/net/");
  if (net == NULL)
    return g_strdup (url);
  end = strchr (net + 5, '/');
  return g_strdup_printf ("%.*s/net/***%s", (int) (net - url), url,
      end ? end : "");
}

/* called with GST_OBJECT_LOCK */
static gchar *
gst_sly_model_infer_locked_describe_server (GstSlyModelInfer * self)
{
  g_autofree gchar *url = NULL;

  if (self->cfg.url == NULL && self->cfg.task_id > 0)
    return g_strdup_printf ("task %" G_GINT64_FORMAT, self->cfg.task_id);
  url = redact_url (self->cfg.url);
  return g_strdup_printf ("%s", url);
}

static gchar *
node_to_string (JsonNode * node)
{
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return json_to_string (node, FALSE);
}

static guint
http_status_of (const GError * error)
{
  if (error != NULL && error->domain == SLY_HTTP_ERROR)
    return error->code;
  return 0;
}

/* ---- properties ---- */

static void
set_string (gchar ** field, const GValue * value)
{
  g_free (*field);
  *field = g_value_dup_string (value);
}

/* Posts a warning naming classes the model does not have. */
static void
gst_sly_model_infer_check_classes (GstSlyModelInfer * self)
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

static void
gst_sly_model_infer_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (object);
  gboolean check_classes = FALSE;
  gboolean load = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_URL:
      set_string (&self->cfg.url, value);
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
    case PROP_MODEL:
      set_string (&self->model, value);
      load = self->io != NULL && self->model != NULL;
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
      check_classes = TRUE;
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  if (load)
    gst_sly_io_thread_control (self->io, GST_SLY_IO_OP_LOAD, self->model,
        self->device, self->runtime);
  GST_OBJECT_UNLOCK (self);

  if (check_classes)
    gst_sly_model_infer_check_classes (self);
}

/* called with GST_OBJECT_LOCK */
static void
gst_sly_model_infer_locked_round_trips (GstSlyModelInfer * self,
    GstClockTime * p50, GstClockTime * p95)
{
  GstClockTime sorted[RTT_WINDOW];
  guint i, j;

  *p50 = *p95 = GST_CLOCK_TIME_NONE;
  if (self->rtt_len == 0)
    return;
  /* insertion sort of at most RTT_WINDOW values */
  for (i = 0; i < self->rtt_len; i++) {
    GstClockTime v = self->rtt[i];

    for (j = i; j > 0 && sorted[j - 1] > v; j--)
      sorted[j] = sorted[j - 1];
    sorted[j] = v;
  }
  *p50 = sorted[(self->rtt_len - 1) * 50 / 100];
  *p95 = sorted[(self->rtt_len - 1) * 95 / 100];
}

/* called with GST_OBJECT_LOCK */
static GstStructure *
gst_sly_model_infer_locked_stats (GstSlyModelInfer * self)
{
  GstClockTime p50, p95;

  gst_sly_model_infer_locked_round_trips (self, &p50, &p95);
  return gst_structure_new ("application/x-slymodelinfer-stats",
      "frames-in", G_TYPE_UINT64, self->frames_in,
      "frames-out", G_TYPE_UINT64, self->frames_out,
      "inferred", G_TYPE_UINT64, self->inferred,
      "skipped", G_TYPE_UINT64, self->skipped,
      "dropped", G_TYPE_UINT64, self->dropped,
      "failed", G_TYPE_UINT64, self->failed,
      "tracker-predicted", G_TYPE_UINT64, self->predicted,
      "in-flight", G_TYPE_UINT,
      gst_sly_request_queue_get_inflight (&self->queue),
      "round-trip-p50", G_TYPE_UINT64, p50,
      "round-trip-p95", G_TYPE_UINT64, p95, NULL);
}

static void
get_info_property (GstSlyModelInfer * self, guint prop_id, GValue * value)
{
  GstSlyModelInfo *info = self->info;

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

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_URL:
      g_value_set_string (value, self->cfg.url);
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
    case PROP_STATS:
      g_value_take_boxed (value, gst_sly_model_infer_locked_stats (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---- I/O thread callbacks ---- */

/* called with GST_OBJECT_LOCK; takes @info */
static void
gst_sly_model_infer_locked_set_info (GstSlyModelInfer * self,
    GstSlyModelInfo * info)
{
  guint i;

  gst_sly_model_info_free (self->info);
  self->info = info;
  g_clear_pointer (&self->class_index, g_hash_table_unref);
  self->class_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  for (i = 0; info->classes != NULL && info->classes[i] != NULL; i++)
    g_hash_table_insert (self->class_index, g_strdup (info->classes[i]),
        GUINT_TO_POINTER (i));
}

static void
post_start_error (GstSlyModelInfer * self, const gchar * model,
    const GError * error)
{
  g_autofree gchar *server = NULL;
  guint status = http_status_of (error);
  gchar *text;

  GST_OBJECT_LOCK (self);
  server = gst_sly_model_infer_locked_describe_server (self);
  GST_OBJECT_UNLOCK (self);

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
  g_free (text);
}

static void
post_load_message (GstSlyModelInfer * self, const gchar * model,
    const GError * error)
{
  GstStructure *s = gst_structure_new ("slymodelinfer-model-loaded",
      "model", G_TYPE_STRING, model,
      "success", G_TYPE_BOOLEAN, error == NULL,
      "error", G_TYPE_STRING, error ? error->message : NULL, NULL);

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* I/O thread */
static void
on_info_done (GstSlyIoOp op, const gchar * model, GstSlyModelInfo * info,
    const GError * error, gpointer user_data)
{
  GstSlyModelInfer *self = user_data;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (info != NULL) {
    GST_INFO_OBJECT (self, "model %s ready", GST_STR_NULL (info->model_name));
    GST_OBJECT_LOCK (self);
    gst_sly_model_infer_locked_set_info (self, info);
    GST_OBJECT_UNLOCK (self);
    gst_sly_model_infer_check_classes (self);
  }

  switch (op) {
    case GST_SLY_IO_OP_START:
      if (error != NULL)
        post_start_error (self, model, error);
      gst_sly_request_queue_set_model_state (&self->queue,
          error ? GST_SLY_MODEL_FAILED : GST_SLY_MODEL_READY);
      break;
    case GST_SLY_IO_OP_LOAD:
      /* the old model keeps serving when the new one failed */
      if (error != NULL)
        GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
            ("Could not load model \"%s\": %s", model, error->message), (NULL));
      post_load_message (self, model, error);
      break;
    case GST_SLY_IO_OP_REFRESH:
      if (error != NULL)
        GST_ELEMENT_WARNING (self, RESOURCE, READ,
            ("Could not refresh the model information: %s", error->message),
            (NULL));
      break;
  }
}

/* I/O thread: one warning per WARNING_INTERVAL_US at most, counting the
 * failures it stands for. */
static void
warn_failure (GstSlyModelInfer * self, guint n_frames, const GError * error)
{
  gint64 now = g_get_monotonic_time ();
  guint failures;
  guint status = http_status_of (error);

  GST_OBJECT_LOCK (self);
  self->unreported_failures += n_frames;
  if (self->last_warning_us != 0 &&
      now - self->last_warning_us < WARNING_INTERVAL_US) {
    GST_OBJECT_UNLOCK (self);
    GST_DEBUG_OBJECT (self, "request failed: %s", error->message);
    return;
  }
  self->last_warning_us = now;
  failures = self->unreported_failures;
  self->unreported_failures = 0;
  GST_OBJECT_UNLOCK (self);

  GST_ELEMENT_WARNING_WITH_DETAILS (self, RESOURCE, READ,
      ("Inference failed for %u frame(s), they pass without predictions: %s",
          failures, error->message), (NULL),
      ("http-status-code", G_TYPE_UINT, status, NULL));
}

/* called with GST_OBJECT_LOCK: with latency=-1, whether the measured p95
 * round trip outgrew the one last reported by a quarter, so the pipeline
 * should query the latency again. Each post updates reported_rtt, so it
 * happens again only after a further rise. */
static gboolean
gst_sly_model_infer_locked_latency_grew (GstSlyModelInfer * self)
{
  GstClockTime p50, p95;

  if (self->latency >= 0 || self->rtt_len < MIN_RTT_SAMPLES ||
      !GST_CLOCK_TIME_IS_VALID (self->reported_rtt))
    return FALSE;
  gst_sly_model_infer_locked_round_trips (self, &p50, &p95);
  if (p95 <= self->reported_rtt + self->reported_rtt / 4)
    return FALSE;
  self->reported_rtt = p95;
  return TRUE;
}

/* I/O thread */
static void
on_batch_done (GstSlyBatch * batch, GPtrArray * annotations,
    const GError * error, gpointer user_data)
{
  GstSlyModelInfer *self = user_data;
  GstClockTime rtt = GST_CLOCK_TIME_NONE;
  g_autofree gchar *model_name = NULL;
  guint n = batch->items->len;
  gboolean cancelled = g_error_matches (error, G_IO_ERROR,
      G_IO_ERROR_CANCELLED);
  gboolean relatency = FALSE;

  if (batch->sent_us != 0)
    rtt = (g_get_monotonic_time () - batch->sent_us) * GST_USECOND;

  GST_OBJECT_LOCK (self);
  if (self->info != NULL)
    model_name = g_strdup (self->info->model_name);
  if (annotations != NULL) {
    self->inferred += n;
    self->rtt[self->rtt_pos] = rtt;
    self->rtt_pos = (self->rtt_pos + 1) % RTT_WINDOW;
    self->rtt_len = MIN (self->rtt_len + 1, RTT_WINDOW);
    relatency = gst_sly_model_infer_locked_latency_grew (self);
  } else if (!cancelled) {
    self->failed += n;
  }
  GST_OBJECT_UNLOCK (self);

  if (relatency) {
    GST_INFO_OBJECT (self, "round trips grew: asking for a new latency");
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  }

  if (error != NULL && !cancelled)
    warn_failure (self, n, error);

  gst_sly_request_queue_complete (&self->queue, batch->epoch, batch->items,
      annotations, annotations ? GST_SLY_RESULT_INFERRED :
      GST_SLY_RESULT_FAILED, rtt, model_name);
}

static const GstSlyIoCallbacks io_callbacks = {
  on_batch_done,
  on_info_done,
};

/* ---- streaming: sink side ---- */

static void
snapshot_take (GstSlyModelInfer * self, Snapshot * snap)
{
  GST_OBJECT_LOCK (self);
  snap->overload = self->overload;
  snap->max_inflight = self->max_inflight;
  snap->batch_size = self->batch_size;
  if (self->info != NULL && self->info->max_batch_size > 0)
    snap->batch_size = MIN (snap->batch_size, self->info->max_batch_size);
  snap->inference_interval = self->inference_interval;
  snap->jpeg_quality = self->jpeg_quality;
  snap->upload_format = self->upload_format;
  snap->conf = self->conf;
  snap->classes = parse_classes (self->classes);
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
  if (snap->settings != NULL &&
      !sly_inference_settings_set_extra_json (s, snap->settings, &error)) {
    gboolean warn;

    /* warn once per bad value, then go on without it */
    GST_OBJECT_LOCK (self);
    warn = g_strcmp0 (self->bad_settings, snap->settings) != 0;
    if (warn) {
      g_free (self->bad_settings);
      self->bad_settings = g_strdup (snap->settings);
    }
    GST_OBJECT_UNLOCK (self);
    if (warn)
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
          ("The settings property is not a JSON object, ignoring it: %s",
              error->message), (NULL));
  }
  return s;
}

static gboolean
pixel_format_of (GstVideoFormat format, SlyPixelFormat * out)
{
  switch (format) {
    case GST_VIDEO_FORMAT_I420:
      *out = SLY_PIXEL_I420;
      return TRUE;
    case GST_VIDEO_FORMAT_NV12:
      *out = SLY_PIXEL_NV12;
      return TRUE;
    case GST_VIDEO_FORMAT_RGB:
      *out = SLY_PIXEL_RGB;
      return TRUE;
    case GST_VIDEO_FORMAT_BGR:
      *out = SLY_PIXEL_BGR;
      return TRUE;
    case GST_VIDEO_FORMAT_RGBx:
    case GST_VIDEO_FORMAT_RGBA:
      *out = SLY_PIXEL_RGBX;
      return TRUE;
    case GST_VIDEO_FORMAT_BGRx:
    case GST_VIDEO_FORMAT_BGRA:
      *out = SLY_PIXEL_BGRX;
      return TRUE;
    case GST_VIDEO_FORMAT_xRGB:
    case GST_VIDEO_FORMAT_ARGB:
      *out = SLY_PIXEL_XRGB;
      return TRUE;
    case GST_VIDEO_FORMAT_xBGR:
    case GST_VIDEO_FORMAT_ABGR:
      *out = SLY_PIXEL_XBGR;
      return TRUE;
    case GST_VIDEO_FORMAT_GRAY8:
      *out = SLY_PIXEL_GRAY8;
      return TRUE;
    default:
      return FALSE;
  }
}

/* Streaming thread: the bytes to upload for @buffer. */
static GBytes *
encode_frame (GstSlyModelInfer * self, GstBuffer * buffer,
    const Snapshot * snap, const gchar ** content_type, GError ** error)
{
  GstVideoFrame frame;
  SlyImageView view = { 0, };
  GBytes *bytes;
  guint i;

  if (self->is_jpeg) {
    gsize size = gst_buffer_get_size (buffer);
    gpointer data = g_malloc (size);

    gst_buffer_extract (buffer, 0, data, size);
    *content_type = "image/jpeg";
    return g_bytes_new_take (data, size);
  }

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
  if (snap->upload_format == GST_SLY_UPLOAD_PNG) {
    *content_type = "image/png";
    bytes = sly_png_encode (&view, error);
  } else {
    *content_type = "image/jpeg";
    bytes = sly_jpeg_encode (&view, snap->jpeg_quality, error);
  }
  gst_video_frame_unmap (&frame);
  return bytes;
}

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
  gst_sly_io_thread_submit (self->io, batch);
}

static void
gst_sly_model_infer_drop_pending (GstSlyModelInfer * self)
{
  g_clear_pointer (&self->pending, gst_sly_batch_free);
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

static void
count_skipped (GstSlyModelInfer * self, GstSlyResult result)
{
  GST_OBJECT_LOCK (self);
  if (result == GST_SLY_RESULT_DROPPED)
    self->dropped++;
  else if (result == GST_SLY_RESULT_FAILED)
    self->failed++;
  else
    self->skipped++;
  GST_OBJECT_UNLOCK (self);
}

static GstFlowReturn
gst_sly_model_infer_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);
  g_autoptr (GError) error = NULL;
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
  if (!self->live_known)
    query_liveness (self);
  /* non-live input waits for the model before anything else, so even the
   * first frames see what the server told us (max_batch_size...) */
  if (!self->live) {
    GstSlyModelState state;

    ret = gst_sly_request_queue_wait_model (&self->queue, &state);
    if (ret != GST_FLOW_OK) {
      gst_buffer_unref (buffer);
      return ret;
    }
  }

  snapshot_take (self, &snap);
  ret = decide (self, &snap, &skip, &infer);
  if (ret != GST_FLOW_OK)
    goto out;

  if (infer) {
    /* one request holds one kind of image: a batch in progress keeps the
     * format it started with */
    if (self->pending != NULL && !self->is_jpeg)
      snap.upload_format = g_str_equal (self->pending->content_type,
          "image/png") ? GST_SLY_UPLOAD_PNG : GST_SLY_UPLOAD_JPEG;
    image = encode_frame (self, buffer, &snap, &content_type, &error);
    if (image == NULL) {
      GST_ELEMENT_WARNING (self, STREAM, ENCODE,
          ("Could not encode a frame for upload: %s", error->message), (NULL));
      infer = FALSE;
      skip = GST_SLY_RESULT_FAILED;
    }
  }

  item = gst_sly_item_new_buffer (g_steal_pointer (&buffer));
  if (infer) {
    if (self->pending == NULL) {
      self->pending = gst_sly_batch_new ();
      self->pending->settings = make_settings (self, &snap);
      self->pending->content_type = content_type;
    }
    g_ptr_array_add (self->pending->items, gst_sly_item_ref (item));
    g_ptr_array_add (self->pending->images, g_steal_pointer (&image));
  } else {
    gst_sly_request_queue_finish_item (&self->queue, item, skip);
    count_skipped (self, skip);
  }

  ret = gst_sly_request_queue_push (&self->queue, item);
  if (ret != GST_FLOW_OK) {
    gst_sly_model_infer_drop_pending (self);
    goto out;
  }
  if (self->pending != NULL && self->pending->items->len >= snap.batch_size)
    gst_sly_model_infer_submit_pending (self);

out:
  if (buffer != NULL)
    gst_buffer_unref (buffer);
  snapshot_clear (&snap);
  return ret;
}

static gboolean
set_caps (GstSlyModelInfer * self, GstCaps * caps)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);

  if (gst_structure_has_name (s, "image/jpeg")) {
    self->is_jpeg = TRUE;
  } else {
    if (!gst_video_info_from_caps (&self->vinfo, caps))
      return FALSE;
    self->is_jpeg = FALSE;
  }
  self->have_caps = TRUE;
  return TRUE;
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
      gst_sly_model_infer_drop_pending (self);
      gst_sly_request_queue_flush (&self->queue, GST_FLOW_OK);
      /* a seek: tracks do not continue across it */
      if (self->tracking_glue != NULL)
        gst_sly_tracking_reset (self->tracking_glue);
      if (gst_pad_is_active (self->srcpad))
        gst_pad_start_task (self->srcpad,
            (GstTaskFunction) gst_sly_model_infer_loop, self->srcpad, NULL);
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

static gboolean
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

/* ---- streaming: src side ---- */

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
#endif

static void
post_tracking_warnings (GstSlyModelInfer * self, GPtrArray * warnings)
{
  guint i;

  for (i = 0; i < warnings->len; i++)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("Tracking: %s",
            (gchar *) warnings->pdata[i]), (NULL));
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
  post_tracking_warnings (self, warnings);
}

/* src task: keeps what tracking needs from the events going out. */
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

/* src task: the buffer of @item with its predictions attached. */
static GstBuffer *
decorate (GstSlyModelInfer * self, GstSlyItem * item)
{
  GstBuffer *buffer = GST_BUFFER_CAST (g_steal_pointer (&item->object));
#ifdef HAVE_SLY_META
  GstSlyPredictionMeta *meta;
  GHashTable *class_index = NULL;
  gchar **class_names = NULL;
#endif
  gboolean post;

  buffer = gst_buffer_make_writable (buffer);
  if (self->tracking_glue != NULL)
    track_item (self, item);

  GST_OBJECT_LOCK (self);
  post = self->post_messages;
  self->frames_out++;
#ifdef HAVE_SLY_META
  if (self->class_index != NULL)
    class_index = g_hash_table_ref (self->class_index);
  if (self->info != NULL)
    class_names = g_strdupv (self->info->classes);
#endif
  GST_OBJECT_UNLOCK (self);

#ifdef HAVE_SLY_META
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
  g_strfreev (class_names);
#endif

  if (post)
    post_prediction (self, buffer, item);
  return buffer;
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

static gboolean
gst_sly_model_infer_src_activate_mode (GstPad * pad, GstObject * parent,
    GstPadMode mode, gboolean active)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);

  if (mode != GST_PAD_MODE_PUSH)
    return FALSE;
  if (active) {
    gst_sly_request_queue_flush (&self->queue, GST_FLOW_OK);
    return gst_pad_start_task (pad, (GstTaskFunction) gst_sly_model_infer_loop,
        pad, NULL);
  }
  gst_sly_request_queue_set_flushing (&self->queue, GST_FLOW_FLUSHING);
  /* joins the task */
  gst_pad_stop_task (pad);
  gst_sly_request_queue_flush (&self->queue, GST_FLOW_FLUSHING);
  return TRUE;
}

/* The latency this element adds. */
static GstClockTime
gst_sly_model_infer_get_latency (GstSlyModelInfer * self)
{
  GstClockTime latency, frame_duration = 0;
  guint batch_size;

  GST_OBJECT_LOCK (self);
  if (self->latency >= 0) {
    latency = self->latency;
    GST_OBJECT_UNLOCK (self);
    return latency;
  }
  batch_size = self->batch_size;
  latency = LATENCY_ESTIMATE;
  if (self->rtt_len >= MIN_RTT_SAMPLES) {
    GstClockTime p50;

    gst_sly_model_infer_locked_round_trips (self, &p50, &latency);
  }
  /* what on_batch_done compares new measurements against */
  self->reported_rtt = latency;
  GST_OBJECT_UNLOCK (self);

  if (!self->is_jpeg && GST_VIDEO_INFO_FPS_N (&self->vinfo) > 0)
    frame_duration = gst_util_uint64_scale (GST_SECOND,
        GST_VIDEO_INFO_FPS_D (&self->vinfo),
        GST_VIDEO_INFO_FPS_N (&self->vinfo));
  return latency + (batch_size - 1) * frame_duration;
}

static gboolean
gst_sly_model_infer_src_query (GstPad * pad, GstObject * parent,
    GstQuery * query)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (parent);

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    GstClockTime min, max, ours;
    gboolean live;

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
  return gst_pad_query_default (pad, parent, query);
}

/* ---- state changes ---- */

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

static gboolean
gst_sly_model_infer_start_tracking (GstSlyModelInfer * self,
    const gchar * overrides, GError ** error)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  self->tracking_glue = gst_sly_tracking_new (overrides, tracking_model_info,
      self, warnings, error);
  post_tracking_warnings (self, warnings);
  return self->tracking_glue != NULL;
}

static gboolean
gst_sly_model_infer_start (GstSlyModelInfer * self)
{
  g_autoptr (GError) error = NULL;
  GstSlyClientConfig cfg;
  GstSlyIoThread *io;
  gboolean tracking;
  g_autofree gchar *settings = NULL;
  g_autofree gchar *tracking_config = NULL;
  g_autofree gchar *model = NULL;
  g_autofree gchar *device = NULL;
  g_autofree gchar *runtime = NULL;

  GST_OBJECT_LOCK (self);
  gst_sly_client_config_copy (&self->cfg, &cfg);
  tracking = self->tracking;
  tracking_config = g_strdup (self->tracking_config);
  settings = g_strdup (self->settings);
  model = g_strdup (self->model);
  device = g_strdup (self->device);
  runtime = g_strdup (self->runtime);
  self->frames_in = self->frames_out = self->inferred = 0;
  self->skipped = self->dropped = self->failed = self->predicted = 0;
  self->rtt_len = self->rtt_pos = 0;
  self->last_warning_us = 0;
  self->unreported_failures = 0;
  self->reported_rtt = GST_CLOCK_TIME_NONE;
  GST_OBJECT_UNLOCK (self);

  if (!check_json_object (settings, &error))
    goto bad_settings;
  if (tracking && !gst_sly_model_infer_start_tracking (self, tracking_config,
          &error))
    goto bad_tracking_config;

  io = gst_sly_io_thread_new (&cfg, &io_callbacks, self, &error);
  gst_sly_client_config_clear (&cfg);
  if (io == NULL)
    goto bad_config;

  self->live_known = FALSE;
  self->have_caps = FALSE;
  self->frame_count = 0;
  self->width = self->height = 0;
  gst_sly_request_queue_set_model_state (&self->queue,
      GST_SLY_MODEL_CONNECTING);
  GST_OBJECT_LOCK (self);
  self->io = io;
  /* connects (and loads the model) in the background */
  gst_sly_io_thread_control (io, GST_SLY_IO_OP_START, model, device, runtime);
  GST_OBJECT_UNLOCK (self);
  return TRUE;

  /* ERRORS */
bad_tracking_config:
  {
    gst_sly_client_config_clear (&cfg);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The tracking-config property is not usable: %s", error->message),
        (NULL));
    return FALSE;
  }
bad_settings:
  {
    gst_sly_client_config_clear (&cfg);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The settings property must be a JSON object: %s", error->message),
        (NULL));
    return FALSE;
  }
bad_config:
  {
    g_autofree gchar *server = NULL;

    g_clear_pointer (&self->tracking_glue, gst_sly_tracking_free);
    GST_OBJECT_LOCK (self);
    server = gst_sly_model_infer_locked_describe_server (self);
    GST_OBJECT_UNLOCK (self);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Cannot use the model "
            "server %s: %s", server, error->message), (NULL));
    return FALSE;
  }
}

static void
gst_sly_model_infer_stop (GstSlyModelInfer * self)
{
  GstSlyIoThread *io;

  GST_OBJECT_LOCK (self);
  io = g_steal_pointer (&self->io);
  GST_OBJECT_UNLOCK (self);

  gst_sly_model_infer_drop_pending (self);
  /* the pads are down: nothing submits any more; this cancels what is in
   * flight and waits for every completion */
  if (io != NULL)
    gst_sly_io_thread_free (io);
  gst_sly_request_queue_flush (&self->queue, GST_FLOW_FLUSHING);
  /* the src task is stopped: nobody else touches the tracker */
  g_clear_pointer (&self->tracking_glue, gst_sly_tracking_free);
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

/* ---- actions ---- */

static gboolean
gst_sly_model_infer_load (GstSlyModelInfer * self, const gchar * model,
    const gchar * device, const gchar * runtime)
{
  if (model == NULL || *model == '\0')
    return FALSE;

  GST_OBJECT_LOCK (self);
  g_free (self->model);
  self->model = g_strdup (model);
  g_free (self->device);
  self->device = g_strdup (device);
  g_free (self->runtime);
  self->runtime = g_strdup (runtime);
  if (self->io != NULL)
    gst_sly_io_thread_control (self->io, GST_SLY_IO_OP_LOAD, model, device,
        runtime);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* A client of its own for an action, so the application thread never
 * shares the I/O thread's client. */
static SlyClient *
action_client (GstSlyModelInfer * self, const gchar * action)
{
  g_autoptr (GError) error = NULL;
  GstSlyClientConfig cfg;
  SlyClient *client;

  GST_OBJECT_LOCK (self);
  gst_sly_client_config_copy (&self->cfg, &cfg);
  GST_OBJECT_UNLOCK (self);
  client = gst_sly_client_config_create_client (&cfg, &error);
  gst_sly_client_config_clear (&cfg);
  if (client == NULL)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("%s failed: %s", action,
            error->message), (NULL));
  return client;
}

static void
action_failed (GstSlyModelInfer * self, const gchar * action,
    const GError * error)
{
  GST_ELEMENT_WARNING (self, RESOURCE, READ, ("%s failed: %s", action,
          error->message), (NULL));
}

static gchar *
gst_sly_model_infer_freeze_model (GstSlyModelInfer * self)
{
  g_autoptr (SlyClient) client = action_client (self, "freeze-model");
  g_autoptr (GError) error = NULL;
  gchar *message;

  if (client == NULL)
    return NULL;
  message = sly_client_freeze_model (client, NULL, &error);
  if (message == NULL)
    action_failed (self, "freeze-model", error);
  return message;
}

static gchar *
gst_sly_model_infer_shutdown (GstSlyModelInfer * self)
{
  g_autoptr (SlyClient) client = action_client (self, "shutdown");
  g_autoptr (GError) error = NULL;
  gchar *status;

  if (client == NULL)
    return NULL;
  status = sly_client_shutdown (client, NULL, &error);
  if (status == NULL)
    action_failed (self, "shutdown", error);
  return status;
}

static gchar **
gst_sly_model_infer_list_pretrained_models (GstSlyModelInfer * self)
{
  g_autoptr (SlyClient) client = action_client (self, "list-pretrained-models");
  g_autoptr (GError) error = NULL;
  gchar **names;

  if (client == NULL)
    return NULL;
  names = sly_client_list_pretrained_models (client, NULL, &error);
  if (names == NULL)
    action_failed (self, "list-pretrained-models", error);
  return names;
}

static gchar *
gst_sly_model_infer_list_pretrained_model_infos (GstSlyModelInfer * self)
{
  g_autoptr (SlyClient) client = action_client (self,
      "list-pretrained-model-infos");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) infos = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (client == NULL)
    return NULL;
  infos = sly_client_list_pretrained_model_infos (client, NULL, &error);
  if (infos == NULL) {
    action_failed (self, "list-pretrained-model-infos", error);
    return NULL;
  }
  node = json_node_init_array (json_node_alloc (), infos);
  return json_to_string (node, FALSE);
}

static gboolean
gst_sly_model_infer_refresh (GstSlyModelInfer * self)
{
  g_autoptr (SlyClient) client = NULL;
  g_autoptr (GError) error = NULL;
  GstSlyModelInfo *info;

  GST_OBJECT_LOCK (self);
  if (self->io != NULL) {
    gst_sly_io_thread_control (self->io, GST_SLY_IO_OP_REFRESH, NULL, NULL,
        NULL);
    GST_OBJECT_UNLOCK (self);
    return TRUE;
  }
  GST_OBJECT_UNLOCK (self);

  /* not running: read it here, with a client of our own */
  client = action_client (self, "refresh");
  if (client == NULL)
    return FALSE;
  info = gst_sly_model_info_fetch (client, NULL, &error);
  if (info == NULL) {
    action_failed (self, "refresh", error);
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  gst_sly_model_infer_locked_set_info (self, info);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
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
