/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-frame inference: multipart uploads to inference_image (one image) and
 * inference_batch (several), protocol.md 3.12.
 */
#include "slyclient-private.h"
#include "slyjson.h"
#include "slyerror.h"

#include <string.h>

/* The server stores batch uploads under their file name and guesses the
 * format from the extension, so both must be right. */
static const gchar *
extension_for (const gchar * content_type)
{
  static const struct
  {
    const gchar *type;
    const gchar *ext;
  } types[] = {
    {"image/jpeg", "jpg"}, {"image/png", "png"}, {"image/bmp", "bmp"},
    {"image/webp", "webp"}, {"image/tiff", "tiff"}, {"video/mp4", "mp4"},
    {"video/webm", "webm"}, {"video/x-matroska", "mkv"},
    {"video/quicktime", "mov"}, {"video/x-msvideo", "avi"},
  };
  guint i;

  for (i = 0; content_type != NULL && i < G_N_ELEMENTS (types); i++)
    if (g_ascii_strcasecmp (content_type, types[i].type) == 0)
      return types[i].ext;
  return NULL;
}

GBytes *
sly_client_build_upload (SlyClient * client, GBytes * const *files,
    guint n_files, const gchar * content_type, JsonNode * state,
    gchar ** out_content_type, GError ** error)
{
  const gchar *ext = extension_for (content_type);
  g_autoptr (SoupMultipart) multipart = NULL;
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autofree gchar *state_text = NULL;
  GBytes *body = NULL;
  guint i;

  if (ext == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "Unsupported upload content type %s", content_type ? content_type :
        "(none)");
    return NULL;
  }
  if (n_files == 0) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "Nothing to upload");
    return NULL;
  }
  multipart = soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);
  for (i = 0; i < n_files; i++) {
    g_autofree gchar *name = g_strdup_printf ("%s_%08u.%s",
        client->upload_prefix,
        (guint) g_atomic_int_add (&client->upload_counter, 1), ext);

    soup_multipart_append_form_file (multipart, "files", name, content_type,
        files[i]);
  }
  state_text = sly_json_to_string (state);
  soup_multipart_append_form_string (multipart, "state", state_text);
  /* older servers read only this field; it holds the state object too */
  soup_multipart_append_form_string (multipart, "settings", state_text);

  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_multipart_to_message (multipart, headers, &body);
  *out_content_type = g_strdup (soup_message_headers_get_one (headers,
          "Content-Type"));
  return body;
}

typedef struct
{
  guint n_images;
  gchar *method;
  gchar *content_type;
  GBytes *body;
} InferData;

static void
infer_data_free (InferData * data)
{
  g_free (data->method);
  g_free (data->content_type);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data);
}

/* inference_image answers one result, inference_batch an array. */
GPtrArray *
sly_client_parse_results (JsonNode * answer, guint n_images, GError ** error)
{
  g_autoptr (GPtrArray) anns =
      g_ptr_array_new_with_free_func ((GDestroyNotify) sly_annotation_unref);
  JsonArray *array = NULL;
  guint n, i;

  if (n_images > 1 && !JSON_NODE_HOLDS_ARRAY (answer)) {
    g_set_error_literal (error, SLY_ERROR, SLY_ERROR_PARSE,
        "inference_batch did not answer a JSON array");
    return NULL;
  }
  if (n_images > 1)
    array = json_node_get_array (answer);
  n = array ? json_array_get_length (array) : 1;
  if (n != n_images) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INFERENCE,
        "The server answered %u results for %u images", n, n_images);
    return NULL;
  }
  for (i = 0; i < n; i++) {
    JsonNode *item = array ? json_array_get_element (array, i) : answer;
    g_autoptr (GError) local = NULL;
    SlyAnnotation *ann = sly_annotation_from_json_node (item, &local);

    if (ann == NULL) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "Result %u of %u: %s", i + 1, n, local->message);
      return NULL;
    }
    g_ptr_array_add (anns, ann);
  }
  return g_steal_pointer (&anns);
}

static void
on_infer_posted (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  InferData *data = g_task_get_task_data (task);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonNode) answer = NULL;
  GError *error = NULL;
  GPtrArray *anns;

  body = sly_client_post_finish (SLY_CLIENT (source), res, &error);
  if (body != NULL)
    answer = sly_client_parse_json (body, data->method, &error);
  anns =
      answer ? sly_client_parse_results (answer, data->n_images, &error) : NULL;
  if (anns == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, anns, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_infer_resolved (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  SlyClient *client = SLY_CLIENT (source);
  InferData *data = g_task_get_task_data (task);
  g_autofree gchar *url = NULL;
  GError *error = NULL;

  if (!sly_client_resolve_finish (client, res, &error)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  url = sly_client_method_url (client, data->method);
  sly_client_post_async (client, url, data->content_type, data->body,
      SLY_REQUEST_NONE, g_task_get_cancellable (task), on_infer_posted, task);
}

void
sly_client_infer_async (SlyClient * client, GBytes * const *images,
    guint n_images, const gchar * content_type,
    const SlyInferenceSettings * settings, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonNode) state = NULL;
  GError *error = NULL;
  GTask *task;
  InferData *data;

  g_return_if_fail (SLY_IS_CLIENT (client));
  g_return_if_fail (images != NULL || n_images == 0);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, sly_client_infer_async);
  data = g_new0 (InferData, 1);
  data->n_images = n_images;
  data->method = g_strdup (n_images == 1 ? "inference_image" :
      "inference_batch");
  g_task_set_task_data (task, data, (GDestroyNotify) infer_data_free);

  state = sly_inference_settings_to_state (settings,
      n_images > 1 ? (gint) n_images : 0);
  data->body = sly_client_build_upload (client, images, n_images,
      content_type, state, &data->content_type, &error);
  if (data->body == NULL) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  sly_client_resolve_async (client, cancellable, on_infer_resolved, task);
}

GPtrArray *
sly_client_infer_finish (SlyClient * client, GAsyncResult * result,
    GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
sly_client_infer_sync (SlyClient * client, GBytes * const *images,
    guint n_images, const gchar * content_type,
    const SlyInferenceSettings * settings, GCancellable * cancellable,
    GError ** error)
{
  GAsyncResult *res = NULL;
  GPtrArray *anns;

  g_return_val_if_fail (SLY_IS_CLIENT (client), NULL);

  sly_client_sync_begin (client);
  sly_client_infer_async (client, images, n_images, content_type, settings,
      cancellable, sly_client_sync_cb, &res);
  sly_client_sync_wait (client, &res);
  anns = sly_client_infer_finish (client, res, error);
  g_object_unref (res);
  return anns;
}
