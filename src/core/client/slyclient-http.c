/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One request of the client: a POST with a per-attempt timeout, retries with
 * exponential backoff for the failures protocol.md 1.3 calls retryable
 * (never past the caller's retry deadline), redirects followed by hand
 * (same origin only, never for uploads), the platform key only for the
 * platform host, a bounded answer, and URLs redacted in logs.
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
#include "slyredact.h"

#include <string.h>

#define MAX_RETRY_SLEEP_MS 60000
/* libsoup follows up to 20; an API has no business with long chains */
#define MAX_REDIRECTS 5

typedef struct
{
  gchar *url;
  GUri *origin;                 /* of @url: where redirects may lead */
  SlyClientBody *body;          /* nullable */
  SlyRequestFlags flags;
  gint64 deadline_us;           /* no retry may end after it; 0 = none */
  guint attempt;                /* 1-based, of the running attempt */
  guint attempt_timeout_ms;     /* of the running attempt; 0 = none */
  gchar *hop_url;               /* the URL of this attempt's current hop */
  gboolean hop_get;             /* a 301/302/303 hop: GET without body */
  guint redirects;              /* hops followed in this attempt */
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

/* ---- request bodies: chunks held by reference ---- */

static void
client_body_clear (SlyClientBody * body)
{
  g_free (body->content_type);
  g_ptr_array_unref (body->chunks);
}

SlyClientBody *
sly_client_body_new (const gchar * content_type)
{
  SlyClientBody *body = g_atomic_rc_box_new0 (SlyClientBody);

  body->content_type = g_strdup (content_type);
  body->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  return body;
}

void
sly_client_body_append (SlyClientBody * body, GBytes * chunk)
{
  body->length += g_bytes_get_size (chunk);
  g_ptr_array_add (body->chunks, g_bytes_ref (chunk));
}

SlyClientBody *
sly_client_body_ref (SlyClientBody * body)
{
  return g_atomic_rc_box_acquire (body);
}

void
sly_client_body_unref (SlyClientBody * body)
{
  g_atomic_rc_box_release_full (body, (GDestroyNotify) client_body_clear);
}

GInputStream *
sly_client_body_new_stream (SlyClientBody * body)
{
  GInputStream *stream = g_memory_input_stream_new ();
  guint i;

  for (i = 0; i < body->chunks->len; i++)
    g_memory_input_stream_add_bytes (G_MEMORY_INPUT_STREAM (stream),
        body->chunks->pdata[i]);
  return stream;
}

GBytes *
sly_client_body_flatten (SlyClientBody * body)
{
  GByteArray *all = g_byte_array_sized_new (body->length);
  guint i;

  for (i = 0; i < body->chunks->len; i++) {
    gsize size;
    gconstpointer bytes = g_bytes_get_data (body->chunks->pdata[i], &size);

    g_byte_array_append (all, bytes, size);
  }
  return g_byte_array_free_to_bytes (all);
}

/* Gives @msg a fresh stream over @body. libsoup drops the stream of a
 * message it restarts itself (a 401 answered with credentials, a request
 * re-sent on a keep-alive connection the server had closed), so this runs
 * again on "restarted": the repeated request carries the same bytes. */
static void
set_request_body (SoupMessage * msg, SlyClientBody * body)
{
  g_autoptr (GInputStream) stream = sly_client_body_new_stream (body);

  soup_message_set_request_body (msg, body->content_type, stream,
      (gssize) body->length);
}

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
  g_clear_pointer (&data->origin, g_uri_unref);
  g_free (data->hop_url);
  g_clear_pointer (&data->body, sly_client_body_unref);
  g_clear_object (&data->msg);
  g_clear_object (&data->attempt_cancel);
  g_free (data);
}

/* The client's secrets, for sly_redact_text(): the API token, the session
 * token, the user info of the model URL and its password. */
static void
client_secrets (SlyClient * client, const gchar * secrets[5])
{
  guint n = 0;

  if (client->creds.api_token != NULL)
    secrets[n++] = client->creds.api_token;
  if (client->session_token != NULL)
    secrets[n++] = client->session_token;
  if (client->url_userinfo != NULL)
    secrets[n++] = client->url_userinfo;
  if (client->url_password != NULL)
    secrets[n++] = client->url_password;
  secrets[n] = NULL;
}

gchar *
sly_client_redact_text (SlyClient * client, const gchar * text)
{
  const gchar *secrets[5];

  client_secrets (client, secrets);
  return sly_redact_text (text, secrets);
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

gboolean
sly_uri_same_origin (GUri * a, GUri * b)
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
      && ((client->platform_uri
              && sly_uri_same_origin (uri, client->platform_uri))
          || (client->api_uri && sly_uri_same_origin (uri, client->api_uri)))) {
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

/* The pause before the next attempt: exponential backoff, at least a 429's
 * Retry-After, and never longer than the per-attempt timeout (nor 60 s): a
 * server cannot park a caller for longer than one attempt may take. */
static guint
retry_delay_ms (SlyClient * client, PostData * data)
{
  guint64 delay = client->retry_delay_ms;
  guint64 cap = MAX_RETRY_SLEEP_MS;
  const gchar *after = NULL;
  guint i;

  for (i = 1; i < data->attempt && delay < MAX_RETRY_SLEEP_MS; i++)
    delay *= 2;
  if (data->msg != NULL && soup_message_get_status (data->msg) == 429)
    after = soup_message_headers_get_one (soup_message_get_response_headers
        (data->msg), "Retry-After");
  if (after != NULL && g_ascii_isdigit (after[0]))
    delay = MAX (delay, MIN (g_ascii_strtoull (after, NULL, 10),
            MAX_RETRY_SLEEP_MS) * 1000);
  if (client->timeout_ms > 0)
    cap = MIN (cap, client->timeout_ms);
  return MIN (delay, cap);
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
  url = sly_redact_url (data->url);
  /* the next attempt must start before the deadline (it is cut there) */
  if (data->deadline_us > 0 &&
      g_get_monotonic_time () + (gint64) delay * 1000 >= data->deadline_us) {
    g_debug ("attempt %u of %u to %s failed (%s); no retry: a pause of %u ms "
        "would end after the retry deadline", data->attempt, client->attempts,
        url, error->message, delay);
    return FALSE;
  }
  g_debug ("attempt %u of %u to %s failed (%s); retrying in %u ms",
      data->attempt, client->attempts, url, error->message, delay);
  data->sleep_source = g_timeout_source_new (delay);
  g_source_set_callback (data->sleep_source, on_retry, task, NULL);
  g_source_attach (data->sleep_source, g_task_get_context (task));
  return TRUE;
}

static GError *
timeout_error (PostData * data)
{
  g_autofree gchar *url = sly_redact_url (data->url);

  return g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
      "No answer from %s within %u ms%s", url, data->attempt_timeout_ms,
      data->attempt > 1 && data->deadline_us > 0 ? " (retry deadline)" : "");
}

/* A transport error, made safe to show: no secrets, timeouts named, an
 * untrusted certificate said so. */
static GError *
transport_error (SlyClient * client, PostData * data, GError * error)
{
  g_autofree gchar *text = NULL;
  g_autofree gchar *url = NULL;
  GError *out;

  if (data->timed_out) {
    g_error_free (error);
    return timeout_error (data);
  }
  text = sly_client_redact_text (client, error->message);
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE)) {
    url = sly_redact_url (data->hop_url);
    out = g_error_new (error->domain, error->code, "The TLS certificate of "
        "%s is not trusted (%s): its CA is not in the trusted set (see "
        "sly_client_set_tls_ca_file), or it names another host, or it has "
        "expired", url, text);
  } else {
    out = g_error_new_literal (error->domain, error->code, text);
  }
  g_error_free (error);
  return out;
}

static void send_hop (GTask * task);

/* A 3xx with a Location: follows it (returns TRUE, the attempt goes on) or
 * sets @error. Uploads never follow one (the answer of another URL would be
 * taken for the frame's prediction); other calls follow up to MAX_REDIRECTS
 * hops within the origin of the request, as libsoup would: 301/302 of a
 * POST and 303 become a GET without body, 307/308 repeat the POST. */
static gboolean
follow_redirect (GTask * task, guint status, GError ** error)
{
  PostData *data = g_task_get_task_data (task);
  const gchar *location = soup_message_headers_get_one
      (soup_message_get_response_headers (data->msg), "Location");
  g_autoptr (GUri) target = NULL;
  g_autofree gchar *shown = NULL;

  if (location != NULL)
    target = g_uri_parse_relative (soup_message_get_uri (data->msg),
        location, SOUP_HTTP_URI_FLAGS, NULL);
  if (target != NULL) {
    g_autofree gchar *text = g_uri_to_string (target);

    shown = sly_redact_url (text);
  } else {
    shown = g_strdup (location ? "(not a URL)" : "(no Location)");
  }
  if (data->flags & SLY_REQUEST_NO_REDIRECT) {
    g_set_error (error, SLY_HTTP_ERROR, status, "The server answered the "
        "inference request with a redirect (HTTP %u to %s); inference "
        "requests do not follow redirects", status, shown);
    return FALSE;
  }
  if (target == NULL || !sly_uri_same_origin (target, data->origin)) {
    g_set_error (error, SLY_HTTP_ERROR, status, "The server redirected the "
        "request (HTTP %u) to %s, outside the origin of the request: not "
        "followed", status, shown);
    return FALSE;
  }
  if (data->redirects >= MAX_REDIRECTS) {
    g_set_error (error, SLY_HTTP_ERROR, status, "Too many redirects (more "
        "than %u, the last HTTP %u to %s)", MAX_REDIRECTS, status, shown);
    return FALSE;
  }
  data->redirects++;
  g_free (data->hop_url);
  data->hop_url = g_uri_to_string (target);
  if (status == SOUP_STATUS_SEE_OTHER || status == SOUP_STATUS_MOVED_PERMANENTLY
      || status == SOUP_STATUS_FOUND)
    data->hop_get = TRUE;
  g_debug ("HTTP %u: following the redirect to %s", status, shown);
  send_hop (task);
  return TRUE;
}

static gboolean
is_redirect (guint status)
{
  return status == SOUP_STATUS_MOVED_PERMANENTLY || status == SOUP_STATUS_FOUND
      || status == SOUP_STATUS_SEE_OTHER
      || status == SOUP_STATUS_TEMPORARY_REDIRECT
      || status == SOUP_STATUS_PERMANENT_REDIRECT;
}

/* The end of a hop: @body is the whole answer, or NULL with @error
 * (a transport failure). */
static void
attempt_done (GTask * task, GBytes * body, GError * error)
{
  SlyClient *client = g_task_get_source_object (task);
  PostData *data = g_task_get_task_data (task);
  const gchar *secrets[5];
  gboolean retryable;
  guint status;

  g_clear_object (&data->stream);
  g_clear_pointer (&data->answer, g_byte_array_unref);
  if (g_task_return_error_if_cancelled (task)) {
    destroy_source (&data->timeout_source);
    g_clear_error (&error);
    post_done (task);
    return;
  }
  if (body == NULL) {
    destroy_source (&data->timeout_source);
    error = transport_error (client, data, error);
    retryable = !g_error_matches (error, SLY_ERROR, SLY_ERROR_PARSE)
        && error->domain != G_TLS_ERROR;
  } else {
    status = soup_message_get_status (data->msg);
    if (is_redirect (status)) {
      if (follow_redirect (task, status, &error))
        return;
      destroy_source (&data->timeout_source);
      g_task_return_error (task, error);
      post_done (task);
      return;
    }
    destroy_source (&data->timeout_source);
    if (SOUP_STATUS_IS_SUCCESSFUL (status)) {
      g_task_return_pointer (task, g_bytes_ref (body),
          (GDestroyNotify) g_bytes_unref);
      post_done (task);
      return;
    }
    /* the server may echo what it was sent: redacted before it is cut */
    client_secrets (client, secrets);
    error = sly_http_error_new_from_body_redacted (status,
        g_bytes_get_data (body, NULL), g_bytes_get_size (body), secrets);
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
  if (data->answer->len + g_bytes_get_size (chunk) >
      SLY_CLIENT_MAX_ANSWER_BYTES) {
    attempt_done (task, NULL, g_error_new (SLY_ERROR, SLY_ERROR_PARSE,
            "The answer is larger than %u bytes", SLY_CLIENT_MAX_ANSWER_BYTES));
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

/* Sends the current hop of the attempt (its first, or a redirect's). */
static void
send_hop (GTask * task)
{
  SlyClient *client = g_task_get_source_object (task);
  PostData *data = g_task_get_task_data (task);
  g_autofree gchar *url = NULL;

  g_clear_object (&data->msg);
  data->msg = soup_message_new (data->hop_get ? SOUP_METHOD_GET :
      SOUP_METHOD_POST, data->hop_url);
  if (data->body != NULL && !data->hop_get) {
    set_request_body (data->msg, data->body);
    g_signal_connect_data (data->msg, "restarted",
        G_CALLBACK (set_request_body), sly_client_body_ref (data->body),
        (GClosureNotify) sly_client_body_unref, 0);
  }
  /* libsoup opens a new connection for every POST unless the message is
   * marked idempotent; the model calls may be repeated safely (the SDK's
   * client reuses connections too), and a frame per request must not pay
   * a TCP handshake. Redirects are ours to judge (follow_redirect). */
  soup_message_add_flags (data->msg, SOUP_MESSAGE_IDEMPOTENT |
      SOUP_MESSAGE_NO_REDIRECT);
  g_signal_connect (data->msg, "starting", G_CALLBACK (on_message_starting),
      client);
  url = sly_redact_url (data->hop_url);
  g_debug ("%s %s (attempt %u)", data->hop_get ? "GET" : "POST", url,
      data->attempt);
  soup_session_send_async (client->session, data->msg, G_PRIORITY_DEFAULT,
      data->attempt_cancel, on_sent, task);
}

static void
start_attempt (GTask * task)
{
  SlyClient *client = g_task_get_source_object (task);
  PostData *data = g_task_get_task_data (task);

  data->attempt++;
  data->timed_out = FALSE;
  data->redirects = 0;
  data->hop_get = FALSE;
  g_free (data->hop_url);
  data->hop_url = g_strdup (data->url);
  g_clear_object (&data->attempt_cancel);
  data->attempt_cancel = g_cancellable_new ();
  /* a retry is cut at the caller's deadline */
  data->attempt_timeout_ms = client->timeout_ms;
  if (data->attempt > 1 && data->deadline_us > 0) {
    gint64 left_ms = (data->deadline_us - g_get_monotonic_time ()) / 1000;
    guint left = (guint) CLAMP (left_ms, 1, G_MAXUINT);

    data->attempt_timeout_ms = data->attempt_timeout_ms > 0 ?
        MIN (data->attempt_timeout_ms, left) : left;
  }
  if (data->attempt_timeout_ms > 0) {
    data->timeout_source = g_timeout_source_new (data->attempt_timeout_ms);
    g_source_set_callback (data->timeout_source, on_timeout, task, NULL);
    g_source_attach (data->timeout_source, g_task_get_context (task));
  }
  send_hop (task);
}

void
sly_client_post_body_async (SlyClient * client, const gchar * url,
    SlyClientBody * body, SlyRequestFlags flags, gint64 retry_deadline_us,
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
  g_task_set_source_tag (task, sly_client_post_body_async);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)) {
    safe = sly_redact_url (url);
    g_task_return_new_error (task, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "Not an http(s) URL: %s", safe);
    g_object_unref (task);
    return;
  }
  data = g_new0 (PostData, 1);
  data->url = g_strdup (url);
  data->origin = g_steal_pointer (&uri);
  data->body = body ? sly_client_body_ref (body) : NULL;
  data->flags = flags;
  data->deadline_us = MAX (retry_deadline_us, 0);
  g_task_set_task_data (task, data, (GDestroyNotify) post_data_free);
  if (g_task_return_error_if_cancelled (task)) {
    g_object_unref (task);
    return;
  }
  data->watch = sly_cancel_watch_new (task, on_caller_cancelled);
  /* the task's own reference is dropped when it returns */
  start_attempt (task);
}

void
sly_client_post_async (SlyClient * client, const gchar * url,
    const gchar * content_type, GBytes * body, SlyRequestFlags flags,
    gint64 retry_deadline_us, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (SlyClientBody) chunks = NULL;

  if (body != NULL) {
    chunks = sly_client_body_new (content_type);
    sly_client_body_append (chunks, body);
  }
  sly_client_post_body_async (client, url, chunks, flags, retry_deadline_us,
      cancellable, callback, user_data);
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
