/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers of the sly-model-server tests: plain HTTP calls with a SoupSession
 * over loopback, images whose content the test knows, and assertions on the
 * error shape of protocol.md 2.2.
 */
#ifndef __SERVER_TEST_UTIL_H__
#define __SERVER_TEST_UTIL_H__

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "slyannotation.h"
#include "slyimage.h"
#include "slytestserver.h"

G_BEGIN_DECLS

typedef struct
{
  guint status;                 /* 0 when the transport failed */
  GError *error;                /* transport error */
  GBytes *body;
  JsonNode *json;               /* NULL when the body is not JSON */
  gdouble seconds;              /* wall time of the exchange */
  SoupMessageHeaders *headers;  /* of the response; NULL when it failed */
  gchar *reason;                /* the reason phrase; NULL when it failed */
} SrvReply;

void srv_reply_free (SrvReply * reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrvReply, srv_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyTestServer, sly_test_server_stop)

typedef struct
{
  const gchar *filename;
  const gchar *content_type;
  GBytes *data;
} SrvFile;

/* Redirects are not followed: a 302 is the reply. */
SrvReply *srv_get (SlyTestServer * server, const gchar * path);
/* @body: JSON text (NULL: no body); @api_key: x-api-key or NULL */
SrvReply *srv_post_json (SlyTestServer * server, const gchar * path,
    const gchar * body, const gchar * api_key);
/* multipart: one "files" part per file, then text parts "state" and
 * "settings" when not NULL */
SrvReply *srv_post_files (SlyTestServer * server, const gchar * path,
    const SrvFile * files, guint n_files, const gchar * state,
    const gchar * settings);
/* one PNG or JPEG (sniffed) as image_0.png / image_0.jpg */
SrvReply *srv_post_image (SlyTestServer * server, const gchar * path,
    GBytes * image, const gchar * state);

/* Sends every message at once and waits for all (concurrent requests). */
GPtrArray *srv_post_concurrently (SlyTestServer * server,
    const gchar * path, GBytes * image, guint n);

/* Asserts a JSON object body and returns it (transfer none). */
JsonObject *srv_reply_object (SrvReply * reply);
JsonArray *srv_reply_array (SrvReply * reply);
/* status, {"detail", "success": false, "message"} with @message_part in
 * the message (and detail == message when detail is a string) */
void srv_assert_error (SrvReply * reply, guint status,
    const gchar * message_part);

/* The annotation of a result wrapper (asserted to parse). */
SlyAnnotation *srv_result_annotation (JsonNode * result);
void srv_assert_box (SlyObject * obj, const gchar * class_title, gint left,
    gint top, gint right, gint bottom, gint tolerance);

/* {"state": {"inference_request_uuid": uuid}} */
gchar *srv_uuid_body (const gchar * uuid);
/* The uuid of an inference_*_async answer (asserted). */
gchar *srv_reply_uuid (SrvReply * reply);

/* ---- images the test draws ---- */
SlyImage *srv_image_new (gint width, gint height);
void srv_fill_rect (SlyImage * image, gint left, gint top, gint right,
    gint bottom, guint8 r, guint8 g, guint8 b);
/* pixels with (x-cx)^2 + (y-cy)^2 <= radius^2; returns how many */
guint srv_fill_disc (SlyImage * image, gint cx, gint cy, gint radius,
    guint8 r, guint8 g, guint8 b);
GBytes *srv_png (const SlyImage * image);
GBytes *srv_jpeg (const SlyImage * image, gint quality);
/* area / box area rounded to 4 decimals: the built-in models' confidence */
gdouble srv_fill_ratio (guint area, gint width, gint height);

/* 10 under valgrind (SLY_UNDER_VALGRIND), else 1: tests that need the
 * server to be slower than the test itself scale their latencies by it. */
guint srv_slow_factor (void);
/* "--latency-ms" value: @ms times srv_slow_factor(), as a string */
gchar *srv_latency_arg (guint ms);

/* Integer member @name of @obj (asserted). */
gint64 srv_get_int (JsonObject * obj, const gchar * name);
const gchar *srv_get_string (JsonObject * obj, const gchar * name);
gboolean srv_get_bool (JsonObject * obj, const gchar * name);

/* ---- the server process and raw connections ---- */

/* The pid of @server's process: the child of this process that holds the
 * listening socket of its port. */
gint srv_server_pid (SlyTestServer * server);
/* Open file descriptors of process @pid (entries of /proc/PID/fd). */
guint srv_fd_count (gint pid);
/* Sends @signum to @server's process at once. */
void srv_server_signal (SlyTestServer * server, gint signum);
/* The listen backlog of the socket listening on 127.0.0.1:@port, read back
 * from the kernel (sock_diag); -1 when it cannot be read. */
gint srv_listen_backlog (guint port);
/* Raises this process's soft limit of open files to at least @n (as far as
 * the hard limit allows); servers started later inherit it. Returns the
 * limit now in force. */
guint64 srv_raise_fd_limit (guint n);

/* A blocking TCP connection to @server (asserted), reads time out after
 * @timeout_s seconds. */
gint srv_connect_raw (SlyTestServer * server, guint timeout_s);
/* Writes all of @data (asserted). */
void srv_write_raw (gint fd, const gchar * data);
/* Reads one HTTP response: headers, then Content-Length bytes. Returns the
 * status, 0 when the connection closed or failed first; @response (nullable)
 * gets all that was read. */
guint srv_read_response (gint fd, gchar ** response);
/* Reads until the peer closes the connection (or resets it): TRUE, or
 * FALSE when the read timed out first. @seconds gets the time it took. */
gboolean srv_wait_closed (gint fd, gdouble * seconds);

/* Polls @cond every 10 ms for up to @seconds; returns its last result. */
gboolean srv_wait_for (gboolean (*cond) (gpointer data), gpointer data,
    gdouble seconds);

G_END_DECLS

#endif /* __SERVER_TEST_UTIL_H__ */
