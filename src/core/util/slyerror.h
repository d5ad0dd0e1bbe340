/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __SLY_ERROR_H__
#define __SLY_ERROR_H__

#include <glib.h>

G_BEGIN_DECLS

#define SLY_ERROR (sly_error_quark ())

/**
 * SlyError:
 * @SLY_ERROR_PARSE: untrusted input (JSON, PNG, multipart, settings) is malformed
 * @SLY_ERROR_INVALID_ARGUMENT: a caller passed a value that cannot work
 * @SLY_ERROR_HTTP: the server answered with a non-success status
 * @SLY_ERROR_NOT_SUPPORTED: the server or the model lacks the capability
 * @SLY_ERROR_NOT_DEPLOYED: no model is loaded on the server
 * @SLY_ERROR_INFERENCE: the server reported an inference failure
 * @SLY_ERROR_IMAGE: an image could not be encoded or decoded
 *
 * Error codes of the core library. HTTP failures carry the status code in the
 * message and, for #SLY_ERROR_HTTP, in sly_error_get_http_status().
 */
typedef enum
{
  SLY_ERROR_PARSE,
  SLY_ERROR_INVALID_ARGUMENT,
  SLY_ERROR_HTTP,
  SLY_ERROR_NOT_SUPPORTED,
  SLY_ERROR_NOT_DEPLOYED,
  SLY_ERROR_INFERENCE,
  SLY_ERROR_IMAGE,
} SlyError;

GQuark sly_error_quark (void);

/* Domain of errors for non-2xx HTTP answers; the code is the HTTP status. */
#define SLY_HTTP_ERROR (sly_http_error_quark ())
GQuark sly_http_error_quark (void);

G_END_DECLS

#endif /* __SLY_ERROR_H__ */
