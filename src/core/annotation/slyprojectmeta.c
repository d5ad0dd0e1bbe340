/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ProjectMeta (protocol.md section 7): the model's classes and tag metas,
 * JSON both ways.
 *
 * Colours: "#RRGGBB" in any case. A missing or malformed colour string is
 * replaced by a colour derived from the class or tag name (the SDK picks a
 * random one; ours is deterministic so that repeated reads agree). A colour
 * that is not a string at all is an error.
 */
#include <string.h>

#include "slyannotation-private.h"
#include "slyerror.h"
#include "slyprojectmeta.h"

G_DEFINE_BOXED_TYPE (SlyProjectMeta, sly_project_meta, sly_project_meta_ref,
    sly_project_meta_unref);

static const gchar *value_types[] = { "none", "any_number", "any_string",
  "oneof_string", "date", NULL
};

static void
obj_class_free (SlyObjClass * c)
{
  g_free (c->title);
  g_free (c->shape);
  g_free (c->description);
  g_free (c->hotkey);
  if (c->geometry_config)
    json_node_unref (c->geometry_config);
  g_free (c);
}

static void
tag_meta_free (SlyTagMeta * t)
{
  g_free (t->name);
  g_free (t->value_type);
  g_strfreev (t->values);
  g_free (t->applicable_type);
  g_strfreev (t->classes);
  g_free (t->target_type);
  g_free (t->hotkey);
  g_free (t);
}

SlyProjectMeta *
sly_project_meta_new (void)
{
  SlyProjectMeta *meta = g_new0 (SlyProjectMeta, 1);

  meta->classes = g_ptr_array_new_with_free_func ((GDestroyNotify)
      obj_class_free);
  meta->tag_metas = g_ptr_array_new_with_free_func ((GDestroyNotify)
      tag_meta_free);
  meta->ref_count = 1;
  return meta;
}

SlyProjectMeta *
sly_project_meta_ref (SlyProjectMeta * meta)
{
  g_return_val_if_fail (meta != NULL, NULL);

  g_atomic_int_inc (&meta->ref_count);
  return meta;
}

void
sly_project_meta_unref (SlyProjectMeta * meta)
{
  g_return_if_fail (meta != NULL);

  if (!g_atomic_int_dec_and_test (&meta->ref_count))
    return;
  g_ptr_array_unref (meta->classes);
  g_ptr_array_unref (meta->tag_metas);
  g_free (meta);
}

static JsonNode *
empty_object_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

SlyObjClass *
sly_project_meta_add_class (SlyProjectMeta * meta, const gchar * title,
    const gchar * shape, guint32 color)
{
  SlyObjClass *c;

  g_return_val_if_fail (meta != NULL && title != NULL, NULL);

  c = g_new0 (SlyObjClass, 1);
  c->title = g_strdup (title);
  c->shape = g_strdup (shape ? shape : "any");
  c->color = color & 0xffffff;
  c->description = g_strdup ("");
  c->hotkey = g_strdup ("");
  c->geometry_config = empty_object_node ();
  g_ptr_array_add (meta->classes, c);
  return c;
}

SlyTagMeta *
sly_project_meta_add_tag_meta (SlyProjectMeta * meta, const gchar * name,
    const gchar * value_type, guint32 color)
{
  SlyTagMeta *t;

  g_return_val_if_fail (meta != NULL && name != NULL, NULL);

  t = g_new0 (SlyTagMeta, 1);
  t->name = g_strdup (name);
  t->value_type = g_strdup (value_type ? value_type : "none");
  t->color = color & 0xffffff;
  t->applicable_type = g_strdup ("all");
  t->classes = g_new0 (gchar *, 1);
  t->target_type = g_strdup ("all");
  t->hotkey = g_strdup ("");
  g_ptr_array_add (meta->tag_metas, t);
  return t;
}

gint
sly_project_meta_find_class (const SlyProjectMeta * meta, const gchar * title)
{
  g_return_val_if_fail (meta != NULL, -1);

  for (guint i = 0; i < meta->classes->len; i++) {
    const SlyObjClass *c = g_ptr_array_index (meta->classes, i);

    if (g_strcmp0 (c->title, title) == 0)
      return (gint) i;
  }
  return -1;
}

gchar **
sly_project_meta_dup_class_titles (const SlyProjectMeta * meta)
{
  gchar **titles;

  g_return_val_if_fail (meta != NULL, NULL);

  titles = g_new0 (gchar *, meta->classes->len + 1);
  for (guint i = 0; i < meta->classes->len; i++) {
    const SlyObjClass *c = g_ptr_array_index (meta->classes, i);

    titles[i] = g_strdup (c->title);
  }
  return titles;
}

static gint
find_tag_meta (SlyProjectMeta * meta, const gchar * name)
{
  for (guint i = 0; i < meta->tag_metas->len; i++) {
    SlyTagMeta *t = g_ptr_array_index (meta->tag_metas, i);

    if (g_strcmp0 (t->name, name) == 0)
      return (gint) i;
  }
  return -1;
}

/* ---- reading ---- */

/* "#RRGGBB": g_ascii_string_to_unsigned() refuses signs, blanks and a 0x
 * prefix, so six characters after '#' are exactly six hex digits. */
static gboolean
parse_hex_color (const gchar * s, guint32 * color)
{
  guint64 v;

  if (s == NULL || strlen (s) != 7 || s[0] != '#'
      || !g_ascii_string_to_unsigned (s + 1, 16, 0, 0xffffff, &v, NULL))
    return FALSE;
  *color = (guint32) v;
  return TRUE;
}

static gboolean
read_color (JsonObject * obj, const gchar * owner, guint32 * color,
    GError ** error)
{
  g_autofree gchar *s = NULL;

  if (!sly_json_read_opt_string (obj, "color", NULL, owner, &s, error))
    return FALSE;
  if (!parse_hex_color (s, color)) {
    *color = g_str_hash (owner) & 0xffffff;
    g_debug ("%s: colour \"%s\" is not #RRGGBB, using #%06X", owner,
        s ? s : "(none)", *color);
  }
  return TRUE;
}

/* NULL-terminated copy of an optional array of strings; NULL on error */
static gboolean
read_string_list (JsonObject * obj, const gchar * name, const gchar * owner,
    gchar *** out, GError ** error)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) &&
      !JSON_NODE_HOLDS_ARRAY (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"%s\" is not an array", owner, name);
    return FALSE;
  }
  array = node && JSON_NODE_HOLDS_ARRAY (node) ?
      json_node_get_array (node) : NULL;
  for (guint i = 0; array && i < json_array_get_length (array); i++) {
    JsonNode *e = json_array_get_element (array, i);

    if (!JSON_NODE_HOLDS_VALUE (e) ||
        json_node_get_value_type (e) != G_TYPE_STRING) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "%s: \"%s\"[%u] is not a string", owner, name, i);
      return FALSE;
    }
    g_strv_builder_add (builder, json_node_get_string (e));
  }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

static SlyObjClass *
class_read (JsonNode * node, guint index, GError ** error)
{
  g_autofree gchar *what = g_strdup_printf ("classes[%u]", index);
  g_autoptr (GError) err = NULL;
  SlyObjClass *c = g_new0 (SlyObjClass, 1);
  JsonObject *obj;
  JsonNode *config;
  const gchar *title;

  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      (title = sly_json_get_string (obj = json_node_get_object (node),
              "title")) == NULL || sly_json_get_string (obj, "shape") == NULL) {
    g_set_error (&err, SLY_ERROR, SLY_ERROR_PARSE,
        "%s is not an object with string \"title\" and \"shape\"", what);
    goto failed;
  }
  c->title = g_strdup (title);
  c->shape = g_strdup (sly_json_get_string (obj, "shape"));
  if (!read_color (obj, c->title, &c->color, &err) ||
      !sly_json_read_opt_string (obj, "description", "", what,
          &c->description, &err) ||
      !sly_json_read_opt_string (obj, "hotkey", "", what, &c->hotkey, &err))
    goto failed;
  config = json_object_get_member (obj, "geometry_config");
  if (config != NULL && JSON_NODE_HOLDS_OBJECT (config))
    c->geometry_config = json_node_copy (config);
  else if (config == NULL || JSON_NODE_HOLDS_NULL (config))
    c->geometry_config = empty_object_node ();
  else {
    g_set_error (&err, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"geometry_config\" is not an object", what);
    goto failed;
  }
  return c;

failed:
  obj_class_free (c);
  g_propagate_error (error, g_steal_pointer (&err));
  return NULL;
}

static gboolean
tag_meta_fill (SlyTagMeta * t, JsonObject * obj, const gchar * what,
    const gchar * default_applicable, GError ** error)
{
  if (!g_strv_contains (value_types, t->value_type)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: unknown value_type \"%s\"", what, t->value_type);
    return FALSE;
  }
  if (!read_color (obj, t->name, &t->color, error) ||
      !sly_json_read_opt_string (obj, "applicable_type", default_applicable,
          what, &t->applicable_type, error) ||
      !sly_json_read_opt_string (obj, "target_type", "all", what,
          &t->target_type, error) ||
      !sly_json_read_opt_string (obj, "hotkey", "", what, &t->hotkey, error) ||
      !read_string_list (obj, "classes", what, &t->classes, error))
    return FALSE;
  if (g_strcmp0 (t->value_type, "oneof_string") == 0 &&
      !read_string_list (obj, "values", what, &t->values, error))
    return FALSE;
  return TRUE;
}

static SlyTagMeta *
tag_meta_read (JsonNode * node, const gchar * list, guint index,
    const gchar * default_applicable, GError ** error)
{
  g_autofree gchar *what = g_strdup_printf ("%s[%u]", list, index);
  SlyTagMeta *t;
  JsonObject *obj;
  const gchar *name, *value_type;

  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      (name = sly_json_get_string (obj = json_node_get_object (node),
              "name")) == NULL ||
      (value_type = sly_json_get_string (obj, "value_type")) == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s is not an object with string \"name\" and \"value_type\"", what);
    return NULL;
  }
  t = g_new0 (SlyTagMeta, 1);
  t->name = g_strdup (name);
  t->value_type = g_strdup (value_type);
  if (!tag_meta_fill (t, obj, what, default_applicable, error)) {
    tag_meta_free (t);
    return NULL;
  }
  return t;
}

/* Reads one tag meta list. Old files split tags into "tags_images" and
 * "tags_objects": a name found in both lists applies to all. */
static gboolean
tag_list_read (SlyProjectMeta * meta, JsonObject * obj, const gchar * list,
    const gchar * default_applicable, GError ** error)
{
  JsonNode *node = json_object_get_member (obj, list);
  guint first = meta->tag_metas->len;
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "project meta: \"%s\" is not an array", list);
    return FALSE;
  }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++) {
    SlyTagMeta *t = tag_meta_read (json_array_get_element (array, i), list, i,
        default_applicable, error);
    gint old_index;
    SlyTagMeta *old;

    if (t == NULL)
      return FALSE;
    old_index = find_tag_meta (meta, t->name);
    if (old_index < 0) {
      g_ptr_array_add (meta->tag_metas, t);
      continue;
    }
    old = g_ptr_array_index (meta->tag_metas, old_index);
    /* a name may repeat only across the two legacy lists */
    if (default_applicable == NULL || (guint) old_index >= first ||
        g_strcmp0 (old->value_type, t->value_type) != 0) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "project meta: tag meta \"%s\" is defined twice", t->name);
      tag_meta_free (t);
      return FALSE;
    }
    g_free (old->applicable_type);
    old->applicable_type = g_strdup ("all");
    tag_meta_free (t);
  }
  return TRUE;
}

static gboolean
classes_read (SlyProjectMeta * meta, JsonObject * obj, GError ** error)
{
  JsonArray *classes = sly_json_get_array (obj, "classes");

  if (classes == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "project meta: \"classes\" is missing or not an array");
    return FALSE;
  }
  for (guint i = 0; i < json_array_get_length (classes); i++) {
    SlyObjClass *c = class_read (json_array_get_element (classes, i), i,
        error);

    if (c == NULL)
      return FALSE;
    if (sly_project_meta_find_class (meta, c->title) >= 0) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "project meta: class \"%s\" is defined twice", c->title);
      obj_class_free (c);
      return FALSE;
    }
    g_ptr_array_add (meta->classes, c);
  }
  return TRUE;
}

SlyProjectMeta *
sly_project_meta_from_json_node (JsonNode * node, GError ** error)
{
  g_autoptr (SlyProjectMeta) meta = sly_project_meta_new ();
  JsonObject *obj;
  gboolean legacy;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "project meta is not a JSON object");
    return NULL;
  }
  obj = json_node_get_object (node);
  legacy = json_object_has_member (obj, "tags_images") ||
      json_object_has_member (obj, "tags_objects");
  if (legacy && json_object_has_member (obj, "tags")) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "project meta mixes \"tags\" with \"tags_images\"/\"tags_objects\"");
    return NULL;
  }
  if (!classes_read (meta, obj, error))
    return NULL;
  if (legacy) {
    if (!tag_list_read (meta, obj, "tags_images", "imagesOnly", error) ||
        !tag_list_read (meta, obj, "tags_objects", "objectsOnly", error))
      return NULL;
  } else if (!tag_list_read (meta, obj, "tags", NULL, error)) {
    return NULL;
  }
  return g_steal_pointer (&meta);
}

SlyProjectMeta *
sly_project_meta_from_json (const gchar * data, gssize length, GError ** error)
{
  g_autoptr (JsonNode) root =
      sly_json_parse (data, length, "project meta", error);

  return root ? sly_project_meta_from_json_node (root, error) : NULL;
}

/* ---- writing ---- */

static void
set_color (JsonObject * obj, guint32 color)
{
  g_autofree gchar *s = g_strdup_printf ("#%06X", color & 0xffffff);

  json_object_set_string_member (obj, "color", s);
}

static JsonArray *
strv_to_json (gchar ** strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv && strv[i]; i++)
    json_array_add_string_element (array, strv[i]);
  return array;
}

static JsonObject *
class_to_json (const SlyObjClass * c)
{
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "title", c->title);
  json_object_set_string_member (obj, "description",
      c->description ? c->description : "");
  json_object_set_string_member (obj, "shape", c->shape);
  set_color (obj, c->color);
  json_object_set_member (obj, "geometry_config", c->geometry_config ?
      json_node_copy (c->geometry_config) : empty_object_node ());
  json_object_set_string_member (obj, "hotkey", c->hotkey ? c->hotkey : "");
  return obj;
}

static JsonObject *
tag_meta_to_json (const SlyTagMeta * t)
{
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "name", t->name);
  json_object_set_string_member (obj, "value_type", t->value_type);
  if (g_strcmp0 (t->value_type, "oneof_string") == 0)
    json_object_set_array_member (obj, "values", strv_to_json (t->values));
  set_color (obj, t->color);
  json_object_set_string_member (obj, "hotkey", t->hotkey ? t->hotkey : "");
  json_object_set_string_member (obj, "applicable_type",
      t->applicable_type ? t->applicable_type : "all");
  json_object_set_array_member (obj, "classes", strv_to_json (t->classes));
  json_object_set_string_member (obj, "target_type",
      t->target_type ? t->target_type : "all");
  return obj;
}

JsonNode *
sly_project_meta_to_json_node (const SlyProjectMeta * meta)
{
  JsonObject *obj;
  JsonArray *classes, *tags;
  JsonNode *node;

  g_return_val_if_fail (meta != NULL, NULL);

  obj = json_object_new ();
  classes = json_array_new ();
  tags = json_array_new ();
  for (guint i = 0; i < meta->classes->len; i++)
    json_array_add_object_element (classes,
        class_to_json (g_ptr_array_index (meta->classes, i)));
  for (guint i = 0; i < meta->tag_metas->len; i++)
    json_array_add_object_element (tags,
        tag_meta_to_json (g_ptr_array_index (meta->tag_metas, i)));
  json_object_set_array_member (obj, "classes", classes);
  json_object_set_array_member (obj, "tags", tags);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

gchar *
sly_project_meta_to_json (const SlyProjectMeta * meta)
{
  g_autoptr (JsonNode) node = NULL;

  g_return_val_if_fail (meta != NULL, NULL);

  node = sly_project_meta_to_json_node (meta);
  return sly_json_to_string (node);
}
