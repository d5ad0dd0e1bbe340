/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Supervisely video annotation (protocol.md section 9): the builder used by
 * the reference server and the annotation sink, and the JSON reader and
 * writer.
 */
#include "slyannotation-private.h"
#include "slyerror.h"
#include "slyvideoannotation.h"

G_DEFINE_BOXED_TYPE (SlyVideoAnnotation, sly_video_annotation,
    sly_video_annotation_ref, sly_video_annotation_unref);

/* 32 lowercase hex digits, as the SDK writes uuid4().hex */
static gchar *
new_key (void)
{
  g_autofree gchar *uuid = g_uuid_string_random ();
  GString *key = g_string_sized_new (32);

  for (const gchar * p = uuid; *p; p++)
    if (*p != '-')
      g_string_append_c (key, *p);
  return g_string_free (key, FALSE);
}

static void
video_tag_free (SlyVideoTag * t)
{
  g_free (t->key);
  g_free (t->name);
  if (t->value)
    json_node_unref (t->value);
  g_free (t);
}

/* @value: transfer full, nullable */
static SlyVideoTag *
video_tag_new (const gchar * key, const gchar * name, JsonNode * value,
    gint start, gint end)
{
  SlyVideoTag *t = g_new0 (SlyVideoTag, 1);

  t->key = key ? g_strdup (key) : new_key ();
  t->name = g_strdup (name);
  t->value = value;
  t->start = start;
  t->end = end;
  return t;
}

static void
video_object_free (SlyVideoObject * o)
{
  g_free (o->key);
  g_free (o->class_title);
  g_ptr_array_unref (o->tags);
  g_free (o);
}

/* While tags are recorded, per video object: the tags that reached the
 * last frame it was seen in (they grow into the next one) and those that
 * reached the frame before (for a second geometry of the track in a
 * frame). The tags belong to the object. */
typedef struct
{
  gint frame;
  GPtrArray *current;
  GPtrArray *previous;
} TagState;

static void
tag_state_free (TagState * st)
{
  if (st == NULL)
    return;
  g_ptr_array_unref (st->current);
  g_ptr_array_unref (st->previous);
  g_free (st);
}

static void
figure_free (SlyVideoFigure * f)
{
  g_free (f->key);
  sly_geometry_free (f->geometry);
  g_free (f->track_id);
  g_free (f);
}

static void
frame_free (SlyVideoFrame * f)
{
  g_ptr_array_unref (f->figures);
  g_free (f);
}

SlyVideoAnnotation *
sly_video_annotation_new (gint width, gint height)
{
  SlyVideoAnnotation *va = g_new0 (SlyVideoAnnotation, 1);

  va->width = width;
  va->height = height;
  va->description = g_strdup ("");
  va->key = new_key ();
  va->objects = g_ptr_array_new_with_free_func ((GDestroyNotify)
      video_object_free);
  va->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) frame_free);
  va->tags = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (va->tags, json_array_new ());
  va->track_objects = g_hash_table_new_full (g_int64_hash, g_int64_equal,
      g_free, NULL);
  va->tag_states = g_ptr_array_new_with_free_func ((GDestroyNotify)
      tag_state_free);
  va->ref_count = 1;
  return va;
}

SlyVideoAnnotation *
sly_video_annotation_ref (SlyVideoAnnotation * va)
{
  g_return_val_if_fail (va != NULL, NULL);

  g_atomic_int_inc (&va->ref_count);
  return va;
}

void
sly_video_annotation_unref (SlyVideoAnnotation * va)
{
  g_return_if_fail (va != NULL);

  if (!g_atomic_int_dec_and_test (&va->ref_count))
    return;
  g_free (va->description);
  g_free (va->key);
  g_ptr_array_unref (va->objects);
  g_ptr_array_unref (va->frames);
  json_node_unref (va->tags);
  g_hash_table_unref (va->track_objects);
  g_ptr_array_unref (va->tag_states);
  g_free (va);
}

/* Position of @index in the sorted frame list; *found tells whether the
 * frame exists there. */
static guint
frame_position (const SlyVideoAnnotation * va, gint index, gboolean * found)
{
  guint lo = 0, hi = va->frames->len;

  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    const SlyVideoFrame *f = g_ptr_array_index (va->frames, mid);

    if (f->index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = lo < va->frames->len &&
      ((SlyVideoFrame *) g_ptr_array_index (va->frames, lo))->index == index;
  return lo;
}

const SlyVideoFrame *
sly_video_annotation_get_frame (const SlyVideoAnnotation * va, gint frame_index)
{
  gboolean found;
  guint pos;

  g_return_val_if_fail (va != NULL, NULL);

  pos = frame_position (va, frame_index, &found);
  return found ? g_ptr_array_index (va->frames, pos) : NULL;
}

static SlyVideoFrame *
ensure_frame (SlyVideoAnnotation * va, gint index)
{
  gboolean found;
  guint pos = frame_position (va, index, &found);
  SlyVideoFrame *f;

  if (found)
    return g_ptr_array_index (va->frames, pos);
  f = g_new0 (SlyVideoFrame, 1);
  f->index = index;
  f->figures = g_ptr_array_new_with_free_func ((GDestroyNotify) figure_free);
  g_ptr_array_insert (va->frames, pos, f);
  return f;
}

static guint
add_object (SlyVideoAnnotation * va, const gchar * key,
    const gchar * class_title, gint64 track_id)
{
  SlyVideoObject *o = g_new0 (SlyVideoObject, 1);

  o->key = key ? g_strdup (key) : new_key ();
  o->class_title = g_strdup (class_title);
  o->track_id = track_id;
  o->tags = g_ptr_array_new_with_free_func ((GDestroyNotify) video_tag_free);
  g_ptr_array_add (va->objects, o);
  return va->objects->len - 1;
}

static void
remember_track (SlyVideoAnnotation * va, gint64 track_id, guint index)
{
  g_hash_table_insert (va->track_objects, g_memdup2 (&track_id,
          sizeof (track_id)), GUINT_TO_POINTER (index + 1));
}

/* The video object of @obj's track, created at first sight. */
static guint
object_for (SlyVideoAnnotation * va, const SlyObject * obj)
{
  gpointer known;
  guint index;

  if (obj->track_id > 0 && (known = g_hash_table_lookup (va->track_objects,
              &obj->track_id)))
    return GPOINTER_TO_UINT (known) - 1;
  index = add_object (va, NULL, obj->class_title, obj->track_id);
  if (obj->track_id > 0)
    remember_track (va, obj->track_id, index);
  return index;
}

static gboolean
same_value (JsonNode * a, JsonNode * b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return json_node_equal (a, b);
}

/* The tag of @tags named @name with @value that reaches frame @end, or
 * NULL. */
static SlyVideoTag *
find_tag (GPtrArray * tags, const gchar * name, JsonNode * value, gint end)
{
  for (guint i = 0; i < tags->len; i++) {
    SlyVideoTag *t = g_ptr_array_index (tags, i);

    if (t->end == end && g_strcmp0 (t->name, name) == 0
        && same_value (t->value, value))
      return t;
  }
  return NULL;
}

static TagState *
tag_state_for (SlyVideoAnnotation * va, guint object_index)
{
  TagState *st;

  if (va->tag_states->len <= object_index)
    g_ptr_array_set_size (va->tag_states, object_index + 1);
  st = g_ptr_array_index (va->tag_states, object_index);
  if (st == NULL) {
    st = g_new0 (TagState, 1);
    st->frame = -1;
    st->current = g_ptr_array_new ();
    st->previous = g_ptr_array_new ();
    g_ptr_array_index (va->tag_states, object_index) = st;
  }
  return st;
}

/* The tags of @obj at frame @frame_index into video object @object_index:
 * a tag that reached the frame before grows by one frame, others start. */
static void
record_tags (SlyVideoAnnotation * va, guint object_index, gint frame_index,
    const SlyObject * obj)
{
  SlyVideoObject *o = g_ptr_array_index (va->objects, object_index);
  TagState *st = tag_state_for (va, object_index);

  if (st->frame != frame_index) {
    GPtrArray *reached = st->current;

    /* first geometry of the object in this frame */
    st->current = st->previous;
    st->previous = reached;
    g_ptr_array_set_size (st->current, 0);
    if (st->frame != frame_index - 1)
      g_ptr_array_set_size (st->previous, 0);
    st->frame = frame_index;
  }
  for (guint i = 0; obj->tags && i < obj->tags->len; i++) {
    const SlyTag *tag = g_ptr_array_index (obj->tags, i);
    JsonNode *value = tag->value && !JSON_NODE_HOLDS_NULL (tag->value) ?
        tag->value : NULL;
    SlyVideoTag *t;

    if (tag->name == NULL || sly_tag_name_is_score (tag->name)
        || find_tag (st->current, tag->name, value, frame_index))
      continue;
    t = find_tag (st->previous, tag->name, value, frame_index - 1);
    if (t) {
      t->end = frame_index;
    } else {
      t = video_tag_new (NULL, tag->name,
          value ? sly_json_node_copy_deep (value) : NULL, frame_index,
          frame_index);
      g_ptr_array_add (o->tags, t);
    }
    g_ptr_array_add (st->current, t);
  }
}

void
sly_video_annotation_set_record_tags (SlyVideoAnnotation * va, gboolean record)
{
  g_return_if_fail (va != NULL);

  va->record_tags = record;
}

void
sly_video_annotation_add_frame (SlyVideoAnnotation * va, gint frame_index,
    const SlyAnnotation * ann)
{
  SlyVideoFrame *frame;

  g_return_if_fail (va != NULL && ann != NULL);
  g_return_if_fail (frame_index >= 0 && frame_index < G_MAXINT);

  frame = ensure_frame (va, frame_index);
  for (guint i = 0; i < ann->objects->len; i++) {
    const SlyObject *obj = g_ptr_array_index (ann->objects, i);
    SlyVideoFigure *fig = g_new0 (SlyVideoFigure, 1);

    fig->key = new_key ();
    fig->object_index = object_for (va, obj);
    if (va->record_tags)
      record_tags (va, fig->object_index, frame_index, obj);
    fig->geometry = sly_geometry_copy (obj->geometry);
    if (obj->track_id > 0)
      fig->track_id = g_strdup_printf ("%" G_GINT64_FORMAT, obj->track_id);
    g_ptr_array_add (frame->figures, fig);
  }
  va->frames_count = MAX (va->frames_count, frame_index + 1);
}

void
sly_video_annotation_set_frames_count (SlyVideoAnnotation * va,
    gint frames_count)
{
  const SlyVideoFrame *last;

  g_return_if_fail (va != NULL);

  last = va->frames->len ?
      g_ptr_array_index (va->frames, va->frames->len - 1) : NULL;
  va->frames_count = MAX (frames_count, last ? last->index + 1 : 0);
}

/* ---- writing ---- */

static JsonObject *
figure_to_json (const SlyVideoAnnotation * va, const SlyVideoFigure * fig)
{
  const SlyVideoObject *o = g_ptr_array_index (va->objects, fig->object_index);
  JsonObject *obj = json_object_new ();
  JsonObject *geometry = json_object_new ();

  json_object_set_string_member (obj, "key", fig->key);
  json_object_set_string_member (obj, "objectKey", o->key);
  json_object_set_string_member (obj, "geometryType",
      sly_geometry_type_to_string (fig->geometry->type));
  sly_geometry_to_json (fig->geometry, geometry);
  json_object_set_object_member (obj, "geometry", geometry);
  json_object_set_boolean_member (obj, "nnCreated", TRUE);
  json_object_set_boolean_member (obj, "nnUpdated", TRUE);
  if (fig->track_id)
    json_object_set_string_member (obj, "trackId", fig->track_id);
  return obj;
}

static JsonArray *
tags_to_json (const GPtrArray * tags)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < tags->len; i++) {
    const SlyVideoTag *t = g_ptr_array_index (tags, i);
    JsonObject *obj = json_object_new ();

    json_object_set_string_member (obj, "name", t->name);
    if (t->value)
      json_object_set_member (obj, "value", sly_json_node_copy_deep (t->value));
    if (t->start >= 0) {
      JsonArray *range = json_array_new ();

      json_array_add_int_element (range, t->start);
      json_array_add_int_element (range, t->end);
      json_object_set_array_member (obj, "frameRange", range);
    }
    json_object_set_string_member (obj, "key", t->key);
    json_array_add_object_element (array, obj);
  }
  return array;
}

static JsonArray *
objects_to_json (const SlyVideoAnnotation * va)
{
  JsonArray *objects = json_array_new ();

  for (guint i = 0; i < va->objects->len; i++) {
    const SlyVideoObject *o = g_ptr_array_index (va->objects, i);
    JsonObject *obj = json_object_new ();

    json_object_set_string_member (obj, "key", o->key);
    json_object_set_string_member (obj, "classTitle", o->class_title);
    json_object_set_array_member (obj, "tags", tags_to_json (o->tags));
    json_array_add_object_element (objects, obj);
  }
  return objects;
}

static JsonArray *
frames_to_json (const SlyVideoAnnotation * va)
{
  JsonArray *frames = json_array_new ();

  for (guint i = 0; i < va->frames->len; i++) {
    const SlyVideoFrame *f = g_ptr_array_index (va->frames, i);
    JsonObject *obj = json_object_new ();
    JsonArray *figures = json_array_new ();

    for (guint j = 0; j < f->figures->len; j++)
      json_array_add_object_element (figures, figure_to_json (va,
              g_ptr_array_index (f->figures, j)));
    json_object_set_int_member (obj, "index", f->index);
    json_object_set_array_member (obj, "figures", figures);
    json_array_add_object_element (frames, obj);
  }
  return frames;
}

JsonNode *
sly_video_annotation_to_json_node (const SlyVideoAnnotation * va)
{
  JsonObject *obj, *size;
  JsonNode *node;

  g_return_val_if_fail (va != NULL, NULL);

  obj = json_object_new ();
  size = json_object_new ();
  json_object_set_int_member (size, "height", va->height);
  json_object_set_int_member (size, "width", va->width);
  json_object_set_object_member (obj, "size", size);
  json_object_set_string_member (obj, "description",
      va->description ? va->description : "");
  json_object_set_string_member (obj, "key", va->key);
  json_object_set_member (obj, "tags", json_node_copy (va->tags));
  json_object_set_array_member (obj, "objects", objects_to_json (va));
  json_object_set_array_member (obj, "frames", frames_to_json (va));
  json_object_set_int_member (obj, "framesCount", va->frames_count);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

gchar *
sly_video_annotation_to_json (const SlyVideoAnnotation * va)
{
  g_autoptr (JsonNode) node = NULL;

  g_return_val_if_fail (va != NULL, NULL);

  node = sly_video_annotation_to_json_node (va);
  return sly_json_to_string (node);
}

/* ---- reading ---- */

/* frameRange: [start, end], frame indices in order */
static gboolean
frame_range_read (JsonNode * node, const gchar * what, gint * start,
    gint * end, GError ** error)
{
  g_autofree gchar *start_what = g_strdup_printf ("%s: frameRange[0]", what);
  g_autofree gchar *end_what = g_strdup_printf ("%s: frameRange[1]", what);
  JsonArray *range;
  gint64 a, b;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
    *start = *end = -1;
    return TRUE;
  }
  if (!JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (range = json_node_get_array (node)) != 2) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"frameRange\" is not an array of 2 frame indices", what);
    return FALSE;
  }
  if (!sly_json_read_int (json_array_get_element (range, 0), 0,
          G_MAXINT - 1, start_what, &a, error) ||
      !sly_json_read_int (json_array_get_element (range, 1), a,
          G_MAXINT - 1, end_what, &b, error))
    return FALSE;
  *start = (gint) a;
  *end = (gint) b;
  return TRUE;
}

/* An object's "tags": [{"name", "value"?, "frameRange"?, "key"?}] */
static gboolean
object_tags_read (SlyVideoObject * o, JsonObject * obj, guint index,
    GError ** error)
{
  JsonNode *node = json_object_get_member (obj, "tags");
  JsonArray *tags;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "video annotation: objects[%u]: \"tags\" is not an array", index);
    return FALSE;
  }
  tags = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (tags); i++) {
    g_autofree gchar *what =
        g_strdup_printf ("video annotation: objects[%u]: tags[%u]", index, i);
    g_autofree gchar *key = NULL;
    JsonNode *tag = json_array_get_element (tags, i), *value;
    JsonObject *fields;
    const gchar *name;
    gint start, end;

    if (!JSON_NODE_HOLDS_OBJECT (tag) ||
        (name = sly_json_get_string (fields = json_node_get_object (tag),
                "name")) == NULL) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "%s is not an object with a string \"name\"", what);
      return FALSE;
    }
    if (!frame_range_read (json_object_get_member (fields, "frameRange"),
            what, &start, &end, error) ||
        !sly_json_read_opt_string (fields, "key", NULL, what, &key, error))
      return FALSE;
    value = json_object_get_member (fields, "value");
    g_ptr_array_add (o->tags, video_tag_new (key, name, value &&
            !JSON_NODE_HOLDS_NULL (value) ? sly_json_node_copy_deep (value) :
            NULL, start, end));
  }
  return TRUE;
}

static gboolean
objects_read (SlyVideoAnnotation * va, JsonObject * root, GHashTable * keys,
    GError ** error)
{
  JsonArray *objects = sly_json_get_array (root, "objects");

  if (objects == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "video annotation: \"objects\" is missing or not an array");
    return FALSE;
  }
  for (guint i = 0; i < json_array_get_length (objects); i++) {
    JsonNode *node = json_array_get_element (objects, i);
    JsonObject *obj;
    const gchar *key, *title;
    guint index;

    if (!JSON_NODE_HOLDS_OBJECT (node) ||
        (key = sly_json_get_string (obj = json_node_get_object (node),
                "key")) == NULL ||
        (title = sly_json_get_string (obj, "classTitle")) == NULL) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "video annotation: objects[%u] is not an object with string "
          "\"key\" and \"classTitle\"", i);
      return FALSE;
    }
    if (g_hash_table_contains (keys, key)) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "video annotation: object key \"%s\" is used twice", key);
      return FALSE;
    }
    index = add_object (va, key, title, 0);
    g_hash_table_insert (keys, g_strdup (key), GUINT_TO_POINTER (index + 1));
    if (!object_tags_read (g_ptr_array_index (va->objects, index), obj, i,
            error))
      return FALSE;
  }
  return TRUE;
}

/* trackId is a string in the SDK's output; numbers are accepted too. The
 * object's track id is the first numeric one seen. */
static gboolean
figure_track_read (SlyVideoAnnotation * va, JsonObject * obj,
    SlyVideoFigure * fig, const gchar * what, GError ** error)
{
  JsonNode *node = json_object_get_member (obj, "trackId");
  SlyVideoObject *o = g_ptr_array_index (va->objects, fig->object_index);
  gint64 id;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (sly_json_node_is_number (node))
    fig->track_id = g_strdup_printf ("%" G_GINT64_FORMAT,
        (gint64) sly_json_node_number (node));
  else if (JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    fig->track_id = g_strdup (json_node_get_string (node));
  else {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"trackId\" is not a string", what);
    return FALSE;
  }
  if (o->track_id == 0 && g_ascii_string_to_signed (fig->track_id, 10, 1,
          G_MAXINT64, &id, NULL)) {
    o->track_id = id;
    remember_track (va, id, fig->object_index);
  }
  return TRUE;
}

static gboolean
figure_read (SlyVideoAnnotation * va, JsonNode * node, GHashTable * keys,
    SlyVideoFrame * frame, const gchar * what, GError ** error)
{
  g_autofree gchar *type_name = NULL;
  JsonObject *obj, *fields;
  const gchar *object_key, *key;
  SlyVideoFigure *fig;
  SlyGeometryType type;
  gboolean known;
  gpointer index;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "%s is not an object",
        what);
    return FALSE;
  }
  obj = json_node_get_object (node);
  object_key = sly_json_get_string (obj, "objectKey");
  if (object_key == NULL || !(index = g_hash_table_lookup (keys, object_key))) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"objectKey\" is missing or names no object", what);
    return FALSE;
  }
  if (!sly_geometry_read_type (obj, what, &type, &known, &type_name, error))
    return FALSE;
  if (!known) {
    g_debug ("%s: skipping geometry type \"%s\"", what, type_name);
    return TRUE;
  }
  fields = sly_json_get_object (obj, "geometry");
  if (fields == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"geometry\" is missing or not an object", what);
    return FALSE;
  }
  fig = g_new0 (SlyVideoFigure, 1);
  key = sly_json_get_string (obj, "key");
  fig->key = key ? g_strdup (key) : new_key ();
  fig->object_index = GPOINTER_TO_UINT (index) - 1;
  g_ptr_array_add (frame->figures, fig);
  fig->geometry = sly_geometry_from_json (fields, type, what, error);
  return fig->geometry != NULL && figure_track_read (va, obj, fig, what, error);
}

static gboolean
frame_read (SlyVideoAnnotation * va, JsonNode * node, guint i,
    GHashTable * keys, GError ** error)
{
  g_autofree gchar *what = g_strdup_printf ("video annotation: frames[%u]",
      i);
  g_autofree gchar *index_what = g_strdup_printf ("%s: index", what);
  SlyVideoFrame *frame;
  JsonObject *obj;
  JsonArray *figures;
  gint64 index;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "%s is not an object",
        what);
    return FALSE;
  }
  obj = json_node_get_object (node);
  /* the SDK only rejects index > framesCount */
  if (!sly_json_read_int (json_object_get_member (obj, "index"), 0,
          va->frames_count, index_what, &index, error))
    return FALSE;
  figures = sly_json_get_array (obj, "figures");
  if (figures == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"figures\" is missing or not an array", what);
    return FALSE;
  }
  frame = ensure_frame (va, (gint) index);
  for (guint j = 0; j < json_array_get_length (figures); j++) {
    g_autofree gchar *fig_what = g_strdup_printf ("%s: figures[%u]", what, j);

    if (!figure_read (va, json_array_get_element (figures, j), keys, frame,
            fig_what, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
header_read (SlyVideoAnnotation * va, JsonObject * root, GError ** error)
{
  JsonNode *tags = json_object_get_member (root, "tags");
  g_autofree gchar *key = NULL;
  gint64 count;

  if (!sly_json_read_size (root, "video annotation", &va->width,
          &va->height, error) ||
      !sly_json_read_int (json_object_get_member (root, "framesCount"), 0,
          G_MAXINT - 1, "video annotation: framesCount", &count, error))
    return FALSE;
  va->frames_count = (gint) count;
  g_clear_pointer (&va->description, g_free);
  if (!sly_json_read_opt_string (root, "description", "",
          "video annotation", &va->description, error) ||
      !sly_json_read_opt_string (root, "key", NULL, "video annotation",
          &key, error))
    return FALSE;
  if (key) {
    g_free (va->key);
    va->key = g_steal_pointer (&key);
  }
  if (tags && !JSON_NODE_HOLDS_NULL (tags)) {
    if (!JSON_NODE_HOLDS_ARRAY (tags)) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "video annotation: \"tags\" is not an array");
      return FALSE;
    }
    json_node_unref (va->tags);
    va->tags = json_node_copy (tags);
  }
  return TRUE;
}

SlyVideoAnnotation *
sly_video_annotation_from_json_node (JsonNode * node, GError ** error)
{
  g_autoptr (SlyVideoAnnotation) va = sly_video_annotation_new (0, 0);
  g_autoptr (GHashTable) keys = g_hash_table_new_full (g_str_hash,
      g_str_equal, g_free, NULL);
  JsonObject *root;
  JsonArray *frames;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "video annotation is not a JSON object");
    return NULL;
  }
  root = json_node_get_object (node);
  if (!header_read (va, root, error) || !objects_read (va, root, keys, error))
    return NULL;
  frames = sly_json_get_array (root, "frames");
  if (frames == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "video annotation: \"frames\" is missing or not an array");
    return NULL;
  }
  for (guint i = 0; i < json_array_get_length (frames); i++)
    if (!frame_read (va, json_array_get_element (frames, i), i, keys, error))
      return NULL;
  return g_steal_pointer (&va);
}

SlyVideoAnnotation *
sly_video_annotation_from_json (const gchar * data, gssize length,
    GError ** error)
{
  g_autoptr (JsonNode) root =
      sly_json_parse (data, length, "video annotation", error);

  return root ? sly_video_annotation_from_json_node (root, error) : NULL;
}
