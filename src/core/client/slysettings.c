/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inference settings (protocol.md section 4) and the app defaults that some
 * serving apps return as a YAML document in one string (3.3).
 */
#include "slyclient.h"
#include "slyerror.h"
#include "slyjson.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct _SlyInferenceSettings
{
  gdouble conf;                 /* < 0: not sent */
  gchar **classes;              /* NULL: not sent */
  gint img_size;                /* 0: not sent */
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

/* ---- YAML subset: top-level "key: scalar" lines ---- */

static gboolean
parse_number (const gchar * text, JsonNode * node)
{
  gchar *end = NULL;
  gint64 i;
  gdouble d;

  errno = 0;
  i = g_ascii_strtoll (text, &end, 10);
  if (end != text && *end == '\0' && errno == 0) {
    json_node_set_int (node, i);
    return TRUE;
  }
  if (g_ascii_strcasecmp (text, ".inf") == 0
      || g_ascii_strcasecmp (text, "+.inf") == 0
      || g_ascii_strcasecmp (text, "-.inf") == 0
      || g_ascii_strcasecmp (text, ".nan") == 0)
    return FALSE;               /* JSON cannot hold them: keep the text */
  errno = 0;
  d = g_ascii_strtod (text, &end);
  /* strtod also reads "inf", "nan" and hex, which YAML does not */
  if (end != text && *end == '\0' && errno == 0 && strpbrk (text, "nNxX") ==
      NULL && strpbrk (text, "0123456789") != NULL) {
    json_node_set_double (node, d);
    return TRUE;
  }
  return FALSE;
}

static const gchar *const yaml_true[] = { "true", "yes", "on", NULL };
static const gchar *const yaml_false[] = { "false", "no", "off", NULL };

static gboolean
in_list (const gchar * text, const gchar * const *list)
{
  for (; *list != NULL; list++)
    if (g_ascii_strcasecmp (text, *list) == 0)
      return TRUE;
  return FALSE;
}

/* Text of a quoted scalar (quotes included in @text), or NULL when the
 * quote is not closed at the end. */
static gchar *
unquote (const gchar * text)
{
  gsize len = strlen (text);
  GString *out;
  const gchar *p;

  if (len < 2 || text[len - 1] != text[0])
    return NULL;
  out = g_string_new (NULL);
  for (p = text + 1; p < text + len - 1; p++) {
    if (text[0] == '\'' && p[0] == '\'' && p[1] == '\'')
      p++;                      /* '' inside single quotes */
    else if (text[0] == '"' && p[0] == '\\' && p + 1 < text + len - 1) {
      p++;
      if (*p == 'n')
        g_string_append_c (out, '\n');
      else if (*p == 't')
        g_string_append_c (out, '\t');
      else
        g_string_append_c (out, *p);
      continue;
    }
    g_string_append_c (out, *p);
  }
  return g_string_free (out, FALSE);
}

/* Drops a " #" comment outside quotes. */
static void
strip_comment (gchar * text)
{
  gchar quote = 0;
  gchar *p;

  for (p = text; *p != '\0'; p++) {
    if (quote != 0) {
      if (*p == quote)
        quote = 0;
    } else if (*p == '"' || *p == '\'') {
      quote = *p;
    } else if (*p == '#' && (p == text || g_ascii_isspace (p[-1]))) {
      *p = '\0';
      break;
    }
  }
  g_strstrip (text);
}

static JsonNode *parse_scalar (const gchar * text, GError ** error);

/* "[a, 1, 'b']": a flow sequence of scalars (no nesting). */
static JsonNode *
parse_flow_list (const gchar * text, GError ** error)
{
  g_autofree gchar *inner = g_strndup (text + 1, strlen (text) - 2);
  g_auto (GStrv) items = NULL;
  JsonArray *array = json_array_new ();
  JsonNode *node;
  guint i;

  if (strpbrk (inner, "[]{}") != NULL) {
    json_array_unref (array);
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "nested collections are not supported: %s", text);
    return NULL;
  }
  g_strstrip (inner);
  items = inner[0] ? g_strsplit (inner, ",", -1) : g_new0 (gchar *, 1);
  for (i = 0; items[i] != NULL; i++) {
    JsonNode *item = parse_scalar (g_strstrip (items[i]), error);

    if (item == NULL) {
      json_array_unref (array);
      return NULL;
    }
    json_array_add_element (array, item);
  }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
parse_scalar (const gchar * text, GError ** error)
{
  JsonNode *node;
  gchar *unquoted;

  if (text[0] == '\0' || strcmp (text, "~") == 0
      || g_ascii_strcasecmp (text, "null") == 0)
    return json_node_new (JSON_NODE_NULL);
  if (text[0] == '[' && text[strlen (text) - 1] == ']')
    return parse_flow_list (text, error);
  if (text[0] == '{') {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "flow mappings are not supported: %s", text);
    return NULL;
  }
  node = json_node_new (JSON_NODE_VALUE);
  if (text[0] == '"' || text[0] == '\'') {
    unquoted = unquote (text);
    if (unquoted == NULL) {
      json_node_free (node);
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "unterminated quoted string: %s", text);
      return NULL;
    }
    json_node_set_string (node, unquoted);
    g_free (unquoted);
  } else if (in_list (text, yaml_true)) {
    json_node_set_boolean (node, TRUE);
  } else if (in_list (text, yaml_false)) {
    json_node_set_boolean (node, FALSE);
  } else if (!parse_number (text, node)) {
    json_node_set_string (node, text);
  }
  return node;
}

/* One top-level line; *nested is set for "key:" with nothing after it,
 * whose indented block is skipped by the caller. */
static gboolean
parse_line (JsonObject * obj, gchar * line, guint lineno, gboolean * nested,
    GError ** error)
{
  g_autoptr (GError) local = NULL;
  g_autofree gchar *quoted_key = NULL;
  gchar *colon = strstr (line, ": ");
  gchar *key, *value;
  JsonNode *node;

  if (colon == NULL && g_str_has_suffix (line, ":"))
    colon = line + strlen (line) - 1;
  if (colon == NULL || colon == line) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "settings line %u is not \"key: value\"", lineno);
    return FALSE;
  }
  *colon = '\0';
  key = g_strstrip (line);
  value = g_strstrip (colon + 1);
  if (key[0] == '"' || key[0] == '\'')
    quoted_key = unquote (key);
  if (quoted_key != NULL)
    key = quoted_key;
  *nested = value[0] == '\0';
  if (*nested)
    return TRUE;                /* a block mapping or list: not supported */
  node = parse_scalar (value, &local);
  if (node == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "settings line %u: %s", lineno, local->message);
    return FALSE;
  }
  json_object_set_member (obj, key, node);
  return TRUE;
}

JsonObject *
sly_settings_parse_yaml (const gchar * text, GError ** error)
{
  g_autoptr (JsonObject) obj = json_object_new ();
  g_auto (GStrv) lines = NULL;
  gboolean nested = FALSE;
  guint i;

  g_return_val_if_fail (text != NULL, NULL);

  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++) {
    gchar *line = lines[i];
    gboolean indented = line[0] == ' ' || line[0] == '\t';

    strip_comment (line);
    if (line[0] == '\0' || strcmp (line, "---") == 0
        || strcmp (line, "...") == 0)
      continue;
    if (indented) {
      if (nested)
        continue;
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "settings line %u is indented but follows no block key", i + 1);
      return NULL;
    }
    if (line[0] == '-') {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "settings line %u: a top-level list is not a settings mapping",
          i + 1);
      return NULL;
    }
    if (!parse_line (obj, line, i + 1, &nested, error))
      return NULL;
  }
  return g_steal_pointer (&obj);
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
