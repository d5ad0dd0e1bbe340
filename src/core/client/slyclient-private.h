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
  gchar *session_token;         /* task mode; URL mode: the /net/ segment */
  /* URL mode: the user info of the URL and its password (secrets too) */
  gchar *url_userinfo;
  gchar *url_password;

  guint timeout_ms;
  guint attempts;
  guint retry_delay_ms;
  guint max_objects;            /* per annotation of an answer; 0 = all */

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
  /* fail on any redirect: uploads of frames, whose answer must come from
   * the URL they were sent to (other calls follow same-origin redirects) */
  SLY_REQUEST_NO_REDIRECT = 1 << 1,
} SlyRequestFlags;

/* ---- slyclient-http.c: one POST with timeout, retries, redaction ---- */

/* A request body as a list of GBytes sent one after the other, held by
 * reference: an upload is its multipart framing around the callers' own
 * image GBytes, never copied into one buffer. Each send (attempt, redirect
 * hop, libsoup restart) reads it through a fresh stream. Immutable once
 * built; refcounted (atomic). */
typedef struct
{
  gchar *content_type;          /* with its parameters (boundary) */
  GPtrArray *chunks;            /* GBytes*, in wire order */
  guint64 length;               /* sum of the chunk sizes */
} SlyClientBody;

SlyClientBody *sly_client_body_new (const gchar * content_type);
/* Appends a reference to @chunk (not a copy). */
void sly_client_body_append (SlyClientBody * body, GBytes * chunk);
SlyClientBody *sly_client_body_ref (SlyClientBody * body);
void sly_client_body_unref (SlyClientBody * body);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyClientBody, sly_client_body_unref)
/* A new stream reading the chunks from the start, by reference
 * (g_memory_input_stream_add_bytes); length: body->length. */
GInputStream *sly_client_body_new_stream (SlyClientBody * body);
/* The chunks in one buffer (a copy): for callers that need GBytes. */
GBytes *sly_client_body_flatten (SlyClientBody * body);

/* Sends @body (nullable) with @content_type to @url; the result is the
 * body (GBytes) of a 2xx answer. @retry_deadline_us (monotonic time, 0 =
 * none): no retry whose pause would end after it, and a retry is cut
 * there. */
void sly_client_post_async (SlyClient * client, const gchar * url,
    const gchar * content_type, GBytes * body, SlyRequestFlags flags,
    gint64 retry_deadline_us, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
/* The same with a chunked body (its own content type); finish with
 * sly_client_post_finish(). */
void sly_client_post_body_async (SlyClient * client, const gchar * url,
    SlyClientBody * body, SlyRequestFlags flags, gint64 retry_deadline_us,
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

/* URLs reach logs and messages only through sly_redact_url()
 * (slyredact.h). @text with the client's secrets (API token, session
 * token, user info and password of the model URL) and any /net/<segment>
 * replaced by "***". */
gchar *sly_client_redact_text (SlyClient * client, const gchar * text);

/* Same scheme, host (case-insensitive) and port. */
gboolean sly_uri_same_origin (GUri * a, GUri * b);

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

/* Finishes sly_client_is_deployed_async() as is_ready answered: TRUE with
 * *ready = whether "status" is "ready"; a 503 stays an error. */
gboolean sly_client_is_ready_finish (SlyClient * client,
    GAsyncResult * result, gboolean * ready, GError ** error);

/* ---- slyclient-infer.c ---- */

/* The multipart/form-data body of protocol.md 3.12: one "files" part per
 * item with a unique name and the extension of @content_type, then "state"
 * and the legacy "settings" text parts holding the same state object. The
 * files are referenced, not copied: the chunks are the framing before each
 * file, the caller's GBytes itself, ..., and the framing and text parts
 * after the last file (2 n_files + 1 chunks). body->content_type is
 * "multipart/form-data; boundary=<32 random hex digits>". */
SlyClientBody *sly_client_build_upload_body (SlyClient * client,
    GBytes * const *files, guint n_files, const gchar * content_type,
    JsonNode * state, GError ** error);
/* The same body in one buffer (the files copied into it);
 * *out_content_type receives the header value with its boundary. */
GBytes *sly_client_build_upload (SlyClient * client, GBytes * const *files,
    guint n_files, const gchar * content_type, JsonNode * state,
    gchar ** out_content_type, GError ** error);

/* base_url + "/" + method (base must be resolved) */
gchar *sly_client_method_url (SlyClient * client, const gchar * method);

/* The text of an answer with the objects beyond @max_objects cut before
 * json-glib sees them: every element of an array under an "objects" key
 * (escaped spellings too) from index @max_objects on becomes null; the
 * arrays keep their length. NULL when nothing was cut (or @max_objects is
 * 0); *n_pruned counts the elements cut. */
gchar *sly_client_prune_objects (const gchar * text, gsize len,
    guint max_objects, gsize * out_len, guint * n_pruned);
/* sly_client_parse_json() of the pruned text of @body. */
JsonNode *sly_client_parse_answer (GBytes * body, const gchar * what,
    guint max_objects, GError ** error);

/* The annotations (SlyAnnotation*) of an inference answer: one result
 * when @n_images is 1 (inference_image), else an array of exactly
 * @n_images results (inference_batch). Each keeps at most @max_objects
 * objects (0 = all; the rest counted by
 * sly_annotation_get_n_dropped_objects(); a result whose annotation is a
 * JSON string has that text pruned first). */
GPtrArray *sly_client_parse_results (JsonNode * answer, guint n_images,
    guint max_objects, GError ** error);

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
