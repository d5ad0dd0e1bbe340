/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inference uploads without copies (issue #11): the multipart body holds
 * the callers' image GBytes by reference, each send reads it through a
 * fresh stream, and what arrives is byte for byte what libsoup's
 * SoupMultipart would have written (the format the servers parse).
 * Against the scripted server of clienttestutil (the exact bytes received,
 * retries, a 401 that libsoup answers by restarting the message) and
 * against sly-model-server (an 8 MB PNG decoded and inferred).
 */
#include "slyclient.h"
#include "slyclient-private.h"
#include "slyerror.h"
#include "slyimage.h"
#include "slyjson.h"
#include "clienttestutil.h"
#include "slytestserver.h"

#include <libsoup/soup.h>
#include <malloc.h>
#include <string.h>

#define BIG_SIZE (8 * 1024 * 1024)

/* ---- images of known bytes whose release the test sees ---- */

typedef struct
{
  gboolean freed;
} Watch;

static void
on_image_freed (gpointer data)
{
  Watch *watch = data;

  watch->freed = TRUE;
}

/* @size bytes i % 251 (no 32-digit hex run, so never a boundary) */
static guint8 *
known_bytes (gsize size)
{
  guint8 *data = g_malloc (size);
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = (guint8) (i % 251);
  return data;
}

/* @size known bytes, freed (and @watch->freed set) when the last
 * reference goes */
typedef struct
{
  guint8 *data;
  Watch *watch;
} Owned;

static void
owned_free (Owned * owned)
{
  g_free (owned->data);
  on_image_freed (owned->watch);
  g_free (owned);
}

static GBytes *
tracked_image (gsize size, Watch * watch)
{
  Owned *owned = g_new0 (Owned, 1);

  owned->data = known_bytes (size);
  owned->watch = watch;
  watch->freed = FALSE;
  return g_bytes_new_with_free_func (owned->data, size,
      (GDestroyNotify) owned_free, owned);
}

/* ---- what the heap holds (glibc) ---- */

static gsize
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

/* Whether mallinfo2() sees an allocation here (not under valgrind or a
 * sanitizer, which bring their own allocators). */
static gboolean
heap_is_measurable (void)
{
  gsize before = heap_in_use ();
  guint8 *probe = g_malloc (BIG_SIZE);
  gboolean seen;

  memset (probe, 1, BIG_SIZE);
  seen = heap_in_use () >= before + BIG_SIZE;
  g_free (probe);
  if (!seen)
    g_test_message ("mallinfo2() does not see this process's allocations: "
        "allocation bound not checked");
  return seen;
}

/* ---- reading a body back ---- */

static GBytes *
read_stream (GInputStream * stream, gsize expected)
{
  g_autoptr (GError) error = NULL;
  guint8 *data = g_malloc (expected + 1);
  gsize n = 0;

  g_assert_true (g_input_stream_read_all (stream, data, expected + 1, &n,
          NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, expected);
  return g_bytes_new_take (data, n);
}

/* The text after "boundary=" */
static const gchar *
boundary_of (const gchar * content_type)
{
  const gchar *b = strstr (content_type, "boundary=");

  g_assert_nonnull (b);
  return b + strlen ("boundary=");
}

/* @data with every @from replaced by @to */
static GBytes *
replace_all (GBytes * data, const gchar * from, const gchar * to)
{
  gsize size, from_len = strlen (from);
  const guint8 *p = g_bytes_get_data (data, &size);
  const guint8 *end = p + size;
  GByteArray *out = g_byte_array_new ();

  while (p < end) {
    const guint8 *hit = memmem (p, end - p, from, from_len);

    if (hit == NULL) {
      g_byte_array_append (out, p, end - p);
      break;
    }
    g_byte_array_append (out, p, hit - p);
    g_byte_array_append (out, (const guint8 *) to, strlen (to));
    p = hit + from_len;
  }
  return g_byte_array_free_to_bytes (out);
}

typedef struct
{
  gchar *name;
  gchar *filename;              /* NULL for text parts */
  gchar *content_type;          /* NULL for text parts */
  GBytes *data;
} Part;

static void
part_free (Part * part)
{
  g_free (part->name);
  g_free (part->filename);
  g_free (part->content_type);
  g_bytes_unref (part->data);
  g_free (part);
}

/* The parts of a multipart body, read by libsoup's parser (the one
 * sly-model-server uses). */
static GPtrArray *
parse_parts (const gchar * content_type, GBytes * body)
{
  g_autoptr (SoupMessageHeaders) headers =
      soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr (SoupMultipart) mp = NULL;
  GPtrArray *parts = g_ptr_array_new_with_free_func ((GDestroyNotify)
      part_free);
  gint i;

  soup_message_headers_replace (headers, "Content-Type", content_type);
  mp = soup_multipart_new_from_message (headers, body);
  g_assert_nonnull (mp);
  for (i = 0; i < soup_multipart_get_length (mp); i++) {
    SoupMessageHeaders *ph;
    GBytes *data;
    g_autoptr (GHashTable) params = NULL;
    Part *part = g_new0 (Part, 1);

    g_assert_true (soup_multipart_get_part (mp, i, &ph, &data));
    g_assert_true (soup_message_headers_get_content_disposition (ph, NULL,
            &params));
    part->name = g_strdup (g_hash_table_lookup (params, "name"));
    part->filename = g_strdup (g_hash_table_lookup (params, "filename"));
    part->content_type = g_strdup (soup_message_headers_get_content_type (ph,
            NULL));
    part->data = g_bytes_ref (data);
    g_ptr_array_add (parts, part);
  }
  return parts;
}

/* The body SoupMultipart writes for the same parts, with @boundary in
 * place of its own: the old client's bytes. */
static GBytes *
soup_multipart_body (GPtrArray * parts, const gchar * boundary)
{
  g_autoptr (SoupMultipart) mp =
      soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);
  g_autoptr (SoupMessageHeaders) headers =
      soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr (GBytes) body = NULL;
  guint i;

  for (i = 0; i < parts->len; i++) {
    Part *part = parts->pdata[i];

    if (part->filename != NULL)
      soup_multipart_append_form_file (mp, part->name, part->filename,
          part->content_type, part->data);
    else {
      g_autofree gchar *text = g_strndup (g_bytes_get_data (part->data, NULL),
          g_bytes_get_size (part->data));

      soup_multipart_append_form_string (mp, part->name, text);
    }
  }
  soup_multipart_to_message (mp, headers, &body);
  return replace_all (body, boundary_of (soup_message_headers_get_one (headers,
              "Content-Type")), boundary);
}

/* The state text an upload without settings carries */
static gchar *
default_state_text (void)
{
  g_autoptr (JsonNode) state = sly_inference_settings_to_state (NULL, 0);

  return sly_json_to_string (state);
}

/* @received is one upload of @files (as image/jpeg) and @state_text, in
 * exactly the bytes SoupMultipart would have sent. */
static void
assert_upload (const gchar * content_type, GBytes * received,
    GBytes * const *files, guint n_files, const gchar * state_text)
{
  g_autoptr (GPtrArray) parts = parse_parts (content_type, received);
  g_autoptr (GBytes) expected = NULL;
  guint i;

  g_assert_true (g_str_has_prefix (content_type,
          "multipart/form-data; boundary="));
  g_assert_cmpuint (strlen (boundary_of (content_type)), <=, 70);
  g_assert_cmpuint (parts->len, ==, n_files + 2);
  for (i = 0; i < n_files; i++) {
    Part *part = parts->pdata[i];

    g_assert_cmpstr (part->name, ==, "files");
    g_assert_true (g_str_has_suffix (part->filename, ".jpg"));
    g_assert_cmpstr (part->content_type, ==, "image/jpeg");
    g_assert_true (g_bytes_equal (part->data, files[i]));
  }
  for (i = n_files; i < n_files + 2; i++) {
    Part *part = parts->pdata[i];

    g_assert_cmpstr (part->name, ==, i == n_files ? "state" : "settings");
    g_assert_null (part->filename);
    g_assert_cmpmem (g_bytes_get_data (part->data, NULL),
        g_bytes_get_size (part->data), state_text, strlen (state_text));
  }
  expected = soup_multipart_body (parts, boundary_of (content_type));
  g_assert_true (g_bytes_equal (received, expected));
}

/* ---- the body itself ---- */

/* The body references the callers' GBytes (the same memory, not a copy of
 * it), every other chunk is small framing, a stream reads the exact bytes
 * SoupMultipart wrote, and a second stream reads them again. */
static void
test_body_references_files (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyClient) client = sly_client_new_for_url ("http://127.0.0.1:9",
      &error);
  g_autoptr (JsonNode) state = json_from_string ("{\"settings\": {\"conf\": "
      "0.5}, \"batch_size\": 2}", NULL);
  g_autofree gchar *state_text = sly_json_to_string (state);
  g_autoptr (SlyClientBody) body = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GInputStream) again = NULL;
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) second = NULL;
  Watch watches[2];
  GBytes *files[2];
  gboolean measurable = heap_is_measurable ();
  gsize heap_before, framing = 0, total = 0;
  guint i, j;

  g_assert_no_error (error);
  files[0] = tracked_image (BIG_SIZE, &watches[0]);
  files[1] = tracked_image (1000, &watches[1]);

  heap_before = heap_in_use ();
  body = sly_client_build_upload_body (client, files, 2, "image/jpeg", state,
      &error);
  g_assert_no_error (error);
  /* building it took framing only, not a copy of the 8 MB */
  if (measurable)
    g_assert_cmpuint (heap_in_use (), <, heap_before + 256 * 1024);

  for (i = 0; i < body->chunks->len; i++) {
    GBytes *chunk = body->chunks->pdata[i];
    gboolean is_file = FALSE;

    total += g_bytes_get_size (chunk);
    for (j = 0; j < 2; j++)
      is_file |= g_bytes_get_data (chunk, NULL) == g_bytes_get_data (files[j],
          NULL) && g_bytes_get_size (chunk) == g_bytes_get_size (files[j]);
    if (!is_file)
      framing += g_bytes_get_size (chunk);
  }
  /* each file is one chunk, by pointer: the same memory */
  for (j = 0; j < 2; j++) {
    gboolean found = FALSE;

    for (i = 0; i < body->chunks->len; i++)
      found |= g_bytes_get_data (body->chunks->pdata[i], NULL) ==
          g_bytes_get_data (files[j], NULL);
    g_assert_true (found);
  }
  g_assert_cmpuint (total, ==, body->length);
  g_assert_cmpuint (framing, ==, body->length - BIG_SIZE - 1000);
  g_assert_cmpuint (framing, <, 1024);

  stream = sly_client_body_new_stream (body);
  first = read_stream (stream, body->length);
  assert_upload (body->content_type, first, files, 2, state_text);
  /* a retry reads the same bytes again */
  again = sly_client_body_new_stream (body);
  second = read_stream (again, body->length);
  g_assert_true (g_bytes_equal (first, second));

  /* the body keeps the files alive, and lets them go with it */
  g_bytes_unref (files[0]);
  g_bytes_unref (files[1]);
  g_assert_false (watches[0].freed);
  g_clear_object (&stream);
  g_clear_object (&again);
  g_clear_pointer (&body, sly_client_body_unref);
  g_assert_true (watches[0].freed);
  g_assert_true (watches[1].freed);
}

/* Two uploads never share a boundary, and names stay unique. */
static void
test_body_boundaries (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyClient) client = sly_client_new_for_url ("http://127.0.0.1:9",
      &error);
  g_autoptr (JsonNode) state = json_from_string ("{}", NULL);
  g_autoptr (GBytes) image = g_bytes_new_static ("x", 1);
  g_autoptr (SlyClientBody) a = NULL;
  g_autoptr (SlyClientBody) b = NULL;

  a = sly_client_build_upload_body (client, &image, 1, "image/png", state,
      &error);
  g_assert_no_error (error);
  b = sly_client_build_upload_body (client, &image, 1, "image/png", state,
      &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->content_type, !=, b->content_type);
  g_assert_null (sly_client_build_upload_body (client, &image, 1,
          "text/plain", state, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (sly_client_build_upload_body (client, NULL, 0, "image/png",
          state, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
}

/* ---- through the client to the scripted server ---- */

typedef struct
{
  MockServer *server;
  SlyClient *client;
  GMainContext *context;
} Fixture;

static void
fixture_setup (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *url = NULL;

  f->server = mock_server_new ();
  url = data ? g_strdup_printf ("http://%s@%s", (const gchar *) data,
      mock_server_get_url (f->server) + strlen ("http://")) :
      g_strdup (mock_server_get_url (f->server));
  f->client = sly_client_new_for_url (url, &error);
  g_assert_no_error (error);
  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
  mock_server_add_sample (f->server, "/inference_image", "inference_image");
}

static void
fixture_teardown (Fixture * f, gconstpointer data)
{
  g_main_context_pop_thread_default (f->context);
  g_assert_finalize_object (f->client);
  mock_server_free (f->server);
  g_main_context_unref (f->context);
}

static void
on_done (GObject * source, GAsyncResult * res, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (res);
}

/* Iterates until @watch->freed, for at most 10 s. */
static void
wait_freed (GMainContext * context, Watch * watch)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!watch->freed && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (context, FALSE))
      g_usleep (1000);
  g_assert_true (watch->freed);
}

/* An 8 MB image through sly_client_infer_async(): starting the call
 * allocates no copy of it, the request in flight holds the caller's
 * GBytes (the caller has dropped its reference), the server receives it
 * byte for byte in SoupMultipart's format, on every attempt of a retried
 * call, and the client lets it go once the call is over. */
static void
test_large_image_retried (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  g_autoptr (GPtrArray) reqs = NULL;
  g_autoptr (GBytes) copy = NULL;
  g_autofree gchar *state_text = default_state_text ();
  GAsyncResult *res = NULL;
  Watch watch;
  GBytes *image = tracked_image (BIG_SIZE, &watch);
  gboolean measurable = heap_is_measurable ();
  gsize heap_before;
  guint i;

  copy = g_bytes_new (g_bytes_get_data (image, NULL), BIG_SIZE);
  mock_server_fail_first (f->server, "/inference_image", 2, 503);
  sly_client_set_retries (f->client, 3, 1);

  heap_before = heap_in_use ();
  sly_client_infer_async (f->client, &image, 1, "image/jpeg", NULL, 0, NULL,
      on_done, &res);
  if (measurable)
    g_assert_cmpuint (heap_in_use (), <, heap_before + 1024 * 1024);
  g_bytes_unref (image);
  /* the request references the caller's memory */
  g_assert_false (watch.freed);

  while (res == NULL)
    g_main_context_iteration (f->context, TRUE);
  anns = sly_client_infer_finish (f->client, res, &error);
  g_object_unref (res);
  g_assert_no_error (error);
  g_assert_cmpuint (anns->len, ==, 1);
  wait_freed (f->context, &watch);

  reqs = mock_server_get_requests (f->server, "/inference_image");
  g_assert_cmpuint (reqs->len, ==, 3);
  for (i = 0; i < reqs->len; i++) {
    MockRequest *req = reqs->pdata[i];

    assert_upload (req->content_type, req->body, &copy, 1, state_text);
  }
}

/* A 401 that libsoup answers itself (credentials in the URL) restarts the
 * message, which drops its body stream: the restarted request carries the
 * whole body again. */
static void
test_basic_auth_restart (Fixture * f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  g_autoptr (GPtrArray) reqs = NULL;
  g_autoptr (GBytes) copy = NULL;
  g_autofree gchar *state_text = default_state_text ();
  Watch watch;
  GBytes *image = tracked_image (256 * 1024, &watch);

  copy = g_bytes_new (g_bytes_get_data (image, NULL), g_bytes_get_size (image));
  mock_server_require_basic_auth (f->server, "user", "pass");
  anns = sly_client_infer_sync (f->client, &image, 1, "image/jpeg", NULL,
      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (anns->len, ==, 1);
  g_bytes_unref (image);

  reqs = mock_server_get_requests (f->server, "/inference_image");
  g_assert_cmpuint (reqs->len, ==, 1);
  assert_upload (((MockRequest *) reqs->pdata[0])->content_type,
      ((MockRequest *) reqs->pdata[0])->body, &copy, 1, state_text);
}

/* ---- through the client to sly-model-server ---- */

/* An 8 MB PNG (dark noise, which does not compress, with one bright
 * square): the server decodes it (libpng checks every chunk's CRC and
 * zlib's checksum, so a changed byte fails) and finds the square. */
static void
test_server_large_png (void)
{
  const gint size = 1800;
  SlyBox square = { 700, 500, 899, 649 };
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyClient) client = NULL;
  g_autoptr (GPtrArray) anns = NULL;
  g_autoptr (JsonNode) seen = NULL;
  g_autoptr (SlyImage) image = sly_image_new (size, size, 3);
  g_autoptr (GBytes) png = NULL;
  SlyTestServer *server;
  SlyAnnotation *ann;
  SlyBox box;
  JsonArray *images;
  JsonObject *last;
  guint32 state = 12345;
  gint x, y;

  for (y = 0; y < size; y++) {
    guint8 *row = image->data + (gsize) y * image->stride;

    for (x = 0; x < size * 3; x++) {
      /* xorshift32: 0..90, never bright */
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      row[x] = (guint8) (state % 91);
    }
  }
  for (y = square.top; y <= square.bottom; y++)
    memset (image->data + (gsize) y * image->stride + square.left * 3, 255,
        (square.right - square.left + 1) * 3);
  png = sly_png_encode_image (image, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (png), >, 7 * 1024 * 1024);
  g_test_message ("PNG of %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (png));

  server = sly_test_server_startv (NULL);
  client = sly_client_new_for_url (sly_test_server_get_url (server), &error);
  g_assert_no_error (error);
  anns = sly_client_infer_sync (client, &png, 1, "image/png", NULL, NULL,
      &error);
  g_assert_no_error (error);
  ann = anns->pdata[0];
  g_assert_cmpint (ann->width, ==, size);
  g_assert_cmpint (ann->height, ==, size);
  g_assert_cmpuint (ann->objects->len, ==, 1);
  box =
      sly_geometry_get_bbox (((SlyObject *) ann->objects->pdata[0])->geometry);
  g_assert_cmpint (box.left, ==, square.left);
  g_assert_cmpint (box.top, ==, square.top);
  g_assert_cmpint (box.right, ==, square.right);
  g_assert_cmpint (box.bottom, ==, square.bottom);

  seen = sly_client_call_sync (client, "debug_inferred_images", NULL, NULL,
      &error);
  g_assert_no_error (error);
  images = json_object_get_array_member (json_node_get_object (seen), "images");
  last = json_array_get_object_element (images,
      json_array_get_length (images) - 1);
  g_assert_cmpint (json_object_get_int_member (last, "width"), ==, size);
  g_assert_cmpint (json_object_get_int_member (last, "height"), ==, size);

  g_clear_pointer (&anns, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&client));
  sly_test_server_stop (server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Inference uploads reference the images, never copy them");

  g_test_add_func ("/client/upload/body/references-files",
      test_body_references_files);
  g_test_add_func ("/client/upload/body/boundaries", test_body_boundaries);
  g_test_add ("/client/upload/mock/large-image-retried", Fixture, NULL,
      fixture_setup, test_large_image_retried, fixture_teardown);
  g_test_add ("/client/upload/mock/basic-auth-restart", Fixture,
      "user:pass", fixture_setup, test_basic_auth_restart, fixture_teardown);
  g_test_add_func ("/client/upload/server/large-png", test_server_large_png);
  return g_test_run ();
}
