/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Secrets out of messages: the one place where URLs and texts are made fit
 * for logs, error messages and properties. A model URL may carry a session
 * token (https://host/net/<token>/...), user info, or a token in its query;
 * a server may echo the API token in an error text.
 */
#ifndef __SLY_REDACT_H__
#define __SLY_REDACT_H__

#include <glib.h>

G_BEGIN_DECLS

/* The text every secret is replaced with. */
#define SLY_REDACTED "***"

/* @url without user info, query and fragment, and with the token of every
 * /net/<token> path segment replaced by SLY_REDACTED:
 * "https://user:pass@host/net/TOKEN/x?token=abc#f" gives
 * "https://host/net/" SLY_REDACTED "/x". "(none)" for NULL, "(not a URL)"
 * for text that does not parse as an absolute URL (it is not repeated: it
 * may be a secret). Never NULL; free with g_free(). */
gchar *sly_redact_url (const gchar * url);

/* @text with every occurrence of each non-empty string of @secrets
 * (NULL-terminated, nullable; NULL entries end the list) and every
 * /net/<segment> replaced by SLY_REDACTED. Never NULL for a non-NULL
 * @text. */
gchar *sly_redact_text (const gchar * text, const gchar * const *secrets);

G_END_DECLS

#endif /* __SLY_REDACT_H__ */
