/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sly-model-server: a reference Supervisely model server on loopback.
 *
 *   sly-model-server --port 0 --model blob-detector --latency-ms 20
 *
 * prints "listening on http://127.0.0.1:PORT" once it accepts requests and
 * exits with status 0 on SIGINT or SIGTERM. docs/server.md has every option.
 */
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "slyserver.h"

#define DEFAULT_MAX_UPLOAD (64 * 1024 * 1024)
#define DEFAULT_MAX_DECODED (G_GINT64_CONSTANT (1024) * 1024 * 1024)
/* inference threads */
#define MAX_WORKERS 256
#define DEFAULT_READ_TIMEOUT_MS 10000
/* without 429: the draws of a seed stay those of older versions */
#define DEFAULT_FAIL_KINDS "500,503,slow,reset,malformed,truncated"

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_faults_on (gpointer user_data)
{
  sly_server_set_faults_enabled (user_data, TRUE);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_faults_off (gpointer user_data)
{
  sly_server_set_faults_enabled (user_data, FALSE);
  return G_SOURCE_CONTINUE;
}

/* Started by a program that reads our stdout through a pipe (a test): when
 * that program dies without stopping us, nobody can reach this server any
 * more, so it stops too instead of lingering (and keeping the runner's
 * pipes open). */
static gboolean
exit_with_reader (pid_t parent)
{
#ifdef __linux__
  struct stat st;

  if (fstat (STDOUT_FILENO, &st) == 0 && S_ISFIFO (st.st_mode)) {
    prctl (PR_SET_PDEATHSIG, SIGTERM);
    /* the parent may have died before the call */
    return getppid () == parent;
  }
#endif
  return TRUE;
}

static gchar *
random_token (void)
{
  GString *s = g_string_new (NULL);
  gint i;

  for (i = 0; i < 4; i++)
    g_string_append_printf (s, "%08x", g_random_int ());
  return g_string_free (s, FALSE);
}

typedef struct
{
  gchar *host;
  gint port;
  gint64 max_upload;
  gint64 max_decoded;
  gint max_requests;
  gint max_async;
  gint latency_ms;
  gint workers;
  gint max_batch;
  gboolean no_model;
  gchar *model;
  gboolean no_tracking;
  gboolean no_sliding_window;
  gint64 task_id;
  gchar *api_token;
  gchar *session_token;
  gchar *app_name;
  gboolean production;
  gboolean verbose;
  gdouble fail_rate;
  gchar *fail_kinds;
  gint slow_ms;
  gint64 seed;
  gint read_timeout_ms;
  gint retry_after;
  gboolean faults_off;
  gchar *tracking_settings;
  gchar *redirect;
} Options;

static gboolean
fail (GError ** error, const gchar * message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      message);
  return FALSE;
}

/* Checks the parsed options and fills @config (owning copies). */
static gboolean
options_to_config (Options * o, SlyServerConfig * config, GError ** error)
{
  if (o->port < 0 || o->port > 65535)
    return fail (error, "--port must be 0..65535");
  if (o->max_upload < 1 || o->max_decoded < 1 || o->max_requests < 1
      || o->max_async < 1 || o->workers < 1)
    return fail (error,
        "--max-upload-bytes, --max-decoded-bytes, "
        "--max-requests, --max-async-requests and --workers must be at "
        "least 1");
  /* one thread each, all started with the server */
  if (o->workers > MAX_WORKERS)
    return fail (error, "--workers must be at most " G_STRINGIFY (MAX_WORKERS));
  if (o->latency_ms < 0 || o->max_batch < 0 || o->slow_ms < 0
      || o->read_timeout_ms < 0 || o->retry_after < 0)
    return fail (error, "--latency-ms, --max-batch-size, --slow-ms, "
        "--read-timeout-ms and --retry-after cannot be negative");
  if (o->redirect) {
    g_autoptr (GUri) uri = g_uri_parse (o->redirect, G_URI_FLAGS_NONE, NULL);

    if (uri == NULL || g_uri_get_host (uri) == NULL)
      return fail (error, "--redirect must be an absolute URL");
  }
  if (o->tracking_settings
      && !sly_tracking_settings_check (o->tracking_settings, error))
    return FALSE;
  if (o->fail_rate < 0 || o->fail_rate > 1)
    return fail (error, "--fail-rate must be within 0..1");

  config->host = g_strdup (o->host ? o->host : "127.0.0.1");
  config->port = o->port;
  config->max_upload_bytes = o->max_upload;
  config->max_decoded_bytes = o->max_decoded;
  config->max_requests = o->max_requests;
  config->max_async_requests = o->max_async;
  config->latency_ms = o->latency_ms;
  config->workers = o->workers;
  config->max_batch_size = o->max_batch;
  config->no_model = o->no_model;
  config->model = g_strdup (o->model ? o->model : "blob-detector");
  config->no_tracking = o->no_tracking;
  config->no_sliding_window = o->no_sliding_window;
  config->task_id_set = o->task_id >= 0;
  config->task_id = o->task_id >= 0 ? o->task_id : 1;
  config->api_token = o->api_token && *o->api_token ?
      g_strdup (o->api_token) : NULL;
  config->session_token = o->session_token && *o->session_token ?
      g_strdup (o->session_token) : random_token ();
  config->app_name = g_strdup (o->app_name ? o->app_name :
      "Neural Network Serving");
  config->production = o->production;
  config->verbose = o->verbose;
  config->faults.rate = o->fail_rate;
  config->faults.slow_ms = o->slow_ms;
  config->faults.seed = (guint32) o->seed;
  config->faults.retry_after = o->retry_after;
  config->faults_off = o->faults_off;
  config->read_timeout_ms = o->read_timeout_ms;
  config->tracking_settings = g_strdup (o->tracking_settings);
  config->redirect = g_strdup (o->redirect);
  if (!sly_fault_kinds_parse (o->fail_kinds, &config->faults.kinds, error))
    return FALSE;
  return TRUE;
}

static void
options_clear (Options * o)
{
  g_free (o->host);
  g_free (o->model);
  g_free (o->api_token);
  g_free (o->session_token);
  g_free (o->app_name);
  g_free (o->fail_kinds);
  g_free (o->tracking_settings);
  g_free (o->redirect);
}

int
main (int argc, char **argv)
{
  Options o = {
    .port = 8000,
    .max_upload = DEFAULT_MAX_UPLOAD,
    .max_decoded = DEFAULT_MAX_DECODED,
    .max_requests = 64,
    .max_async = 100,
    .workers = 1,
    .task_id = -1,
    .slow_ms = 2000,
    .read_timeout_ms = DEFAULT_READ_TIMEOUT_MS,
    .retry_after = 1,
  };
  GOptionEntry entries[] = {
    {"host", 0, 0, G_OPTION_ARG_STRING, &o.host,
        "IP address to bind (default 127.0.0.1)", "ADDR"},
    {"port", 'p', 0, G_OPTION_ARG_INT, &o.port,
        "Port (0 = any free port; default 8000)", "PORT"},
    {"model", 'm', 0, G_OPTION_ARG_STRING, &o.model,
        "Initial model: blob-detector (default), color-detector, "
          "blob-segmenter", "NAME"},
    {"no-model", 0, 0, G_OPTION_ARG_NONE, &o.no_model,
        "Start without a loaded model (deploy_from_api loads one)", NULL},
    {"latency-ms", 0, 0, G_OPTION_ARG_INT, &o.latency_ms,
        "Emulated inference time per image (default 0)", "MS"},
    {"workers", 0, 0, G_OPTION_ARG_INT, &o.workers,
        "Inference requests served at once; others queue (default 1)", "N"},
    {"max-batch-size", 0, 0, G_OPTION_ARG_INT, &o.max_batch,
        "Largest accepted state.batch_size (default 0 = no limit)", "N"},
    {"max-upload-bytes", 0, 0, G_OPTION_ARG_INT64, &o.max_upload,
        "Largest request body (default 64 MiB; larger: 413)", "BYTES"},
    {"max-decoded-bytes", 0, 0, G_OPTION_ARG_INT64, &o.max_decoded,
        "Largest decoded size of the images or video frames of one request "
          "(default 1 GiB; larger: 413 or an error)", "BYTES"},
    {"max-requests", 0, 0, G_OPTION_ARG_INT, &o.max_requests,
          "Inference requests in progress at once (default 64; more: 503)",
        "N"},
    {"max-async-requests", 0, 0, G_OPTION_ARG_INT, &o.max_async,
        "Async request records kept at once (default 100; more: 503)", "N"},
    {"no-tracking", 0, 0, G_OPTION_ARG_NONE, &o.no_tracking,
        "Emulate a model without tracking support", NULL},
    {"no-sliding-window", 0, 0, G_OPTION_ARG_NONE, &o.no_sliding_window,
        "Emulate an app without sliding windows (sliding_window_support "
          "\"none\")", NULL},
    {"task-id", 0, 0, G_OPTION_ARG_INT64, &o.task_id,
        "Task id of this app for the platform calls (default 1)", "ID"},
    {"api-token", 0, 0, G_OPTION_ARG_STRING, &o.api_token,
        "Require this x-api-key on platform calls", "TOKEN"},
    {"session-token", 0, 0, G_OPTION_ARG_STRING, &o.session_token,
        "Session token of /net/<token>/ (default: random)", "TOKEN"},
    {"app-name", 0, 0, G_OPTION_ARG_STRING, &o.app_name,
        "app_name of get_session_info", "NAME"},
    {"production", 0, 0, G_OPTION_ARG_NONE, &o.production,
        "Report production mode in is_alive", NULL},
    {"fail-rate", 0, 0, G_OPTION_ARG_DOUBLE, &o.fail_rate,
          "Share of inference requests that get a fault (0..1, default 0)",
        "R"},
    {"fail-kinds", 0, 0, G_OPTION_ARG_STRING, &o.fail_kinds,
        "Faults to choose from: 500,503,slow,reset,malformed,truncated,429 "
          "(default all but 429)", "LIST"},
    {"slow-ms", 0, 0, G_OPTION_ARG_INT, &o.slow_ms,
        "Extra delay of a 'slow' fault (default 2000)", "MS"},
    {"retry-after", 0, 0, G_OPTION_ARG_INT, &o.retry_after,
        "Retry-After header of a '429' fault (default 1)", "SECONDS"},
    {"seed", 0, 0, G_OPTION_ARG_INT64, &o.seed,
        "Seed of the fault draws (default 0)", "N"},
    {"faults-off", 0, 0, G_OPTION_ARG_NONE, &o.faults_off,
        "Start with the faults switched off (SIGUSR1 switches them on, "
          "SIGUSR2 off again)", NULL},
    {"read-timeout-ms", 0, 0, G_OPTION_ARG_INT, &o.read_timeout_ms,
          "Close a connection whose request headers take longer, whose body "
          "pauses longer, or that stays idle longer (default 10000, 0 = never)",
        "MS"},
    {"tracking-settings", 0, 0, G_OPTION_ARG_STRING, &o.tracking_settings,
        "JSON object of BoT-SORT values that replace those of "
          "get_tracking_settings (and the tracker's defaults)", "JSON"},
    {"redirect", 0, 0, G_OPTION_ARG_STRING, &o.redirect,
        "Answer every inference endpoint with 302 Found to URL", "URL"},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose,
        "Log requests to stderr (tokens are never logged)", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  SlyServerConfig config = { 0 };
  SlyServer *server;
  guint sigint, sigterm, sigusr1, sigusr2;
  pid_t parent = getppid ();

  setlocale (LC_ALL, "");
  /* a CRITICAL is a bug: make it visible to the tests as a crash */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  ctx = g_option_context_new ("- reference Supervisely model server");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, "Signals: SIGINT or SIGTERM stop "
      "the server (exit status 0); SIGUSR1 switches the configured faults "
      "on, SIGUSR2 off.\nSee docs/server.md.");
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("sly-model-server: %s\n", error->message);
    return 2;
  }
  if (o.fail_kinds == NULL)
    o.fail_kinds = g_strdup (DEFAULT_FAIL_KINDS);
  if (!options_to_config (&o, &config, &error)) {
    g_printerr ("sly-model-server: %s\n", error->message);
    options_clear (&o);
    sly_server_config_clear (&config);
    return 2;
  }
  options_clear (&o);

  /* signals first: a SIGTERM right after the "listening" line must find
   * its handler */
  loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, loop);
  if (!exit_with_reader (parent)) {
    sly_server_config_clear (&config);
    return 0;
  }

  server = sly_server_new (&config, &error);
  sly_server_config_clear (&config);
  if (server == NULL) {
    g_printerr ("sly-model-server: %s\n", error->message);
    return 1;
  }
  /* before the "listening" line, like the others */
  sigusr1 = g_unix_signal_add (SIGUSR1, on_faults_on, server);
  sigusr2 = g_unix_signal_add (SIGUSR2, on_faults_off, server);
  if (!sly_server_listen (server, &error)) {
    g_printerr ("sly-model-server: %s\n", error->message);
    g_source_remove (sigusr1);
    g_source_remove (sigusr2);
    sly_server_free (server);
    return 1;
  }
  server->loop = loop;
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (sigusr1);
  g_source_remove (sigusr2);
  sly_server_free (server);
  return 0;
}
