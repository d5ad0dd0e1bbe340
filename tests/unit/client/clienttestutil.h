/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers of the client tests: the recorded exchanges of
 * tests/files/protocol-samples, and a scripted HTTP server that runs in its
 * own thread on a loopback port (libsoup's tests do the same), so the client
 * under test can block its own thread freely.
 */
#ifndef __CLIENT_TEST_UTIL_H__
#define __CLIENT_TEST_UTIL_H__

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  guint status;
  gchar *content_type;
  GBytes *body;
} Sample;

/* Loads protocol-samples/<name>.txt; aborts the test when malformed. */
Sample *sample_load (const gchar * name);
void sample_free (Sample * sample);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sample, sample_free)

typedef struct _MockServer MockServer;

typedef struct
{
  gchar *method;
  gchar *path;
  gchar *content_type;
  gchar *api_key;               /* x-api-key header, or NULL */
  gchar *task_id;               /* x-task-id header, or NULL */
  GBytes *body;
} MockRequest;

MockServer *mock_server_new (void);
/* The same over HTTPS with @certificate (it needs its private key);
 * the URL is "https://127.0.0.1:PORT". */
MockServer *mock_server_new_https (GTlsCertificate * certificate);
void mock_server_free (MockServer * server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MockServer, mock_server_free)
/* "http://127.0.0.1:PORT" (https for mock_server_new_https) */
const gchar *mock_server_get_url (MockServer * server);

/* Answers for POST/GET @path (exact match, query ignored). */
void mock_server_add (MockServer * server, const gchar * path, guint status,
    const gchar * content_type, const gchar * body);
/* The same with one more response header (e.g. "Retry-After"). */
void mock_server_add_with_header (MockServer * server, const gchar * path,
    guint status, const gchar * content_type, const gchar * body,
    const gchar * header, const gchar * value);
/* The body as given (it may be large); taken over. */
void mock_server_add_bytes (MockServer * server, const gchar * path,
    guint status, const gchar * content_type, GBytes * body);
void mock_server_add_sample (MockServer * server, const gchar * path,
    const gchar * sample_name);
void mock_server_add_redirect (MockServer * server, const gchar * path,
    guint status, const gchar * location);
/* never answers (until the server is freed) */
void mock_server_add_hang (MockServer * server, const gchar * path);
/* the first @n requests to @path get @status (a small JSON error; 429
 * comes with "Retry-After: 1") */
void mock_server_fail_first (MockServer * server, const gchar * path,
    guint n, guint status);

/* Every path needs HTTP Basic authentication as @user:@password from now
 * on (a 401 with WWW-Authenticate otherwise; such requests are not
 * recorded). */
void mock_server_require_basic_auth (MockServer * server, const gchar * user,
    const gchar * password);

/* Requests received so far for @path (any path when NULL), oldest first
 * (transfer full: free with g_ptr_array_unref). */
GPtrArray *mock_server_get_requests (MockServer * server, const gchar * path);

G_END_DECLS

#endif /* __CLIENT_TEST_UTIL_H__ */
