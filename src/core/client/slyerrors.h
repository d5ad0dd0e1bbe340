/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Error text of a failed serving-app or platform answer (protocol.md 2.2).
 */
#ifndef __SLY_ERRORS_H__
#define __SLY_ERRORS_H__

#include <glib.h>

G_BEGIN_DECLS

/* Longest error text taken from a body, in bytes (longer texts are cut at a
 * character boundary and end with "..."). */
#define SLY_ERROR_TEXT_MAX 400

/* The human-readable text of an error body: "message" (string), else
 * "detail" when it is a string, else "detail.message", else
 * "detail[0].msg", else a bare JSON string, else the raw body (made valid
 * UTF-8, control characters replaced). An empty body gives the status
 * phrase ("Bad Gateway"). Never NULL. */
gchar *sly_error_text_from_body (const gchar * body, gsize length,
    guint status);

/* The same text with the @secrets (NULL-terminated, nullable) and any
 * /net/<token> segment replaced by "***" (sly_redact_text()). The whole text
 * is redacted before it is cut to SLY_ERROR_TEXT_MAX bytes, so no part of a
 * secret that straddles the cut can show. */
gchar *sly_error_text_from_body_redacted (const gchar * body, gsize length,
    guint status, const gchar * const *secrets);

/* A SLY_HTTP_ERROR whose code is @status and whose message is the text
 * above (sly_error_text_from_body()). */
GError *sly_http_error_new_from_body (guint status, const gchar * body,
    gsize length);
/* The same with the redacted text (sly_error_text_from_body_redacted()). */
GError *sly_http_error_new_from_body_redacted (guint status,
    const gchar * body, gsize length, const gchar * const *secrets);

G_END_DECLS

#endif /* __SLY_ERRORS_H__ */
