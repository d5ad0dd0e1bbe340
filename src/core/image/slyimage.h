/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Image encoding and decoding for uploads and masks: JPEG (libjpeg-turbo)
 * straight from planar YUV or packed RGB variants, PNG both ways.
 * GStreamer-free: formats are described by SlyPixelFormat.
 */
#ifndef __SLY_IMAGE_H__
#define __SLY_IMAGE_H__

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SLY_PIXEL_GRAY8,
  SLY_PIXEL_RGB,
  SLY_PIXEL_BGR,
  SLY_PIXEL_RGBX,               /* also RGBA: the 4th byte is ignored */
  SLY_PIXEL_BGRX,               /* also BGRA */
  SLY_PIXEL_XRGB,               /* also ARGB */
  SLY_PIXEL_XBGR,               /* also ABGR */
  SLY_PIXEL_I420,
  SLY_PIXEL_NV12,
} SlyPixelFormat;

/* A frame in memory; planes and strides as GstVideoFrame gives them.
 * Packed formats use plane 0 only; I420 uses 3 planes, NV12 2. */
typedef struct
{
  SlyPixelFormat format;
  gint width;
  gint height;
  const guint8 *planes[3];
  gint strides[3];
} SlyImageView;

/* An owned 8-bit image: 1 (gray), 3 (RGB) or 4 (RGBA) channels. */
typedef struct
{
  gint width;
  gint height;
  gint channels;
  gint stride;
  guint8 *data;
} SlyImage;

/* Pixels uninitialised, stride = width * channels. Returns NULL when the
 * memory is not available (decoders turn that into an error). */
SlyImage *sly_image_new (gint width, gint height, gint channels);
void sly_image_free (SlyImage * image);

/* Errors: SLY_ERROR_INVALID_ARGUMENT for a bad view (missing plane, stride
 * below the row size, empty size) or quality; SLY_ERROR_IMAGE for data that
 * cannot be decoded or encoded. Nothing here aborts on bad input. */

/* quality 1..100. Returns the JPEG file bytes. I420 and NV12 planes are
 * compressed as they are (4:2:0, no colour conversion): the JPEG declares
 * JFIF YCbCr, which is full range, so limited-range video decodes with
 * slightly reduced contrast. Packed formats and GRAY8 are converted by
 * libjpeg-turbo. */
GBytes *sly_jpeg_encode (const SlyImageView * view, gint quality,
    GError ** error);
/* Decodes to RGB (3 channels). Truncated or corrupt entropy-coded data is
 * an error, not a gray-filled image. Same size limits as PNG. */
SlyImage *sly_jpeg_decode (const guint8 * data, gsize size, GError ** error);

/* 8-bit PNG: GRAY8 as gray, everything else as RGB (X bytes dropped; I420
 * and NV12 converted as sly_image_view_to_rgb() does). */
GBytes *sly_png_encode (const SlyImageView * view, GError ** error);
/* Encodes an owned image (1, 3 or 4 channels) as PNG. */
GBytes *sly_png_encode_image (const SlyImage * image, GError ** error);
/* Decodes to 1 (gray), 3 (RGB) or 4 (RGBA) channels as stored; palette
 * images with tRNS decode to RGBA, without tRNS to RGB; gray with alpha
 * (or with tRNS) decodes to RGBA with the gray value in R, G and B; 16-bit
 * samples are scaled to 8 bits; interlaced images are supported. Images
 * larger than 16384 pixels a side or 100 Mpixel are refused. */
SlyImage *sly_png_decode (const guint8 * data, gsize size, GError ** error);

/* Converts any frame to an owned RGB image. I420 and NV12 are read as JFIF
 * (full-range BT.601) YCbCr, the way sly_jpeg_encode() stores them, with
 * each chroma sample covering 2x2 pixels; X bytes are ignored. */
SlyImage *sly_image_view_to_rgb (const SlyImageView * view, GError ** error);

/* Describes an owned image (1, 3 or 4 channels) as a GRAY8, RGB or RGBX
 * view. */
void sly_image_get_view (const SlyImage * image, SlyImageView * view);

/* Sniffs JPEG / PNG and decodes to RGB (3 channels); PNG alpha is dropped.
 * Anything else is a SLY_ERROR_IMAGE error. */
SlyImage *sly_image_decode_rgb (const guint8 * data, gsize size,
    GError ** error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyImage, sly_image_free)

G_END_DECLS

#endif /* __SLY_IMAGE_H__ */
