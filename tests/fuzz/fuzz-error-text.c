/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_error_text_from_body() and sly_http_error_new_from_body(),
 * which turn any error answer of a server into one sentence. The first two
 * bytes pick the HTTP status (any value, 0 included); the rest is the body.
 * The text must be short, valid UTF-8 without control characters, and never
 * empty. */
#include "fuzz-common.h"
#include "slyerrors.h"

#include <string.h>

static void
check_text (const gchar * text)
{
  const gchar *p;

  FUZZ_CHECK (text != NULL && text[0] != '\0');
  FUZZ_CHECK (strlen (text) <= SLY_ERROR_TEXT_MAX);
  FUZZ_CHECK (g_utf8_validate (text, -1, NULL));
  for (p = text; *p != '\0'; p = g_utf8_next_char (p))
    FUZZ_CHECK (!g_unichar_iscntrl (g_utf8_get_char (p)));
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree gchar *text = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *body;
  gsize length;
  guint status;

  fuzz_setup ();
  if (size < 2)
    return 0;
  status = (guint) data[0] << 8 | data[1];
  body = (const gchar *) data + 2;
  length = size - 2;

  text = sly_error_text_from_body (body, length, status);
  check_text (text);
  error = sly_http_error_new_from_body (status, body, length);
  FUZZ_CHECK (error != NULL && error->domain == SLY_HTTP_ERROR);
  FUZZ_CHECK ((guint) error->code == status);
  FUZZ_CHECK (strcmp (error->message, text) == 0);
  /* an empty body is also passed as NULL by callers */
  if (length == 0) {
    g_autofree gchar *none = sly_error_text_from_body (NULL, 0, status);

    FUZZ_CHECK (strcmp (none, text) == 0);
  }
  return 0;
}
