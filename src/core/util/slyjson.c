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

/* The shortest text that g_ascii_strtod() reads back as @d, locale-free,
 * appended to @out. Any decimal of at most 15 significant digits (DBL_DIG)
 * survives a trip through a normal double, so when the 15-digit form does
 * not read back, no shorter one does either, and 16 then 17 digits are
 * tried; subnormals hold fewer digits and are tried from 1 up. A form with
 * neither '.' nor exponent gets ".0", so that it still reads as a double. */
static void
append_shortest_double (GString * out, gdouble d)
{
  gchar text[G_ASCII_DTOSTR_BUF_SIZE];
  gchar format[8];
  gint digits;

  for (digits = fpclassify (d) == FP_SUBNORMAL ? 1 : 15; digits <= 17; digits++) {
    g_snprintf (format, sizeof format, "%%.%dg", digits);
    g_ascii_formatd (text, sizeof text, format, d);
    if (g_ascii_strtod (text, NULL) == d)
      break;
  }
  g_string_append (out, text);
  if (strpbrk (text, ".e") == NULL)
    g_string_append (out, ".0");
}

/* json-glib 1.6 writes each double with 17 significant digits (0.7564 as
 * 0.75639999999999996) and appends ".0" to any that has no '.', exponent
 * forms included (1e+308 as "1e+308.0", which is not JSON). Every number
 * it wrote as a double (with a '.' or an exponent) is read back, exactly,
 * from its 17 digits and written again in its shortest form; ints and
 * strings stay as they are. */
static gchar *
rewrite_doubles (const gchar * text)
{
  GString *out = g_string_sized_new (strlen (text));
  StringScan scan = { FALSE, FALSE };
  const gchar *p = text;

  while (*p != '\0') {
    if (!string_scan_step (&scan, *p) && (*p == '-' || g_ascii_isdigit (*p))) {
      const gchar *start = p;
      gboolean is_double = FALSE;

      for (; *p != '\0' && strchr ("+-.0123456789eE", *p) != NULL; p++)
        if (*p == '.' || *p == 'e' || *p == 'E')
          is_double = TRUE;
      if (is_double)
        append_shortest_double (out, g_ascii_strtod (start, NULL));
      else
        g_string_append_len (out, start, p - start);
      continue;
    }
    g_string_append_c (out, *p++);
  }
  return g_string_free (out, FALSE);
}

gchar *
sly_json_to_string (JsonNode * node)
{
  g_autofree gchar *text = json_to_string (node, FALSE);

  return rewrite_doubles (text);
}

JsonNode *
sly_json_node_copy_deep (JsonNode * node)
{
  JsonNode *copy;

  g_return_val_if_fail (node != NULL, NULL);

  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:{
      JsonObject *src = json_node_get_object (node);
      JsonObject *dst = json_object_new ();
      GList *names = json_object_get_members (src), *l;

      for (l = names; l != NULL; l = l->next)
        json_object_set_member (dst, l->data,
            sly_json_node_copy_deep (json_object_get_member (src, l->data)));
      g_list_free (names);
      copy = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (copy, dst);
      return copy;
    }
    case JSON_NODE_ARRAY:{
      JsonArray *src = json_node_get_array (node);
      JsonArray *dst = json_array_sized_new (json_array_get_length (src));

      for (guint i = 0; i < json_array_get_length (src); i++)
        json_array_add_element (dst,
            sly_json_node_copy_deep (json_array_get_element (src, i)));
      copy = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (copy, dst);
      return copy;
    }
    case JSON_NODE_VALUE:
      copy = json_node_new (JSON_NODE_VALUE);
      switch (json_node_get_value_type (node)) {
        case G_TYPE_INT64:
          json_node_set_int (copy, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          json_node_set_double (copy, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          json_node_set_boolean (copy, json_node_get_boolean (node));
          break;
        default:
          json_node_set_string (copy, json_node_get_string (node));
          break;
      }
      return copy;
    default:
      return json_node_new (JSON_NODE_NULL);
  }
}
