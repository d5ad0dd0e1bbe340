/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clienttestutil.h"

#include <libsoup/soup.h>
#include <string.h>

Sample *
sample_load (const gchar * name)
{
  g_autofree gchar *file = g_strconcat (name, ".txt", NULL);
  g_autofree gchar *path = g_build_filename (g_getenv ("SLY_TEST_FILES"),
      "protocol-samples", file, NULL);
  g_autofree gchar *text = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *status, *ctype, *body;
  Sample *sample;
  gsize len, size;

  if (!g_file_get_contents (path, &text, &len, &error))
    g_error ("cannot read sample %s: %s", path, error->message);
  status = strstr (text, "--- HTTP status: ");
  ctype = strstr (text, "\ncontent-type: ");
  body = strstr (text, "--- response body (raw, ");
  g_assert_nonnull (status);
  g_assert_nonnull (body);
  sample = g_new0 (Sample, 1);
  sample->status = atoi (status + strlen ("--- HTTP status: "));
  if (ctype != NULL && ctype < body) {
    ctype += strlen ("\ncontent-type: ");
    sample->content_type = g_strndup (ctype, strcspn (ctype, "\r\n"));
  }
  /* the declared size is not always exact (some samples were edited
   * after recording): the body is the rest of the file minus the final
   * newline */
  body = strchr (body, '\n') + 1;
  size = len - (body - text);
  if (size > 0 && body[size - 1] == '\n')
    size--;
  sample->body = g_bytes_new (body, size);
  return sample;
}

void
sample_free (Sample * sample)
{
  g_free (sample->content_type);
  g_bytes_unref (sample->body);
  g_free (sample);
}

/* ---- the scripted server ---- */

typedef enum
{
  ROUTE_ANSWER,
  ROUTE_REDIRECT,
  ROUTE_HANG,
} RouteKind;

typedef struct
{
  RouteKind kind;
  guint status;
  gchar *content_type;
  GBytes *body;
  gchar *header;
  gchar *header_value;
  gchar *location;
  guint fail_first;
  guint fail_status;
} Route;

struct _MockServer
{
  GThread *thread;
  GTlsCertificate *certificate; /* HTTPS when set */
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  gchar *url;
  GMutex lock;
  GCond ready;
  GHashTable *routes;           /* path -> Route */
  GPtrArray *requests;          /* MockRequest */
  GPtrArray *paused;            /* SoupServerMessage, hanging */
};

static void
route_free (Route * route)
{
  g_free (route->content_type);
  g_clear_pointer (&route->body, g_bytes_unref);
  g_free (route->header);
  g_free (route->header_value);
  g_free (route->location);
  g_free (route);
}

static void
mock_request_free (MockRequest * req)
{
  g_free (req->method);
  g_free (req->path);
  g_free (req->content_type);
  g_free (req->api_key);
  g_free (req->task_id);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_free (req);
}

static void
record (MockServer * mock, SoupServerMessage * msg, const gchar * path)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  MockRequest *req = g_new0 (MockRequest, 1);

  req->method = g_strdup (soup_server_message_get_method (msg));
  req->path = g_strdup (path);
  req->content_type = g_strdup (soup_message_headers_get_one (headers,
          "Content-Type"));
  req->api_key = g_strdup (soup_message_headers_get_one (headers, "x-api-key"));
  req->task_id = g_strdup (soup_message_headers_get_one (headers, "x-task-id"));
  req->body = soup_message_body_flatten (body);
  g_ptr_array_add (mock->requests, req);
}

static void
handler (SoupServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  MockServer *mock = user_data;
  Route *route;

  g_mutex_lock (&mock->lock);
  record (mock, msg, path);
  route = g_hash_table_lookup (mock->routes, path);
  if (route == NULL) {
    soup_server_message_set_status (msg, 404, NULL);
    soup_server_message_set_response (msg, "application/json",
        SOUP_MEMORY_STATIC, "{\"detail\":\"Not Found\"}", 22);
  } else if (route->fail_first > 0) {
    route->fail_first--;
    soup_server_message_set_status (msg, route->fail_status, NULL);
    if (route->fail_status == 429)
      soup_message_headers_replace (soup_server_message_get_response_headers
          (msg), "Retry-After", "1");
    soup_server_message_set_response (msg, "application/json",
        SOUP_MEMORY_STATIC, "{\"message\":\"injected\"}", 22);
  } else if (route->kind == ROUTE_HANG) {
    soup_server_message_pause (msg);
    g_ptr_array_add (mock->paused, g_object_ref (msg));
  } else if (route->kind == ROUTE_REDIRECT) {
    soup_server_message_set_redirect (msg, route->status, route->location);
  } else {
    soup_server_message_set_status (msg, route->status, NULL);
    if (route->header != NULL)
      soup_message_headers_replace (soup_server_message_get_response_headers
          (msg), route->header, route->header_value);
    soup_message_headers_set_content_type
        (soup_server_message_get_response_headers (msg), route->content_type,
        NULL);
    if (g_bytes_get_size (route->body) > 0)
      soup_message_body_append_bytes (soup_server_message_get_response_body
          (msg), route->body);
  }
  g_mutex_unlock (&mock->lock);
}

static gpointer
server_thread (gpointer data)
{
  MockServer *mock = data;
  g_autoptr (GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (mock->context);
  mock->server = soup_server_new ("tls-certificate", mock->certificate, NULL);
  soup_server_add_handler (mock->server, NULL, handler, mock, NULL);
  if (!soup_server_listen_local (mock->server, 0,
          SOUP_SERVER_LISTEN_IPV4_ONLY | (mock->certificate ?
              SOUP_SERVER_LISTEN_HTTPS : 0), &error))
    g_error ("mock server cannot listen: %s", error->message);
  uris = soup_server_get_uris (mock->server);
  g_mutex_lock (&mock->lock);
  mock->url = g_strdup_printf ("%s://127.0.0.1:%d",
      mock->certificate ? "https" : "http", g_uri_get_port (uris->data));
  g_cond_signal (&mock->ready);
  g_mutex_unlock (&mock->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (mock->loop);

  g_clear_object (&mock->server);
  /* let the disconnections finish before the context goes */
  while (g_main_context_iteration (mock->context, FALSE));
  g_main_context_pop_thread_default (mock->context);
  return NULL;
}

static MockServer *
mock_server_start (GTlsCertificate * certificate)
{
  MockServer *mock = g_new0 (MockServer, 1);

  mock->certificate = certificate ? g_object_ref (certificate) : NULL;

  g_mutex_init (&mock->lock);
  g_cond_init (&mock->ready);
  mock->context = g_main_context_new ();
  mock->loop = g_main_loop_new (mock->context, FALSE);
  mock->routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) route_free);
  mock->requests = g_ptr_array_new_with_free_func ((GDestroyNotify)
      mock_request_free);
  mock->paused = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_lock (&mock->lock);
  mock->thread = g_thread_new ("mock-server", server_thread, mock);
  while (mock->url == NULL)
    g_cond_wait (&mock->ready, &mock->lock);
  g_mutex_unlock (&mock->lock);
  return mock;
}

MockServer *
mock_server_new (void)
{
  return mock_server_start (NULL);
}

MockServer *
mock_server_new_https (GTlsCertificate * certificate)
{
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);
  return mock_server_start (certificate);
}

static gboolean
quit_in_thread (gpointer data)
{
  g_main_loop_quit (((MockServer *) data)->loop);
  return G_SOURCE_REMOVE;
}

/* Runs in the server thread: answers the hanging requests, closes every
 * connection, and stops the loop once the closing I/O has run. */
static gboolean
shutdown_in_thread (gpointer data)
{
  MockServer *mock = data;
  GSource *idle;
  guint i;

  g_mutex_lock (&mock->lock);
  for (i = 0; i < mock->paused->len; i++) {
    SoupServerMessage *msg = mock->paused->pdata[i];

    soup_server_message_set_status (msg, 503, NULL);
    soup_server_message_unpause (msg);
  }
  g_ptr_array_set_size (mock->paused, 0);
  g_mutex_unlock (&mock->lock);
  soup_server_disconnect (mock->server);
  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_LOW);
  g_source_set_callback (idle, quit_in_thread, mock, NULL);
  g_source_attach (idle, mock->context);
  g_source_unref (idle);
  return G_SOURCE_REMOVE;
}

void
mock_server_free (MockServer * mock)
{
  g_main_context_invoke (mock->context, shutdown_in_thread, mock);
  g_thread_join (mock->thread);
  g_main_loop_unref (mock->loop);
  g_main_context_unref (mock->context);
  g_hash_table_unref (mock->routes);
  g_ptr_array_unref (mock->requests);
  g_ptr_array_unref (mock->paused);
  g_clear_object (&mock->certificate);
  g_free (mock->url);
  g_mutex_clear (&mock->lock);
  g_cond_clear (&mock->ready);
  g_free (mock);
}

const gchar *
mock_server_get_url (MockServer * mock)
{
  return mock->url;
}

static Route *
add_route (MockServer * mock, const gchar * path, RouteKind kind)
{
  Route *route = g_new0 (Route, 1);

  route->kind = kind;
  g_mutex_lock (&mock->lock);
  g_hash_table_replace (mock->routes, g_strdup (path), route);
  g_mutex_unlock (&mock->lock);
  return route;
}

void
mock_server_add (MockServer * mock, const gchar * path, guint status,
    const gchar * content_type, const gchar * body)
{
  Route *route = g_new0 (Route, 1);

  route->kind = ROUTE_ANSWER;
  route->status = status;
  route->content_type = g_strdup (content_type);
  route->body = g_bytes_new (body, strlen (body));
  g_mutex_lock (&mock->lock);
  g_hash_table_replace (mock->routes, g_strdup (path), route);
  g_mutex_unlock (&mock->lock);
}

void
mock_server_add_with_header (MockServer * mock, const gchar * path,
    guint status, const gchar * content_type, const gchar * body,
    const gchar * header, const gchar * value)
{
  Route *route = g_new0 (Route, 1);

  route->kind = ROUTE_ANSWER;
  route->status = status;
  route->content_type = g_strdup (content_type);
  route->body = g_bytes_new (body, strlen (body));
  route->header = g_strdup (header);
  route->header_value = g_strdup (value);
  g_mutex_lock (&mock->lock);
  g_hash_table_replace (mock->routes, g_strdup (path), route);
  g_mutex_unlock (&mock->lock);
}

void
mock_server_add_bytes (MockServer * mock, const gchar * path, guint status,
    const gchar * content_type, GBytes * body)
{
  Route *route = g_new0 (Route, 1);

  route->kind = ROUTE_ANSWER;
  route->status = status;
  route->content_type = g_strdup (content_type);
  route->body = body;
  g_mutex_lock (&mock->lock);
  g_hash_table_replace (mock->routes, g_strdup (path), route);
  g_mutex_unlock (&mock->lock);
}

void
mock_server_add_sample (MockServer * mock, const gchar * path,
    const gchar * sample_name)
{
  g_autoptr (Sample) sample = sample_load (sample_name);
  Route *route = g_new0 (Route, 1);

  route->kind = ROUTE_ANSWER;
  route->status = sample->status;
  route->content_type = g_strdup (sample->content_type);
  route->body = g_bytes_ref (sample->body);
  g_mutex_lock (&mock->lock);
  g_hash_table_replace (mock->routes, g_strdup (path), route);
  g_mutex_unlock (&mock->lock);
}

void
mock_server_add_redirect (MockServer * mock, const gchar * path,
    guint status, const gchar * location)
{
  Route *route = add_route (mock, path, ROUTE_REDIRECT);

  g_mutex_lock (&mock->lock);
  route->status = status;
  route->location = g_strdup (location);
  g_mutex_unlock (&mock->lock);
}

void
mock_server_add_hang (MockServer * mock, const gchar * path)
{
  add_route (mock, path, ROUTE_HANG);
}

void
mock_server_fail_first (MockServer * mock, const gchar * path, guint n,
    guint status)
{
  Route *route;

  g_mutex_lock (&mock->lock);
  route = g_hash_table_lookup (mock->routes, path);
  g_assert_nonnull (route);
  route->fail_first = n;
  route->fail_status = status;
  g_mutex_unlock (&mock->lock);
}

typedef struct
{
  MockServer *mock;
  const gchar *user;
  const gchar *password;
  gboolean done;
} AuthSetup;

static gboolean
check_basic_auth (SoupAuthDomain * domain, SoupServerMessage * msg,
    const char *username, const char *password, gpointer user_data)
{
  AuthSetup *setup = user_data;

  return g_strcmp0 (username, setup->user) == 0
      && g_strcmp0 (password, setup->password) == 0;
}

static void
auth_setup_free (AuthSetup * setup)
{
  g_free ((gchar *) setup->user);
  g_free ((gchar *) setup->password);
  g_free (setup);
}

/* Runs in the server thread. */
static gboolean
add_auth_in_thread (gpointer data)
{
  AuthSetup *wait = data;
  AuthSetup *setup = g_new0 (AuthSetup, 1);
  SoupAuthDomain *domain;

  setup->user = g_strdup (wait->user);
  setup->password = g_strdup (wait->password);
  domain = soup_auth_domain_basic_new ("realm", "mock", NULL);
  soup_auth_domain_add_path (domain, "/");
  soup_auth_domain_basic_set_auth_callback (domain, check_basic_auth, setup,
      (GDestroyNotify) auth_setup_free);
  soup_server_add_auth_domain (wait->mock->server, domain);
  g_object_unref (domain);
  g_mutex_lock (&wait->mock->lock);
  wait->done = TRUE;
  g_cond_signal (&wait->mock->ready);
  g_mutex_unlock (&wait->mock->lock);
  return G_SOURCE_REMOVE;
}

void
mock_server_require_basic_auth (MockServer * mock, const gchar * user,
    const gchar * password)
{
  AuthSetup wait = { mock, user, password, FALSE };

  g_main_context_invoke (mock->context, add_auth_in_thread, &wait);
  g_mutex_lock (&mock->lock);
  while (!wait.done)
    g_cond_wait (&mock->ready, &mock->lock);
  g_mutex_unlock (&mock->lock);
}

static MockRequest *
mock_request_copy (const MockRequest * req)
{
  MockRequest *copy = g_new0 (MockRequest, 1);

  copy->method = g_strdup (req->method);
  copy->path = g_strdup (req->path);
  copy->content_type = g_strdup (req->content_type);
  copy->api_key = g_strdup (req->api_key);
  copy->task_id = g_strdup (req->task_id);
  copy->body = g_bytes_ref (req->body);
  return copy;
}

GPtrArray *
mock_server_get_requests (MockServer * mock, const gchar * path)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)
      mock_request_free);
  guint i;

  g_mutex_lock (&mock->lock);
  for (i = 0; i < mock->requests->len; i++) {
    MockRequest *req = mock->requests->pdata[i];

    if (path == NULL || g_strcmp0 (req->path, path) == 0)
      g_ptr_array_add (out, mock_request_copy (req));
  }
  g_mutex_unlock (&mock->lock);
  return out;
}
