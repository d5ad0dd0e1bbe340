/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Asynchronous inference requests: the records of protocol.md 3.17 and the
 * life cycle of 3.18. A record is created by inference_batch_async or
 * inference_video_async, fed by a scheduler job (one result per image or
 * frame), read and emptied by the control endpoints, and expires one hour
 * after its last update (60 s after clear_inference_request).
 */
#include "slyserver.h"

#include <string.h>

#include "slyserver-video.h"

#define STAGE_PREPARING "Preparing model for inference..."
#define STAGE_RUNNING "Running inference..."
#define STAGE_POSTPROCESS "Postprocess..."
#define STAGE_FINISHED "Finished"
#define STAGE_CANCELLED "Cancelled"
#define STAGE_ERROR "Error"

#define EXPIRY_US (G_USEC_PER_SEC * G_GINT64_CONSTANT (3600))
#define CLEARED_EXPIRY_US (G_USEC_PER_SEC * 60)
#define EXPIRY_CHECK_S 30
/* production pauses when this many results wait to be popped */
#define MAX_PENDING 500

struct _SlyAsyncRecord
{
  SlyServer *server;
  gchar *uuid;
  const gchar *stage;
  gint64 current;
  gint64 total;
  GQueue pending;               /* JsonNode* result objects */
  JsonNode *exception;          /* {"type", "message", "traceback"} */
  gboolean stopped;
  gboolean paused;
  gboolean finished;
  gint64 created_at;            /* monotonic, us */
  gint64 updated_at;
  gint64 expires_at;
  gboolean cleared;
  SlyJob *job;
  guint n_items;                /* images or frames given to the job */
  /* video inputs */
  gboolean is_video;
  SlyVideoDecode *decode;
  const SlyModel *model;
  JsonObject *settings;
  GArray *frame_indices;        /* gint64, per job image */
  SlyVideoTracking *tracking;   /* NULL without a tracker */
  JsonNode *final_result;
};

static void
record_touch (SlyAsyncRecord * rec)
{
  rec->updated_at = g_get_monotonic_time ();
  if (!rec->cleared)
    rec->expires_at = rec->updated_at + EXPIRY_US;
}

static SlyAsyncRecord *
record_new (SlyServer * server)
{
  SlyAsyncRecord *rec = g_new0 (SlyAsyncRecord, 1);
  g_autofree gchar *uuid = g_uuid_string_random ();
  GString *hex = g_string_new (NULL);
  const gchar *p;

  /* 32 lowercase hex characters, as the SDK's uuid4().hex */
  for (p = uuid; *p; p++)
    if (*p != '-')
      g_string_append_c (hex, *p);
  rec->server = server;
  rec->uuid = g_string_free (hex, FALSE);
  rec->stage = STAGE_PREPARING;
  rec->total = 1;
  g_queue_init (&rec->pending);
  rec->created_at = rec->updated_at = g_get_monotonic_time ();
  rec->expires_at = rec->created_at + EXPIRY_US;
  g_hash_table_insert (server->records, rec->uuid, rec);
  return rec;
}

static void
record_free (gpointer p)
{
  SlyAsyncRecord *rec = p;

  /* the scheduler is gone or the job has ended: no callback can come */
  if (rec->decode)
    sly_video_decode_cancel (rec->decode);
  g_queue_clear_full (&rec->pending, (GDestroyNotify) json_node_unref);
  g_clear_pointer (&rec->exception, json_node_unref);
  g_clear_pointer (&rec->final_result, json_node_unref);
  g_clear_pointer (&rec->frame_indices, g_array_unref);
  g_clear_pointer (&rec->settings, json_object_unref);
  g_clear_pointer (&rec->tracking, sly_video_tracking_free);
  g_free (rec->uuid);
  g_free (rec);
}

static void
record_set_exception (SlyAsyncRecord * rec, const gchar * type,
    const gchar * message)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  if (rec->exception)
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "traceback");
  json_builder_add_string_value (b, "");
  json_builder_end_object (b);
  rec->exception = json_builder_get_root (b);
  rec->stage = STAGE_ERROR;
  record_touch (rec);
}

static void
record_finish (SlyAsyncRecord * rec)
{
  if (rec->exception)
    rec->stage = STAGE_ERROR;
  else if (rec->stopped)
    rec->stage = STAGE_CANCELLED;
  else
    rec->stage = STAGE_FINISHED;
  rec->finished = TRUE;
  record_touch (rec);
}

/* ---- the status object ---- */

typedef enum
{
  VIEW_PROGRESS,                /* pending_results is a count */
  VIEW_POP,                     /* pending_results is the popped array */
  VIEW_STATUS,                  /* get_inference_status */
} View;

static void
add_progress (JsonBuilder * b, SlyAsyncRecord * rec, gboolean with_message)
{
  json_builder_begin_object (b);
  if (with_message) {
    json_builder_set_member_name (b, "message");
    json_builder_add_string_value (b, rec->stage);
  }
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, rec->stage);
  json_builder_set_member_name (b, "current");
  json_builder_add_int_value (b, rec->current);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, rec->total);
  json_builder_set_member_name (b, "is_size");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_end_object (b);
}

static void
add_bool (JsonBuilder * b, const gchar * name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static JsonNode *
record_to_json (SlyAsyncRecord * rec, View view)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  gboolean running = g_strcmp0 (rec->stage, STAGE_RUNNING) == 0;
  gboolean has_result = rec->final_result != NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "uuid");
  json_builder_add_string_value (b, rec->uuid);
  json_builder_set_member_name (b, "stage");
  json_builder_add_string_value (b, rec->stage);
  json_builder_set_member_name (b, "progress");
  if (view == VIEW_PROGRESS && !running) {
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "current");
    json_builder_add_int_value (b, 0);
    json_builder_set_member_name (b, "total");
    json_builder_add_int_value (b, 1);
    json_builder_end_object (b);
  } else {
    add_progress (b, rec, view == VIEW_STATUS);
  }
  if (view == VIEW_PROGRESS) {
    json_builder_set_member_name (b, "pending_results");
    json_builder_add_int_value (b, rec->pending.length);
  } else if (view == VIEW_POP) {
    JsonNode *item;

    json_builder_set_member_name (b, "pending_results");
    json_builder_begin_array (b);
    while ((item = g_queue_pop_head (&rec->pending)))
      json_builder_add_value (b, item);
    json_builder_end_array (b);
  }
  if (view != VIEW_STATUS)
    add_bool (b, "final_result", has_result);
  json_builder_set_member_name (b, "exception");
  if (rec->exception)
    json_builder_add_value (b, json_node_copy (rec->exception));
  else
    json_builder_add_null_value (b);
  add_bool (b, "is_inferring", running);
  add_bool (b, "stopped", rec->stopped);
  add_bool (b, "paused", rec->paused);
  add_bool (b, "finished", rec->finished);
  if (view != VIEW_STATUS) {
    json_builder_set_member_name (b, "created_at");
    json_builder_add_double_value (b, rec->created_at / 1e6);
    json_builder_set_member_name (b, "updated_at");
    json_builder_add_double_value (b, rec->updated_at / 1e6);
  }
  add_bool (b, "cancel_inference", rec->stopped);
  add_bool (b, "has_result", has_result);
  json_builder_set_member_name (b, "preparing_progress");
  add_progress (b, rec, FALSE);
  add_bool (b, "result", has_result);
  if (view == VIEW_STATUS) {
    json_builder_set_member_name (b, "gpu_memory");
    json_builder_add_value (b, sly_gpu_memory_new ());
    json_builder_set_member_name (b, "ram_memory");
    json_builder_add_value (b, sly_ram_memory_new ());
  }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- the job ---- */

static void
job_started (gpointer data)
{
  SlyAsyncRecord *rec = data;

  rec->stage = STAGE_RUNNING;
  rec->current = 0;
  rec->total = rec->n_items;
  record_touch (rec);
}

static SlyJobState
job_check (gpointer data)
{
  SlyAsyncRecord *rec = data;

  if (rec->stopped || rec->exception)
    return SLY_JOB_STOP;
  if (rec->pending.length >= MAX_PENDING) {
    rec->paused = TRUE;
    return SLY_JOB_WAIT;
  }
  return SLY_JOB_CONTINUE;
}

static void
job_result (gpointer data, guint index, SlyAnnotation * ann,
    const SlyInferInfo * info, const GError * error)
{
  SlyAsyncRecord *rec = data;
  gint64 frame_index = -1;

  if (error) {
    record_set_exception (rec, "RuntimeError", error->message);
    return;
  }
  if (rec->frame_indices)
    frame_index = g_array_index (rec->frame_indices, gint64, index);
  if (rec->tracking)
    sly_video_tracking_update (rec->tracking, ann, frame_index);
  sly_server_note_inferred (rec->server, rec->is_video ?
      "inference_video_async" : "inference_batch_async", info);
  g_queue_push_tail (&rec->pending, sly_result_new (ann, frame_index, info));
  rec->current++;
  record_touch (rec);
}

static void
job_done (gpointer data, gboolean aborted)
{
  SlyAsyncRecord *rec = data;

  rec->job = NULL;
  if (aborted)
    return;
  if (rec->is_video && !rec->exception && !rec->stopped) {
    g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

    /* the SDK's tracking wrap-up stage; ours is immediate */
    rec->stage = STAGE_POSTPROCESS;
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "ann");
    json_builder_begin_array (b);
    json_builder_end_array (b);
    json_builder_set_member_name (b, "video_ann");
    if (rec->tracking)
      json_builder_add_value (b,
          sly_video_tracking_build_annotation (rec->tracking));
    else
      json_builder_add_null_value (b);
    json_builder_end_object (b);
    rec->final_result = json_builder_get_root (b);
  }
  record_finish (rec);
}

static const SlyJobFuncs async_funcs = {
  job_started, job_check, job_result, job_done,
};

/* ---- starting ---- */

static gboolean
check_record_limit (SlyRequest * req)
{
  SlyServer *server = req->server;

  if (g_hash_table_size (server->records) >= server->config.max_async_requests) {
    sly_request_reply_error (req, 503,
        "Too many asynchronous inference requests (limit %u): clear "
        "finished ones with clear_inference_request",
        server->config.max_async_requests);
    return FALSE;
  }
  return TRUE;
}

static void
reply_scheduled (SlyRequest * req, SlyAsyncRecord * rec)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, "Scheduled inference task.");
  json_builder_set_member_name (b, "inference_request_uuid");
  json_builder_add_string_value (b, rec->uuid);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sly_request_reply_result (req, root);
}

void
sly_handle_inference_batch_async (SlyRequest * req)
{
  SlyServer *server = req->server;
  g_autoptr (GPtrArray) images = NULL;
  g_autoptr (JsonObject) settings = NULL;
  SlyAsyncRecord *rec;

  if (server->model == NULL) {
    sly_request_reply_not_deployed (req);
    return;
  }
  if (!(images = sly_request_decode_images (req)))
    return;
  if (!(settings = sly_request_merge_settings (req, server->model)))
    return;
  if (!check_record_limit (req))
    return;

  server->frozen = FALSE;
  rec = record_new (server);
  rec->n_items = images->len;
  rec->job = sly_scheduler_submit (server->scheduler, server->model,
      settings, images, &async_funcs, rec);
  reply_scheduled (req, rec);
}

static void
video_decoded (gpointer user_data, GPtrArray * frames, GArray * indices,
    gint width, gint height, gint64 frames_count, GError * error)
{
  SlyAsyncRecord *rec = user_data;

  rec->decode = NULL;
  if (error) {
    record_set_exception (rec, "RuntimeError", error->message);
    record_finish (rec);
    return;
  }
  if (rec->stopped) {
    record_finish (rec);
    return;
  }
  rec->frame_indices = g_array_ref (indices);
  rec->n_items = frames->len;
  if (rec->tracking)
    sly_video_tracking_set_size (rec->tracking, width, height, frames_count);
  rec->job = sly_scheduler_submit (rec->server->scheduler, rec->model,
      rec->settings, frames, &async_funcs, rec);
}

void
sly_handle_inference_video_async (SlyRequest * req)
{
  SlyServer *server = req->server;
  g_autoptr (JsonObject) settings = NULL;
  g_autoptr (GError) error = NULL;
  SlyVideoTracking *tracking;
  SlyUpload *up;
  SlyAsyncRecord *rec;

  if (server->model == NULL) {
    sly_request_reply_not_deployed (req);
    return;
  }
  if (req->files->len != 1) {
    sly_request_reply_error (req, 400, "Only one file expected but got %u",
        req->files->len);
    return;
  }
  if (!(settings = sly_request_merge_settings (req, server->model)))
    return;
  if (!check_record_limit (req))
    return;
  tracking = sly_video_tracking_new (req->state, server->tracking_settings,
      !server->config.no_tracking, &error);
  if (error) {
    sly_request_reply_gerror (req, error);
    return;
  }

  server->frozen = FALSE;
  up = req->files->pdata[0];
  rec = record_new (server);
  rec->is_video = TRUE;
  rec->tracking = tracking;
  rec->model = server->model;
  rec->settings = json_object_ref (settings);
  rec->decode = sly_video_decode_start (up->data, req->state,
      server->config.max_decoded_bytes, video_decoded, rec);
  reply_scheduled (req, rec);
}

/* ---- control endpoints ---- */

/* The record named by state.inference_request_uuid; answers the request
 * with the 2.2 error and returns NULL when there is none. */
static SlyAsyncRecord *
lookup (SlyRequest * req)
{
  const gchar *uuid = sly_srv_json_get_string (req->state,
      "inference_request_uuid");
  SlyAsyncRecord *rec;

  if (uuid == NULL || *uuid == '\0') {
    sly_request_reply_error (req, 400,
        "Error: 'inference_request_uuid' is required.");
    return NULL;
  }
  rec = g_hash_table_lookup (req->server->records, uuid);
  if (rec == NULL) {
    sly_request_reply_error (req, 500,
        "inference_request_uuid %.64s was given, but there is no such uuid "
        "(unknown or expired)", uuid);
    return NULL;
  }
  return rec;
}

static void
reply_record (SlyRequest * req, SlyAsyncRecord * rec, View view)
{
  g_autoptr (JsonNode) root = record_to_json (rec, view);

  sly_request_reply_json (req, 200, root);
}

void
sly_handle_get_inference_progress (SlyRequest * req)
{
  SlyAsyncRecord *rec = lookup (req);

  if (rec)
    reply_record (req, rec, VIEW_PROGRESS);
}

void
sly_handle_pop_inference_results (SlyRequest * req)
{
  SlyAsyncRecord *rec = lookup (req);

  if (rec == NULL)
    return;
  reply_record (req, rec, VIEW_POP);
  if (rec->paused) {
    rec->paused = FALSE;
    if (rec->job)
      sly_job_resume (rec->job);
  }
}

void
sly_handle_get_inference_status (SlyRequest * req)
{
  SlyAsyncRecord *rec = lookup (req);

  if (rec)
    reply_record (req, rec, VIEW_STATUS);
}

void
sly_handle_get_inference_result (SlyRequest * req)
{
  SlyAsyncRecord *rec = lookup (req);
  g_autoptr (JsonNode) root = NULL;

  if (rec == NULL)
    return;
  if (rec->final_result)
    root = json_node_ref (rec->final_result);
  else
    root = json_node_new (JSON_NODE_NULL);
  sly_request_reply_json (req, 200, root);
}

static void
record_stop (SlyAsyncRecord * rec)
{
  rec->stopped = TRUE;
  record_touch (rec);
  if (rec->decode) {
    sly_video_decode_cancel (rec->decode);
    rec->decode = NULL;
    record_finish (rec);
  } else if (rec->paused && rec->job) {
    rec->paused = FALSE;
    sly_job_resume (rec->job);
  } else if (rec->job == NULL && !rec->finished) {
    record_finish (rec);
  }
}

void
sly_handle_stop_inference (SlyRequest * req)
{
  SlyAsyncRecord *rec = lookup (req);
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;

  if (rec == NULL)
    return;
  if (!rec->finished)
    record_stop (rec);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, "Inference will be stopped.");
  add_bool (b, "success", TRUE);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sly_request_reply_json (req, 200, root);
}

void
sly_handle_clear_inference_request (SlyRequest * req)
{
  SlyAsyncRecord *rec = lookup (req);
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;

  if (rec == NULL)
    return;
  if (!rec->finished)
    record_stop (rec);
  rec->cleared = TRUE;
  rec->expires_at = g_get_monotonic_time () + CLEARED_EXPIRY_US;
  json_builder_begin_object (b);
  add_bool (b, "success", TRUE);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sly_request_reply_json (req, 200, root);
}

void
sly_handle_get_preparing_progress (SlyRequest * req)
{
  SlyAsyncRecord *rec = lookup (req);
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;

  if (rec == NULL)
    return;
  add_progress (b, rec, FALSE);
  root = json_builder_get_root (b);
  sly_request_reply_json (req, 200, root);
}

/* ---- expiry ---- */

static gboolean
expire_records (gpointer user_data)
{
  SlyServer *server = user_data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, server->records);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    SlyAsyncRecord *rec = value;

    if (now < rec->expires_at)
      continue;
    if (rec->finished)
      g_hash_table_iter_remove (&iter);
    else if (!rec->stopped)
      record_stop (rec);        /* removed once its worker has returned */
  }
  return G_SOURCE_CONTINUE;
}

void
sly_async_init (SlyServer * server)
{
  server->records = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      record_free);
  server->expiry_source = g_timeout_add_seconds (EXPIRY_CHECK_S,
      expire_records, server);
}

void
sly_async_shutdown (SlyServer * server)
{
  if (server->expiry_source)
    g_source_remove (server->expiry_source);
  server->expiry_source = 0;
  g_clear_pointer (&server->records, g_hash_table_unref);
}

void
sly_async_get_totals (SlyServer * server, gint64 * current, gint64 * total)
{
  GHashTableIter iter;
  gpointer value;

  *current = *total = 0;
  g_hash_table_iter_init (&iter, server->records);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    SlyAsyncRecord *rec = value;

    if (g_strcmp0 (rec->stage, STAGE_RUNNING) != 0)
      continue;
    *current += rec->current;
    *total += rec->total;
  }
}
