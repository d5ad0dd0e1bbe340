/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The options that emulate a deployment: latency per image, the worker
 * limit, the request limit, fault injection reproducible with a seed,
 * option validation, and a clean exit on SIGTERM.
 */
#include "servertestutil.h"

#include <signal.h>
#include <string.h>

static GBytes *
square_png (void)
{
  g_autoptr (SlyImage) image = srv_image_new (32, 32);

  srv_fill_rect (image, 4, 4, 11, 11, 255, 255, 255);
  return srv_png (image);
}

/* Latency is a lower bound per image: no upper bound is asserted. */
static void
test_latency (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--latency-ms",
      "150", NULL);
  g_autoptr (GBytes) png = square_png ();
  SrvFile files[2] = { {"a.png", "image/png", png}, {"b.png", "image/png",
      png}
  };
  g_autoptr (SrvReply) one = srv_post_image (server, "/inference_image", png,
      NULL);
  g_autoptr (SrvReply) two = srv_post_files (server, "/inference_batch",
      files, 2, NULL, NULL);
  g_autoptr (SrvReply) meta = srv_post_json (server, "/get_session_info",
      "{}", NULL);

  g_assert_cmpuint (one->status, ==, 200);
  g_assert_cmpfloat (one->seconds, >=, 0.150);
  g_assert_cmpuint (two->status, ==, 200);
  g_assert_cmpfloat (two->seconds, >=, 0.300);
  /* other endpoints are not delayed: a real server answers them at once */
  g_assert_cmpuint (meta->status, ==, 200);
}

/* With one worker, two concurrent requests are served one after the
 * other; with two workers they overlap. */
static void
test_workers (void)
{
  g_autofree gchar *latency = srv_latency_arg (200);
  gdouble seconds = 0.2 * srv_slow_factor ();
  g_autoptr (SlyTestServer) one = sly_test_server_start ("--latency-ms",
      latency, "--workers", "1", NULL);
  g_autoptr (SlyTestServer) two = sly_test_server_start ("--latency-ms",
      latency, "--workers", "2", NULL);
  g_autoptr (GBytes) png = square_png ();
  g_autoptr (GPtrArray) serial = srv_post_concurrently (one,
      "/inference_image", png, 2);
  g_autoptr (GPtrArray) parallel = srv_post_concurrently (two,
      "/inference_image", png, 2);
  SrvReply *a = serial->pdata[0], *b = serial->pdata[1];

  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpuint (b->status, ==, 200);
  g_assert_cmpfloat (MAX (a->seconds, b->seconds), >=, 2 * seconds);
  a = parallel->pdata[0];
  b = parallel->pdata[1];
  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpuint (b->status, ==, 200);
  g_assert_cmpfloat (MIN (a->seconds, b->seconds), >=, seconds);
}

static void
test_request_limit (void)
{
  g_autofree gchar *latency = srv_latency_arg (300);
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--latency-ms",
      latency, "--max-requests", "1", NULL);
  g_autoptr (GBytes) png = square_png ();
  g_autoptr (GPtrArray) replies = srv_post_concurrently (server,
      "/inference_image", png, 2);
  SrvReply *a = replies->pdata[0], *b = replies->pdata[1];
  SrvReply *busy = a->status == 503 ? a : b;
  SrvReply *ok = a->status == 503 ? b : a;

  g_assert_cmpuint (ok->status, ==, 200);
  srv_assert_error (busy, 503, "Too many concurrent inference requests");
}

typedef struct
{
  const gchar *kind;
  guint status;                 /* 0: the connection is closed */
  gboolean json;                /* the 200 body parses as JSON */
} FaultCase;

static const FaultCase fault_cases[] = {
  {"500", 500, TRUE},
  {"503", 503, TRUE},
  {"reset", 0, FALSE},
  {"malformed", 200, FALSE},
  {"truncated", 200, FALSE},
  {"slow", 200, TRUE},
  {"429", 429, TRUE},
};

static void
test_fault (gconstpointer data)
{
  const FaultCase *c = data;
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--fail-rate",
      "1", "--fail-kinds", c->kind, "--slow-ms", "250", NULL);
  g_autoptr (GBytes) png = square_png ();
  g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
      NULL);
  g_autoptr (SrvReply) probe = srv_post_json (server, "/is_ready", "{}", NULL);

  if (c->status == 0) {
    g_assert_nonnull (r->error);
  } else if (c->status != 200) {
    srv_assert_error (r, c->status, "Injected fault");
  } else {
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpint (r->json != NULL, ==, c->json);
  }
  if (g_str_equal (c->kind, "slow")) {
    g_autoptr (SlyAnnotation) ann = srv_result_annotation (r->json);

    g_assert_cmpfloat (r->seconds, >=, 0.250);
    g_assert_cmpuint (ann->objects->len, ==, 1);
  }
  if (g_str_equal (c->kind, "429")) {
    /* the default --retry-after */
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Retry-After"),
        ==, "1");
    g_assert_cmpstr (r->reason, ==, "Too Many Requests");
  }
  if (g_str_equal (c->kind, "truncated")) {
    gsize len;
    const gchar *body = g_bytes_get_data (r->body, &len);

    /* the start of a real answer */
    g_assert_cmpuint (len, >, 10);
    g_assert_true (g_str_has_prefix (body, "{\"source\":null"));
  }
  /* faults hit inference endpoints only */
  g_assert_cmpuint (probe->status, ==, 200);
}

/* The statuses of @n inference requests in a row. */
static gchar *
fault_sequence (const gchar * seed, guint n)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--fail-rate",
      "0.5", "--fail-kinds", "500,503", "--seed", seed, NULL);
  g_autoptr (GBytes) png = square_png ();
  GString *seq = g_string_new (NULL);
  guint i;

  for (i = 0; i < n; i++) {
    g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
        NULL);

    g_string_append_printf (seq, "%u ", r->status);
  }
  return g_string_free (seq, FALSE);
}

static void
test_fault_seed (void)
{
  g_autofree gchar *a = fault_sequence ("7", 16);
  g_autofree gchar *b = fault_sequence ("7", 16);

  /* same seed, same requests: same faults */
  g_assert_cmpstr (a, ==, b);
  /* rate 0.5 over 16 requests: both outcomes occur for this seed */
  g_assert_nonnull (strstr (a, "200"));
  g_assert_true (strstr (a, "500") || strstr (a, "503"));
}

static void
test_fault_async (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--fail-rate",
      "1", "--fail-kinds", "503", NULL);
  g_autoptr (GBytes) png = square_png ();
  g_autoptr (SrvReply) r = srv_post_image (server, "/inference_batch_async",
      png, NULL);

  srv_assert_error (r, 503, "Injected fault");
}

/* ---- faults switched at run time ---- */

typedef struct
{
  SlyTestServer *server;
  GBytes *png;
  guint status;
} StatusWait;

static gboolean
inference_gets (gpointer data)
{
  StatusWait *w = data;
  g_autoptr (SrvReply) r = srv_post_image (w->server, "/inference_image",
      w->png, NULL);

  return r->status == w->status;
}

/* @n inference requests in a row get @status (429 with Retry-After: 7) */
static void
assert_statuses (SlyTestServer * server, GBytes * png, guint status, guint n)
{
  guint i;

  for (i = 0; i < n; i++) {
    g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
        NULL);

    if (status == 429) {
      srv_assert_error (r, 429, "Injected fault: too many requests");
      g_assert_cmpstr (soup_message_headers_get_one (r->headers,
              "Retry-After"), ==, "7");
    } else {
      g_assert_cmpuint (r->status, ==, status);
      g_assert_null (soup_message_headers_get_one (r->headers, "Retry-After"));
    }
  }
}

/* --faults-off starts healthy; SIGUSR1 switches the configured faults on,
 * SIGUSR2 off again. A signal is handled by the server's main loop a
 * moment after it is sent: the test waits for the first changed answer,
 * then asserts that every later one is changed too. */
static void
test_fault_switch (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--fail-rate",
      "1", "--fail-kinds", "429", "--retry-after", "7", "--faults-off", NULL);
  g_autoptr (GBytes) png = square_png ();
  StatusWait w = { server, png, 429 };

  assert_statuses (server, png, 200, 3);
  srv_server_signal (server, SIGUSR1);
  g_assert_true (srv_wait_for (inference_gets, &w, 10));
  assert_statuses (server, png, 429, 5);
  /* other endpoints never get faults */
  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/is_ready", "{}", NULL);

    g_assert_cmpuint (r->status, ==, 200);
  }
  srv_server_signal (server, SIGUSR2);
  w.status = 200;
  g_assert_true (srv_wait_for (inference_gets, &w, 10));
  assert_statuses (server, png, 200, 5);
  /* and on again */
  srv_server_signal (server, SIGUSR1);
  w.status = 429;
  g_assert_true (srv_wait_for (inference_gets, &w, 10));
  assert_statuses (server, png, 429, 2);
}

/* Without --faults-off the faults are on from the start; SIGUSR1 changes
 * nothing then. */
static void
test_fault_switch_default_on (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--fail-rate",
      "1", "--fail-kinds", "429", "--retry-after", "7", NULL);
  g_autoptr (GBytes) png = square_png ();

  assert_statuses (server, png, 429, 2);
  srv_server_signal (server, SIGUSR1);
  assert_statuses (server, png, 429, 2);
}

/* ---- --tracking-settings, --redirect ---- */

static void
test_tracking_settings (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start
      ("--tracking-settings", "{\"track_buffer\": 60, \"match_thresh\": 0.5, "
      "\"cmc_method\": \"sparseOptFlow\"}", NULL);
  g_autoptr (SrvReply) r = srv_post_json (server, "/get_tracking_settings",
      "{}", NULL);
  JsonObject *botsort =
      json_object_get_object_member (srv_reply_object (r), "botsort");

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (botsort);
  g_assert_cmpint (srv_get_int (botsort, "track_buffer"), ==, 60);
  g_assert_cmpfloat (json_object_get_double_member (botsort, "match_thresh"),
      ==, 0.5);
  g_assert_cmpstr (srv_get_string (botsort, "cmc_method"), ==, "sparseOptFlow");
  /* the others keep their values */
  g_assert_cmpfloat (json_object_get_double_member (botsort,
          "new_track_thresh"), ==, 0.7);
  g_assert_false (srv_get_bool (botsort, "with_reid"));
  g_assert_cmpuint (json_object_get_size (botsort), ==, 15);
}

/* --redirect: every inference endpoint answers 302 Found with the
 * Location, whatever the request; other endpoints answer as usual. */
static void
test_redirect (void)
{
  const gchar *location = "http://127.0.0.1:9/elsewhere/inference_image";
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--redirect",
      location, "--session-token", "tok", NULL);
  g_autoptr (GBytes) png = square_png ();
  const gchar *const paths[] = { "/inference_image", "/inference_batch",
    "/inference_batch_async", "/inference_video_async",
    "/net/tok/inference_image",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (paths); i++) {
    g_autoptr (SrvReply) r = srv_post_image (server, paths[i], png, NULL);

    srv_assert_error (r, 302, "Found");
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Location"),
        ==, location);
  }
  /* even a request without files */
  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/inference_image", "{}",
        NULL);

    g_assert_cmpuint (r->status, ==, 302);
  }
  {
    g_autoptr (SrvReply) r = srv_post_json (server, "/get_session_info",
        "{}", NULL);

    g_assert_cmpuint (r->status, ==, 200);
  }
}

typedef struct
{
  const gchar *name;
  const gchar *args[5];
  const gchar *message;
} BadOption;

static const BadOption bad_options[] = {
  {"fail-kind", {"--fail-kinds", "500,explode", NULL}, "unknown fault kind"},
  {"fail-rate", {"--fail-rate", "1.5", NULL}, "--fail-rate"},
  {"model", {"--model", "resnet", NULL}, "unknown model 'resnet'"},
  {"workers", {"--workers", "0", NULL}, "--workers"},
  {"workers-max", {"--workers", "257", NULL}, "--workers must be at most 256"},
  {"host", {"--host", "not-an-ip", NULL}, "--host"},
  {"fail-kind-429", {"--fail-kinds", "428", NULL}, "unknown fault kind"},
  {"retry-after", {"--retry-after", "-1", NULL}, "--retry-after"},
  {"read-timeout", {"--read-timeout-ms", "-5", NULL}, "--read-timeout-ms"},
  {"redirect", {"--redirect", "elsewhere", NULL}, "--redirect"},
  {"tracking-settings-json", {"--tracking-settings", "{\"track_buffer\":",
          NULL}, "--tracking-settings must be a JSON object"},
  {"tracking-settings-array", {"--tracking-settings", "[1]", NULL},
      "--tracking-settings must be a JSON object"},
  {"tracking-settings-key", {"--tracking-settings", "{\"buffer\": 3}", NULL},
      "unknown key 'buffer'"},
  {"tracking-settings-internal-key", {"--tracking-settings", "{\"fps\": 3}",
          NULL}, "unknown key 'fps'"},
  {"tracking-settings-type", {"--tracking-settings",
          "{\"track_buffer\": \"long\"}", NULL}, "track_buffer"},
};

static void
test_bad_option (gconstpointer data)
{
  const BadOption *c = data;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL, *err = NULL;
  const gchar *const *a;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SLY_MODEL_SERVER"));
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  for (a = c->args; *a; a++)
    g_ptr_array_add (argv, (gpointer) * a);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const gchar * const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), !=, 0);
  /* never a "listening" line for a configuration that cannot work */
  g_assert_cmpstr (out, ==, "");
  if (strstr (err, c->message) == NULL)
    g_error ("stderr '%s' lacks '%s'", err, c->message);
}

/* sly_test_server_stop() asserts exit status 0 after SIGTERM, also with
 * requests in flight. */
static void
test_sigterm (void)
{
  SlyTestServer *server = sly_test_server_start ("--latency-ms", "100",
      NULL);
  g_autoptr (GBytes) png = square_png ();
  g_autoptr (SrvReply) r = srv_post_image (server, "/inference_batch_async",
      png, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  sly_test_server_stop (server);
}

static gchar *
read_line (GSubprocess * proc, GDataInputStream ** in)
{
  g_autoptr (GError) error = NULL;
  gchar *line;

  if (*in == NULL)
    *in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (*in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

/* SIGINT stops the server as cleanly as SIGTERM does. */
static void
test_sigint (void)
{
  const gchar *argv[] = { g_getenv ("SLY_MODEL_SERVER"), "--port", "0",
    NULL
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) proc = g_subprocess_newv (argv,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree gchar *line = NULL;

  g_assert_no_error (error);
  line = read_line (proc, &in);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  g_subprocess_send_signal (proc, SIGINT);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

static gboolean
process_gone (gint64 pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT
      "/stat", pid);
  g_autofree gchar *stat = NULL;
  const gchar *state;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  /* "pid (comm) S ...": a zombie has exited already */
  state = strrchr (stat, ')');
  return state && state[1] == ' ' && state[2] == 'Z';
}

/* A server whose parent dies (a crashed test) does not linger. */
static void
test_parent_dies (void)
{
  g_autofree gchar *script = g_strdup_printf ("'%s' --port 0 & echo $!; "
      "wait", g_getenv ("SLY_MODEL_SERVER"));
  const gchar *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) shell = g_subprocess_newv (argv,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree gchar *pid_line = NULL, *line = NULL;
  gint64 pid;
  guint i;

  g_assert_no_error (error);
  pid_line = read_line (shell, &in);
  pid = g_ascii_strtoll (pid_line, NULL, 10);
  g_assert_cmpint (pid, >, 0);
  line = read_line (shell, &in);
  g_assert_true (g_str_has_prefix (line, "listening on "));
  g_assert_false (process_gone (pid));
  g_subprocess_force_exit (shell);
  g_subprocess_wait (shell, NULL, NULL);
  for (i = 0; i < 500 && !process_gone (pid); i++)
    g_usleep (10000);
  g_assert_true (process_gone (pid));
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/options/latency", test_latency);
  g_test_add_func ("/server/options/workers", test_workers);
  g_test_add_func ("/server/options/request-limit", test_request_limit);
  for (i = 0; i < G_N_ELEMENTS (fault_cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/server/options/fault/%s",
        fault_cases[i].kind);
    g_test_add_data_func (path, &fault_cases[i], test_fault);
  }
  g_test_add_func ("/server/options/fault-seed", test_fault_seed);
  g_test_add_func ("/server/options/fault-async", test_fault_async);
  g_test_add_func ("/server/options/fault-switch", test_fault_switch);
  g_test_add_func ("/server/options/fault-switch-default-on",
      test_fault_switch_default_on);
  g_test_add_func ("/server/options/tracking-settings", test_tracking_settings);
  g_test_add_func ("/server/options/redirect", test_redirect);
  for (i = 0; i < G_N_ELEMENTS (bad_options); i++) {
    g_autofree gchar *path = g_strdup_printf ("/server/options/bad/%s",
        bad_options[i].name);
    g_test_add_data_func (path, &bad_options[i], test_bad_option);
  }
  g_test_add_func ("/server/options/sigterm", test_sigterm);
  g_test_add_func ("/server/options/sigint", test_sigint);
  g_test_add_func ("/server/options/parent-dies", test_parent_dies);
  return g_test_run ();
}
