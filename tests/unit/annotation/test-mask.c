/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bitmap and alpha masks (protocol.md 6.5): the documented example, the
 * SDK's palette+tRNS form and the other PNG layouts (all written with
 * libpng here), the uncompressed fallback, size guards, encoding and
 * nearest-neighbour scaling.
 */
#include <png.h>
#include <string.h>

#include "anntestutil.h"
#include "slyannotation.h"
#include "slyerror.h"

/* rows 1 1 0 / 1 1 1 / 0 1 1 */
static const guint8 example_inside[9] = { 1, 1, 0, 1, 1, 1, 0, 1, 1 };

static const gchar *example_b64 =
    "eJzrDPBz5+WS4mJgYOD19HAJAtLMIMwBJBiKnV8lAykBTxfHkIo5yT/+z298aN/CwKD5iO1X"
    "7OUtbSA1nq5+LuucEpoAPpATug==";

static void
assert_mask (const SlyMask * mask, gint ox, gint oy, gint w, gint h,
    const guint8 * inside)
{
  g_assert_nonnull (mask);
  g_assert_cmpint (mask->origin_x, ==, ox);
  g_assert_cmpint (mask->origin_y, ==, oy);
  g_assert_cmpint (mask->width, ==, w);
  g_assert_cmpint (mask->height, ==, h);
  for (gint i = 0; i < w * h; i++)
    g_assert_cmpint (mask->data[i], ==, inside[i] ? 255 : 0);
}

static SlyMask *
decode_ok (const gchar * b64, gint ox, gint oy)
{
  g_autoptr (GError) error = NULL;
  SlyMask *mask = sly_mask_decode (b64, ox, oy, &error);

  g_assert_no_error (error);
  return mask;
}

static void
test_protocol_example (void)
{
  g_autofree gchar *text = g_strdup_printf ("{\"size\": {\"height\": 720, "
      "\"width\": 1280}, \"objects\": [{\"classTitle\": \"car\", "
      "\"tags\": [{\"name\": \"confidence\", \"value\": 0.77}], "
      "\"bitmap\": {\"origin\": [312, 188], \"data\": \"%s\"}, "
      "\"geometryType\": \"bitmap\", \"shape\": \"bitmap\"}]}", example_b64);
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyAnnotation) ann = sly_annotation_from_json (text, -1, &error);
  SlyObject *obj;
  const SlyMask *mask;
  SlyBox box;

  g_assert_no_error (error);
  obj = g_ptr_array_index (ann->objects, 0);
  mask = sly_geometry_get_mask (obj->geometry, &error);
  g_assert_no_error (error);
  assert_mask (mask, 312, 188, 3, 3, example_inside);
  box = sly_geometry_get_bbox (obj->geometry);
  g_assert_cmpint (box.left, ==, 312);
  g_assert_cmpint (box.top, ==, 188);
  g_assert_cmpint (box.right, ==, 314);
  g_assert_cmpint (box.bottom, ==, 190);
  g_assert_cmpfloat (obj->confidence, ==, 0.77);
}

static void
check_png_layout (GBytes * png, gboolean wrap)
{
  g_autofree gchar *b64 = NULL;
  g_autoptr (SlyMask) mask = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (png, &size);

  /* wrap = FALSE is the SDK reader's uncompressed fallback */
  b64 = wrap ? ann_test_wrap_mask (png) : g_base64_encode (data, size);
  mask = decode_ok (b64, 7, 9);
  assert_mask (mask, 7, 9, 3, 3, example_inside);
}

/* the SDK writer: palette 0 = black, 1 = white, entry 0 transparent; PIL
 * stores a two-colour palette with 1 bit per pixel */
static void
test_palette_trns (void)
{
  static const guint8 palette[] = { 0, 0, 0, 255, 255, 255 };
  static const guint8 trns[] = { 0 };
  g_autoptr (GBytes) png8 = ann_test_png (3, 3, PNG_COLOR_TYPE_PALETTE,
      example_inside, palette, 2, trns, 1);
  g_autoptr (GBytes) png1 = ann_test_png_depth (3, 3, PNG_COLOR_TYPE_PALETTE,
      1, example_inside, palette, 2, trns, 1);

  check_png_layout (png8, TRUE);
  check_png_layout (png8, FALSE);
  check_png_layout (png1, TRUE);
}

/* a palette without tRNS decodes to RGB: the SDK rejects it, we read
 * "any channel > 0", so the white entry is inside */
static void
test_palette_without_trns (void)
{
  static const guint8 palette[] = { 0, 0, 0, 255, 255, 255 };
  g_autoptr (GBytes) png = ann_test_png (3, 3, PNG_COLOR_TYPE_PALETTE,
      example_inside, palette, 2, NULL, 0);

  check_png_layout (png, TRUE);
}

static void
test_grey (void)
{
  guint8 grey[9];
  g_autoptr (GBytes) png = NULL;

  for (guint i = 0; i < 9; i++)
    grey[i] = example_inside[i] ? 17 : 0;
  png = ann_test_png (3, 3, PNG_COLOR_TYPE_GRAY, grey, NULL, 0, NULL, 0);
  check_png_layout (png, TRUE);
  check_png_layout (png, FALSE);
}

/* with alpha, the alpha decides even where the colour is black or white */
static void
test_grey_alpha_and_rgba (void)
{
  guint8 ga[18], rgba[36];
  g_autoptr (GBytes) png_ga = NULL;
  g_autoptr (GBytes) png_rgba = NULL;

  for (guint i = 0; i < 9; i++) {
    ga[2 * i] = example_inside[i] ? 0 : 255;
    ga[2 * i + 1] = example_inside[i] ? 200 : 0;
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = 255;
    rgba[4 * i + 3] = example_inside[i] ? 1 : 0;
  }
  png_ga = ann_test_png (3, 3, PNG_COLOR_TYPE_GRAY_ALPHA, ga, NULL, 0, NULL, 0);
  png_rgba = ann_test_png (3, 3, PNG_COLOR_TYPE_RGB_ALPHA, rgba, NULL, 0,
      NULL, 0);
  check_png_layout (png_ga, TRUE);
  check_png_layout (png_rgba, TRUE);
}

/* plain RGB: any channel > 0 is inside */
static void
test_rgb (void)
{
  guint8 rgb[27] = { 0 };
  g_autoptr (GBytes) png = NULL;

  for (guint i = 0; i < 9; i++)
    if (example_inside[i])
      rgb[3 * i + i % 3] = 3;
  png = ann_test_png (3, 3, PNG_COLOR_TYPE_RGB, rgb, NULL, 0, NULL, 0);
  check_png_layout (png, TRUE);
}

static void
test_too_large (void)
{
  /* a 20000x20000 IHDR: refused before any pixel buffer is allocated */
  guint8 one_row[1] = { 0 };
  g_autoptr (GBytes) png = ann_test_png (1, 1, PNG_COLOR_TYPE_GRAY, one_row,
      NULL, 0, NULL, 0);
  g_autoptr (GByteArray) big = g_byte_array_new ();
  g_autofree gchar *b64 = NULL;
  g_autoptr (GError) error = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (png, &size);
  static const guint8 side[4] = { 0, 0, 0x4e, 0x20 };

  g_byte_array_append (big, data, size);
  memcpy (big->data + 16, side, 4);
  memcpy (big->data + 20, side, 4);
  b64 = g_base64_encode (big->data, big->len);
  g_assert_null (sly_mask_decode (b64, 0, 0, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "too large"));
}

/* a 1x1 PNG followed by 4 MiB of zeros: far more than a 1x1 image can
 * need, so inflating stops early instead of allocating it all */
static void
test_inflate_bomb (void)
{
  guint8 one_row[1] = { 255 };
  g_autoptr (GBytes) png = ann_test_png (1, 1, PNG_COLOR_TYPE_GRAY, one_row,
      NULL, 0, NULL, 0);
  g_autoptr (GByteArray) big = g_byte_array_new ();
  g_autoptr (GBytes) bomb = NULL;
  g_autofree gchar *b64 = NULL;
  g_autoptr (GError) error = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (png, &size);

  g_byte_array_append (big, data, size);
  g_byte_array_set_size (big, 4 * 1024 * 1024);
  memset (big->data + size, 0, big->len - size);
  bomb = g_byte_array_free_to_bytes (g_steal_pointer (&big));
  b64 = ann_test_wrap_mask (bomb);
  g_assert_cmpuint (strlen (b64), <, 16 * 1024);
  g_assert_null (sly_mask_decode (b64, 0, 0, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "inflates beyond"));
}

static void
test_encode_round_trip (void)
{
  g_autoptr (SlyMask) mask = sly_mask_new (100, 50, 5, 4);
  g_autoptr (SlyMask) back = NULL;
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (200, 100);
  g_autoptr (SlyAnnotation) reread = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *b64 = NULL;
  g_autofree gchar *text = NULL;
  guint8 inside[20];
  SlyObject *obj;

  for (guint i = 0; i < 20; i++)
    mask->data[i] = inside[i] = (i * 7) % 3 == 0 ? 1 : 0;
  b64 = sly_mask_encode (mask);
  back = decode_ok (b64, 100, 50);
  g_assert_cmpint (back->width, ==, 5);
  for (guint i = 0; i < 20; i++)
    g_assert_cmpint (back->data[i], ==, mask->data[i] ? 255 : 0);

  /* a geometry built from a mask is written as 8-bit grey 0/255 */
  sly_annotation_add_object (ann, "blob",
      sly_geometry_new_bitmap (g_steal_pointer (&mask)), 0.9);
  text = sly_annotation_to_json (ann);
  reread = sly_annotation_from_json (text, -1, &error);
  g_assert_no_error (error);
  obj = g_ptr_array_index (reread->objects, 0);
  assert_mask (sly_geometry_get_mask (obj->geometry, &error), 100, 50, 5, 4,
      inside);
  g_assert_no_error (error);
}

static void
test_alpha_mask_values (void)
{
  g_autoptr (SlyMask) mask = sly_mask_new (0, 0, 4, 1);
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (4, 1);
  g_autoptr (SlyAnnotation) reread = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  SlyGeometry *g;
  const SlyMask *back;

  mask->data[0] = 0;
  mask->data[1] = 1;
  mask->data[2] = 128;
  mask->data[3] = 255;
  g = sly_geometry_new_alpha_mask (g_steal_pointer (&mask));
  sly_annotation_add_object (ann, "smoke", g, -1);
  text = sly_annotation_to_json (ann);
  reread = sly_annotation_from_json (text, -1, &error);
  g_assert_no_error (error);
  back = sly_geometry_get_mask (((SlyObject *) g_ptr_array_index
          (reread->objects, 0))->geometry, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->data[0], ==, 0);
  g_assert_cmpint (back->data[1], ==, 1);
  g_assert_cmpint (back->data[2], ==, 128);
  g_assert_cmpint (back->data[3], ==, 255);
}

static void
test_get_mask_wrong_type (void)
{
  g_autoptr (SlyGeometry) g = sly_geometry_new_rectangle (0, 0, 1, 1);
  g_autoptr (GError) error = NULL;

  g_assert_null (sly_geometry_get_mask (g, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
}

/* a 2x2 mask at (1, 1) doubled: a 4x4 mask at (2, 2), each pixel a 2x2
 * block; halved back it is the original */
static void
test_scale_mask (void)
{
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (10, 10);
  SlyMask *mask = sly_mask_new (1, 1, 2, 2);
  SlyGeometry *g;
  const SlyMask *m;
  g_autofree gchar *text = NULL;
  g_autoptr (SlyAnnotation) reread = NULL;
  g_autoptr (GError) error = NULL;
  static const guint8 orig[4] = { 1, 0, 0, 1 };
  static const guint8 doubled[16] = {
    1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1
  };

  for (guint i = 0; i < 4; i++)
    mask->data[i] = orig[i] ? 255 : 0;
  g = sly_geometry_new_bitmap (mask);
  sly_annotation_add_object (ann, "m", g, -1);

  sly_annotation_scale (ann, 2.0, 2.0, 20, 20);
  m = sly_geometry_get_mask (g, &error);
  g_assert_no_error (error);
  assert_mask (m, 2, 2, 4, 4, doubled);

  /* the writer re-encodes the scaled mask */
  text = sly_annotation_to_json (ann);
  reread = sly_annotation_from_json (text, -1, &error);
  g_assert_no_error (error);
  assert_mask (sly_geometry_get_mask (((SlyObject *) g_ptr_array_index
              (reread->objects, 0))->geometry, &error), 2, 2, 4, 4, doubled);

  sly_annotation_scale (ann, 0.5, 0.5, 10, 10);
  assert_mask (sly_geometry_get_mask (g, &error), 1, 1, 2, 2, orig);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mask/protocol-example", test_protocol_example);
  g_test_add_func ("/mask/palette-trns", test_palette_trns);
  g_test_add_func ("/mask/palette-without-trns", test_palette_without_trns);
  g_test_add_func ("/mask/grey", test_grey);
  g_test_add_func ("/mask/grey-alpha-rgba", test_grey_alpha_and_rgba);
  g_test_add_func ("/mask/rgb", test_rgb);
  g_test_add_func ("/mask/too-large", test_too_large);
  g_test_add_func ("/mask/inflate-bomb", test_inflate_bomb);
  g_test_add_func ("/mask/encode-round-trip", test_encode_round_trip);
  g_test_add_func ("/mask/alpha-mask-values", test_alpha_mask_values);
  g_test_add_func ("/mask/get-mask-wrong-type", test_get_mask_wrong_type);
  g_test_add_func ("/mask/scale", test_scale_mask);
  return g_test_run ();
}
