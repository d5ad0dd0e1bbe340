/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The model servers of slymodelinfer; see the header.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyserverset.h"

/* Backoff of a server after consecutive failures, so a dead server is
 * probed, not hammered; short enough that predictions come back within
 * about half a second of it. */
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 500

struct _GstSlyServer
{
  SlyClient *client;
  gchar *name;
  /* set->lock */
  guint outstanding;
  guint failures;               /* consecutive */
  gint64 down_until_us;         /* monotonic; in backoff until then */
  guint64 requests, failed;
};

struct _GstSlyServerSet
{
  GMutex lock;
  GPtrArray *servers;           /* GstSlyServer* */
};

static void
server_free (GstSlyServer * server)
{
  g_object_unref (server->client);
  g_free (server->name);
  g_free (server);
}

GstSlyServerSet *
gst_sly_server_set_new (GPtrArray * clients, const gchar * const *names)
{
  GstSlyServerSet *set = g_new0 (GstSlyServerSet, 1);
  guint i;

  g_mutex_init (&set->lock);
  set->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) server_free);
  for (i = 0; i < clients->len; i++) {
    GstSlyServer *server = g_new0 (GstSlyServer, 1);

    server->client = g_ptr_array_index (clients, i);
    server->name = g_strdup (names[i]);
    g_ptr_array_add (set->servers, server);
  }
  g_ptr_array_set_free_func (clients, NULL);
  g_ptr_array_unref (clients);
  return set;
}

void
gst_sly_server_set_free (GstSlyServerSet * set)
{
  g_ptr_array_unref (set->servers);
  g_mutex_clear (&set->lock);
  g_free (set);
}

guint
gst_sly_server_set_size (GstSlyServerSet * set)
{
  return set->servers->len;
}

SlyClient *
gst_sly_server_set_primary (GstSlyServerSet * set)
{
  return ((GstSlyServer *) g_ptr_array_index (set->servers, 0))->client;
}

GstSlyServer *
gst_sly_server_set_pick (GstSlyServerSet * set, GstSlyServer * avoid,
    guint * wait_ms)
{
  gint64 now = g_get_monotonic_time ();
  gint64 first_back = G_MAXINT64;
  GstSlyServer *best = NULL;
  guint i;

  g_mutex_lock (&set->lock);
  for (i = 0; i < set->servers->len; i++) {
    GstSlyServer *s = g_ptr_array_index (set->servers, i);

    if (s == avoid)
      continue;
    if (s->down_until_us > now) {
      first_back = MIN (first_back, s->down_until_us);
      continue;
    }
    if (best == NULL || s->outstanding < best->outstanding)
      best = s;
  }
  g_mutex_unlock (&set->lock);

  *wait_ms = (best == NULL && first_back != G_MAXINT64) ?
      (guint) ((first_back - now + 999) / 1000) : 0;
  return best;
}

SlyClient *
gst_sly_server_get_client (GstSlyServer * server)
{
  return server->client;
}

const gchar *
gst_sly_server_get_name (GstSlyServer * server)
{
  return server->name;
}

void
gst_sly_server_begin (GstSlyServerSet * set, GstSlyServer * server)
{
  g_mutex_lock (&set->lock);
  server->outstanding++;
  server->requests++;
  g_mutex_unlock (&set->lock);
}

static guint
backoff_ms (guint failures)
{
  guint shift = MIN (failures - 1, 10);

  return MIN (BACKOFF_FIRST_MS << shift, BACKOFF_MAX_MS);
}

void
gst_sly_server_end (GstSlyServerSet * set, GstSlyServer * server,
    gboolean ok, gboolean cancelled)
{
  g_mutex_lock (&set->lock);
  server->outstanding--;
  if (ok) {
    server->failures = 0;
    server->down_until_us = 0;
  } else if (!cancelled) {
    server->failed++;
    server->failures++;
    server->down_until_us = g_get_monotonic_time () +
        backoff_ms (server->failures) * G_GINT64_CONSTANT (1000);
  }
  g_mutex_unlock (&set->lock);
}

void
gst_sly_server_set_stats (GstSlyServerSet * set, GstStructure * s)
{
  GValue list = G_VALUE_INIT;
  gint64 now = g_get_monotonic_time ();
  guint i;

  gst_value_array_init (&list, set->servers->len);
  g_mutex_lock (&set->lock);
  for (i = 0; i < set->servers->len; i++) {
    GstSlyServer *server = g_ptr_array_index (set->servers, i);
    GValue v = G_VALUE_INIT;

    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, gst_structure_new ("server",
            "url", G_TYPE_STRING, server->name,
            "requests", G_TYPE_UINT64, server->requests,
            "failed", G_TYPE_UINT64, server->failed,
            "in-flight", G_TYPE_UINT, server->outstanding,
            "up", G_TYPE_BOOLEAN, server->down_until_us <= now, NULL));
    gst_value_array_append_and_take_value (&list, &v);
  }
  g_mutex_unlock (&set->lock);
  gst_structure_take_value (s, "servers", &list);
}
