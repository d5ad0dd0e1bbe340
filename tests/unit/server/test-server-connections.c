/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Connection handling of sly-model-server, over raw sockets: keep-alive
 * connections that the client closes give their descriptor back (libsoup
 * 3.2.3 kept one per connection), the listen backlog is the system's
 * maximum, and clients that send too slowly are closed after
 * --read-timeout-ms.
 */
#include "servertestutil.h"

#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define N_CONNECTIONS 1000
/* descriptors the server may open for itself meanwhile (GLib, libsoup) */
#define FD_SLACK 20

#define KEEP_ALIVE_PROBE "GET /is_alive HTTP/1.1\r\nHost: 127.0.0.1\r\n" \
  "Connection: keep-alive\r\n\r\n"

typedef struct
{
  gint pid;
  guint limit;
} FdWait;

static gboolean
fds_below (gpointer data)
{
  FdWait *w = data;

  return srv_fd_count (w->pid) < w->limit;
}

/* One exchange on a fresh keep-alive connection, then the client closes. */
static void
keep_alive_exchange (SlyTestServer * server)
{
  gint fd = srv_connect_raw (server, 30);
  g_autofree gchar *response = NULL;

  srv_write_raw (fd, KEEP_ALIVE_PROBE);
  g_assert_cmpuint (srv_read_response (fd, &response), ==, 200);
  /* the server keeps the connection open for the next request */
  g_assert_null (strstr (response, "Connection: close"));
  close (fd);
}

/* The server's descriptor count stays flat over 1,000 keep-alive
 * connections that the client closes after one request (libsoup 3.2.3
 * kept every one of them in CLOSE-WAIT). */
static void
test_client_closed_keep_alive (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  gint pid = srv_server_pid (server);
  guint before, i;
  FdWait w;

  keep_alive_exchange (server);
  before = srv_fd_count (pid);
  for (i = 0; i < N_CONNECTIONS; i++)
    keep_alive_exchange (server);
  w.pid = pid;
  w.limit = before + FD_SLACK;
  if (!srv_wait_for (fds_below, &w, 10))
    g_error ("the server holds %u descriptors after %u client-closed "
        "keep-alive connections (%u before)", srv_fd_count (pid),
        N_CONNECTIONS, before);
  /* and it still answers */
  keep_alive_exchange (server);
}

/* The listen backlog is the system's maximum, not GLib's default of 10. */
static void
test_backlog (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autofree gchar *text = NULL;
  gint backlog = srv_listen_backlog (sly_test_server_get_port (server));
  gint64 somaxconn = SOMAXCONN;

  if (backlog < 0) {
    g_test_skip ("the kernel does not report listen backlogs (sock_diag)");
    return;
  }
  if (g_file_get_contents ("/proc/sys/net/core/somaxconn", &text, NULL, NULL))
    somaxconn = g_ascii_strtoll (text, NULL, 10);
  g_assert_cmpint (backlog, ==, MIN (somaxconn, G_MAXINT));
}

/* 1,000 connections opened at once are all accepted and answered (with a
 * backlog of 10 the kernel drops SYNs and connects wait for their
 * retransmissions, seconds each). The bound is generous. */
static void
test_connect_burst (void)
{
  g_autoptr (SlyTestServer) server = NULL;
  struct sockaddr_in addr = { 0 };
  gint fds[N_CONNECTIONS];
  struct pollfd pfd[N_CONNECTIONS];
  gint64 start, deadline;
  guint i, pending;

  /* this process and the server each hold one per connection */
  if (srv_raise_fd_limit (3 * N_CONNECTIONS) < N_CONNECTIONS + 100) {
    g_test_skip ("the hard limit of open files is below 1,100");
    return;
  }
  server = sly_test_server_startv (NULL);
  addr.sin_family = AF_INET;
  addr.sin_port = htons (sly_test_server_get_port (server));
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  start = g_get_monotonic_time ();
  deadline = start + 20 * G_USEC_PER_SEC;
  for (i = 0; i < N_CONNECTIONS; i++) {
    fds[i] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    g_assert_cmpint (fds[i], >=, 0);
    if (connect (fds[i], (struct sockaddr *) &addr, sizeof addr) != 0)
      g_assert_cmpint (errno, ==, EINPROGRESS);
    pfd[i].fd = fds[i];
    pfd[i].events = POLLOUT;
  }
  /* every connect completes */
  do {
    g_assert_cmpint (poll (pfd, N_CONNECTIONS, 100), >=, 0);
    for (i = 0, pending = 0; i < N_CONNECTIONS; i++) {
      if (pfd[i].fd >= 0 && pfd[i].revents) {
        gint err = 0;
        socklen_t len = sizeof err;

        g_assert_cmpint (getsockopt (fds[i], SOL_SOCKET, SO_ERROR, &err,
                &len), ==, 0);
        g_assert_cmpint (err, ==, 0);
        pfd[i].fd = -1;
      }
      pending += pfd[i].fd >= 0;
    }
  } while (pending > 0 && g_get_monotonic_time () < deadline);
  g_test_message ("%u connects took %.3f s", N_CONNECTIONS,
      (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpuint (pending, ==, 0);
  /* and each one is served */
  for (i = 0; i < N_CONNECTIONS; i++) {
    struct timeval tv = { 30, 0 };

    g_assert_cmpint (fcntl (fds[i], F_SETFL, 0), ==, 0);
    g_assert_cmpint (setsockopt (fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv,
            sizeof tv), ==, 0);
    srv_write_raw (fds[i], KEEP_ALIVE_PROBE);
  }
  for (i = 0; i < N_CONNECTIONS; i++) {
    g_autofree gchar *response = NULL;

    if (srv_read_response (fds[i], &response) != 200)
      g_error ("connection %u: no answer (%s), read '%s'", i,
          g_strerror (errno), response);
    close (fds[i]);
  }
}

/* ---- read timeouts ---- */

#define READ_TIMEOUT_MS 300

typedef struct
{
  const gchar *name;
  const gchar *sent;            /* before the client goes silent */
} SlowCase;

static const SlowCase slow_cases[] = {
  {"nothing", ""},
  {"half-headers", "POST /inference_image HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-"},
  {"half-body", "POST /inference_image HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n"
        "Content-Length: 1000\r\n\r\n--b\r\nContent-Disposition: form-data; "
        "name=\"files\"; filename=\"a.png\"\r\n\r\n\x89PNG"},
};

static gchar *
read_timeout_arg (void)
{
  return g_strdup_printf ("%u", READ_TIMEOUT_MS * srv_slow_factor ());
}

/* A client that stops sending is closed once --read-timeout-ms passed
 * without progress, and its descriptor is given back. */
static void
test_read_timeout (gconstpointer data)
{
  const SlowCase *c = data;
  g_autofree gchar *timeout = read_timeout_arg ();
  g_autoptr (SlyTestServer) server = sly_test_server_start
      ("--read-timeout-ms", timeout, NULL);
  gint pid = srv_server_pid (server);
  FdWait w = { pid, srv_fd_count (pid) + 1 };
  gdouble seconds = 0;
  gint fd = srv_connect_raw (server, 10 * srv_slow_factor ());

  srv_write_raw (fd, c->sent);
  g_assert_true (srv_wait_closed (fd, &seconds));
  close (fd);
  g_test_message ("closed after %.3f s", seconds);
  g_assert_cmpfloat (seconds, >=, 0.9 * READ_TIMEOUT_MS / 1000.0);
  g_assert_true (srv_wait_for (fds_below, &w, 10));
}

/* An idle keep-alive connection is closed after the timeout too; a body
 * that keeps coming (pauses of a quarter of the timeout between its parts)
 * is read in full, though it takes longer than the timeout altogether. */
static void
test_read_timeout_progress (void)
{
  guint timeout_ms = 600 * srv_slow_factor ();
  g_autofree gchar *timeout = g_strdup_printf ("%u", timeout_ms);
  g_autoptr (SlyTestServer) server = sly_test_server_start
      ("--read-timeout-ms", timeout, NULL);
  const gchar *head = "POST /is_ready HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nContent-Length: 12\r\n\r\n";
  /* 12 bytes of JSON in six parts, 1.5 timeouts in all */
  const gchar *const parts[] = { "  ", "  ", "  ", "  ", "{ ", " }" };
  gint fd = srv_connect_raw (server, 10 * srv_slow_factor ());
  gdouble seconds = 0;
  guint i;

  srv_write_raw (fd, head);
  for (i = 0; i < G_N_ELEMENTS (parts); i++) {
    g_usleep (timeout_ms * 1000 / 4);
    srv_write_raw (fd, parts[i]);
  }
  g_assert_cmpuint (srv_read_response (fd, NULL), ==, 200);
  /* now idle between requests */
  g_assert_true (srv_wait_closed (fd, &seconds));
  g_assert_cmpfloat (seconds, >=, 0.9 * timeout_ms / 1000.0);
  close (fd);
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/connections/client-closed-keep-alive",
      test_client_closed_keep_alive);
  g_test_add_func ("/server/connections/backlog", test_backlog);
  g_test_add_func ("/server/connections/connect-burst", test_connect_burst);
  for (i = 0; i < G_N_ELEMENTS (slow_cases); i++) {
    g_autofree gchar *path =
        g_strdup_printf ("/server/connections/read-timeout/%s",
        slow_cases[i].name);

    g_test_add_data_func (path, &slow_cases[i], test_read_timeout);
  }
  g_test_add_func ("/server/connections/read-timeout-progress",
      test_read_timeout_progress);
  return g_test_run ();
}
