/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <png.h>
#include <string.h>
#include <zlib.h>

#include "anntestutil.h"

JsonNode *
ann_test_parse (const gchar * text)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

void
ann_test_assert_json_equal (JsonNode * expected, JsonNode * actual)
{
  if (!json_node_equal (expected, actual)) {
    g_autofree gchar *e = json_to_string (expected, TRUE);
    g_autofree gchar *a = json_to_string (actual, TRUE);

    g_test_message ("expected:\n%s\nactual:\n%s", e, a);
    g_test_fail ();
  }
}

gchar *
ann_test_sample_body (const gchar * name)
{
  const gchar *dir = g_getenv ("SLY_TEST_FILES");
  g_autofree gchar *path = NULL;
  g_autofree gchar *text = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *marker, *body;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, "protocol-samples", name, NULL);
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  marker = strstr (text, "\n--- response body");
  g_assert_nonnull (marker);
  body = strchr (marker + 1, '\n');
  g_assert_nonnull (body);
  return g_strdup (body + 1);
}

static void
write_bytes (png_structp png, png_bytep data, png_size_t length)
{
  g_byte_array_append (png_get_io_ptr (png), data, length);
}

static void
flush_nothing (png_structp png)
{
}

static gint
channels_of (gint color_type)
{
  switch (color_type) {
    case PNG_COLOR_TYPE_GRAY:
    case PNG_COLOR_TYPE_PALETTE:
      return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      return 2;
    case PNG_COLOR_TYPE_RGB:
      return 3;
    default:
      return 4;
  }
}

GBytes *
ann_test_png (gint width, gint height, gint color_type, const guint8 * rows,
    const guint8 * palette, gint n_palette, const guint8 * trns, gint n_trns)
{
  return ann_test_png_depth (width, height, color_type, 8, rows, palette,
      n_palette, trns, n_trns);
}

GBytes *
ann_test_png_depth (gint width, gint height, gint color_type,
    gint bit_depth, const guint8 * rows, const guint8 * palette,
    gint n_palette, const guint8 * trns, gint n_trns)
{
  GByteArray *out = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL,
      NULL, NULL);
  png_infop info = png_create_info_struct (png);
  gint stride = width * channels_of (color_type);

  g_assert_false (setjmp (png_jmpbuf (png)));
  png_set_write_fn (png, out, write_bytes, flush_nothing);
  png_set_IHDR (png, info, width, height, bit_depth, color_type,
      PNG_INTERLACE_NONE,
      PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    png_color colors[256];

    for (gint i = 0; i < n_palette; i++) {
      colors[i].red = palette[3 * i];
      colors[i].green = palette[3 * i + 1];
      colors[i].blue = palette[3 * i + 2];
    }
    png_set_PLTE (png, info, colors, n_palette);
    if (trns)
      png_set_tRNS (png, info, trns, n_trns, NULL);
  }
  png_write_info (png, info);
  if (bit_depth < 8)
    png_set_packing (png);
  for (gint i = 0; i < height; i++)
    png_write_row (png, rows + (gsize) i * stride);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (out);
}

gchar *
ann_test_wrap_mask (GBytes * data)
{
  gsize size;
  const guint8 *bytes = g_bytes_get_data (data, &size);
  uLongf zsize = compressBound (size);
  g_autofree guint8 *z = g_malloc (zsize);

  g_assert_cmpint (compress (z, &zsize, bytes, size), ==, Z_OK);
  return g_base64_encode (z, zsize);
}
