/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Synchronous image inference (protocol.md 3.12): validation of the state,
 * the settings merge of 4.2, decoding, the result wrapper of section 5, and
 * the per-request faults.
 */
#include "slyserver.h"
#include "slyjson.h"

#include <string.h>

#include "slyerror.h"

#define DEFAULT_BATCH_SIZE 16

static const gchar *const conf_aliases[] = {
  "confidence", "confidence_threshold", "confidence_thresh",
};

/* ---- admission and faults ---- */

gboolean
sly_request_admit (SlyRequest * req)
{
  SlyServer *server = req->server;

  if (server->inflight >= server->config.max_requests) {
    sly_request_reply_error (req, 503,
        "Too many concurrent inference requests (limit %u)",
        server->config.max_requests);
    return FALSE;
  }
  server->inflight++;
  req->counted = TRUE;
  return TRUE;
}

gboolean
sly_request_take_fault (SlyRequest * req, SlyHandlerFunc func)
{
  SlyServer *server = req->server;

  req->fault = sly_faults_draw (server->faults);
  if (req->fault != SLY_FAULT_NONE && server->config.verbose)
    g_printerr ("%s: injecting fault %s\n", req->method,
        sly_fault_kind_to_string (req->fault));
  switch (req->fault) {
    case SLY_FAULT_500:
      sly_request_reply_error (req, 500, "Injected fault: internal error");
      return FALSE;
    case SLY_FAULT_503:
      sly_request_reply_error (req, 503, "Injected fault: service unavailable");
      return FALSE;
    case SLY_FAULT_429:{
      g_autofree gchar *seconds = g_strdup_printf ("%u",
          server->config.faults.retry_after);

      soup_message_headers_replace (soup_server_message_get_response_headers
          (req->msg), "Retry-After", seconds);
      sly_request_reply_error (req, 429, "Injected fault: too many requests");
      return FALSE;
    }
    case SLY_FAULT_RESET:
      sly_request_reset (req);
      return FALSE;
    case SLY_FAULT_SLOW:
      sly_request_delay (req, server->config.faults.slow_ms, func);
      return FALSE;
    default:
      return TRUE;
  }
}

void
sly_request_reply_result (SlyRequest * req, JsonNode * body)
{
  g_autofree gchar *text = sly_json_to_string (body);
  gsize len = strlen (text);

  switch (req->fault) {
    case SLY_FAULT_MALFORMED:{
      static const gchar garbage[] =
          "<html><body>upstream sent garbage</body></html>";

      sly_request_reply_raw (req, 200, "application/json", garbage,
          strlen (garbage));
      return;
    }
    case SLY_FAULT_TRUNCATED:
      /* complete at the HTTP level, cut in the middle of the JSON */
      sly_request_reply_raw (req, 200, "application/json", text, len / 2);
      return;
    default:
      sly_request_reply_raw (req, 200, "application/json", text, len);
      return;
  }
}

/* ---- validation ---- */

static gboolean
check_batch_size (SlyRequest * req)
{
  guint max = req->server->config.max_batch_size;
  JsonNode *node = sly_srv_json_member (req->state, "batch_size");
  gint64 size = max > 0 ? MIN (DEFAULT_BATCH_SIZE, max) : DEFAULT_BATCH_SIZE;

  if (node && !JSON_NODE_HOLDS_NULL (node)) {
    if (!sly_srv_json_get_int (req->state, "batch_size", &size) || size < 1) {
      sly_request_reply_error (req, 400,
          "batch_size must be a positive integer");
      return FALSE;
    }
  }
  if (max > 0 && size > max) {
    sly_request_reply_error (req, 400,
        "Batch size should be less than or equal to %u for this model.", max);
    return FALSE;
  }
  return TRUE;
}

/* Decodes every upload; runs on any thread (it only reads @files). */
static GPtrArray *
decode_uploads (GPtrArray * files, gsize max_decoded_bytes, GError ** error)
{
  g_autoptr (GPtrArray) images =
      g_ptr_array_new_with_free_func ((GDestroyNotify) sly_image_free);
  gsize decoded = 0;
  guint i;

  for (i = 0; i < files->len; i++) {
    SlyUpload *up = files->pdata[i];
    g_autoptr (GError) local = NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data (up->data, &len);
    SlyImage *image = sly_image_decode_rgb (data, len, &local);

    if (image == NULL) {
      g_set_error (error, SLY_HTTP_ERROR, 400,
          "File has unsupported format (%s: %s). Supported formats: "
          "['.jpeg', '.jpg', '.png']", up->filename ? up->filename : "file",
          local->message);
      return NULL;
    }
    g_ptr_array_add (images, image);
    /* small files can hold large images: bound what they decode to */
    decoded += (gsize) image->stride * image->height;
    if (decoded > max_decoded_bytes) {
      g_set_error (error, SLY_HTTP_ERROR, 413,
          "The uploaded images decode to more than %" G_GSIZE_FORMAT
          " bytes", max_decoded_bytes);
      return NULL;
    }
  }
  return g_steal_pointer (&images);
}

GPtrArray *
sly_request_decode_images (SlyRequest * req)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *images;

  if (!check_batch_size (req))
    return NULL;
  images = decode_uploads (req->files, req->server->config.max_decoded_bytes,
      &error);
  if (images == NULL)
    sly_request_reply_gerror (req, error);
  return images;
}

static const gchar *const geometries[] = { "both", "bitmap", "polygon", NULL };

/* The settings the model reads (the keys of its defaults), checked as conf
 * and classes are. */
static gboolean
validate_model_settings (SlyRequest * req, JsonObject * settings,
    JsonObject * defaults)
{
  gint64 min_area;
  const gchar *geometry;

  if (json_object_has_member (defaults, "min_area")
      && (!sly_srv_json_get_int (settings, "min_area", &min_area)
          || min_area < 1 || min_area > G_MAXINT)) {
    sly_request_reply_error (req, 400,
        "settings.min_area must be an integer from 1 to %d", G_MAXINT);
    return FALSE;
  }
  if (json_object_has_member (defaults, "geometry")
      && (!(geometry = sly_srv_json_get_string (settings, "geometry"))
          || !g_strv_contains (geometries, geometry))) {
    sly_request_reply_error (req, 400,
        "settings.geometry must be \"both\", \"bitmap\" or \"polygon\"");
    return FALSE;
  }
  return TRUE;
}

static gboolean
validate_settings (SlyRequest * req, JsonObject * settings,
    JsonObject * defaults)
{
  JsonNode *conf = sly_srv_json_member (settings, "conf");
  JsonNode *classes = sly_srv_json_member (settings, "classes");
  gdouble value;

  if (conf && (!sly_srv_json_get_number (settings, "conf", &value)
          || value < 0 || value > 1)) {
    sly_request_reply_error (req, 400,
        "settings.conf must be a number from 0 to 1");
    return FALSE;
  }
  if (!validate_model_settings (req, settings, defaults))
    return FALSE;
  if (classes == NULL || JSON_NODE_HOLDS_NULL (classes))
    return TRUE;
  if (g_strcmp0 (sly_srv_json_get_string (settings, "classes"), "all") == 0) {
    /* "all" means no filter */
    json_object_remove_member (settings, "classes");
    return TRUE;
  }
  if (JSON_NODE_HOLDS_ARRAY (classes)) {
    JsonArray *arr = json_node_get_array (classes);
    guint i;

    for (i = 0; i < json_array_get_length (arr); i++) {
      JsonNode *n = json_array_get_element (arr, i);

      if (!JSON_NODE_HOLDS_VALUE (n)
          || json_node_get_value_type (n) != G_TYPE_STRING)
        break;
    }
    if (i == json_array_get_length (arr))
      return TRUE;
  }
  sly_request_reply_error (req, 400,
      "settings.classes must be a list of class titles, \"all\" or null");
  return FALSE;
}

JsonObject *
sly_request_merge_settings (SlyRequest * req, const SlyModel * model)
{
  g_autoptr (JsonObject) merged = json_object_new ();
  g_autoptr (JsonObject) defaults = sly_model_get_default_settings (model);
  JsonNode *node = sly_srv_json_member (req->state, "settings");
  g_autofree gchar *message = NULL;
  JsonNode *conf;
  GList *keys, *l;
  guint i;

  if (node && !JSON_NODE_HOLDS_NULL (node)) {
    if (!JSON_NODE_HOLDS_OBJECT (node)) {
      sly_request_reply_error (req, 400, "state.settings is not an object");
      return NULL;
    }
    keys = json_object_get_members (json_node_get_object (node));
    for (l = keys; l; l = l->next)
      json_object_set_member (merged, l->data,
          json_node_copy (json_object_get_member (json_node_get_object
                  (node), l->data)));
    g_list_free (keys);
  }
  if ((node = sly_srv_json_member (req->state, "rectangle")))
    json_object_set_member (merged, "rectangle", json_node_copy (node));

  conf = sly_srv_json_member (merged, "conf");
  if (conf && JSON_NODE_HOLDS_NULL (conf)) {
    json_object_remove_member (merged, "conf");
    conf = NULL;
  }
  for (i = 0; i < G_N_ELEMENTS (conf_aliases); i++) {
    JsonNode *alias = sly_srv_json_member (merged, conf_aliases[i]);

    if (alias == NULL)
      continue;
    if (conf)                   /* 4.2 step 3 */
      json_object_set_member (merged, conf_aliases[i], json_node_copy (conf));
    else if (!JSON_NODE_HOLDS_NULL (alias)) {
      /* a request that only names an alias means it for the model too */
      conf = json_node_copy (alias);
      json_object_set_member (merged, "conf", conf);
    }
  }
  json_object_set_string_member (merged, "sliding_window_mode",
      req->server->config.no_sliding_window ? "none" : "basic");

  /* a null setting of the model means its default, as for conf */
  keys = json_object_get_members (defaults);
  for (l = keys; l; l = l->next) {
    JsonNode *given = sly_srv_json_member (merged, l->data);

    if (given == NULL || JSON_NODE_HOLDS_NULL (given))
      json_object_set_member (merged, l->data,
          json_node_copy (json_object_get_member (defaults, l->data)));
  }
  g_list_free (keys);

  if (!validate_settings (req, merged, defaults))
    return NULL;
  /* regions per image: not for the frames of a video */
  if (!sly_regions_check_settings (merged, req->files
          && strcmp (req->method, "inference_video_async") != 0 ?
          req->files->len : 0, &message)) {
    sly_request_reply_error (req, 400, "%s", message);
    return NULL;
  }
  return g_steal_pointer (&merged);
}

/* ---- the result wrapper ---- */

JsonNode *
sly_result_new (SlyAnnotation * ann, gint64 frame_index,
    const SlyInferInfo * info)
{
  static const gchar *const nulls[] = {
    "name", "path", "url", "project_id", "dataset_id", "image_id",
    "video_id",
  };
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  guint i;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "annotation");
  json_builder_add_value (b, sly_annotation_to_json_node (ann));
  for (i = 0; i < G_N_ELEMENTS (nulls); i++) {
    json_builder_set_member_name (b, nulls[i]);
    json_builder_add_null_value (b);
  }
  json_builder_set_member_name (b, "frame_index");
  if (frame_index >= 0)
    json_builder_add_int_value (b, frame_index);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "slides_data");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "data");
  if (info && info->data) {
    json_builder_add_value (b, json_node_copy (info->data));
  } else {
    json_builder_begin_object (b);
    json_builder_end_object (b);
  }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- inference_image, inference_batch ---- */

/* The uploads of a sync request, decoded by a worker thread (a job's
 * prepare function): decoding is most of a request's CPU time. */
typedef struct
{
  GPtrArray *files;             /* SlyUpload*, not modified any more */
  gsize max_decoded_bytes;
} Uploads;

static GPtrArray *
uploads_decode (gconstpointer input, GError ** error)
{
  const Uploads *uploads = input;

  return decode_uploads (uploads->files, uploads->max_decoded_bytes, error);
}

static void
uploads_free (gpointer p)
{
  Uploads *uploads = p;

  g_ptr_array_unref (uploads->files);
  g_free (uploads);
}

typedef struct
{
  SlyRequest *req;
  gboolean single;
  GPtrArray *results;           /* JsonNode* */
  GString *sizes;               /* X-Sly-Image-Size */
  GError *error;                /* the first one */
} SyncJob;

static void
sync_result (gpointer data, guint index, SlyAnnotation * ann,
    const SlyInferInfo * info, const GError * error)
{
  SyncJob *job = data;

  if (error) {
    if (job->error == NULL)
      job->error = g_error_copy (error);
    return;
  }
  sly_server_note_inferred (job->req->server, job->req->method, info);
  g_string_append_printf (job->sizes, "%s%dx%d", job->sizes->len ? ", " : "",
      info->width, info->height);
  g_ptr_array_add (job->results, sly_result_new (ann, -1, info));
}

static void
sync_reply (SyncJob * job)
{
  g_autoptr (JsonNode) array = NULL;
  JsonArray *arr;
  guint i;

  if (job->error && job->error->domain == SLY_HTTP_ERROR) {
    /* the uploads could not be decoded */
    sly_request_reply_gerror (job->req, job->error);
  } else if (job->error) {
    sly_request_reply_error (job->req, 500, "Inference failed: %s",
        job->error->message);
  } else if (job->single) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (job->req->msg), "X-Sly-Image-Size", job->sizes->str);
    sly_request_reply_result (job->req, job->results->pdata[0]);
  } else {
    array = json_node_new (JSON_NODE_ARRAY);
    arr = json_array_sized_new (job->results->len);
    for (i = 0; i < job->results->len; i++)
      json_array_add_element (arr, json_node_ref (job->results->pdata[i]));
    json_node_take_array (array, arr);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (job->req->msg), "X-Sly-Image-Size", job->sizes->str);
    sly_request_reply_result (job->req, array);
  }
}

static void
sync_done (gpointer data, gboolean aborted)
{
  SyncJob *job = data;

  if (aborted)
    sly_request_free (job->req);
  else
    sync_reply (job);
  g_ptr_array_unref (job->results);
  g_string_free (job->sizes, TRUE);
  g_clear_error (&job->error);
  g_free (job);
}

static const SlyJobFuncs sync_funcs = {
  NULL, NULL, sync_result, sync_done,
};

static void
run_sync (SlyRequest * req, gboolean single)
{
  SlyServer *server = req->server;
  const SlyModel *model = server->model;
  g_autoptr (JsonObject) settings = NULL;
  Uploads *uploads;
  SyncJob *job;

  if (model == NULL) {
    sly_request_reply_not_deployed (req);
    return;
  }
  if (single && req->files->len != 1) {
    sly_request_reply_error (req, 400, "Only one file expected but got %u",
        req->files->len);
    return;
  }
  if (!check_batch_size (req))
    return;
  if (!(settings = sly_request_merge_settings (req, model)))
    return;

  server->frozen = FALSE;
  uploads = g_new0 (Uploads, 1);
  uploads->files = g_ptr_array_ref (req->files);
  uploads->max_decoded_bytes = server->config.max_decoded_bytes;
  job = g_new0 (SyncJob, 1);
  job->req = req;
  job->single = single;
  job->results = g_ptr_array_new_with_free_func ((GDestroyNotify)
      json_node_unref);
  job->sizes = g_string_new (NULL);
  sly_request_pause (req);
  sly_scheduler_submit_prepared (server->scheduler, model, settings,
      uploads_decode, uploads, uploads_free, &sync_funcs, job);
}

void
sly_handle_inference_image (SlyRequest * req)
{
  run_sync (req, TRUE);
}

void
sly_handle_inference_batch (SlyRequest * req)
{
  run_sync (req, FALSE);
}

/* ---- a test aid: the images the model ran on ---- */

void
sly_server_note_inferred (SlyServer * server, const gchar * method,
    const SlyInferInfo * info)
{
  SlyInferredImage image = { method, info->width, info->height };

  if (server->inferred->len >= SLY_INFERRED_KEEP)
    g_array_remove_index (server->inferred, 0);
  g_array_append_val (server->inferred, image);
  server->inferred_total++;
}

void
sly_handle_debug_inferred_images (SlyRequest * req)
{
  SlyServer *server = req->server;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;
  guint i;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, server->inferred_total);
  json_builder_set_member_name (b, "images");
  json_builder_begin_array (b);
  for (i = 0; i < server->inferred->len; i++) {
    SlyInferredImage *im = &g_array_index (server->inferred,
        SlyInferredImage, i);

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "method");
    json_builder_add_string_value (b, im->method);
    json_builder_set_member_name (b, "width");
    json_builder_add_int_value (b, im->width);
    json_builder_set_member_name (b, "height");
    json_builder_add_int_value (b, im->height);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sly_request_reply_json (req, 200, root);
}
