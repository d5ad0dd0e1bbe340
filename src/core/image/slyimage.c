/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SlyImage ownership, the limits every decoder applies, validation of
 * caller-supplied frame views, and format sniffing.
 */
#include "slyimage-private.h"
#include "slyerror.h"

#include <string.h>

/**
 * sly_image_new:
 *
 * Allocates an uninitialised image with tight rows. Returns %NULL when the
 * memory is not available, so that decoders of untrusted input can report an
 * error instead of aborting.
 */
SlyImage *
sly_image_new (gint width, gint height, gint channels)
{
  SlyImage *image;
  gsize size;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (channels >= 1 && channels <= 4, NULL);
  g_return_val_if_fail (width <= G_MAXINT / channels, NULL);

  size = (gsize) width *channels * (gsize) height;
  image = g_new0 (SlyImage, 1);
  image->data = g_try_malloc (size);
  if (image->data == NULL) {
    g_free (image);
    return NULL;
  }
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->stride = width * channels;
  return image;
}

void
sly_image_free (SlyImage * image)
{
  if (image == NULL)
    return;
  g_free (image->data);
  g_free (image);
}

void
sly_image_get_view (const SlyImage * image, SlyImageView * view)
{
  static const SlyPixelFormat formats[] = { SLY_PIXEL_GRAY8, SLY_PIXEL_GRAY8,
    SLY_PIXEL_RGB, SLY_PIXEL_RGBX
  };

  g_return_if_fail (image != NULL && view != NULL);
  g_return_if_fail (image->channels != 2);

  memset (view, 0, sizeof *view);
  view->format = formats[image->channels - 1];
  view->width = image->width;
  view->height = image->height;
  view->planes[0] = image->data;
  view->strides[0] = image->stride;
}

gboolean
sly_image_check_size (const gchar * what, guint64 width, guint64 height,
    GError ** error)
{
  if (width == 0 || height == 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "%s has an empty size (%" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT ")",
        what, width, height);
    return FALSE;
  }
  if (width > SLY_IMAGE_MAX_SIDE || height > SLY_IMAGE_MAX_SIDE
      || width * height > SLY_IMAGE_MAX_PIXELS) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "%s is too large (%" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
        "; the limit is %d pixels a side and %d pixels)", what, width,
        height, SLY_IMAGE_MAX_SIDE, SLY_IMAGE_MAX_PIXELS);
    return FALSE;
  }
  return TRUE;
}

/* Bytes per pixel of plane 0 (for the YUV formats: the luma plane). */
gint
sly_pixel_format_bpp (SlyPixelFormat format)
{
  switch (format) {
    case SLY_PIXEL_GRAY8:
    case SLY_PIXEL_I420:
    case SLY_PIXEL_NV12:
      return 1;
    case SLY_PIXEL_RGB:
    case SLY_PIXEL_BGR:
      return 3;
    case SLY_PIXEL_RGBX:
    case SLY_PIXEL_BGRX:
    case SLY_PIXEL_XRGB:
    case SLY_PIXEL_XBGR:
      return 4;
  }
  return 0;
}

static gboolean
plane_ok (const SlyImageView * view, guint plane, gint min_stride,
    GError ** error)
{
  if (view->planes[plane] == NULL || view->strides[plane] < min_stride) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "plane %u of a %dx%d frame is missing or its stride %d is below %d",
        plane, view->width, view->height, view->strides[plane], min_stride);
    return FALSE;
  }
  return TRUE;
}

gboolean
sly_image_view_check (const SlyImageView * view, GError ** error)
{
  gint bpp = sly_pixel_format_bpp (view->format);
  gint chroma_width = (view->width + 1) / 2;

  if (bpp == 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "unknown pixel format %d", (gint) view->format);
    return FALSE;
  }
  if (view->width <= 0 || view->height <= 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "frame has an empty size (%dx%d)", view->width, view->height);
    return FALSE;
  }
  if (view->width > G_MAXINT / 4) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "frame width %d is too large", view->width);
    return FALSE;
  }
  if (!plane_ok (view, 0, view->width * bpp, error))
    return FALSE;
  if (view->format == SLY_PIXEL_I420)
    return plane_ok (view, 1, chroma_width, error)
        && plane_ok (view, 2, chroma_width, error);
  if (view->format == SLY_PIXEL_NV12)
    return plane_ok (view, 1, 2 * chroma_width, error);
  return TRUE;
}

static gboolean
is_png (const guint8 * data, gsize size)
{
  static const guint8 magic[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  return size >= sizeof magic && memcmp (data, magic, sizeof magic) == 0;
}

static gboolean
is_jpeg (const guint8 * data, gsize size)
{
  return size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff;
}

/**
 * sly_image_decode_rgb:
 *
 * Decodes a JPEG or PNG file, recognised by its first bytes, to RGB. PNG
 * alpha is dropped (not composited) and gray is replicated to R, G and B.
 */
SlyImage *
sly_image_decode_rgb (const guint8 * data, gsize size, GError ** error)
{
  SlyImage *image;

  g_return_val_if_fail (data != NULL || size == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (is_jpeg (data, size))
    return sly_jpeg_decode (data, size, error);
  if (!is_png (data, size)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "image data (%" G_GSIZE_FORMAT " bytes) is neither JPEG nor PNG", size);
    return NULL;
  }
  image = sly_png_decode (data, size, error);
  if (image != NULL && image->channels != 3) {
    SlyImageView view;
    SlyImage *rgb;

    sly_image_get_view (image, &view);
    rgb = sly_image_view_to_rgb (&view, error);
    sly_image_free (image);
    image = rgb;
  }
  return image;
}
