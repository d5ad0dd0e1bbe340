/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer's property specs: the enum types and every property with
 * its documentation, flags and default. Set and get are in
 * gstslymodelinfer-props.c.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslymodelinfer-private.h"

#define RW_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)
#define RO_FLAGS (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)

GType
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

GType
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

/* ---- installation ---- */

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
   * Base URL of the serving app; the /net/<session token> part of a
   * platform URL never appears in messages.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_URL, "url", "URL",
      "Base URL of the serving app, e.g. http://127.0.0.1:8000 or "
      "https://host/net/<session token> (use this or task-id)",
      RW_FLAGS | GST_PARAM_MUTABLE_READY);
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
   * Timeout of one request in milliseconds.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Timeout of one request in milliseconds (0 = none)", 0, G_MAXUINT,
          DEFAULT_TIMEOUT, RW_FLAGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSlyModelInfer:retries:
   *
   * Extra attempts of a request that failed in a way worth retrying.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_RETRIES,
      g_param_spec_uint ("retries", "Retries",
          "Extra attempts of a request that failed on the network, timed out "
          "or got 408/429/5xx, with backoff", 0, 20, DEFAULT_RETRIES,
          RW_FLAGS | GST_PARAM_MUTABLE_READY));
}

static void
install_model_properties (GObjectClass * klass)
{
  /**
   * GstSlyModelInfer:model:
   *
   * Pretrained model to load. Set while playing, it loads in the
   * background and the old model serves until the new one is ready.
   *
   * Since: 0.1
   */
  install_string (klass, PROP_MODEL, "model", "Model",
      "Pretrained model to load (deploy_from_api) when the element starts; "
      "set while playing, it loads in the background and the old model "
      "serves until it is ready (NULL = use what the server has)",
      RW_FLAGS | GST_PARAM_MUTABLE_PLAYING);
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
   * Frames sent in one request.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_BATCH_SIZE,
      g_param_spec_uint ("batch-size", "Batch size",
          "Frames per inference_batch request (capped by the server's "
          "max_batch_size)", 1, 64, DEFAULT_BATCH_SIZE,
          RW_FLAGS | GST_PARAM_MUTABLE_PLAYING));
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
   * Latency added to LATENCY queries; -1 measures it.
   *
   * Since: 0.1
   */
  g_object_class_install_property (klass, PROP_LATENCY,
      g_param_spec_int64 ("latency", "Latency",
          "Latency in nanoseconds added to LATENCY queries (-1 = automatic: "
          "the measured p95 round trip, 200 ms before any was measured, plus "
          "the time to gather a batch)", -1, G_MAXINT64, DEFAULT_LATENCY,
          RW_FLAGS | GST_PARAM_MUTABLE_READY));
}

static void
install_read_only_properties (GObjectClass * klass)
{
  /**
   * GstSlyModelInfer:model-meta:
   *
   * The model's classes and tags (ProjectMeta JSON).
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
          "Counters since the element started: frames-in, frames-out, "
          "inferred, skipped, dropped, failed, tracker-predicted, in-flight, "
          "round-trip-p50 and round-trip-p95 (ns)",
          GST_TYPE_STRUCTURE, RO_FLAGS));
}

void
gst_sly_model_infer_install_properties (GObjectClass * klass)
{
  install_connection_properties (klass);
  install_model_properties (klass);
  install_throughput_properties (klass);
  install_read_only_properties (klass);
}
