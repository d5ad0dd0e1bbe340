/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The body of a request to sly-model-server: a JSON envelope whose "state"
 * is an object (protocol.md 2.1) or a multipart form with "files" uploads
 * and a "state" (legacy "settings") text part (3.12). Kept apart from the
 * server object so that the fuzz target runs this very code.
 */
#ifndef __SLY_REQUEST_H__
#define __SLY_REQUEST_H__

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "slyserver.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean multipart;
  JsonObject *state;            /* never NULL after a parse */
  GPtrArray *files;             /* SlyUpload*; multipart only, else NULL */
} SlyRequestBody;

/* Fills @out (to be cleared with sly_request_body_clear() either way).
 * On failure @error is in SLY_HTTP_ERROR with the HTTP status as code and
 * the message of the 2.2 error body. */
gboolean sly_request_body_parse   (SoupMessageHeaders * headers,
                                   GBytes * body,
                                   SlyRequestBody * out,
                                   GError ** error);

void     sly_request_body_clear   (SlyRequestBody * body);

void     sly_upload_free          (gpointer upload);

G_END_DECLS

#endif /* __SLY_REQUEST_H__ */
