/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Type-checked JSON readers and the tag list shared by the annotation,
 * ProjectMeta and video annotation parsers.
 */
#include <math.h>
#include <string.h>

#include "slyannotation-private.h"
#include "slyerror.h"

static JsonNode *
member_of_type (JsonObject * obj, const gchar * name, JsonNodeType type)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || JSON_NODE_TYPE (node) != type)
    return NULL;
  return node;
}

JsonObject *
sly_json_get_object (JsonObject * obj, const gchar * name)
{
  JsonNode *node = member_of_type (obj, name, JSON_NODE_OBJECT);

  return node ? json_node_get_object (node) : NULL;
}

JsonArray *
sly_json_get_array (JsonObject * obj, const gchar * name)
{
  JsonNode *node = member_of_type (obj, name, JSON_NODE_ARRAY);

  return node ? json_node_get_array (node) : NULL;
}

const gchar *
sly_json_get_string (JsonObject * obj, const gchar * name)
{
  JsonNode *node = member_of_type (obj, name, JSON_NODE_VALUE);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
sly_json_node_is_number (JsonNode * node)
{
  GType t;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return FALSE;
  t = json_node_get_value_type (node);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

gdouble
sly_json_node_number (JsonNode * node)
{
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (gdouble) json_node_get_int (node);
  return json_node_get_double (node);
}

gboolean
sly_json_read_int (JsonNode * node, gint64 min, gint64 max,
    const gchar * what, gint64 * out, GError ** error)
{
  gdouble v;

  if (!sly_json_node_is_number (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "%s is not a number", what);
    return FALSE;
  }
  if (json_node_get_value_type (node) == G_TYPE_INT64) {
    gint64 i = json_node_get_int (node);

    if (i < min || i > max)
      goto out_of_range;
    *out = i;
    return TRUE;
  }
  v = floor (json_node_get_double (node));
  if (!isfinite (v) || v < (gdouble) min || v > (gdouble) max)
    goto out_of_range;
  *out = (gint64) v;
  return TRUE;

out_of_range:
  g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
      "%s is out of range [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]",
      what, min, max);
  return FALSE;
}

gboolean
sly_json_read_opt_string (JsonObject * obj, const gchar * name,
    const gchar * def, const gchar * what, gchar ** out, GError ** error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
    *out = g_strdup (def);
    return TRUE;
  }
  if (JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"%s\" is not a string", what, name);
    return FALSE;
  }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

gboolean
sly_json_read_size (JsonObject * obj, const gchar * what, gint * width,
    gint * height, GError ** error)
{
  JsonObject *size = sly_json_get_object (obj, "size");
  g_autofree gchar *w_what = g_strdup_printf ("%s: size.width", what);
  g_autofree gchar *h_what = g_strdup_printf ("%s: size.height", what);
  gint64 w, h;

  if (size == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"size\" is missing or not an object", what);
    return FALSE;
  }
  if (!sly_json_read_int (json_object_get_member (size, "width"), 0,
          SLY_MAX_SIDE, w_what, &w, error) ||
      !sly_json_read_int (json_object_get_member (size, "height"), 0,
          SLY_MAX_SIDE, h_what, &h, error))
    return FALSE;
  *width = (gint) w;
  *height = (gint) h;
  return TRUE;
}

SlyTag *
sly_tag_new (const gchar * name, JsonNode * value)
{
  SlyTag *tag = g_new0 (SlyTag, 1);

  tag->name = g_strdup (name);
  tag->value = value;
  return tag;
}

void
sly_tag_free (SlyTag * tag)
{
  if (tag == NULL)
    return;
  g_free (tag->name);
  if (tag->value)
    json_node_unref (tag->value);
  g_free (tag);
}

SlyTag *
sly_tag_copy (const SlyTag * tag)
{
  return sly_tag_new (tag->name,
      tag->value ? sly_json_node_copy_deep (tag->value) : NULL);
}

GPtrArray *
sly_tags_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) sly_tag_free);
}

GPtrArray *
sly_tags_copy (const GPtrArray * tags)
{
  GPtrArray *copy = sly_tags_new ();

  for (guint i = 0; tags && i < tags->len; i++) {
    g_ptr_array_add (copy, sly_tag_copy (g_ptr_array_index (tags, i)));
  }
  return copy;
}

static SlyTag *
tag_read (JsonNode * node, const gchar * what, guint i, GError ** error)
{
  JsonObject *obj;
  JsonNode *value;
  const gchar *name;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: tags[%u] is not an object", what, i);
    return NULL;
  }
  obj = json_node_get_object (node);
  name = sly_json_get_string (obj, "name");
  if (name == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: tags[%u] has no string \"name\"", what, i);
    return NULL;
  }
  value = json_object_get_member (obj, "value");
  if (value && JSON_NODE_HOLDS_NULL (value))
    value = NULL;
  return sly_tag_new (name, value ? sly_json_node_copy_deep (value) : NULL);
}

/* "tags" is required by the SDK reader, but a missing list is harmless, so
 * we read it as empty; a non-array is an error. */
gboolean
sly_tags_read (JsonObject * obj, const gchar * what, GPtrArray * tags,
    GError ** error)
{
  JsonNode *node = json_object_get_member (obj, "tags");
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"tags\" is not an array", what);
    return FALSE;
  }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++) {
    SlyTag *tag = tag_read (json_array_get_element (array, i), what, i, error);

    if (tag == NULL)
      return FALSE;
    g_ptr_array_add (tags, tag);
  }
  return TRUE;
}

JsonNode *
sly_tags_to_json (const GPtrArray * tags)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; tags && i < tags->len; i++) {
    const SlyTag *t = g_ptr_array_index (tags, i);
    JsonObject *o = json_object_new ();

    json_object_set_string_member (o, "name", t->name);
    if (t->value)
      json_object_set_member (o, "value", sly_json_node_copy_deep (t->value));
    json_array_add_object_element (array, o);
  }
  json_node_take_array (node, array);
  return node;
}
