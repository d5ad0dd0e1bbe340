/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer and its model server: start and stop of the I/O thread,
 * the callbacks the I/O thread runs when a request or a start/load/refresh
 * finishes, and the cached model information.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstslymodelinfer-private.h"
#include "slyerror.h"
#include "slyjson.h"

/* ---- the model information ---- */

/* called with GST_OBJECT_LOCK; takes @info */
void
gst_sly_model_infer_locked_set_info (GstSlyModelInfer * self,
    GstSlyModelInfo * info)
{
  guint i;

  gst_sly_model_info_free (self->info);
  self->info = info;
  g_clear_pointer (&self->class_index, g_hash_table_unref);
  self->class_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  for (i = 0; info->classes != NULL && info->classes[i] != NULL; i++)
    g_hash_table_insert (self->class_index, g_strdup (info->classes[i]),
        GUINT_TO_POINTER (i));
}

/* A URL fit for messages: the /net/<session token> part hidden. */
static gchar *
redact_url (const gchar * url)
{
  const gchar *net;
  const gchar *end;

  if (url == NULL)
    return g_strdup ("(none)");
  net = strstr (url, "/net/");
  if (net == NULL)
    return g_strdup (url);
  end = strchr (net + 5, '/');
  return g_strdup_printf ("%.*s/net/***%s", (int) (net - url), url,
      end ? end : "");
}

/* The server for error messages, without secrets. */
gchar *
gst_sly_model_infer_describe_server (GstSlyModelInfer * self)
{
  gchar *server;

  GST_OBJECT_LOCK (self);
  if (self->cfg.url == NULL && self->cfg.task_id > 0)
    server = g_strdup_printf ("task %" G_GINT64_FORMAT, self->cfg.task_id);
  else
    server = redact_url (self->cfg.url);
  GST_OBJECT_UNLOCK (self);
  return server;
}

/* Any thread: what the tracker needs to know about the model, from the
 * cache (never the network). */
static void
tracking_model_info (gpointer user_data, JsonNode ** session_info,
    JsonNode ** tracking_settings)
{
  GstSlyModelInfer *self = user_data;

  GST_OBJECT_LOCK (self);
  if (self->info != NULL && self->info->session_info != NULL)
    *session_info = json_node_copy (self->info->session_info);
  if (self->info != NULL && self->info->tracking_settings != NULL)
    *tracking_settings = json_node_copy (self->info->tracking_settings);
  GST_OBJECT_UNLOCK (self);
}

/* ---- I/O thread callbacks ---- */

static void
post_start_error (GstSlyModelInfer * self, const gchar * model,
    const GError * error)
{
  g_autofree gchar *server = gst_sly_model_infer_describe_server (self);
  g_autofree gchar *text = NULL;
  guint status = gst_sly_model_infer_http_status (error);

  if (model != NULL)
    text = g_strdup_printf ("Could not load model \"%s\" on the model server "
        "at %s: %s", model, server, error->message);
  else if (status != 0)
    text = g_strdup_printf ("The model server at %s answered HTTP %u: %s",
        server, status, error->message);
  else
    text = g_strdup_printf ("Could not reach the model server at %s: %s",
        server, error->message);

  if (status != 0)
    GST_ELEMENT_ERROR_WITH_DETAILS (self, RESOURCE, OPEN_READ, ("%s", text),
        (NULL), ("http-status-code", G_TYPE_UINT, status, NULL));
  else
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", text), (NULL));
}

static void
post_load_message (GstSlyModelInfer * self, const gchar * model,
    const GError * error)
{
  GstStructure *s = gst_structure_new ("slymodelinfer-model-loaded",
      "model", G_TYPE_STRING, model,
      "success", G_TYPE_BOOLEAN, error == NULL,
      "error", G_TYPE_STRING, error ? error->message : NULL, NULL);

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* I/O thread */
static void
on_info_done (GstSlyIoOp op, const gchar * model, GstSlyModelInfo * info,
    const GError * error, gpointer user_data)
{
  GstSlyModelInfer *self = user_data;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (info != NULL) {
    GST_INFO_OBJECT (self, "model %s ready", GST_STR_NULL (info->model_name));
    GST_OBJECT_LOCK (self);
    gst_sly_model_infer_locked_set_info (self, info);
    GST_OBJECT_UNLOCK (self);
    gst_sly_model_infer_check_classes (self);
  }

  switch (op) {
    case GST_SLY_IO_OP_START:
      if (error != NULL)
        post_start_error (self, model, error);
      gst_sly_request_queue_set_model_state (&self->queue,
          error ? GST_SLY_MODEL_FAILED : GST_SLY_MODEL_READY);
      break;
    case GST_SLY_IO_OP_LOAD:
      /* the old model keeps serving when the new one failed */
      if (error != NULL)
        GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
            ("Could not load model \"%s\": %s", model, error->message), (NULL));
      post_load_message (self, model, error);
      break;
    case GST_SLY_IO_OP_REFRESH:
      if (error != NULL)
        GST_ELEMENT_WARNING (self, RESOURCE, READ,
            ("Could not refresh the model information: %s", error->message),
            (NULL));
      break;
  }
}

/* I/O thread */
static void
on_batch_done (GstSlyBatch * batch, GPtrArray * annotations,
    const GError * error, gpointer user_data)
{
  GstSlyModelInfer *self = user_data;
  GstClockTime rtt = GST_CLOCK_TIME_NONE;
  g_autofree gchar *model_name = NULL;
  guint n = batch->items->len;
  gboolean cancelled = g_error_matches (error, G_IO_ERROR,
      G_IO_ERROR_CANCELLED);
  gboolean relatency = FALSE;

  if (batch->sent_us != 0)
    rtt = (g_get_monotonic_time () - batch->sent_us) * GST_USECOND;

  GST_OBJECT_LOCK (self);
  if (self->info != NULL)
    model_name = g_strdup (self->info->model_name);
  if (annotations != NULL) {
    self->inferred += n;
    relatency = gst_sly_model_infer_locked_add_round_trip (self, rtt);
  } else if (!cancelled) {
    self->failed += n;
  }
  GST_OBJECT_UNLOCK (self);

  if (relatency) {
    GST_INFO_OBJECT (self, "round trips grew: asking for a new latency");
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  }

  if (error != NULL && !cancelled)
    gst_sly_model_infer_warn_failure (self, n, error);

  gst_sly_request_queue_complete (&self->queue, batch->epoch, batch->items,
      annotations, annotations ? GST_SLY_RESULT_INFERRED :
      GST_SLY_RESULT_FAILED, rtt, model_name);
}

static const GstSlyIoCallbacks io_callbacks = {
  on_batch_done,
  on_info_done,
};

/* ---- start and stop ---- */

static gboolean
check_json_object (const gchar * text, GError ** error)
{
  g_autoptr (JsonNode) root = NULL;

  if (text == NULL)
    return TRUE;
  root = sly_json_parse (text, -1, "the value", error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "not a JSON object");
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_sly_model_infer_start_tracking (GstSlyModelInfer * self,
    const gchar * overrides, GError ** error)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  self->tracking_glue = gst_sly_tracking_new (overrides, tracking_model_info,
      self, warnings, error);
  gst_sly_model_infer_post_tracking_warnings (self, warnings);
  return self->tracking_glue != NULL;
}

/* Creates the I/O thread for the configured server; it only checks the
 * configuration here and connects later, in the background. */
static GstSlyIoThread *
gst_sly_model_infer_new_io_thread (GstSlyModelInfer * self, GError ** error)
{
  GstSlyClientConfig cfg;
  GstSlyIoThread *io;

  GST_OBJECT_LOCK (self);
  gst_sly_client_config_copy (&self->cfg, &cfg);
  GST_OBJECT_UNLOCK (self);
  io = gst_sly_io_thread_new (&cfg, &io_callbacks, self, error);
  gst_sly_client_config_clear (&cfg);
  return io;
}

/* READY to PAUSED: checks the configuration, then connects (and loads the
 * model) in the background; the chain function waits for the outcome. */
gboolean
gst_sly_model_infer_start (GstSlyModelInfer * self)
{
  g_autoptr (GError) error = NULL;
  GstSlyIoThread *io;
  gboolean tracking;
  g_autofree gchar *settings = NULL;
  g_autofree gchar *tracking_config = NULL;

  GST_OBJECT_LOCK (self);
  tracking = self->tracking;
  tracking_config = g_strdup (self->tracking_config);
  settings = g_strdup (self->settings);
  gst_sly_model_infer_locked_reset_stats (self);
  GST_OBJECT_UNLOCK (self);

  if (!check_json_object (settings, &error))
    goto bad_settings;
  if (tracking && !gst_sly_model_infer_start_tracking (self, tracking_config,
          &error))
    goto bad_tracking_config;
  io = gst_sly_model_infer_new_io_thread (self, &error);
  if (io == NULL)
    goto bad_config;

  self->live_known = FALSE;
  self->have_caps = FALSE;
  self->frame_count = 0;
  self->width = self->height = 0;
  gst_sly_request_queue_set_model_state (&self->queue,
      GST_SLY_MODEL_CONNECTING);
  GST_OBJECT_LOCK (self);
  self->io = io;
  gst_sly_io_thread_control (io, GST_SLY_IO_OP_START, self->model,
      self->device, self->runtime);
  GST_OBJECT_UNLOCK (self);
  return TRUE;

  /* ERRORS */
bad_settings:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The settings property must be a JSON object: %s", error->message),
        (NULL));
    return FALSE;
  }
bad_tracking_config:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The tracking-config property is not usable: %s", error->message),
        (NULL));
    return FALSE;
  }
bad_config:
  {
    g_autofree gchar *server = gst_sly_model_infer_describe_server (self);

    g_clear_pointer (&self->tracking_glue, gst_sly_tracking_free);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Cannot use the model "
            "server %s: %s", server, error->message), (NULL));
    return FALSE;
  }
}

/* PAUSED to READY, or a failed start: called with the pads deactivated. */
void
gst_sly_model_infer_stop (GstSlyModelInfer * self)
{
  GstSlyIoThread *io;

  GST_OBJECT_LOCK (self);
  io = g_steal_pointer (&self->io);
  GST_OBJECT_UNLOCK (self);

  gst_sly_model_infer_drop_pending (self);
  /* the pads are down: nothing submits any more; this cancels what is in
   * flight and waits for every completion */
  if (io != NULL)
    gst_sly_io_thread_free (io);
  gst_sly_request_queue_flush (&self->queue, GST_FLOW_FLUSHING);
  /* the src task is stopped: nobody else touches the tracker */
  g_clear_pointer (&self->tracking_glue, gst_sly_tracking_free);
}
