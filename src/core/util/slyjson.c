/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>

#include "slyjson.h"
#include "slyerror.h"

/* Follows JSON string syntax one character at a time: TRUE while @c is
 * part of a string literal (its quotes included). */
typedef struct
{
  gboolean in_string;
  gboolean escaped;
} StringScan;

static gboolean
string_scan_step (StringScan * scan, gchar c)
{
  if (scan->in_string) {
    if (scan->escaped)
      scan->escaped = FALSE;
    else if (c == '\\')
      scan->escaped = TRUE;
    else if (c == '"')
      scan->in_string = FALSE;
    return TRUE;
  }
  if (c == '"') {
    scan->in_string = TRUE;
    return TRUE;
  }
  return FALSE;
}

static gboolean
depth_ok (const gchar * data, gsize length)
{
  StringScan scan = { FALSE, FALSE };
  guint depth = 0;

  for (gsize i = 0; i < length; i++) {
    gchar c = data[i];

    if (string_scan_step (&scan, c))
      continue;
    if (c == '[' || c == '{') {
      if (++depth > SLY_JSON_MAX_DEPTH)
        return FALSE;
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return TRUE;
}

/* json-glib reads an overflowing number (1e3080) as infinity without
 * complaint, and infinity cannot be written as JSON: such numbers are refused
 * on the way in. Recursion is bounded by the depth check done before
 * parsing. */
static gboolean
numbers_ok (JsonNode * node)
{
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE) {
        gdouble d = json_node_get_double (node);

        return isfinite (d);
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
        "%s holds a number that is not finite", what);
    return NULL;
  }
  return root ? json_node_ref (root) : json_node_new (JSON_NODE_NULL);
}

/* json-glib 1.6 appends ".0" to every double whose printed form has no '.',
 * exponent forms included: 1e+308 becomes "1e+308.0" and 1e-41 "1e-41.0",
 * which are not JSON. Drops ".0" right after an exponent's digits, outside
 * strings, in place. */
static void
repair_exponents (gchar * text)
{
  StringScan scan = { FALSE, FALSE };
  gchar *r = text, *w = text;

  while (*r != '\0') {
    gchar c = *r;

    if (!string_scan_step (&scan, c) && (c == 'e' || c == 'E')
        && r > text && g_ascii_isdigit (r[-1])) {
      gchar *p = r + 1;

      if (*p == '+' || *p == '-')
        p++;
      while (g_ascii_isdigit (*p))
        p++;
      if (p[0] == '.' && p[1] == '0' && !g_ascii_isdigit (p[2])) {
        memmove (w, r, p - r);
        w += p - r;
        r = p + 2;
        continue;
      }
    }
    *w++ = *r++;
  }
  *w = '\0';
}

gchar *
sly_json_to_string (JsonNode * node)
{
  gchar *text = json_to_string (node, FALSE);

  repair_exponents (text);
  return text;
}
