/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals shared by the slyclient*.c files; not installed. */
#ifndef __SLY_CLIENT_PRIVATE_H__
#define __SLY_CLIENT_PRIVATE_H__

#include "slyclient.h"
#include "slyenv.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

struct _SlyClient
{
  GObject parent;

  SoupSession *session;         /* one per client, created at construction */
  GMainContext *sync_context;   /* iterated by the _sync wrappers */

  gboolean task_mode;
  gint64 task_id;
  SlyCredentials creds;         /* task mode only */
  /* the only origins x-api-key goes to: the platform address and the API
   * root (SUPERVISELY_API_SERVER_ADDRESS may name another host) */
  GUri *platform_uri;
  GUri *api_uri;

  /* Direct base URL without trailing '/'. Task mode: NULL until tasks.info
   * gave the session token; set on the calling thread only. */
  gchar *base_url;
  gchar *session_token;

  guint timeout_ms;
  guint attempts;
  guint retry_delay_ms;

  gchar *upload_prefix;         /* random per client: names unique per server */
  gint upload_counter;          /* atomic */
};

/* Flags of one request. */
typedef enum
{
  SLY_REQUEST_NONE = 0,
  /* fail on the first error even when retries are configured (the calls
   * the SDK makes with raise_error: is_ready, get_deploy_info, deploy) */
  SLY_REQUEST_NO_RETRY = 1 << 0,
} SlyRequestFlags;

/* ---- slyclient-http.c: one POST with timeout, retries, redaction ---- */

/* Sends @body (nullable) with @content_type to @url; the result is the
 * body (GBytes) of a 2xx answer. */
void sly_client_post_async (SlyClient * client, const gchar * url,
    const gchar * content_type, GBytes * body, SlyRequestFlags flags,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
GBytes *sly_client_post_finish (SlyClient * client, GAsyncResult * result,
    GError ** error);

/* Runs @func (with a reference to @task as its data) on the task's context
 * once the task's cancellable fires, from whatever thread cancels it. Free
 * the watch before the task returns; @func must check whether the task
 * has returned already. NULL when the task has no cancellable. */
typedef struct _SlyCancelWatch SlyCancelWatch;
SlyCancelWatch *sly_cancel_watch_new (GTask * task, GSourceFunc func);
void sly_cancel_watch_free (SlyCancelWatch * watch);

/* Parses a JSON answer; any JSON value is accepted ("null" too). */
JsonNode *sly_client_parse_json (GBytes * body, const gchar * what,
    GError ** error);

/* The URL with the /net/<token> segment and any query hidden: the only
 * form in which URLs reach logs and messages. */
gchar *sly_client_redact_url (const gchar * url);
/* @text with the API token and the session token replaced by "***". */
gchar *sly_client_redact_text (SlyClient * client, const gchar * text);

/* Runs an async call on the client's private context until it completes:
 *   GAsyncResult *res = NULL;
 *   sly_client_sync_begin (client);
 *   x_async (..., sly_client_sync_cb, &res);
 *   sly_client_sync_wait (client, &res);   (iterates, then pops)
 *   ret = x_finish (..., res, error); g_object_unref (res); */
void sly_client_sync_begin (SlyClient * client);
void sly_client_sync_cb (GObject * source, GAsyncResult * res, gpointer data);
void sly_client_sync_wait (SlyClient * client, GAsyncResult ** res);

/* ---- slyclient.c: routing ---- */

/* POST base_url/<method> with the JSON envelope of protocol.md 2.1 (the
 * prediction route: direct in both modes, after tasks.info in task mode).
 * @state is (transfer none), nullable. Result: JsonNode. */
void sly_client_model_call_async (SlyClient * client, const gchar * method,
    JsonNode * state, SlyRequestFlags flags, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
JsonNode *sly_client_model_call_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);

/* Resolves the base URL (task mode: tasks.info once); then the base URL is
 * in client->base_url. */
void sly_client_resolve_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
gboolean sly_client_resolve_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);

/* ---- slyclient-infer.c ---- */

/* The multipart body of protocol.md 3.12: one "files" part per item with a
 * unique name and the extension of @content_type, then "state" and the
 * legacy "settings" text parts holding the same state object.
 * *out_content_type receives the header value with its boundary. */
GBytes *sly_client_build_upload (SlyClient * client, GBytes * const *files,
    guint n_files, const gchar * content_type, JsonNode * state,
    gchar ** out_content_type, GError ** error);

/* base_url + "/" + method (base must be resolved) */
gchar *sly_client_method_url (SlyClient * client, const gchar * method);

/* The annotations (SlyAnnotation*) of an inference answer: one result
 * when @n_images is 1 (inference_image), else an array of exactly
 * @n_images results (inference_batch). */
GPtrArray *sly_client_parse_results (JsonNode * answer, guint n_images,
    GError ** error);

/* ---- slyclient-session.c ---- */

/* One record of an async request, as pop_inference_results and
 * get_inference_progress answer it (protocol.md 3.18, legacy shapes of
 * section 10). */
typedef struct
{
  GPtrArray *results;           /* JsonNode*: copies of "pending_results" */
  gint finished;                /* TRUE, FALSE, or -1 when absent (legacy) */
  gint inferring;               /* "is_inferring", likewise */
} SlySessionRecord;

/* Fills @record (clear it with sly_session_record_clear() either way).
 * Fails with SLY_ERROR_PARSE for an answer that is not an object and with
 * SLY_ERROR_INFERENCE ("Inference Error: ...") when it carries an
 * "exception". */
gboolean sly_session_record_parse (JsonNode * answer,
    SlySessionRecord * record, GError ** error);
void sly_session_record_clear (SlySessionRecord * record);

/* Whether the request has ended with @record. *started (in/out) remembers
 * whether work was seen: a legacy record without "finished" ends when
 * is_inferring turns false after that. */
gboolean sly_session_record_ended (const SlySessionRecord * record,
    gboolean * started);

G_END_DECLS

#endif /* __SLY_CLIENT_PRIVATE_H__ */
