/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
  return root ? json_node_ref (root) : json_node_new (JSON_NODE_NULL);
}
