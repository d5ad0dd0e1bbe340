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

/* A SLY_HTTP_ERROR whose code is @status and whose message is the text
 * above. */
GError *sly_http_error_new_from_body (guint status, const gchar * body,
    gsize length);

G_END_DECLS

#endif /* __SLY_ERRORS_H__ */
