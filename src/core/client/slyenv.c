/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Credentials resolution. The SDK reads ~/supervisely.env only when the real
 * environment lacks a value, and real variables win; values set explicitly
 * (element properties, command-line options) win over both.
 */
#include "slyenv.h"
#include "slyerror.h"

#include <string.h>

#define ENV_FILE_NAME "supervisely.env"

static gboolean
is_set (const gchar * value)
{
  return value != NULL && value[0] != '\0';
}

gchar *
sly_normalize_server_address (const gchar * address)
{
  g_autofree gchar *trimmed = NULL;
  gsize len;

  g_return_val_if_fail (address != NULL, NULL);

  trimmed = g_strstrip (g_strdup (address));
  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  address = trimmed;
  while (*address == '/')
    address++;
  if (strstr (address, "http://") == NULL
      && strstr (address, "https://") == NULL)
    return g_strconcat ("http://", address, NULL);
  return g_strdup (address);
}

/* Removes one pair of matching quotes; double quotes understand \" and \\
 * and \n, single quotes are literal. Unquoted values lose a " #" comment. */
static gchar *
dotenv_value (const gchar * raw)
{
  gsize len = strlen (raw);
  GString *out;
  const gchar *p;

  if (len >= 2 && raw[0] == '\'' && raw[len - 1] == '\'')
    return g_strndup (raw + 1, len - 2);
  if (len >= 2 && raw[0] == '"' && raw[len - 1] == '"') {
    out = g_string_new (NULL);
    for (p = raw + 1; p < raw + len - 1; p++) {
      if (*p == '\\' && p + 1 < raw + len - 1) {
        p++;
        g_string_append_c (out, *p == 'n' ? '\n' : *p);
      } else {
        g_string_append_c (out, *p);
      }
    }
    return g_string_free (out, FALSE);
  }
  p = strstr (raw, " #");
  return g_strstrip (p ? g_strndup (raw, p - raw) : g_strdup (raw));
}

GHashTable *
sly_dotenv_parse (const gchar * text)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, g_free);
  g_auto (GStrv) lines = NULL;
  guint i;

  g_return_val_if_fail (text != NULL, table);

  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++) {
    gchar *line = g_strstrip (lines[i]);
    gchar *eq;

    if (line[0] == '#' || line[0] == '\0')
      continue;
    if (g_str_has_prefix (line, "export "))
      line = g_strchug (line + strlen ("export "));
    eq = strchr (line, '=');
    if (eq == NULL || eq == line)
      continue;
    *eq = '\0';
    g_strchomp (line);
    g_hash_table_replace (table, g_strdup (line),
        dotenv_value (g_strstrip (eq + 1)));
  }
  return table;
}

/* $HOME is read at each call (g_get_home_dir() caches it, and tests change
 * it); the dotenv file is optional here: a missing one means "no values". */
static GHashTable *
load_env_file (void)
{
  const gchar *home = g_getenv ("HOME");
  g_autofree gchar *path = NULL;
  g_autofree gchar *text = NULL;

  if (!is_set (home))
    home = g_get_home_dir ();
  path = g_build_filename (home, ENV_FILE_NAME, NULL);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_debug ("read platform settings from %s", path);
  return sly_dotenv_parse (text);
}

/* explicit > environment > file; @file is loaded on first need */
static gchar *
resolve_one (const gchar * explicit_value, const gchar * name,
    GHashTable ** file, gboolean * file_tried)
{
  const gchar *value;

  if (is_set (explicit_value))
    return g_strdup (explicit_value);
  value = g_getenv (name);
  if (is_set (value))
    return g_strdup (value);
  if (!*file_tried) {
    *file = load_env_file ();
    *file_tried = TRUE;
  }
  value = *file ? g_hash_table_lookup (*file, name) : NULL;
  return is_set (value) ? g_strdup (value) : NULL;
}

gboolean
sly_credentials_resolve (SlyCredentials * creds,
    const gchar * server_address, const gchar * api_token, GError ** error)
{
  g_autoptr (GHashTable) file = NULL;
  gboolean file_tried = FALSE;
  g_autofree gchar *address = NULL;
  g_autofree gchar *root = NULL;

  g_return_val_if_fail (creds != NULL, FALSE);

  memset (creds, 0, sizeof (*creds));
  address = resolve_one (server_address, "SERVER_ADDRESS", &file, &file_tried);
  creds->api_token = resolve_one (api_token, "API_TOKEN", &file, &file_tried);
  root = resolve_one (NULL, "SUPERVISELY_API_SERVER_ADDRESS", &file,
      &file_tried);

  if (address == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "No platform address: set it explicitly, in SERVER_ADDRESS or in "
        "~/" ENV_FILE_NAME);
    goto fail;
  }
  if (creds->api_token == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "No API token: set it explicitly, in API_TOKEN or in ~/" ENV_FILE_NAME);
    goto fail;
  }
  creds->server_address = sly_normalize_server_address (address);
  if (root != NULL)
    creds->api_root = sly_normalize_server_address (root);
  else
    creds->api_root = g_strconcat (creds->server_address, "/public/api", NULL);
  return TRUE;

fail:
  sly_credentials_clear (creds);
  return FALSE;
}

void
sly_credentials_clear (SlyCredentials * creds)
{
  g_clear_pointer (&creds->server_address, g_free);
  if (creds->api_token != NULL)
    memset (creds->api_token, 0, strlen (creds->api_token));
  g_clear_pointer (&creds->api_token, g_free);
  g_clear_pointer (&creds->api_root, g_free);
}
