/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __GST_SLY_PREDICTION_META_H__
#define __GST_SLY_PREDICTION_META_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include "slymeta-prelude.h"
#include "slyannotation.h"

G_BEGIN_DECLS

/**
 * GstSlyFrameStatus:
 * @GST_SLY_FRAME_STATUS_INFERRED: the model predicted this frame
 * @GST_SLY_FRAME_STATUS_SKIPPED: no inference ran for this frame
 *   (inference-interval, window full on live input, model not ready)
 * @GST_SLY_FRAME_STATUS_FAILED: the request for this frame failed
 * @GST_SLY_FRAME_STATUS_TRACKER_PREDICTED: boxes come from the tracker's
 *   motion model, not from the server
 */
typedef enum
{
  GST_SLY_FRAME_STATUS_INFERRED,
  GST_SLY_FRAME_STATUS_SKIPPED,
  GST_SLY_FRAME_STATUS_FAILED,
  GST_SLY_FRAME_STATUS_TRACKER_PREDICTED,
} GstSlyFrameStatus;

GST_SLY_META_API GType gst_sly_frame_status_get_type (void);
#define GST_TYPE_SLY_FRAME_STATUS (gst_sly_frame_status_get_type ())

typedef struct _GstSlyPredictionMeta GstSlyPredictionMeta;

/**
 * GstSlyPredictionMeta:
 * @meta: parent #GstMeta
 * @status: how the predictions of this frame were obtained
 * @annotation: (nullable): the frame's predictions, in the pixel
 *   coordinates of this buffer; NULL when the frame has none
 * @round_trip: request latency, or GST_CLOCK_TIME_NONE
 * @model_name: (nullable): name of the model that predicted
 *
 * All predictions of one video frame.
 */
struct _GstSlyPredictionMeta
{
  GstMeta meta;

  GstSlyFrameStatus status;
  SlyAnnotation *annotation;
  GstClockTime round_trip;
  gchar *model_name;
};

GST_SLY_META_API GType gst_sly_prediction_meta_api_get_type (void);
#define GST_SLY_PREDICTION_META_API_TYPE (gst_sly_prediction_meta_api_get_type ())

GST_SLY_META_API const GstMetaInfo *gst_sly_prediction_meta_get_info (void);
#define GST_SLY_PREDICTION_META_INFO (gst_sly_prediction_meta_get_info ())

/* Takes a reference on @annotation. */
GST_SLY_META_API GstSlyPredictionMeta *
gst_buffer_add_sly_prediction_meta (GstBuffer * buffer,
    GstSlyFrameStatus status, SlyAnnotation * annotation,
    GstClockTime round_trip, const gchar * model_name);

GST_SLY_META_API GstSlyPredictionMeta *
gst_buffer_get_sly_prediction_meta (GstBuffer * buffer);

/* Adds one GstVideoRegionOfInterestMeta per object of @meta (roi_type =
 * class title, a "detection" structure with normalised x_min, y_min, x_max,
 * y_max, confidence, label_id, label and, when tracked, an "object_id"
 * structure with the track id). @class_index maps a title to its label_id
 * (may be NULL: ids then follow first appearance). */
GST_SLY_META_API void
gst_sly_prediction_meta_add_roi_metas (GstBuffer * buffer,
    GstSlyPredictionMeta * meta, GHashTable * class_index);

G_END_DECLS

#endif /* __GST_SLY_PREDICTION_META_H__ */
