/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The model servers slymodelinfer spreads its inference requests over:
 * the deployments of one model named by the url property's comma-separated
 * list. Each has its client, its outstanding requests and its backoff
 * after failures; a request goes to the one with the fewest outstanding
 * among those not in backoff. Used on the I/O thread; the counters behind
 * gst_sly_server_set_stats() are read from any thread (own lock).
 */
#ifndef __GST_SLY_SERVER_SET_H__
#define __GST_SLY_SERVER_SET_H__

#include <gst/gst.h>
#include "slyclient.h"

G_BEGIN_DECLS

typedef struct _GstSlyServerSet GstSlyServerSet;
typedef struct _GstSlyServer GstSlyServer;

/* Takes the clients (transfer full), one per server, and their display
 * names (secrets hidden). */
GstSlyServerSet *gst_sly_server_set_new (GPtrArray * clients,
    const gchar * const *names);
void gst_sly_server_set_free (GstSlyServerSet * set);

guint gst_sly_server_set_size (GstSlyServerSet * set);
/* The first server: model loads and information go there. */
SlyClient *gst_sly_server_set_primary (GstSlyServerSet * set);

/* The server for a request now, but never @avoid (nullable; a server that
 * just failed it): the least loaded of those not in backoff. NULL when
 * all are (or only @avoid is up); *@wait_ms then says when the first one
 * is back (0 when @avoid is the only one). */
GstSlyServer *gst_sly_server_set_pick (GstSlyServerSet * set,
    GstSlyServer * avoid, guint * wait_ms);

SlyClient *gst_sly_server_get_client (GstSlyServer * server);
const gchar *gst_sly_server_get_name (GstSlyServer * server);
/* A request leaves for @server. */
void gst_sly_server_begin (GstSlyServerSet * set, GstSlyServer * server);
/* It ended: answered (@ok), failed (a backoff starts, doubling with
 * consecutive failures) or cancelled (neither). */
void gst_sly_server_end (GstSlyServerSet * set, GstSlyServer * server,
    gboolean ok, gboolean cancelled);

/* Per server: url, requests, failed, in-flight, up. */
void gst_sly_server_set_stats (GstSlyServerSet * set, GstStructure * s);

G_END_DECLS

#endif /* __GST_SLY_SERVER_SET_H__ */
