/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: how sly-model-server reads a request body (protocol.md 2.1,
 * 3.12), through the server's own sly_request_body_parse()
 * (src/server/slyrequest.c, compiled into this target). An input starting
 * with "--" is a multipart body whose first line names the boundary, sent
 * as "multipart/form-data; boundary=..."; any other input is a JSON
 * envelope sent as "application/json". */
#include "fuzz-common.h"
#include "slyerror.h"
#include "slyrequest.h"

#include <string.h>

/* the request headers a client would send with @data */
static SoupMessageHeaders *
request_headers (const gchar * data)
{
  SoupMessageHeaders *headers =
      soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gchar *boundary = NULL;

  if (data[0] != '-' || data[1] != '-') {
    soup_message_headers_set_content_type (headers, "application/json", NULL);
    return headers;
  }
  boundary = g_strndup (data + 2, strcspn (data + 2, "\r\n"));
  g_hash_table_insert (params, (gpointer) "boundary", boundary);
  soup_message_headers_set_content_type (headers, "multipart/form-data",
      params);
  return headers;
}

/* what the handlers read of an upload: bytes of the body */
static void
check_upload (const SlyUpload * up, GBytes * body)
{
  gsize len, size;
  guintptr d = (guintptr) g_bytes_get_data (up->data, &len);
  guintptr start = (guintptr) g_bytes_get_data (body, &size);

  FUZZ_CHECK (len == 0 || (d >= start && d - start <= size
          && len <= size - (d - start)));
  if (up->filename != NULL)
    FUZZ_CHECK (strlen (up->filename) < G_MAXINT);
  if (up->content_type != NULL)
    FUZZ_CHECK (up->content_type[0] != '\0');
}

static void
check_parsed (const SlyRequestBody * parsed, GBytes * body)
{
  guint i;

  FUZZ_CHECK (parsed->state != NULL);
  FUZZ_CHECK (parsed->multipart == (parsed->files != NULL));
  if (parsed->files == NULL)
    return;
  if (g_getenv ("FUZZ_VERBOSE"))
    g_printerr ("  %u uploads\n", parsed->files->len);
  for (i = 0; i < parsed->files->len; i++)
    check_upload (g_ptr_array_index (parsed->files, i), body);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  /* the server flattens the body into a GBytes: NUL-terminated there too,
   * but the parser gets the length */
  g_autofree gchar *copy = g_malloc (size + 1);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autoptr (GError) error = NULL;
  SlyRequestBody parsed = { 0, };

  fuzz_setup ();
  memcpy (copy, data, size);
  copy[size] = '\0';
  /* no copy: the NUL after the body stays where libsoup left it */
  body = g_bytes_new_static (copy, size);
  headers = request_headers (copy);
  if (sly_request_body_parse (headers, body, &parsed, &error)) {
    check_parsed (&parsed, body);
  } else {
    /* every refusal is a 400 with a message for the 2.2 error body */
    if (g_getenv ("FUZZ_VERBOSE"))
      g_printerr ("  rejected: %s\n", error->message);
    FUZZ_CHECK (g_error_matches (error, SLY_HTTP_ERROR, 400));
    FUZZ_CHECK (error->message[0] != '\0');
  }
  sly_request_body_clear (&parsed);
  return 0;
}
