/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: how sly-model-server reads a request body (protocol.md 2.1,
 * 3.12). An input starting with "--" is a multipart body whose first line
 * names the boundary, sent as "multipart/form-data; boundary=..."; it goes
 * through libsoup's soup_multipart_new_from_message() and the extraction
 * of the "files" uploads and the "state" (else legacy "settings") text
 * part. Any other input is a JSON envelope whose "state" must be an object.
 *
 * The server's own functions (parse_envelope(), parse_multipart() and
 * parse_state_text() in src/server/slyserver.c) are static and need a
 * SoupServerMessage, and the server is an executable whose route table
 * pulls in every handler; so this target repeats their steps with the same
 * library calls. Keep the two in step until they are split out. */
#include "fuzz-common.h"
#include "slyjson.h"

#include <libsoup/soup.h>
#include <string.h>

/* "state" unless missing, blank or {}; then "settings" (3.12) */
static gboolean
state_text_is_empty (const gchar * text)
{
  g_autofree gchar *copy = NULL;

  if (text == NULL)
    return TRUE;
  copy = g_strstrip (g_strdup (text));
  return copy[0] == '\0' || strcmp (copy, "{}") == 0;
}

/* TRUE for an accepted state (an object, or nothing); the server answers
 * 400 otherwise, and then the reason must be ours. */
static gboolean
parse_state (const gchar * text, gsize len, gboolean envelope)
{
  g_autoptr (JsonNode) root = NULL;
  JsonNode *state;
  GError *error = NULL;

  root = sly_json_parse (text, len, "request body", &error);
  if (root == NULL) {
    fuzz_check_failure (error);
    return FALSE;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  if (!envelope)
    return TRUE;
  state = json_object_get_member (json_node_get_object (root), "state");
  return state == NULL || JSON_NODE_HOLDS_NULL (state)
      || JSON_NODE_HOLDS_OBJECT (state);
}

static void
check_upload (SoupMessageHeaders * ph, GBytes * pb, GHashTable * params)
{
  const gchar *filename = g_hash_table_lookup (params, "filename");
  const gchar *ctype = soup_message_headers_get_content_type (ph, NULL);
  gsize len;
  const guint8 *d = g_bytes_get_data (pb, &len);

  /* what the handlers read of an upload */
  FUZZ_CHECK (len == 0 || d != NULL);
  if (filename != NULL)
    FUZZ_CHECK (strlen (filename) < G_MAXINT);
  if (ctype != NULL)
    FUZZ_CHECK (ctype[0] != '\0');
}

static void
parse_multipart (const gchar * data, gsize size)
{
  gsize line = strcspn (data, "\r\n");
  g_autofree gchar *boundary = g_strndup (data + 2, line - 2);
  g_autoptr (GHashTable) ct_params = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (SoupMessageHeaders) headers =
      soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  /* no copy: the NUL after the body stays where libsoup left it */
  g_autoptr (GBytes) body = g_bytes_new_static (data, size);
  g_autoptr (SoupMultipart) mp = NULL;
  g_autofree gchar *state = NULL;
  g_autofree gchar *legacy = NULL;
  const gchar *text;
  gint i;

  g_hash_table_insert (ct_params, (gpointer) "boundary", boundary);
  soup_message_headers_set_content_type (headers, "multipart/form-data",
      ct_params);
  mp = soup_multipart_new_from_message (headers, body);
  if (mp == NULL) {
    /* the server answers 400 "Cannot parse the multipart body" */
    if (g_getenv ("FUZZ_VERBOSE"))
      g_printerr ("  rejected: not a multipart body\n");
    return;
  }
  if (g_getenv ("FUZZ_VERBOSE"))
    g_printerr ("  %d parts\n", soup_multipart_get_length (mp));
  for (i = 0; i < soup_multipart_get_length (mp); i++) {
    SoupMessageHeaders *ph;
    GBytes *pb;
    g_autoptr (GHashTable) params = NULL;
    const gchar *name;

    FUZZ_CHECK (soup_multipart_get_part (mp, i, &ph, &pb));
    if (!soup_message_headers_get_content_disposition (ph, NULL, &params))
      continue;
    name = g_hash_table_lookup (params, "name");
    if (g_strcmp0 (name, "files") == 0)
      check_upload (ph, pb, params);
    else if (g_strcmp0 (name, "state") == 0 && state == NULL)
      state = g_strndup (g_bytes_get_data (pb, NULL), g_bytes_get_size (pb));
    else if (g_strcmp0 (name, "settings") == 0 && legacy == NULL)
      legacy = g_strndup (g_bytes_get_data (pb, NULL), g_bytes_get_size (pb));
  }
  text = state_text_is_empty (state) ? legacy : state;
  if (!state_text_is_empty (text))
    parse_state (text, strlen (text), FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  /* the server flattens the body into a GBytes: NUL-terminated there too,
   * but the parsers get the length */
  g_autofree gchar *copy = g_malloc (size + 1);

  fuzz_setup ();
  memcpy (copy, data, size);
  copy[size] = '\0';
  if (size >= 2 && copy[0] == '-' && copy[1] == '-')
    parse_multipart (copy, size);
  else if (size > 0)
    parse_state (copy, size, TRUE);
  return 0;
}
