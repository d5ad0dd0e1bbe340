/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SlyModelInfo: one fetch of everything known about the deployed model,
 * through the typed calls of slyclient.c (their converters and retry
 * rules), one call after the other on the caller's context.
 */
#include "slymodelinfo.h"
#include "slyclient-private.h"
#include "slyerror.h"

G_DEFINE_BOXED_TYPE (SlyModelInfo, sly_model_info, sly_model_info_ref,
    sly_model_info_unref);

#define NOT_DEPLOYED_PREFIX "No model is deployed on the server (set the " \
  "model property to load one): "

SlyModelInfo *
sly_model_info_ref (SlyModelInfo * info)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_atomic_int_inc (&info->ref_count);
  return info;
}

void
sly_model_info_unref (SlyModelInfo * info)
{
  g_return_if_fail (info != NULL);
  if (!g_atomic_int_dec_and_test (&info->ref_count))
    return;
  g_clear_pointer (&info->session_info, json_node_unref);
  g_clear_pointer (&info->model_meta, json_node_unref);
  g_clear_pointer (&info->project_meta, sly_project_meta_unref);
  g_strfreev (info->classes);
  g_clear_pointer (&info->settings, json_node_unref);
  g_clear_pointer (&info->tracking_settings, json_node_unref);
  g_clear_pointer (&info->deploy_info, json_node_unref);
  g_clear_pointer (&info->status, json_node_unref);
  g_free (info->model_name);
  g_free (info);
}

/* The steps, in the order of the calls. */
typedef enum
{
  STEP_IS_READY,
  STEP_SESSION_INFO,            /* the last required one */
  STEP_MODEL_META,
  STEP_DEPLOY_INFO,
  STEP_SETTINGS,
  STEP_TRACKING,
  STEP_STATUS,
  STEP_DONE,
} Step;

static const gchar *const step_names[] = {
  "is_ready", "get_session_info", "get_output_classes_and_tags",
  "get_deploy_info", "get_custom_inference_settings",
  "get_tracking_settings", "get_status",
};

typedef struct
{
  Step step;
  SlyModelInfo *info;
} FetchData;

static void
fetch_data_free (FetchData * data)
{
  g_clear_pointer (&data->info, sly_model_info_unref);
  g_free (data);
}

static JsonNode *
object_node (JsonObject * obj)
{
  JsonNode *node = json_node_init_object (json_node_alloc (), obj);

  json_object_unref (obj);
  return node;
}

static const gchar *
string_member (JsonNode * node, const gchar * name)
{
  JsonNode *member;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  member = json_object_get_member (json_node_get_object (node), name);
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member)
      || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (member);
}

static guint
batch_size_member (JsonNode * node)
{
  JsonNode *member = json_object_get_member (json_node_get_object (node),
      "max_batch_size");

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member)
      || json_node_get_value_type (member) != G_TYPE_INT64)
    return 0;
  return (guint) CLAMP (json_node_get_int (member), 0, G_MAXINT);
}

static void fetch_step (GTask * task);

/* Stores the answer of the running step; FALSE with @error when it failed
 * (the caller decides whether that ends the fetch). */
static gboolean
take_answer (SlyClient * client, FetchData * data, GAsyncResult * res,
    GError ** error)
{
  SlyModelInfo *info = data->info;
  JsonObject *obj = NULL;
  JsonNode *node = NULL;

  switch (data->step) {
    case STEP_IS_READY:
      return sly_client_is_ready_finish (client, res, &info->deployed, error);
    case STEP_SESSION_INFO:
      obj = sly_client_get_session_info_finish (client, res, error);
      if (obj == NULL)
        return FALSE;
      info->session_info = object_node (obj);
      info->max_batch_size = batch_size_member (info->session_info);
      return TRUE;
    case STEP_MODEL_META:
      info->project_meta = sly_client_get_model_meta_finish (client, res,
          error);
      if (info->project_meta == NULL)
        return FALSE;
      info->model_meta = sly_project_meta_to_json_node (info->project_meta);
      info->classes = sly_project_meta_dup_class_titles (info->project_meta);
      return TRUE;
    case STEP_DEPLOY_INFO:
      obj = sly_client_get_deploy_info_finish (client, res, error);
      if (obj != NULL)
        info->deploy_info = object_node (obj);
      return obj != NULL;
    case STEP_SETTINGS:
      node = sly_client_get_settings_finish (client, res, error);
      info->settings = node;
      return node != NULL;
    case STEP_TRACKING:
      obj = sly_client_get_tracking_settings_finish (client, res, error);
      if (obj != NULL)
        info->tracking_settings = object_node (obj);
      return obj != NULL;
    case STEP_STATUS:
      obj = sly_client_get_status_finish (client, res, error);
      if (obj != NULL)
        info->status = object_node (obj);
      return obj != NULL;
    case STEP_DONE:
      break;
  }
  g_assert_not_reached ();
}

static void
on_step_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!take_answer (SLY_CLIENT (source), data, res, &error)) {
    if (data->step <= STEP_SESSION_INFO
        || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      if (data->step == STEP_IS_READY
          && g_error_matches (error, SLY_HTTP_ERROR, 503))
        g_prefix_error (&error, NOT_DEPLOYED_PREFIX);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
    /* optional: an old server, a model without tracker... */
    g_debug ("model info: %s failed: %s", step_names[data->step],
        error->message);
    g_error_free (error);
  }
  data->step++;
  fetch_step (task);
}

static void
fetch_step (GTask * task)
{
  SlyClient *client = g_task_get_source_object (task);
  FetchData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  SlyModelInfo *info = data->info;
  const gchar *name;

  switch (data->step) {
    case STEP_IS_READY:
      sly_client_is_deployed_async (client, cancellable, on_step_done, task);
      return;
    case STEP_SESSION_INFO:
      sly_client_get_session_info_async (client, cancellable, on_step_done,
          task);
      return;
    case STEP_MODEL_META:
      sly_client_get_model_meta_async (client, cancellable, on_step_done, task);
      return;
    case STEP_DEPLOY_INFO:
      sly_client_get_deploy_info_async (client, cancellable, on_step_done,
          task);
      return;
    case STEP_SETTINGS:
      sly_client_get_settings_async (client, cancellable, on_step_done, task);
      return;
    case STEP_TRACKING:
      sly_client_get_tracking_settings_async (client, cancellable,
          on_step_done, task);
      return;
    case STEP_STATUS:
      sly_client_get_status_async (client, cancellable, on_step_done, task);
      return;
    case STEP_DONE:
      break;
  }
  name = string_member (info->deploy_info, "model_name");
  if (name == NULL)
    name = string_member (info->session_info, "model_name");
  info->model_name = g_strdup (name);
  g_task_return_pointer (task, g_steal_pointer (&data->info),
      (GDestroyNotify) sly_model_info_unref);
  g_object_unref (task);
}

void
sly_client_fetch_model_info_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task;
  FetchData *data;

  g_return_if_fail (SLY_IS_CLIENT (client));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, sly_client_fetch_model_info_async);
  data = g_new0 (FetchData, 1);
  data->info = g_new0 (SlyModelInfo, 1);
  data->info->ref_count = 1;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);
  /* the task's reference is dropped when it returns */
  fetch_step (task);
}

SlyModelInfo *
sly_client_fetch_model_info_finish (SlyClient * client,
    GAsyncResult * result, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result,
          sly_client_fetch_model_info_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

SlyModelInfo *
sly_client_fetch_model_info (SlyClient * client, GCancellable * cancellable,
    GError ** error)
{
  GAsyncResult *res = NULL;
  SlyModelInfo *info;

  g_return_val_if_fail (SLY_IS_CLIENT (client), NULL);

  sly_client_sync_begin (client);
  sly_client_fetch_model_info_async (client, cancellable, sly_client_sync_cb,
      &res);
  sly_client_sync_wait (client, &res);
  info = sly_client_fetch_model_info_finish (client, res, error);
  g_object_unref (res);
  return info;
}
