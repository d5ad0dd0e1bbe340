/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SlyClient: everything the SDK's ModelAPI offers (protocol.md 1.2), over
 * libsoup 3 + json-glib.
 *
 * Threading: a SlyClient is used from one thread at a time. Its async calls
 * run on the thread-default GMainContext of the thread that *calls* them
 * (ordinary GIO/GTask rules): the callback, the timeout and the retry timers
 * are dispatched there, so an element drives it from its own I/O thread
 * whose context it pushes with g_main_context_push_thread_default().
 * Several async calls may be in flight at once on that one thread. A
 * GCancellable may be cancelled from any thread; the cancellation is
 * carried out on the calling context.
 * The _sync wrappers (the functions without _async/_finish) push the
 * client's private GMainContext, start the async call and iterate that
 * context until it completes. They may be called from any thread that is
 * not at that moment running an async call of the same client, and never
 * from inside a callback of the same client.
 *
 * Secrets: the API token, the /net/<session token> part of URLs and the
 * user info of a model URL never appear in log output or error messages
 * (sly_redact_url(), slyredact.h, is the form URLs are shown in).
 */
#ifndef __SLY_CLIENT_H__
#define __SLY_CLIENT_H__

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "slyannotation.h"
#include "slyprojectmeta.h"
#include "slyredact.h"

G_BEGIN_DECLS

#define SLY_TYPE_CLIENT (sly_client_get_type ())
G_DECLARE_FINAL_TYPE (SlyClient, sly_client, SLY, CLIENT, GObject)

/* ---- inference settings (protocol.md section 4) ---- */

typedef struct _SlyInferenceSettings SlyInferenceSettings;

SlyInferenceSettings *sly_inference_settings_new (void);
SlyInferenceSettings *sly_inference_settings_copy (const SlyInferenceSettings * s);
void sly_inference_settings_free (SlyInferenceSettings * s);
/* conf < 0: use the server's default (the key is not sent) */
void sly_inference_settings_set_conf (SlyInferenceSettings * s, gdouble conf);
/* NULL: all classes (the key is not sent); an empty list drops everything */
void sly_inference_settings_set_classes (SlyInferenceSettings * s,
    const gchar * const *classes);
/* 0: not sent */
void sly_inference_settings_set_img_size (SlyInferenceSettings * s, gint size);
/* Sliding windows on the server (protocol.md 4.4): inference_mode
 * "sliding_window" with windows of @width x @height overlapping by
 * @overlap_x, @overlap_y pixels (borderStrategy shift_window). A size of
 * 0: the full image (the keys are not sent). */
void sly_inference_settings_set_sliding_window (SlyInferenceSettings * s,
    gint width, gint height, gint overlap_x, gint overlap_y);
/* A JSON object merged into state.settings (explicit keys above win). */
gboolean sly_inference_settings_set_extra_json (SlyInferenceSettings * s,
    const gchar * json_object, GError ** error);
/* The state object: {"settings": {...}[, "batch_size": n]} (n <= 0: omit) */
JsonNode *sly_inference_settings_to_state (const SlyInferenceSettings * s,
    gint batch_size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyInferenceSettings, sly_inference_settings_free)

/* ---- construction ---- */

/* Direct URL mode: base URL such as http://127.0.0.1:8000 or
 * https://host/net/<session token>. Fails for a URL that is not http(s). */
SlyClient *sly_client_new_for_url (const gchar * url, GError ** error);

/* Task mode: server_address and api_token may be NULL; then the
 * environment (SERVER_ADDRESS, API_TOKEN, SUPERVISELY_API_SERVER_ADDRESS)
 * and then ~/supervisely.env are used. Fails when no token or address can
 * be found. The task is resolved (tasks.info) lazily by the first call. */
SlyClient *sly_client_new_for_task (gint64 task_id,
    const gchar * server_address, const gchar * api_token, GError ** error);

/* Per-request timeout in milliseconds (0 = none), per attempt: a request
 * without an answer within it fails with G_IO_ERROR_TIMED_OUT (and is
 * retried when retries are configured). Default 60000. */
void sly_client_set_timeout (SlyClient * client, guint timeout_ms);
/* Attempts for retryable failures (connection errors, timeouts, 408, 429,
 * 5xx as protocol.md 1.3) with exponential backoff starting at
 * @retry_delay_ms, at least a 429's Retry-After; no pause is longer than
 * the per-attempt timeout (when set) nor 60 s. Default: 1 attempt (no
 * retry). */
void sly_client_set_retries (SlyClient * client, guint attempts,
    guint retry_delay_ms);

/* Answers are read whole; a longer one fails with SLY_ERROR_PARSE (not
 * retried). json-glib's tree of an answer takes about 20 times its size. */
#define SLY_CLIENT_MAX_ANSWER_BYTES (64u << 20)

/* Objects kept per annotation of an inference answer, in answer order;
 * the rest are dropped while the answer is parsed (before json-glib builds
 * them) and counted in sly_annotation_get_n_dropped_objects(). 0 = no
 * limit. Default SLY_CLIENT_DEFAULT_MAX_OBJECTS. */
#define SLY_CLIENT_DEFAULT_MAX_OBJECTS 10000
void sly_client_set_max_objects (SlyClient * client, guint max_objects);

/* HTTPS: trust exactly the CA certificates of the PEM file @path (instead
 * of the system's trust store), e.g. the CA of a self-hosted instance.
 * NULL goes back to the system's store. Applies to the connections opened
 * afterwards: set it before the first call. Fails
 * (SLY_ERROR_INVALID_ARGUMENT) when the file cannot be read as
 * certificates. An untrusted certificate fails a call with
 * G_TLS_ERROR_BAD_CERTIFICATE ("The TLS certificate of <url> is not
 * trusted ..."), not retried. */
gboolean sly_client_set_tls_ca_file (SlyClient * client, const gchar * path,
    GError ** error);

gboolean sly_client_is_task_mode (SlyClient * client);

/* ---- generic model call (routes through tasks.request.direct in task
 * mode). @state may be NULL ({}). Result: (transfer full) JsonNode. ---- */

void sly_client_call_async (SlyClient * client, const gchar * method,
    JsonObject * state, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
JsonNode *sly_client_call_finish (SlyClient * client, GAsyncResult * result,
    GError ** error);
JsonNode *sly_client_call_sync (SlyClient * client, const gchar * method,
    JsonObject * state, GCancellable * cancellable, GError ** error);

/* ---- typed wrappers (sync; each has an _async/_finish pair too) ----
 * Routing (protocol.md 1.2): get_session_info, the pretrained lists and
 * inference go to <base>/<method> in both modes (task mode: base =
 * <address>/net/<sessionToken> from tasks.info); the others go through
 * tasks.request.direct in task mode. get_model_meta and get_classes use
 * get_output_classes_and_tags (old servers have only that name). */

JsonObject *sly_client_get_session_info (SlyClient * client,
    GCancellable * cancellable, GError ** error);
SlyProjectMeta *sly_client_get_model_meta (SlyClient * client,
    GCancellable * cancellable, GError ** error);
gchar **sly_client_get_classes (SlyClient * client,
    GCancellable * cancellable, GError ** error);
/* The value of "settings": an object or a YAML string, as sent. */
JsonNode *sly_client_get_settings (SlyClient * client,
    GCancellable * cancellable, GError ** error);
/* The "botsort" object; SLY_ERROR_NOT_SUPPORTED when the model has none. */
JsonObject *sly_client_get_tracking_settings (SlyClient * client,
    GCancellable * cancellable, GError ** error);
JsonObject *sly_client_get_deploy_info (SlyClient * client,
    GCancellable * cancellable, GError ** error);
gboolean sly_client_is_deployed (SlyClient * client,
    GCancellable * cancellable, GError ** error);
JsonObject *sly_client_get_status (SlyClient * client,
    GCancellable * cancellable, GError ** error);
gchar *sly_client_freeze_model (SlyClient * client,
    GCancellable * cancellable, GError ** error);
gchar **sly_client_list_pretrained_models (SlyClient * client,
    GCancellable * cancellable, GError ** error);
JsonArray *sly_client_list_pretrained_model_infos (SlyClient * client,
    GCancellable * cancellable, GError ** error);
/* Task mode only (SLY_ERROR_NOT_SUPPORTED otherwise); returns the status. */
gchar *sly_client_shutdown (SlyClient * client, GCancellable * cancellable,
    GError ** error);

/* deploy_from_api with a pretrained model name; device/runtime nullable
 * (the server picks); runtime aliases (torch, onnx, trt...) as the SDK. */
void sly_client_load_async (SlyClient * client, const gchar * model,
    const gchar * device, const gchar * runtime, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
gboolean sly_client_load_finish (SlyClient * client, GAsyncResult * result,
    GError ** error);
gboolean sly_client_load (SlyClient * client, const gchar * model,
    const gchar * device, const gchar * runtime, GCancellable * cancellable,
    GError ** error);
/* deploy_from_api with "Custom models": @model_files maps roles to paths
 * (at least "checkpoint"), @model_info is the experiment info (nullable).
 * Finish with sly_client_load_finish(). */
void sly_client_load_custom_async (SlyClient * client,
    JsonObject * model_files, JsonObject * model_info, const gchar * device,
    const gchar * runtime, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
gboolean sly_client_load_custom (SlyClient * client, JsonObject * model_files,
    JsonObject * model_info, const gchar * device, const gchar * runtime,
    GCancellable * cancellable, GError ** error);

/* The _async/_finish pairs of the typed wrappers above. */
void sly_client_get_session_info_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
JsonObject *sly_client_get_session_info_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_get_model_meta_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
SlyProjectMeta *sly_client_get_model_meta_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_get_classes_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
gchar **sly_client_get_classes_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_get_settings_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
JsonNode *sly_client_get_settings_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_get_tracking_settings_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
JsonObject *sly_client_get_tracking_settings_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_get_deploy_info_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
JsonObject *sly_client_get_deploy_info_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_is_deployed_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
gboolean sly_client_is_deployed_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_get_status_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
JsonObject *sly_client_get_status_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_freeze_model_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
gchar *sly_client_freeze_model_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_list_pretrained_models_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
gchar **sly_client_list_pretrained_models_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_list_pretrained_model_infos_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
JsonArray *sly_client_list_pretrained_model_infos_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
void sly_client_shutdown_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
gchar *sly_client_shutdown_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);

/* ---- per-frame inference (protocol.md 3.12) ----
 * One image goes to inference_image, several to inference_batch (with
 * state.batch_size = n). @content_type is "image/jpeg" or "image/png"; the
 * client gives every upload a unique file name with the right extension.
 * Result: GPtrArray of SlyAnnotation*, one per image, in order; fewer
 * results than images is an error. Objects beyond the client's
 * max-objects are dropped (sly_annotation_get_n_dropped_objects()).
 * A redirect is an error (SLY_HTTP_ERROR, its status): the answer must
 * come from the URL the frames went to.
 *
 * @retry_deadline_us: g_get_monotonic_time() by which a caller with a
 * latency budget needs the answer, 0 = none. No retry pause is taken that
 * would end at or after it (the call fails with the last error instead),
 * and a retry is cut at the deadline (G_IO_ERROR_TIMED_OUT). The first
 * attempt is bounded by the timeout only. The _sync form has no
 * deadline. */
void sly_client_infer_async (SlyClient * client, GBytes * const *images,
    guint n_images, const gchar * content_type,
    const SlyInferenceSettings * settings, gint64 retry_deadline_us,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
GPtrArray *sly_client_infer_finish (SlyClient * client, GAsyncResult * result,
    GError ** error);
GPtrArray *sly_client_infer_sync (SlyClient * client, GBytes * const *images,
    guint n_images, const gchar * content_type,
    const SlyInferenceSettings * settings, GCancellable * cancellable,
    GError ** error);

/* ---- asynchronous requests (protocol.md 3.14-3.18) ----
 * A SlyPredictionSession is one server-side inference request:
 *   start (inference_batch_async with images, inference_video_async with
 *   one video, or a JSON-started endpoint when @n_files is 0), then next()
 *   until *finished, then close(). One request per session at a time; the
 *   session keeps a reference to its client and follows its threading
 *   rules. */

#define SLY_TYPE_PREDICTION_SESSION (sly_prediction_session_get_type ())
G_DECLARE_FINAL_TYPE (SlyPredictionSession, sly_prediction_session, SLY,
    PREDICTION_SESSION, GObject)

/* @state: the state object (e.g. from sly_inference_settings_to_state(),
 * with video keys added), nullable; @content_type as for inference, or a
 * video type (video/mp4...). */
void sly_prediction_session_start_async (SlyClient * client,
    const gchar * endpoint, GBytes * const *files, guint n_files,
    const gchar * content_type, JsonNode * state,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
SlyPredictionSession *sly_prediction_session_start_finish (
    GAsyncResult * result, GError ** error);
SlyPredictionSession *sly_prediction_session_start (SlyClient * client,
    const gchar * endpoint, GBytes * const *files, guint n_files,
    const gchar * content_type, JsonNode * state,
    GCancellable * cancellable, GError ** error);

const gchar *sly_prediction_session_get_uuid (SlyPredictionSession * session);
/* Pause between polls while nothing is queued (default 1000 ms). */
void sly_prediction_session_set_poll_interval (
    SlyPredictionSession * session, guint interval_ms);
/* Give up when no result came for this long (default 600000 ms; 0 = never). */
void sly_prediction_session_set_idle_timeout (
    SlyPredictionSession * session, guint timeout_ms);

/* Pops the queued results (pop_inference_results), polling while none are
 * queued. Returns a GPtrArray of JsonNode* result items (section 5 shape;
 * parse with sly_annotation_from_json_node(); video items carry
 * frame_index), in server order; *finished = TRUE at the end (the last
 * results may come together with it; afterwards an empty array). A server
 * exception gives SLY_ERROR_INFERENCE "Inference Error: <type>: <message>",
 * an idle timeout G_IO_ERROR_TIMED_OUT; in both cases the request has
 * been stopped and cleared already. */
void sly_prediction_session_next_async (SlyPredictionSession * session,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
GPtrArray *sly_prediction_session_next_finish (SlyPredictionSession * session,
    GAsyncResult * result, gboolean * finished, GError ** error);
GPtrArray *sly_prediction_session_next (SlyPredictionSession * session,
    gboolean * finished, GCancellable * cancellable, GError ** error);

/* Ends the request: stop_inference first when it has not finished, then
 * get_inference_result (failures ignored) and clear_inference_request.
 * Returns the final result (a JSON null node when there is none); fails
 * only when the clear failed. Not cancellable: always call it. */
void sly_prediction_session_close_async (SlyPredictionSession * session,
    GAsyncReadyCallback callback, gpointer user_data);
JsonNode *sly_prediction_session_close_finish (
    SlyPredictionSession * session, GAsyncResult * result, GError ** error);
JsonNode *sly_prediction_session_close (SlyPredictionSession * session,
    GError ** error);

/* ---- app default settings (protocol.md 3.3) ---- */

/* The YAML document apps return as their defaults, read as the SDK reads
 * it (PyYAML's yaml.safe_load): any nesting of block or flow mappings and
 * sequences; plain scalars typed by the YAML 1.1 rules (booleans
 * yes/no/on/off/true/false in their three case forms, ints with 0x, 0b,
 * leading-0 octal, underscores and base 60, floats like 1.5, .5, 1.0e+3,
 * null as ~, null or nothing), quoted scalars kept as strings; anchors and
 * aliases (copied) and "<<" merge keys. JSON cannot hold what PyYAML makes
 * of .inf, .nan and timestamps: they stay strings with their text; ints
 * past 64 bits become doubles. Mapping keys that are not strings become
 * their JSON text ("1", "null"). An empty document gives {}. Anything else
 * gives SLY_ERROR_PARSE with the line: a top level that is not a mapping,
 * several documents, unknown tags, nesting deeper than
 * SLY_SETTINGS_MAX_DEPTH levels (the top mapping is level 1), aliases that
 * would expand the text many times over. */
#define SLY_SETTINGS_MAX_DEPTH 64
JsonObject *sly_settings_parse_yaml (const gchar * text, GError ** error);
/* The value of get_settings() as an object: copied (ref) when it is one,
 * parsed when it is a YAML string, {} for null. */
JsonObject *sly_settings_to_object (JsonNode * settings, GError ** error);

/* Failures: a non-2xx answer is an error of domain SLY_HTTP_ERROR whose
 * code is the HTTP status and whose message is the server's error text
 * (protocol.md 2.2); transport errors keep their G_IO_ERROR / SOUP domain;
 * a request without an answer within the timeout is G_IO_ERROR_TIMED_OUT;
 * G_IO_ERROR_CANCELLED when @cancellable fired; bad bodies are
 * SLY_ERROR_PARSE. Messages never contain the token or session token.
 *
 * Redirects: uploads of frames (inference, prediction-session uploads)
 * never follow one; other calls follow 301/302/303 (as a GET without
 * body) and 307/308 (the POST again) within the origin of the request, at
 * most 5; a redirect to another origin is an error (SLY_HTTP_ERROR, the
 * 3xx status, naming the redacted Location).
 *
 * Credentials: in URL mode no credentials are sent (the /net/<token> URL
 * is the capability). In task mode x-api-key goes only to the platform
 * address and the API root, and "api_token" is added to JSON bodies. */

G_END_DECLS

#endif /* __SLY_CLIENT_H__ */
