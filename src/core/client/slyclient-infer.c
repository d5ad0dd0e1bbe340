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

/* Appends a form-data part header: the boundary line (after the CRLF
 * that ends the previous part, if any), Content-Disposition with the
 * quoted name (and file name) and, for files, Content-Type, then the blank
 * line. Byte for byte what SoupMultipart writes
 * (soup_multipart_to_message), which the servers parse. */
static void
append_part_header (GString * out, const gchar * boundary, gboolean first,
    const gchar * name, const gchar * filename, const gchar * content_type)
{
  g_string_append_printf (out, "%s--%s\r\n"
      "Content-Disposition: form-data; name=\"%s\"", first ? "" : "\r\n",
      boundary, name);
  if (filename != NULL)
    g_string_append_printf (out, "; filename=\"%s\"", filename);
  g_string_append (out, "\r\n");
  if (content_type != NULL)
    g_string_append_printf (out, "Content-Type: %s\r\n", content_type);
  g_string_append (out, "\r\n");
}

/* The framing in @out becomes a chunk of @body; @out is emptied. */
static void
append_framing (SlyClientBody * body, GString * out)
{
  g_autoptr (GBytes) chunk = g_bytes_new (out->str, out->len);

  sly_client_body_append (body, chunk);
  g_string_truncate (out, 0);
}

SlyClientBody *
sly_client_build_upload_body (SlyClient * client, GBytes * const *files,
    guint n_files, const gchar * content_type, JsonNode * state,
    GError ** error)
{
  const gchar *ext = extension_for (content_type);
  g_autofree gchar *state_text = NULL;
  g_autofree gchar *header = NULL;
  g_autoptr (GString) out = NULL;
  gchar boundary[33];
  SlyClientBody *body;
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
  /* 128 random bits as hex: never in a frame by chance (SoupMultipart's
   * was 64 bits), and no quoting needed in the header */
  for (i = 0; i < 4; i++)
    g_snprintf (boundary + 8 * i, 9, "%08x", g_random_int ());
  header = g_strdup_printf ("%s; boundary=%s", SOUP_FORM_MIME_TYPE_MULTIPART,
      boundary);
  body = sly_client_body_new (header);
  out = g_string_sized_new (256);
  for (i = 0; i < n_files; i++) {
    /* the prefix is hex, the extension ours: nothing to escape */
    g_autofree gchar *name = g_strdup_printf ("%s_%08u.%s",
        client->upload_prefix,
        (guint) g_atomic_int_add (&client->upload_counter, 1), ext);

    append_part_header (out, boundary, i == 0, "files", name, content_type);
    append_framing (body, out);
    /* the caller's bytes themselves */
    sly_client_body_append (body, files[i]);
  }
  state_text = sly_json_to_string (state);
  append_part_header (out, boundary, FALSE, "state", NULL, NULL);
  g_string_append (out, state_text);
  /* older servers read only this field; it holds the state object too */
  append_part_header (out, boundary, FALSE, "settings", NULL, NULL);
  g_string_append (out, state_text);
  g_string_append_printf (out, "\r\n--%s--\r\n", boundary);
  append_framing (body, out);
  return body;
}

GBytes *
sly_client_build_upload (SlyClient * client, GBytes * const *files,
    guint n_files, const gchar * content_type, JsonNode * state,
    gchar ** out_content_type, GError ** error)
{
  g_autoptr (SlyClientBody) body = sly_client_build_upload_body (client,
      files, n_files, content_type, state, error);

  if (body == NULL)
    return NULL;
  *out_content_type = g_strdup (body->content_type);
  return sly_client_body_flatten (body);
}

typedef struct
{
  guint n_images;
  guint max_objects;
  gint64 retry_deadline_us;
  gchar *method;
  SlyClientBody *body;
} InferData;

static void
infer_data_free (InferData * data)
{
  g_free (data->method);
  g_clear_pointer (&data->body, sly_client_body_unref);
  g_free (data);
}

/* ---- the object cap, applied to the answer's text ----
 * json-glib's tree of an answer takes about 20 times its size, so objects
 * beyond the cap are cut from the text before it is parsed: every element
 * of an array under an "objects" key from index max_objects on becomes
 * null (the array keeps its length, so customBigData's track ids still
 * match). The annotation parser then reads only the first max_objects
 * elements and counts the rest. The scan follows JSON syntax only as far
 * as needed; whatever it does not understand is left to the parser. */

typedef struct
{
  gboolean is_array;
  gboolean prune;               /* an array under an "objects" key */
  gboolean want_element;        /* array: an element may start next */
  guint index;                  /* array: elements started so far */
  gboolean expect_key;          /* object: the next string is a key */
  gboolean key_is_objects;      /* object: the value is that of "objects" */
} PruneFrame;

/* Whether a key (raw, between its quotes) is "objects", escapes read. */
static gboolean
key_is_objects (const gchar * raw, gsize len)
{
  g_autofree gchar *quoted = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (len == strlen ("objects") && memcmp (raw, "objects", len) == 0)
    return TRUE;
  /* "\u006fbjects"...: at most 6 bytes a character */
  if (memchr (raw, '\\', len) == NULL || len > 6 * strlen ("objects"))
    return FALSE;
  quoted = g_strdup_printf ("\"%.*s\"", (int) len, raw);
  node = json_from_string (quoted, NULL);
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING
      && g_strcmp0 (json_node_get_string (node), "objects") == 0;
}

/* The end of the string whose opening quote is at @i: the index of its
 * closing quote, or @len. */
static gsize
string_end (const gchar * text, gsize len, gsize i)
{
  for (i++; i < len && text[i] != '"'; i++)
    if (text[i] == '\\')
      i++;
  return MIN (i, len);
}

/* The end of the value starting at @i: the index of the ',' or closing
 * bracket after it, at its level, or @len. */
static gsize
value_end (const gchar * text, gsize len, gsize i)
{
  gsize depth = 0;

  for (; i < len; i++) {
    switch (text[i]) {
      case '"':
        i = string_end (text, len, i);
        break;
      case '[':
      case '{':
        depth++;
        break;
      case ']':
      case '}':
        if (depth == 0)
          return i;
        depth--;
        break;
      case ',':
        if (depth == 0)
          return i;
        break;
      default:
        break;
    }
  }
  return len;
}

gchar *
sly_client_prune_objects (const gchar * text, gsize len, guint max_objects,
    gsize * out_len, guint * n_pruned)
{
  PruneFrame stack[SLY_JSON_MAX_DEPTH + 1];
  guint depth = 0;
  GString *out = NULL;
  gsize copied = 0, i = 0;

  *n_pruned = 0;
  if (max_objects == 0)
    return NULL;
  while (i < len) {
    gchar c = text[i];
    PruneFrame *top = depth > 0 ? &stack[depth - 1] : NULL;

    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      i++;
      continue;
    }
    if (top != NULL && top->is_array && top->want_element) {
      top->want_element = FALSE;
      if (c != ']' && top->prune && top->index >= max_objects) {
        gsize end = value_end (text, len, i);

        if (out == NULL)
          out = g_string_sized_new (len);
        g_string_append_len (out, text + copied, i - copied);
        g_string_append (out, "null");
        copied = i = end;
        top->index++;
        (*n_pruned)++;
        continue;
      }
      if (c != ']')
        top->index++;
    }
    switch (c) {
      case '"':{
        gsize end = string_end (text, len, i);

        if (end >= len)
          goto done;            /* unterminated: the parser says so */
        if (top != NULL && !top->is_array && top->expect_key) {
          top->key_is_objects = key_is_objects (text + i + 1, end - i - 1);
          top->expect_key = FALSE;
        }
        i = end + 1;
        continue;
      }
      case '{':
      case '[':
        if (depth == G_N_ELEMENTS (stack))
          goto done;            /* too deep: the parser refuses it */
        memset (&stack[depth], 0, sizeof (PruneFrame));
        stack[depth].is_array = stack[depth].want_element = c == '[';
        stack[depth].expect_key = c == '{';
        stack[depth].prune = c == '[' && top != NULL && !top->is_array
            && top->key_is_objects;
        depth++;
        break;
      case '}':
      case ']':
        if (depth > 0)
          depth--;
        break;
      case ',':
        if (top != NULL && top->is_array)
          top->want_element = TRUE;
        else if (top != NULL) {
          top->expect_key = TRUE;
          top->key_is_objects = FALSE;
        }
        break;
      default:
        break;
    }
    i++;
  }
done:
  if (out == NULL)
    return NULL;
  g_string_append_len (out, text + copied, len - copied);
  *out_len = out->len;
  return g_string_free (out, FALSE);
}

JsonNode *
sly_client_parse_answer (GBytes * body, const gchar * what,
    guint max_objects, GError ** error)
{
  gsize size, pruned_len = 0;
  const gchar *text = g_bytes_get_data (body, &size);
  g_autofree gchar *pruned = NULL;
  g_autoptr (GBytes) smaller = NULL;
  guint n_pruned;

  pruned = sly_client_prune_objects (text, size, max_objects, &pruned_len,
      &n_pruned);
  if (pruned == NULL)
    return sly_client_parse_json (body, what, error);
  g_debug ("%s: %u objects beyond the cap of %u dropped unread", what,
      n_pruned, max_objects);
  smaller = g_bytes_new_take (g_steal_pointer (&pruned), pruned_len);
  return sly_client_parse_json (smaller, what, error);
}

/* One result, capped. A legacy result may carry its annotation as a JSON
 * string: that text is pruned the same way before it is parsed. */
static SlyAnnotation *
result_capped (JsonNode * item, guint max_objects, GError ** error)
{
  JsonObject *obj;
  JsonNode *inner = NULL;
  const gchar *text;
  g_autofree gchar *pruned = NULL;
  g_autoptr (JsonNode) substitute = NULL;
  gsize pruned_len = 0;
  guint n_pruned;

  if (max_objects == 0 || !JSON_NODE_HOLDS_OBJECT (item))
    return sly_annotation_from_json_node_capped (item, max_objects, error);
  obj = json_node_get_object (item);
  inner = json_object_get_member (obj, "annotation_json");
  if (inner == NULL)
    inner = json_object_get_member (obj, "annotation");
  if (inner == NULL || !JSON_NODE_HOLDS_VALUE (inner)
      || json_node_get_value_type (inner) != G_TYPE_STRING)
    return sly_annotation_from_json_node_capped (item, max_objects, error);
  text = json_node_get_string (inner);
  pruned = sly_client_prune_objects (text, strlen (text), max_objects,
      &pruned_len, &n_pruned);
  if (pruned == NULL)
    return sly_annotation_from_json_node_capped (item, max_objects, error);
  /* {"annotation": "<the pruned text>"} reads as the item would */
  obj = json_object_new ();
  json_object_set_string_member (obj, "annotation", pruned);
  substitute = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);
  return sly_annotation_from_json_node_capped (substitute, max_objects, error);
}

/* inference_image answers one result, inference_batch an array. */
GPtrArray *
sly_client_parse_results (JsonNode * answer, guint n_images,
    guint max_objects, GError ** error)
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
    SlyAnnotation *ann = result_capped (item, max_objects, &local);

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
    answer = sly_client_parse_answer (body, data->method, data->max_objects,
        &error);
  g_clear_pointer (&body, g_bytes_unref);
  anns = answer ? sly_client_parse_results (answer, data->n_images,
      data->max_objects, &error) : NULL;
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
  /* the prediction must come from where the frames went */
  sly_client_post_body_async (client, url, data->body,
      SLY_REQUEST_NO_REDIRECT, data->retry_deadline_us,
      g_task_get_cancellable (task), on_infer_posted, task);
}

void
sly_client_infer_async (SlyClient * client, GBytes * const *images,
    guint n_images, const gchar * content_type,
    const SlyInferenceSettings * settings, gint64 retry_deadline_us,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
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
  data->max_objects = client->max_objects;
  data->retry_deadline_us = retry_deadline_us;
  data->method = g_strdup (n_images == 1 ? "inference_image" :
      "inference_batch");
  g_task_set_task_data (task, data, (GDestroyNotify) infer_data_free);

  state = sly_inference_settings_to_state (settings,
      n_images > 1 ? (gint) n_images : 0);
  data->body = sly_client_build_upload_body (client, images, n_images,
      content_type, state, &error);
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
      0, cancellable, sly_client_sync_cb, &res);
  sly_client_sync_wait (client, &res);
  anns = sly_client_infer_finish (client, res, error);
  g_object_unref (res);
  return anns;
}
