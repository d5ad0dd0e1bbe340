/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of slymodelinfer share: the instance struct, the defaults
 * and the internal entry points. Each file has one job:
 *
 *   gstslymodelinfer.c            type, pads, class_init, init, change_state
 *   gstslymodelinfer-propspecs.c  property specs and their documentation
 *   gstslymodelinfer-props.c      property set and get
 *   gstslymodelinfer-stats.c      counters, round trips, latency, warnings
 *   gstslymodelinfer-server.c     start/stop, I/O thread callbacks
 *   gstslymodelinfer-sink.c       chain, sink events and queries, batching
 *   gstslymodelinfer-output.c     src pad task: tracking, metas, messages
 *   gstslymodelinfer-actions.c    the action signals
 */
#ifndef __GST_SLY_MODEL_INFER_PRIVATE_H__
#define __GST_SLY_MODEL_INFER_PRIVATE_H__

#include <gst/gst.h>
#include <gst/video/video.h>

#include "gstslymodelinfer.h"
#include "gstslyrequestqueue.h"
#include "gstslyiothread.h"
#include "gstslytracking.h"
#include "slyjson.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_sly_model_infer_debug);
#define GST_CAT_DEFAULT gst_sly_model_infer_debug

#define DEFAULT_URL                NULL
#define DEFAULT_TASK_ID            0
#define DEFAULT_SERVER_ADDRESS     NULL
#define DEFAULT_API_TOKEN          NULL
#define DEFAULT_MODEL              NULL
#define DEFAULT_DEVICE             NULL
#define DEFAULT_RUNTIME            NULL
#define DEFAULT_CONF               -1.0
#define DEFAULT_CLASSES            NULL
#define DEFAULT_IMG_SIZE           0
#define DEFAULT_SETTINGS           NULL
#define DEFAULT_TRACKING           FALSE
#define DEFAULT_TRACKING_CONFIG    NULL
#define DEFAULT_MAX_INFLIGHT       4
#define DEFAULT_BATCH_SIZE         1
#define DEFAULT_TIMEOUT            10000
#define DEFAULT_RETRIES            2
#define DEFAULT_JPEG_QUALITY       85
#define DEFAULT_UPLOAD_FORMAT      GST_SLY_UPLOAD_JPEG
#define DEFAULT_OVERLOAD           GST_SLY_OVERLOAD_AUTO
#define DEFAULT_INFERENCE_INTERVAL 1
#define DEFAULT_POST_MESSAGES      FALSE
#define DEFAULT_LATENCY            -1

/* shared by the specs and set/get */
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

/* Round trips kept for the p50/p95 statistics. */
#define RTT_WINDOW 128

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
  guint64 predicted;
  GstClockTime rtt[RTT_WINDOW];
  guint rtt_len, rtt_pos;
  gint64 last_warning_us;
  guint unreported_failures;
  GstClockTime reported_rtt;    /* round trip in the last LATENCY answer */
  /* of the input caps, for the latency of a batch: written by the sink
   * streaming thread, read by LATENCY queries from any thread */
  GstClockTime frame_duration;

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

  GstSlyRequestQueue queue;
};

/* gstslymodelinfer-propspecs.c */
GType    gst_sly_overload_get_type                (void);
GType    gst_sly_upload_format_get_type           (void);
void     gst_sly_model_infer_install_properties   (GObjectClass * klass);

/* gstslymodelinfer-props.c */
void     gst_sly_model_infer_set_property         (GObject * object,
                                                   guint prop_id,
                                                   const GValue * value,
                                                   GParamSpec * pspec);
void     gst_sly_model_infer_get_property         (GObject * object,
                                                   guint prop_id,
                                                   GValue * value,
                                                   GParamSpec * pspec);
gchar  **gst_sly_model_infer_parse_classes        (const gchar * text);
void     gst_sly_model_infer_check_classes        (GstSlyModelInfer * self);
guint    gst_sly_model_infer_locked_batch_size    (GstSlyModelInfer * self);
void     gst_sly_model_infer_locked_set_model     (GstSlyModelInfer * self,
                                                   const gchar * model,
                                                   const gchar * device,
                                                   const gchar * runtime);

/* gstslymodelinfer-stats.c */
void     gst_sly_model_infer_locked_reset_stats   (GstSlyModelInfer * self);
GstStructure *gst_sly_model_infer_locked_stats    (GstSlyModelInfer * self);
gboolean gst_sly_model_infer_locked_add_round_trip (GstSlyModelInfer * self,
                                                   GstClockTime rtt);
void     gst_sly_model_infer_count_result         (GstSlyModelInfer * self,
                                                   GstSlyResult result);
void     gst_sly_model_infer_warn_failure         (GstSlyModelInfer * self,
                                                   guint n_frames,
                                                   const GError * error);
GstClockTime gst_sly_model_infer_get_latency      (GstSlyModelInfer * self);
guint    gst_sly_model_infer_http_status          (const GError * error);

/* gstslymodelinfer-server.c */
gboolean gst_sly_model_infer_start                (GstSlyModelInfer * self);
void     gst_sly_model_infer_stop                 (GstSlyModelInfer * self);
void     gst_sly_model_infer_locked_set_info      (GstSlyModelInfer * self,
                                                   GstSlyModelInfo * info);
gchar   *gst_sly_model_infer_describe_server      (GstSlyModelInfer * self);

/* gstslymodelinfer-sink.c */
GstFlowReturn gst_sly_model_infer_chain           (GstPad * pad,
                                                   GstObject * parent,
                                                   GstBuffer * buffer);
gboolean gst_sly_model_infer_sink_event           (GstPad * pad,
                                                   GstObject * parent,
                                                   GstEvent * event);
gboolean gst_sly_model_infer_sink_query           (GstPad * pad,
                                                   GstObject * parent,
                                                   GstQuery * query);
void     gst_sly_model_infer_drop_pending         (GstSlyModelInfer * self);

/* gstslymodelinfer-output.c */
gboolean gst_sly_model_infer_src_activate_mode    (GstPad * pad,
                                                   GstObject * parent,
                                                   GstPadMode mode,
                                                   gboolean active);
gboolean gst_sly_model_infer_src_query            (GstPad * pad,
                                                   GstObject * parent,
                                                   GstQuery * query);
gboolean gst_sly_model_infer_start_task           (GstSlyModelInfer * self);
void     gst_sly_model_infer_post_tracking_warnings (GstSlyModelInfer * self,
                                                   GPtrArray * warnings);

/* gstslymodelinfer-actions.c */
void     gst_sly_model_infer_install_signals      (GstSlyModelInferClass * klass);

G_END_DECLS

#endif /* __GST_SLY_MODEL_INFER_PRIVATE_H__ */
