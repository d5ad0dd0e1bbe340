/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PNG codec: exact round trips, every colour type libpng can store (written
 * here with libpng directly), size limits and hostile input.
 */
#include "slyimage.h"
#include "slyerror.h"

#include <png.h>
#include <string.h>
#include <zlib.h>

/* Deterministic, position-dependent content so that misplaced rows, swapped
 * channels or lost columns all show. */
static SlyImage *
make_pattern (gint width, gint height, gint channels)
{
  SlyImage *image = sly_image_new (width, height, channels);
  gint x, y, c;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      for (c = 0; c < channels; c++)
        image->data[y * image->stride + x * channels + c] =
            (guint8) (x * 7 + y * 13 + c * 61 + (x * y) % 5);
  return image;
}

static void
assert_same_pixels (const SlyImage * a, const SlyImage * b)
{
  gint y;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpint (a->channels, ==, b->channels);
  for (y = 0; y < a->height; y++)
    g_assert_cmpmem (a->data + y * a->stride, a->width * a->channels,
        b->data + y * b->stride, b->width * b->channels);
}

static void
test_round_trip (void)
{
  static const struct
  {
    gint width, height, channels;
  } cases[] = {
    {1, 1, 1}, {33, 17, 1}, {64, 48, 1},
    {1, 1, 3}, {33, 17, 3}, {7, 100, 3},
    {1, 1, 4}, {33, 17, 4}, {99, 3, 4},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (SlyImage) image = make_pattern (cases[i].width,
        cases[i].height, cases[i].channels);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) png = sly_png_encode_image (image, &error);
    g_autoptr (SlyImage) back = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (png);
    back = sly_png_decode (g_bytes_get_data (png, NULL),
        g_bytes_get_size (png), &error);
    g_assert_no_error (error);
    assert_same_pixels (image, back);
  }
}

/* Every packed format, with a stride wider than the row, encodes to the same
 * RGB (or gray) PNG. */
static void
test_encode_view_formats (void)
{
  static const struct
  {
    SlyPixelFormat format;
    gint bpp;
    gint r, g, b;
  } formats[] = {
    {SLY_PIXEL_RGB, 3, 0, 1, 2}, {SLY_PIXEL_BGR, 3, 2, 1, 0},
    {SLY_PIXEL_RGBX, 4, 0, 1, 2}, {SLY_PIXEL_BGRX, 4, 2, 1, 0},
    {SLY_PIXEL_XRGB, 4, 1, 2, 3}, {SLY_PIXEL_XBGR, 4, 3, 2, 1},
  };
  g_autoptr (SlyImage) rgb = make_pattern (33, 17, 3);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    gint stride = 33 * formats[i].bpp + 11;
    g_autofree guint8 *buf = g_malloc (stride * 17);
    SlyImageView view = { formats[i].format, 33, 17, {buf}, {stride}
    };
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) png = NULL;
    g_autoptr (SlyImage) back = NULL;
    gint x, y;

    /* X bytes and row padding hold junk that must not show */
    memset (buf, 0xa5, stride * 17);
    for (y = 0; y < 17; y++) {
      for (x = 0; x < 33; x++) {
        guint8 *px = buf + y * stride + x * formats[i].bpp;
        const guint8 *src = rgb->data + y * rgb->stride + x * 3;

        px[formats[i].r] = src[0];
        px[formats[i].g] = src[1];
        px[formats[i].b] = src[2];
      }
    }
    png = sly_png_encode (&view, &error);
    g_assert_no_error (error);
    back = sly_png_decode (g_bytes_get_data (png, NULL),
        g_bytes_get_size (png), &error);
    g_assert_no_error (error);
    assert_same_pixels (rgb, back);
  }
}

static void
test_encode_view_gray (void)
{
  g_autoptr (SlyImage) gray = make_pattern (17, 5, 1);
  guint8 buf[20 * 5];
  SlyImageView view = { SLY_PIXEL_GRAY8, 17, 5, {buf}, {20} };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = NULL;
  g_autoptr (SlyImage) back = NULL;
  gint y;

  for (y = 0; y < 5; y++)
    memcpy (buf + y * 20, gray->data + y * gray->stride, 17);
  png = sly_png_encode (&view, &error);
  g_assert_no_error (error);
  back = sly_png_decode (g_bytes_get_data (png, NULL), g_bytes_get_size (png),
      &error);
  g_assert_no_error (error);
  assert_same_pixels (gray, back);
}

/* I420 of a flat colour encodes to that colour (JFIF full-range BT.601). */
static void
test_encode_view_i420 (void)
{
  /* Y, Cb, Cr of pure red 255,0,0 in JFIF: 76, 85, 255 */
  guint8 y[5 * 3], u[3 * 2], v[3 * 2];
  SlyImageView view = { SLY_PIXEL_I420, 5, 3, {y, u, v}, {5, 3, 3} };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = NULL;
  g_autoptr (SlyImage) back = NULL;
  gint i;

  memset (y, 76, sizeof y);
  memset (u, 85, sizeof u);
  memset (v, 255, sizeof v);
  png = sly_png_encode (&view, &error);
  g_assert_no_error (error);
  back = sly_png_decode (g_bytes_get_data (png, NULL), g_bytes_get_size (png),
      &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->channels, ==, 3);
  for (i = 0; i < 5 * 3; i++) {
    g_assert_cmpint (ABS (back->data[i * 3] - 255), <=, 1);
    g_assert_cmpint (back->data[i * 3 + 1], <=, 1);
    g_assert_cmpint (back->data[i * 3 + 2], <=, 1);
  }
}

/* --- PNGs written with libpng directly, in layouts we never write --- */

typedef struct
{
  int color_type;
  int bit_depth;
  int interlace;
  gint width, height;
  const guint8 *rows;           /* packed rows as libpng wants them */
  gsize row_bytes;
  const png_color *palette;
  int n_palette;
  const guint8 *trns;           /* palette alpha */
  int n_trns;
  const png_color_16 *trns_color;       /* gray / RGB transparent colour */
} RawPng;

static void
append_bytes (png_structp png, png_bytep data, size_t length)
{
  g_byte_array_append (png_get_io_ptr (png), data, length);
}

static void
no_flush (png_structp png)
{
}

static GBytes *
write_raw_png (const RawPng * raw)
{
  GByteArray *out = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL,
      NULL, NULL);
  png_infop info = png_create_info_struct (png);
  gint y;

  g_assert_cmpint (setjmp (png_jmpbuf (png)), ==, 0);
  png_set_write_fn (png, out, append_bytes, no_flush);
  png_set_IHDR (png, info, raw->width, raw->height, raw->bit_depth,
      raw->color_type, raw->interlace, PNG_COMPRESSION_TYPE_DEFAULT,
      PNG_FILTER_TYPE_DEFAULT);
  if (raw->palette)
    png_set_PLTE (png, info, raw->palette, raw->n_palette);
  if (raw->trns || raw->trns_color)
    png_set_tRNS (png, info, raw->trns, raw->n_trns, raw->trns_color);
  png_write_info (png, info);
  if (raw->interlace != PNG_INTERLACE_NONE) {
    gint passes = png_set_interlace_handling (png);

    while (passes-- > 0)
      for (y = 0; y < raw->height; y++)
        png_write_row (png, raw->rows + y * raw->row_bytes);
  } else {
    for (y = 0; y < raw->height; y++)
      png_write_row (png, raw->rows + y * raw->row_bytes);
  }
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (out);
}

static SlyImage *
decode_raw (const RawPng * raw)
{
  g_autoptr (GBytes) bytes = write_raw_png (raw);
  g_autoptr (GError) error = NULL;
  SlyImage *image = sly_png_decode (g_bytes_get_data (bytes, NULL),
      g_bytes_get_size (bytes), &error);

  g_assert_no_error (error);
  g_assert_nonnull (image);
  g_assert_cmpint (image->width, ==, raw->width);
  g_assert_cmpint (image->height, ==, raw->height);
  return image;
}

static const png_color palette[] = {
  {255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30},
};

/* 2x2 palette image with indices 0 1 / 2 3 at 8 bits */
static const guint8 palette_rows[] = { 0, 1, 2, 3 };

static void
test_decode_palette (void)
{
  RawPng raw = { PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_NONE, 2, 2,
    palette_rows, 2, palette, 4, NULL, 0, NULL
  };
  g_autoptr (SlyImage) image = decode_raw (&raw);
  gint i;

  g_assert_cmpint (image->channels, ==, 3);
  for (i = 0; i < 4; i++) {
    g_assert_cmpint (image->data[i * 3], ==, palette[i].red);
    g_assert_cmpint (image->data[i * 3 + 1], ==, palette[i].green);
    g_assert_cmpint (image->data[i * 3 + 2], ==, palette[i].blue);
  }
}

static void
test_decode_palette_trns (void)
{
  /* entries past the tRNS list are opaque */
  static const guint8 trns[] = { 0, 128 };
  static const guint8 alpha[] = { 0, 128, 255, 255 };
  RawPng raw = { PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_NONE, 2, 2,
    palette_rows, 2, palette, 4, trns, 2, NULL
  };
  g_autoptr (SlyImage) image = decode_raw (&raw);
  gint i;

  g_assert_cmpint (image->channels, ==, 4);
  for (i = 0; i < 4; i++) {
    g_assert_cmpint (image->data[i * 4], ==, palette[i].red);
    g_assert_cmpint (image->data[i * 4 + 2], ==, palette[i].blue);
    g_assert_cmpint (image->data[i * 4 + 3], ==, alpha[i]);
  }
}

/* 1-bit palette: 8 pixels in one byte, MSB first */
static void
test_decode_palette_1bit (void)
{
  static const guint8 rows[] = { 0xa0 };        /* 1 0 1 0 0 0 0 0 */
  RawPng raw = { PNG_COLOR_TYPE_PALETTE, 1, PNG_INTERLACE_NONE, 5, 1,
    rows, 1, palette, 2, NULL, 0, NULL
  };
  g_autoptr (SlyImage) image = decode_raw (&raw);

  g_assert_cmpint (image->channels, ==, 3);
  g_assert_cmpint (image->data[0 * 3 + 1], ==, 255);    /* green */
  g_assert_cmpint (image->data[1 * 3 + 0], ==, 255);    /* red */
  g_assert_cmpint (image->data[2 * 3 + 1], ==, 255);
  g_assert_cmpint (image->data[4 * 3 + 0], ==, 255);
}

static void
test_decode_gray_alpha (void)
{
  static const guint8 rows[] = { 10, 255, 200, 0, 77, 128 };
  RawPng raw = { PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE, 3, 1,
    rows, 6, NULL, 0, NULL, 0, NULL
  };
  g_autoptr (SlyImage) image = decode_raw (&raw);
  gint i;

  g_assert_cmpint (image->channels, ==, 4);
  for (i = 0; i < 3; i++) {
    g_assert_cmpint (image->data[i * 4], ==, rows[i * 2]);
    g_assert_cmpint (image->data[i * 4 + 1], ==, rows[i * 2]);
    g_assert_cmpint (image->data[i * 4 + 2], ==, rows[i * 2]);
    g_assert_cmpint (image->data[i * 4 + 3], ==, rows[i * 2 + 1]);
  }
}

static void
test_decode_gray_trns (void)
{
  static const guint8 rows[] = { 10, 20, 10 };
  png_color_16 transparent = { 0, 0, 0, 0, 20 };
  RawPng raw = { PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 3, 1,
    rows, 3, NULL, 0, NULL, 0, &transparent
  };
  g_autoptr (SlyImage) image = decode_raw (&raw);

  g_assert_cmpint (image->channels, ==, 4);
  g_assert_cmpint (image->data[0 * 4 + 3], ==, 255);
  g_assert_cmpint (image->data[1 * 4 + 0], ==, 20);
  g_assert_cmpint (image->data[1 * 4 + 3], ==, 0);
  g_assert_cmpint (image->data[2 * 4 + 3], ==, 255);
}

/* 16-bit samples scale to the nearest 8-bit value: v * 255 / 65535 */
static void
test_decode_16bit (void)
{
  /* RGB16, 2 pixels, big-endian */
  static const guint8 rows[] = {
    0xff, 0xff, 0x00, 0x00, 0x80, 0x80,
    0x12, 0x34, 0x00, 0x80, 0xfe, 0xff,
  };
  static const guint8 expected[] = { 255, 0, 128, 18, 0, 254 };
  RawPng raw = { PNG_COLOR_TYPE_RGB, 16, PNG_INTERLACE_NONE, 2, 1,
    rows, 12, NULL, 0, NULL, 0, NULL
  };
  g_autoptr (SlyImage) image = decode_raw (&raw);

  g_assert_cmpint (image->channels, ==, 3);
  g_assert_cmpmem (image->data, 6, expected, 6);
}

static void
test_decode_gray_2bit (void)
{
  static const guint8 rows[] = { 0x1b };        /* 0 1 2 3 */
  static const guint8 expected[] = { 0, 85, 170, 255 };
  RawPng raw = { PNG_COLOR_TYPE_GRAY, 2, PNG_INTERLACE_NONE, 4, 1,
    rows, 1, NULL, 0, NULL, 0, NULL
  };
  g_autoptr (SlyImage) image = decode_raw (&raw);

  g_assert_cmpint (image->channels, ==, 1);
  g_assert_cmpmem (image->data, 4, expected, 4);
}

static void
test_decode_interlaced (void)
{
  g_autoptr (SlyImage) rgba = make_pattern (33, 17, 4);
  RawPng raw = { PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_ADAM7, 33, 17,
    rgba->data, rgba->stride, NULL, 0, NULL, 0, NULL
  };
  g_autoptr (SlyImage) image = decode_raw (&raw);

  assert_same_pixels (rgba, image);
}

static void
test_decode_rgb_drops_alpha (void)
{
  g_autoptr (SlyImage) rgba = make_pattern (9, 4, 4);
  g_autoptr (GBytes) png = sly_png_encode_image (rgba, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyImage) rgb = sly_image_decode_rgb (g_bytes_get_data (png,
          NULL), g_bytes_get_size (png), &error);
  gint i;

  g_assert_no_error (error);
  g_assert_cmpint (rgb->channels, ==, 3);
  for (i = 0; i < 9 * 4; i++)
    g_assert_cmpmem (rgb->data + i * 3, 3, rgba->data + i * 4, 3);
}

/* IHDR claims a huge size: refused before any pixel memory is allocated.
 * Chunks have correct CRCs, so the limit, not a corruption check, refuses
 * the file (libpng's own limit for a side, ours for the pixel count). */
static void
test_decode_too_large (void)
{
  static const struct
  {
    guint32 width, height;
    const gchar *expected;
  } sizes[] = {
    {20000, 1, "IHDR"}, {1, 20000, "IHDR"},
    {16384, 16384, "too large"}, {12000, 9000, "too large"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    guint8 file[8 + 25 + 12 + 12];
    guint8 *ihdr = file + 8;
    guint32 crc;
    g_autoptr (GError) error = NULL;
    SlyImage *image;

    memcpy (file, "\x89PNG\r\n\x1a\n", 8);
    memcpy (ihdr, "\0\0\0\x0dIHDR", 8);
    ihdr[8] = sizes[i].width >> 24;
    ihdr[9] = sizes[i].width >> 16;
    ihdr[10] = sizes[i].width >> 8;
    ihdr[11] = sizes[i].width;
    ihdr[12] = sizes[i].height >> 24;
    ihdr[13] = sizes[i].height >> 16;
    ihdr[14] = sizes[i].height >> 8;
    ihdr[15] = sizes[i].height;
    memcpy (ihdr + 16, "\x08\x02\0\0\0", 5);
    crc = crc32 (0, ihdr + 4, 17);
    ihdr[21] = crc >> 24;
    ihdr[22] = crc >> 16;
    ihdr[23] = crc >> 8;
    ihdr[24] = crc;
    /* an empty IDAT, so that reading the header stops there */
    memcpy (file + 33, "\0\0\0\0IDAT\x35\xaf\x06\x1e", 12);
    memcpy (file + 45, "\0\0\0\0IEND\xae\x42\x60\x82", 12);

    image = sly_png_decode (file, sizeof file, &error);
    g_assert_null (image);
    g_assert_error (error, SLY_ERROR, SLY_ERROR_IMAGE);
    g_test_message ("%ux%u: %s", sizes[i].width, sizes[i].height,
        error->message);
    g_assert_true (strstr (error->message, sizes[i].expected) != NULL);
  }
}

static void
test_decode_garbage (void)
{
  g_autoptr (SlyImage) image = make_pattern (40, 30, 3);
  g_autoptr (GBytes) png = sly_png_encode_image (image, NULL);
  const guint8 *good = g_bytes_get_data (png, NULL);
  gsize good_size = g_bytes_get_size (png);
  g_autofree guint8 *bad_crc = g_memdup2 (good, good_size);
  g_autofree guint8 *bad_idat = g_memdup2 (good, good_size);
  /* IHDR then a tEXt chunk declaring 2 GB: found by libFuzzer, when libpng
   * allocated the declared length before reading (2 GB RSS, 6 s) */
  g_autofree guint8 *huge_text = g_malloc (33 + 8 + 16);
  const struct
  {
    const gchar *name;
    const guint8 *data;
    gsize size;
  } cases[] = {
    {"empty", (const guint8 *) "", 0},
    {"text", (const guint8 *) "hello, world", 12},
    {"signature only", good, 8},
    {"truncated in IHDR", good, 20},
    {"truncated in IDAT", good, good_size / 2},
    {"missing IEND", good, good_size - 12},
    {"bad IHDR CRC", bad_crc, good_size},
    {"corrupt IDAT", bad_idat, good_size},
    {"2 GB tEXt chunk", huge_text, 33 + 8 + 16},
  };
  guint i;

  bad_crc[8 + 8 + 13] ^= 0xff;
  memcpy (huge_text, good, 33);
  memcpy (huge_text + 33, "\x7d\x00\x00\x0dtEXtComment\0hello\0\0\0", 24);
  /* deflate stream after the zlib header of the first IDAT */
  bad_idat[33 + 8 + 4] ^= 0x55;
  bad_idat[33 + 8 + 5] ^= 0xff;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    SlyImage *decoded;

    g_test_message ("case: %s", cases[i].name);
    decoded = sly_png_decode (cases[i].data, cases[i].size, &error);
    g_assert_null (decoded);
    g_assert_error (error, SLY_ERROR, SLY_ERROR_IMAGE);
  }
}

static void
test_encode_bad_arguments (void)
{
  guint8 pixels[16] = { 0, };
  SlyImage two_channels = { 2, 2, 2, 4, pixels };
  SlyImageView short_stride = { SLY_PIXEL_RGB, 4, 1, {pixels}, {11} };
  SlyImageView no_plane = { SLY_PIXEL_RGB, 1, 1, {NULL}, {3} };
  g_autoptr (GError) e1 = NULL;
  g_autoptr (GError) e2 = NULL;
  g_autoptr (GError) e3 = NULL;

  g_assert_null (sly_png_encode_image (&two_channels, &e1));
  g_assert_error (e1, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
  g_assert_null (sly_png_encode (&short_stride, &e2));
  g_assert_error (e2, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
  g_assert_null (sly_png_encode (&no_plane, &e3));
  g_assert_error (e3, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/png/round-trip", test_round_trip);
  g_test_add_func ("/png/encode/view-formats", test_encode_view_formats);
  g_test_add_func ("/png/encode/view-gray", test_encode_view_gray);
  g_test_add_func ("/png/encode/view-i420", test_encode_view_i420);
  g_test_add_func ("/png/encode/bad-arguments", test_encode_bad_arguments);
  g_test_add_func ("/png/decode/palette", test_decode_palette);
  g_test_add_func ("/png/decode/palette-trns", test_decode_palette_trns);
  g_test_add_func ("/png/decode/palette-1bit", test_decode_palette_1bit);
  g_test_add_func ("/png/decode/gray-alpha", test_decode_gray_alpha);
  g_test_add_func ("/png/decode/gray-trns", test_decode_gray_trns);
  g_test_add_func ("/png/decode/gray-2bit", test_decode_gray_2bit);
  g_test_add_func ("/png/decode/16bit", test_decode_16bit);
  g_test_add_func ("/png/decode/interlaced", test_decode_interlaced);
  g_test_add_func ("/png/decode/rgb-drops-alpha", test_decode_rgb_drops_alpha);
  g_test_add_func ("/png/decode/too-large", test_decode_too_large);
  g_test_add_func ("/png/decode/garbage", test_decode_garbage);

  return g_test_run ();
}
