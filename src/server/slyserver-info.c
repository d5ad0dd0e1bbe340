/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Health probes and model information endpoints (protocol.md 3.1 - 3.10).
 */
#include "slyserver.h"
#include "slyserver-video.h"

#include <string.h>
#include <unistd.h>

#define CHECKPOINT_SCHEME "builtin://"

typedef JsonBuilder Builder;

static void
add_str (Builder * b, const gchar * name, const gchar * value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_bool (Builder * b, const gchar * name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static void
add_int (Builder * b, const gchar * name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_null (Builder * b, const gchar * name)
{
  json_builder_set_member_name (b, name);
  json_builder_add_null_value (b);
}

static void
reply_builder (SlyRequest * req, Builder * b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  sly_request_reply_json (req, 200, root);
}

static gboolean
tracking_enabled (SlyServer * server)
{
  return !server->config.no_tracking;
}

/* ---- 3.1 ---- */

void
sly_handle_is_ready (SlyRequest * req)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  if (req->server->model == NULL) {
    sly_request_reply_error (req, 503, "Service not ready");
    return;
  }
  json_builder_begin_object (b);
  add_str (b, "status", "ready");
  json_builder_end_object (b);
  reply_builder (req, b);
}

void
sly_handle_is_alive (SlyRequest * req)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  add_bool (b, "running", TRUE);
  add_str (b, "mode", req->server->config.production ? "production" :
      "development");
  json_builder_end_object (b);
  reply_builder (req, b);
}

void
sly_handle_is_deployed (SlyRequest * req)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  gboolean deployed = req->server->model != NULL;

  json_builder_begin_object (b);
  add_bool (b, "deployed", deployed);
  /* the SDK's key really has a colon in it */
  add_str (b, "description:", deployed ? "Model is ready to receive requests"
      : "Model is not deployed");
  json_builder_end_object (b);
  reply_builder (req, b);
}

/* ---- 3.2 - 3.6 ---- */

void
sly_handle_session_info (SlyRequest * req)
{
  SlyServer *server = req->server;
  const SlyModel *model = server->model;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  if (model == NULL) {
    sly_request_reply_not_deployed (req);
    return;
  }
  json_builder_begin_object (b);
  add_str (b, "app_name", server->config.app_name);
  if (server->config.task_id_set)
    add_int (b, "session_id", server->config.task_id);
  else
    add_null (b, "session_id");
  add_int (b, "number_of_classes", model->n_classes);
  add_str (b, "sliding_window_support",
      server->config.no_sliding_window ? "none" : "basic");
  add_bool (b, "videos_support", TRUE);
  add_bool (b, "async_video_inference_support", TRUE);
  add_bool (b, "tracking_on_videos_support", tracking_enabled (server));
  add_bool (b, "async_image_inference_support", TRUE);
  json_builder_set_member_name (b, "tracking_algorithms");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "botsort");
  json_builder_end_array (b);
  add_bool (b, "batch_inference_support", TRUE);
  if (server->config.max_batch_size > 0)
    add_int (b, "max_batch_size", server->config.max_batch_size);
  else
    add_null (b, "max_batch_size");
  add_str (b, "task type", model->task_type);
  add_str (b, "model_name", model->name);
  add_str (b, "checkpoint_name", model->name);
  add_str (b, "pretrained_on_dataset", "synthetic shapes");
  add_str (b, "device", server->device);
  json_builder_end_object (b);
  reply_builder (req, b);
}

void
sly_handle_custom_settings (SlyRequest * req)
{
  const SlyModel *model = req->server->model;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonObject) defaults = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "settings");
  if (model) {
    g_autoptr (JsonNode) node = json_node_alloc ();

    defaults = sly_model_get_default_settings (model);
    json_node_init_object (node, defaults);
    json_builder_add_value (b, g_steal_pointer (&node));
  } else {
    /* works before deployment: no model, no defaults */
    json_builder_begin_object (b);
    json_builder_end_object (b);
  }
  json_builder_end_object (b);
  reply_builder (req, b);
}

void
sly_handle_model_meta (SlyRequest * req)
{
  g_autoptr (SlyProjectMeta) meta = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (req->server->model == NULL) {
    sly_request_reply_not_deployed (req);
    return;
  }
  meta = sly_model_get_meta (req->server->model);
  node = sly_project_meta_to_json_node (meta);
  sly_request_reply_json (req, 200, node);
}

void
sly_handle_tracking_settings (SlyRequest * req)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  if (req->server->model == NULL) {
    sly_request_reply_not_deployed (req);
    return;
  }
  json_builder_begin_object (b);
  if (tracking_enabled (req->server)) {
    json_builder_set_member_name (b, "botsort");
    json_builder_add_value (b,
        sly_video_tracking_defaults_new (req->server->tracking_settings));
  }
  json_builder_end_object (b);
  reply_builder (req, b);
}

static void
add_model_info (Builder * b, const SlyModel * model)
{
  g_autofree gchar *checkpoint = g_strconcat (CHECKPOINT_SCHEME, model->name,
      NULL);

  json_builder_begin_object (b);
  add_str (b, "Model", model->name);
  add_str (b, "Task", model->task_type);
  add_int (b, "Classes", model->n_classes);
  json_builder_set_member_name (b, "meta");
  json_builder_begin_object (b);
  add_str (b, "task_type", model->task_type);
  add_str (b, "model_name", model->name);
  json_builder_set_member_name (b, "model_files");
  json_builder_begin_object (b);
  add_str (b, "checkpoint", checkpoint);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

void
sly_handle_deploy_info (SlyRequest * req)
{
  SlyServer *server = req->server;
  const SlyModel *model = server->model;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autofree gchar *checkpoint = NULL;

  if (model == NULL) {
    sly_request_reply_not_deployed (req);
    return;
  }
  checkpoint = g_strconcat (CHECKPOINT_SCHEME, model->name, NULL);
  json_builder_begin_object (b);
  add_str (b, "checkpoint_name", model->name);
  add_str (b, "model_name", model->name);
  add_str (b, "architecture", model->architecture);
  add_str (b, "checkpoint_url", checkpoint);
  add_null (b, "custom_checkpoint_path");
  add_str (b, "model_source", "Pretrained models");
  add_str (b, "task_type", model->task_type);
  add_str (b, "device", server->device);
  add_str (b, "runtime", server->runtime);
  add_str (b, "model_precision", "FP32");
  add_str (b, "hardware", "CPU");
  json_builder_set_member_name (b, "deploy_params");
  json_builder_begin_object (b);
  add_str (b, "model_source", "Pretrained models");
  add_str (b, "device", server->device);
  add_str (b, "runtime", server->runtime);
  json_builder_set_member_name (b, "model_files");
  json_builder_begin_object (b);
  add_str (b, "checkpoint", checkpoint);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "model_info");
  add_model_info (b, model);
  json_builder_end_object (b);
  json_builder_end_object (b);
  reply_builder (req, b);
}

/* ---- 3.7, 3.8 ---- */

JsonNode *
sly_ram_memory_new (void)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autofree gchar *statm = NULL;
  gint64 page = sysconf (_SC_PAGESIZE);
  gint64 resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL)) {
    gchar **fields = g_strsplit (statm, " ", 3);

    if (fields[0] && fields[1])
      resident = g_ascii_strtoll (fields[1], NULL, 10);
    g_strfreev (fields);
  }
  json_builder_begin_object (b);
  add_int (b, "allocated", resident * page);
  add_int (b, "total", (gint64) sysconf (_SC_PHYS_PAGES) * page);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
sly_gpu_memory_new (void)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  /* no CUDA device here */
  json_builder_begin_object (b);
  add_null (b, "allocated");
  add_null (b, "total");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
sly_handle_status (SlyRequest * req)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  gint64 current = 0, total = 0;

  sly_async_get_totals (req->server, &current, &total);
  json_builder_begin_object (b);
  add_bool (b, "is_deployed", req->server->model != NULL);
  json_builder_set_member_name (b, "progress");
  json_builder_begin_object (b);
  if (total > 0) {
    add_str (b, "message", "Inferring model...");
    add_int (b, "current", current);
    add_int (b, "total", total);
  } else {
    add_str (b, "message", "Ready");
    add_int (b, "current", 0);
    add_int (b, "total", 1);
  }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "gpu_memory");
  json_builder_add_value (b, sly_gpu_memory_new ());
  json_builder_set_member_name (b, "ram_memory");
  json_builder_add_value (b, sly_ram_memory_new ());
  json_builder_end_object (b);
  reply_builder (req, b);
}

void
sly_handle_freeze_model (SlyRequest * req)
{
  SlyServer *server = req->server;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  const gchar *message;

  if (server->model == NULL) {
    message = "Failed to freeze model. Check the logs for details.";
  } else if (server->frozen) {
    message = "Model is already frozen.";
  } else {
    server->frozen = TRUE;
    message = "Model is frozen.";
  }
  json_builder_begin_object (b);
  add_str (b, "message", message);
  json_builder_end_object (b);
  reply_builder (req, b);
}

/* ---- 3.9, 3.10 ---- */

/* The model a deploy_from_api state names: model_name, else the model info
 * entry's name, else (custom models) the checkpoint's base name. */
static gchar *
deploy_model_name (JsonObject * state)
{
  JsonObject *params = sly_srv_json_get_object (state, "deploy_params");
  JsonObject *info = sly_srv_json_get_object (params, "model_info");
  JsonObject *files = sly_srv_json_get_object (params, "model_files");
  const gchar *name = sly_srv_json_get_string (state, "model_name");
  const gchar *checkpoint;

  if (name == NULL)
    name = sly_srv_json_get_string (sly_srv_json_get_object (info, "meta"),
        "model_name");
  if (name == NULL)
    name = sly_srv_json_get_string (info, "model_name");
  if (name)
    return g_strdup (name);
  checkpoint = sly_srv_json_get_string (files, "checkpoint");
  if (checkpoint) {
    gchar *base = g_path_get_basename (checkpoint);
    gchar *dot = strrchr (base, '.');

    if (g_str_has_prefix (checkpoint, CHECKPOINT_SCHEME)) {
      g_free (base);
      return g_strdup (checkpoint + strlen (CHECKPOINT_SCHEME));
    }
    if (dot && dot != base)
      *dot = '\0';
    return base;
  }
  return NULL;
}

void
sly_handle_deploy_from_api (SlyRequest * req)
{
  SlyServer *server = req->server;
  JsonObject *params = sly_srv_json_get_object (req->state, "deploy_params");
  g_autofree gchar *name = deploy_model_name (req->state);
  const gchar *device = sly_srv_json_get_string (params, "device");
  const gchar *runtime = sly_srv_json_get_string (params, "runtime");
  const SlyModel *model;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  /* as the SDK: the loaded model is gone even when the new one fails */
  server->model = NULL;
  server->frozen = FALSE;
  if (name == NULL) {
    sly_request_reply_error (req, 500, "No model_name given to deploy");
    return;
  }
  model = sly_models_find (name);
  if (model == NULL) {
    sly_request_reply_error (req, 500,
        "Model %s not found in models.json of serving app", name);
    return;
  }
  server->model = model;
  g_free (server->device);
  server->device = g_strdup (device ? device : "cpu");
  g_free (server->runtime);
  server->runtime = g_strdup (runtime ? runtime : "PyTorch");
  g_free (server->task_status);
  server->task_status = g_strdup ("deployed");

  json_builder_begin_object (b);
  add_str (b, "result", "model was successfully deployed");
  json_builder_end_object (b);
  reply_builder (req, b);
}

void
sly_handle_list_models (SlyRequest * req)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  const SlyModel *const *models;
  guint n, i;

  models = sly_models_get_all (&n);
  json_builder_begin_array (b);
  for (i = 0; i < n; i++)
    json_builder_add_string_value (b, models[i]->name);
  json_builder_end_array (b);
  reply_builder (req, b);
}

void
sly_handle_list_model_infos (SlyRequest * req)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  const SlyModel *const *models;
  guint n, i;

  models = sly_models_get_all (&n);
  json_builder_begin_array (b);
  for (i = 0; i < n; i++)
    add_model_info (b, models[i]);
  json_builder_end_array (b);
  reply_builder (req, b);
}

static void
add_deploy_setting (Builder * b, const gchar * name, const gchar * def,
    const gchar * doc)
{
  json_builder_begin_object (b);
  add_str (b, "name", name);
  add_str (b, "type", "str");
  add_str (b, "default", def);
  add_str (b, "doc", doc);
  json_builder_end_object (b);
}

void
sly_handle_deploy_settings (SlyRequest * req)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_array (b);
  add_deploy_setting (b, "device", "cpu", "Device name (reported only)");
  add_deploy_setting (b, "runtime", "PyTorch", "Runtime (reported only)");
  json_builder_end_array (b);
  reply_builder (req, b);
}
