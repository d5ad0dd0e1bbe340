/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Conversion of any SlyImageView to RGB, for PNG encoding of video frames
 * and for callers that want plain RGB pixels.
 */
#include "slyimage-private.h"
#include "slyerror.h"

/* Byte offsets of R, G and B inside one packed pixel. */
typedef struct
{
  gint r, g, b;
} PackedLayout;

static gboolean
packed_layout (SlyPixelFormat format, PackedLayout * layout)
{
  static const struct
  {
    SlyPixelFormat format;
    PackedLayout layout;
  } table[] = {
    {SLY_PIXEL_GRAY8, {0, 0, 0}},
    {SLY_PIXEL_RGB, {0, 1, 2}},
    {SLY_PIXEL_BGR, {2, 1, 0}},
    {SLY_PIXEL_RGBX, {0, 1, 2}},
    {SLY_PIXEL_BGRX, {2, 1, 0}},
    {SLY_PIXEL_XRGB, {1, 2, 3}},
    {SLY_PIXEL_XBGR, {3, 2, 1}},
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

static void
packed_row_to_rgb (const guint8 * src, gint bpp, const PackedLayout * layout,
    guint8 * dst, gint width)
{
  gint x;

  for (x = 0; x < width; x++, src += bpp, dst += 3) {
    dst[0] = src[layout->r];
    dst[1] = src[layout->g];
    dst[2] = src[layout->b];
  }
}

static inline guint8
clamp_u8 (gint v)
{
  return v < 0 ? 0 : (v > 255 ? 255 : v);
}

/* JFIF YCbCr -> RGB in 16.16 fixed point, rounded. */
static inline void
ycbcr_to_rgb (gint y, gint cb, gint cr, guint8 * dst)
{
  cb -= 128;
  cr -= 128;
  y <<= 16;
  dst[0] = clamp_u8 ((y + 91881 * cr + 32768) >> 16);
  dst[1] = clamp_u8 ((y - 22554 * cb - 46802 * cr + 32768) >> 16);
  dst[2] = clamp_u8 ((y + 116130 * cb + 32768) >> 16);
}

/* @cb_step is 1 for I420 planes, 2 for NV12's interleaved CbCr row. */
static void
yuv_row_to_rgb (const guint8 * y, const guint8 * cb, const guint8 * cr,
    gint cb_step, guint8 * dst, gint width)
{
  gint x;

  for (x = 0; x < width; x++, dst += 3) {
    gint c = (x / 2) * cb_step;

    ycbcr_to_rgb (y[x], cb[c], cr[c], dst);
  }
}

static void
view_row_to_rgb (const SlyImageView * view, gint row, guint8 * dst)
{
  const guint8 *luma = view->planes[0] + (gsize) row * view->strides[0];
  PackedLayout layout;

  if (view->format == SLY_PIXEL_I420) {
    const guint8 *cb = view->planes[1] + (gsize) (row / 2) * view->strides[1];
    const guint8 *cr = view->planes[2] + (gsize) (row / 2) * view->strides[2];

    yuv_row_to_rgb (luma, cb, cr, 1, dst, view->width);
  } else if (view->format == SLY_PIXEL_NV12) {
    const guint8 *cbcr = view->planes[1] + (gsize) (row / 2) * view->strides[1];

    yuv_row_to_rgb (luma, cbcr, cbcr + 1, 2, dst, view->width);
  } else if (packed_layout (view->format, &layout)) {
    packed_row_to_rgb (luma, sly_pixel_format_bpp (view->format), &layout,
        dst, view->width);
  }
}

SlyImage *
sly_image_view_to_rgb (const SlyImageView * view, GError ** error)
{
  SlyImage *rgb;
  gint row;

  g_return_val_if_fail (view != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sly_image_view_check (view, error)
      || !sly_image_check_size ("frame", view->width, view->height, error))
    return NULL;

  rgb = sly_image_new (view->width, view->height, 3);
  if (rgb == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "out of memory for a %dx%d RGB image", view->width, view->height);
    return NULL;
  }
  for (row = 0; row < view->height; row++)
    view_row_to_rgb (view, row, rgb->data + (gsize) row * rgb->stride);
  return rgb;
}
