/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SlyPredictionSession: the asynchronous request life cycle of
 * protocol.md 3.18 (start, pop until finished, final result, clear), with
 * the legacy record shapes of section 10 accepted.
 */
#include "slyclient-private.h"
#include "slyerror.h"

#define DEFAULT_POLL_INTERVAL_MS 1000
#define DEFAULT_IDLE_TIMEOUT_MS (600 * 1000)

struct _SlyPredictionSession
{
  GObject parent;

  SlyClient *client;
  gchar *uuid;
  JsonNode *settings;           /* repeated in control calls, as the SDK does */
  guint poll_interval_ms;
  guint idle_timeout_ms;
  gint64 last_result_time;      /* monotonic, us */
  gboolean started;             /* results or is_inferring seen (legacy end) */
  gboolean finished;            /* the server's worker has returned */
  gboolean closed;              /* the request was cleared */
};

G_DEFINE_TYPE (SlyPredictionSession, sly_prediction_session, G_TYPE_OBJECT);

static void
sly_prediction_session_finalize (GObject * object)
{
  SlyPredictionSession *session = SLY_PREDICTION_SESSION (object);

  if (!session->closed)
    g_debug ("prediction session %s freed without close: the server keeps "
        "it until it expires", session->uuid);
  g_clear_object (&session->client);
  g_free (session->uuid);
  g_clear_pointer (&session->settings, json_node_free);

  G_OBJECT_CLASS (sly_prediction_session_parent_class)->finalize (object);
}

static void
sly_prediction_session_class_init (SlyPredictionSessionClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = sly_prediction_session_finalize;
}

static void
sly_prediction_session_init (SlyPredictionSession * session)
{
  session->poll_interval_ms = DEFAULT_POLL_INTERVAL_MS;
  session->idle_timeout_ms = DEFAULT_IDLE_TIMEOUT_MS;
}

const gchar *
sly_prediction_session_get_uuid (SlyPredictionSession * session)
{
  g_return_val_if_fail (SLY_IS_PREDICTION_SESSION (session), NULL);
  return session->uuid;
}

void
sly_prediction_session_set_poll_interval (SlyPredictionSession * session,
    guint interval_ms)
{
  g_return_if_fail (SLY_IS_PREDICTION_SESSION (session));
  session->poll_interval_ms = interval_ms;
}

void
sly_prediction_session_set_idle_timeout (SlyPredictionSession * session,
    guint timeout_ms)
{
  g_return_if_fail (SLY_IS_PREDICTION_SESSION (session));
  session->idle_timeout_ms = timeout_ms;
}

static JsonNode *
control_state (SlyPredictionSession * session)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node;

  json_object_set_string_member (obj, "inference_request_uuid", session->uuid);
  if (session->settings != NULL)
    json_object_set_member (obj, "settings",
        json_node_copy (session->settings));
  node = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);
  return node;
}

static void
control_call (SlyPredictionSession * session, const gchar * method,
    GCancellable * cancellable, GAsyncReadyCallback callback, GTask * task)
{
  g_autoptr (JsonNode) state = control_state (session);

  sly_client_model_call_async (session->client, method, state,
      SLY_REQUEST_NONE, cancellable, callback, task);
}

/* ---- start ---- */

static void
on_started (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  SlyPredictionSession *session = g_task_get_task_data (task);
  g_autoptr (JsonNode) answer = NULL;
  GError *error = NULL;
  JsonNode *uuid = NULL;

  answer = sly_client_model_call_finish (SLY_CLIENT (source), res, &error);
  if (answer == NULL) {
    g_task_return_error (task, error);
    return;
  }
  if (JSON_NODE_HOLDS_OBJECT (answer))
    uuid = json_object_get_member (json_node_get_object (answer),
        "inference_request_uuid");
  if (uuid == NULL || !JSON_NODE_HOLDS_VALUE (uuid)
      || json_node_get_value_type (uuid) != G_TYPE_STRING
      || json_node_get_string (uuid)[0] == '\0') {
    g_task_return_new_error (task, SLY_ERROR, SLY_ERROR_PARSE,
        "The start answer has no inference_request_uuid string");
    return;
  }
  session->uuid = g_strdup (json_node_get_string (uuid));
  session->last_result_time = g_get_monotonic_time ();
  g_debug ("started prediction session %s", session->uuid);
  g_task_return_pointer (task, g_object_ref (session), g_object_unref);
}

/* A JSON-started request (id-based inputs): the start is a JSON call. */
static void
on_upload_posted (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  g_autoptr (GBytes) body = NULL;
  GError *error = NULL;
  JsonNode *answer;

  body = sly_client_post_finish (SLY_CLIENT (source), res, &error);
  answer = body ? sly_client_parse_json (body, "start", &error) : NULL;
  if (answer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, (GDestroyNotify) json_node_free);
}

typedef struct
{
  gchar *url_method;
  gchar *content_type;
  GBytes *body;
} UploadData;

static void
upload_data_free (UploadData * data)
{
  g_free (data->url_method);
  g_free (data->content_type);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data);
}

static void
on_upload_resolved (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  UploadData *data = g_task_get_task_data (task);
  g_autofree gchar *url = NULL;
  GError *error = NULL;

  if (!sly_client_resolve_finish (SLY_CLIENT (source), res, &error)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  url = sly_client_method_url (SLY_CLIENT (source), data->url_method);
  /* an upload's answer must come from where the files went */
  sly_client_post_async (SLY_CLIENT (source), url, data->content_type,
      data->body, SLY_REQUEST_NO_REDIRECT, 0, g_task_get_cancellable (task),
      on_upload_posted, task);
}

void
sly_prediction_session_start_async (SlyClient * client,
    const gchar * endpoint, GBytes * const *files, guint n_files,
    const gchar * content_type, JsonNode * state, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  SlyPredictionSession *session;
  g_autoptr (JsonNode) empty = NULL;
  JsonNode *settings = NULL;
  GError *error = NULL;
  GTask *task, *upload;
  UploadData *data;

  g_return_if_fail (SLY_IS_CLIENT (client));
  g_return_if_fail (endpoint != NULL);

  session = g_object_new (SLY_TYPE_PREDICTION_SESSION, NULL);
  session->client = g_object_ref (client);
  if (state == NULL)
    state = empty = json_node_init_object (json_node_alloc (),
        json_object_new ());
  if (JSON_NODE_HOLDS_OBJECT (state))
    settings = json_object_get_member (json_node_get_object (state),
        "settings");
  session->settings = settings ? json_node_copy (settings) : NULL;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sly_prediction_session_start_async);
  g_task_set_task_data (task, session, g_object_unref);

  if (n_files == 0) {
    sly_client_model_call_async (client, endpoint, state, SLY_REQUEST_NONE,
        cancellable, on_started, task);
    return;
  }
  /* uploads: the same multipart as inference_batch */
  upload = g_task_new (client, cancellable, on_started, task);
  data = g_new0 (UploadData, 1);
  data->url_method = g_strdup (endpoint);
  g_task_set_task_data (upload, data, (GDestroyNotify) upload_data_free);
  data->body = sly_client_build_upload (client, files, n_files, content_type,
      state, &data->content_type, &error);
  if (data->body == NULL) {
    g_task_return_error (upload, error);
    g_object_unref (upload);
    return;
  }
  sly_client_resolve_async (client, cancellable, on_upload_resolved, upload);
}

SlyPredictionSession *
sly_prediction_session_start_finish (GAsyncResult * result, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

SlyPredictionSession *
sly_prediction_session_start (SlyClient * client, const gchar * endpoint,
    GBytes * const *files, guint n_files, const gchar * content_type,
    JsonNode * state, GCancellable * cancellable, GError ** error)
{
  GAsyncResult *res = NULL;
  SlyPredictionSession *session;

  g_return_val_if_fail (SLY_IS_CLIENT (client), NULL);

  sly_client_sync_begin (client);
  sly_prediction_session_start_async (client, endpoint, files, n_files,
      content_type, state, cancellable, sly_client_sync_cb, &res);
  sly_client_sync_wait (client, &res);
  session = sly_prediction_session_start_finish (res, error);
  g_object_unref (res);
  return session;
}

/* ---- close: final result, then clear (stop first when not finished) ---- */

typedef struct
{
  const gchar *steps[4];        /* control methods still to call */
  guint step;
  JsonNode *final_result;
  GError *clear_error;
} CloseData;

static void
close_data_free (CloseData * data)
{
  g_clear_pointer (&data->final_result, json_node_free);
  g_clear_error (&data->clear_error);
  g_free (data);
}

static void close_next_step (GTask * task);

static void
on_close_step (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  CloseData *data = g_task_get_task_data (task);
  const gchar *method = data->steps[data->step];
  g_autoptr (GError) error = NULL;
  JsonNode *answer;

  answer = sly_client_model_call_finish (SLY_CLIENT (source), res, &error);
  /* stop and the final result are best effort, as in the SDK */
  if (g_strcmp0 (method, "get_inference_result") == 0 && answer != NULL)
    data->final_result = answer;
  else if (answer != NULL)
    json_node_free (answer);
  else if (g_strcmp0 (method, "clear_inference_request") == 0)
    data->clear_error = g_steal_pointer (&error);
  else
    g_debug ("%s failed: %s", method, error->message);
  data->step++;
  close_next_step (task);
}

static void
close_next_step (GTask * task)
{
  SlyPredictionSession *session = g_task_get_source_object (task);
  CloseData *data = g_task_get_task_data (task);

  if (data->steps[data->step] != NULL) {
    /* not cancellable: a request left behind keeps the server busy */
    control_call (session, data->steps[data->step], NULL, on_close_step, task);
    return;
  }
  session->closed = TRUE;
  if (data->clear_error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->clear_error));
  else if (data->final_result != NULL)
    g_task_return_pointer (task, g_steal_pointer (&data->final_result),
        (GDestroyNotify) json_node_free);
  else
    g_task_return_pointer (task, json_node_new (JSON_NODE_NULL),
        (GDestroyNotify) json_node_free);
  g_object_unref (task);
}

static GTask *
close_task_new (SlyPredictionSession * session, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task = g_task_new (session, NULL, callback, user_data);
  CloseData *data = g_new0 (CloseData, 1);
  guint n = 0;

  g_task_set_source_tag (task, sly_prediction_session_close_async);
  if (!session->closed) {
    if (!session->finished)
      data->steps[n++] = "stop_inference";
    data->steps[n++] = "get_inference_result";
    data->steps[n++] = "clear_inference_request";
  }
  g_task_set_task_data (task, data, (GDestroyNotify) close_data_free);
  return task;
}

void
sly_prediction_session_close_async (SlyPredictionSession * session,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (SLY_IS_PREDICTION_SESSION (session));
  close_next_step (close_task_new (session, callback, user_data));
}

JsonNode *
sly_prediction_session_close_finish (SlyPredictionSession * session,
    GAsyncResult * result, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonNode *
sly_prediction_session_close (SlyPredictionSession * session, GError ** error)
{
  GAsyncResult *res = NULL;
  JsonNode *final_result;

  g_return_val_if_fail (SLY_IS_PREDICTION_SESSION (session), NULL);

  sly_client_sync_begin (session->client);
  sly_prediction_session_close_async (session, sly_client_sync_cb, &res);
  sly_client_sync_wait (session->client, &res);
  final_result = sly_prediction_session_close_finish (session, res, error);
  g_object_unref (res);
  return final_result;
}

/* ---- next: pop until results or the end ---- */

typedef struct
{
  GSource *sleep_source;
  SlyCancelWatch *watch;        /* the caller's cancellable */
  GError *abort_error;          /* returned once the request is closed */
  gboolean returned;
} NextData;

static void
next_data_free (NextData * data)
{
  if (data->sleep_source != NULL)
    g_source_destroy (data->sleep_source);
  g_clear_pointer (&data->sleep_source, g_source_unref);
  g_clear_pointer (&data->watch, sly_cancel_watch_free);
  g_clear_error (&data->abort_error);
  g_free (data);
}

static void pop (GTask * task);

/* Every way out of next(): no cancellation reaches the task after it. */
static void
next_done (GTask * task)
{
  NextData *data = g_task_get_task_data (task);

  data->returned = TRUE;
  g_clear_pointer (&data->watch, sly_cancel_watch_free);
  g_object_unref (task);
}

typedef struct
{
  GPtrArray *results;           /* JsonNode* */
  gboolean finished;
} NextResult;

static void
next_result_free (NextResult * result)
{
  g_clear_pointer (&result->results, g_ptr_array_unref);
  g_free (result);
}

static void
return_results (GTask * task, GPtrArray * results, gboolean finished)
{
  NextResult *result = g_new0 (NextResult, 1);

  result->results = results;
  result->finished = finished;
  g_task_return_pointer (task, result, (GDestroyNotify) next_result_free);
  next_done (task);
}

static void
on_aborted (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  NextData *data = g_task_get_task_data (task);
  g_autoptr (JsonNode) final_result = NULL;
  g_autoptr (GError) error = NULL;

  final_result = sly_prediction_session_close_finish
      (SLY_PREDICTION_SESSION (source), res, &error);
  if (error != NULL)
    g_debug ("clearing the failed request failed too: %s", error->message);
  g_task_return_error (task, g_steal_pointer (&data->abort_error));
  next_done (task);
}

/* protocol.md 3.18 step 5: stop, final result, clear; then fail. */
static void
abort_with (GTask * task, GError * error)
{
  SlyPredictionSession *session = g_task_get_source_object (task);
  NextData *data = g_task_get_task_data (task);

  data->abort_error = error;
  close_next_step (close_task_new (session, on_aborted, task));
}

/* "exception": an object {type, message} (new) or a string (legacy). */
static GError *
exception_error (JsonNode * exception)
{
  const gchar *type = NULL, *message = NULL;
  JsonObject *obj;
  JsonNode *node;

  if (JSON_NODE_HOLDS_VALUE (exception)
      && json_node_get_value_type (exception) == G_TYPE_STRING)
    message = json_node_get_string (exception);
  else if (JSON_NODE_HOLDS_OBJECT (exception)) {
    obj = json_node_get_object (exception);
    node = json_object_get_member (obj, "type");
    if (node && JSON_NODE_HOLDS_VALUE (node)
        && json_node_get_value_type (node) == G_TYPE_STRING)
      type = json_node_get_string (node);
    node = json_object_get_member (obj, "message");
    if (node && JSON_NODE_HOLDS_VALUE (node)
        && json_node_get_value_type (node) == G_TYPE_STRING)
      message = json_node_get_string (node);
  }
  if (type != NULL)
    return g_error_new (SLY_ERROR, SLY_ERROR_INFERENCE,
        "Inference Error: %s: %s", type, message ? message : "");
  return g_error_new (SLY_ERROR, SLY_ERROR_INFERENCE, "Inference Error: %s",
      message ? message : "unknown exception");
}

/* TRUE, FALSE, or -1 when the member is absent or not a boolean */
static gint
get_flag (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return -1;
  return json_node_get_boolean (node);
}

gboolean
sly_session_record_parse (JsonNode * answer, SlySessionRecord * record,
    GError ** error)
{
  JsonObject *obj;
  JsonNode *exception, *pending;
  guint i;

  record->results =
      g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_free);
  record->finished = record->inferring = -1;
  if (!JSON_NODE_HOLDS_OBJECT (answer)) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "pop_inference_results did not answer a JSON object");
    return FALSE;
  }
  obj = json_node_get_object (answer);
  exception = json_object_get_member (obj, "exception");
  if (exception != NULL && !JSON_NODE_HOLDS_NULL (exception)) {
    g_propagate_error (error, exception_error (exception));
    return FALSE;
  }
  /* get_inference_progress counts them instead: a number, skipped */
  pending = json_object_get_member (obj, "pending_results");
  if (pending != NULL && JSON_NODE_HOLDS_ARRAY (pending)) {
    JsonArray *array = json_node_get_array (pending);

    for (i = 0; i < json_array_get_length (array); i++)
      g_ptr_array_add (record->results,
          json_node_copy (json_array_get_element (array, i)));
  }
  record->finished = get_flag (obj, "finished");
  record->inferring = get_flag (obj, "is_inferring");
  return TRUE;
}

void
sly_session_record_clear (SlySessionRecord * record)
{
  g_clear_pointer (&record->results, g_ptr_array_unref);
}

gboolean
sly_session_record_ended (const SlySessionRecord * record, gboolean * started)
{
  if (record->results->len > 0 || record->inferring == TRUE)
    *started = TRUE;
  /* legacy records have no "finished": the end is is_inferring turning
   * false once the work has started */
  return record->finished == TRUE
      || (record->finished == -1 && record->inferring == FALSE && *started);
}

static gboolean
on_poll_timer (gpointer user_data)
{
  NextData *data = g_task_get_task_data (G_TASK (user_data));

  g_clear_pointer (&data->sleep_source, g_source_unref);
  pop (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

/* Dispatched on the task's context; a running pop sees the cancellable
 * itself, a sleep is cut short here. */
static gboolean
on_next_cancelled (gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  NextData *data = g_task_get_task_data (task);

  if (!data->returned && data->sleep_source != NULL) {
    g_source_destroy (data->sleep_source);
    g_clear_pointer (&data->sleep_source, g_source_unref);
    g_task_return_error_if_cancelled (task);
    next_done (task);
  }
  return G_SOURCE_REMOVE;
}

static void
wait_and_pop (GTask * task)
{
  SlyPredictionSession *session = g_task_get_source_object (task);
  NextData *data = g_task_get_task_data (task);
  gint64 idle_ms = (g_get_monotonic_time () - session->last_result_time)
      / 1000;

  if (session->idle_timeout_ms > 0 && idle_ms >= session->idle_timeout_ms) {
    abort_with (task, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
            "No inference result for %u ms", session->idle_timeout_ms));
    return;
  }
  data->sleep_source = g_timeout_source_new (session->poll_interval_ms);
  g_source_set_callback (data->sleep_source, on_poll_timer, task, NULL);
  g_source_attach (data->sleep_source, g_task_get_context (task));
}

static void
on_popped (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  SlyPredictionSession *session = g_task_get_source_object (task);
  g_autoptr (JsonNode) answer = NULL;
  SlySessionRecord record = { NULL, };
  GError *error = NULL;

  answer = sly_client_model_call_finish (SLY_CLIENT (source), res, &error);
  if (answer == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_task_return_error (task, error);
      next_done (task);
    } else {
      abort_with (task, error);
    }
    return;
  }
  if (!sly_session_record_parse (answer, &record, &error)) {
    sly_session_record_clear (&record);
    abort_with (task, error);
    return;
  }
  if (record.results->len > 0)
    session->last_result_time = g_get_monotonic_time ();
  session->finished = sly_session_record_ended (&record, &session->started);
  if (record.results->len > 0 || session->finished)
    return_results (task, g_steal_pointer (&record.results), session->finished);
  else
    wait_and_pop (task);
  sly_session_record_clear (&record);
}

static void
pop (GTask * task)
{
  SlyPredictionSession *session = g_task_get_source_object (task);

  control_call (session, "pop_inference_results",
      g_task_get_cancellable (task), on_popped, task);
}

void
sly_prediction_session_next_async (SlyPredictionSession * session,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task;
  NextData *data;

  g_return_if_fail (SLY_IS_PREDICTION_SESSION (session));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, sly_prediction_session_next_async);
  data = g_new0 (NextData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) next_data_free);
  if (session->finished || session->closed) {
    return_results (task,
        g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_free), TRUE);
    return;
  }
  data->watch = sly_cancel_watch_new (task, on_next_cancelled);
  pop (task);
}

GPtrArray *
sly_prediction_session_next_finish (SlyPredictionSession * session,
    GAsyncResult * result, gboolean * finished, GError ** error)
{
  NextResult *next;
  GPtrArray *results;

  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  next = g_task_propagate_pointer (G_TASK (result), error);
  if (next == NULL)
    return NULL;
  if (finished != NULL)
    *finished = next->finished;
  results = g_steal_pointer (&next->results);
  next_result_free (next);
  return results;
}

GPtrArray *
sly_prediction_session_next (SlyPredictionSession * session,
    gboolean * finished, GCancellable * cancellable, GError ** error)
{
  GAsyncResult *res = NULL;
  GPtrArray *results;

  g_return_val_if_fail (SLY_IS_PREDICTION_SESSION (session), NULL);

  sly_client_sync_begin (session->client);
  sly_prediction_session_next_async (session, cancellable,
      sly_client_sync_cb, &res);
  sly_client_sync_wait (session->client, &res);
  results = sly_prediction_session_next_finish (session, res, finished, error);
  g_object_unref (res);
  return results;
}
