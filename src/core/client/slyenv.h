/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Platform credentials (protocol.md 1.3, 1.4): explicit values, then the
 * environment, then ~/supervisely.env. An empty value counts as unset
 * everywhere.
 */
#ifndef __SLY_ENV_H__
#define __SLY_ENV_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gchar *server_address;        /* normalized, e.g. https://app.supervisely.com */
  gchar *api_token;
  gchar *api_root;              /* SUPERVISELY_API_SERVER_ADDRESS or
                                 * <server_address>/public/api, no trailing / */
} SlyCredentials;

/* Fills @creds from @server_address / @api_token (nullable), then the
 * environment (SERVER_ADDRESS, API_TOKEN, SUPERVISELY_API_SERVER_ADDRESS),
 * then $HOME/supervisely.env, read only when something is still missing.
 * Fails with SLY_ERROR_INVALID_ARGUMENT naming what could not be found; the
 * messages never contain the token. */
gboolean sly_credentials_resolve (SlyCredentials * creds,
    const gchar * server_address, const gchar * api_token, GError ** error);
void sly_credentials_clear (SlyCredentials * creds);

/* protocol.md 1.3: strips '/' at both ends and prefixes "http://" when no
 * scheme is given. The https probe of the SDK is not done. */
gchar *sly_normalize_server_address (const gchar * address);

/* Parses a dotenv text (KEY="value", KEY='value', KEY=value, optional
 * "export ", # comments) into a table of strings. Malformed lines are
 * skipped. */
GHashTable *sly_dotenv_parse (const gchar * text);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SlyCredentials, sly_credentials_clear)

G_END_DECLS

#endif /* __SLY_ENV_H__ */
