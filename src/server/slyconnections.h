/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client connections of sly-model-server's SoupServer, followed from
 * its request signals:
 *
 * - read timeouts: a request whose headers are not complete within the
 *   timeout, or whose body pauses longer than it, has its connection
 *   closed; so has a keep-alive connection idle for longer than it;
 * - libsoup 3.2.3 never closes a keep-alive connection that the client
 *   closes between two requests (fixed in libsoup 3.3): one descriptor
 *   leaks per connection, left in CLOSE-WAIT. Idle keep-alive connections
 *   are watched here and closed when their peer has gone.
 */
#ifndef __SLY_CONNECTIONS_H__
#define __SLY_CONNECTIONS_H__

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _SlyConnections SlyConnections;

/* @read_timeout_ms: 0 = no timeouts (the idle watch still runs) */
SlyConnections *sly_connections_new (SoupServer * soup,
    guint read_timeout_ms, gboolean verbose);
void sly_connections_free (SlyConnections * conns);
/* Forgets the connection of @msg, whose stream the caller takes over
 * (soup_server_message_steal_connection). */
void sly_connections_forget (SlyConnections * conns, SoupServerMessage * msg);

G_END_DECLS

#endif /* __SLY_CONNECTIONS_H__ */
