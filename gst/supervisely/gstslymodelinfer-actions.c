/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer's action signals: load a model, freeze it, shut the serving
 * task down, list pretrained models, refresh the model information. They
 * run on the application's thread and may wait on the network; none of
 * them holds the object lock while it does.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslymodelinfer-private.h"

enum
{
  SIGNAL_LOAD,
  SIGNAL_FREEZE_MODEL,
  SIGNAL_SHUTDOWN,
  SIGNAL_LIST_PRETRAINED_MODELS,
  SIGNAL_LIST_PRETRAINED_MODEL_INFOS,
  SIGNAL_REFRESH,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

static gboolean
gst_sly_model_infer_load (GstSlyModelInfer * self, const gchar * model,
    const gchar * device, const gchar * runtime)
{
  if (model == NULL || *model == '\0')
    return FALSE;

  GST_OBJECT_LOCK (self);
  gst_sly_model_infer_locked_set_model (self, model, device, runtime);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* A client of its own for an action, so the application thread never
 * shares the I/O thread's client. */
static SlyClient *
action_client (GstSlyModelInfer * self, const gchar * action)
{
  g_autoptr (GError) error = NULL;
  GstSlyClientConfig cfg;
  SlyClient *client;

  GST_OBJECT_LOCK (self);
  gst_sly_client_config_copy (&self->cfg, &cfg);
  GST_OBJECT_UNLOCK (self);
  client = gst_sly_client_config_create_client (&cfg, &error);
  gst_sly_client_config_clear (&cfg);
  if (client == NULL)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("%s failed: %s", action,
            error->message), (NULL));
  return client;
}

/* Returns @result; a NULL @result means the action failed with @error
 * (read here, after the call that set it), which becomes a warning. */
static gpointer
action_result (GstSlyModelInfer * self, const gchar * action,
    gpointer result, GError ** error)
{
  if (result == NULL)
    GST_ELEMENT_WARNING (self, RESOURCE, READ, ("%s failed: %s", action,
            (*error)->message), (NULL));
  return result;
}

static gchar *
gst_sly_model_infer_freeze_model (GstSlyModelInfer * self)
{
  g_autoptr (SlyClient) client = action_client (self, "freeze-model");
  g_autoptr (GError) error = NULL;

  if (client == NULL)
    return NULL;
  return action_result (self, "freeze-model",
      sly_client_freeze_model (client, NULL, &error), &error);
}

static gchar *
gst_sly_model_infer_shutdown (GstSlyModelInfer * self)
{
  g_autoptr (SlyClient) client = action_client (self, "shutdown");
  g_autoptr (GError) error = NULL;

  if (client == NULL)
    return NULL;
  return action_result (self, "shutdown",
      sly_client_shutdown (client, NULL, &error), &error);
}

static gchar **
gst_sly_model_infer_list_pretrained_models (GstSlyModelInfer * self)
{
  g_autoptr (SlyClient) client = action_client (self, "list-pretrained-models");
  g_autoptr (GError) error = NULL;

  if (client == NULL)
    return NULL;
  return action_result (self, "list-pretrained-models",
      sly_client_list_pretrained_models (client, NULL, &error), &error);
}

static gchar *
gst_sly_model_infer_list_pretrained_model_infos (GstSlyModelInfer * self)
{
  g_autoptr (SlyClient) client = action_client (self,
      "list-pretrained-model-infos");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) infos = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (client == NULL)
    return NULL;
  infos = action_result (self, "list-pretrained-model-infos",
      sly_client_list_pretrained_model_infos (client, NULL, &error), &error);
  if (infos == NULL)
    return NULL;
  node = json_node_init_array (json_node_alloc (), infos);
  return sly_json_to_string (node);
}

static gboolean
gst_sly_model_infer_refresh (GstSlyModelInfer * self)
{
  g_autoptr (SlyClient) client = NULL;
  g_autoptr (GError) error = NULL;
  GstSlyModelInfo *info;

  /* running: the I/O thread reads it, and the properties follow */
  GST_OBJECT_LOCK (self);
  if (self->io != NULL) {
    gst_sly_io_thread_control (self->io, GST_SLY_IO_OP_REFRESH, NULL, NULL,
        NULL);
    GST_OBJECT_UNLOCK (self);
    return TRUE;
  }
  GST_OBJECT_UNLOCK (self);

  /* not running: read it here, with a client of our own */
  client = action_client (self, "refresh");
  if (client == NULL)
    return FALSE;
  info = action_result (self, "refresh",
      gst_sly_model_info_fetch (client, NULL, &error), &error);
  if (info == NULL)
    return FALSE;
  GST_OBJECT_LOCK (self);
  gst_sly_model_infer_locked_set_info (self, info);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

void
gst_sly_model_infer_install_signals (GstSlyModelInferClass * klass)
{
  GType type = G_TYPE_FROM_CLASS (klass);

  /**
   * GstSlyModelInfer::load:
   * @model: pretrained model name
   * @device: (nullable): cpu, cuda:0...
   * @runtime: (nullable): PyTorch, ONNXRuntime, TensorRT
   *
   * Loads a model: in the background while running (a
   * slymodelinfer-model-loaded message tells the outcome), at start
   * otherwise. Returns %FALSE for an empty model name.
   *
   * Since: 0.1
   */
  signals[SIGNAL_LOAD] = g_signal_new_class_handler ("load", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_load), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstSlyModelInfer::freeze-model:
   *
   * Moves the model to CPU on the server; returns the server's message,
   * or %NULL after a warning.
   *
   * Since: 0.1
   */
  signals[SIGNAL_FREEZE_MODEL] = g_signal_new_class_handler ("freeze-model",
      type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_freeze_model), NULL, NULL, NULL,
      G_TYPE_STRING, 0);
  /**
   * GstSlyModelInfer::shutdown:
   *
   * Stops the serving task (task-id mode); returns its status, or %NULL
   * after a warning.
   *
   * Since: 0.1
   */
  signals[SIGNAL_SHUTDOWN] = g_signal_new_class_handler ("shutdown", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_shutdown), NULL, NULL, NULL,
      G_TYPE_STRING, 0);
  /**
   * GstSlyModelInfer::list-pretrained-models:
   *
   * Returns the names of the models the server can load.
   *
   * Since: 0.1
   */
  signals[SIGNAL_LIST_PRETRAINED_MODELS] =
      g_signal_new_class_handler ("list-pretrained-models", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_list_pretrained_models), NULL, NULL,
      NULL, G_TYPE_STRV, 0);
  /**
   * GstSlyModelInfer::list-pretrained-model-infos:
   *
   * Returns the JSON array of the server's pretrained model table.
   *
   * Since: 0.1
   */
  signals[SIGNAL_LIST_PRETRAINED_MODEL_INFOS] =
      g_signal_new_class_handler ("list-pretrained-model-infos", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_list_pretrained_model_infos), NULL,
      NULL, NULL, G_TYPE_STRING, 0);
  /**
   * GstSlyModelInfer::refresh:
   *
   * Re-reads the model information behind the read-only properties: in
   * the background while running, at once otherwise.
   *
   * Since: 0.1
   */
  signals[SIGNAL_REFRESH] = g_signal_new_class_handler ("refresh", type,
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sly_model_infer_refresh), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 0);
}
