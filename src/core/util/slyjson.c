/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>

#include "slyjson.h"
#include "slyerror.h"

static gboolean
depth_ok (const gchar * data, gsize length)
{
  gboolean in_string = FALSE, escaped = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++) {
    gchar c = data[i];

    if (in_string) {
      if (escaped)
        escaped = FALSE;
      else if (c == '\\')
        escaped = TRUE;
      else if (c == '"')
        in_string = FALSE;
    } else if (c == '"') {
      in_string = TRUE;
    } else if (c == '[' || c == '{') {
      if (++depth > SLY_JSON_MAX_DEPTH)
        return FALSE;
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return TRUE;
}

/* json-glib reads an overflowing number as infinity without complaint and
 * writes infinity, or a large double whose shortest form has no '.', as
 * "inf.0" / "1e+308.0", which is not JSON. No value of the protocol comes
 * near SLY_JSON_MAX_NUMBER, so such numbers are refused on the way in and
 * everything we write back parses again. Recursion is bounded by the depth
 * check done before parsing. */
#define SLY_JSON_MAX_NUMBER 1e15

static gboolean
numbers_ok (JsonNode * node)
{
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE) {
        gdouble d = json_node_get_double (node);

        return isfinite (d) && fabs (d) < SLY_JSON_MAX_NUMBER;
      }
      return TRUE;
    case JSON_NODE_ARRAY:{
      JsonArray *array = json_node_get_array (node);
      guint i, n = json_array_get_length (array);

      for (i = 0; i < n; i++)
        if (!numbers_ok (json_array_get_element (array, i)))
          return FALSE;
      return TRUE;
    }
    case JSON_NODE_OBJECT:{
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        if (!numbers_ok (member))
          return FALSE;
      return TRUE;
    }
    default:
      return TRUE;
  }
}

JsonNode *
sly_json_parse (const gchar * data, gssize length, const gchar * what,
    GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) json_error = NULL;
  JsonNode *root;

  if (data == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "%s: no data", what);
    return NULL;
  }
  if (length < 0)
    length = strlen (data);
  if (!depth_ok (data, length)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s nests deeper than %d levels", what, SLY_JSON_MAX_DEPTH);
    return NULL;
  }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, &json_error)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s is not valid JSON: %s", what, json_error->message);
    return NULL;
  }
  root = json_parser_get_root (parser);
  if (root != NULL && !numbers_ok (root)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s holds a number that is not finite or beyond %g", what,
        SLY_JSON_MAX_NUMBER);
    return NULL;
  }
  return root ? json_node_ref (root) : json_node_new (JSON_NODE_NULL);
}
