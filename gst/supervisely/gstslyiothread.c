/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The I/O thread of slymodelinfer. Everything below marked "I/O thread"
 * runs only there; the public functions hop in with idle sources.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyiothread.h"
#include "gstslyrequestqueue.h"
#include "gstslyserverset.h"
#include "slyredact.h"
#include "slyerror.h"

GST_DEBUG_CATEGORY_STATIC (gst_sly_io_thread_debug);
#define GST_CAT_DEFAULT gst_sly_io_thread_debug

/* Pause between the client's own retries of one request. */
#define RETRY_DELAY_MS 100

typedef struct
{
  GstSlyIoThread *io;
  GstSlyIoOp op;
  gchar *model;
  gchar *device;
  gchar *runtime;
  gchar *previous;              /* LOAD: the model to roll back to */
  GError *load_error;           /* LOAD: why it failed, while rolling back */
} ControlOp;

typedef struct
{
  GstSlyIoThread *io;
  GstSlyBatch *batch;
  GSource *source;              /* the backoff */
  GSource *cancel_source;       /* the batch's cancellable (a flush) */
} DelayedBatch;

struct _GstSlyIoThread
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GstSlyClientConfig cfg;
  GstSlyIoCallbacks cb;
  gpointer user_data;

  /* start-up handshake with the creating thread */
  GMutex lock;
  GCond cond;
  gboolean started;
  GError *start_error;

  /* made on the I/O thread before the start-up handshake, freed there */
  GstSlyServerSet *servers;

  /* I/O thread only */
  gboolean quitting;
  guint outstanding;            /* async calls whose callback is pending */
  GList *inflight;              /* GstSlyBatch* sent to a server */
  GList *delayed;               /* DelayedBatch* waiting for a backoff */
  GCancellable *control_cancellable;
  GQueue control_ops;           /* ControlOp* not started yet */
  ControlOp *control;           /* the one running */
};

/* Runs @func on the I/O thread. Always through an idle source, never
 * directly (g_main_context_invoke would run it on the calling thread while
 * the context happens to be free). */
static void
io_invoke (GstSlyIoThread * io, GSourceFunc func, gpointer data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, io->context);
  g_source_unref (source);
}

/* ---- configuration ---- */

void
gst_sly_client_config_clear (GstSlyClientConfig * cfg)
{
  g_clear_pointer (&cfg->url, g_free);
  g_clear_pointer (&cfg->task_ids, g_free);
  g_clear_pointer (&cfg->server_address, g_free);
  g_clear_pointer (&cfg->api_token, g_free);
  g_clear_pointer (&cfg->ca_file, g_free);
}

static void
config_free (GstSlyClientConfig * cfg)
{
  gst_sly_client_config_clear (cfg);
  g_free (cfg);
}

void
gst_sly_client_config_copy (const GstSlyClientConfig * src,
    GstSlyClientConfig * dst)
{
  *dst = *src;
  dst->url = g_strdup (src->url);
  dst->task_ids = g_strdup (src->task_ids);
  dst->server_address = g_strdup (src->server_address);
  dst->api_token = g_strdup (src->api_token);
  dst->ca_file = g_strdup (src->ca_file);
}

/* The client of a configuration of one server (split_servers()). */
static SlyClient *
client_for_one (const GstSlyClientConfig * one, GError ** error)
{
  SlyClient *client;

  if (one->url != NULL)
    client = sly_client_new_for_url (one->url, error);
  else
    client = sly_client_new_for_task (one->task_id, one->server_address,
        one->api_token, error);
  if (client == NULL)
    return NULL;
  if (one->ca_file != NULL &&
      !sly_client_set_tls_ca_file (client, one->ca_file, error)) {
    g_object_unref (client);
    return NULL;
  }
  sly_client_set_max_objects (client, one->max_objects);
  sly_client_set_timeout (client, one->timeout_ms);
  sly_client_set_retries (client, one->retries + 1, RETRY_DELAY_MS);
  return client;
}

/* The configuration of each server of @cfg, in order: the URLs of url, or
 * the task ids of task-ids, or task-id alone. */
static GPtrArray *
split_servers (const GstSlyClientConfig * cfg, GError ** error)
{
  const gchar *list = cfg->url ? cfg->url : cfg->task_ids;
  g_auto (GStrv) parts = NULL;
  GPtrArray *configs;
  guint i;

  if (cfg->url != NULL && (cfg->task_id > 0 || cfg->task_ids != NULL)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "Both url and task-id (or task-ids) are set: use one of them");
    return NULL;
  }
  if (list == NULL && cfg->task_id <= 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "No model server given: set the url property (for example "
        "url=http://127.0.0.1:8000) or task-id");
    return NULL;
  }
  configs = g_ptr_array_new_with_free_func ((GDestroyNotify) config_free);
  parts = g_strsplit (list ? list : "", ",", -1);
  for (i = 0; parts[i] != NULL || (i == 0 && list == NULL); i++) {
    GstSlyClientConfig *one = g_new0 (GstSlyClientConfig, 1);

    g_ptr_array_add (configs, one);
    gst_sly_client_config_copy (cfg, one);
    g_clear_pointer (&one->task_ids, g_free);
    if (list == NULL)
      break;
    if (cfg->url != NULL) {
      g_free (one->url);
      one->url = g_strdup (g_strstrip (parts[i]));
    } else if (!g_ascii_string_to_signed (g_strstrip (parts[i]), 10, 1,
            G_MAXINT64, &one->task_id, NULL)) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
          "task-ids: \"%s\" is not a task id", parts[i]);
      g_ptr_array_unref (configs);
      return NULL;
    }
  }
  return configs;
}

SlyClient *
gst_sly_client_config_create_client (const GstSlyClientConfig * cfg,
    GError ** error)
{
  g_autoptr (GPtrArray) configs = split_servers (cfg, error);

  /* the first server: where models load and actions go */
  return configs ? client_for_one (g_ptr_array_index (configs, 0), error) :
      NULL;
}

/* The clients of every server of @cfg, in order, with their names fit for
 * messages. */
static GPtrArray *
create_clients (const GstSlyClientConfig * cfg, GStrv * names, GError ** error)
{
  g_autoptr (GPtrArray) configs = split_servers (cfg, error);
  g_autoptr (GPtrArray) shown = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) clients = g_ptr_array_new_with_free_func
      (g_object_unref);
  guint i;

  if (configs == NULL)
    return NULL;
  for (i = 0; i < configs->len; i++) {
    const GstSlyClientConfig *one = g_ptr_array_index (configs, i);
    SlyClient *client = client_for_one (one, error);

    if (client == NULL)
      return NULL;
    g_ptr_array_add (clients, client);
    g_ptr_array_add (shown, one->url ? sly_redact_url (one->url) :
        g_strdup_printf ("task %" G_GINT64_FORMAT, one->task_id));
  }
  g_ptr_array_add (shown, NULL);
  *names = (GStrv) g_ptr_array_free (g_steal_pointer (&shown), FALSE);
  return g_steal_pointer (&clients);
}

/* ---- batches ---- */

GstSlyBatch *
gst_sly_batch_new (void)
{
  GstSlyBatch *batch = g_new0 (GstSlyBatch, 1);

  batch->items = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_sly_item_unref);
  batch->images = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  return batch;
}

void
gst_sly_batch_free (GstSlyBatch * batch)
{
  g_ptr_array_unref (batch->items);
  g_ptr_array_unref (batch->images);
  g_clear_pointer (&batch->crops, g_array_unref);
  g_clear_pointer (&batch->answers, g_ptr_array_unref);
  g_clear_pointer (&batch->settings, sly_inference_settings_free);
  g_clear_object (&batch->cancellable);
  g_free (batch);
}

/* I/O thread: hands the outcome to the element and frees the batch. */
static void
batch_finish (GstSlyIoThread * io, GstSlyBatch * batch,
    GPtrArray * annotations, const GError * error)
{
  io->cb.batch_done (batch, annotations, error, io->user_data);
  gst_sly_batch_free (batch);
}

static void
batch_cancelled (GstSlyIoThread * io, GstSlyBatch * batch)
{
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_CANCELLED, "Request cancelled");

  batch_finish (io, batch, NULL, error);
}

static void batch_send (GstSlyIoThread * io, GstSlyBatch * batch);
static void batch_send_now (GstSlyIoThread * io, GstSlyBatch * batch,
    GstSlyServer * server);

/* I/O thread: a request of non-live frames that failed on one server goes
 * to another that is up, once per server; TRUE when it did. Live frames
 * are never retried elsewhere: their time is up. */
static gboolean
batch_try_elsewhere (GstSlyIoThread * io, GstSlyBatch * batch)
{
  GstSlyServer *other;
  guint wait_ms;

  if (batch->deadline_us != 0 || io->quitting ||
      batch->tries >= gst_sly_server_set_size (io->servers))
    return FALSE;
  other = gst_sly_server_set_pick (io->servers, batch->server, &wait_ms);
  if (other == NULL)
    return FALSE;
  GST_DEBUG ("request failed on %s: trying %s",
      gst_sly_server_get_name (batch->server), gst_sly_server_get_name (other));
  batch_send_now (io, batch, other);
  return TRUE;
}

/* The images of the part of @batch to send now: all of them, or the next
 * max_images. */
static guint
batch_part_size (GstSlyBatch * batch)
{
  guint left = batch->images->len - batch->sent_images;

  return batch->max_images > 0 ? MIN (left, batch->max_images) : left;
}

/* I/O thread: one part of a batch larger than the server takes was
 * answered: its annotations join the others and the next part leaves on
 * the same server. FALSE when it was the last part (or the only one). */
static gboolean
batch_part_done (GstSlyIoThread * io, GstSlyBatch * batch,
    GPtrArray * annotations)
{
  guint i;

  if (batch->sent_images == 0 && batch_part_size (batch) == batch->images->len)
    return FALSE;
  if (batch->answers == NULL)
    batch->answers = g_ptr_array_new_with_free_func ((GDestroyNotify)
        sly_annotation_unref);
  for (i = 0; i < annotations->len; i++)
    g_ptr_array_add (batch->answers,
        sly_annotation_ref (g_ptr_array_index (annotations, i)));
  batch->sent_images += batch_part_size (batch);
  if (batch->sent_images >= batch->images->len)
    return FALSE;
  batch->tries = 0;
  batch_send_now (io, batch, batch->server);
  return TRUE;
}

static void
infer_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GstSlyBatch *batch = user_data;
  GstSlyIoThread *io = batch->io;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) annotations = NULL;
  gboolean cancelled;

  io->outstanding--;
  io->inflight = g_list_remove (io->inflight, batch);
  annotations = sly_client_infer_finish (SLY_CLIENT (source), res, &error);
  cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gst_sly_server_end (io->servers, batch->server, annotations != NULL,
      cancelled);

  if (annotations == NULL && !cancelled && batch_try_elsewhere (io, batch))
    return;
  if (annotations != NULL && batch_part_done (io, batch, annotations))
    return;
  /* a part that failed fails the whole batch */
  if (annotations != NULL && batch->answers != NULL)
    batch_finish (io, batch, batch->answers, error);
  else
    batch_finish (io, batch, annotations, error);
}

/* I/O thread */
static void
batch_send_now (GstSlyIoThread * io, GstSlyBatch * batch, GstSlyServer * server)
{
  if (io->quitting || g_cancellable_is_cancelled (batch->cancellable)) {
    batch_cancelled (io, batch);
    return;
  }

  batch->server = server;
  batch->tries++;
  /* the round trip of a batch in parts spans them all */
  if (batch->sent_images == 0)
    batch->sent_us = g_get_monotonic_time ();
  io->outstanding++;
  io->inflight = g_list_prepend (io->inflight, batch);
  gst_sly_server_begin (io->servers, server);
  sly_client_infer_async (gst_sly_server_get_client (server),
      (GBytes * const *) batch->images->pdata + batch->sent_images,
      batch_part_size (batch), batch->content_type, batch->settings,
      batch->deadline_us, batch->cancellable, infer_done, batch);
}

/* I/O thread: takes @d off the delayed list and frees it; its batch is
 * the caller's. */
static GstSlyBatch *
delayed_batch_take (DelayedBatch * d)
{
  GstSlyBatch *batch = d->batch;

  d->io->delayed = g_list_remove (d->io->delayed, d);
  g_source_destroy (d->source);
  g_source_unref (d->source);
  g_source_destroy (d->cancel_source);
  g_source_unref (d->cancel_source);
  g_free (d);
  return batch;
}

static gboolean
delayed_batch_fire (gpointer user_data)
{
  DelayedBatch *d = user_data;
  GstSlyIoThread *io = d->io;

  /* the servers may have changed meanwhile: pick again */
  batch_send (io, delayed_batch_take (d));
  return G_SOURCE_REMOVE;
}

/* A flush while the batch waits for the backoff: its buffers are let go
 * at once rather than when the backoff ends. */
static gboolean
delayed_batch_cancelled (GCancellable * cancellable, gpointer user_data)
{
  DelayedBatch *d = user_data;
  GstSlyIoThread *io = d->io;

  batch_cancelled (io, delayed_batch_take (d));
  return G_SOURCE_REMOVE;
}

/* I/O thread: sends @batch to the least loaded server that is up, or
 * waits until the first one is back from its backoff. */
static void
batch_send (GstSlyIoThread * io, GstSlyBatch * batch)
{
  GstSlyServer *server;
  DelayedBatch *d;
  guint wait_ms;

  if (io->quitting || g_cancellable_is_cancelled (batch->cancellable)) {
    batch_cancelled (io, batch);
    return;
  }
  server = gst_sly_server_set_pick (io->servers, NULL, &wait_ms);
  if (server != NULL) {
    batch_send_now (io, batch, server);
    return;
  }

  d = g_new0 (DelayedBatch, 1);
  d->io = io;
  d->batch = batch;
  d->source = g_timeout_source_new (wait_ms);
  g_source_set_callback (d->source, delayed_batch_fire, d, NULL);
  g_source_attach (d->source, io->context);
  d->cancel_source = g_cancellable_source_new (batch->cancellable);
  g_source_set_callback (d->cancel_source,
      (GSourceFunc) (GCallback) delayed_batch_cancelled, d, NULL);
  g_source_attach (d->cancel_source, io->context);
  io->delayed = g_list_append (io->delayed, d);
  GST_DEBUG ("every server failing: next request in %u ms", wait_ms);
}

static gboolean
submit_cb (gpointer user_data)
{
  GstSlyBatch *batch = user_data;

  batch_send (batch->io, batch);
  return G_SOURCE_REMOVE;
}

void
gst_sly_io_thread_submit (GstSlyIoThread * io, GstSlyBatch * batch)
{
  batch->io = io;
  /* the client is only used on the I/O thread */
  io_invoke (io, submit_cb, batch);
}

/* ---- start / load / refresh ---- */

static void control_run_next (GstSlyIoThread * io);

static void
control_op_free (ControlOp * op)
{
  g_free (op->model);
  g_free (op->device);
  g_free (op->runtime);
  g_free (op->previous);
  g_clear_error (&op->load_error);
  g_free (op);
}

/* I/O thread: @info (transfer full) or @error */
static void
control_finish (GstSlyIoThread * io, SlyModelInfo * info, const GError * error)
{
  ControlOp *op = io->control;
  const gchar *rolled_back = NULL;

  io->control = NULL;
  if (info != NULL && op->load_error != NULL)
    rolled_back = op->previous;
  io->cb.info_done (op->op, op->model, info,
      op->load_error ? op->load_error : error, rolled_back, io->user_data);
  control_op_free (op);
  if (!io->quitting)
    control_run_next (io);
}

static void
fetch_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GstSlyIoThread *io = user_data;
  g_autoptr (GError) error = NULL;
  SlyModelInfo *info;

  io->outstanding--;
  info = sly_client_fetch_model_info_finish (SLY_CLIENT (source), res, &error);
  control_finish (io, info, error);
}

/* I/O thread: reads what the model is, after a load or for a refresh */
static void
control_fetch_info (GstSlyIoThread * io)
{
  io->outstanding++;
  sly_client_fetch_model_info_async (gst_sly_server_set_primary (io->servers),
      io->control_cancellable, fetch_done, io);
}

static void
load_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GstSlyIoThread *io = user_data;
  ControlOp *op = io->control;
  g_autoptr (GError) error = NULL;

  io->outstanding--;
  if (sly_client_load_finish (SLY_CLIENT (source), res, &error)) {
    control_fetch_info (io);
    return;
  }
  /* Serving apps unload the old model before loading a new one, so a
   * failed load leaves none: load the previous one again, once. */
  if (op->load_error == NULL && op->previous != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    GST_INFO ("loading %s failed (%s): loading %s again", op->model,
        error->message, op->previous);
    op->load_error = g_steal_pointer (&error);
    io->outstanding++;
    sly_client_load_async (gst_sly_server_set_primary (io->servers),
        op->previous, op->device, op->runtime, io->control_cancellable,
        load_done, io);
    return;
  }
  if (op->load_error != NULL)
    GST_WARNING ("loading %s again failed too: %s", op->previous,
        error->message);
  control_finish (io, NULL, error);
}

/* I/O thread */
static void
control_run_next (GstSlyIoThread * io)
{
  ControlOp *op;

  if (io->control != NULL || g_queue_is_empty (&io->control_ops))
    return;

  op = io->control = g_queue_pop_head (&io->control_ops);
  if (op->model != NULL) {
    GST_INFO ("loading model %s", op->model);
    io->outstanding++;
    sly_client_load_async (gst_sly_server_set_primary (io->servers), op->model,
        op->device, op->runtime, io->control_cancellable, load_done, io);
  } else {
    control_fetch_info (io);
  }
}

static gboolean
control_cb (gpointer user_data)
{
  ControlOp *op = user_data;
  GstSlyIoThread *io = op->io;

  if (io->quitting) {
    control_op_free (op);
    return G_SOURCE_REMOVE;
  }
  g_queue_push_tail (&io->control_ops, op);
  control_run_next (io);
  return G_SOURCE_REMOVE;
}

void
gst_sly_io_thread_control (GstSlyIoThread * io, GstSlyIoOp op,
    const gchar * model, const gchar * device, const gchar * runtime,
    const gchar * previous)
{
  ControlOp *c = g_new0 (ControlOp, 1);

  c->op = op;
  if (op != GST_SLY_IO_OP_REFRESH && model != NULL && *model != '\0') {
    c->model = g_strdup (model);
    c->device = g_strdup (device);
    c->runtime = g_strdup (runtime);
  }
  if (op == GST_SLY_IO_OP_LOAD && previous != NULL &&
      g_strcmp0 (previous, model) != 0)
    c->previous = g_strdup (previous);
  c->io = io;
  io_invoke (io, control_cb, c);
}

/* ---- the thread ---- */

/* I/O thread: cancel everything, then let every callback run so nothing
 * still points at us or at the element (souphttpsrc drains the same way). */
static void
io_thread_drain (GstSlyIoThread * io)
{
  GList *l;

  io->quitting = TRUE;
  g_cancellable_cancel (io->control_cancellable);
  for (l = io->inflight; l != NULL; l = l->next)
    g_cancellable_cancel (((GstSlyBatch *) l->data)->cancellable);
  while (io->delayed != NULL)
    batch_cancelled (io, delayed_batch_take (io->delayed->data));
  g_queue_clear_full (&io->control_ops, (GDestroyNotify) control_op_free);

  do {
    while (g_main_context_iteration (io->context, FALSE));
    if (io->outstanding > 0)
      g_main_context_iteration (io->context, TRUE);
  } while (io->outstanding > 0 || g_main_context_pending (io->context));
}

static gpointer
io_thread_func (gpointer user_data)
{
  GstSlyIoThread *io = user_data;
  GError *error = NULL;
  g_auto (GStrv) names = NULL;
  GPtrArray *clients;

  g_main_context_push_thread_default (io->context);
  /* The clients, and so their SoupSessions, are created here: libsoup
   * wants a session used from the thread that made it. */
  clients = create_clients (&io->cfg, &names, &error);
  if (clients != NULL)
    io->servers = gst_sly_server_set_new (clients,
        (const gchar * const *) names);

  g_mutex_lock (&io->lock);
  io->start_error = error;
  io->started = TRUE;
  g_cond_signal (&io->cond);
  g_mutex_unlock (&io->lock);

  if (io->servers != NULL) {
    g_main_loop_run (io->loop);
    io_thread_drain (io);
  }

  g_clear_pointer (&io->servers, gst_sly_server_set_free);
  g_main_context_pop_thread_default (io->context);
  return NULL;
}

static void
io_thread_destroy (GstSlyIoThread * io)
{
  g_main_loop_unref (io->loop);
  g_main_context_unref (io->context);
  g_clear_object (&io->control_cancellable);
  gst_sly_client_config_clear (&io->cfg);
  g_clear_error (&io->start_error);
  g_cond_clear (&io->cond);
  g_mutex_clear (&io->lock);
  g_free (io);
}

GstSlyIoThread *
gst_sly_io_thread_new (const GstSlyClientConfig * cfg,
    const GstSlyIoCallbacks * callbacks, gpointer user_data, GError ** error)
{
  GstSlyIoThread *io = g_new0 (GstSlyIoThread, 1);

  GST_DEBUG_CATEGORY_INIT (gst_sly_io_thread_debug, "slymodelinferio", 0,
      "slymodelinfer's I/O thread: requests, backoff, model loads");
  gst_sly_client_config_copy (cfg, &io->cfg);
  io->cb = *callbacks;
  io->user_data = user_data;
  io->context = g_main_context_new ();
  io->loop = g_main_loop_new (io->context, FALSE);
  io->control_cancellable = g_cancellable_new ();
  g_queue_init (&io->control_ops);
  g_mutex_init (&io->lock);
  g_cond_init (&io->cond);

  /* Linux shows 15 characters of a thread name (top, gdb) */
  io->thread = g_thread_new ("slyinfer-io", io_thread_func, io);

  g_mutex_lock (&io->lock);
  while (!io->started)
    g_cond_wait (&io->cond, &io->lock);
  g_mutex_unlock (&io->lock);

  if (io->start_error != NULL) {
    g_thread_join (io->thread);
    g_propagate_error (error, g_steal_pointer (&io->start_error));
    io_thread_destroy (io);
    return NULL;
  }
  return io;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

void
gst_sly_io_thread_free (GstSlyIoThread * io)
{
  io_invoke (io, quit_cb, io->loop);
  g_thread_join (io->thread);
  io_thread_destroy (io);
}

void
gst_sly_io_thread_add_stats (GstSlyIoThread * io, GstStructure * s)
{
  gst_sly_server_set_stats (io->servers, s);
}
