/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SlyClient: everything the SDK's ModelAPI offers (protocol.md 1.2), over
 * libsoup 3 + json-glib.
 *
 * Threading: a SlyClient is used from one thread at a time. Its async calls
 * run on the thread-default GMainContext of the thread that *calls* them
 * (ordinary GIO/GTask rules), so an element drives it from its own I/O thread.
 * The _sync wrappers run a private GMainContext and may be called from any
 * thread that is not currently running an async call on the same client.
 *
 * Secrets: the API token and the /net/<session token> part of URLs never
 * appear in log output or error messages.
 */
#ifndef __SLY_CLIENT_H__
#define __SLY_CLIENT_H__

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "slyannotation.h"
#include "slyprojectmeta.h"

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

/* Per-request timeout in milliseconds (0 = none). Default 60000. */
void sly_client_set_timeout (SlyClient * client, guint timeout_ms);
/* Attempts for retryable failures (connection errors, timeouts, 408, 429,
 * 5xx as protocol.md 1.3) with exponential backoff starting at
 * @retry_delay_ms. Default: 1 attempt (no retry). */
void sly_client_set_retries (SlyClient * client, guint attempts,
    guint retry_delay_ms);

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

/* ---- typed wrappers (sync; each has an _async/_finish pair too) ---- */

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

/* deploy_from_api with a pretrained model name; device/runtime nullable. */
void sly_client_load_async (SlyClient * client, const gchar * model,
    const gchar * device, const gchar * runtime, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
gboolean sly_client_load_finish (SlyClient * client, GAsyncResult * result,
    GError ** error);
gboolean sly_client_load (SlyClient * client, const gchar * model,
    const gchar * device, const gchar * runtime, GCancellable * cancellable,
    GError ** error);

/* ---- per-frame inference (protocol.md 3.12) ----
 * One image goes to inference_image, several to inference_batch (with
 * state.batch_size = n). @content_type is "image/jpeg" or "image/png"; the
 * client gives every upload a unique file name with the right extension.
 * Result: GPtrArray of SlyAnnotation*, one per image, in order; fewer
 * results than images is an error. */
void sly_client_infer_async (SlyClient * client, GBytes * const *images,
    guint n_images, const gchar * content_type,
    const SlyInferenceSettings * settings, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *sly_client_infer_finish (SlyClient * client, GAsyncResult * result,
    GError ** error);
GPtrArray *sly_client_infer_sync (SlyClient * client, GBytes * const *images,
    guint n_images, const gchar * content_type,
    const SlyInferenceSettings * settings, GCancellable * cancellable,
    GError ** error);

/* Failures: a non-2xx answer is an error of domain SLY_HTTP_ERROR whose
 * code is the HTTP status and whose message is the server's error text
 * (protocol.md 2.2); transport errors keep their G_IO_ERROR / SOUP domain;
 * G_IO_ERROR_CANCELLED when @cancellable fired; bad bodies are
 * SLY_ERROR_PARSE. */

G_END_DECLS

#endif /* __SLY_CLIENT_H__ */
