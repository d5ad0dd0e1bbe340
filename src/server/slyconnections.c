/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "slyconnections.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>

struct _SlyConnections
{
  SoupServer *soup;
  guint read_timeout_ms;
  gboolean verbose;
  GHashTable *table;            /* GSocket* -> Conn* */
  gulong started_id;
  gulong finished_id;
  gulong aborted_id;
};

/* One client connection: created by its first request, forgotten when
 * libsoup disconnects it or when its peer is found gone. */
typedef struct
{
  SlyConnections *owner;
  GSocket *socket;              /* the key */
  SoupServerMessage *msg;       /* its latest request */
  gboolean reading;             /* that request is being read */
  GSource *timeout;
  GSource *watch;               /* idle: waits for the peer to close */
} Conn;

static void
conn_stop_timeout (Conn * conn)
{
  if (conn->timeout) {
    g_source_destroy (conn->timeout);
    g_clear_pointer (&conn->timeout, g_source_unref);
  }
}

static void
conn_stop_watch (Conn * conn)
{
  if (conn->watch) {
    g_source_destroy (conn->watch);
    g_clear_pointer (&conn->watch, g_source_unref);
  }
}

static void
conn_drop_msg (Conn * conn)
{
  if (conn->msg) {
    g_signal_handlers_disconnect_by_data (conn->msg, conn);
    g_clear_object (&conn->msg);
  }
}

/* the table's value destroy function */
static void
conn_free (gpointer data)
{
  Conn *conn = data;

  conn_stop_timeout (conn);
  conn_stop_watch (conn);
  conn_drop_msg (conn);
  g_object_unref (conn->socket);
  g_free (conn);
}

/* libsoup is done with the connection (or its peer is gone): the socket is
 * closed here, since libsoup 3.2.3 does not always close it. */
static void
conn_forget (Conn * conn)
{
  GSocket *socket = g_object_ref (conn->socket);

  g_hash_table_remove (conn->owner->table, socket);
  g_socket_close (socket, NULL);
  g_object_unref (socket);
}

/* Shutting the socket down makes libsoup read the end of the stream and
 * drop the request (or the idle connection) as if the client had closed. */
static gboolean
on_timeout (gpointer data)
{
  Conn *conn = data;

  if (conn->owner->verbose)
    g_printerr ("closing a connection: nothing read for %u ms\n",
        conn->owner->read_timeout_ms);
  g_clear_pointer (&conn->timeout, g_source_unref);
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
conn_arm_timeout (Conn * conn)
{
  conn_stop_timeout (conn);
  if (conn->owner->read_timeout_ms == 0)
    return;
  conn->timeout = g_timeout_source_new (conn->owner->read_timeout_ms);
  g_source_set_callback (conn->timeout, on_timeout, conn, NULL);
  g_source_attach (conn->timeout, NULL);
}

static gboolean
on_readable (GSocket * socket, GIOCondition condition, gpointer data)
{
  Conn *conn = data;
  gchar byte;
  gssize n;

  if (g_socket_is_closed (socket)) {
    g_clear_pointer (&conn->watch, g_source_unref);
    g_hash_table_remove (conn->owner->table, socket);
    return G_SOURCE_REMOVE;
  }
  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&conn->watch, g_source_unref);
  /* a new request: libsoup reads it ("request-started" follows) */
  if (n > 0)
    return G_SOURCE_REMOVE;
  /* the end of the stream, or a reset: the client has gone */
  conn_forget (conn);
  return G_SOURCE_REMOVE;
}

/* Between two requests of a keep-alive connection. */
static void
conn_wait_idle (Conn * conn)
{
  conn_stop_watch (conn);
  conn->watch = g_socket_create_source (conn->socket,
      G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  /* after libsoup's own sources: it reads the end of the stream first */
  g_source_set_priority (conn->watch, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (conn->watch, (GSourceFunc) on_readable, conn, NULL);
  g_source_attach (conn->watch, NULL);
  conn_arm_timeout (conn);
}

static void
on_got_progress (SoupServerMessage * msg, Conn * conn)
{
  if (conn->reading)
    conn_arm_timeout (conn);
}

static void
on_got_chunk (SoupServerMessage * msg, GBytes * chunk, Conn * conn)
{
  on_got_progress (msg, conn);
}

static void
on_got_body (SoupServerMessage * msg, Conn * conn)
{
  conn->reading = FALSE;
  conn_stop_timeout (conn);
}

static void
on_disconnected (SoupServerMessage * msg, Conn * conn)
{
  conn_forget (conn);
}

static Conn *
conn_of (SlyConnections * conns, SoupServerMessage * msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Conn *conn;

  if (socket == NULL)
    return NULL;
  conn = g_hash_table_lookup (conns->table, socket);
  return conn && conn->msg == msg ? conn : NULL;
}

static void
on_request_started (SoupServer * soup, SoupServerMessage * msg,
    SlyConnections * conns)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Conn *conn;

  if (socket == NULL)
    return;
  conn = g_hash_table_lookup (conns->table, socket);
  if (conn == NULL) {
    conn = g_new0 (Conn, 1);
    conn->owner = conns;
    conn->socket = g_object_ref (socket);
    g_hash_table_insert (conns->table, socket, conn);
  }
  conn_stop_watch (conn);
  conn_drop_msg (conn);
  conn->msg = g_object_ref (msg);
  conn->reading = TRUE;
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_progress), conn);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), conn);
  g_signal_connect (msg, "got-body", G_CALLBACK (on_got_body), conn);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_disconnected), conn);
  /* the headers are due within the timeout */
  conn_arm_timeout (conn);
}

static void
on_request_finished (SoupServer * soup, SoupServerMessage * msg,
    SlyConnections * conns)
{
  Conn *conn = conn_of (conns, msg);

  if (conn == NULL)
    return;
  conn->reading = FALSE;
  conn_stop_timeout (conn);
  /* when libsoup closes the connection instead, "disconnected" follows */
  if (!g_socket_is_closed (conn->socket))
    conn_wait_idle (conn);
}

static void
on_request_aborted (SoupServer * soup, SoupServerMessage * msg,
    SlyConnections * conns)
{
  Conn *conn = conn_of (conns, msg);

  /* libsoup disconnects it next */
  if (conn) {
    conn->reading = FALSE;
    conn_stop_timeout (conn);
  }
}

SlyConnections *
sly_connections_new (SoupServer * soup, guint read_timeout_ms, gboolean verbose)
{
  SlyConnections *conns = g_new0 (SlyConnections, 1);

  conns->soup = soup;
  conns->read_timeout_ms = read_timeout_ms;
  conns->verbose = verbose;
  conns->table = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
      conn_free);
  conns->started_id = g_signal_connect (soup, "request-started",
      G_CALLBACK (on_request_started), conns);
  conns->finished_id = g_signal_connect (soup, "request-finished",
      G_CALLBACK (on_request_finished), conns);
  conns->aborted_id = g_signal_connect (soup, "request-aborted",
      G_CALLBACK (on_request_aborted), conns);
  return conns;
}

void
sly_connections_forget (SlyConnections * conns, SoupServerMessage * msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket)
    g_hash_table_remove (conns->table, socket);
}

void
sly_connections_free (SlyConnections * conns)
{
  if (conns == NULL)
    return;
  g_signal_handler_disconnect (conns->soup, conns->started_id);
  g_signal_handler_disconnect (conns->soup, conns->finished_id);
  g_signal_handler_disconnect (conns->soup, conns->aborted_id);
  g_hash_table_destroy (conns->table);
  g_free (conns);
}
