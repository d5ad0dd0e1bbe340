/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tracker on Supervisely annotations, the way the SDK's server applies
 * it to each video frame (protocol.md 6.7 and 8.2): detections from the
 * objects' bounding boxes, ids written back, objects without an id dropped.
 */
#include "slytracker.h"
#include "slytracker-private.h"

#include <math.h>

void
sly_tracker_update_annotation (SlyTracker * self, SlyAnnotation * ann)
{
  g_autofree SlyDetection *dets = NULL;
  g_autofree gint64 *ids = NULL;
  guint i, n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (ann != NULL);

  n = ann->objects->len;
  dets = g_new0 (SlyDetection, MAX (n, 1));
  ids = g_new0 (gint64, MAX (n, 1));
  for (i = 0; i < n; i++) {
    const SlyObject *obj = g_ptr_array_index (ann->objects, i);
    SlyBox box;

    if (obj->geometry == NULL) {
      /* nothing to track: an invalid detection gets no id */
      dets[i].x1 = NAN;
      continue;
    }
    /* the SDK's [left, top, right, bottom] of the inclusive bbox */
    box = sly_geometry_get_bbox (obj->geometry);
    dets[i].x1 = box.left;
    dets[i].y1 = box.top;
    dets[i].x2 = box.right;
    dets[i].y2 = box.bottom;
    dets[i].score = obj->confidence;
    dets[i].class_index =
        sly_tracker_class_index_for_title (self, obj->class_title);
  }
  sly_tracker_update (self, dets, n, ids);

  /* backwards, so that removing keeps the indices of the rest valid */
  for (i = n; i > 0; i--) {
    SlyObject *obj = g_ptr_array_index (ann->objects, i - 1);

    if (ids[i - 1] == 0)
      g_ptr_array_remove_index (ann->objects, i - 1);
    else
      obj->track_id = ids[i - 1];
  }
  ann->has_track_ids = TRUE;
}

SlyAnnotation *
sly_tracker_output_annotation (SlyTracker * self,
    const SlyAnnotation * annotation)
{
  SlyAnnotation *out;
  guint i;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (annotation != NULL, NULL);

  out = sly_annotation_copy (annotation);
  for (i = out->objects->len; i > 0; i--) {
    const SlyObject *obj = g_ptr_array_index (out->objects, i - 1);

    if (!sly_tracker_track_in_output (self, obj->track_id))
      g_ptr_array_remove_index (out->objects, i - 1);
  }
  out->has_track_ids = TRUE;
  return out;
}

/* Rounds @v to a pixel index inside [0, size - 1]. */
static gint
clip_pixel (gdouble v, gint size)
{
  return (gint) CLAMP (round (v), 0, size - 1);
}

SlyAnnotation *
sly_tracker_predict_annotation (SlyTracker * self, gint width, gint height)
{
  SlyAnnotation *ann;
  g_autoptr (GArray) tracks = NULL;
  guint i;

  g_return_val_if_fail (self != NULL, NULL);

  sly_tracker_predict (self);
  ann = sly_annotation_new (width, height);
  ann->has_track_ids = TRUE;
  tracks = sly_tracker_get_tracks (self);
  for (i = 0; i < tracks->len; i++) {
    const SlyTrackBox *t = &g_array_index (tracks, SlyTrackBox, i);
    const gchar *title = sly_tracker_get_class_title (self, t->class_index);
    gint left, top, right, bottom;
    SlyObject *obj;

    /* a box entirely outside the frame has nothing to show */
    if (width <= 0 || height <= 0 || t->x2 < 0 || t->y2 < 0
        || t->x1 > width - 1 || t->y1 > height - 1)
      continue;
    left = clip_pixel (t->x1, width);
    top = clip_pixel (t->y1, height);
    right = clip_pixel (t->x2, width);
    bottom = clip_pixel (t->y2, height);
    obj = sly_annotation_add_object (ann, title ? title : "object",
        sly_geometry_new_rectangle (left, top, right, bottom), t->score);
    obj->track_id = t->track_id;
  }
  return ann;
}
