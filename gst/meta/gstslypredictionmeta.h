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
 * @GST_SLY_FRAME_STATUS_LATE: the frame was sent, but its answer did not
 *   come within the element's latency on live input; the frame carries no
 *   predictions (Since: 0.2)
 *
 * How the predictions of a frame were obtained. A registered GEnum
 * (#GST_TYPE_SLY_FRAME_STATUS) with the nicks "inferred", "skipped",
 * "failed", "tracker-predicted" and "late".
 *
 * Since: 0.1
 */
typedef enum
{
  GST_SLY_FRAME_STATUS_INFERRED,
  GST_SLY_FRAME_STATUS_SKIPPED,
  GST_SLY_FRAME_STATUS_FAILED,
  GST_SLY_FRAME_STATUS_TRACKER_PREDICTED,
  GST_SLY_FRAME_STATUS_LATE,
} GstSlyFrameStatus;

GST_SLY_META_API GType gst_sly_frame_status_get_type (void);
#define GST_TYPE_SLY_FRAME_STATUS (gst_sly_frame_status_get_type ())

GST_SLY_META_API const gchar *
gst_sly_frame_status_get_nick (GstSlyFrameStatus status);

typedef struct _GstSlyPredictionMeta GstSlyPredictionMeta;

/**
 * GstSlyPredictionMeta:
 * @meta: parent #GstMeta
 * @status: how the predictions of this frame were obtained
 * @annotation: (nullable): the frame's predictions, in the pixel
 *   coordinates of this buffer; NULL when the frame has none
 * @round_trip: request latency, or GST_CLOCK_TIME_NONE
 * @model_name: (nullable): name of the model that predicted
 * @class_names: (nullable) (array zero-terminated=1): the model's classes in
 *   label-id order, when the producer set them with
 *   gst_sly_prediction_meta_set_class_names()
 *
 * All predictions of one video frame.
 *
 * The annotation is shared, not copied, when the buffer is copied: treat it
 * as immutable once the meta is attached. Decode masks with
 * gst_sly_prediction_meta_get_object_mask() or
 * gst_sly_prediction_meta_decode_mask(), which serialise the lazy decoding
 * of a shared annotation, rather than with sly_geometry_get_mask().
 *
 * Since: 0.1
 */
struct _GstSlyPredictionMeta
{
  GstMeta meta;

  GstSlyFrameStatus status;
  SlyAnnotation *annotation;
  GstClockTime round_trip;
  gchar *model_name;
  gchar **class_names;
};

GST_SLY_META_API GType gst_sly_prediction_meta_api_get_type (void);
#define GST_SLY_PREDICTION_META_API_TYPE (gst_sly_prediction_meta_api_get_type ())

GST_SLY_META_API const GstMetaInfo *gst_sly_prediction_meta_get_info (void);
#define GST_SLY_PREDICTION_META_INFO (gst_sly_prediction_meta_get_info ())

/* Takes a reference on @annotation, which must not change afterwards. */
GST_SLY_META_API GstSlyPredictionMeta *
gst_buffer_add_sly_prediction_meta (GstBuffer * buffer,
    GstSlyFrameStatus status, SlyAnnotation * annotation,
    GstClockTime round_trip, const gchar * model_name);

GST_SLY_META_API GstSlyPredictionMeta *
gst_buffer_add_sly_prediction_meta_from_json (GstBuffer * buffer,
    GstSlyFrameStatus status, const gchar * annotation_json,
    GstClockTime round_trip, const gchar * model_name, GError ** error);

GST_SLY_META_API GstSlyPredictionMeta *
gst_buffer_get_sly_prediction_meta (GstBuffer * buffer);

/* Adds one GstVideoRegionOfInterestMeta per object of @meta (roi_type =
 * class title, a "detection" structure with normalised x_min, y_min, x_max,
 * y_max, confidence, label_id, label and, when tracked, an "object_id"
 * structure with the track id, field "id", gint64). @class_index maps a
 * title to GUINT_TO_POINTER (label_id); when NULL, ids come from the class
 * names set on the meta, else follow first appearance. */
GST_SLY_META_API void
gst_sly_prediction_meta_add_roi_metas (GstBuffer * buffer,
    GstSlyPredictionMeta * meta, GHashTable * class_index);

GST_SLY_META_API void
gst_sly_prediction_meta_set_class_names (GstSlyPredictionMeta * meta,
    const gchar * const * class_names);

/* Accessors, introspectable: what Python and other bindings use. */
GST_SLY_META_API GstSlyFrameStatus
gst_sly_prediction_meta_get_status (GstSlyPredictionMeta * meta);

GST_SLY_META_API GstClockTime
gst_sly_prediction_meta_get_round_trip (GstSlyPredictionMeta * meta);

GST_SLY_META_API const gchar *
gst_sly_prediction_meta_get_model_name (GstSlyPredictionMeta * meta);

GST_SLY_META_API gboolean
gst_sly_prediction_meta_get_size (GstSlyPredictionMeta * meta,
    gint * width, gint * height);

GST_SLY_META_API guint
gst_sly_prediction_meta_get_n_objects (GstSlyPredictionMeta * meta);

GST_SLY_META_API gboolean
gst_sly_prediction_meta_get_object (GstSlyPredictionMeta * meta,
    guint index, const gchar ** class_title, gdouble * confidence,
    gint * x, gint * y, gint * width, gint * height, gint64 * track_id);

GST_SLY_META_API gint
gst_sly_prediction_meta_get_object_class_id (GstSlyPredictionMeta * meta,
    guint index);

GST_SLY_META_API const gchar *
gst_sly_prediction_meta_get_object_geometry_type (GstSlyPredictionMeta * meta,
    guint index);

GST_SLY_META_API gint *
gst_sly_prediction_meta_get_object_points (GstSlyPredictionMeta * meta,
    guint index, guint * n_coords);

GST_SLY_META_API GBytes *
gst_sly_prediction_meta_get_object_mask (GstSlyPredictionMeta * meta,
    guint index, gint * x, gint * y, gint * width, gint * height,
    GError ** error);

GST_SLY_META_API const SlyMask *
gst_sly_prediction_meta_decode_mask (GstSlyPredictionMeta * meta,
    guint index, GError ** error);

GST_SLY_META_API gchar *
gst_sly_prediction_meta_get_object_json (GstSlyPredictionMeta * meta,
    guint index);

GST_SLY_META_API gchar *
gst_sly_prediction_meta_to_json (GstSlyPredictionMeta * meta);

G_END_DECLS

#endif /* __GST_SLY_PREDICTION_META_H__ */
