/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "servertestutil.h"

#include <math.h>
#include <string.h>

void
srv_reply_free (SrvReply * reply)
{
  if (reply == NULL)
    return;
  g_clear_error (&reply->error);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_free (reply);
}

static SoupSession *
session_new (void)
{
  /* no timeout: the tests' own meson timeout bounds a hung server */
  return soup_session_new_with_options ("max-conns-per-host", 16, NULL);
}

static void
reply_parse (SrvReply * reply)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const gchar *data = reply->body ? g_bytes_get_data (reply->body, &len) : NULL;

  if (len > 0 && json_parser_load_from_data (parser, data, len, NULL)
      && json_parser_get_root (parser))
    reply->json = json_node_ref (json_parser_get_root (parser));
}

static SrvReply *
send (SoupMessage * msg)
{
  g_autoptr (SoupSession) session = session_new ();
  SrvReply *reply = g_new0 (SrvReply, 1);
  gint64 start = g_get_monotonic_time ();

  reply->body = soup_session_send_and_read (session, msg, NULL, &reply->error);
  reply->seconds = (g_get_monotonic_time () - start) / 1e6;
  if (reply->error == NULL)
    reply->status = soup_message_get_status (msg);
  reply_parse (reply);
  return reply;
}

static gchar *
url_of (SlyTestServer * server, const gchar * path)
{
  return g_strconcat (sly_test_server_get_url (server), path, NULL);
}

SrvReply *
srv_get (SlyTestServer * server, const gchar * path)
{
  g_autofree gchar *url = url_of (server, path);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);

  return send (msg);
}

SrvReply *
srv_post_json (SlyTestServer * server, const gchar * path,
    const gchar * body, const gchar * api_key)
{
  g_autofree gchar *url = url_of (server, path);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);

  if (body) {
    g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

    soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  }
  if (api_key)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "x-api-key", api_key);
  return send (msg);
}

static SoupMessage *
files_message (SlyTestServer * server, const gchar * path,
    const SrvFile * files, guint n_files, const gchar * state,
    const gchar * settings)
{
  g_autofree gchar *url = url_of (server, path);
  g_autoptr (SoupMultipart) mp = soup_multipart_new ("multipart/form-data");
  guint i;

  for (i = 0; i < n_files; i++)
    soup_multipart_append_form_file (mp, "files", files[i].filename,
        files[i].content_type, files[i].data);
  if (state)
    soup_multipart_append_form_string (mp, "state", state);
  if (settings)
    soup_multipart_append_form_string (mp, "settings", settings);
  return soup_message_new_from_multipart (url, mp);
}

SrvReply *
srv_post_files (SlyTestServer * server, const gchar * path,
    const SrvFile * files, guint n_files, const gchar * state,
    const gchar * settings)
{
  g_autoptr (SoupMessage) msg = files_message (server, path, files, n_files,
      state, settings);

  return send (msg);
}

static SrvFile
image_file (GBytes * image)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (image, &len);
  gboolean jpeg = len > 2 && data[0] == 0xFF && data[1] == 0xD8;
  SrvFile file = {
    jpeg ? "image_0.jpg" : "image_0.png", jpeg ? "image/jpeg" : "image/png",
    image
  };

  return file;
}

SrvReply *
srv_post_image (SlyTestServer * server, const gchar * path, GBytes * image,
    const gchar * state)
{
  SrvFile file = image_file (image);

  return srv_post_files (server, path, &file, 1, state, NULL);
}

typedef struct
{
  guint pending;
  SrvReply *reply;
  SoupMessage *msg;
  gint64 start;
} Concurrent;

static void
concurrent_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Concurrent *c = user_data;

  c->reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source),
      res, &c->reply->error);
  c->reply->seconds = (g_get_monotonic_time () - c->start) / 1e6;
  if (c->reply->error == NULL)
    c->reply->status = soup_message_get_status (c->msg);
  reply_parse (c->reply);
  c->pending = 0;
}

GPtrArray *
srv_post_concurrently (SlyTestServer * server, const gchar * path,
    GBytes * image, guint n)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (SoupSession) session = NULL;
  GPtrArray *replies = g_ptr_array_new_with_free_func ((GDestroyNotify)
      srv_reply_free);
  g_autofree Concurrent *cs = g_new0 (Concurrent, n);
  SrvFile file = image_file (image);
  guint i, done;

  g_main_context_push_thread_default (ctx);
  session = session_new ();
  for (i = 0; i < n; i++) {
    cs[i].reply = g_new0 (SrvReply, 1);
    cs[i].msg = files_message (server, path, &file, 1, NULL, NULL);
    cs[i].start = g_get_monotonic_time ();
    cs[i].pending = 1;
    g_ptr_array_add (replies, cs[i].reply);
    soup_session_send_and_read_async (session, cs[i].msg,
        G_PRIORITY_DEFAULT, NULL, concurrent_done, &cs[i]);
  }
  do {
    g_main_context_iteration (ctx, TRUE);
    for (i = 0, done = 0; i < n; i++)
      done += cs[i].pending == 0;
  } while (done < n);
  for (i = 0; i < n; i++)
    g_object_unref (cs[i].msg);
  g_clear_object (&session);
  g_main_context_pop_thread_default (ctx);
  return replies;
}

JsonObject *
srv_reply_object (SrvReply * reply)
{
  g_assert_no_error (reply->error);
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->json));
  return json_node_get_object (reply->json);
}

JsonArray *
srv_reply_array (SrvReply * reply)
{
  g_assert_no_error (reply->error);
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (reply->json));
  return json_node_get_array (reply->json);
}

void
srv_assert_error (SrvReply * reply, guint status, const gchar * message_part)
{
  JsonObject *obj = srv_reply_object (reply);
  JsonNode *detail;
  const gchar *message;

  g_assert_cmpuint (reply->status, ==, status);
  g_assert_true (json_object_has_member (obj, "detail"));
  g_assert_false (srv_get_bool (obj, "success"));
  message = srv_get_string (obj, "message");
  if (strstr (message, message_part) == NULL)
    g_error ("error message '%s' lacks '%s'", message, message_part);
  detail = json_object_get_member (obj, "detail");
  if (JSON_NODE_HOLDS_VALUE (detail))
    g_assert_cmpstr (json_node_get_string (detail), ==, message);
}

SlyAnnotation *
srv_result_annotation (JsonNode * result)
{
  g_autoptr (GError) error = NULL;
  SlyAnnotation *ann;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
  g_assert_true (json_object_has_member (json_node_get_object (result),
          "annotation"));
  ann = sly_annotation_from_json_node (result, &error);
  g_assert_no_error (error);
  return ann;
}

void
srv_assert_box (SlyObject * obj, const gchar * class_title, gint left,
    gint top, gint right, gint bottom, gint tolerance)
{
  SlyBox box = sly_geometry_get_bbox (obj->geometry);

  g_assert_cmpstr (obj->class_title, ==, class_title);
  if (ABS (box.left - left) > tolerance || ABS (box.top - top) > tolerance
      || ABS (box.right - right) > tolerance
      || ABS (box.bottom - bottom) > tolerance)
    g_error ("box [%d,%d,%d,%d] is not [%d,%d,%d,%d] (tolerance %d)",
        box.left, box.top, box.right, box.bottom, left, top, right, bottom,
        tolerance);
}

gchar *
srv_uuid_body (const gchar * uuid)
{
  return g_strdup_printf ("{\"state\": {\"inference_request_uuid\": \"%s\"},"
      " \"context\": {}}", uuid);
}

gchar *
srv_reply_uuid (SrvReply * reply)
{
  JsonObject *obj = srv_reply_object (reply);
  const gchar *uuid;
  guint i;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (srv_get_string (obj, "message"), ==,
      "Scheduled inference task.");
  uuid = srv_get_string (obj, "inference_request_uuid");
  g_assert_cmpuint (strlen (uuid), ==, 32);
  for (i = 0; i < 32; i++)
    g_assert_true (g_ascii_isxdigit (uuid[i]) && !g_ascii_isupper (uuid[i]));
  return g_strdup (uuid);
}

SlyImage *
srv_image_new (gint width, gint height)
{
  SlyImage *image = sly_image_new (width, height, 3);
  gint y;

  for (y = 0; y < height; y++)
    memset (image->data + (gsize) y * image->stride, 0, (gsize) width * 3);
  return image;
}

static void
put (SlyImage * image, gint x, gint y, guint8 r, guint8 g, guint8 b)
{
  guint8 *p = image->data + (gsize) y * image->stride + x * 3;

  p[0] = r;
  p[1] = g;
  p[2] = b;
}

void
srv_fill_rect (SlyImage * image, gint left, gint top, gint right,
    gint bottom, guint8 r, guint8 g, guint8 b)
{
  gint x, y;

  for (y = top; y <= bottom; y++)
    for (x = left; x <= right; x++)
      put (image, x, y, r, g, b);
}

guint
srv_fill_disc (SlyImage * image, gint cx, gint cy, gint radius, guint8 r,
    guint8 g, guint8 b)
{
  guint n = 0;
  gint x, y;

  for (y = cy - radius; y <= cy + radius; y++)
    for (x = cx - radius; x <= cx + radius; x++)
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius) {
        put (image, x, y, r, g, b);
        n++;
      }
  return n;
}

static SlyImageView
view_of (const SlyImage * image)
{
  SlyImageView view = { SLY_PIXEL_RGB, image->width, image->height,
    {image->data, NULL, NULL}, {image->stride, 0, 0}
  };

  return view;
}

GBytes *
srv_png (const SlyImage * image)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = sly_png_encode_image (image, &error);

  g_assert_no_error (error);
  return bytes;
}

GBytes *
srv_jpeg (const SlyImage * image, gint quality)
{
  g_autoptr (GError) error = NULL;
  SlyImageView view = view_of (image);
  GBytes *bytes = sly_jpeg_encode (&view, quality, &error);

  g_assert_no_error (error);
  return bytes;
}

gdouble
srv_fill_ratio (guint area, gint width, gint height)
{
  return round ((gdouble) area / ((gdouble) width * height) * 10000.0) /
      10000.0;
}

gint64
srv_get_int (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    g_error ("member '%s' is not an integer", name);
  return json_node_get_int (node);
}

const gchar *
srv_get_string (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    g_error ("member '%s' is not a string", name);
  return json_node_get_string (node);
}

gboolean
srv_get_bool (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    g_error ("member '%s' is not a boolean", name);
  return json_node_get_boolean (node);
}

/* Latencies grow under valgrind and AddressSanitizer (the server binary is
 * instrumented too), so timing bounds scale instead of loosening. */
guint
srv_slow_factor (void)
{
  const gchar *v = g_getenv ("SLY_UNDER_VALGRIND");

  if (v && *v)
    return 10;
#ifdef __SANITIZE_ADDRESS__
  return 3;
#else
  return 1;
#endif
}

gchar *
srv_latency_arg (guint ms)
{
  return g_strdup_printf ("%u", ms * srv_slow_factor ());
}
