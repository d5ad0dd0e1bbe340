/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Image annotation JSON (protocol.md sections 5 and 6), both ways.
 */
#include "slyannotation-private.h"
#include "slyerror.h"

/* ---- reading ---- */

static SlyObject *
object_read (JsonNode * node, guint index, gboolean * skipped, GError ** error)
{
  g_autofree gchar *what = g_strdup_printf ("objects[%u]", index);
  g_autofree gchar *type_name = NULL;
  g_autoptr (GPtrArray) tags = sly_tags_new ();
  g_autofree gchar *description = NULL;
  SlyGeometryType type;
  gboolean known;
  SlyGeometry *geometry;
  const gchar *class_title;
  JsonObject *obj;
  SlyObject *o;

  *skipped = FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "%s is not an object",
        what);
    return NULL;
  }
  obj = json_node_get_object (node);
  class_title = sly_json_get_string (obj, "classTitle");
  if (class_title == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"classTitle\" is missing or not a string", what);
    return NULL;
  }
  if (!sly_json_read_opt_string (obj, "description", "", what, &description,
          error) || !sly_tags_read (obj, what, tags, error) ||
      !sly_geometry_read_type (obj, what, &type, &known, &type_name, error))
    return NULL;
  if (!known) {
    /* 3D and future types: skipping keeps the rest of the frame usable */
    g_debug ("%s: skipping geometry type \"%s\"", what, type_name);
    *skipped = TRUE;
    return NULL;
  }
  geometry = sly_geometry_from_json (obj, type, what, error);
  if (geometry == NULL)
    return NULL;

  o = g_new0 (SlyObject, 1);
  o->class_title = g_strdup (class_title);
  o->description = g_steal_pointer (&description);
  o->tags = g_steal_pointer (&tags);
  o->geometry = geometry;
  o->confidence = sly_object_confidence_from_tags (o);
  o->parent = -1;
  return o;
}

/* protocol.md 6.7: an array as long as "objects" holds the track ids;
 * anything else ({} normally) means no track ids. Ids are positive; 0 is
 * read as "this object has none" (what our writer emits for it). */
static gboolean
track_ids_read (JsonObject * obj, guint n_objects, GArray * ids,
    gboolean * has_ids, GError ** error)
{
  JsonArray *array = sly_json_get_array (obj, "customBigData");

  *has_ids = array != NULL && json_array_get_length (array) == n_objects;
  for (guint i = 0; *has_ids && i < n_objects; i++) {
    g_autofree gchar *what = g_strdup_printf ("customBigData[%u]", i);
    gint64 id;

    if (!sly_json_read_int (json_array_get_element (array, i), 0,
            G_MAXINT64 / 2, what, &id, error))
      return FALSE;
    g_array_append_val (ids, id);
  }
  return TRUE;
}

static SlyAnnotation *
annotation_read (JsonObject * obj, guint max_objects, GError ** error)
{
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (0, 0);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *objects;
  guint n;

  if (!sly_json_read_size (obj, "annotation", &ann->width, &ann->height, error))
    return NULL;
  objects = sly_json_get_array (obj, "objects");
  if (objects == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "annotation: \"objects\" is missing or not an array");
    return NULL;
  }
  g_clear_pointer (&ann->description, g_free);
  if (!sly_json_read_opt_string (obj, "description", "", "annotation",
          &ann->description, error) ||
      !sly_tags_read (obj, "annotation", ann->tags, error))
    return NULL;

  n = json_array_get_length (objects);
  if (!track_ids_read (obj, n, ids, &ann->has_track_ids, error))
    return NULL;
  if (max_objects > 0 && n > max_objects) {
    ann->n_dropped_objects = n - max_objects;
    n = max_objects;
  }
  for (guint i = 0; i < n; i++) {
    gboolean skipped;
    SlyObject *o = object_read (json_array_get_element (objects, i), i,
        &skipped, error);

    if (o == NULL && !skipped)
      return NULL;
    if (o == NULL)
      continue;
    if (ann->has_track_ids)
      o->track_id = g_array_index (ids, gint64, i);
    g_ptr_array_add (ann->objects, o);
  }
  return g_steal_pointer (&ann);
}

static SlyAnnotation *annotation_from_string (const gchar * data,
    gssize length, gboolean wrapper, guint max_objects, GError ** error);

/* protocol.md section 5: "annotation_json", then "annotation", then the
 * item itself when it looks like an annotation. */
static SlyAnnotation *
result_read (JsonNode * node, gboolean wrapper, guint max_objects,
    GError ** error)
{
  JsonObject *obj;
  JsonNode *inner = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "the annotation is not a JSON object");
    return NULL;
  }
  obj = json_node_get_object (node);
  if (wrapper)
    inner = json_object_get_member (obj, "annotation_json");
  if (wrapper && inner == NULL)
    inner = json_object_get_member (obj, "annotation");
  if (inner == NULL) {
    if (json_object_has_member (obj, "size") &&
        json_object_has_member (obj, "objects"))
      return annotation_read (obj, max_objects, error);
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "the result has no \"annotation\" and is not an annotation itself");
    return NULL;
  }
  if (JSON_NODE_HOLDS_NULL (inner))
    return sly_annotation_new (0, 0);
  /* some legacy paths carry the annotation serialized in a string */
  if (JSON_NODE_HOLDS_VALUE (inner) &&
      json_node_get_value_type (inner) == G_TYPE_STRING)
    return annotation_from_string (json_node_get_string (inner), -1, FALSE,
        max_objects, error);
  if (!JSON_NODE_HOLDS_OBJECT (inner)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "the result's annotation is not an object");
    return NULL;
  }
  return annotation_read (json_node_get_object (inner), max_objects, error);
}

static SlyAnnotation *
annotation_from_string (const gchar * data, gssize length, gboolean wrapper,
    guint max_objects, GError ** error)
{
  g_autoptr (JsonNode) root = sly_json_parse (data, length, "the annotation",
      error);

  return root ? result_read (root, wrapper, max_objects, error) : NULL;
}

SlyAnnotation *
sly_annotation_from_json_node (JsonNode * node, GError ** error)
{
  return result_read (node, TRUE, 0, error);
}

SlyAnnotation *
sly_annotation_from_json_node_capped (JsonNode * node, guint max_objects,
    GError ** error)
{
  return result_read (node, TRUE, max_objects, error);
}

SlyAnnotation *
sly_annotation_from_json (const gchar * data, gssize length, GError ** error)
{
  return annotation_from_string (data, length, TRUE, 0, error);
}

/* ---- writing ---- */

static JsonObject *
object_to_json (const SlyObject * o)
{
  JsonObject *obj = json_object_new ();
  const gchar *type = sly_geometry_type_to_string (o->geometry->type);

  json_object_set_string_member (obj, "classTitle", o->class_title);
  json_object_set_string_member (obj, "description",
      o->description ? o->description : "");
  json_object_set_member (obj, "tags", sly_tags_to_json (o->tags));
  sly_geometry_to_json (o->geometry, obj);
  json_object_set_string_member (obj, "geometryType", type);
  json_object_set_string_member (obj, "shape", type);
  json_object_set_boolean_member (obj, "nnCreated", TRUE);
  json_object_set_boolean_member (obj, "nnUpdated", TRUE);
  return obj;
}

JsonNode *
sly_annotation_to_json_node (const SlyAnnotation * ann)
{
  JsonObject *obj, *size;
  JsonArray *objects, *ids;
  JsonNode *node;

  g_return_val_if_fail (ann != NULL, NULL);

  obj = json_object_new ();
  size = json_object_new ();
  objects = json_array_new ();
  json_object_set_string_member (obj, "description",
      ann->description ? ann->description : "");
  json_object_set_int_member (size, "height", ann->height);
  json_object_set_int_member (size, "width", ann->width);
  json_object_set_object_member (obj, "size", size);
  json_object_set_member (obj, "tags", sly_tags_to_json (ann->tags));
  for (guint i = 0; i < ann->objects->len; i++)
    json_array_add_object_element (objects,
        object_to_json (g_ptr_array_index (ann->objects, i)));
  json_object_set_array_member (obj, "objects", objects);
  if (ann->has_track_ids) {
    ids = json_array_new ();
    for (guint i = 0; i < ann->objects->len; i++) {
      const SlyObject *o = g_ptr_array_index (ann->objects, i);

      json_array_add_int_element (ids, o->track_id);
    }
    json_object_set_array_member (obj, "customBigData", ids);
  } else {
    json_object_set_object_member (obj, "customBigData", json_object_new ());
  }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

gchar *
sly_annotation_to_json (const SlyAnnotation * ann)
{
  g_autoptr (JsonNode) node = NULL;

  g_return_val_if_fail (ann != NULL, NULL);

  node = sly_annotation_to_json_node (ann);
  return sly_json_to_string (node);
}
