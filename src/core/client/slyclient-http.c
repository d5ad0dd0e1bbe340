/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One request of the client: a POST with a per-attempt timeout, retries with
 * exponential backoff for the failures protocol.md 1.3 calls retryable, the
 * platform key only for the platform host, and URLs redacted in logs.
 *
 * Everything here runs on the thread-default GMainContext of the caller
 * (the context the GTask was created in): the timeout, the backoff sleep
 * and the watch on the caller's GCancellable are sources attached to it,
 * so libsoup is only ever touched from that thread.
 */
#include "slyclient-private.h"
#include "slyerrors.h"
#include "slyerror.h"
#include "slyjson.h"

#include <string.h>

#define MAX_RETRY_SLEEP_MS 60000
/* Answers are read whole; a hostile server must not fill the memory. Masks
 * of many large frames stay far below this. */
#define SLY_CLIENT_MAX_ANSWER (256u << 20)

typedef struct
{
  gchar *url;
  gchar *content_type;
  GBytes *body;
  SlyRequestFlags flags;
  guint attempt;                /* 1-based, of the running attempt */
  SoupMessage *msg;
  GCancellable *attempt_cancel; /* fired by timeout or by the caller */
  GSource *timeout_source;
  GSource *sleep_source;
  SlyCancelWatch *watch;        /* the caller's cancellable */
  GInputStream *stream;         /* the answer's body, while reading */
  GByteArray *answer;           /* what was read of it */
  gboolean timed_out;
  gboolean returned;
} PostData;

static void start_attempt (GTask * task);

static void
destroy_source (GSource ** source)
{
  if (*source != NULL) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}

static void
post_data_free (PostData * data)
{
  destroy_source (&data->timeout_source);
  destroy_source (&data->sleep_source);
  g_clear_pointer (&data->watch, sly_cancel_watch_free);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->answer, g_byte_array_unref);
  g_free (data->url);
  g_free (data->content_type);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_clear_object (&data->msg);
  g_clear_object (&data->attempt_cancel);
  g_free (data);
}

gchar *
sly_client_redact_url (const gchar * url)
{
  g_autoptr (GUri) uri = NULL;
  g_autofree gchar *copy = NULL;
  const gchar *net;
  const gchar *rest;

  if (url == NULL)
    return g_strdup ("(null)");
  /* no user info, query or fragment: they may hold secrets too */
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return g_strdup ("(not a URL)");
  copy = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO |
      G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT);
  net = strstr (copy, "/net/");
  if (net == NULL)
    return g_steal_pointer (&copy);
  rest = strchr (net + strlen ("/net/"), '/');
  return g_strdup_printf ("%.*s/net/***%s", (int) (net - copy), copy,
      rest ? rest : "");
}

static void
replace_all (GString * text, const gchar * secret)
{
  if (secret != NULL && secret[0] != '\0')
    g_string_replace (text, secret, "***", 0);
}

gchar *
sly_client_redact_text (SlyClient * client, const gchar * text)
{
  GString *out = g_string_new (text);

  replace_all (out, client->creds.api_token);
  replace_all (out, client->session_token);
  return g_string_free (out, FALSE);
}

/* protocol.md 1.3: statuses worth another attempt */
static gboolean
status_is_retryable (guint status)
{
  static const guint retryable[] = { 408, 429, 499, 500, 502, 503, 504, 509,
    598, 599
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (retryable); i++)
    if (retryable[i] == status)
      return TRUE;
  return FALSE;
}

static gboolean
same_origin (GUri * a, GUri * b)
{
  return g_strcmp0 (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0
      && g_ascii_strcasecmp (g_uri_get_host (a) ? g_uri_get_host (a) : "",
      g_uri_get_host (b) ? g_uri_get_host (b) : "") == 0
      && g_uri_get_port (a) == g_uri_get_port (b);
}

/* Runs before every send of the message, including after a redirect, so the
 * key follows the URL actually requested: it goes to the platform host only
 * and is dropped when a redirect points elsewhere. */
static void
on_message_starting (SoupMessage * msg, SlyClient * client)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  const gchar *task_id = g_getenv ("SUPERVISELY_TASK_ID");
  GUri *uri = soup_message_get_uri (msg);

  if (client->creds.api_token != NULL
      && ((client->platform_uri && same_origin (uri, client->platform_uri))
          || (client->api_uri && same_origin (uri, client->api_uri)))) {
    soup_message_headers_replace (headers, "x-api-key",
        client->creds.api_token);
    if (task_id != NULL && task_id[0] != '\0')
      soup_message_headers_replace (headers, "x-task-id", task_id);
  } else {
    soup_message_headers_remove (headers, "x-api-key");
    soup_message_headers_remove (headers, "x-task-id");
  }
}

static gboolean
on_timeout (gpointer user_data)
{
  PostData *data = g_task_get_task_data (G_TASK (user_data));

  data->timed_out = TRUE;
  g_cancellable_cancel (data->attempt_cancel);
  g_clear_pointer (&data->timeout_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Every way out of a request: no cancellation reaches the task after it. */
static void
post_done (GTask * task)
{
  PostData *data = g_task_get_task_data (task);

  data->returned = TRUE;
  g_clear_pointer (&data->watch, sly_cancel_watch_free);
  g_object_unref (task);
}

/* The caller's cancellable fired (dispatched on the task's context): stop
 * the attempt, or the backoff sleep. */
static gboolean
on_caller_cancelled (gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  PostData *data = g_task_get_task_data (task);

  if (data->returned)
    return G_SOURCE_REMOVE;
  if (data->sleep_source != NULL) {
    destroy_source (&data->sleep_source);
    g_task_return_error_if_cancelled (task);
    post_done (task);
  } else if (data->attempt_cancel != NULL) {
    g_cancellable_cancel (data->attempt_cancel);
  }
  return G_SOURCE_REMOVE;
}

static gboolean
on_retry (gpointer user_data)
{
  PostData *data = g_task_get_task_data (G_TASK (user_data));

  g_clear_pointer (&data->sleep_source, g_source_unref);
  start_attempt (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

static guint
retry_delay_ms (SlyClient * client, PostData * data)
{
  guint64 delay = client->retry_delay_ms;
  const gchar *after = NULL;
  guint i;

  for (i = 1; i < data->attempt && delay < MAX_RETRY_SLEEP_MS; i++)
    delay *= 2;
  if (data->msg != NULL && soup_message_get_status (data->msg) == 429)
    after = soup_message_headers_get_one (soup_message_get_response_headers
        (data->msg), "Retry-After");
  if (after != NULL && g_ascii_isdigit (after[0]))
    delay = MAX (delay, g_ascii_strtoull (after, NULL, 10) * 1000);
  return MIN (delay, MAX_RETRY_SLEEP_MS);
}

/* Either retries (returns TRUE) or leaves the decision to the caller. */
static gboolean
maybe_retry (GTask * task, const GError * error)
{
  SlyClient *client = g_task_get_source_object (task);
  PostData *data = g_task_get_task_data (task);
  g_autofree gchar *url = NULL;
  guint delay;

  if (data->attempt >= client->attempts || (data->flags & SLY_REQUEST_NO_RETRY))
    return FALSE;
  delay = retry_delay_ms (client, data);
  url = sly_client_redact_url (data->url);
  g_debug ("attempt %u of %u to %s failed (%s); retrying in %u ms",
      data->attempt, client->attempts, url, error->message, delay);
  data->sleep_source = g_timeout_source_new (delay);
  g_source_set_callback (data->sleep_source, on_retry, task, NULL);
  g_source_attach (data->sleep_source, g_task_get_context (task));
  return TRUE;
}

static GError *
timeout_error (SlyClient * client, PostData * data)
{
  g_autofree gchar *url = sly_client_redact_url (data->url);

  return g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
      "No answer from %s within %u ms", url, client->timeout_ms);
}

/* A transport error, made safe to show: no secrets, timeouts named. */
static GError *
transport_error (SlyClient * client, PostData * data, GError * error)
{
  g_autofree gchar *text = NULL;
  GError *out;

  if (data->timed_out) {
    g_error_free (error);
    return timeout_error (client, data);
  }
  text = sly_client_redact_text (client, error->message);
  out = g_error_new_literal (error->domain, error->code, text);
  g_error_free (error);
  return out;
}

/* The end of an attempt: @body is the whole answer, or NULL with @error
 * (a transport failure). */
static void
attempt_done (GTask * task, GBytes * body, GError * error)
{
  SlyClient *client = g_task_get_source_object (task);
  PostData *data = g_task_get_task_data (task);
  g_autofree gchar *safe = NULL;
  gboolean retryable;
  guint status;

  destroy_source (&data->timeout_source);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->answer, g_byte_array_unref);
  if (g_task_return_error_if_cancelled (task)) {
    g_clear_error (&error);
    post_done (task);
    return;
  }
  if (body == NULL) {
    error = transport_error (client, data, error);
    retryable = !g_error_matches (error, SLY_ERROR, SLY_ERROR_PARSE);
  } else {
    status = soup_message_get_status (data->msg);
    if (SOUP_STATUS_IS_SUCCESSFUL (status)) {
      g_task_return_pointer (task, g_bytes_ref (body),
          (GDestroyNotify) g_bytes_unref);
      post_done (task);
      return;
    }
    error = sly_http_error_new_from_body (status,
        g_bytes_get_data (body, NULL), g_bytes_get_size (body));
    /* the server may echo what it was sent */
    safe = sly_client_redact_text (client, error->message);
    g_free (error->message);
    error->message = g_steal_pointer (&safe);
    retryable = status_is_retryable (status);
  }
  if (retryable && maybe_retry (task, error)) {
    g_error_free (error);
    return;
  }
  g_task_return_error (task, error);
  post_done (task);
}

static void read_more (GTask * task);

static void
on_read (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  PostData *data = g_task_get_task_data (task);
  g_autoptr (GBytes) chunk = NULL;
  g_autoptr (GBytes) body = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), res,
      &error);
  if (chunk == NULL) {
    attempt_done (task, NULL, error);
    return;
  }
  if (g_bytes_get_size (chunk) == 0) {
    body = g_byte_array_free_to_bytes (g_steal_pointer (&data->answer));
    attempt_done (task, body, NULL);
    return;
  }
  if (data->answer->len + g_bytes_get_size (chunk) > SLY_CLIENT_MAX_ANSWER) {
    attempt_done (task, NULL, g_error_new (SLY_ERROR, SLY_ERROR_PARSE,
            "The answer is larger than %u bytes", SLY_CLIENT_MAX_ANSWER));
    return;
  }
  g_byte_array_append (data->answer, g_bytes_get_data (chunk, NULL),
      g_bytes_get_size (chunk));
  read_more (task);
}

static void
read_more (GTask * task)
{
  PostData *data = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (data->stream, 65536, G_PRIORITY_DEFAULT,
      data->attempt_cancel, on_read, task);
}

/* The headers are in: read the body, bounded, as it comes. */
static void
on_sent (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  PostData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), res, &error);
  if (data->stream == NULL) {
    attempt_done (task, NULL, error);
    return;
  }
  data->answer = g_byte_array_new ();
  read_more (task);
}

static void
start_attempt (GTask * task)
{
  SlyClient *client = g_task_get_source_object (task);
  PostData *data = g_task_get_task_data (task);
  g_autofree gchar *url = NULL;

  data->attempt++;
  data->timed_out = FALSE;
  g_clear_object (&data->msg);
  g_clear_object (&data->attempt_cancel);
  data->msg = soup_message_new (SOUP_METHOD_POST, data->url);
  data->attempt_cancel = g_cancellable_new ();
  if (data->body != NULL)
    soup_message_set_request_body_from_bytes (data->msg, data->content_type,
        data->body);
  /* libsoup opens a new connection for every POST unless the message is
   * marked idempotent; the model calls may be repeated safely (the SDK's
   * client reuses connections too), and a frame per request must not pay
   * a TCP handshake */
  soup_message_add_flags (data->msg, SOUP_MESSAGE_IDEMPOTENT);
  g_signal_connect (data->msg, "starting", G_CALLBACK (on_message_starting),
      client);
  if (client->timeout_ms > 0) {
    data->timeout_source = g_timeout_source_new (client->timeout_ms);
    g_source_set_callback (data->timeout_source, on_timeout, task, NULL);
    g_source_attach (data->timeout_source, g_task_get_context (task));
  }
  url = sly_client_redact_url (data->url);
  g_debug ("POST %s (attempt %u)", url, data->attempt);
  soup_session_send_async (client->session, data->msg, G_PRIORITY_DEFAULT,
      data->attempt_cancel, on_sent, task);
}

void
sly_client_post_async (SlyClient * client, const gchar * url,
    const gchar * content_type, GBytes * body, SlyRequestFlags flags,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task;
  PostData *data;
  g_autoptr (GUri) uri = NULL;
  g_autofree gchar *safe = NULL;

  g_return_if_fail (SLY_IS_CLIENT (client));
  g_return_if_fail (url != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, sly_client_post_async);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)) {
    safe = sly_client_redact_url (url);
    g_task_return_new_error (task, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "Not an http(s) URL: %s", safe);
    g_object_unref (task);
    return;
  }
  data = g_new0 (PostData, 1);
  data->url = g_strdup (url);
  data->content_type = g_strdup (content_type);
  data->body = body ? g_bytes_ref (body) : NULL;
  data->flags = flags;
  g_task_set_task_data (task, data, (GDestroyNotify) post_data_free);
  if (g_task_return_error_if_cancelled (task)) {
    g_object_unref (task);
    return;
  }
  data->watch = sly_cancel_watch_new (task, on_caller_cancelled);
  /* the task's own reference is dropped when it returns */
  start_attempt (task);
}

GBytes *
sly_client_post_finish (SlyClient * client, GAsyncResult * result,
    GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonNode *
sly_client_parse_json (GBytes * body, const gchar * what, GError ** error)
{
  g_autofree gchar *name = g_strdup_printf ("Answer to %s", what);
  gsize size;
  const gchar *text = g_bytes_get_data (body, &size);

  if (size == 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "Empty answer to %s", what);
    return NULL;
  }
  return sly_json_parse (text, size, name, error);
}

/* ---- cancellation from any thread ---- */

/* A GCancellableSource would do, but GLib 2.74 can leak it when the
 * cancellable fires in another thread while the source is being destroyed;
 * a signal handler that only schedules an idle on the task's context has no
 * such race. */
struct _SlyCancelWatch
{
  GCancellable *cancellable;
  gulong handler;
  GTask *task;                  /* not owned: the watch dies first */
  GSourceFunc func;
};

static void
on_watch_cancelled (GCancellable * cancellable, SlyCancelWatch * watch)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, watch->func, g_object_ref (watch->task),
      g_object_unref);
  g_source_attach (idle, g_task_get_context (watch->task));
  g_source_unref (idle);
}

SlyCancelWatch *
sly_cancel_watch_new (GTask * task, GSourceFunc func)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  SlyCancelWatch *watch;

  if (cancellable == NULL)
    return NULL;
  watch = g_new0 (SlyCancelWatch, 1);
  watch->cancellable = g_object_ref (cancellable);
  watch->task = task;
  watch->func = func;
  watch->handler = g_cancellable_connect (cancellable,
      G_CALLBACK (on_watch_cancelled), watch, NULL);
  return watch;
}

void
sly_cancel_watch_free (SlyCancelWatch * watch)
{
  /* waits for a handler running in another thread */
  g_cancellable_disconnect (watch->cancellable, watch->handler);
  g_object_unref (watch->cancellable);
  g_free (watch);
}

/* ---- sync wrappers ---- */

void
sly_client_sync_begin (SlyClient * client)
{
  g_main_context_push_thread_default (client->sync_context);
}

void
sly_client_sync_cb (GObject * source, GAsyncResult * res, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (res);
}

void
sly_client_sync_wait (SlyClient * client, GAsyncResult ** res)
{
  while (*res == NULL)
    g_main_context_iteration (client->sync_context, TRUE);
  g_main_context_pop_thread_default (client->sync_context);
}
