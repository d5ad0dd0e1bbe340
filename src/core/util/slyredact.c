/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "slyredact.h"

#include <gio/gio.h>
#include <string.h>

#define NET "/net/"

/* Ends a /net/<segment>: the next path separator, the start of a query or
 * fragment, or anything that cannot be part of a URL in running text. */
static gboolean
ends_segment (gchar c)
{
  return c == '\0' || c == '/' || c == '?' || c == '#' || c == '"'
      || c == '\'' || c == '<' || c == '>' || c == '`' || c == '\\'
      || g_ascii_isspace (c);
}

/* The segment after every "/net/" of @text becomes SLY_REDACTED. */
static void
mask_net_segments (GString * text)
{
  gsize from = 0;

  for (;;) {
    const gchar *net = strstr (text->str + from, NET);
    gsize start, end;

    if (net == NULL)
      return;
    start = (net - text->str) + strlen (NET);
    for (end = start; !ends_segment (text->str[end]); end++);
    if (end > start) {
      g_string_erase (text, start, end - start);
      g_string_insert (text, start, SLY_REDACTED);
      end = start + strlen (SLY_REDACTED);
    }
    from = end;
  }
}

gchar *
sly_redact_url (const gchar * url)
{
  g_autoptr (GUri) uri = NULL;
  g_autofree gchar *shown = NULL;
  GString *out;

  if (url == NULL)
    return g_strdup ("(none)");
  /* user info, query and fragment may all hold secrets */
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return g_strdup ("(not a URL)");
  shown = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO |
      G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT);
  out = g_string_new (shown);
  mask_net_segments (out);
  return g_string_free (out, FALSE);
}

gchar *
sly_redact_text (const gchar * text, const gchar * const *secrets)
{
  GString *out;

  if (text == NULL)
    return NULL;
  out = g_string_new (text);
  for (; secrets != NULL && *secrets != NULL; secrets++)
    if ((*secrets)[0] != '\0')
      g_string_replace (out, *secrets, SLY_REDACTED, 0);
  mask_net_segments (out);
  return g_string_free (out, FALSE);
}
