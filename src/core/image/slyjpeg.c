/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JPEG encoding and decoding in memory with libjpeg-turbo.
 *
 * libjpeg's default error handler calls exit(); ours copies the message and
 * longjmp()s back to the setjmp() in the calling function. Everything the
 * library touches, and whatever must be freed on failure, lives in one
 * heap-allocated context, so it is still valid after the jump, and
 * setjmp() sits in a tiny function with no locals to clobber.
 *
 * I420 and NV12 go through the raw-data interface: the planes are compressed
 * as they are (4:2:0), without a round trip through RGB.
 */
#include "slyimage-private.h"
#include "slyerror.h"

#include <stdio.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>
#include <string.h>

/* Progressive files may legally carry any number of scans, each a full pass
 * over the coefficients; a few thousand tiny scans make a small file cost
 * minutes. Real encoders write about ten. */
#define JPEG_MAX_SCANS 500

/* Size of the chunks the encoder appends to its output. */
#define JPEG_OUT_CHUNK 16384

typedef struct
{
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  gchar message[JMSG_LENGTH_MAX];
} JpegErrorMgr;

G_STATIC_ASSERT (JMSG_LENGTH_MAX <= SLY_IMAGE_MESSAGE_SIZE);

static void
jpeg_fail (j_common_ptr cinfo, const gchar * message)
{
  JpegErrorMgr *err = (JpegErrorMgr *) cinfo->err;

  g_strlcpy (err->message, message, sizeof err->message);
  longjmp (err->jump, 1);
}

static void
on_jpeg_error (j_common_ptr cinfo)
{
  gchar message[JMSG_LENGTH_MAX];

  cinfo->err->format_message (cinfo, message);
  jpeg_fail (cinfo, message);
}

/* Warnings about the entropy-coded data mean that libjpeg is about to fill
 * the rest of the image with gray: for us that is a broken file. Warnings
 * about metadata are harmless. */
static gboolean
warning_is_fatal (int code)
{
  switch (code) {
    case JWRN_ADOBE_XFORM:
    case JWRN_EXTRANEOUS_DATA:
    case JWRN_JFIF_MAJOR:
    case JWRN_BOGUS_ICC:
      return FALSE;
    default:
      return TRUE;
  }
}

static void
on_jpeg_message (j_common_ptr cinfo, int level)
{
  gchar message[JMSG_LENGTH_MAX];

  if (level >= 0)               /* trace messages */
    return;
  cinfo->err->format_message (cinfo, message);
  if (warning_is_fatal (cinfo->err->msg_code))
    jpeg_fail (cinfo, message);
  g_debug ("libjpeg: %s", message);
}

static void
jpeg_error_init (JpegErrorMgr * err)
{
  jpeg_std_error (&err->pub);
  err->pub.error_exit = on_jpeg_error;
  err->pub.emit_message = on_jpeg_message;
}

/* --- decoding --- */

typedef struct
{
  struct jpeg_decompress_struct cinfo;
  JpegErrorMgr err;
  struct jpeg_progress_mgr progress;
  SlyImage *image;
} JpegDecoder;

static void
on_decode_progress (j_common_ptr cinfo)
{
  j_decompress_ptr dinfo = (j_decompress_ptr) cinfo;

  if (dinfo->input_scan_number > JPEG_MAX_SCANS)
    jpeg_fail (cinfo, "too many progressive scans");
}

/* Runs inside the setjmp() scope. */
static void
jpeg_decode_header (JpegDecoder * dec, const guint8 * data, gsize size)
{
  j_decompress_ptr cinfo = &dec->cinfo;
  GError *error = NULL;

  jpeg_mem_src (cinfo, data, size);
  jpeg_read_header (cinfo, TRUE);
  if (!sly_image_check_size ("JPEG image", cinfo->image_width,
          cinfo->image_height, &error)) {
    gchar message[SLY_IMAGE_MESSAGE_SIZE];

    /* jpeg_fail() does not return: free the GError first */
    g_strlcpy (message, error->message, sizeof message);
    g_error_free (error);
    jpeg_fail ((j_common_ptr) cinfo, message);
  }
  cinfo->out_color_space = JCS_RGB;
  dec->progress.progress_monitor = on_decode_progress;
  cinfo->progress = &dec->progress;
}

/* Runs inside the setjmp() scope. */
static void
jpeg_decode_pixels (j_decompress_ptr cinfo, SlyImage * image)
{
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = image->data + (gsize) cinfo->output_scanline * image->stride;

    jpeg_read_scanlines (cinfo, &row, 1);
  }
  jpeg_finish_decompress (cinfo);
}

/* Runs inside the setjmp() scope; the image goes to dec->image so that the
 * error path can free it. */
static void
jpeg_decode_run (JpegDecoder * dec, const guint8 * data, gsize size)
{
  j_decompress_ptr cinfo = &dec->cinfo;

  jpeg_create_decompress (cinfo);
  jpeg_decode_header (dec, data, size);
  jpeg_start_decompress (cinfo);
  if (cinfo->output_components != 3)
    jpeg_fail ((j_common_ptr) cinfo, "cannot convert to RGB");
  dec->image = sly_image_new (cinfo->output_width, cinfo->output_height, 3);
  if (dec->image == NULL)
    jpeg_fail ((j_common_ptr) cinfo, "out of memory for the pixels");
  jpeg_decode_pixels (cinfo, dec->image);
}

/* The jump target must stay on the stack while libjpeg runs, so setjmp()
 * sits in this small frame with nothing to clobber. */
static gboolean
jpeg_decode_guarded (JpegDecoder * dec, const guint8 * data, gsize size)
{
  if (setjmp (dec->err.jump))
    return FALSE;
  jpeg_decode_run (dec, data, size);
  return TRUE;
}

static void
jpeg_decoder_free (JpegDecoder * dec)
{
  jpeg_destroy_decompress (&dec->cinfo);
  sly_image_free (dec->image);
  g_free (dec);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JpegDecoder, jpeg_decoder_free);

SlyImage *
sly_jpeg_decode (const guint8 * data, gsize size, GError ** error)
{
  g_autoptr (JpegDecoder) dec = NULL;

  g_return_val_if_fail (data != NULL || size == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (size < 3 || data[0] != 0xff || data[1] != 0xd8) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "data (%" G_GSIZE_FORMAT " bytes) is not a JPEG file", size);
    return NULL;
  }

  dec = g_new0 (JpegDecoder, 1);
  dec->cinfo.err = &dec->err.pub;
  jpeg_error_init (&dec->err);
  if (!jpeg_decode_guarded (dec, data, size)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE, "invalid JPEG: %s",
        dec->err.message);
    return NULL;
  }
  return g_steal_pointer (&dec->image);
}

/* --- encoding --- */

typedef struct
{
  struct jpeg_compress_struct cinfo;
  JpegErrorMgr err;
  struct jpeg_destination_mgr dest;
  GByteArray *out;
  guint8 chunk[JPEG_OUT_CHUNK];
  /* raw mode: MCU rows padded to whole blocks, 16 luma + 2 x 8 chroma */
  guint8 *scratch;
} JpegEncoder;

static void
dest_init (j_compress_ptr cinfo)
{
  JpegEncoder *enc = (JpegEncoder *) cinfo;

  enc->dest.next_output_byte = enc->chunk;
  enc->dest.free_in_buffer = sizeof enc->chunk;
}

static boolean
dest_flush_chunk (j_compress_ptr cinfo)
{
  JpegEncoder *enc = (JpegEncoder *) cinfo;

  g_byte_array_append (enc->out, enc->chunk, sizeof enc->chunk);
  dest_init (cinfo);
  return TRUE;
}

static void
dest_term (j_compress_ptr cinfo)
{
  JpegEncoder *enc = (JpegEncoder *) cinfo;

  g_byte_array_append (enc->out, enc->chunk,
      sizeof enc->chunk - enc->dest.free_in_buffer);
}

static J_COLOR_SPACE
jpeg_color_space_for (SlyPixelFormat format)
{
  static const struct
  {
    SlyPixelFormat format;
    J_COLOR_SPACE space;
  } table[] = {
    {SLY_PIXEL_GRAY8, JCS_GRAYSCALE},
    {SLY_PIXEL_RGB, JCS_EXT_RGB},
    {SLY_PIXEL_BGR, JCS_EXT_BGR},
    {SLY_PIXEL_RGBX, JCS_EXT_RGBX},
    {SLY_PIXEL_BGRX, JCS_EXT_BGRX},
    {SLY_PIXEL_XRGB, JCS_EXT_XRGB},
    {SLY_PIXEL_XBGR, JCS_EXT_XBGR},
    {SLY_PIXEL_I420, JCS_YCbCr},
    {SLY_PIXEL_NV12, JCS_YCbCr},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (table); i++) {
    if (table[i].format == format)
      return table[i].space;
  }
  return JCS_UNKNOWN;
}

/* Runs inside the setjmp() scope. */
static void
jpeg_encode_packed (j_compress_ptr cinfo, const SlyImageView * view)
{
  jpeg_start_compress (cinfo, TRUE);
  while (cinfo->next_scanline < cinfo->image_height) {
    /* libjpeg only reads the rows it is given, despite the non-const type */
    JSAMPROW row = (JSAMPROW) view->planes[0]
        + (gsize) cinfo->next_scanline * view->strides[0];

    jpeg_write_scanlines (cinfo, &row, 1);
  }
  jpeg_finish_compress (cinfo);
}

/* Copies @width samples, @step bytes apart, to @dst and repeats the last one
 * up to @padded_width. */
static void
copy_padded (guint8 * dst, const guint8 * src, gint step, gint width,
    gint padded_width)
{
  gint x;

  if (step == 1) {
    memcpy (dst, src, width);
  } else {
    for (x = 0; x < width; x++)
      dst[x] = src[x * step];
  }
  memset (dst + width, dst[width - 1], padded_width - width);
}

typedef struct
{
  gint luma_width;              /* padded to the 16-pixel MCU */
  gint chroma_width;            /* of the frame: (width + 1) / 2 */
  gint chroma_height;
  JSAMPROW luma[2 * DCTSIZE];
  JSAMPROW cb[DCTSIZE];
  JSAMPROW cr[DCTSIZE];
} RawRows;

/* Points @rows at the MCU row starting at luma row @y0. Rows past the bottom
 * repeat the last one; rows that are not whole blocks wide (and NV12's
 * interleaved chroma) are copied into padded scratch rows. */
static void
raw_rows_fill (RawRows * rows, const SlyImageView * view, gint y0,
    guint8 * scratch)
{
  gboolean direct = view->width == rows->luma_width;
  gint cpad = rows->luma_width / 2;
  guint8 *cb_scratch = scratch + 2 * DCTSIZE * rows->luma_width;
  guint8 *cr_scratch = cb_scratch + DCTSIZE * cpad;
  gint i;

  for (i = 0; i < 2 * DCTSIZE; i++) {
    const guint8 *src = view->planes[0]
        + (gsize) MIN (y0 + i, view->height - 1) * view->strides[0];

    rows->luma[i] = scratch + i * rows->luma_width;
    if (direct)
      rows->luma[i] = (JSAMPROW) src;
    else
      copy_padded (rows->luma[i], src, 1, view->width, rows->luma_width);
  }
  for (i = 0; i < DCTSIZE; i++) {
    gsize row = MIN (y0 / 2 + i, rows->chroma_height - 1);
    const guint8 *u = view->planes[1] + row * view->strides[1];
    const guint8 *v = view->format == SLY_PIXEL_NV12 ? u + 1
        : view->planes[2] + row * view->strides[2];
    gint step = view->format == SLY_PIXEL_NV12 ? 2 : 1;

    rows->cb[i] = cb_scratch + i * cpad;
    rows->cr[i] = cr_scratch + i * cpad;
    if (direct && step == 1) {
      rows->cb[i] = (JSAMPROW) u;
      rows->cr[i] = (JSAMPROW) v;
    } else {
      copy_padded (rows->cb[i], u, step, rows->chroma_width, cpad);
      copy_padded (rows->cr[i], v, step, rows->chroma_width, cpad);
    }
  }
}

/* Runs inside the setjmp() scope. */
static void
jpeg_encode_raw (JpegEncoder * enc, const SlyImageView * view)
{
  j_compress_ptr cinfo = &enc->cinfo;
  RawRows rows;
  JSAMPARRAY planes[3] = { rows.luma, rows.cb, rows.cr };
  gint y0;

  rows.luma_width = (view->width + 15) / 16 * 16;
  rows.chroma_width = (view->width + 1) / 2;
  rows.chroma_height = (view->height + 1) / 2;
  /* 16 luma rows and 2 x 8 chroma rows of half the width */
  enc->scratch = g_malloc (3 * DCTSIZE * rows.luma_width);

  cinfo->raw_data_in = TRUE;
  cinfo->comp_info[0].h_samp_factor = 2;
  cinfo->comp_info[0].v_samp_factor = 2;
  cinfo->comp_info[1].h_samp_factor = cinfo->comp_info[1].v_samp_factor = 1;
  cinfo->comp_info[2].h_samp_factor = cinfo->comp_info[2].v_samp_factor = 1;
  jpeg_start_compress (cinfo, TRUE);
  for (y0 = 0; y0 < view->height; y0 += 2 * DCTSIZE) {
    raw_rows_fill (&rows, view, y0, enc->scratch);
    jpeg_write_raw_data (cinfo, planes, 2 * DCTSIZE);
  }
  jpeg_finish_compress (cinfo);
}

static void
jpeg_encoder_free (JpegEncoder * enc)
{
  jpeg_destroy_compress (&enc->cinfo);
  if (enc->out)
    g_byte_array_unref (enc->out);
  g_free (enc->scratch);
  g_free (enc);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JpegEncoder, jpeg_encoder_free);

/* Runs inside the setjmp() scope. */
static void
jpeg_encode_run (JpegEncoder * enc, const SlyImageView * view, gint quality)
{
  j_compress_ptr cinfo = &enc->cinfo;
  J_COLOR_SPACE space = jpeg_color_space_for (view->format);

  jpeg_create_compress (cinfo);
  enc->out = g_byte_array_sized_new (JPEG_OUT_CHUNK);
  enc->dest.init_destination = dest_init;
  enc->dest.empty_output_buffer = dest_flush_chunk;
  enc->dest.term_destination = dest_term;
  cinfo->dest = &enc->dest;
  cinfo->image_width = view->width;
  cinfo->image_height = view->height;
  cinfo->in_color_space = space;
  cinfo->input_components = space == JCS_YCbCr ? 3
      : sly_pixel_format_bpp (view->format);
  jpeg_set_defaults (cinfo);
  jpeg_set_quality (cinfo, quality, TRUE);

  if (space == JCS_YCbCr)
    jpeg_encode_raw (enc, view);
  else
    jpeg_encode_packed (cinfo, view);
}

static gboolean
jpeg_encode_guarded (JpegEncoder * enc, const SlyImageView * view, gint quality)
{
  if (setjmp (enc->err.jump))
    return FALSE;
  jpeg_encode_run (enc, view, quality);
  return TRUE;
}

GBytes *
sly_jpeg_encode (const SlyImageView * view, gint quality, GError ** error)
{
  g_autoptr (JpegEncoder) enc = NULL;

  g_return_val_if_fail (view != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sly_image_view_check (view, error))
    return NULL;
  if (quality < 1 || quality > 100) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "JPEG quality %d is not within 1..100", quality);
    return NULL;
  }

  enc = g_new0 (JpegEncoder, 1);
  enc->cinfo.err = &enc->err.pub;
  jpeg_error_init (&enc->err);
  if (!jpeg_encode_guarded (enc, view, quality)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE,
        "cannot encode a %dx%d JPEG: %s", view->width, view->height,
        enc->err.message);
    return NULL;
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&enc->out));
}
