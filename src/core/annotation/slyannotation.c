/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The image annotation model: a refcounted boxed type holding objects
 * (class, geometry, tags, confidence, track id). JSON is in
 * slyannotation-json.c, geometries in slygeometry.c.
 */
#include <math.h>

#include "slyannotation-private.h"

G_DEFINE_BOXED_TYPE (SlyAnnotation, sly_annotation, sly_annotation_ref,
    sly_annotation_unref);

static void
object_free (SlyObject * obj)
{
  g_free (obj->class_title);
  g_free (obj->description);
  g_ptr_array_unref (obj->tags);
  sly_geometry_free (obj->geometry);
  g_free (obj);
}

static SlyObject *
object_copy (const SlyObject * obj)
{
  SlyObject *copy = g_new0 (SlyObject, 1);

  copy->class_title = g_strdup (obj->class_title);
  copy->description = g_strdup (obj->description);
  copy->tags = sly_tags_copy (obj->tags);
  copy->geometry = sly_geometry_copy (obj->geometry);
  copy->confidence = obj->confidence;
  copy->track_id = obj->track_id;
  copy->parent = obj->parent;
  return copy;
}

SlyAnnotation *
sly_annotation_new (gint width, gint height)
{
  SlyAnnotation *ann = g_new0 (SlyAnnotation, 1);

  ann->width = width;
  ann->height = height;
  ann->description = g_strdup ("");
  ann->tags = sly_tags_new ();
  ann->objects = g_ptr_array_new_with_free_func ((GDestroyNotify)
      object_free);
  ann->ref_count = 1;
  return ann;
}

SlyAnnotation *
sly_annotation_ref (SlyAnnotation * ann)
{
  g_return_val_if_fail (ann != NULL, NULL);

  g_atomic_int_inc (&ann->ref_count);
  return ann;
}

void
sly_annotation_unref (SlyAnnotation * ann)
{
  g_return_if_fail (ann != NULL);

  if (!g_atomic_int_dec_and_test (&ann->ref_count))
    return;
  g_free (ann->description);
  g_ptr_array_unref (ann->tags);
  g_ptr_array_unref (ann->objects);
  g_free (ann);
}

SlyAnnotation *
sly_annotation_copy (const SlyAnnotation * ann)
{
  SlyAnnotation *copy;

  g_return_val_if_fail (ann != NULL, NULL);

  copy = sly_annotation_new (ann->width, ann->height);
  g_free (copy->description);
  copy->description = g_strdup (ann->description);
  g_ptr_array_unref (copy->tags);
  copy->tags = sly_tags_copy (ann->tags);
  for (guint i = 0; i < ann->objects->len; i++)
    g_ptr_array_add (copy->objects,
        object_copy (g_ptr_array_index (ann->objects, i)));
  copy->has_track_ids = ann->has_track_ids;
  copy->n_dropped_objects = ann->n_dropped_objects;
  return copy;
}

guint
sly_annotation_get_n_dropped_objects (const SlyAnnotation * ann)
{
  g_return_val_if_fail (ann != NULL, 0);
  return ann->n_dropped_objects;
}

SlyObject *
sly_annotation_add_object (SlyAnnotation * ann, const gchar * class_title,
    SlyGeometry * geometry, gdouble confidence)
{
  SlyObject *obj;

  g_return_val_if_fail (ann != NULL, NULL);
  g_return_val_if_fail (class_title != NULL, NULL);
  g_return_val_if_fail (geometry != NULL, NULL);

  obj = g_new0 (SlyObject, 1);
  obj->class_title = g_strdup (class_title);
  obj->description = g_strdup ("");
  obj->tags = sly_tags_new ();
  obj->geometry = geometry;
  obj->confidence = 1.0;
  obj->parent = -1;
  if (confidence >= 0)
    sly_object_set_confidence (obj, confidence);
  g_ptr_array_add (ann->objects, obj);
  return obj;
}

const SlyTag *
sly_object_find_tag (const SlyObject * obj, const gchar * name)
{
  g_return_val_if_fail (obj != NULL, NULL);

  for (guint i = 0; i < obj->tags->len; i++) {
    const SlyTag *tag = g_ptr_array_index (obj->tags, i);

    if (g_strcmp0 (tag->name, name) == 0)
      return tag;
  }
  return NULL;
}

void
sly_object_set_tag (SlyObject * obj, const gchar * name, JsonNode * value)
{
  g_return_if_fail (obj != NULL && name != NULL);

  for (guint i = 0; i < obj->tags->len; i++) {
    SlyTag *tag = g_ptr_array_index (obj->tags, i);

    if (g_strcmp0 (tag->name, name) == 0) {
      if (tag->value)
        json_node_unref (tag->value);
      tag->value = value;
      return;
    }
  }
  g_ptr_array_add (obj->tags, sly_tag_new (name, value));
}

void
sly_object_set_tags (SlyObject * obj, const GPtrArray * tags)
{
  g_return_if_fail (obj != NULL && tags != NULL);

  for (guint i = 0; i < tags->len; i++) {
    const SlyTag *tag = g_ptr_array_index (tags, i);

    sly_object_set_tag (obj, tag->name,
        tag->value ? sly_json_node_copy_deep (tag->value) : NULL);
  }
}

/* The serving app's convention: a "confidence" tag with a number. */
void
sly_object_set_confidence (SlyObject * obj, gdouble confidence)
{
  JsonNode *value = json_node_new (JSON_NODE_VALUE);

  json_node_set_double (value, confidence);
  obj->confidence = confidence;
  sly_object_set_tag (obj, "confidence", value);
}

/* protocol.md 6.6, in the order they are looked for */
static const gchar *score_tag_names[] = { "confidence", "conf", "score" };

gboolean
sly_tag_name_is_score (const gchar * name)
{
  for (guint n = 0; n < G_N_ELEMENTS (score_tag_names); n++)
    if (g_strcmp0 (name, score_tag_names[n]) == 0)
      return TRUE;
  return FALSE;
}

/* The first score tag whose value is a number wins. */
gdouble
sly_object_confidence_from_tags (const SlyObject * obj)
{
  for (guint n = 0; n < G_N_ELEMENTS (score_tag_names); n++) {
    for (guint i = 0; i < obj->tags->len; i++) {
      const SlyTag *tag = g_ptr_array_index (obj->tags, i);

      if (g_strcmp0 (tag->name, score_tag_names[n]) == 0 &&
          sly_json_node_is_number (tag->value))
        return sly_json_node_number (tag->value);
    }
  }
  return 1.0;
}

void
sly_annotation_scale (SlyAnnotation * ann, gdouble sx, gdouble sy,
    gint new_width, gint new_height)
{
  g_return_if_fail (ann != NULL);
  g_return_if_fail (sx > 0 && sy > 0 && isfinite (sx) && isfinite (sy));

  for (guint i = 0; i < ann->objects->len; i++) {
    SlyObject *obj = g_ptr_array_index (ann->objects, i);

    sly_geometry_scale (obj->geometry, sx, sy);
  }
  ann->width = new_width;
  ann->height = new_height;
}

void
sly_annotation_take_objects (SlyAnnotation * dst, SlyAnnotation * src,
    gint dx, gint dy)
{
  guint offset;

  g_return_if_fail (dst != NULL && src != NULL && dst != src);

  offset = dst->objects->len;
  while (src->objects->len > 0) {
    SlyObject *obj = g_ptr_array_steal_index (src->objects, 0);

    sly_geometry_translate (obj->geometry, dx, dy);
    /* parents moved along, after what @dst held */
    if (obj->parent >= 0)
      obj->parent += offset;
    g_ptr_array_add (dst->objects, obj);
  }
  dst->has_track_ids = dst->has_track_ids && src->has_track_ids;
  dst->n_dropped_objects += src->n_dropped_objects;
}
