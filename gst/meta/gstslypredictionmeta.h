/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __GST_SLY_PREDICTION_META_H__
#define __GST_SLY_PREDICTION_META_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include "slymeta-prelude.h"

/* The core library's annotation model is no public API (docs/api.md): its
 * headers are not installed. Outside this project SlyAnnotation is an
 * opaque type; read predictions through GstSlyObject. The library itself and
 * the code of this project (slymeta_dep defines GST_SLY_META_WITH_CORE) see
 * the whole model. */
#if defined (BUILDING_GST_SLY_META) || defined (GST_SLY_META_WITH_CORE)
#define GST_SLY_META_CORE_TYPES 1
#include "slyannotation.h"
#else
typedef struct _SlyAnnotation SlyAnnotation;
#endif

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
 *   predictions
 *
 * How the predictions of a frame were obtained. A registered GEnum
 * (#GST_TYPE_SLY_FRAME_STATUS) with the nicks "inferred", "skipped",
 * "failed", "tracker-predicted" and "late".
 *
 * Since: 1.0
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
 * @round_trip: request latency, or GST_CLOCK_TIME_NONE
 * @model_name: (nullable): name of the model that predicted
 * @class_names: (nullable) (array zero-terminated=1): the model's classes in
 *   label-id order, when the producer set them with
 *   gst_sly_prediction_meta_set_class_names()
 *
 * All predictions of one video frame. Read the objects with
 * gst_sly_prediction_meta_get_objects() or
 * gst_sly_prediction_meta_get_nth_object().
 *
 * The predictions are shared, not copied, when the buffer is copied: they
 * never change once the meta is attached.
 *
 * Since: 1.0
 */
struct _GstSlyPredictionMeta
{
  GstMeta meta;

  GstSlyFrameStatus status;
  /*< private >*/
  /* The frame's predictions in this buffer's pixels, NULL when it has none.
   * For the code of this project only (see above); decode its masks with
   * gst_sly_prediction_meta_decode_mask(). */
#ifndef __GI_SCANNER__
  SlyAnnotation *annotation;
#else
  gpointer annotation;
#endif
  /*< public >*/
  GstClockTime round_trip;
  gchar *model_name;
  gchar **class_names;
};

/**
 * GstSlyObject:
 *
 * One predicted object of a frame: its class, confidence, bounding box,
 * track id and geometry (points, or a mask). An opaque, reference-counted
 * boxed type (#GST_TYPE_SLY_OBJECT) that keeps the frame's predictions
 * alive: it may outlive the buffer it was read from. All coordinates are in
 * the pixels of that buffer.
 *
 * Since: 1.0
 */
typedef struct _GstSlyObject GstSlyObject;

GST_SLY_META_API GType gst_sly_prediction_meta_api_get_type (void);
#define GST_SLY_PREDICTION_META_API_TYPE (gst_sly_prediction_meta_api_get_type ())

GST_SLY_META_API const GstMetaInfo *gst_sly_prediction_meta_get_info (void);
#define GST_SLY_PREDICTION_META_INFO (gst_sly_prediction_meta_get_info ())

/* Producers */

#ifndef __GI_SCANNER__
/* C only: takes a reference on @annotation, which must not change
 * afterwards. Bindings use gst_buffer_add_sly_prediction_meta_from_json(). */
GST_SLY_META_API GstSlyPredictionMeta *
gst_buffer_add_sly_prediction_meta (GstBuffer * buffer,
    GstSlyFrameStatus status, SlyAnnotation * annotation,
    GstClockTime round_trip, const gchar * model_name);
#endif

GST_SLY_META_API GstSlyPredictionMeta *
gst_buffer_add_sly_prediction_meta_from_json (GstBuffer * buffer,
    GstSlyFrameStatus status, const gchar * annotation_json,
    GstClockTime round_trip, const gchar * model_name, GError ** error);

GST_SLY_META_API void
gst_sly_prediction_meta_set_class_names (GstSlyPredictionMeta * meta,
    const gchar * const * class_names);

/* Adds one GstVideoRegionOfInterestMeta per object of @meta (roi_type =
 * class title, a "detection" structure with normalised x_min, y_min, x_max,
 * y_max, confidence, label_id, label and, when tracked, an "object_id"
 * structure with the track id, field "id", gint64). @class_index maps a
 * title to GUINT_TO_POINTER (label_id); when NULL, ids come from the class
 * names set on the meta, else follow first appearance. */
GST_SLY_META_API void
gst_sly_prediction_meta_add_roi_metas (GstBuffer * buffer,
    GstSlyPredictionMeta * meta, GHashTable * class_index);

/* The same for the objects from index @first on. */
GST_SLY_META_API void
gst_sly_prediction_meta_add_roi_metas_from (GstBuffer * buffer,
    GstSlyPredictionMeta * meta, GHashTable * class_index, guint first);

/* Readers: the frame */

GST_SLY_META_API GstSlyPredictionMeta *
gst_buffer_get_sly_prediction_meta (GstBuffer * buffer);

GST_SLY_META_API GstSlyFrameStatus
gst_sly_prediction_meta_get_status (GstSlyPredictionMeta * meta);

GST_SLY_META_API GstClockTime
gst_sly_prediction_meta_get_round_trip (GstSlyPredictionMeta * meta);

GST_SLY_META_API const gchar *
gst_sly_prediction_meta_get_model_name (GstSlyPredictionMeta * meta);

GST_SLY_META_API const gchar * const *
gst_sly_prediction_meta_get_class_names (GstSlyPredictionMeta * meta);

GST_SLY_META_API gboolean
gst_sly_prediction_meta_get_size (GstSlyPredictionMeta * meta,
    gint * width, gint * height);

GST_SLY_META_API guint
gst_sly_prediction_meta_get_n_objects (GstSlyPredictionMeta * meta);

GST_SLY_META_API GList *
gst_sly_prediction_meta_get_objects (GstSlyPredictionMeta * meta);

GST_SLY_META_API GstSlyObject *
gst_sly_prediction_meta_get_nth_object (GstSlyPredictionMeta * meta,
    guint index);

GST_SLY_META_API gchar *
gst_sly_prediction_meta_to_json (GstSlyPredictionMeta * meta);

/* Readers: one object */

GST_SLY_META_API GType gst_sly_object_get_type (void);
#define GST_TYPE_SLY_OBJECT (gst_sly_object_get_type ())

GST_SLY_META_API GstSlyObject *
gst_sly_object_ref (GstSlyObject * object);

GST_SLY_META_API void
gst_sly_object_unref (GstSlyObject * object);

GST_SLY_META_API guint
gst_sly_object_get_index (GstSlyObject * object);

GST_SLY_META_API const gchar *
gst_sly_object_get_class_title (GstSlyObject * object);

GST_SLY_META_API gint
gst_sly_object_get_class_id (GstSlyObject * object);

GST_SLY_META_API gdouble
gst_sly_object_get_confidence (GstSlyObject * object);

GST_SLY_META_API void
gst_sly_object_get_box (GstSlyObject * object, gint * x, gint * y,
    gint * width, gint * height);

GST_SLY_META_API gint64
gst_sly_object_get_track_id (GstSlyObject * object);

GST_SLY_META_API gint
gst_sly_object_get_parent_index (GstSlyObject * object);

GST_SLY_META_API GstStructure *
gst_sly_object_get_tags (GstSlyObject * object);

GST_SLY_META_API const gchar *
gst_sly_object_get_geometry_type (GstSlyObject * object);

GST_SLY_META_API const gint *
gst_sly_object_get_points (GstSlyObject * object, guint * n_coords);

GST_SLY_META_API gboolean
gst_sly_object_has_mask (GstSlyObject * object);

GST_SLY_META_API GBytes *
gst_sly_object_get_mask (GstSlyObject * object, gint * x, gint * y,
    gint * width, gint * height, GError ** error);

GST_SLY_META_API gchar *
gst_sly_object_to_json (GstSlyObject * object);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstSlyObject, gst_sly_object_unref)

/* Index accessors of the first API: kept for C code, deprecated in the
 * documentation in favour of GstSlyObject (docs/api.md). */

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

GST_SLY_META_API gchar *
gst_sly_prediction_meta_get_object_json (GstSlyPredictionMeta * meta,
    guint index);

#ifndef __GI_SCANNER__
#ifdef GST_SLY_META_CORE_TYPES
/* For the code of this project: the mask of the core model, decoded under
 * the lock that serialises lazy decoding of a shared annotation. */
GST_SLY_META_API const SlyMask *
gst_sly_prediction_meta_decode_mask (GstSlyPredictionMeta * meta,
    guint index, GError ** error);
#endif
#endif

G_END_DECLS

#endif /* __GST_SLY_PREDICTION_META_H__ */
