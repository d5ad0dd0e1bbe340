/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inference settings (protocol.md section 4) and the app defaults that some
 * serving apps return as a YAML document in one string (3.3), read with
 * libyaml.
 */
#include "slyclient.h"
#include "slyerror.h"
#include "slyjson.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <yaml.h>

struct _SlyInferenceSettings
{
  gdouble conf;                 /* < 0: not sent */
  gchar **classes;              /* NULL: not sent */
  gint img_size;                /* 0: not sent */
  gint window_width, window_height;     /* 0: full image */
  gint overlap_x, overlap_y;
  JsonObject *extra;            /* nullable */
};

SlyInferenceSettings *
sly_inference_settings_new (void)
{
  SlyInferenceSettings *s = g_new0 (SlyInferenceSettings, 1);

  s->conf = -1.0;
  return s;
}

SlyInferenceSettings *
sly_inference_settings_copy (const SlyInferenceSettings * s)
{
  SlyInferenceSettings *copy;

  g_return_val_if_fail (s != NULL, NULL);

  copy = sly_inference_settings_new ();
  copy->conf = s->conf;
  copy->classes = g_strdupv (s->classes);
  copy->img_size = s->img_size;
  copy->window_width = s->window_width;
  copy->window_height = s->window_height;
  copy->overlap_x = s->overlap_x;
  copy->overlap_y = s->overlap_y;
  copy->extra = s->extra ? json_object_ref (s->extra) : NULL;
  return copy;
}

void
sly_inference_settings_free (SlyInferenceSettings * s)
{
  if (s == NULL)
    return;
  g_strfreev (s->classes);
  g_clear_pointer (&s->extra, json_object_unref);
  g_free (s);
}

void
sly_inference_settings_set_conf (SlyInferenceSettings * s, gdouble conf)
{
  g_return_if_fail (s != NULL);
  s->conf = conf;
}

void
sly_inference_settings_set_classes (SlyInferenceSettings * s,
    const gchar * const *classes)
{
  g_return_if_fail (s != NULL);
  g_strfreev (s->classes);
  s->classes = g_strdupv ((gchar **) classes);
}

void
sly_inference_settings_set_img_size (SlyInferenceSettings * s, gint size)
{
  g_return_if_fail (s != NULL);
  s->img_size = MAX (size, 0);
}

void
sly_inference_settings_set_sliding_window (SlyInferenceSettings * s,
    gint width, gint height, gint overlap_x, gint overlap_y)
{
  g_return_if_fail (s != NULL);
  s->window_width = MAX (width, 0);
  s->window_height = MAX (height, 0);
  s->overlap_x = MAX (overlap_x, 0);
  s->overlap_y = MAX (overlap_y, 0);
}

gboolean
sly_inference_settings_set_extra_json (SlyInferenceSettings * s,
    const gchar * json_object, GError ** error)
{
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (s != NULL, FALSE);

  if (json_object == NULL || json_object[0] == '\0') {
    g_clear_pointer (&s->extra, json_object_unref);
    return TRUE;
  }
  root = sly_json_parse (json_object, -1, "Extra settings", error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "Extra settings must be a JSON object");
    return FALSE;
  }
  g_clear_pointer (&s->extra, json_object_unref);
  s->extra = json_object_ref (json_node_get_object (root));
  return TRUE;
}

static JsonObject *
settings_object (const SlyInferenceSettings * s)
{
  JsonObject *obj = json_object_new ();
  JsonArray *classes;
  gchar **c;

  if (s->extra != NULL) {
    JsonObjectIter iter;
    const gchar *name;
    JsonNode *value;

    json_object_iter_init (&iter, s->extra);
    while (json_object_iter_next (&iter, &name, &value))
      json_object_set_member (obj, name, json_node_copy (value));
  }
  if (s->conf >= 0)
    json_object_set_double_member (obj, "conf", s->conf);
  if (s->classes != NULL) {
    classes = json_array_new ();
    for (c = s->classes; *c != NULL; c++)
      json_array_add_string_element (classes, *c);
    json_object_set_array_member (obj, "classes", classes);
  }
  if (s->img_size > 0)
    json_object_set_int_member (obj, "img_size", s->img_size);
  if (s->window_width > 0 && s->window_height > 0) {
    JsonObject *params = json_object_new ();

    json_object_set_int_member (params, "windowHeight", s->window_height);
    json_object_set_int_member (params, "windowWidth", s->window_width);
    json_object_set_int_member (params, "overlapY", s->overlap_y);
    json_object_set_int_member (params, "overlapX", s->overlap_x);
    json_object_set_string_member (params, "borderStrategy", "shift_window");
    json_object_set_string_member (obj, "inference_mode", "sliding_window");
    json_object_set_object_member (obj, "sliding_window_params", params);
  }
  return obj;
}

JsonNode *
sly_inference_settings_to_state (const SlyInferenceSettings * s,
    gint batch_size)
{
  JsonObject *state = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (s != NULL)
    json_object_set_object_member (state, "settings", settings_object (s));
  else
    json_object_set_object_member (state, "settings", json_object_new ());
  if (batch_size > 0)
    json_object_set_int_member (state, "batch_size", batch_size);
  json_node_take_object (node, state);
  return node;
}

/* ---- the app defaults: YAML read by libyaml, typed as PyYAML does ----
 *
 * libyaml does the YAML syntax and hands over a stream of events; what is
 * left here is what the SDK's yaml.safe_load adds on top: the YAML 1.1
 * types of plain scalars, the few explicit tags it knows, aliases and "<<"
 * merge keys. Then the limits that keep hostile text harmless: a nesting
 * depth and a budget of what aliases may copy. */

/* Plain scalars that PyYAML reads as int or float (YAML 1.1 type regexes:
 * https://yaml.org/type/int.html and https://yaml.org/type/float.html as
 * PyYAML narrowed them: an exponent needs a dot and a sign, no 0o). */
#define INT_PATTERN "^[-+]?(?:0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*" \
  "|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$"
#define FLOAT_PATTERN "^(?:[-+]?[0-9][0-9_]*\\.[0-9_]*(?:[eE][-+][0-9]+)?" \
  "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?" \
  "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*" \
  "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"

static const gchar *const yaml_nulls[] = { "", "~", "null", "Null", "NULL",
  NULL
};

/* each word in its three spellings, true ones first */
static const gchar *const yaml_bools[] = {
  "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
  "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL
};

#define YAML_BOOL_TRUE_COUNT 9

typedef struct
{
  GRegex *int_regex;
  GRegex *float_regex;
} ScalarPatterns;

static const ScalarPatterns *
scalar_patterns (void)
{
  static gsize done = 0;
  static ScalarPatterns patterns;

  if (g_once_init_enter (&done)) {
    patterns.int_regex = g_regex_new (INT_PATTERN, G_REGEX_OPTIMIZE, 0, NULL);
    patterns.float_regex = g_regex_new (FLOAT_PATTERN, G_REGEX_OPTIMIZE, 0,
        NULL);
    g_assert (patterns.int_regex != NULL && patterns.float_regex != NULL);
    g_once_init_leave (&done, 1);
  }
  return &patterns;
}

static gint
word_index (const gchar * text, const gchar * const *words)
{
  gint i;

  for (i = 0; words[i] != NULL; i++)
    if (strcmp (text, words[i]) == 0)
      return i;
  return -1;
}

static JsonNode *
string_node (const gchar * text)
{
  return json_node_init_string (json_node_alloc (), text);
}

/* @text without '_', lowercased when @lower */
static gchar *
without_underscores (const gchar * text, gboolean lower)
{
  GString *out = g_string_sized_new (strlen (text));

  for (; *text != '\0'; text++)
    if (*text != '_')
      g_string_append_c (out, lower ? g_ascii_tolower (*text) : *text);
  return g_string_free (out, FALSE);
}

/* Reads "1:30:15" (each part after the first below 60) as 1*3600+30*60+15. */
static gdouble
base60_value (const gchar * digits)
{
  g_auto (GStrv) parts = g_strsplit (digits, ":", -1);
  gdouble value = 0;
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    value = value * 60 + g_ascii_strtod (parts[i], NULL);
  return value;
}

/* An int, or a double when it does not fit in 64 bits; NULL for the
 * prefixes without digits that PyYAML fails on too ("0x_"). @text matched
 * INT_PATTERN (or came with an explicit !!int tag). */
static JsonNode *
int_node (const gchar * text, GError ** error)
{
  g_autofree gchar *digits = without_underscores (text, FALSE);
  const gchar *p = digits;
  gboolean negative = FALSE;
  guint base = 10;
  guint64 magnitude;
  gdouble value;
  gchar *end = NULL;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  if (strchr (p, ':') != NULL) {
    value = base60_value (p);
    if (value < 9007199254740992.0)     /* 2^53: exact */
      return json_node_init_int (json_node_alloc (),
          (gint64) (negative ? -value : value));
    return json_node_init_double (json_node_alloc (),
        negative ? -value : value);
  }
  if (g_str_has_prefix (p, "0b"))
    base = 2, p += 2;
  else if (g_str_has_prefix (p, "0x"))
    base = 16, p += 2;
  else if (p[0] == '0' && p[1] != '\0')
    base = 8, p += 1;
  if (*p == '\0' || !g_ascii_isxdigit (*p)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "\"%s\" is not an int",
        text);
    return NULL;
  }
  errno = 0;
  magnitude = g_ascii_strtoull (p, &end, base);
  if (*end != '\0') {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "\"%s\" is not an int",
        text);
    return NULL;
  }
  if (errno == 0 && magnitude <= (guint64) G_MAXINT64)
    return json_node_init_int (json_node_alloc (),
        negative ? -(gint64) magnitude : (gint64) magnitude);
  if (errno == 0 && negative && magnitude == (guint64) G_MAXINT64 + 1)
    return json_node_init_int (json_node_alloc (), G_MININT64);
  /* past 64 bits: PyYAML keeps every digit, JSON here gets a double */
  if (base == 10) {
    value = g_ascii_strtod (p, NULL);
  } else {
    value = 0;
    for (; *p != '\0'; p++)
      value = value * base + g_ascii_xdigit_value (*p);
  }
  return json_node_init_double (json_node_alloc (), negative ? -value : value);
}

/* A double; infinity and NaN, which JSON cannot hold, keep their text.
 * An explicit !!float also takes "1e3" (Python's float() does). */
static JsonNode *
float_node (const gchar * text, GError ** error)
{
  g_autofree gchar *digits = without_underscores (text, TRUE);
  const gchar *p = digits;
  gboolean negative = FALSE;
  gdouble value;
  gchar *end = NULL;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  if (strcmp (p, ".inf") == 0 || strcmp (p, ".nan") == 0)
    return string_node (text);
  if (strchr (p, ':') != NULL
      && (g_regex_match (scalar_patterns ()->float_regex, text, 0, NULL)
          || g_regex_match (scalar_patterns ()->int_regex, text, 0, NULL))) {
    value = base60_value (p);
  } else {
    /* g_ascii_strtod also reads hex, "inf" and "nan", which YAML does not */
    value = g_ascii_strtod (p, &end);
    if (end == p || *end != '\0' || !g_ascii_isdigit (p[*p == '.'])
        || strchr (p, 'x') != NULL) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "\"%s\" is not a float", text);
      return NULL;
    }
  }
  if (!isfinite (value))
    return string_node (text);
  return json_node_init_double (json_node_alloc (), negative ? -value : value);
}

/* An untagged plain scalar: YAML 1.1 implicit types. */
static JsonNode *
plain_node (const gchar * text, GError ** error)
{
  const ScalarPatterns *patterns = scalar_patterns ();
  gint i;

  if (word_index (text, yaml_nulls) >= 0)
    return json_node_init_null (json_node_alloc ());
  i = word_index (text, yaml_bools);
  if (i >= 0)
    return json_node_init_boolean (json_node_alloc (),
        i < YAML_BOOL_TRUE_COUNT);
  if (strchr ("-+.0123456789", text[0]) == NULL)
    return string_node (text);
  if (g_regex_match (patterns->int_regex, text, 0, NULL))
    return int_node (text, error);
  if (g_regex_match (patterns->float_regex, text, 0, NULL))
    return float_node (text, error);
  return string_node (text);
}

static JsonNode *
tagged_node (const gchar * text, const gchar * tag, GError ** error)
{
  g_autofree gchar *lower = NULL;
  gint i;

  if (strcmp (tag, YAML_STR_TAG) == 0 || strcmp (tag, YAML_TIMESTAMP_TAG) == 0)
    return string_node (text);
  if (strcmp (tag, YAML_NULL_TAG) == 0)
    return json_node_init_null (json_node_alloc ());
  if (strcmp (tag, YAML_INT_TAG) == 0) {
    if (g_regex_match (scalar_patterns ()->int_regex, text, 0, NULL))
      return int_node (text, error);
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "\"%s\" is not an int",
        text);
    return NULL;
  }
  if (strcmp (tag, YAML_FLOAT_TAG) == 0)
    return float_node (text, error);
  if (strcmp (tag, YAML_BOOL_TAG) == 0) {
    /* an explicit !!bool takes any case */
    lower = g_ascii_strdown (text, -1);
    i = word_index (lower, yaml_bools);
    if (i >= 0)
      return json_node_init_boolean (json_node_alloc (),
          i < YAML_BOOL_TRUE_COUNT);
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "\"%s\" is not a bool",
        text);
    return NULL;
  }
  g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "unsupported tag %s", tag);
  return NULL;
}

typedef struct
{
  JsonNode *node;
  gsize cost;
  guint height;
} Anchored;

static void
anchored_free (gpointer data)
{
  Anchored *anchored = data;

  json_node_unref (anchored->node);
  g_free (anchored);
}

typedef struct
{
  yaml_parser_t parser;
  GHashTable *anchors;          /* name -> Anchored */
  /* what the nodes built so far hold (one per node plus the bytes of its
   * text); aliases add what they copy, within the budget */
  gsize cost;
  gsize budget;
} YamlReader;

static void
reader_fail (const yaml_mark_t * mark, GError ** error,
    const gchar * format, ...)
G_GNUC_PRINTF (3, 4);

/* "settings YAML line L: <what>" */
     static void
         reader_fail (const yaml_mark_t * mark, GError ** error,
    const gchar * format, ...)
{
  g_autofree gchar *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "settings YAML line %zu: %s",
      mark->line + 1, what);
}

static gboolean
reader_next (YamlReader * r, yaml_event_t * event, GError ** error)
{
  const yaml_parser_t *p = &r->parser;

  if (yaml_parser_parse (&r->parser, event))
    return TRUE;
  if (p->error == YAML_MEMORY_ERROR || p->problem == NULL)
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "settings YAML could not be read");
  else if (p->error == YAML_READER_ERROR)
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "settings YAML byte %zu: %s", p->problem_offset, p->problem);
  else if (p->context != NULL)
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "settings YAML line %zu column %zu: %s (%s at line %zu column %zu)",
        p->problem_mark.line + 1, p->problem_mark.column + 1, p->problem,
        p->context, p->context_mark.line + 1, p->context_mark.column + 1);
  else
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "settings YAML line %zu column %zu: %s", p->problem_mark.line + 1,
        p->problem_mark.column + 1, p->problem);
  return FALSE;
}

/* A copy that shares nothing with @node (depth bounded by the reader). */
static JsonNode *
deep_copy (JsonNode * node)
{
  JsonNode *copy;

  if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *array = json_node_get_array (node);
    JsonArray *out = json_array_sized_new (json_array_get_length (array));
    guint i;

    for (i = 0; i < json_array_get_length (array); i++)
      json_array_add_element (out,
          deep_copy (json_array_get_element (array, i)));
    copy = json_node_alloc ();
    json_node_init_array (copy, out);
    json_array_unref (out);
    return copy;
  }
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *out = json_object_new ();
    JsonObjectIter iter;
    const gchar *name;
    JsonNode *member;

    json_object_iter_init_ordered (&iter, json_node_get_object (node));
    while (json_object_iter_next_ordered (&iter, &name, &member))
      json_object_set_member (out, name, deep_copy (member));
    copy = json_node_alloc ();
    json_node_init_object (copy, out);
    json_object_unref (out);
    return copy;
  }
  return json_node_copy (node);
}

static gboolean
check_depth (YamlReader * r, const yaml_event_t * event, guint depth,
    GError ** error)
{
  if (depth <= SLY_SETTINGS_MAX_DEPTH)
    return TRUE;
  reader_fail (&event->start_mark, error,
      "the settings nest deeper than %d levels", SLY_SETTINGS_MAX_DEPTH);
  return FALSE;
}

static gboolean
charge (YamlReader * r, const yaml_event_t * event, gsize cost, GError ** error)
{
  r->cost += cost;
  if (r->cost <= r->budget)
    return TRUE;
  reader_fail (&event->start_mark, error,
      "aliases expand the settings past %zu bytes", r->budget);
  return FALSE;
}

static JsonNode *read_node (YamlReader * r, yaml_event_t * event,
    guint depth, guint * height, GError ** error);

static JsonNode *
read_scalar (YamlReader * r, const yaml_event_t * event, GError ** error)
{
  const gchar *text = (const gchar *) event->data.scalar.value;
  const gchar *tag = (const gchar *) event->data.scalar.tag;
  g_autoptr (GError) local = NULL;
  JsonNode *node;

  if (!charge (r, event, 1 + event->data.scalar.length, error))
    return NULL;
  if (strlen (text) != event->data.scalar.length) {
    reader_fail (&event->start_mark, error, "a string holds a NUL character");
    return NULL;
  }
  if (tag != NULL && strcmp (tag, "!") != 0)
    node = tagged_node (text, tag, &local);
  else if (event->data.scalar.plain_implicit)
    node = plain_node (text, &local);   /* "!" asks for this too, as PyYAML */
  else
    node = string_node (text);
  if (node == NULL)
    reader_fail (&event->start_mark, error, "%s", local->message);
  return node;
}

static JsonNode *
read_alias (YamlReader * r, const yaml_event_t * event, guint depth,
    guint * height, GError ** error)
{
  const gchar *name = (const gchar *) event->data.alias.anchor;
  Anchored *anchored = g_hash_table_lookup (r->anchors, name);

  if (anchored == NULL) {
    reader_fail (&event->start_mark, error,
        "alias *%s names no anchor before it", name);
    return NULL;
  }
  if (!check_depth (r, event, depth + anchored->height - 1, error)
      || !charge (r, event, anchored->cost, error))
    return NULL;
  *height = anchored->height;
  return deep_copy (anchored->node);
}

static JsonNode *
read_sequence (YamlReader * r, guint depth, guint * height, GError ** error)
{
  g_autoptr (JsonArray) array = json_array_new ();
  yaml_event_t event;

  *height = 1;
  for (;;) {
    JsonNode *item;
    guint item_height = 0;

    if (!reader_next (r, &event, error))
      return NULL;
    if (event.type == YAML_SEQUENCE_END_EVENT) {
      yaml_event_delete (&event);
      break;
    }
    item = read_node (r, &event, depth + 1, &item_height, error);
    if (item == NULL)
      return NULL;
    json_array_add_element (array, item);
    *height = MAX (*height, item_height + 1);
  }
  return json_node_init_array (json_node_alloc (), array);
}

/* The JSON member name for a key: strings as they are, other scalars as
 * json.dumps writes them ("1", "2.5", "true", "null"). */
static gchar *
key_text (const yaml_mark_t * mark, JsonNode * key, GError ** error)
{
  if (JSON_NODE_HOLDS_NULL (key))
    return g_strdup ("null");
  if (!JSON_NODE_HOLDS_VALUE (key)) {
    reader_fail (mark, error, "a mapping key is not a scalar");
    return NULL;
  }
  if (json_node_get_value_type (key) == G_TYPE_STRING)
    return json_node_dup_string (key);
  return sly_json_to_string (key);
}

/* PyYAML's order for "<<": the value's mappings, a list's first one last
 * so that it wins; the mapping's own keys win over all of them. */
static gboolean
add_merge (const yaml_mark_t * mark, JsonNode * value, GPtrArray * merges,
    GError ** error)
{
  if (JSON_NODE_HOLDS_OBJECT (value)) {
    g_ptr_array_add (merges, json_object_ref (json_node_get_object (value)));
    return TRUE;
  }
  if (JSON_NODE_HOLDS_ARRAY (value)) {
    JsonArray *array = json_node_get_array (value);
    guint n = json_array_get_length (array);

    for (guint i = 0; i < n; i++)
      if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i))) {
        reader_fail (mark, error, "a merge (<<) list holds a non-mapping");
        return FALSE;
      }
    for (guint i = n; i > 0; i--)
      g_ptr_array_add (merges,
          json_object_ref (json_array_get_object_element (array, i - 1)));
    return TRUE;
  }
  reader_fail (mark, error,
      "a merge (<<) takes a mapping or a list of mappings");
  return FALSE;
}

static void
copy_members (JsonObject * to, JsonObject * from)
{
  JsonObjectIter iter;
  const gchar *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, from);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    json_object_set_member (to, name, json_node_copy (member));
}

static gboolean
is_merge_key (const yaml_event_t * event)
{
  return event->type == YAML_SCALAR_EVENT && event->data.scalar.tag == NULL
      && event->data.scalar.plain_implicit
      && strcmp ((const gchar *) event->data.scalar.value, "<<") == 0;
}

static JsonNode *
read_mapping (YamlReader * r, guint depth, guint * height, GError ** error)
{
  g_autoptr (JsonObject) own = json_object_new ();
  g_autoptr (GPtrArray) merges =
      g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  JsonObject *result;
  JsonNode *node;
  yaml_event_t event;

  *height = 1;
  for (;;) {
    g_autoptr (JsonNode) key = NULL;
    g_autofree gchar *name = NULL;
    JsonNode *value;
    gboolean merge;
    guint key_height = 0, value_height = 0;
    yaml_mark_t key_mark;

    if (!reader_next (r, &event, error))
      return NULL;
    if (event.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete (&event);
      break;
    }
    merge = is_merge_key (&event);
    key_mark = event.start_mark;
    key = read_node (r, &event, depth + 1, &key_height, error);
    if (key == NULL)
      return NULL;
    if (!merge && (name = key_text (&key_mark, key, error)) == NULL)
      return NULL;
    if (!reader_next (r, &event, error))
      return NULL;
    value = read_node (r, &event, depth + 1, &value_height, error);
    if (value == NULL)
      return NULL;
    *height = MAX (*height, value_height + 1);
    if (merge) {
      gboolean ok = add_merge (&key_mark, value, merges, error);

      json_node_unref (value);
      if (!ok)
        return NULL;
    } else {
      json_object_set_member (own, name, value);
    }
  }
  if (merges->len == 0)
    return json_node_init_object (json_node_alloc (), own);

  result = json_object_new ();
  for (guint i = 0; i < merges->len; i++)
    copy_members (result, g_ptr_array_index (merges, i));
  copy_members (result, own);
  node = json_node_init_object (json_node_alloc (), result);
  json_object_unref (result);
  return node;
}

static gboolean
collection_ok (YamlReader * r, const yaml_event_t * event, const gchar * tag,
    const gchar * own_tag, guint depth, GError ** error)
{
  if (!check_depth (r, event, depth, error) || !charge (r, event, 1, error))
    return FALSE;
  if (tag == NULL || strcmp (tag, "!") == 0 || strcmp (tag, own_tag) == 0)
    return TRUE;
  reader_fail (&event->start_mark, error, "unsupported tag %s", tag);
  return FALSE;
}

/* The node that starts with @event (which it frees), at nesting level
 * @depth; *@height is how many levels it spans. */
static JsonNode *
read_node (YamlReader * r, yaml_event_t * event, guint depth, guint * height,
    GError ** error)
{
  yaml_event_type_t type = event->type;
  g_autofree gchar *anchor = NULL;
  gsize cost_before = r->cost;
  JsonNode *node = NULL;
  gboolean open = FALSE;        /* a collection starts */

  *height = 1;
  switch (type) {
    case YAML_ALIAS_EVENT:
      node = read_alias (r, event, depth, height, error);
      break;
    case YAML_SCALAR_EVENT:
      anchor = g_strdup ((const gchar *) event->data.scalar.anchor);
      node = read_scalar (r, event, error);
      break;
    case YAML_SEQUENCE_START_EVENT:
      anchor = g_strdup ((const gchar *) event->data.sequence_start.anchor);
      open = collection_ok (r, event,
          (const gchar *) event->data.sequence_start.tag, YAML_SEQ_TAG, depth,
          error);
      break;
    case YAML_MAPPING_START_EVENT:
      anchor = g_strdup ((const gchar *) event->data.mapping_start.anchor);
      open = collection_ok (r, event,
          (const gchar *) event->data.mapping_start.tag, YAML_MAP_TAG, depth,
          error);
      break;
    default:
      reader_fail (&event->start_mark, error, "unexpected YAML structure");
      break;
  }
  yaml_event_delete (event);
  if (open && type == YAML_SEQUENCE_START_EVENT)
    node = read_sequence (r, depth, height, error);
  else if (open)
    node = read_mapping (r, depth, height, error);

  if (node != NULL && anchor != NULL) {
    Anchored *anchored = g_new (Anchored, 1);

    anchored->node = json_node_ref (node);
    anchored->cost = r->cost - cost_before;
    anchored->height = *height;
    /* a later anchor of the same name hides the earlier one */
    g_hash_table_replace (r->anchors, g_steal_pointer (&anchor), anchored);
  }
  return node;
}

JsonObject *
sly_settings_parse_yaml (const gchar * text, GError ** error)
{
  YamlReader r = { 0 };
  g_autoptr (JsonNode) root = NULL;
  JsonObject *result = NULL;
  yaml_event_t event;
  gsize length;
  guint height = 0;

  g_return_val_if_fail (text != NULL, NULL);

  length = strlen (text);
  if (!yaml_parser_initialize (&r.parser)) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "settings YAML could not be read");
    return NULL;
  }
  yaml_parser_set_input_string (&r.parser, (const guchar *) text, length);
  r.anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      anchored_free);
  r.budget = 4 * length + 65536;

  /* stream start, then one document or none */
  if (!reader_next (&r, &event, error))
    goto out;
  yaml_event_delete (&event);
  if (!reader_next (&r, &event, error))
    goto out;
  if (event.type == YAML_STREAM_END_EVENT) {
    yaml_event_delete (&event);
    result = json_object_new ();
    goto out;
  }
  yaml_event_delete (&event);   /* document start */
  if (!reader_next (&r, &event, error))
    goto out;
  root = read_node (&r, &event, 1, &height, error);
  if (root == NULL)
    goto out;
  if (!reader_next (&r, &event, error)) /* document end */
    goto out;
  yaml_event_delete (&event);
  if (!reader_next (&r, &event, error))
    goto out;
  if (event.type != YAML_STREAM_END_EVENT) {
    reader_fail (&event.start_mark, error,
        "a second document starts: settings are one mapping");
    yaml_event_delete (&event);
    goto out;
  }
  yaml_event_delete (&event);

  if (JSON_NODE_HOLDS_OBJECT (root))
    result = json_object_ref (json_node_get_object (root));
  else if (JSON_NODE_HOLDS_NULL (root))
    result = json_object_new ();
  else
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "settings YAML is not a mapping");

out:
  g_hash_table_unref (r.anchors);
  yaml_parser_delete (&r.parser);
  return result;
}

JsonObject *
sly_settings_to_object (JsonNode * settings, GError ** error)
{
  g_return_val_if_fail (settings != NULL, NULL);

  if (JSON_NODE_HOLDS_OBJECT (settings))
    return json_object_ref (json_node_get_object (settings));
  if (JSON_NODE_HOLDS_NULL (settings))
    return json_object_new ();
  if (JSON_NODE_HOLDS_VALUE (settings)
      && json_node_get_value_type (settings) == G_TYPE_STRING)
    return sly_settings_parse_yaml (json_node_get_string (settings), error);
  g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
      "settings are neither an object nor a YAML string");
  return NULL;
}
