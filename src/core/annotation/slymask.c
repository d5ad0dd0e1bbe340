/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bitmap and alpha masks and their protocol.md 6.5 encoding:
 * base64 (zlib (PNG)). The PNG codec itself is in slyimage.c.
 */
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "slyannotation-private.h"
#include "slyerror.h"
#include "slyimage.h"

/* Inflated PNG files larger than this are refused (decompression bombs):
 * a 100 Mpixel RGBA PNG stored without compression still fits. */
#define MAX_INFLATED_SIZE ((gsize) 512 * 1024 * 1024)

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
  0x1a, '\n'
};

SlyMask *
sly_mask_new (gint origin_x, gint origin_y, gint width, gint height)
{
  SlyMask *mask;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail ((gint64) width * height <= SLY_MAX_MASK_PIXELS, NULL);

  mask = g_new0 (SlyMask, 1);
  mask->origin_x = origin_x;
  mask->origin_y = origin_y;
  mask->width = width;
  mask->height = height;
  mask->data = g_malloc0 ((gsize) width * height);
  return mask;
}

void
sly_mask_free (SlyMask * mask)
{
  if (mask == NULL)
    return;
  g_free (mask->data);
  g_free (mask);
}

SlyMask *
sly_mask_copy (const SlyMask * mask)
{
  SlyMask *copy = g_memdup2 (mask, sizeof (*mask));

  copy->data = g_memdup2 (mask->data, (gsize) mask->width * mask->height);
  return copy;
}

/* Nearest neighbour: each new pixel takes the old pixel under its centre. */
SlyMask *
sly_mask_scale (const SlyMask * mask, gdouble sx, gdouble sy)
{
  gdouble fx = floor (mask->origin_x * sx), fy = floor (mask->origin_y * sy);
  gdouble fw = round ((mask->origin_x + (gdouble) mask->width) * sx) - fx;
  gdouble fh = round ((mask->origin_y + (gdouble) mask->height) * sy) - fy;
  gint ox = (gint) CLAMP (fx, -SLY_MAX_COORD, SLY_MAX_COORD);
  gint oy = (gint) CLAMP (fy, -SLY_MAX_COORD, SLY_MAX_COORD);
  gint w = (gint) CLAMP (fw, 1, SLY_MAX_SIDE);
  gint h = (gint) CLAMP (fh, 1, SLY_MAX_SIDE);
  SlyMask *out;

  /* an absurd factor must not allocate an absurd mask */
  while ((gint64) w * h > SLY_MAX_MASK_PIXELS) {
    w = MAX (1, w / 2);
    h = MAX (1, h / 2);
  }
  out = sly_mask_new (ox, oy, w, h);
  for (gint i = 0; i < h; i++) {
    gint si = (gint) floor ((oy + i + 0.5) / sy) - mask->origin_y;

    si = CLAMP (si, 0, mask->height - 1);
    for (gint j = 0; j < w; j++) {
      gint sj = (gint) floor ((ox + j + 0.5) / sx) - mask->origin_x;

      sj = CLAMP (sj, 0, mask->width - 1);
      out->data[(gsize) i * w + j] = mask->data[(gsize) si * mask->width + sj];
    }
  }
  return out;
}

/* ---- encoding ---- */

gchar *
sly_mask_encode_full (const SlyMask * mask, gboolean binary, GError ** error)
{
  g_autoptr (SlyImage) image = sly_image_new (mask->width, mask->height, 1);
  g_autoptr (GBytes) png = NULL;
  g_autofree guint8 *zbuf = NULL;
  const guint8 *png_data;
  gsize png_size;
  uLongf zsize;

  for (gint i = 0; i < mask->height; i++) {
    const guint8 *src = mask->data + (gsize) i * mask->width;
    guint8 *dst = image->data + (gsize) i * image->stride;

    for (gint j = 0; j < mask->width; j++)
      dst[j] = binary ? (src[j] ? 255 : 0) : src[j];
  }
  png = sly_png_encode_image (image, error);
  if (png == NULL)
    return NULL;
  png_data = g_bytes_get_data (png, &png_size);
  zsize = compressBound (png_size);
  zbuf = g_malloc (zsize);
  if (compress2 (zbuf, &zsize, png_data, png_size, Z_BEST_COMPRESSION) != Z_OK) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "could not zlib-compress a %dx%d mask", mask->width, mask->height);
    return NULL;
  }
  return g_base64_encode (zbuf, zsize);
}

gchar *
sly_mask_encode (const SlyMask * mask)
{
  g_autoptr (GError) error = NULL;
  gchar *b64 = sly_mask_encode_full (mask, TRUE, &error);

  if (b64 == NULL)
    g_warning ("mask encoding failed: %s", error->message);
  return b64;
}

/* ---- decoding ---- */

static gboolean
is_base64 (const gchar * s)
{
  gsize n = 0;

  for (; *s; s++) {
    if (g_ascii_isalnum (*s) || *s == '+' || *s == '/' || *s == '=')
      n++;
    else if (!g_ascii_isspace (*s))
      return FALSE;
  }
  return n > 0;
}

static gboolean
is_zlib_header (const guint8 * d, gsize n)
{
  return n >= 2 && (d[0] & 0x0f) == 8 && (d[0] >> 4) <= 7 &&
      ((d[0] << 8) | d[1]) % 31 == 0;
}

static guint32
read_be32 (const guint8 * p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_BE (v);
}

/* What a PNG of the size its IHDR claims can need once inflated: 16-bit
 * RGBA rows with their filter bytes, stored without compression, plus room
 * for other chunks. Larger streams are decompression bombs. */
static gsize
inflate_limit (const guint8 * d)
{
  guint64 w = read_be32 (d + 16), h = read_be32 (d + 20);

  if (memcmp (d, png_signature, 8) != 0 || w * h > SLY_MAX_MASK_PIXELS)
    return 0;
  return MIN ((gsize) (w * h * 8 + h * 2 + 1024 * 1024), MAX_INFLATED_SIZE);
}

static GBytes *
inflate_bounded (const guint8 * data, gsize size, GError ** error)
{
  z_stream zs = { 0 };
  gsize limit = MAX_INFLATED_SIZE;
  gsize cap = MAX (size * 4, 4096);
  guint8 *out = g_malloc (cap);
  gboolean header_seen = FALSE;
  int ret = Z_OK;

  if (inflateInit (&zs) != Z_OK) {
    g_free (out);
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "zlib init failed");
    return NULL;
  }
  zs.next_in = (Bytef *) data;
  zs.avail_in = (uInt) MIN (size, G_MAXUINT);
  do {
    if (!header_seen && zs.total_out >= 24) {
      header_seen = TRUE;
      /* not a PNG (or an oversized one): check_png_header says why */
      limit = MAX (inflate_limit (out), 24);
    }
    if (zs.total_out >= limit)
      break;
    if (zs.total_out == cap) {
      cap = MIN (cap * 2, limit);
      out = g_realloc (out, cap);
    }
    zs.next_out = out + zs.total_out;
    zs.avail_out = (uInt) MIN (cap - zs.total_out, G_MAXUINT);
    ret = inflate (&zs, Z_NO_FLUSH);
  } while (ret == Z_OK);
  inflateEnd (&zs);

  if (ret == Z_STREAM_END || (header_seen && limit == 24)) {
    /* a stream that is not a PNG is cut short and refused by the caller */
    return g_bytes_new_take (out, zs.total_out);
  }
  g_free (out);
  if (zs.total_out >= limit)
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "bitmap data inflates beyond %" G_GSIZE_FORMAT " bytes", limit);
  else
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "bitmap data is not a valid zlib stream (%s)",
        ret == Z_BUF_ERROR ? "truncated" : "corrupt");
  return NULL;
}

/* The IHDR size is checked before the PNG decoder allocates anything. */
static gboolean
check_png_header (const guint8 * d, gsize n, GError ** error)
{
  guint32 w, h;

  if (n < 33 || memcmp (d, png_signature, 8) != 0 ||
      memcmp (d + 12, "IHDR", 4) != 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "bitmap data is not a PNG image");
    return FALSE;
  }
  w = read_be32 (d + 16);
  h = read_be32 (d + 20);
  if (w == 0 || h == 0 || w > SLY_MAX_SIDE || h > SLY_MAX_SIDE ||
      (guint64) w * h > SLY_MAX_MASK_PIXELS) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "bitmap PNG size %ux%u is empty or too large", w, h);
    return FALSE;
  }
  return TRUE;
}

/* Opacity of one pixel: grey value, alpha for grey+alpha / RGBA (palette
 * with tRNS decodes to RGBA), and for RGB the largest channel, so that
 * "any channel > 0" is inside. */
static guint8
pixel_value (const guint8 * p, gint channels)
{
  switch (channels) {
    case 1:
      return p[0];
    case 2:
      return p[1];
    case 3:
      return MAX (p[0], MAX (p[1], p[2]));
    default:
      return p[3];
  }
}

static SlyMask *
mask_from_image (const SlyImage * image, gint ox, gint oy, gboolean binary,
    GError ** error)
{
  SlyMask *mask;

  if (image->channels < 1 || image->channels > 4 || image->width <= 0 ||
      image->height <= 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "bitmap PNG has an unsupported layout (%d channels)", image->channels);
    return NULL;
  }
  mask = sly_mask_new (ox, oy, image->width, image->height);
  for (gint i = 0; i < image->height; i++) {
    const guint8 *row = image->data + (gsize) i * image->stride;

    for (gint j = 0; j < image->width; j++) {
      guint8 v = pixel_value (row + (gsize) j * image->channels,
          image->channels);

      mask->data[(gsize) i * image->width + j] = binary ? (v ? 255 : 0) : v;
    }
  }
  return mask;
}

SlyMask *
sly_mask_decode_full (const gchar * b64, gint origin_x, gint origin_y,
    gboolean binary, GError ** error)
{
  g_autofree guint8 *raw = NULL;
  g_autoptr (GBytes) png = NULL;
  g_autoptr (SlyImage) image = NULL;
  const guint8 *png_data;
  gsize raw_size, png_size;

  if (b64 == NULL || !is_base64 (b64)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "bitmap data is not base64");
    return NULL;
  }
  raw = g_base64_decode (b64, &raw_size);
  /* the SDK falls back to reading the payload as an image when it is not
   * zlib data; a PNG signature never looks like a zlib header */
  if (is_zlib_header (raw, raw_size)) {
    png = inflate_bounded (raw, raw_size, error);
    if (png == NULL)
      return NULL;
  } else {
    png = g_bytes_new_static (raw, raw_size);
  }
  png_data = g_bytes_get_data (png, &png_size);
  if (!check_png_header (png_data, png_size, error))
    return NULL;
  image = sly_png_decode (png_data, png_size, error);
  if (image == NULL)
    return NULL;
  return mask_from_image (image, origin_x, origin_y, binary, error);
}

SlyMask *
sly_mask_decode (const gchar * b64, gint origin_x, gint origin_y,
    GError ** error)
{
  return sly_mask_decode_full (b64, origin_x, origin_y, TRUE, error);
}
