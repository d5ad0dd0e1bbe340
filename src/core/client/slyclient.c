/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SlyClient: construction and routing of the ModelAPI calls
 * (protocol.md 1.1-1.3). In URL mode every call goes to <base>/<method>.
 * In task mode prediction-type calls go to <address>/net/<sessionToken>
 * (found with tasks.info) and the other ModelAPI calls are wrapped in the
 * platform's tasks.request.direct.
 */
#include "config.h"
#include "slyclient-private.h"
#include "slyjson.h"
#include "slyerror.h"

#include <string.h>

#define DEFAULT_TIMEOUT_MS 60000
#define DEFAULT_RETRY_DELAY_MS 1000
/* The element keeps several frames in flight on one client: at least its
 * largest max-inflight, since a request libsoup queues for a connection
 * would spend its timeout before reaching the server. */
#define MAX_CONNS_PER_HOST 64

G_DEFINE_TYPE (SlyClient, sly_client, G_TYPE_OBJECT);

static void
clear_secret (gchar ** secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
sly_client_finalize (GObject * object)
{
  SlyClient *client = SLY_CLIENT (object);

  g_clear_object (&client->session);
  g_clear_pointer (&client->sync_context, g_main_context_unref);
  sly_credentials_clear (&client->creds);
  g_clear_pointer (&client->platform_uri, g_uri_unref);
  g_clear_pointer (&client->api_uri, g_uri_unref);
  g_free (client->base_url);
  clear_secret (&client->session_token);
  clear_secret (&client->url_userinfo);
  clear_secret (&client->url_password);
  g_free (client->upload_prefix);

  G_OBJECT_CLASS (sly_client_parent_class)->finalize (object);
}

static void
sly_client_class_init (SlyClientClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = sly_client_finalize;
}

static void
sly_client_init (SlyClient * client)
{
  client->session = soup_session_new_with_options ("max-conns-per-host",
      MAX_CONNS_PER_HOST, "user-agent", PACKAGE "/" VERSION, NULL);
  client->sync_context = g_main_context_new ();
  client->timeout_ms = DEFAULT_TIMEOUT_MS;
  client->attempts = 1;
  client->retry_delay_ms = DEFAULT_RETRY_DELAY_MS;
  client->max_objects = SLY_CLIENT_DEFAULT_MAX_OBJECTS;
  client->upload_prefix = g_strdup_printf ("sly%08x", g_random_int ());
}

/* An http(s) URL with a host, or NULL with @error set (the URL itself is
 * not repeated: it may hold a session token). */
static GUri *
parse_http_url (const gchar * url, const gchar * what, GError ** error)
{
  g_autoptr (GUri) uri = NULL;
  const gchar *scheme;

  if (url != NULL)
    uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0
          && g_strcmp0 (scheme, "https") != 0)
      || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0') {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "The %s is not an http(s) URL with a host", what);
    return NULL;
  }
  return g_steal_pointer (&uri);
}

static gchar *
strip_trailing_slashes (const gchar * url)
{
  gchar *copy = g_strdup (url);
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  return copy;
}

/* The segment after "/net/" in @path (the session token), or NULL. */
static gchar *
net_segment (const gchar * path)
{
  const gchar *net = path ? strstr (path, "/net/") : NULL;
  gsize len;

  if (net == NULL)
    return NULL;
  net += strlen ("/net/");
  len = strcspn (net, "/");
  return len > 0 ? g_strndup (net, len) : NULL;
}

SlyClient *
sly_client_new_for_url (const gchar * url, GError ** error)
{
  g_autoptr (GUri) uri = NULL;
  SlyClient *client;

  uri = parse_http_url (url, "model URL", error);
  if (uri == NULL)
    return NULL;
  client = g_object_new (SLY_TYPE_CLIENT, NULL);
  client->base_url = strip_trailing_slashes (url);
  /* secrets of the URL, kept out of every message (the URL itself is only
   * shown through sly_redact_url) */
  if (g_uri_get_userinfo (uri) != NULL && g_uri_get_userinfo (uri)[0] != '\0')
    client->url_userinfo = g_strdup (g_uri_get_userinfo (uri));
  if (g_uri_get_password (uri) != NULL && g_uri_get_password (uri)[0] != '\0')
    client->url_password = g_strdup (g_uri_get_password (uri));
  client->session_token = net_segment (g_uri_get_path (uri));
  return client;
}

SlyClient *
sly_client_new_for_task (gint64 task_id, const gchar * server_address,
    const gchar * api_token, GError ** error)
{
  g_auto (SlyCredentials) creds = { NULL, };
  g_autoptr (GUri) platform = NULL;
  g_autoptr (GUri) api = NULL;
  SlyClient *client;

  if (task_id <= 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "Task id %" G_GINT64_FORMAT " is not a positive number", task_id);
    return NULL;
  }
  if (!sly_credentials_resolve (&creds, server_address, api_token, error))
    return NULL;
  platform = parse_http_url (creds.server_address, "platform address", error);
  if (platform == NULL)
    return NULL;
  api = parse_http_url (creds.api_root, "platform API address", error);
  if (api == NULL)
    return NULL;

  client = g_object_new (SLY_TYPE_CLIENT, NULL);
  client->task_mode = TRUE;
  client->task_id = task_id;
  client->creds = creds;
  memset (&creds, 0, sizeof (creds));
  client->platform_uri = g_steal_pointer (&platform);
  client->api_uri = g_steal_pointer (&api);
  return client;
}

void
sly_client_set_timeout (SlyClient * client, guint timeout_ms)
{
  g_return_if_fail (SLY_IS_CLIENT (client));
  client->timeout_ms = timeout_ms;
}

void
sly_client_set_retries (SlyClient * client, guint attempts,
    guint retry_delay_ms)
{
  g_return_if_fail (SLY_IS_CLIENT (client));
  client->attempts = MAX (attempts, 1);
  client->retry_delay_ms = retry_delay_ms;
}

void
sly_client_set_max_objects (SlyClient * client, guint max_objects)
{
  g_return_if_fail (SLY_IS_CLIENT (client));
  client->max_objects = max_objects;
}

gboolean
sly_client_set_tls_ca_file (SlyClient * client, const gchar * path,
    GError ** error)
{
  g_autoptr (GTlsDatabase) database = NULL;
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (SLY_IS_CLIENT (client), FALSE);

  if (path == NULL) {
    /* back to the system's trust store */
    database = g_tls_backend_get_default_database (g_tls_backend_get_default
        ());
  } else {
    database = g_tls_file_database_new (path, &local);
    if (database == NULL) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
          "Cannot use %s as the CA file: %s", path, local->message);
      return FALSE;
    }
  }
  soup_session_set_tls_database (client->session, database);
  return TRUE;
}

gboolean
sly_client_is_task_mode (SlyClient * client)
{
  g_return_val_if_fail (SLY_IS_CLIENT (client), FALSE);
  return client->task_mode;
}

gchar *
sly_client_method_url (SlyClient * client, const gchar * method)
{
  while (*method == '/')
    method++;
  return g_strconcat (client->base_url, "/", method, NULL);
}

static GBytes *
json_to_bytes (JsonNode * node)
{
  gsize len;
  gchar *text = sly_json_to_string (node);

  len = strlen (text);
  return g_bytes_new_take (text, len);
}

/* {"state": ..., "context": {}[, "api_token": ...]} (protocol.md 2.1); the
 * token goes into bodies only in task mode, where it belongs to the
 * platform the request goes through. */
static GBytes *
envelope_bytes (SlyClient * client, JsonNode * state)
{
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj = json_object_new ();

  if (state != NULL && JSON_NODE_HOLDS_OBJECT (state))
    json_object_set_member (obj, "state", json_node_copy (state));
  else
    json_object_set_object_member (obj, "state", json_object_new ());
  json_object_set_object_member (obj, "context", json_object_new ());
  if (client->task_mode)
    json_object_set_string_member (obj, "api_token", client->creds.api_token);
  json_node_take_object (root, obj);
  return json_to_bytes (root);
}

/* ---- POST + JSON answer ---- */

typedef struct
{
  gchar *what;                  /* method name, for messages */
  gchar *url;                   /* nullable until resolved */
  GBytes *body;
  SlyRequestFlags flags;
} CallData;

static void
call_data_free (CallData * data)
{
  g_free (data->what);
  g_free (data->url);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data);
}

static void
on_json_posted (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  CallData *data = g_task_get_task_data (task);
  g_autoptr (GBytes) body = NULL;
  GError *error = NULL;
  JsonNode *node;

  body = sly_client_post_finish (SLY_CLIENT (source), res, &error);
  if (body == NULL) {
    g_task_return_error (task, error);
    return;
  }
  node = sly_client_parse_json (body, data->what, &error);
  if (node == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_free);
}

static void
post_json (GTask * task)
{
  SlyClient *client = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);

  sly_client_post_async (client, data->url, "application/json", data->body,
      data->flags, 0, g_task_get_cancellable (task), on_json_posted, task);
}

static GTask *
json_task_new (SlyClient * client, const gchar * what, gchar * url,
    GBytes * body, SlyRequestFlags flags, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  CallData *data = g_new0 (CallData, 1);

  data->what = g_strdup (what);
  data->url = url;
  data->body = body;
  data->flags = flags;
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);
  return task;
}

static JsonNode *
json_task_finish (GAsyncResult * result, GError ** error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* POST <api root>/v3/<method> with @body as it is (protocol.md 1.3). */
static void
platform_call_async (SlyClient * client, const gchar * method,
    JsonNode * body, SlyRequestFlags flags, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  gchar *url = g_strconcat (client->creds.api_root, "/v3/", method, NULL);
  GTask *task = json_task_new (client, method, url, json_to_bytes (body),
      flags, cancellable, callback, user_data);

  g_task_set_source_tag (task, platform_call_async);
  post_json (task);
}

/* ---- task resolution (tasks.info) ---- */

static void
on_task_info (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  SlyClient *client = SLY_CLIENT (source);
  g_autoptr (JsonNode) info = NULL;
  g_autoptr (GError) error = NULL;
  JsonNode *meta, *token = NULL;

  info = json_task_finish (res, &error);
  if (info == NULL) {
    if (g_error_matches (error, SLY_HTTP_ERROR, 404))
      g_task_return_new_error (task, SLY_HTTP_ERROR, 404,
          "Task with id %" G_GINT64_FORMAT " not found", client->task_id);
    else
      g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  meta = JSON_NODE_HOLDS_OBJECT (info) ?
      json_object_get_member (json_node_get_object (info), "meta") : NULL;
  if (meta != NULL && JSON_NODE_HOLDS_OBJECT (meta))
    token = json_object_get_member (json_node_get_object (meta),
        "sessionToken");
  if (token == NULL || !JSON_NODE_HOLDS_VALUE (token)
      || json_node_get_value_type (token) != G_TYPE_STRING
      || json_node_get_string (token)[0] == '\0'
      || strchr (json_node_get_string (token), '/') != NULL) {
    g_task_return_new_error (task, SLY_ERROR, SLY_ERROR_PARSE,
        "tasks.info of task %" G_GINT64_FORMAT " has no meta.sessionToken "
        "string (is it a serving app?)", client->task_id);
    return;
  }
  if (client->base_url == NULL) {
    client->session_token = g_strdup (json_node_get_string (token));
    client->base_url = g_strconcat (client->creds.server_address, "/net/",
        client->session_token, NULL);
  }
  g_debug ("task %" G_GINT64_FORMAT " resolved", client->task_id);
  g_task_return_boolean (task, TRUE);
}

void
sly_client_resolve_async (SlyClient * client, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonNode) body = NULL;
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  JsonObject *obj;

  g_task_set_source_tag (task, sly_client_resolve_async);
  if (client->base_url != NULL) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  obj = json_object_new ();
  json_object_set_int_member (obj, "id", client->task_id);
  body = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);
  platform_call_async (client, "tasks.info", body, SLY_REQUEST_NONE,
      cancellable, on_task_info, task);
}

gboolean
sly_client_resolve_finish (SlyClient * client, GAsyncResult * result,
    GError ** error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the model route ---- */

static void
on_resolved_for_call (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  CallData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!sly_client_resolve_finish (SLY_CLIENT (source), res, &error)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  data->url = sly_client_method_url (SLY_CLIENT (source), data->what);
  post_json (task);
}

void
sly_client_model_call_async (SlyClient * client, const gchar * method,
    JsonNode * state, SlyRequestFlags flags, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = json_task_new (client, method, NULL,
      envelope_bytes (client, state), flags, cancellable, callback,
      user_data);

  g_task_set_source_tag (task, sly_client_model_call_async);
  sly_client_resolve_async (client, cancellable, on_resolved_for_call, task);
}

JsonNode *
sly_client_model_call_finish (SlyClient * client, GAsyncResult * result,
    GError ** error)
{
  return json_task_finish (result, error);
}

/* ---- the command route (tasks.request.direct in task mode) ---- */

static JsonNode *
direct_envelope (SlyClient * client, const gchar * method, JsonNode * state)
{
  JsonObject *obj = json_object_new ();
  JsonObject *context = json_object_new ();
  JsonNode *node;
  guint timeout_s = client->timeout_ms ? (client->timeout_ms + 999) / 1000 : 60;

  json_object_set_int_member (obj, "taskId", client->task_id);
  json_object_set_string_member (obj, "command", method);
  json_object_set_boolean_member (context, "outside_request", TRUE);
  json_object_set_object_member (obj, "context", context);
  if (state != NULL && JSON_NODE_HOLDS_OBJECT (state))
    json_object_set_member (obj, "state", json_node_copy (state));
  else
    json_object_set_object_member (obj, "state", json_object_new ());
  json_object_set_boolean_member (obj, "skipResponse", FALSE);
  json_object_set_int_member (obj, "timeout", timeout_s);
  node = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);
  return node;
}

static void
command_call_async (SlyClient * client, const gchar * method,
    JsonNode * state, SlyRequestFlags flags, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonNode) envelope = NULL;

  if (!client->task_mode) {
    sly_client_model_call_async (client, method, state, flags, cancellable,
        callback, user_data);
    return;
  }
  envelope = direct_envelope (client, method, state);
  platform_call_async (client, "tasks.request.direct", envelope, flags,
      cancellable, callback, user_data);
}

void
sly_client_call_async (SlyClient * client, const gchar * method,
    JsonObject * state, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonNode) node = NULL;

  g_return_if_fail (SLY_IS_CLIENT (client));
  g_return_if_fail (method != NULL);

  if (state != NULL)
    node = json_node_init_object (json_node_alloc (), state);
  command_call_async (client, method, node, SLY_REQUEST_NONE, cancellable,
      callback, user_data);
}

JsonNode *
sly_client_call_finish (SlyClient * client, GAsyncResult * result,
    GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return json_task_finish (result, error);
}

JsonNode *
sly_client_call_sync (SlyClient * client, const gchar * method,
    JsonObject * state, GCancellable * cancellable, GError ** error)
{
  GAsyncResult *res = NULL;
  JsonNode *node;

  g_return_val_if_fail (SLY_IS_CLIENT (client), NULL);

  sly_client_sync_begin (client);
  sly_client_call_async (client, method, state, cancellable,
      sly_client_sync_cb, &res);
  sly_client_sync_wait (client, &res);
  node = sly_client_call_finish (client, res, error);
  g_object_unref (res);
  return node;
}

/* ---- typed calls: a route, a method and a converter of the answer ---- */

typedef enum
{
  ROUTE_COMMAND,                /* tasks.request.direct in task mode */
  ROUTE_MODEL,                  /* <base>/<method> in both modes */
  ROUTE_PLATFORM,               /* <api root>/v3/<method> */
} Route;

typedef gpointer (*ConvertFunc) (JsonNode * answer, GError ** error);

typedef struct
{
  const gchar *method;
  Route route;
  SlyRequestFlags flags;
  ConvertFunc convert;
  GDestroyNotify free_func;
} TypedCall;

static void
on_typed_answer (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  const TypedCall *call = g_task_get_task_data (task);
  g_autoptr (JsonNode) answer = NULL;
  GError *error = NULL;
  gpointer value;

  answer = json_task_finish (res, &error);
  if (answer == NULL) {
    g_task_return_error (task, error);
    return;
  }
  value = call->convert (answer, &error);
  if (value == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, call->free_func);
}

static void
typed_call_async (SlyClient * client, const TypedCall * call,
    JsonNode * state, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);

  g_task_set_source_tag (task, typed_call_async);
  g_task_set_task_data (task, (gpointer) call, NULL);
  switch (call->route) {
    case ROUTE_COMMAND:
      command_call_async (client, call->method, state, call->flags,
          cancellable, on_typed_answer, task);
      break;
    case ROUTE_MODEL:
      sly_client_model_call_async (client, call->method, state, call->flags,
          cancellable, on_typed_answer, task);
      break;
    case ROUTE_PLATFORM:
      platform_call_async (client, call->method, state, call->flags,
          cancellable, on_typed_answer, task);
      break;
  }
}

static gpointer
typed_call_finish (SlyClient * client, GAsyncResult * result, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, typed_call_async),
      NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
typed_call_sync (SlyClient * client, const TypedCall * call, JsonNode * state,
    GCancellable * cancellable, GError ** error)
{
  GAsyncResult *res = NULL;
  gpointer value;

  sly_client_sync_begin (client);
  typed_call_async (client, call, state, cancellable, sly_client_sync_cb, &res);
  sly_client_sync_wait (client, &res);
  value = typed_call_finish (client, res, error);
  g_object_unref (res);
  return value;
}

/* ---- converters (every answer is untrusted) ---- */

static const gboolean yes = TRUE;
static const gboolean no = FALSE;

static gpointer
convert_object (JsonNode * answer, GError ** error)
{
  if (!JSON_NODE_HOLDS_OBJECT (answer)) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "The answer is not a JSON object");
    return NULL;
  }
  return json_object_ref (json_node_get_object (answer));
}

static JsonNode *
get_member (JsonNode * answer, const gchar * name)
{
  if (!JSON_NODE_HOLDS_OBJECT (answer))
    return NULL;
  return json_object_get_member (json_node_get_object (answer), name);
}

static const gchar *
get_string (JsonNode * node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gpointer
convert_meta (JsonNode * answer, GError ** error)
{
  return sly_project_meta_from_json_node (answer, error);
}

static gpointer
convert_classes (JsonNode * answer, GError ** error)
{
  g_autoptr (SlyProjectMeta) meta = NULL;

  meta = sly_project_meta_from_json_node (answer, error);
  return meta ? sly_project_meta_dup_class_titles (meta) : NULL;
}

static gpointer
convert_settings (JsonNode * answer, GError ** error)
{
  JsonNode *settings = get_member (answer, "settings");

  if (settings == NULL) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "The custom inference settings answer has no \"settings\"");
    return NULL;
  }
  return json_node_copy (settings);
}

static gpointer
convert_tracking (JsonNode * answer, GError ** error)
{
  JsonNode *botsort = get_member (answer, "botsort");

  if (!JSON_NODE_HOLDS_OBJECT (answer)) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "The tracking settings answer is not a JSON object");
    return NULL;
  }
  if (botsort == NULL || JSON_NODE_HOLDS_NULL (botsort)) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_NOT_SUPPORTED,
        "The model does not support tracking (no \"botsort\" settings)");
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (botsort)) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "The \"botsort\" tracking settings are not a JSON object");
    return NULL;
  }
  return json_object_ref (json_node_get_object (botsort));
}

static gpointer
convert_ready (JsonNode * answer, GError ** error)
{
  return (gpointer) (g_strcmp0 (get_string (get_member (answer, "status")),
          "ready") == 0 ? &yes : &no);
}

static gchar *
dup_string_member (JsonNode * answer, const gchar * name, GError ** error)
{
  const gchar *value = get_string (get_member (answer, name));

  if (value == NULL)
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "The answer has no \"%s\" string", name);
  return g_strdup (value);
}

static gpointer
convert_message (JsonNode * answer, GError ** error)
{
  return dup_string_member (answer, "message", error);
}

static gpointer
convert_task_status (JsonNode * answer, GError ** error)
{
  return dup_string_member (answer, "status", error);
}

static gpointer
convert_loaded (JsonNode * answer, GError ** error)
{
  return (gpointer) & yes;
}

static gpointer
convert_string_list (JsonNode * answer, GError ** error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;
  guint i;

  if (!JSON_NODE_HOLDS_ARRAY (answer)) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "The answer is not a JSON array");
    return NULL;
  }
  array = json_node_get_array (answer);
  for (i = 0; i < json_array_get_length (array); i++) {
    const gchar *name = get_string (json_array_get_element (array, i));

    if (name == NULL) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "Item %u of the model list is not a string", i);
      return NULL;
    }
    g_strv_builder_add (builder, name);
  }
  return g_strv_builder_end (builder);
}

static gpointer
convert_array (JsonNode * answer, GError ** error)
{
  if (!JSON_NODE_HOLDS_ARRAY (answer)) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "The answer is not a JSON array");
    return NULL;
  }
  return json_array_ref (json_node_get_array (answer));
}

#define OBJ ((GDestroyNotify) json_object_unref)
static const TypedCall session_info_call = { "get_session_info", ROUTE_MODEL,
  SLY_REQUEST_NONE, convert_object, OBJ
};

static const TypedCall model_meta_call = { "get_output_classes_and_tags",
  ROUTE_COMMAND, SLY_REQUEST_NONE, convert_meta,
  (GDestroyNotify) sly_project_meta_unref
};

static const TypedCall classes_call = { "get_output_classes_and_tags",
  ROUTE_COMMAND, SLY_REQUEST_NONE, convert_classes,
  (GDestroyNotify) g_strfreev
};

static const TypedCall settings_call = { "get_custom_inference_settings",
  ROUTE_COMMAND, SLY_REQUEST_NONE, convert_settings,
  (GDestroyNotify) json_node_free
};

static const TypedCall tracking_call = { "get_tracking_settings",
  ROUTE_COMMAND, SLY_REQUEST_NONE, convert_tracking, OBJ
};

static const TypedCall deploy_info_call = { "get_deploy_info", ROUTE_COMMAND,
  SLY_REQUEST_NO_RETRY, convert_object, OBJ
};

static const TypedCall is_ready_call = { "is_ready", ROUTE_COMMAND,
  SLY_REQUEST_NO_RETRY, convert_ready, NULL
};

static const TypedCall status_call = { "get_status", ROUTE_COMMAND,
  SLY_REQUEST_NONE, convert_object, OBJ
};

static const TypedCall freeze_call = { "freeze_model", ROUTE_COMMAND,
  SLY_REQUEST_NONE, convert_message, g_free
};

static const TypedCall pretrained_call = { "list_pretrained_models",
  ROUTE_MODEL, SLY_REQUEST_NONE, convert_string_list,
  (GDestroyNotify) g_strfreev
};

static const TypedCall pretrained_infos_call = {
  "list_pretrained_model_infos", ROUTE_MODEL, SLY_REQUEST_NONE,
  convert_array, (GDestroyNotify) json_array_unref
};

static const TypedCall shutdown_call = { "tasks.stop", ROUTE_PLATFORM,
  SLY_REQUEST_NONE, convert_task_status, g_free
};

static const TypedCall load_call = { "deploy_from_api", ROUTE_COMMAND,
  SLY_REQUEST_NO_RETRY, convert_loaded, NULL
};

#undef OBJ

/* The _async, _finish and sync functions of a typed call without state. */
#define DEFINE_TYPED_CALL(name, RetType, call)                                \
void                                                                          \
sly_client_##name##_async (SlyClient * client, GCancellable * cancellable,    \
    GAsyncReadyCallback callback, gpointer user_data)                         \
{                                                                             \
  g_return_if_fail (SLY_IS_CLIENT (client));                                  \
  typed_call_async (client, &call, NULL, cancellable, callback, user_data);   \
}                                                                             \
RetType                                                                       \
sly_client_##name##_finish (SlyClient * client, GAsyncResult * result,        \
    GError ** error)                                                          \
{                                                                             \
  return typed_call_finish (client, result, error);                           \
}                                                                             \
RetType                                                                       \
sly_client_##name (SlyClient * client, GCancellable * cancellable,            \
    GError ** error)                                                          \
{                                                                             \
  g_return_val_if_fail (SLY_IS_CLIENT (client), NULL);                        \
  return typed_call_sync (client, &call, NULL, cancellable, error);           \
}

DEFINE_TYPED_CALL (get_session_info, JsonObject *, session_info_call);
DEFINE_TYPED_CALL (get_model_meta, SlyProjectMeta *, model_meta_call);
DEFINE_TYPED_CALL (get_classes, gchar **, classes_call);
DEFINE_TYPED_CALL (get_settings, JsonNode *, settings_call);
DEFINE_TYPED_CALL (get_tracking_settings, JsonObject *, tracking_call);
DEFINE_TYPED_CALL (get_deploy_info, JsonObject *, deploy_info_call);
DEFINE_TYPED_CALL (get_status, JsonObject *, status_call);
DEFINE_TYPED_CALL (freeze_model, gchar *, freeze_call);
DEFINE_TYPED_CALL (list_pretrained_models, gchar **, pretrained_call);
DEFINE_TYPED_CALL (list_pretrained_model_infos, JsonArray *,
    pretrained_infos_call);

/* ---- is_deployed: 503 is an answer, not a failure ---- */

void
sly_client_is_deployed_async (SlyClient * client, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (SLY_IS_CLIENT (client));
  typed_call_async (client, &is_ready_call, NULL, cancellable, callback,
      user_data);
}

gboolean
sly_client_is_deployed_finish (SlyClient * client, GAsyncResult * result,
    GError ** error)
{
  GError *local = NULL;
  const gboolean *ready = typed_call_finish (client, result, &local);

  if (ready != NULL)
    return *ready;
  if (g_error_matches (local, SLY_HTTP_ERROR, 503)) {
    g_error_free (local);
    return FALSE;
  }
  g_propagate_error (error, local);
  return FALSE;
}

gboolean
sly_client_is_ready_finish (SlyClient * client, GAsyncResult * result,
    gboolean * ready, GError ** error)
{
  const gboolean *value = typed_call_finish (client, result, error);

  if (value == NULL)
    return FALSE;
  *ready = *value;
  return TRUE;
}

gboolean
sly_client_is_deployed (SlyClient * client, GCancellable * cancellable,
    GError ** error)
{
  GAsyncResult *res = NULL;
  gboolean ready;

  g_return_val_if_fail (SLY_IS_CLIENT (client), FALSE);

  sly_client_sync_begin (client);
  sly_client_is_deployed_async (client, cancellable, sly_client_sync_cb, &res);
  sly_client_sync_wait (client, &res);
  ready = sly_client_is_deployed_finish (client, res, error);
  g_object_unref (res);
  return ready;
}

/* ---- shutdown: task mode only ---- */

void
sly_client_shutdown_async (SlyClient * client, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonObject) obj = NULL;

  g_return_if_fail (SLY_IS_CLIENT (client));

  if (!client->task_mode) {
    g_task_report_new_error (client, callback, user_data, typed_call_async,
        SLY_ERROR, SLY_ERROR_NOT_SUPPORTED,
        "Shutdown needs task mode: a model URL has no stop command");
    return;
  }
  obj = json_object_new ();
  json_object_set_int_member (obj, "id", client->task_id);
  body = json_node_init_object (json_node_alloc (), obj);
  typed_call_async (client, &shutdown_call, body, cancellable, callback,
      user_data);
}

gchar *
sly_client_shutdown_finish (SlyClient * client, GAsyncResult * result,
    GError ** error)
{
  return typed_call_finish (client, result, error);
}

gchar *
sly_client_shutdown (SlyClient * client, GCancellable * cancellable,
    GError ** error)
{
  GAsyncResult *res = NULL;
  gchar *status;

  g_return_val_if_fail (SLY_IS_CLIENT (client), NULL);

  sly_client_sync_begin (client);
  sly_client_shutdown_async (client, cancellable, sly_client_sync_cb, &res);
  sly_client_sync_wait (client, &res);
  status = sly_client_shutdown_finish (client, res, error);
  g_object_unref (res);
  return status;
}

/* ---- load (deploy_from_api, protocol.md 3.9) ---- */

/* The SDK's client-side runtime aliases; other names pass unchanged. */
static const gchar *
canonical_runtime (const gchar * runtime)
{
  static const struct
  {
    const gchar *alias;
    const gchar *name;
  } aliases[] = {
    {"pytorch", "PyTorch"}, {"torch", "PyTorch"}, {"pt", "PyTorch"},
    {"onnx", "ONNXRuntime"}, {"onnxruntime", "ONNXRuntime"},
    {"tensorrt", "TensorRT"}, {"trt", "TensorRT"}, {"engine", "TensorRT"},
  };
  guint i;

  for (i = 0; runtime != NULL && i < G_N_ELEMENTS (aliases); i++)
    if (g_ascii_strcasecmp (runtime, aliases[i].alias) == 0)
      return aliases[i].name;
  return runtime;
}

static void
set_nullable_string (JsonObject * obj, const gchar * name, const gchar * value)
{
  if (value != NULL)
    json_object_set_string_member (obj, name, value);
  else
    json_object_set_null_member (obj, name);
}

static JsonNode *
deploy_state (const gchar * source, const gchar * model,
    JsonObject * model_files, JsonObject * model_info, const gchar * device,
    const gchar * runtime)
{
  JsonObject *state = json_object_new ();
  JsonObject *params = json_object_new ();
  JsonNode *node;

  json_object_set_string_member (params, "model_source", source);
  json_object_set_object_member (params, "model_files",
      model_files ? json_object_ref (model_files) : json_object_new ());
  json_object_set_object_member (params, "model_info",
      model_info ? json_object_ref (model_info) : json_object_new ());
  set_nullable_string (params, "device", device);
  set_nullable_string (params, "runtime", canonical_runtime (runtime));
  json_object_set_object_member (state, "deploy_params", params);
  if (model != NULL)
    json_object_set_string_member (state, "model_name", model);
  node = json_node_init_object (json_node_alloc (), state);
  json_object_unref (state);
  return node;
}

void
sly_client_load_async (SlyClient * client, const gchar * model,
    const gchar * device, const gchar * runtime, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonNode) state = NULL;

  g_return_if_fail (SLY_IS_CLIENT (client));
  g_return_if_fail (model != NULL);

  state = deploy_state ("Pretrained models", model, NULL, NULL, device,
      runtime);
  typed_call_async (client, &load_call, state, cancellable, callback,
      user_data);
}

void
sly_client_load_custom_async (SlyClient * client, JsonObject * model_files,
    JsonObject * model_info, const gchar * device, const gchar * runtime,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  g_autoptr (JsonNode) state = NULL;

  g_return_if_fail (SLY_IS_CLIENT (client));
  g_return_if_fail (model_files != NULL);

  state = deploy_state ("Custom models", NULL, model_files, model_info,
      device, runtime);
  typed_call_async (client, &load_call, state, cancellable, callback,
      user_data);
}

gboolean
sly_client_load_finish (SlyClient * client, GAsyncResult * result,
    GError ** error)
{
  return typed_call_finish (client, result, error) != NULL;
}

gboolean
sly_client_load (SlyClient * client, const gchar * model,
    const gchar * device, const gchar * runtime, GCancellable * cancellable,
    GError ** error)
{
  GAsyncResult *res = NULL;
  gboolean ok;

  g_return_val_if_fail (SLY_IS_CLIENT (client), FALSE);

  sly_client_sync_begin (client);
  sly_client_load_async (client, model, device, runtime, cancellable,
      sly_client_sync_cb, &res);
  sly_client_sync_wait (client, &res);
  ok = sly_client_load_finish (client, res, error);
  g_object_unref (res);
  return ok;
}

gboolean
sly_client_load_custom (SlyClient * client, JsonObject * model_files,
    JsonObject * model_info, const gchar * device, const gchar * runtime,
    GCancellable * cancellable, GError ** error)
{
  GAsyncResult *res = NULL;
  gboolean ok;

  g_return_val_if_fail (SLY_IS_CLIENT (client), FALSE);

  sly_client_sync_begin (client);
  sly_client_load_custom_async (client, model_files, model_info, device,
      runtime, cancellable, sly_client_sync_cb, &res);
  sly_client_sync_wait (client, &res);
  ok = sly_client_load_finish (client, res, error);
  g_object_unref (res);
  return ok;
}
