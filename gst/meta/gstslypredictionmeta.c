/* GStreamer Supervisely prediction meta
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstslypredictionmeta
 * @title: GstSlyPredictionMeta
 * @short_description: predictions of a Supervisely model attached to a
 *   video frame
 *
 * `slymodelinfer` attaches one #GstSlyPredictionMeta to every buffer it
 * pushes: the objects the model found in the frame (class, confidence,
 * geometry, tags, track id), how the frame was handled (#GstSlyFrameStatus),
 * the request's round trip and the model's name.
 *
 * The meta follows the buffer through copies (sharing the predictions) and
 * through `videoscale` (a scaled deep copy). Each object is read as a
 * #GstSlyObject (gst_sly_prediction_meta_get_objects(),
 * gst_sly_prediction_meta_get_nth_object()), from C and from bindings alike;
 * producers in bindings attach predictions as JSON with
 * gst_buffer_add_sly_prediction_meta_from_json().
 *
 * Each object can also be exposed as a #GstVideoRegionOfInterestMeta with
 * gst_sly_prediction_meta_add_roi_metas(), for elements that only know the
 * standard ROI meta.
 *
 * Since: 1.0
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslypredictionmeta.h"
#include "slyerror.h"
#include "slyjson.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (sly_meta_debug);
#define GST_CAT_DEFAULT sly_meta_debug

/* Masks are decoded lazily into the geometry that holds them, and one
 * annotation may be shared by the metas of several buffers living in
 * different threads: this lock serialises that one mutation. */
static GMutex mask_lock;

/**
 * gst_sly_frame_status_get_type:
 *
 * Returns: the #GType of #GstSlyFrameStatus
 *
 * Since: 1.0
 */
GType
gst_sly_frame_status_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    {GST_SLY_FRAME_STATUS_INFERRED, "The model predicted this frame",
        "inferred"},
    {GST_SLY_FRAME_STATUS_SKIPPED, "No inference ran for this frame",
        "skipped"},
    {GST_SLY_FRAME_STATUS_FAILED, "The request for this frame failed",
        "failed"},
    {GST_SLY_FRAME_STATUS_TRACKER_PREDICTED,
        "Boxes come from the tracker's motion model", "tracker-predicted"},
    {GST_SLY_FRAME_STATUS_LATE,
        "The answer did not come within the latency on live input", "late"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstSlyFrameStatus", values);
    g_once_init_leave (&type, t);
  }
  return (GType) type;
}

/**
 * gst_sly_frame_status_get_nick:
 * @status: a #GstSlyFrameStatus
 *
 * Returns: (transfer none) (nullable): "inferred", "skipped", "failed",
 *   "tracker-predicted" or "late"; %NULL for a value that is not a status
 *
 * Since: 1.0
 */
const gchar *
gst_sly_frame_status_get_nick (GstSlyFrameStatus status)
{
  GEnumClass *klass = g_type_class_ref (GST_TYPE_SLY_FRAME_STATUS);
  GEnumValue *value = g_enum_get_value (klass, status);

  /* the class of a static type is never freed: the nick stays valid */
  g_type_class_unref (klass);
  return value ? value->value_nick : NULL;
}

/**
 * gst_sly_prediction_meta_api_get_type:
 *
 * Returns: the #GType of the meta API, tagged video, size and orientation:
 *   elements that change the frame's geometry must transform or drop it
 *
 * Since: 1.0
 */
GType
gst_sly_prediction_meta_api_get_type (void)
{
  static gsize type = 0;
  static const gchar *tags[] = { GST_META_TAG_VIDEO_STR,
    GST_META_TAG_VIDEO_SIZE_STR, GST_META_TAG_VIDEO_ORIENTATION_STR, NULL
  };

  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("GstSlyPredictionMetaAPI", tags);
    g_once_init_leave (&type, t);
  }
  return (GType) type;
}

static gboolean
gst_sly_prediction_meta_init (GstMeta * meta, gpointer params,
    GstBuffer * buffer)
{
  GstSlyPredictionMeta *pmeta = (GstSlyPredictionMeta *) meta;

  pmeta->status = GST_SLY_FRAME_STATUS_INFERRED;
  pmeta->annotation = NULL;
  pmeta->round_trip = GST_CLOCK_TIME_NONE;
  pmeta->model_name = NULL;
  pmeta->class_names = NULL;
  return TRUE;
}

static void
gst_sly_prediction_meta_free (GstMeta * meta, GstBuffer * buffer)
{
  GstSlyPredictionMeta *pmeta = (GstSlyPredictionMeta *) meta;

  g_clear_pointer (&pmeta->annotation, sly_annotation_unref);
  g_clear_pointer (&pmeta->model_name, g_free);
  g_clear_pointer (&pmeta->class_names, g_strfreev);
}

/* Scaling cannot share: the copy gets its own annotation in the new frame's
 * pixels. Masks are scaled too when they were decoded already. */
static SlyAnnotation *
scaled_annotation (const SlyAnnotation * ann, GstVideoMetaTransform * trans)
{
  gint in_w = GST_VIDEO_INFO_WIDTH (trans->in_info);
  gint in_h = GST_VIDEO_INFO_HEIGHT (trans->in_info);
  gint out_w = GST_VIDEO_INFO_WIDTH (trans->out_info);
  gint out_h = GST_VIDEO_INFO_HEIGHT (trans->out_info);
  SlyAnnotation *copy;

  if (in_w <= 0 || in_h <= 0)
    return NULL;

  /* the source may be decoding a mask in another thread right now */
  g_mutex_lock (&mask_lock);
  copy = sly_annotation_copy (ann);
  g_mutex_unlock (&mask_lock);
  sly_annotation_scale (copy, (gdouble) out_w / in_w, (gdouble) out_h / in_h,
      ann->width > 0 ? out_w : 0, ann->height > 0 ? out_h : 0);
  return copy;
}

static gboolean
gst_sly_prediction_meta_transform (GstBuffer * dest, GstMeta * meta,
    GstBuffer * buffer, GQuark type, gpointer data)
{
  GstSlyPredictionMeta *smeta = (GstSlyPredictionMeta *) meta;
  GstSlyPredictionMeta *dmeta;
  g_autoptr (SlyAnnotation) ann = NULL;

  if (GST_META_TRANSFORM_IS_COPY (type)) {
    ann = smeta->annotation ? sly_annotation_ref (smeta->annotation) : NULL;
  } else if (GST_VIDEO_META_TRANSFORM_IS_SCALE (type)) {
    if (smeta->annotation) {
      ann = scaled_annotation (smeta->annotation, data);
      if (!ann) {
        GST_WARNING ("cannot scale predictions from an empty frame");
        return FALSE;
      }
    }
  } else {
    /* a transform we do not know: the boxes would be wrong, drop the meta */
    return FALSE;
  }

  dmeta = gst_buffer_add_sly_prediction_meta (dest, smeta->status, ann,
      smeta->round_trip, smeta->model_name);
  if (!dmeta)
    return FALSE;
  gst_sly_prediction_meta_set_class_names (dmeta,
      (const gchar * const *) smeta->class_names);
  GST_TRACE ("copied predictions to buffer %p", dest);
  return TRUE;
}

/**
 * gst_sly_prediction_meta_get_info:
 *
 * Returns: (transfer none): the #GstMetaInfo of #GstSlyPredictionMeta
 *
 * Since: 1.0
 */
const GstMetaInfo *
gst_sly_prediction_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    const GstMetaInfo *mi;

    GST_DEBUG_CATEGORY_INIT (sly_meta_debug, "slymeta", 0,
        "Supervisely prediction meta");
    mi = gst_meta_register (GST_SLY_PREDICTION_META_API_TYPE,
        "GstSlyPredictionMeta", sizeof (GstSlyPredictionMeta),
        gst_sly_prediction_meta_init, gst_sly_prediction_meta_free,
        gst_sly_prediction_meta_transform);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) mi);
  }
  return info;
}

/**
 * gst_buffer_add_sly_prediction_meta: (skip)
 * @buffer: a writable #GstBuffer
 * @status: how the predictions were obtained
 * @annotation: (nullable) (transfer none): the predictions in this
 *   buffer's pixel coordinates, or %NULL when the frame has none. The meta
 *   takes a reference: do not change the annotation afterwards.
 * @round_trip: the request's round trip, or %GST_CLOCK_TIME_NONE
 * @model_name: (nullable): the name of the model that predicted
 *
 * Attaches the predictions of one frame to @buffer. C only: a
 * #SlyAnnotation comes from the core library, which is private to this
 * project; outside it pass %NULL (a frame without predictions) or use
 * gst_buffer_add_sly_prediction_meta_from_json().
 *
 * Returns: (transfer none): the #GstSlyPredictionMeta added to @buffer
 *
 * Since: 1.0
 */
GstSlyPredictionMeta *
gst_buffer_add_sly_prediction_meta (GstBuffer * buffer,
    GstSlyFrameStatus status, SlyAnnotation * annotation,
    GstClockTime round_trip, const gchar * model_name)
{
  GstSlyPredictionMeta *meta;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);

  meta = (GstSlyPredictionMeta *) gst_buffer_add_meta (buffer,
      GST_SLY_PREDICTION_META_INFO, NULL);
  if (!meta)
    return NULL;

  meta->status = status;
  meta->annotation = annotation ? sly_annotation_ref (annotation) : NULL;
  meta->round_trip = round_trip;
  meta->model_name = g_strdup (model_name);
  return meta;
}

/**
 * gst_buffer_add_sly_prediction_meta_from_json:
 * @buffer: a writable #GstBuffer
 * @status: how the predictions were obtained
 * @annotation_json: (nullable): a Supervisely image annotation, or a
 *   prediction result that wraps one (protocol.md section 5); %NULL when
 *   the frame has no predictions
 * @round_trip: the request's round trip, or %GST_CLOCK_TIME_NONE
 * @model_name: (nullable): the name of the model that predicted
 * @error: return location for a #GError
 *
 * Like gst_buffer_add_sly_prediction_meta(), from JSON text: for bindings
 * and for producers that hold predictions as JSON.
 *
 * Returns: (transfer none) (nullable): the #GstSlyPredictionMeta added to
 *   @buffer, or %NULL with @error set when the JSON is not an annotation
 *
 * Since: 1.0
 */
GstSlyPredictionMeta *
gst_buffer_add_sly_prediction_meta_from_json (GstBuffer * buffer,
    GstSlyFrameStatus status, const gchar * annotation_json,
    GstClockTime round_trip, const gchar * model_name, GError ** error)
{
  g_autoptr (SlyAnnotation) ann = NULL;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (gst_buffer_is_writable (buffer), NULL);

  if (annotation_json) {
    ann = sly_annotation_from_json (annotation_json, -1, error);
    if (!ann)
      return NULL;
  }
  return gst_buffer_add_sly_prediction_meta (buffer, status, ann, round_trip,
      model_name);
}

/**
 * gst_buffer_get_sly_prediction_meta:
 * @buffer: a #GstBuffer
 *
 * Finds the predictions of the frame in @buffer. From Python:
 * `GstSlyMeta.buffer_get_sly_prediction_meta (buffer)`.
 *
 * Returns: (transfer none) (nullable): the #GstSlyPredictionMeta of
 *   @buffer, or %NULL when it has none
 *
 * Since: 1.0
 */
GstSlyPredictionMeta *
gst_buffer_get_sly_prediction_meta (GstBuffer * buffer)
{
  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);

  return (GstSlyPredictionMeta *) gst_buffer_get_meta (buffer,
      GST_SLY_PREDICTION_META_API_TYPE);
}

/**
 * gst_sly_prediction_meta_set_class_names:
 * @meta: a #GstSlyPredictionMeta
 * @class_names: (nullable) (array zero-terminated=1): the model's classes,
 *   in label-id order
 *
 * Records the model's class list, so that
 * gst_sly_prediction_meta_get_object_class_id() and
 * gst_sly_prediction_meta_add_roi_metas() give every class the same label id
 * in every frame. Call it before the buffer is shared.
 *
 * Since: 1.0
 */
void
gst_sly_prediction_meta_set_class_names (GstSlyPredictionMeta * meta,
    const gchar * const *class_names)
{
  g_return_if_fail (meta != NULL);

  g_strfreev (meta->class_names);
  meta->class_names = g_strdupv ((gchar **) class_names);
}

/**
 * gst_sly_prediction_meta_get_status:
 * @meta: a #GstSlyPredictionMeta
 *
 * Returns: how the predictions of this frame were obtained
 *
 * Since: 1.0
 */
GstSlyFrameStatus
gst_sly_prediction_meta_get_status (GstSlyPredictionMeta * meta)
{
  g_return_val_if_fail (meta != NULL, GST_SLY_FRAME_STATUS_FAILED);

  return meta->status;
}

/**
 * gst_sly_prediction_meta_get_round_trip:
 * @meta: a #GstSlyPredictionMeta
 *
 * Returns: the request's round trip in nanoseconds, or
 *   %GST_CLOCK_TIME_NONE when no request was made for this frame
 *
 * Since: 1.0
 */
GstClockTime
gst_sly_prediction_meta_get_round_trip (GstSlyPredictionMeta * meta)
{
  g_return_val_if_fail (meta != NULL, GST_CLOCK_TIME_NONE);

  return meta->round_trip;
}

/**
 * gst_sly_prediction_meta_get_model_name:
 * @meta: a #GstSlyPredictionMeta
 *
 * Returns: (transfer none) (nullable): the name of the model that predicted
 *
 * Since: 1.0
 */
const gchar *
gst_sly_prediction_meta_get_model_name (GstSlyPredictionMeta * meta)
{
  g_return_val_if_fail (meta != NULL, NULL);

  return meta->model_name;
}

/**
 * gst_sly_prediction_meta_get_class_names:
 * @meta: a #GstSlyPredictionMeta
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the model's
 *   classes in label-id order, as set with
 *   gst_sly_prediction_meta_set_class_names(), or %NULL
 *
 * Since: 1.0
 */
const gchar *const *
gst_sly_prediction_meta_get_class_names (GstSlyPredictionMeta * meta)
{
  g_return_val_if_fail (meta != NULL, NULL);

  return (const gchar * const *) meta->class_names;
}

/**
 * gst_sly_prediction_meta_get_size:
 * @meta: a #GstSlyPredictionMeta
 * @width: (out) (optional): the width of the annotated frame
 * @height: (out) (optional): the height of the annotated frame
 *
 * The frame size the coordinates refer to (the buffer's own size).
 *
 * Returns: %FALSE when the meta has no annotation or the annotation names
 *   no size (both then 0)
 *
 * Since: 1.0
 */
gboolean
gst_sly_prediction_meta_get_size (GstSlyPredictionMeta * meta,
    gint * width, gint * height)
{
  gint w = 0, h = 0;

  g_return_val_if_fail (meta != NULL, FALSE);

  if (meta->annotation) {
    w = meta->annotation->width;
    h = meta->annotation->height;
  }
  if (width)
    *width = w;
  if (height)
    *height = h;
  return w > 0 && h > 0;
}

/**
 * gst_sly_prediction_meta_get_n_objects:
 * @meta: a #GstSlyPredictionMeta
 *
 * Returns: the number of objects predicted in the frame
 *
 * Since: 1.0
 */
guint
gst_sly_prediction_meta_get_n_objects (GstSlyPredictionMeta * meta)
{
  g_return_val_if_fail (meta != NULL, 0);

  if (!meta->annotation || !meta->annotation->objects)
    return 0;
  return meta->annotation->objects->len;
}

/* NULL for an index past the end: bindings iterate until FALSE/NULL */
static SlyObject *
get_object (GstSlyPredictionMeta * meta, guint index)
{
  if (index >= gst_sly_prediction_meta_get_n_objects (meta))
    return NULL;
  return g_ptr_array_index (meta->annotation->objects, index);
}

/**
 * gst_sly_prediction_meta_get_object:
 * @meta: a #GstSlyPredictionMeta
 * @index: the object's index, below gst_sly_prediction_meta_get_n_objects()
 * @class_title: (out) (optional) (transfer none): the object's class
 * @confidence: (out) (optional): the model's confidence, 0 to 1
 * @x: (out) (optional): left edge of the bounding box, in frame pixels
 * @y: (out) (optional): top edge of the bounding box
 * @width: (out) (optional): width of the bounding box
 * @height: (out) (optional): height of the bounding box
 * @track_id: (out) (optional): the tracker's id for the object, or 0 when
 *   it is not tracked
 *
 * Reads one object. The box bounds any geometry (a polygon, a mask...).
 *
 * Returns: %FALSE when @index is out of range
 *
 * Since: 1.0
 * Deprecated: 1.0: the first, index-based accessor, kept for C code: use
 *   gst_sly_prediction_meta_get_nth_object() and the #GstSlyObject getters
 */
gboolean
gst_sly_prediction_meta_get_object (GstSlyPredictionMeta * meta,
    guint index, const gchar ** class_title, gdouble * confidence,
    gint * x, gint * y, gint * width, gint * height, gint64 * track_id)
{
  SlyObject *obj;
  SlyBox box = { 0, 0, -1, -1 };

  g_return_val_if_fail (meta != NULL, FALSE);

  obj = get_object (meta, index);
  if (!obj)
    return FALSE;
  if (obj->geometry)
    box = sly_geometry_get_bbox (obj->geometry);

  if (class_title)
    *class_title = obj->class_title;
  if (confidence)
    *confidence = obj->confidence;
  if (x)
    *x = box.left;
  if (y)
    *y = box.top;
  if (width)
    *width = box.right - box.left + 1;
  if (height)
    *height = box.bottom - box.top + 1;
  if (track_id)
    *track_id = obj->track_id;
  return TRUE;
}

static gint
class_names_find (GstSlyPredictionMeta * meta, const gchar * title)
{
  guint i;

  for (i = 0; meta->class_names && meta->class_names[i]; i++) {
    if (g_strcmp0 (meta->class_names[i], title) == 0)
      return i;
  }
  return -1;
}

/**
 * gst_sly_prediction_meta_get_object_class_id:
 * @meta: a #GstSlyPredictionMeta
 * @index: the object's index
 *
 * Returns: the position of the object's class in the model's class list
 *   (see gst_sly_prediction_meta_set_class_names()), or -1 when the list
 *   is not known, does not hold the class, or @index is out of range
 *
 * Since: 1.0
 * Deprecated: 1.0: use gst_sly_object_get_class_id()
 */
gint
gst_sly_prediction_meta_get_object_class_id (GstSlyPredictionMeta * meta,
    guint index)
{
  SlyObject *obj;

  g_return_val_if_fail (meta != NULL, -1);

  obj = get_object (meta, index);
  return obj ? class_names_find (meta, obj->class_title) : -1;
}

/**
 * gst_sly_prediction_meta_get_object_geometry_type:
 * @meta: a #GstSlyPredictionMeta
 * @index: the object's index
 *
 * Returns: (transfer none) (nullable): the geometry type as Supervisely
 *   names it: "rectangle", "polygon", "line", "point", "bitmap",
 *   "alpha_mask", "graph", "oriented_bbox" or "multipolygon"; %NULL when
 *   @index is out of range
 *
 * Since: 1.0
 * Deprecated: 1.0: use gst_sly_object_get_geometry_type()
 */
const gchar *
gst_sly_prediction_meta_get_object_geometry_type (GstSlyPredictionMeta * meta,
    guint index)
{
  SlyObject *obj;

  g_return_val_if_fail (meta != NULL, NULL);

  obj = get_object (meta, index);
  if (!obj || !obj->geometry)
    return NULL;
  return sly_geometry_type_to_string (obj->geometry->type);
}

static void
append_points (GArray * coords, const GArray * points)
{
  guint i;

  for (i = 0; points && i < points->len; i++) {
    const SlyPoint *p = &g_array_index (points, SlyPoint, i);

    g_array_append_val (coords, p->x);
    g_array_append_val (coords, p->y);
  }
}

static void
append_geometry_points (GArray * coords, const SlyGeometry * geometry)
{
  guint i;

  switch (geometry->type) {
    case SLY_GEOMETRY_BITMAP:
    case SLY_GEOMETRY_ALPHA_MASK:
      break;
    case SLY_GEOMETRY_GRAPH:
      for (i = 0; geometry->nodes && i < geometry->nodes->len; i++) {
        const SlyGraphNode *node = g_ptr_array_index (geometry->nodes, i);

        g_array_append_val (coords, node->loc.x);
        g_array_append_val (coords, node->loc.y);
      }
      break;
    case SLY_GEOMETRY_MULTIPOLYGON:
      for (i = 0; geometry->parts && i < geometry->parts->len; i++) {
        const SlyContour *part = g_ptr_array_index (geometry->parts, i);

        append_points (coords, part->exterior);
      }
      break;
    default:
      append_points (coords, geometry->contour.exterior);
      break;
  }
}

/**
 * gst_sly_prediction_meta_get_object_points:
 * @meta: a #GstSlyPredictionMeta
 * @index: the object's index
 * @n_coords: (out): the number of values returned (twice the points)
 *
 * The points of an object's geometry as x, y pairs in frame pixels: the
 * two corners of a rectangle or oriented box, the exterior of a polygon,
 * the vertices of a line, the point of a point, the nodes of a keypoint
 * graph in order, the exteriors of a multipolygon's parts one after the
 * other. Holes are left out; masks have no points (use
 * gst_sly_prediction_meta_get_object_mask()).
 *
 * Returns: (transfer full) (array length=n_coords) (nullable): x0, y0,
 *   x1, y1... or %NULL when there are none or @index is out of range
 *
 * Since: 1.0
 * Deprecated: 1.0: use gst_sly_object_get_points()
 */
gint *
gst_sly_prediction_meta_get_object_points (GstSlyPredictionMeta * meta,
    guint index, guint * n_coords)
{
  SlyObject *obj;
  GArray *coords;

  g_return_val_if_fail (meta != NULL, NULL);
  g_return_val_if_fail (n_coords != NULL, NULL);

  *n_coords = 0;
  obj = get_object (meta, index);
  if (!obj || !obj->geometry)
    return NULL;

  coords = g_array_new (FALSE, FALSE, sizeof (gint));
  append_geometry_points (coords, obj->geometry);
  *n_coords = coords->len;
  if (coords->len == 0) {
    g_array_free (coords, TRUE);
    return NULL;
  }
  return (gint *) g_array_free (coords, FALSE);
}

/**
 * gst_sly_prediction_meta_decode_mask: (skip)
 * @meta: a #GstSlyPredictionMeta
 * @index: the object's index
 * @error: return location for a #GError
 *
 * Decodes the mask of a bitmap or alpha_mask object on first use, safely
 * even when several buffers share the annotation. C only, for the code of
 * this project: #SlyMask is a type of the private core library, declared
 * with `GST_SLY_META_WITH_CORE`. Others use gst_sly_object_get_mask().
 *
 * Returns: (transfer none) (nullable): the mask, owned by the annotation;
 *   %NULL with @error set for bad mask data, another geometry type or an
 *   index out of range
 *
 * Since: 1.0
 */
const SlyMask *
gst_sly_prediction_meta_decode_mask (GstSlyPredictionMeta * meta,
    guint index, GError ** error)
{
  SlyObject *obj;
  const SlyMask *mask;

  g_return_val_if_fail (meta != NULL, NULL);

  obj = get_object (meta, index);
  if (!obj || !obj->geometry) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "no object %u in the prediction meta", index);
    return NULL;
  }

  g_mutex_lock (&mask_lock);
  mask = sly_geometry_get_mask (obj->geometry, error);
  g_mutex_unlock (&mask_lock);
  return mask;
}

/**
 * gst_sly_prediction_meta_get_object_mask:
 * @meta: a #GstSlyPredictionMeta
 * @index: the object's index
 * @x: (out) (optional): frame column of the mask's first column
 * @y: (out) (optional): frame row of the mask's first row
 * @width: (out) (optional): the mask's width
 * @height: (out) (optional): the mask's height
 * @error: return location for a #GError
 *
 * The mask of a bitmap (0 or 255 per pixel) or alpha_mask (0 to 255) object,
 * cropped to its bounding box: byte (row i, column j) covers frame pixel
 * (@y + i, @x + j).
 *
 * Returns: (transfer full) (nullable): @width * @height bytes, row-major;
 *   %NULL with @error set for bad mask data, another geometry type or an
 *   index out of range
 *
 * Since: 1.0
 * Deprecated: 1.0: use gst_sly_object_get_mask()
 */
GBytes *
gst_sly_prediction_meta_get_object_mask (GstSlyPredictionMeta * meta,
    guint index, gint * x, gint * y, gint * width, gint * height,
    GError ** error)
{
  const SlyMask *mask;

  g_return_val_if_fail (meta != NULL, NULL);

  mask = gst_sly_prediction_meta_decode_mask (meta, index, error);
  if (!mask)
    return NULL;

  if (x)
    *x = mask->origin_x;
  if (y)
    *y = mask->origin_y;
  if (width)
    *width = mask->width;
  if (height)
    *height = mask->height;
  return g_bytes_new (mask->data, (gsize) mask->width * mask->height);
}

/* Object @index of @ann as JSON: the whole annotation is serialised (the
 * writer keeps the objects in order), so that the object reads exactly as
 * in gst_sly_prediction_meta_to_json(). */
static gchar *
object_json (const SlyAnnotation * ann, guint index)
{
  g_autoptr (JsonNode) root = NULL;
  JsonNode *objects;

  /* serialising reads the masks that a decode in another thread may set */
  g_mutex_lock (&mask_lock);
  root = sly_annotation_to_json_node (ann);
  g_mutex_unlock (&mask_lock);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  objects = json_object_get_member (json_node_get_object (root), "objects");
  if (!objects || !JSON_NODE_HOLDS_ARRAY (objects)
      || index >= json_array_get_length (json_node_get_array (objects)))
    return NULL;
  return sly_json_to_string (json_array_get_element (json_node_get_array
          (objects), index));
}

/**
 * gst_sly_prediction_meta_get_object_json:
 * @meta: a #GstSlyPredictionMeta
 * @index: the object's index
 *
 * One object as Supervisely annotation JSON (classTitle, geometryType,
 * points or bitmap, tags...), in this buffer's coordinates. Each call
 * serialises the whole annotation: to read every object's JSON, parse
 * gst_sly_prediction_meta_to_json() once instead.
 *
 * Returns: (transfer full) (nullable): the JSON text, or %NULL when @index
 *   is out of range
 *
 * Since: 1.0
 * Deprecated: 1.0: use gst_sly_object_to_json()
 */
gchar *
gst_sly_prediction_meta_get_object_json (GstSlyPredictionMeta * meta,
    guint index)
{
  g_return_val_if_fail (meta != NULL, NULL);

  if (!get_object (meta, index))
    return NULL;
  return object_json (meta->annotation, index);
}

/**
 * gst_sly_prediction_meta_to_json:
 * @meta: a #GstSlyPredictionMeta
 *
 * The frame's predictions as a Supervisely image annotation (size,
 * objects, tags), in this buffer's coordinates: what the server answered,
 * scaled if the buffer was scaled since.
 *
 * Returns: (transfer full) (nullable): the JSON text, or %NULL when the
 *   frame has no annotation (a skipped or failed frame)
 *
 * Since: 1.0
 */
gchar *
gst_sly_prediction_meta_to_json (GstSlyPredictionMeta * meta)
{
  gchar *json;

  g_return_val_if_fail (meta != NULL, NULL);

  if (!meta->annotation)
    return NULL;
  /* serialising reads the masks that a decode in another thread may set */
  g_mutex_lock (&mask_lock);
  json = sly_annotation_to_json (meta->annotation);
  g_mutex_unlock (&mask_lock);
  return json;
}

/* ---- GstSlyObject ---- */

struct _GstSlyObject
{
  gint ref_count;
  /* holds @obj: an attached annotation never changes */
  SlyAnnotation *annotation;
  const SlyObject *obj;
  guint index;
  gint class_id;
  SlyBox box;
  gint *points;
  guint n_coords;
};

G_DEFINE_BOXED_TYPE (GstSlyObject, gst_sly_object, gst_sly_object_ref,
    gst_sly_object_unref);

static GstSlyObject *
sly_object_view_new (GstSlyPredictionMeta * meta, guint index)
{
  SlyObject *obj = get_object (meta, index);
  GstSlyObject *object;
  GArray *coords;

  if (!obj)
    return NULL;

  object = g_new0 (GstSlyObject, 1);
  object->ref_count = 1;
  object->annotation = sly_annotation_ref (meta->annotation);
  object->obj = obj;
  object->index = index;
  object->class_id = class_names_find (meta, obj->class_title);
  /* an empty box (width and height 0) when there is no geometry */
  object->box.right = object->box.bottom = -1;

  coords = g_array_new (FALSE, FALSE, sizeof (gint));
  if (obj->geometry) {
    /* a mask's box depends on its decoding, which may run elsewhere */
    g_mutex_lock (&mask_lock);
    object->box = sly_geometry_get_bbox (obj->geometry);
    g_mutex_unlock (&mask_lock);
    append_geometry_points (coords, obj->geometry);
  }
  object->n_coords = coords->len;
  object->points = (gint *) g_array_free (coords, FALSE);
  return object;
}

/**
 * gst_sly_object_ref:
 * @object: a #GstSlyObject
 *
 * Returns: (transfer full): @object, with one more reference
 *
 * Since: 1.0
 */
GstSlyObject *
gst_sly_object_ref (GstSlyObject * object)
{
  g_return_val_if_fail (object != NULL, NULL);

  g_atomic_int_inc (&object->ref_count);
  return object;
}

/**
 * gst_sly_object_unref:
 * @object: (transfer full): a #GstSlyObject
 *
 * Drops a reference; the last one frees the object.
 *
 * Since: 1.0
 */
void
gst_sly_object_unref (GstSlyObject * object)
{
  g_return_if_fail (object != NULL);

  if (!g_atomic_int_dec_and_test (&object->ref_count))
    return;
  sly_annotation_unref (object->annotation);
  g_free (object->points);
  g_free (object);
}

/**
 * gst_sly_prediction_meta_get_nth_object:
 * @meta: a #GstSlyPredictionMeta
 * @index: the object's index, below gst_sly_prediction_meta_get_n_objects()
 *
 * Returns: (transfer full) (nullable): object @index of the frame, or
 *   %NULL when @index is out of range
 *
 * Since: 1.0
 */
GstSlyObject *
gst_sly_prediction_meta_get_nth_object (GstSlyPredictionMeta * meta,
    guint index)
{
  g_return_val_if_fail (meta != NULL, NULL);

  return sly_object_view_new (meta, index);
}

/**
 * gst_sly_prediction_meta_get_objects:
 * @meta: a #GstSlyPredictionMeta
 *
 * Every object of the frame, in the order of the model's answer (an
 * object's position is its gst_sly_object_get_index() and the `id` of its
 * region-of-interest meta). In C, free the list with
 * `g_list_free_full (objects, (GDestroyNotify) gst_sly_object_unref)`.
 *
 * Returns: (transfer full) (element-type GstSlyObject): the objects; an
 *   empty list when the frame has none
 *
 * Since: 1.0
 */
GList *
gst_sly_prediction_meta_get_objects (GstSlyPredictionMeta * meta)
{
  GList *objects = NULL;
  guint i;

  g_return_val_if_fail (meta != NULL, NULL);

  for (i = gst_sly_prediction_meta_get_n_objects (meta); i > 0; i--)
    objects = g_list_prepend (objects, sly_object_view_new (meta, i - 1));
  return objects;
}

/**
 * gst_sly_object_get_index:
 * @object: a #GstSlyObject
 *
 * Returns: the object's position in the frame's predictions (also the `id`
 *   of its #GstVideoRegionOfInterestMeta)
 *
 * Since: 1.0
 */
guint
gst_sly_object_get_index (GstSlyObject * object)
{
  g_return_val_if_fail (object != NULL, 0);

  return object->index;
}

/**
 * gst_sly_object_get_class_title:
 * @object: a #GstSlyObject
 *
 * Returns: (transfer none) (nullable): the object's class
 *
 * Since: 1.0
 */
const gchar *
gst_sly_object_get_class_title (GstSlyObject * object)
{
  g_return_val_if_fail (object != NULL, NULL);

  return object->obj->class_title;
}

/**
 * gst_sly_object_get_class_id:
 * @object: a #GstSlyObject
 *
 * Returns: the position of the object's class in the model's class list
 *   of its frame (gst_sly_prediction_meta_get_class_names()), or -1 when the
 *   list is not known or does not hold the class
 *
 * Since: 1.0
 */
gint
gst_sly_object_get_class_id (GstSlyObject * object)
{
  g_return_val_if_fail (object != NULL, -1);

  return object->class_id;
}

/**
 * gst_sly_object_get_confidence:
 * @object: a #GstSlyObject
 *
 * Returns: the model's confidence, 0 to 1; 1.0 when the model gave none
 *
 * Since: 1.0
 */
gdouble
gst_sly_object_get_confidence (GstSlyObject * object)
{
  g_return_val_if_fail (object != NULL, 0.0);

  return object->obj->confidence;
}

/**
 * gst_sly_object_get_box:
 * @object: a #GstSlyObject
 * @x: (out) (optional): left edge of the bounding box, in frame pixels
 * @y: (out) (optional): top edge of the bounding box
 * @width: (out) (optional): width of the bounding box
 * @height: (out) (optional): height of the bounding box
 *
 * The bounding box of the object's geometry, whatever it is (a rectangle,
 * a polygon, a mask...), in the pixels of the buffer it was read from. It
 * may reach outside the frame: the model's answer is not clipped.
 *
 * Since: 1.0
 */
void
gst_sly_object_get_box (GstSlyObject * object, gint * x, gint * y,
    gint * width, gint * height)
{
  g_return_if_fail (object != NULL);

  if (x)
    *x = object->box.left;
  if (y)
    *y = object->box.top;
  if (width)
    *width = object->box.right - object->box.left + 1;
  if (height)
    *height = object->box.bottom - object->box.top + 1;
}

/**
 * gst_sly_object_get_track_id:
 * @object: a #GstSlyObject
 *
 * Returns: the tracker's id for the object, or 0 when it is not tracked
 *
 * Since: 1.0
 */
gint64
gst_sly_object_get_track_id (GstSlyObject * object)
{
  g_return_val_if_fail (object != NULL, 0);

  return object->obj->track_id;
}

/**
 * gst_sly_object_get_parent_index:
 * @object: a #GstSlyObject
 *
 * Returns: the index of the object this one was found inside (a second
 *   model ran on the crop of that object: `inference-region=objects`), in
 *   the same frame, or -1 for a top-level object
 *
 * Since: 1.0
 */
gint
gst_sly_object_get_parent_index (GstSlyObject * object)
{
  g_return_val_if_fail (object != NULL, -1);

  return object->obj->parent;
}

/* A tag's JSON value as a GValue of the tags structure: strings, numbers
 * (integers as gint64), booleans; TRUE for a tag without a value (its
 * presence is the information). */
static void
tag_value_to_gvalue (JsonNode * node, GValue * value)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node) ||
      !JSON_NODE_HOLDS_VALUE (node)) {
    g_value_init (value, G_TYPE_BOOLEAN);
    g_value_set_boolean (value, TRUE);
    return;
  }
  switch (json_node_get_value_type (node)) {
    case G_TYPE_INT64:
      g_value_init (value, G_TYPE_INT64);
      g_value_set_int64 (value, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      g_value_init (value, G_TYPE_DOUBLE);
      g_value_set_double (value, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      g_value_init (value, G_TYPE_BOOLEAN);
      g_value_set_boolean (value, json_node_get_boolean (node));
      break;
    default:
      g_value_init (value, G_TYPE_STRING);
      g_value_set_string (value, json_node_get_string (node));
      break;
  }
}

/* The "tags" structure of @obj, NULL when it has no tag but its score. */
static GstStructure *
tags_structure (const SlyObject * obj)
{
  GstStructure *s = NULL;

  for (guint i = 0; i < obj->tags->len; i++) {
    const SlyTag *tag = g_ptr_array_index (obj->tags, i);
    GValue value = G_VALUE_INIT;

    if (sly_tag_name_is_score (tag->name) || tag->name[0] == '\0')
      continue;
    if (s == NULL)
      s = gst_structure_new_empty ("tags");
    tag_value_to_gvalue (tag->value, &value);
    gst_structure_take_value (s, tag->name, &value);
  }
  return s;
}

/**
 * gst_sly_object_get_tags:
 * @object: a #GstSlyObject
 *
 * The object's tags (a classifier's answer for it with
 * `inference-region=objects`, or tags the model sent), as a structure named
 * `tags` with one field per tag: a string, a #gint64 or #gdouble number, or
 * %TRUE for a tag without a value. The score tags (`confidence`, `conf`,
 * `score`) are left out: they are gst_sly_object_get_confidence().
 *
 * Returns: (transfer full) (nullable): the tags, or %NULL when there are
 *   none
 *
 * Since: 1.0
 */
GstStructure *
gst_sly_object_get_tags (GstSlyObject * object)
{
  g_return_val_if_fail (object != NULL, NULL);

  return tags_structure (object->obj);
}

/**
 * gst_sly_object_get_geometry_type:
 * @object: a #GstSlyObject
 *
 * Returns: (transfer none) (nullable): the geometry type as Supervisely
 *   names it: "rectangle", "polygon", "line", "point", "bitmap",
 *   "alpha_mask", "graph", "oriented_bbox" or "multipolygon"
 *
 * Since: 1.0
 */
const gchar *
gst_sly_object_get_geometry_type (GstSlyObject * object)
{
  g_return_val_if_fail (object != NULL, NULL);

  if (!object->obj->geometry)
    return NULL;
  return sly_geometry_type_to_string (object->obj->geometry->type);
}

/**
 * gst_sly_object_get_points:
 * @object: a #GstSlyObject
 * @n_coords: (out): the number of values returned (twice the points)
 *
 * The points of the object's geometry as x, y pairs in frame pixels: the
 * two corners of a rectangle or oriented box, the exterior of a polygon,
 * the vertices of a line, the point of a point, the nodes of a keypoint
 * graph in order, the exteriors of a multipolygon's parts one after the
 * other. Holes are left out; masks have no points (see
 * gst_sly_object_get_mask()).
 *
 * Returns: (transfer none) (array length=n_coords) (nullable): x0, y0,
 *   x1, y1..., owned by @object; %NULL when there are none
 *
 * Since: 1.0
 */
const gint *
gst_sly_object_get_points (GstSlyObject * object, guint * n_coords)
{
  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (n_coords != NULL, NULL);

  *n_coords = object->n_coords;
  return object->n_coords > 0 ? object->points : NULL;
}

/**
 * gst_sly_object_has_mask:
 * @object: a #GstSlyObject
 *
 * Returns: whether the object's geometry is a mask ("bitmap" or
 *   "alpha_mask"), which gst_sly_object_get_mask() gives
 *
 * Since: 1.0
 */
gboolean
gst_sly_object_has_mask (GstSlyObject * object)
{
  const SlyGeometry *geometry;

  g_return_val_if_fail (object != NULL, FALSE);

  geometry = object->obj->geometry;
  return geometry && (geometry->type == SLY_GEOMETRY_BITMAP
      || geometry->type == SLY_GEOMETRY_ALPHA_MASK);
}

static GBytes *
mask_bytes (SlyObject * obj, guint index, gint * x, gint * y, gint * width,
    gint * height, GError ** error)
{
  const SlyMask *mask;
  GBytes *bytes = NULL;

  if (!obj || !obj->geometry) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "no object %u in the prediction meta", index);
    return NULL;
  }

  g_mutex_lock (&mask_lock);
  mask = sly_geometry_get_mask (obj->geometry, error);
  if (mask) {
    if (x)
      *x = mask->origin_x;
    if (y)
      *y = mask->origin_y;
    if (width)
      *width = mask->width;
    if (height)
      *height = mask->height;
    bytes = g_bytes_new (mask->data, (gsize) mask->width * mask->height);
  }
  g_mutex_unlock (&mask_lock);
  return bytes;
}

/**
 * gst_sly_object_get_mask:
 * @object: a #GstSlyObject
 * @x: (out) (optional): frame column of the mask's first column
 * @y: (out) (optional): frame row of the mask's first row
 * @width: (out) (optional): the mask's width
 * @height: (out) (optional): the mask's height
 * @error: return location for a #GError
 *
 * The mask of a bitmap (0 or 255 per pixel) or alpha_mask (0 to 255) object,
 * cropped to its bounding box: byte (row i, column j) covers frame pixel
 * (@y + i, @x + j). Decoded on first use, safely even when several buffers
 * share the predictions.
 *
 * Returns: (transfer full) (nullable): @width * @height bytes, row-major;
 *   %NULL with @error set for bad mask data or a geometry that is no mask
 *   (see gst_sly_object_has_mask())
 *
 * Since: 1.0
 */
GBytes *
gst_sly_object_get_mask (GstSlyObject * object, gint * x, gint * y,
    gint * width, gint * height, GError ** error)
{
  g_return_val_if_fail (object != NULL, NULL);

  return mask_bytes ((SlyObject *) object->obj, object->index, x, y, width,
      height, error);
}

/**
 * gst_sly_object_to_json:
 * @object: a #GstSlyObject
 *
 * The object as Supervisely annotation JSON (classTitle, geometryType,
 * points or bitmap, tags...), in the coordinates of its buffer. Each call
 * serialises the frame's whole annotation: to read every object's JSON,
 * parse gst_sly_prediction_meta_to_json() once instead.
 *
 * Returns: (transfer full) (nullable): the JSON text
 *
 * Since: 1.0
 */
gchar *
gst_sly_object_to_json (GstSlyObject * object)
{
  g_return_val_if_fail (object != NULL, NULL);

  return object_json (object->annotation, object->index);
}

/* The label id of @title: from the caller's table, else the meta's class
 * list, else the order of first appearance in this frame (@seen). */
static guint
lookup_label_id (GstSlyPredictionMeta * meta, GHashTable * class_index,
    GHashTable * seen, const gchar * title)
{
  gpointer value;
  gint id;

  if (class_index) {
    if (g_hash_table_lookup_extended (class_index, title, NULL, &value))
      return GPOINTER_TO_UINT (value);
  }
  id = class_names_find (meta, title);
  if (id >= 0)
    return id;
  if (!g_hash_table_lookup_extended (seen, title, NULL, &value)) {
    value = GUINT_TO_POINTER (g_hash_table_size (seen));
    g_hash_table_insert (seen, (gpointer) title, value);
  }
  return GPOINTER_TO_UINT (value);
}

/* Clips @box to the frame; FALSE when nothing of it is inside. */
static gboolean
clip_box (SlyBox * box, gint width, gint height)
{
  box->left = MAX (box->left, 0);
  box->top = MAX (box->top, 0);
  box->right = MIN (box->right, width - 1);
  box->bottom = MIN (box->bottom, height - 1);
  return box->right >= box->left && box->bottom >= box->top;
}

static void
add_roi_meta (GstBuffer * buffer, SlyObject * obj, guint index,
    guint label_id, gint width, gint height)
{
  SlyBox box = sly_geometry_get_bbox (obj->geometry);
  GstVideoRegionOfInterestMeta *roi;
  GstStructure *s;

  if (!clip_box (&box, width, height)) {
    GST_DEBUG ("object %u (%s) lies outside the frame", index,
        obj->class_title);
    return;
  }

  roi = gst_buffer_add_video_region_of_interest_meta (buffer,
      obj->class_title, box.left, box.top, box.right - box.left + 1,
      box.bottom - box.top + 1);
  roi->id = index;

  s = gst_structure_new ("detection",
      "x_min", G_TYPE_DOUBLE, (gdouble) box.left / width,
      "y_min", G_TYPE_DOUBLE, (gdouble) box.top / height,
      "x_max", G_TYPE_DOUBLE, (gdouble) (box.right + 1) / width,
      "y_max", G_TYPE_DOUBLE, (gdouble) (box.bottom + 1) / height,
      "confidence", G_TYPE_DOUBLE, obj->confidence,
      "label_id", G_TYPE_UINT, label_id,
      "label", G_TYPE_STRING, obj->class_title, NULL);
  gst_video_region_of_interest_meta_add_param (roi, s);

  if (obj->track_id != 0) {
    s = gst_structure_new ("object_id", "id", G_TYPE_INT64, obj->track_id,
        NULL);
    gst_video_region_of_interest_meta_add_param (roi, s);
  }
  s = tags_structure (obj);
  if (s != NULL)
    gst_video_region_of_interest_meta_add_param (roi, s);
  /* -1, not GStreamer's default 0, which is also the index of object 0 */
  roi->parent_id = obj->parent;
}

/**
 * gst_sly_prediction_meta_add_roi_metas:
 * @buffer: the writable #GstBuffer that holds @meta
 * @meta: a #GstSlyPredictionMeta
 * @class_index: (nullable) (element-type utf8 guint): maps a class title
 *   to its label id (values stored with GUINT_TO_POINTER())
 *
 * Adds one #GstVideoRegionOfInterestMeta per object of @meta, so that
 * elements that only know the standard ROI meta see the objects too. Each
 * ROI has the bounding box in frame pixels, `roi_type` = the class title,
 * `id` = the object's index in @meta, and these parameters:
 *
 * - `detection`: `x_min`, `y_min`, `x_max`, `y_max` (#gdouble, the box
 *   normalised to 0..1 by the frame size; max is the edge past the last
 *   pixel), `confidence` (#gdouble), `label_id` (#guint), `label` (string);
 * - `object_id`, only for tracked objects: `id` (#gint64, the track id,
 *   always > 0);
 * - `tags`, only for objects with tags besides their score: the structure
 *   of gst_sly_object_get_tags().
 *
 * An object found inside another (gst_sly_object_get_parent_index()) has
 * that index as its `parent_id`; the others have -1.
 *
 * Boxes are clipped to the frame; an object wholly outside it, or an
 * annotation that names no frame size, gets no ROI meta. The label id comes
 * from @class_index, else from the class list set with
 * gst_sly_prediction_meta_set_class_names(), else from the order in which
 * classes first appear in this frame.
 *
 * Since: 1.0
 */
void
gst_sly_prediction_meta_add_roi_metas (GstBuffer * buffer,
    GstSlyPredictionMeta * meta, GHashTable * class_index)
{
  gst_sly_prediction_meta_add_roi_metas_from (buffer, meta, class_index, 0);
}

/**
 * gst_sly_prediction_meta_add_roi_metas_from:
 * @buffer: the writable #GstBuffer that holds @meta
 * @meta: a #GstSlyPredictionMeta
 * @class_index: (nullable) (element-type utf8 guint): as for
 *   gst_sly_prediction_meta_add_roi_metas()
 * @first: the index of the first object that gets a ROI meta
 *
 * Like gst_sly_prediction_meta_add_roi_metas(), for the objects from @first
 * on only: those added to a frame whose other objects have their ROI metas
 * already (the objects a second model found inside them).
 *
 * Since: 1.0
 */
void
gst_sly_prediction_meta_add_roi_metas_from (GstBuffer * buffer,
    GstSlyPredictionMeta * meta, GHashTable * class_index, guint first)
{
  g_autoptr (GHashTable) seen = NULL;
  gint width, height;
  guint i, n;

  g_return_if_fail (GST_IS_BUFFER (buffer));
  g_return_if_fail (gst_buffer_is_writable (buffer));
  g_return_if_fail (meta != NULL);

  n = gst_sly_prediction_meta_get_n_objects (meta);
  if (n <= first)
    return;
  /* the ROI detection structure is normalised: it needs the frame size */
  if (!gst_sly_prediction_meta_get_size (meta, &width, &height)) {
    GST_DEBUG ("annotation without a frame size: no ROI metas");
    return;
  }

  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (i = 0; i < n; i++) {
    SlyObject *obj = get_object (meta, i);
    guint label_id;

    if (!obj->geometry || !obj->class_title)
      continue;
    /* first appearances count from object 0, whatever @first is */
    label_id = lookup_label_id (meta, class_index, seen, obj->class_title);
    if (i >= first)
      add_roi_meta (buffer, obj, i, label_id, width, height);
  }
}
