/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer's property set and get, and what is derived from property
 * values (the class list, a model load). Every field is read and written
 * under GST_OBJECT_LOCK, around the whole switch (videorate's pattern);
 * messages are posted after it is released.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstslymodelinfer-private.h"

/* ---- classes ---- */

/* Strips one pair of @open/@close around @s, in place. */
static gchar *
strip_pair (gchar * s, const gchar * open, const gchar * close)
{
  gsize len = strlen (s);

  if (len >= 2 && strchr (open, s[0]) && strchr (close, s[len - 1])) {
    s[len - 1] = '\0';
    s++;
  }
  return s;
}

/* "person,car", "<person, car>", "{person,car}" -> {"person", "car"};
 * NULL for an empty list (all classes). */
gchar **
gst_sly_model_infer_parse_classes (const gchar * text)
{
  g_autofree gchar *copy = NULL;
  g_auto (GStrv) parts = NULL;
  GPtrArray *out;
  guint i;

  if (text == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (text));
  parts = g_strsplit (strip_pair (copy, "<{[", ">}]"), ",", -1);
  out = g_ptr_array_new ();
  for (i = 0; parts[i] != NULL; i++) {
    gchar *name = strip_pair (g_strstrip (parts[i]), "\"", "\"");

    if (*name != '\0')
      g_ptr_array_add (out, g_strdup (name));
  }
  if (out->len == 0) {
    g_ptr_array_unref (out);
    return NULL;
  }
  g_ptr_array_add (out, NULL);
  return (gchar **) g_ptr_array_free (out, FALSE);
}

/* Posts a warning naming classes the model does not have. */
void
gst_sly_model_infer_check_classes (GstSlyModelInfer * self)
{
  g_auto (GStrv) wanted = NULL;
  g_auto (GStrv) known = NULL;
  g_autoptr (GString) unknown = g_string_new (NULL);
  g_autofree gchar *known_list = NULL;
  guint i;

  GST_OBJECT_LOCK (self);
  wanted = gst_sly_model_infer_parse_classes (self->classes);
  if (self->info != NULL)
    known = g_strdupv (self->info->classes);
  GST_OBJECT_UNLOCK (self);

  if (wanted == NULL || known == NULL)
    return;
  for (i = 0; wanted[i] != NULL; i++) {
    if (!g_strv_contains ((const gchar * const *) known, wanted[i]))
      g_string_append_printf (unknown, "%s%s", unknown->len ? ", " : "",
          wanted[i]);
  }
  if (unknown->len == 0)
    return;
  known_list = g_strjoinv (", ", known);
  GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
      ("The model has no class named %s; its classes are: %s",
          unknown->str, known_list), (NULL));
}

/* called with GST_OBJECT_LOCK: frames per request, batch-size capped by
 * the server's max_batch_size */
guint
gst_sly_model_infer_locked_batch_size (GstSlyModelInfer * self)
{
  if (self->info != NULL && self->info->max_batch_size > 0)
    return MIN (self->batch_size, self->info->max_batch_size);
  return self->batch_size;
}

/* ---- set ---- */

static void
set_string (gchar ** field, const GValue * value)
{
  g_free (*field);
  *field = g_value_dup_string (value);
}

/* called with GST_OBJECT_LOCK: what the model property and the load action
 * share. The request is handed to the I/O thread under the lock because
 * stop() frees the thread once it took it from self->io under the same
 * lock; handing it over only queues a source, it never waits. */
void
gst_sly_model_infer_locked_set_model (GstSlyModelInfer * self,
    const gchar * model, const gchar * device, const gchar * runtime)
{
  if (model != self->model) {
    g_free (self->model);
    self->model = g_strdup (model);
  }
  if (device != self->device) {
    g_free (self->device);
    self->device = g_strdup (device);
  }
  if (runtime != self->runtime) {
    g_free (self->runtime);
    self->runtime = g_strdup (runtime);
  }
  if (self->io != NULL && self->model != NULL)
    gst_sly_io_thread_control (self->io, GST_SLY_IO_OP_LOAD, self->model,
        self->device, self->runtime);
}

void
gst_sly_model_infer_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (object);
  gboolean check_classes = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_URL:
      set_string (&self->cfg.url, value);
      break;
    case PROP_TASK_ID:
      self->cfg.task_id = g_value_get_int64 (value);
      break;
    case PROP_SERVER_ADDRESS:
      set_string (&self->cfg.server_address, value);
      break;
    case PROP_API_TOKEN:
      set_string (&self->cfg.api_token, value);
      break;
    case PROP_MODEL:
      gst_sly_model_infer_locked_set_model (self,
          g_value_get_string (value), self->device, self->runtime);
      break;
    case PROP_DEVICE:
      set_string (&self->device, value);
      break;
    case PROP_RUNTIME:
      set_string (&self->runtime, value);
      break;
    case PROP_CONF:
      self->conf = g_value_get_double (value);
      break;
    case PROP_CLASSES:
      set_string (&self->classes, value);
      check_classes = TRUE;
      break;
    case PROP_IMG_SIZE:
      self->img_size = g_value_get_int (value);
      break;
    case PROP_SETTINGS:
      set_string (&self->settings, value);
      break;
    case PROP_TRACKING:
      self->tracking = g_value_get_boolean (value);
      break;
    case PROP_TRACKING_CONFIG:
      set_string (&self->tracking_config, value);
      break;
    case PROP_MAX_INFLIGHT:
      self->max_inflight = g_value_get_uint (value);
      break;
    case PROP_BATCH_SIZE:
      self->batch_size = g_value_get_uint (value);
      break;
    case PROP_TIMEOUT:
      self->cfg.timeout_ms = g_value_get_uint (value);
      break;
    case PROP_RETRIES:
      self->cfg.retries = g_value_get_uint (value);
      break;
    case PROP_JPEG_QUALITY:
      self->jpeg_quality = g_value_get_int (value);
      break;
    case PROP_UPLOAD_FORMAT:
      self->upload_format = g_value_get_enum (value);
      break;
    case PROP_OVERLOAD:
      self->overload = g_value_get_enum (value);
      break;
    case PROP_INFERENCE_INTERVAL:
      self->inference_interval = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_LATENCY:
      self->latency = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  /* posts a message: not under the lock */
  if (check_classes)
    gst_sly_model_infer_check_classes (self);
}

/* ---- get ---- */

static gchar *
node_to_string (JsonNode * node)
{
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return sly_json_to_string (node);
}

/* called with GST_OBJECT_LOCK: the read-only properties the server fills */
static void
get_info_property (GstSlyModelInfer * self, guint prop_id, GValue * value)
{
  GstSlyModelInfo *info = self->info;

  if (info == NULL) {
    if (prop_id == PROP_DEPLOYED)
      g_value_set_boolean (value, FALSE);
    return;
  }
  switch (prop_id) {
    case PROP_MODEL_META:
      g_value_take_string (value, node_to_string (info->model_meta));
      break;
    case PROP_MODEL_CLASSES:
      g_value_set_boxed (value, info->classes);
      break;
    case PROP_MODEL_SETTINGS:
      g_value_take_string (value, node_to_string (info->settings));
      break;
    case PROP_TRACKING_SETTINGS:
      g_value_take_string (value, node_to_string (info->tracking_settings));
      break;
    case PROP_SESSION_INFO:
      g_value_take_string (value, node_to_string (info->session_info));
      break;
    case PROP_DEPLOY_INFO:
      g_value_take_string (value, node_to_string (info->deploy_info));
      break;
    case PROP_DEPLOYED:
      g_value_set_boolean (value, info->deployed);
      break;
    case PROP_STATUS:
      g_value_take_string (value, node_to_string (info->status));
      break;
    default:
      g_assert_not_reached ();
  }
}

void
gst_sly_model_infer_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstSlyModelInfer *self = GST_SLY_MODEL_INFER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_URL:
      g_value_set_string (value, self->cfg.url);
      break;
    case PROP_TASK_ID:
      g_value_set_int64 (value, self->cfg.task_id);
      break;
    case PROP_SERVER_ADDRESS:
      g_value_set_string (value, self->cfg.server_address);
      break;
    case PROP_API_TOKEN:
      /* never hand the secret back out */
      g_value_set_string (value, self->cfg.api_token ? "***" : NULL);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_RUNTIME:
      g_value_set_string (value, self->runtime);
      break;
    case PROP_CONF:
      g_value_set_double (value, self->conf);
      break;
    case PROP_CLASSES:
      g_value_set_string (value, self->classes);
      break;
    case PROP_IMG_SIZE:
      g_value_set_int (value, self->img_size);
      break;
    case PROP_SETTINGS:
      g_value_set_string (value, self->settings);
      break;
    case PROP_TRACKING:
      g_value_set_boolean (value, self->tracking);
      break;
    case PROP_TRACKING_CONFIG:
      g_value_set_string (value, self->tracking_config);
      break;
    case PROP_MAX_INFLIGHT:
      g_value_set_uint (value, self->max_inflight);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_uint (value, self->batch_size);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->cfg.timeout_ms);
      break;
    case PROP_RETRIES:
      g_value_set_uint (value, self->cfg.retries);
      break;
    case PROP_JPEG_QUALITY:
      g_value_set_int (value, self->jpeg_quality);
      break;
    case PROP_UPLOAD_FORMAT:
      g_value_set_enum (value, self->upload_format);
      break;
    case PROP_OVERLOAD:
      g_value_set_enum (value, self->overload);
      break;
    case PROP_INFERENCE_INTERVAL:
      g_value_set_uint (value, self->inference_interval);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_LATENCY:
      g_value_set_int64 (value, self->latency);
      break;
    case PROP_MODEL_META:
    case PROP_MODEL_CLASSES:
    case PROP_MODEL_SETTINGS:
    case PROP_TRACKING_SETTINGS:
    case PROP_SESSION_INFO:
    case PROP_DEPLOY_INFO:
    case PROP_DEPLOYED:
    case PROP_STATUS:
      get_info_property (self, prop_id, value);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, gst_sly_model_infer_locked_stats (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
