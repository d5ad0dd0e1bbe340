/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Request bodies of sly-model-server: the JSON envelope (protocol.md 2.1)
 * and the multipart form of the upload endpoints (3.12). The messages are
 * those of the reference server's 400 answers.
 */
#include "slyrequest.h"

#include <string.h>

#include "slyerror.h"
#include "slyjson.h"

JsonNode *
sly_srv_json_parse (const gchar * data, gsize len, GError ** error)
{
  g_autoptr (JsonNode) root = NULL;

  /* depth-checked: a deeply nested body must not overflow the stack */
  root = sly_json_parse (data, len, "request body", error);
  if (root == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_NULL (root) && len == 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "empty document");
    return NULL;
  }
  return g_steal_pointer (&root);
}

void
sly_upload_free (gpointer upload)
{
  SlyUpload *up = upload;

  g_free (up->filename);
  g_free (up->content_type);
  g_bytes_unref (up->data);
  g_free (up);
}

void
sly_request_body_clear (SlyRequestBody * body)
{
  g_clear_pointer (&body->state, json_object_unref);
  g_clear_pointer (&body->files, g_ptr_array_unref);
}

static void
set_state (SlyRequestBody * out, JsonObject * state)
{
  json_object_unref (out->state);
  out->state = json_object_ref (state);
}

/* The state of a JSON request: body.state; missing or null = {}. */
static gboolean
parse_envelope (SlyRequestBody * out, GBytes * body, GError ** error)
{
  gsize len;
  const gchar *data = g_bytes_get_data (body, &len);
  g_autoptr (GError) json_error = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonNode *state;

  if (len == 0)
    return TRUE;
  root = sly_srv_json_parse (data, len, &json_error);
  if (root == NULL) {
    g_set_error (error, SLY_HTTP_ERROR, 400,
        "Cannot decode request body: %s", json_error->message);
    return FALSE;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, SLY_HTTP_ERROR, 400,
        "Request body is not a JSON object");
    return FALSE;
  }
  /* NULL when missing: only the typed getters warn */
  state = json_object_get_member (json_node_get_object (root), "state");
  if (state == NULL || JSON_NODE_HOLDS_NULL (state))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (state)) {
    g_set_error_literal (error, SLY_HTTP_ERROR, 400,
        "state is not a JSON object");
    return FALSE;
  }
  set_state (out, json_node_get_object (state));
  return TRUE;
}

static gboolean
state_text_is_empty (const gchar * text)
{
  g_autofree gchar *copy = NULL;

  if (text == NULL)
    return TRUE;
  copy = g_strstrip (g_strdup (text));
  return copy[0] == '\0' || strcmp (copy, "{}") == 0;
}

/* protocol.md 3.12: "state" unless missing, empty or {}; then "settings". */
static gboolean
parse_state_text (SlyRequestBody * out, const gchar * state,
    const gchar * legacy, GError ** error)
{
  const gchar *text = state_text_is_empty (state) ? legacy : state;
  g_autoptr (GError) json_error = NULL;
  g_autoptr (JsonNode) root = NULL;

  if (state_text_is_empty (text))
    return TRUE;
  root = sly_srv_json_parse (text, strlen (text), &json_error);
  if (root == NULL) {
    g_set_error (error, SLY_HTTP_ERROR, 400, "Cannot decode settings: %s",
        json_error->message);
    return FALSE;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, SLY_HTTP_ERROR, 400,
        "Settings is not json object");
    return FALSE;
  }
  set_state (out, json_node_get_object (root));
  return TRUE;
}

/* libsoup 3.2.3 gives a part whose blank line runs straight into the next
 * boundary (the CRLF that ends the headers is also the one before the
 * boundary) a length of -2: a GBytes reaching far past the body, which
 * g_bytes_new_from_bytes() lets through as the offset check overflows.
 * Found by the server-request fuzzer. Such a part is empty. */
static GBytes *
part_bytes (GBytes * body, GBytes * part)
{
  gsize size, part_size;
  guintptr start = (guintptr) g_bytes_get_data (body, &size);
  guintptr part_start = (guintptr) g_bytes_get_data (part, &part_size);

  if (part_size == 0 || (part_start >= start && part_start - start <= size
          && part_size <= size - (part_start - start)))
    return g_bytes_ref (part);
  return g_bytes_new_static ("", 0);
}

static gchar *
part_text (GBytes * body)
{
  gsize len;
  const gchar *data = g_bytes_get_data (body, &len);

  return g_strndup (data, len);
}

static SlyUpload *
upload_new (SoupMessageHeaders * part_headers, GBytes * part_body,
    GHashTable * params)
{
  SlyUpload *up = g_new0 (SlyUpload, 1);

  up->filename = g_strdup (g_hash_table_lookup (params, "filename"));
  up->content_type =
      g_strdup (soup_message_headers_get_content_type (part_headers, NULL));
  up->data = g_bytes_ref (part_body);
  return up;
}

static gboolean
parse_multipart (SlyRequestBody * out, SoupMessageHeaders * headers,
    GBytes * body, GError ** error)
{
  g_autoptr (SoupMultipart) mp = soup_multipart_new_from_message (headers,
      body);
  g_autofree gchar *state = NULL;
  g_autofree gchar *legacy = NULL;
  gint i;

  if (mp == NULL) {
    g_set_error_literal (error, SLY_HTTP_ERROR, 400,
        "Cannot parse the multipart body");
    return FALSE;
  }
  out->files = g_ptr_array_new_with_free_func (sly_upload_free);
  for (i = 0; i < soup_multipart_get_length (mp); i++) {
    SoupMessageHeaders *ph;
    GBytes *unchecked;
    g_autoptr (GBytes) pb = NULL;
    g_autoptr (GHashTable) params = NULL;
    const gchar *name;

    if (!soup_multipart_get_part (mp, i, &ph, &unchecked))
      continue;
    pb = part_bytes (body, unchecked);
    if (!soup_message_headers_get_content_disposition (ph, NULL, &params))
      continue;
    name = g_hash_table_lookup (params, "name");
    if (g_strcmp0 (name, "files") == 0)
      g_ptr_array_add (out->files, upload_new (ph, pb, params));
    else if (g_strcmp0 (name, "state") == 0 && state == NULL)
      state = part_text (pb);
    else if (g_strcmp0 (name, "settings") == 0 && legacy == NULL)
      legacy = part_text (pb);
  }
  return parse_state_text (out, state, legacy, error);
}

gboolean
sly_request_body_parse (SoupMessageHeaders * headers, GBytes * body,
    SlyRequestBody * out, GError ** error)
{
  const gchar *ctype = soup_message_headers_get_content_type (headers, NULL);

  out->state = json_object_new ();
  out->files = NULL;
  out->multipart = ctype != NULL
      && g_ascii_strncasecmp (ctype, "multipart/", 10) == 0;
  if (out->multipart)
    return parse_multipart (out, headers, body, error);
  return parse_envelope (out, body, error);
}
