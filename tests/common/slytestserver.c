/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "slytestserver.h"

#include <gio/gio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

struct _SlyTestServer
{
  GPtrArray *args;              /* extra arguments, without --port */
  GSubprocess *proc;
  /* Kept open: a server may take a closed stdout as "parent gone". */
  GDataInputStream *out;
  guint port;
  gchar *url;
};

static const gchar *
server_path (void)
{
  const gchar *path = g_getenv ("SLY_MODEL_SERVER");

  if (path == NULL)
    g_error ("SLY_MODEL_SERVER is not set: run the test through meson test");
  return path;
}

/* Spawns the server on @port (0 = any) and reads its "listening on" line. */
static void
spawn (SlyTestServer * server, guint port)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;
  const gchar *prefix = "listening on ";
  guint i;

  g_ptr_array_add (argv, g_strdup (server_path ()));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", port));
  for (i = 0; i < server->args->len; i++)
    g_ptr_array_add (argv, g_strdup (server->args->pdata[i]));
  g_ptr_array_add (argv, NULL);

  server->proc = g_subprocess_newv ((const gchar * const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (server->proc == NULL)
    g_error ("cannot start sly-model-server: %s", error->message);

  g_clear_object (&server->out);
  server->out =
      g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->proc));
  /* The server prints other lines only after this one. */
  line = g_data_input_stream_read_line_utf8 (server->out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, prefix))
    g_error ("sly-model-server did not start: %s",
        error ? error->message : (line ? line : "no output"));

  g_free (server->url);
  server->url = g_strdup (line + strlen (prefix));
  server->port = atoi (strrchr (server->url, ':') + 1);
}

SlyTestServer *
sly_test_server_startv (const gchar * const *args)
{
  SlyTestServer *server = g_new0 (SlyTestServer, 1);

  server->args = g_ptr_array_new_with_free_func (g_free);
  for (; args && *args; args++)
    g_ptr_array_add (server->args, g_strdup (*args));
  spawn (server, 0);
  return server;
}

SlyTestServer *
sly_test_server_start (const gchar * first_arg, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const gchar *arg;
  va_list ap;

  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const gchar *))
      g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return sly_test_server_startv ((const gchar * const *) args->pdata);
}

const gchar *
sly_test_server_get_url (SlyTestServer * server)
{
  return server->url;
}

guint
sly_test_server_get_port (SlyTestServer * server)
{
  return server->port;
}

/* g_subprocess_send_signal() only queues the signal for GLib's worker
 * thread; a test that pauses the server must know it is paused on return. */
static void
send_signal_now (SlyTestServer * server, int signum)
{
  const gchar *pid = g_subprocess_get_identifier (server->proc);

  if (pid != NULL)
    kill ((pid_t) atoi (pid), signum);
}

void
sly_test_server_signal (SlyTestServer * server, int signum)
{
  send_signal_now (server, signum);
}

void
sly_test_server_pause (SlyTestServer * server)
{
  send_signal_now (server, SIGSTOP);
}

void
sly_test_server_resume (SlyTestServer * server)
{
  send_signal_now (server, SIGCONT);
}

void
sly_test_server_kill (SlyTestServer * server)
{
  send_signal_now (server, SIGCONT);
  send_signal_now (server, SIGKILL);
  g_subprocess_wait (server->proc, NULL, NULL);
  g_clear_object (&server->proc);
  g_clear_object (&server->out);
}

void
sly_test_server_restart (SlyTestServer * server)
{
  if (server->proc != NULL)
    sly_test_server_kill (server);
  spawn (server, server->port);
}

void
sly_test_server_stop (SlyTestServer * server)
{
  g_autoptr (GError) error = NULL;

  if (server->proc != NULL) {
    /* A stopped process would never see SIGTERM. */
    send_signal_now (server, SIGCONT);
    send_signal_now (server, SIGTERM);
    if (!g_subprocess_wait (server->proc, NULL, &error))
      g_error ("waiting for sly-model-server: %s", error->message);
    if (!g_subprocess_get_if_exited (server->proc) ||
        g_subprocess_get_exit_status (server->proc) != 0)
      g_error ("sly-model-server did not exit cleanly on SIGTERM");
    g_clear_object (&server->proc);
  }
  g_clear_object (&server->out);
  g_ptr_array_unref (server->args);
  g_free (server->url);
  g_free (server);
}
