/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PNG encoding and decoding in memory with libpng.
 *
 * libpng reports errors by longjmp()ing back to the setjmp() in the calling
 * function. Locals that are assigned after setjmp() and read after the jump
 * are volatile, and the context that libpng's callbacks modify lives on the
 * heap. The error callback copies libpng's message into the context before
 * jumping, so that it can become the GError message.
 */
#include "slyimage-private.h"
#include "slyerror.h"

#include <png.h>
#include <string.h>

/* Largest ancillary chunk (text, ICC profile...) libpng may allocate. */
#define PNG_CHUNK_MAX (16 * 1024 * 1024)

/* Largest single allocation libpng may make while decoding. The pixels are
 * ours; libpng itself needs rows (at most 16384 x 8 bytes) and chunk
 * buffers. libpng 1.6.39 allocates a text chunk's declared length before
 * reading it, ignoring png_set_chunk_malloc_max(): a 65-byte file claiming
 * a 2 GB tEXt chunk made it allocate (and touch) 2 GB. */
#define PNG_ALLOC_MAX (PNG_CHUNK_MAX + 1024 * 1024)

typedef struct
{
  /* reading */
  const guint8 *data;
  gsize size;
  gsize pos;
  /* writing */
  GByteArray *out;
  gchar message[SLY_IMAGE_MESSAGE_SIZE];
} PngContext;

static void
on_png_error (png_structp png, png_const_charp message)
{
  PngContext *ctx = png_get_error_ptr (png);

  g_strlcpy (ctx->message, message, sizeof ctx->message);
  png_longjmp (png, 1);
}

static void
on_png_warning (png_structp png, png_const_charp message)
{
  g_debug ("libpng: %s", message);
}

/* Refusing is safe: libpng reports NULL as an error (or, for ancillary
 * chunks, a warning and skips the chunk). */
static png_voidp
bounded_malloc (png_structp png, png_alloc_size_t size)
{
  if (size > PNG_ALLOC_MAX)
    return NULL;
  return g_try_malloc (size);
}

static void
bounded_free (png_structp png, png_voidp data)
{
  g_free (data);
}

static void
read_from_memory (png_structp png, png_bytep out, size_t length)
{
  PngContext *ctx = png_get_io_ptr (png);

  if (length > ctx->size - ctx->pos)
    png_error (png, "file is truncated");
  memcpy (out, ctx->data + ctx->pos, length);
  ctx->pos += length;
}

static void
write_to_memory (png_structp png, png_bytep data, size_t length)
{
  PngContext *ctx = png_get_io_ptr (png);

  g_byte_array_append (ctx->out, data, length);
}

static void
flush_nothing (png_structp png)
{
}

/* Sets up libpng's transformations so that every colour type arrives as
 * 8-bit gray, RGB or RGBA. Runs inside the setjmp() scope. */
static void
png_setup_read_transforms (png_structp png, png_infop info)
{
  png_uint_32 width = png_get_image_width (png, info);
  png_uint_32 height = png_get_image_height (png, info);
  int color_type = png_get_color_type (png, info);
  int bit_depth = png_get_bit_depth (png, info);
  gboolean has_trns = png_get_valid (png, info, PNG_INFO_tRNS) != 0;
  GError *error = NULL;

  if (!sly_image_check_size ("PNG image", width, height, &error)) {
    gchar message[SLY_IMAGE_MESSAGE_SIZE];

    /* png_error() does not return: free the GError first */
    g_strlcpy (message, error->message, sizeof message);
    g_error_free (error);
    png_error (png, message);
  }

  if (color_type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8)
    png_set_expand_gray_1_2_4_to_8 (png);
  if (has_trns)
    png_set_tRNS_to_alpha (png);
  if (bit_depth == 16)
    png_set_scale_16 (png);
  if (color_type == PNG_COLOR_TYPE_GRAY_ALPHA
      || (color_type == PNG_COLOR_TYPE_GRAY && has_trns))
    png_set_gray_to_rgb (png);
  png_set_interlace_handling (png);
  png_read_update_info (png, info);
}

/* Runs inside the setjmp() scope; @rows is owned by the caller. */
static void
png_read_pixels (png_structp png, png_infop info, SlyImage * image,
    png_bytep * rows)
{
  gint y;

  for (y = 0; y < image->height; y++)
    rows[y] = image->data + (gsize) y *image->stride;
  png_read_image (png, rows);
  png_read_end (png, NULL);
}

SlyImage *
sly_png_decode (const guint8 * data, gsize size, GError ** error)
{
  g_autofree PngContext *ctx = g_new0 (PngContext, 1);
  png_structp png;
  png_infop info;
  SlyImage *volatile image = NULL;
  png_bytep *volatile rows = NULL;
  guint channels;

  g_return_val_if_fail (data != NULL || size == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (size < 8 || png_sig_cmp (data, 0, 8) != 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "data (%" G_GSIZE_FORMAT " bytes) is not a PNG file", size);
    return NULL;
  }
  ctx->data = data;
  ctx->size = size;
  png = png_create_read_struct_2 (PNG_LIBPNG_VER_STRING, ctx, on_png_error,
      on_png_warning, NULL, bounded_malloc, bounded_free);
  info = png ? png_create_info_struct (png) : NULL;
  if (info == NULL) {
    png_destroy_read_struct (&png, NULL, NULL);
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "cannot create a PNG decoder");
    return NULL;
  }

  if (setjmp (png_jmpbuf (png))) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE, "invalid PNG: %s",
        ctx->message);
    png_destroy_read_struct (&png, &info, NULL);
    g_free (rows);
    sly_image_free (image);
    return NULL;
  }

  png_set_user_limits (png, SLY_IMAGE_MAX_SIDE, SLY_IMAGE_MAX_SIDE);
  png_set_chunk_malloc_max (png, PNG_CHUNK_MAX);
  png_set_read_fn (png, ctx, read_from_memory);
  png_read_info (png, info);
  png_setup_read_transforms (png, info);

  channels = png_get_channels (png, info);
  if ((channels != 1 && channels != 3 && channels != 4)
      || png_get_rowbytes (png, info) !=
      (gsize) channels * png_get_image_width (png, info))
    png_error (png, "unexpected pixel layout after conversion");

  image = sly_image_new (png_get_image_width (png, info),
      png_get_image_height (png, info), channels);
  if (image == NULL)
    png_error (png, "out of memory for the pixels");
  rows = g_new (png_bytep, image->height);
  png_read_pixels (png, info, image, rows);

  png_destroy_read_struct (&png, &info, NULL);
  g_free (rows);
  return image;
}

/* What libpng must do to turn caller rows into PNG rows. */
typedef struct
{
  int color_type;
  gboolean bgr;
  gint filler;                  /* -1: none, else PNG_FILLER_BEFORE/AFTER */
} PngWriteLayout;

/* Runs inside the setjmp() scope. */
static void
png_write_pixels (png_structp png, png_infop info, const SlyImageView * view,
    const PngWriteLayout * layout)
{
  gint y;

  png_set_IHDR (png, info, view->width, view->height, 8, layout->color_type,
      PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
      PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  if (layout->filler >= 0)
    png_set_filler (png, 0, layout->filler);
  if (layout->bgr)
    png_set_bgr (png);
  for (y = 0; y < view->height; y++)
    png_write_row (png, view->planes[0] + (gsize) y * view->strides[0]);
  png_write_end (png, NULL);
}

/* @view is packed (gray, RGB, RGBA or a variant) and already checked. */
static GBytes *
png_encode_packed (const SlyImageView * view, const PngWriteLayout * layout,
    GError ** error)
{
  g_autofree PngContext *ctx = g_new0 (PngContext, 1);
  png_structp png;
  png_infop info;

  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, ctx, on_png_error,
      on_png_warning);
  info = png ? png_create_info_struct (png) : NULL;
  if (info == NULL) {
    png_destroy_write_struct (&png, NULL);
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "cannot create a PNG encoder");
    return NULL;
  }
  ctx->out = g_byte_array_new ();

  if (setjmp (png_jmpbuf (png))) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "cannot encode a %dx%d PNG: %s", view->width, view->height,
        ctx->message);
    png_destroy_write_struct (&png, &info);
    g_byte_array_unref (ctx->out);
    return NULL;
  }

  png_set_write_fn (png, ctx, write_to_memory, flush_nothing);
  png_write_pixels (png, info, view, layout);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (ctx->out);
}

static gboolean
png_layout_for (SlyPixelFormat format, PngWriteLayout * layout)
{
  static const struct
  {
    SlyPixelFormat format;
    PngWriteLayout layout;
  } table[] = {
    {SLY_PIXEL_GRAY8, {PNG_COLOR_TYPE_GRAY, FALSE, -1}},
    {SLY_PIXEL_RGB, {PNG_COLOR_TYPE_RGB, FALSE, -1}},
    {SLY_PIXEL_BGR, {PNG_COLOR_TYPE_RGB, TRUE, -1}},
    {SLY_PIXEL_RGBX, {PNG_COLOR_TYPE_RGB, FALSE, PNG_FILLER_AFTER}},
    {SLY_PIXEL_BGRX, {PNG_COLOR_TYPE_RGB, TRUE, PNG_FILLER_AFTER}},
    {SLY_PIXEL_XRGB, {PNG_COLOR_TYPE_RGB, FALSE, PNG_FILLER_BEFORE}},
    {SLY_PIXEL_XBGR, {PNG_COLOR_TYPE_RGB, TRUE, PNG_FILLER_BEFORE}},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (table); i++) {
    if (table[i].format == format) {
      *layout = table[i].layout;
      return TRUE;
    }
  }
  return FALSE;
}

GBytes *
sly_png_encode (const SlyImageView * view, GError ** error)
{
  PngWriteLayout layout;
  g_autoptr (SlyImage) rgb = NULL;
  SlyImageView rgb_view;

  g_return_val_if_fail (view != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sly_image_view_check (view, error))
    return NULL;
  if (png_layout_for (view->format, &layout))
    return png_encode_packed (view, &layout, error);

  /* planar YUV: PNG has no such layout */
  rgb = sly_image_view_to_rgb (view, error);
  if (rgb == NULL)
    return NULL;
  sly_image_get_view (rgb, &rgb_view);
  png_layout_for (rgb_view.format, &layout);
  return png_encode_packed (&rgb_view, &layout, error);
}

GBytes *
sly_png_encode_image (const SlyImage * image, GError ** error)
{
  static const int color_types[] = { PNG_COLOR_TYPE_GRAY, -1,
    PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA
  };
  PngWriteLayout layout = { 0, FALSE, -1 };
  SlyImageView view = { 0, };

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (image->channels < 1 || image->channels > 4 || image->channels == 2
      || image->data == NULL || image->width <= 0 || image->height <= 0
      || image->stride < image->width * image->channels) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "cannot encode a %dx%d image with %d channels and stride %d as PNG",
        image->width, image->height, image->channels, image->stride);
    return NULL;
  }
  layout.color_type = color_types[image->channels - 1];
  view.width = image->width;
  view.height = image->height;
  view.planes[0] = image->data;
  view.strides[0] = image->stride;
  return png_encode_packed (&view, &layout, error);
}
