/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sly-model-server: the SoupServer, routing and the error bodies of
 * protocol.md 2.2. The request bodies are read by slyrequest.c.
 */
#include "slyserver.h"
#include "slyrequest.h"

#include <stdio.h>
#include <string.h>
#include <gio/gnetworking.h>

#include "slyerror.h"
#include "slyjson.h"

#define NET_PREFIX "/net/"
#define PLATFORM_PREFIX "/public/api/v3/"

typedef enum
{
  ROUTE_GET = 1 << 0,
  ROUTE_POST = 1 << 1,
  ROUTE_MULTIPART = 1 << 2,     /* uploads: no "files" part -> 422 */
  ROUTE_INFERENCE = 1 << 3,     /* fault injection and request limit */
} RouteFlags;

typedef struct
{
  const gchar *name;
  SlyHandlerFunc func;
  guint flags;
} Route;

#define POST ROUTE_POST
#define UPLOAD (ROUTE_POST | ROUTE_MULTIPART | ROUTE_INFERENCE)

static const Route routes[] = {
  {"is_ready", sly_handle_is_ready, ROUTE_GET | ROUTE_POST},
  {"readyz", sly_handle_is_ready, ROUTE_GET},
  {"is_alive", sly_handle_is_alive, ROUTE_GET},
  {"livez", sly_handle_is_alive, ROUTE_GET},
  {"is_running", sly_handle_is_alive, POST},
  {"is_deployed", sly_handle_is_deployed, POST},
  {"get_session_info", sly_handle_session_info, POST},
  {"get_custom_inference_settings", sly_handle_custom_settings, POST},
  {"get_output_classes_and_tags", sly_handle_model_meta, POST},
  {"get_model_meta", sly_handle_model_meta, POST},
  {"get_tracking_settings", sly_handle_tracking_settings, POST},
  {"get_deploy_info", sly_handle_deploy_info, POST},
  {"get_status", sly_handle_status, POST},
  {"freeze_model", sly_handle_freeze_model, POST},
  {"deploy_from_api", sly_handle_deploy_from_api, POST},
  {"list_pretrained_models", sly_handle_list_models, POST},
  {"list_pretrained_model_infos", sly_handle_list_model_infos, POST},
  {"get_deploy_settings", sly_handle_deploy_settings, POST},
  {"inference_image", sly_handle_inference_image, UPLOAD},
  {"inference_batch", sly_handle_inference_batch, UPLOAD},
  {"inference_batch_async", sly_handle_inference_batch_async, UPLOAD},
  {"inference_video_async", sly_handle_inference_video_async, UPLOAD},
  {"get_inference_progress", sly_handle_get_inference_progress, POST},
  {"pop_inference_results", sly_handle_pop_inference_results, POST},
  {"get_inference_result", sly_handle_get_inference_result, POST},
  {"stop_inference", sly_handle_stop_inference, POST},
  {"clear_inference_request", sly_handle_clear_inference_request, POST},
  {"get_inference_status", sly_handle_get_inference_status, POST},
  {"get_preparing_progress", sly_handle_get_preparing_progress, POST},
  {"debug_inferred_images", sly_handle_debug_inferred_images,
      ROUTE_GET | ROUTE_POST},
};

#undef POST
#undef UPLOAD

void
sly_server_config_clear (SlyServerConfig * config)
{
  g_clear_pointer (&config->host, g_free);
  g_clear_pointer (&config->model, g_free);
  g_clear_pointer (&config->api_token, g_free);
  g_clear_pointer (&config->session_token, g_free);
  g_clear_pointer (&config->app_name, g_free);
  g_clear_pointer (&config->tracking_settings, g_free);
  g_clear_pointer (&config->redirect, g_free);
}

/* ---- JSON helpers ---- */

JsonNode *
sly_srv_json_member (JsonObject * obj, const gchar * name)
{
  if (obj == NULL || !json_object_has_member (obj, name))
    return NULL;
  return json_object_get_member (obj, name);
}

const gchar *
sly_srv_json_get_string (JsonObject * obj, const gchar * name)
{
  JsonNode *node = sly_srv_json_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
sly_srv_json_get_object (JsonObject * obj, const gchar * name)
{
  JsonNode *node = sly_srv_json_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

gboolean
sly_srv_json_get_number (JsonObject * obj, const gchar * name, gdouble * value)
{
  JsonNode *node = sly_srv_json_member (obj, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *value = json_node_get_double (node);
  return TRUE;
}

gboolean
sly_srv_json_get_int (JsonObject * obj, const gchar * name, gint64 * value)
{
  JsonNode *node = sly_srv_json_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

/* ---- replies ---- */

static void
on_disconnected (SoupServerMessage * msg, SlyRequest * req)
{
  req->disconnected = TRUE;
}

static SlyRequest *
request_new (SlyServer * server, SoupServerMessage * msg, const gchar * method)
{
  SlyRequest *req = g_new0 (SlyRequest, 1);

  req->server = server;
  req->msg = g_object_ref (msg);
  req->method = method;
  req->state = json_object_new ();
  req->disconnect_id = g_signal_connect (msg, "disconnected",
      G_CALLBACK (on_disconnected), req);
  return req;
}

void
sly_request_free (SlyRequest * req)
{
  if (req->counted)
    req->server->inflight--;
  g_signal_handler_disconnect (req->msg, req->disconnect_id);
  g_object_unref (req->msg);
  json_object_unref (req->state);
  g_clear_pointer (&req->files, g_ptr_array_unref);
  g_free (req);
}

void
sly_request_pause (SlyRequest * req)
{
  if (req->paused)
    return;
  req->paused = TRUE;
  soup_server_message_pause (req->msg);
}

void
sly_request_reply_raw (SlyRequest * req, guint status,
    const gchar * content_type, const gchar * data, gsize len)
{
  if (!req->disconnected) {
    /* libsoup 3.2 has no phrase of its own for 429 */
    soup_server_message_set_status (req->msg, status,
        status == 429 ? "Too Many Requests" : NULL);
    soup_server_message_set_response (req->msg, content_type,
        SOUP_MEMORY_COPY, data, len);
    if (req->paused)
      soup_server_message_unpause (req->msg);
  }
  sly_request_free (req);
}

void
sly_request_reply_json (SlyRequest * req, guint status, JsonNode * body)
{
  gsize len = 0;
  g_autofree gchar *text = sly_json_to_string (body);

  len = strlen (text);
  sly_request_reply_raw (req, status, "application/json", text, len);
}

JsonNode *
sly_error_body_new (JsonNode * detail, const gchar * message)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "detail");
  json_builder_add_value (b, detail);
  json_builder_set_member_name (b, "success");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
sly_request_reply_error_node (SlyRequest * req, guint status,
    JsonNode * detail, const gchar * message)
{
  g_autoptr (JsonNode) body = sly_error_body_new (detail, message);

  if (req->server->config.verbose)
    g_printerr ("%s: %u %s\n", req->method ? req->method : "?", status,
        message);
  sly_request_reply_json (req, status, body);
}

void
sly_request_reply_error (SlyRequest * req, guint status,
    const gchar * format, ...)
{
  g_autofree gchar *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  sly_request_reply_error_node (req, status,
      json_node_init_string (json_node_alloc (), message), message);
}

void
sly_request_reply_gerror (SlyRequest * req, const GError * error)
{
  guint status = 500;

  if (error->domain == SLY_HTTP_ERROR)
    status = error->code;
  sly_request_reply_error (req, status, "%s", error->message);
}

void
sly_request_reply_not_deployed (SlyRequest * req)
{
  sly_request_reply_error (req, 500,
      "The model has not yet been deployed. Please, deploy the model first "
      "(deploy_from_api).");
}

void
sly_request_reset (SlyRequest * req)
{
  if (!req->disconnected) {
    g_autoptr (GIOStream) stream = NULL;

    sly_connections_forget (req->server->connections, req->msg);
    stream = soup_server_message_steal_connection (req->msg);

    if (stream)
      g_io_stream_close (stream, NULL, NULL);
  }
  sly_request_free (req);
}

typedef struct
{
  SlyRequest *req;
  SlyHandlerFunc func;
} Delay;

static gboolean
delay_done (gpointer user_data)
{
  Delay *d = user_data;

  d->func (d->req);
  g_free (d);
  return G_SOURCE_REMOVE;
}

void
sly_request_delay (SlyRequest * req, guint ms, SlyHandlerFunc func)
{
  Delay *d = g_new (Delay, 1);

  d->req = req;
  d->func = func;
  sly_request_pause (req);
  g_timeout_add (ms, delay_done, d);
}

/* ---- parsing ---- */

static void
reply_missing_files (SlyRequest * req)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) detail = NULL;

  /* FastAPI's validation error, inside our usual error shape */
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "loc");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "body");
  json_builder_add_string_value (b, "files");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "msg");
  json_builder_add_string_value (b, "field required");
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "value_error.missing");
  json_builder_end_object (b);
  json_builder_end_array (b);
  detail = json_builder_get_root (b);
  sly_request_reply_error_node (req, 422, g_steal_pointer (&detail),
      "field required: body.files");
}

/* Parses the body into @req (slyrequest.c). On failure the request is
 * answered. */
static gboolean
parse_body (SlyRequest * req, guint flags)
{
  SoupMessageHeaders *headers =
      soup_server_message_get_request_headers (req->msg);
  g_autoptr (GBytes) body =
      soup_message_body_flatten (soup_server_message_get_request_body
      (req->msg));
  g_autoptr (GError) error = NULL;
  SlyRequestBody parsed = { 0, };
  gboolean ok;

  ok = sly_request_body_parse (headers, body, &parsed, &error);
  /* the uploads are kept even when the state is refused, as before */
  req->multipart = parsed.multipart;
  json_object_unref (req->state);
  req->state = g_steal_pointer (&parsed.state);
  req->files = g_steal_pointer (&parsed.files);
  sly_request_body_clear (&parsed);
  if (!ok) {
    sly_request_reply_gerror (req, error);
    return FALSE;
  }
  if ((flags & ROUTE_MULTIPART) && (req->files == NULL || req->files->len == 0)) {
    reply_missing_files (req);
    return FALSE;
  }
  return TRUE;
}

/* ---- routing ---- */

static const Route *
find_route (const gchar * method)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (routes); i++)
    if (strcmp (routes[i].name, method) == 0)
      return &routes[i];
  return NULL;
}

static void
reply_simple_error (SoupServerMessage * msg, guint status,
    const gchar * message)
{
  g_autoptr (JsonNode) body = sly_error_body_new (json_node_init_string
      (json_node_alloc (), message), message);
  g_autofree gchar *text = sly_json_to_string (body);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_COPY, text, strlen (text));
}

static void
run_route (SlyServer * server, SoupServerMessage * msg, const Route * route)
{
  SlyRequest *req = request_new (server, msg, route->name);

  if ((route->flags & ROUTE_INFERENCE) && server->config.redirect) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Location", server->config.redirect);
    sly_request_reply_error (req, 302, "Found");
    return;
  }
  if (!parse_body (req, route->flags))
    return;
  if (route->flags & ROUTE_INFERENCE) {
    if (!sly_request_admit (req))
      return;
    if (!sly_request_take_fault (req, route->func))
      return;
  }
  route->func (req);
}

/* /<method> or /net/<session token>/<method>: the model endpoints. */
static void
dispatch_model (SlyServer * server, SoupServerMessage * msg, const gchar * path)
{
  const gchar *http_method = soup_server_message_get_method (msg);
  const Route *route;

  if (g_str_has_prefix (path, NET_PREFIX)) {
    const gchar *token = path + strlen (NET_PREFIX);
    const gchar *slash = strchr (token, '/');
    gsize token_len = slash ? (gsize) (slash - token) : strlen (token);

    /* the token is a capability: compare without echoing it anywhere */
    if (slash == NULL || token_len != strlen (server->config.session_token)
        || strncmp (token, server->config.session_token, token_len) != 0) {
      reply_simple_error (msg, 404, "Not Found");
      return;
    }
    path = slash;
  }
  while (*path == '/')
    path++;

  route = find_route (path);
  if (route == NULL) {
    reply_simple_error (msg, 404, "Not Found");
    return;
  }
  if ((strcmp (http_method, "GET") == 0 && !(route->flags & ROUTE_GET)) ||
      (strcmp (http_method, "POST") == 0 && !(route->flags & ROUTE_POST)) ||
      (strcmp (http_method, "GET") != 0 && strcmp (http_method, "POST") != 0)) {
    reply_simple_error (msg, 405, "Method Not Allowed");
    return;
  }
  run_route (server, msg, route);
}

void
sly_server_run_json (SlyServer * server, SoupServerMessage * msg,
    const gchar * method, JsonObject * state)
{
  const Route *route = find_route (method);
  SlyRequest *req;

  if (route == NULL) {
    reply_simple_error (msg, 404, "Not Found");
    return;
  }
  if (route->flags & ROUTE_MULTIPART) {
    reply_simple_error (msg, 400,
        "This command needs uploaded files: call it on the session URL");
    return;
  }
  req = request_new (server, msg, route->name);
  json_object_unref (req->state);
  req->state = json_object_ref (state);
  route->func (req);
}

static void
server_callback (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  SlyServer *server = user_data;

  if (server->config.verbose)
    g_printerr ("%s %s\n", soup_server_message_get_method (msg),
        g_str_has_prefix (path, NET_PREFIX) ? "/net/<token>/..." : path);
  if (g_str_has_prefix (path, PLATFORM_PREFIX))
    sly_platform_dispatch (server, msg, path + strlen (PLATFORM_PREFIX));
  else
    dispatch_model (server, msg, path);
}

/* ---- upload limit ---- */

static void
on_got_chunk (SoupServerMessage * msg, GBytes * chunk, SlyServer * server)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  /* A chunked upload has no length to check up front: past the limit the
   * connection is closed, as there is no way to answer before the body is
   * read. */
  if ((gsize) body->length > server->config.max_upload_bytes) {
    GSocket *socket = soup_server_message_get_socket (msg);

    g_signal_handlers_disconnect_by_func (msg, on_got_chunk, server);
    if (socket)
      g_socket_shutdown (socket, TRUE, TRUE, NULL);
  }
}

static void
early_callback (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  SlyServer *server = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  switch (soup_message_headers_get_encoding (headers)) {
    case SOUP_ENCODING_CONTENT_LENGTH:
      if ((guint64) soup_message_headers_get_content_length (headers) >
          server->config.max_upload_bytes) {
        g_autofree gchar *message = g_strdup_printf ("Request body of %"
            G_GINT64_FORMAT " bytes is larger than the limit of %"
            G_GSIZE_FORMAT " bytes",
            (gint64) soup_message_headers_get_content_length (headers),
            server->config.max_upload_bytes);

        /* answering now makes libsoup skip the body */
        reply_simple_error (msg, 413, message);
        soup_message_headers_replace (soup_server_message_get_response_headers
            (msg), "Connection", "close");
      }
      break;
    case SOUP_ENCODING_CHUNKED:
      g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), server);
      break;
    default:
      break;
  }
}

/* ---- life cycle ---- */

SlyServer *
sly_server_new (const SlyServerConfig * config, GError ** error)
{
  SlyServer *server = g_new0 (SlyServer, 1);

  server->config = *config;
  server->config.host = g_strdup (config->host);
  server->config.model = g_strdup (config->model);
  server->config.api_token = g_strdup (config->api_token);
  server->config.session_token = g_strdup (config->session_token);
  server->config.app_name = g_strdup (config->app_name);
  server->config.tracking_settings = g_strdup (config->tracking_settings);
  server->config.redirect = g_strdup (config->redirect);
  server->task_status = g_strdup ("deployed");
  server->inferred = g_array_new (FALSE, FALSE, sizeof (SlyInferredImage));
  server->device = g_strdup ("cpu");
  server->runtime = g_strdup ("PyTorch");

  if (!config->no_model) {
    server->model = sly_models_find (config->model);
    if (server->model == NULL) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
          "unknown model '%s'", config->model);
      sly_server_free (server);
      return NULL;
    }
  }
  server->scheduler = sly_scheduler_new (config->workers, config->latency_ms);
  if (config->tracking_settings) {
    g_autoptr (JsonNode) node = NULL;

    if (!sly_tracking_settings_check (config->tracking_settings, error)
        || !(node = json_from_string (config->tracking_settings, error))) {
      sly_server_free (server);
      return NULL;
    }
    server->tracking_settings = json_object_ref (json_node_get_object (node));
  }
  server->faults = sly_faults_new (&config->faults);
  sly_faults_set_enabled (server->faults, !config->faults_off);
  server->soup = soup_server_new ("server-header", "sly-model-server ", NULL);
  server->connections = sly_connections_new (server->soup,
      config->read_timeout_ms, config->verbose);
  soup_server_add_early_handler (server->soup, NULL, early_callback, server,
      NULL);
  soup_server_add_handler (server->soup, NULL, server_callback, server, NULL);
  sly_async_init (server);
  return server;
}

/* The largest listen backlog the system grants (the kernel caps larger
 * values at net.core.somaxconn). */
static gint
max_listen_backlog (void)
{
  g_autofree gchar *text = NULL;
  gint64 value = 0;

  if (g_file_get_contents ("/proc/sys/net/core/somaxconn", &text, NULL, NULL))
    value = g_ascii_strtoll (text, NULL, 10);
  if (value <= 0)
    value = SOMAXCONN;
  return (gint) MIN (value, G_MAXINT);
}

/* A listening socket with the system's largest backlog: SoupServer's own
 * listen functions keep GLib's default of 10, and a burst of connections
 * then waits for SYN retransmissions, seconds each. */
static GSocket *
listen_socket_new (GSocketAddress * address, GError ** error)
{
  GSocketFamily family = g_socket_address_get_family (address);
  g_autoptr (GSocket) socket = g_socket_new (family, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, error);

  if (socket == NULL)
    return NULL;
  /* as SoupServer does: an IPv6 address takes IPv6 connections only */
  if (family == G_SOCKET_FAMILY_IPV6
      && !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, error))
    return NULL;
  g_socket_set_listen_backlog (socket, max_listen_backlog ());
  if (!g_socket_bind (socket, address, TRUE, error)
      || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

gboolean
sly_server_listen (SlyServer * server, GError ** error)
{
  const gchar *host = server->config.host;
  g_autoptr (GInetAddress) addr = NULL;
  g_autoptr (GSocketAddress) sockaddr = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocket) socket = NULL;
  GSList *listeners;
  gint port;
  gboolean v6;

  if (g_strcmp0 (host, "localhost") == 0)
    host = "127.0.0.1";
  addr = g_inet_address_new_from_string (host);
  if (addr == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "--host must be an IP address, not '%s'", host);
    return FALSE;
  }
  sockaddr = g_inet_socket_address_new (addr, server->config.port);
  socket = listen_socket_new (sockaddr, error);
  if (socket == NULL) {
    g_prefix_error (error, "Could not listen on address %s, port %u: ", host,
        server->config.port);
    return FALSE;
  }
  if (!soup_server_listen_socket (server->soup, socket, 0, error))
    return FALSE;

  /* the listener's own address: soup_server_get_uris() leaks one in 3.2 */
  listeners = soup_server_get_listeners (server->soup);
  if (listeners)
    local = g_socket_get_local_address (listeners->data, NULL);
  g_slist_free (listeners);
  port = local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS
      (local)) : -1;
  v6 = g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6;
  g_print ("listening on http://%s%s%s:%d\n", v6 ? "[" : "", host,
      v6 ? "]" : "", port);
  fflush (stdout);
  return TRUE;
}

void
sly_server_free (SlyServer * server)
{
  if (server == NULL)
    return;
  if (server->soup)
    soup_server_disconnect (server->soup);
  g_clear_pointer (&server->connections, sly_connections_free);
  /* jobs first: their done callbacks still see the async records */
  sly_scheduler_free (server->scheduler);
  sly_async_shutdown (server);
  g_clear_object (&server->soup);
  sly_faults_free (server->faults);
  g_clear_pointer (&server->tracking_settings, json_object_unref);
  g_free (server->device);
  g_free (server->runtime);
  g_free (server->task_status);
  g_clear_pointer (&server->inferred, g_array_unref);
  sly_server_config_clear (&server->config);
  g_free (server);
}

void
sly_server_set_faults_enabled (SlyServer * server, gboolean enabled)
{
  if (server->config.verbose)
    g_printerr ("faults switched %s\n", enabled ? "on" : "off");
  sly_faults_set_enabled (server->faults, enabled);
}
