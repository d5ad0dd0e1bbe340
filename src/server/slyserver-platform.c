/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The platform calls that task-id mode needs (protocol.md 1.2, 1.3):
 * tasks.info, tasks.request.direct and tasks.stop, for the one task this
 * server plays. With --api-token they require a matching x-api-key.
 */
#include "slyserver.h"
#include "slyjson.h"

#include <string.h>

static void
reply (SoupServerMessage * msg, guint status, JsonNode * body)
{
  g_autofree gchar *text = sly_json_to_string (body);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_COPY, text, strlen (text));
}

static void
reply_error (SoupServerMessage * msg, guint status, const gchar * format, ...)
G_GNUC_PRINTF (3, 4);

     static void
         reply_error (SoupServerMessage * msg, guint status,
    const gchar * format, ...)
{
  g_autofree gchar *message = NULL;
  g_autoptr (JsonNode) body = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  body = sly_error_body_new (json_node_init_string (json_node_alloc (),
          message), message);
  reply (msg, status, body);
}

/* Never says which token was expected or received. */
static gboolean
check_token (SlyServer * server, SoupServerMessage * msg)
{
  const gchar *given;

  if (server->config.api_token == NULL)
    return TRUE;
  given = soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "x-api-key");
  if (given && strcmp (given, server->config.api_token) == 0)
    return TRUE;
  reply_error (msg, 401, given ? "Invalid API token" : "Missing API token "
      "(header x-api-key)");
  return FALSE;
}

static JsonObject *
parse_body (SoupServerMessage * msg)
{
  g_autoptr (GBytes) bytes =
      soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);

  if (len == 0)
    return json_object_new ();
  root = sly_srv_json_parse (data, len, &error);
  if (root == NULL) {
    reply_error (msg, 400, "Cannot decode request body: %s", error->message);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    reply_error (msg, 400, "Request body is not a JSON object");
    return NULL;
  }
  return json_object_ref (json_node_get_object (root));
}

/* The task id member @name of @body, answering 400/404 when it is not ours */
static gboolean
check_task_id (SlyServer * server, SoupServerMessage * msg, JsonObject * body,
    const gchar * name)
{
  gint64 id;

  if (!sly_srv_json_get_int (body, name, &id)) {
    reply_error (msg, 400, "'%s' must be an integer task id", name);
    return FALSE;
  }
  if (id != server->config.task_id) {
    reply_error (msg, 404, "Task with id %" G_GINT64_FORMAT " not found", id);
    return FALSE;
  }
  return TRUE;
}

static void
tasks_info (SlyServer * server, SoupServerMessage * msg, JsonObject * body)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;

  if (!check_task_id (server, msg, body, "id"))
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, server->config.task_id);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, server->task_status);
  json_builder_set_member_name (b, "meta");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sessionToken");
  json_builder_add_string_value (b, server->config.session_token);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, server->config.app_name);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply (msg, 200, root);
}

static void
tasks_request_direct (SlyServer * server, SoupServerMessage * msg,
    JsonObject * body)
{
  const gchar *command = sly_srv_json_get_string (body, "command");
  JsonNode *state = sly_srv_json_member (body, "state");
  g_autoptr (JsonObject) empty = json_object_new ();

  if (!check_task_id (server, msg, body, "taskId"))
    return;
  if (command == NULL) {
    reply_error (msg, 400, "'command' must be a string");
    return;
  }
  if (state && !JSON_NODE_HOLDS_NULL (state) && !JSON_NODE_HOLDS_OBJECT (state)) {
    reply_error (msg, 400, "'state' must be a JSON object");
    return;
  }
  /* what the app would see as POST /<command> {"state": ..., "context"} */
  sly_server_run_json (server, msg, command, state
      && JSON_NODE_HOLDS_OBJECT (state) ? json_node_get_object (state) : empty);
}

static void
tasks_stop (SlyServer * server, SoupServerMessage * msg, JsonObject * body)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;

  if (!check_task_id (server, msg, body, "id"))
    return;
  /* the app goes away: the model is unloaded, the process stays for tests */
  server->model = NULL;
  g_free (server->task_status);
  server->task_status = g_strdup ("stopped");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, server->config.task_id);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, server->task_status);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply (msg, 200, root);
}

gboolean
sly_platform_dispatch (SlyServer * server, SoupServerMessage * msg,
    const gchar * method)
{
  g_autoptr (JsonObject) body = NULL;

  if (strcmp (soup_server_message_get_method (msg), "POST") != 0) {
    reply_error (msg, 405, "Method Not Allowed");
    return TRUE;
  }
  if (!check_token (server, msg))
    return TRUE;
  if (!(body = parse_body (msg)))
    return TRUE;
  if (strcmp (method, "tasks.info") == 0)
    tasks_info (server, msg, body);
  else if (strcmp (method, "tasks.request.direct") == 0)
    tasks_request_direct (server, msg, body);
  else if (strcmp (method, "tasks.stop") == 0)
    tasks_stop (server, msg, body);
  else
    reply_error (msg, 404, "Not Found");
  return TRUE;
}
