/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Error texts of protocol.md 2.2. Servers answer errors in several shapes
 * (FastAPI's HTTPException, the older validation-error list, a bare JSON
 * string, plain text in development mode); the caller gets one sentence.
 */
#include "slyerrors.h"
#include "slyjson.h"
#include "slyerror.h"
#include "slyredact.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

/* A string member of @obj, or NULL when absent or of another type. */
static const gchar *
get_string_member (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* "detail" of a FastAPI error: a string, an object with "message", or a
 * list of validation errors whose first one has "msg". */
static const gchar *
text_from_detail (JsonNode * detail)
{
  if (detail == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (detail)
      && json_node_get_value_type (detail) == G_TYPE_STRING)
    return json_node_get_string (detail);
  if (JSON_NODE_HOLDS_OBJECT (detail))
    return get_string_member (json_node_get_object (detail), "message");
  if (JSON_NODE_HOLDS_ARRAY (detail)) {
    JsonArray *list = json_node_get_array (detail);
    JsonNode *first;

    if (json_array_get_length (list) == 0)
      return NULL;
    first = json_array_get_element (list, 0);
    if (JSON_NODE_HOLDS_OBJECT (first))
      return get_string_member (json_node_get_object (first), "msg");
  }
  return NULL;
}

static const gchar *
text_from_json (JsonNode * root)
{
  JsonObject *obj;
  const gchar *text;

  if (JSON_NODE_HOLDS_VALUE (root)
      && json_node_get_value_type (root) == G_TYPE_STRING)
    return json_node_get_string (root);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  text = get_string_member (obj, "message");
  if (text == NULL)
    text = text_from_detail (json_object_get_member (obj, "detail"));
  return text;
}

/* Valid UTF-8 without control characters (made spaces), stripped. */
static gchar *
clean (const gchar * text, gssize length)
{
  g_autofree gchar *valid = g_utf8_make_valid (text, length);
  GString *out = g_string_sized_new (strlen (valid));
  const gchar *p;

  for (p = valid; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);

    if (g_unichar_iscntrl (c))
      g_string_append_c (out, ' ');
    else
      g_string_append_unichar (out, c);
  }
  g_strstrip (out->str);
  out->len = strlen (out->str);
  return g_string_free (out, FALSE);
}

/* At most SLY_ERROR_TEXT_MAX bytes, cut at a character boundary. Runs last,
 * after redaction: a secret cut in two would no longer be found whole. */
static gchar *
trim (gchar * text)
{
  const gchar *p;
  gsize keep;

  if (strlen (text) <= SLY_ERROR_TEXT_MAX)
    return text;
  for (p = text; (gsize) (g_utf8_next_char (p) - text) + 3 <=
      SLY_ERROR_TEXT_MAX; p = g_utf8_next_char (p));
  keep = p - text;
  while (keep > 0 && text[keep - 1] == ' ')
    keep--;
  memcpy (text + keep, "...", 4);
  return text;
}

/* Cleaned and redacted, then cut. Only the start of a long text is
 * cleaned, unless redaction shrank it so much that the cut could reach the
 * end of that start, where a secret may have been cut in two. */
static gchar *
text_redacted (const gchar * text, gsize length, const gchar * const *secrets)
{
  gsize longest = 0, take = MIN (length, 16 * SLY_ERROR_TEXT_MAX);
  const gchar *const *s;

  for (s = secrets; s != NULL && *s != NULL; s++)
    longest = MAX (longest, strlen (*s));
  for (;;) {
    g_autofree gchar *cleaned = clean (text, take);
    gchar *result = sly_redact_text (cleaned, secrets);

    if (take == length || strlen (result) >= SLY_ERROR_TEXT_MAX + longest)
      return trim (result);
    g_free (result);
    take = length;
  }
}

gchar *
sly_error_text_from_body_redacted (const gchar * body, gsize length,
    guint status, const gchar * const *secrets)
{
  g_autoptr (JsonNode) root = NULL;
  const gchar *text = NULL;

  if (body != NULL && length > 0) {
    gchar *result;

    root = sly_json_parse (body, length, "error body", NULL);
    if (root != NULL)
      text = text_from_json (root);
    result = text ? text_redacted (text, strlen (text), secrets) :
        text_redacted (body, length, secrets);
    if (result[0] != '\0')
      return result;
    g_free (result);
  }
  if (status == 0)
    return g_strdup ("empty answer");
  return g_strdup_printf ("HTTP %u %s", status, soup_status_get_phrase (status)
      ? soup_status_get_phrase (status) : "");
}

gchar *
sly_error_text_from_body (const gchar * body, gsize length, guint status)
{
  return sly_error_text_from_body_redacted (body, length, status, NULL);
}

GError *
sly_http_error_new_from_body_redacted (guint status, const gchar * body,
    gsize length, const gchar * const *secrets)
{
  g_autofree gchar *text = sly_error_text_from_body_redacted (body, length,
      status, secrets);

  return g_error_new_literal (SLY_HTTP_ERROR, status, text);
}

GError *
sly_http_error_new_from_body (guint status, const gchar * body, gsize length)
{
  return sly_http_error_new_from_body_redacted (status, body, length, NULL);
}
