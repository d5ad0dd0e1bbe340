/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Frame to upload bytes for slymodelinfer; see the header.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyframeencoder.h"
#include "slyimage.h"
#include "slyerror.h"

static const struct
{
  GstVideoFormat video;
  SlyPixelFormat sly;
} pixel_formats[] = {
  {GST_VIDEO_FORMAT_I420, SLY_PIXEL_I420},
  {GST_VIDEO_FORMAT_NV12, SLY_PIXEL_NV12},
  {GST_VIDEO_FORMAT_RGB, SLY_PIXEL_RGB},
  {GST_VIDEO_FORMAT_BGR, SLY_PIXEL_BGR},
  {GST_VIDEO_FORMAT_RGBx, SLY_PIXEL_RGBX},
  {GST_VIDEO_FORMAT_RGBA, SLY_PIXEL_RGBX},
  {GST_VIDEO_FORMAT_BGRx, SLY_PIXEL_BGRX},
  {GST_VIDEO_FORMAT_BGRA, SLY_PIXEL_BGRX},
  {GST_VIDEO_FORMAT_xRGB, SLY_PIXEL_XRGB},
  {GST_VIDEO_FORMAT_ARGB, SLY_PIXEL_XRGB},
  {GST_VIDEO_FORMAT_xBGR, SLY_PIXEL_XBGR},
  {GST_VIDEO_FORMAT_ABGR, SLY_PIXEL_XBGR},
  {GST_VIDEO_FORMAT_GRAY8, SLY_PIXEL_GRAY8},
};

/* The alpha byte of RGBA and friends is ignored, so they map to RGBx. */
static gboolean
pixel_format_of (GstVideoFormat format, SlyPixelFormat * out)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (pixel_formats); i++) {
    if (pixel_formats[i].video == format) {
      *out = pixel_formats[i].sly;
      return TRUE;
    }
  }
  return FALSE;
}

struct _GstSlyFrameEncoder
{
  gboolean is_jpeg;
  GstVideoInfo info;            /* of the input */
  GstVideoInfo scaled_info;     /* of the scaled frames, when scaling */
  GstVideoRectangle source;     /* the part of the frame the converter reads */
  GstVideoConverter *converter; /* source -> scaled_info, NULL when not */
  GstBuffer *scaled;            /* the scaled frame, reused */
};

GstSlyFrameEncoder *
gst_sly_frame_encoder_new (void)
{
  GstSlyFrameEncoder *enc = g_new0 (GstSlyFrameEncoder, 1);

  enc->is_jpeg = TRUE;
  return enc;
}

static void
drop_converter (GstSlyFrameEncoder * enc)
{
  g_clear_pointer (&enc->converter, gst_video_converter_free);
  gst_clear_buffer (&enc->scaled);
}

void
gst_sly_frame_encoder_free (GstSlyFrameEncoder * enc)
{
  drop_converter (enc);
  g_free (enc);
}

void
gst_sly_frame_encoder_set_info (GstSlyFrameEncoder * enc,
    const GstVideoInfo * info)
{
  /* the same caps again (a pooled encoder): keep the converter */
  if (info != NULL && !enc->is_jpeg && gst_video_info_is_equal (info,
          &enc->info))
    return;
  drop_converter (enc);
  enc->is_jpeg = (info == NULL);
  if (info != NULL)
    enc->info = *info;
}

/* The size that fits @max_size on the longest side of @w x @h, aspect
 * kept; even for the subsampled formats. */
static void
fit_size (gint w, gint h, guint max_size, gint * width, gint * height)
{
  gdouble f = max_size > 0 && (guint) MAX (w, h) > max_size ?
      (gdouble) max_size / MAX (w, h) : 1.0;

  *width = MAX (2, (gint) (w * f + 0.5)) & ~1;
  *height = MAX (2, (gint) (h * f + 0.5)) & ~1;
}

static gboolean
same_rect (const GstVideoRectangle * a, const GstVideoRectangle * b)
{
  return a->x == b->x && a->y == b->y && a->w == b->w && a->h == b->h;
}

/* called when the converter for @source to @w x @h is missing */
static void
make_converter (GstSlyFrameEncoder * enc, const GstVideoRectangle * source,
    gint w, gint h)
{
  GstVideoInfo *out = &enc->scaled_info;

  drop_converter (enc);
  enc->source = *source;
  gst_video_info_set_format (out, GST_VIDEO_INFO_FORMAT (&enc->info), w, h);
  /* only the size changes */
  GST_VIDEO_INFO_FPS_N (out) = GST_VIDEO_INFO_FPS_N (&enc->info);
  GST_VIDEO_INFO_FPS_D (out) = GST_VIDEO_INFO_FPS_D (&enc->info);
  GST_VIDEO_INFO_PAR_N (out) = GST_VIDEO_INFO_PAR_N (&enc->info);
  GST_VIDEO_INFO_PAR_D (out) = GST_VIDEO_INFO_PAR_D (&enc->info);
  GST_VIDEO_INFO_COLORIMETRY (out) = GST_VIDEO_INFO_COLORIMETRY (&enc->info);
  GST_VIDEO_INFO_CHROMA_SITE (out) = GST_VIDEO_INFO_CHROMA_SITE (&enc->info);
  /* linear: the model shrinks the image anyway; one thread, as the
   * encode runs on its own */
  enc->converter = gst_video_converter_new (&enc->info, out,
      gst_structure_new ("options",
          GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD,
          GST_TYPE_VIDEO_RESAMPLER_METHOD, GST_VIDEO_RESAMPLER_METHOD_LINEAR,
          GST_VIDEO_CONVERTER_OPT_SRC_X, G_TYPE_INT, source->x,
          GST_VIDEO_CONVERTER_OPT_SRC_Y, G_TYPE_INT, source->y,
          GST_VIDEO_CONVERTER_OPT_SRC_WIDTH, G_TYPE_INT, source->w,
          GST_VIDEO_CONVERTER_OPT_SRC_HEIGHT, G_TYPE_INT, source->h,
          GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, 1, NULL));
  enc->scaled = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (out), NULL);
}

/* The @crop of the frame (NULL: all of it) scaled to @max_size, or
 * @buffer itself when neither applies. The converter is made once per
 * caps, crop and size. */
static GstBuffer *
scale_frame (GstSlyFrameEncoder * enc, GstBuffer * buffer,
    const GstVideoRectangle * crop, guint max_size,
    const GstVideoInfo ** info, GError ** error)
{
  GstVideoRectangle all = { 0, 0, GST_VIDEO_INFO_WIDTH (&enc->info),
    GST_VIDEO_INFO_HEIGHT (&enc->info)
  };
  const GstVideoRectangle *source = crop ? crop : &all;
  GstVideoFrame in, out;
  gint w, h;

  *info = &enc->info;
  fit_size (source->w, source->h, max_size, &w, &h);
  if (crop == NULL && w == all.w && h == all.h)
    return gst_buffer_ref (buffer);

  if (enc->converter == NULL || GST_VIDEO_INFO_WIDTH (&enc->scaled_info) != w
      || GST_VIDEO_INFO_HEIGHT (&enc->scaled_info) != h ||
      !same_rect (&enc->source, source))
    make_converter (enc, source, w, h);
  if (enc->converter == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE, "cannot scale %dx%d %s "
        "frames to %dx%d", source->w, source->h,
        gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&enc->info)), w, h);
    return NULL;
  }
  if (!gst_video_frame_map (&in, &enc->info, buffer, GST_MAP_READ)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE, "cannot map the frame");
    return NULL;
  }
  if (!gst_video_frame_map (&out, &enc->scaled_info, enc->scaled,
          GST_MAP_WRITE)) {
    gst_video_frame_unmap (&in);
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE, "cannot map a frame");
    return NULL;
  }
  gst_video_converter_frame (enc->converter, &in, &out);
  gst_video_frame_unmap (&out);
  gst_video_frame_unmap (&in);
  *info = &enc->scaled_info;
  return gst_buffer_ref (enc->scaled);
}

static GBytes *
encode_raw (const GstVideoInfo * info, GstBuffer * buffer, gboolean png,
    gint quality, const gchar ** content_type, GError ** error)
{
  GstVideoFrame frame;
  SlyImageView view = { 0, };
  GBytes *bytes;
  guint i;

  if (!pixel_format_of (GST_VIDEO_INFO_FORMAT (info), &view.format)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE, "unsupported format %s",
        gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (info)));
    return NULL;
  }
  if (!gst_video_frame_map (&frame, (GstVideoInfo *) info, buffer,
          GST_MAP_READ)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_IMAGE, "cannot map the frame "
        "(a buffer of %" G_GSIZE_FORMAT " bytes for %dx%d %s)",
        gst_buffer_get_size (buffer), GST_VIDEO_INFO_WIDTH (info),
        GST_VIDEO_INFO_HEIGHT (info),
        gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (info)));
    return NULL;
  }
  view.width = GST_VIDEO_FRAME_WIDTH (&frame);
  view.height = GST_VIDEO_FRAME_HEIGHT (&frame);
  for (i = 0; i < GST_VIDEO_FRAME_N_PLANES (&frame) && i < 3; i++) {
    view.planes[i] = GST_VIDEO_FRAME_PLANE_DATA (&frame, i);
    view.strides[i] = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, i);
  }
  if (png) {
    *content_type = "image/png";
    bytes = sly_png_encode (&view, error);
  } else {
    *content_type = "image/jpeg";
    bytes = sly_jpeg_encode (&view, quality, error);
  }
  gst_video_frame_unmap (&frame);
  return bytes;
}

/* A mapped buffer kept alive by the GBytes that shows its memory. */
typedef struct
{
  GstBuffer *buffer;
  GstMapInfo map;
} MappedBuffer;

static void
mapped_buffer_free (MappedBuffer * m)
{
  gst_buffer_unmap (m->buffer, &m->map);
  gst_buffer_unref (m->buffer);
  g_free (m);
}

/* The bytes of @buffer without a copy (a buffer of several memories is
 * merged once by the map); NULL when it cannot be mapped. */
static GBytes *
bytes_of_buffer (GstBuffer * buffer, GError ** error)
{
  MappedBuffer *m = g_new0 (MappedBuffer, 1);

  m->buffer = gst_buffer_ref (buffer);
  if (!gst_buffer_map (m->buffer, &m->map, GST_MAP_READ)) {
    gst_buffer_unref (m->buffer);
    g_free (m);
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
        "Could not map the JPEG frame");
    return NULL;
  }
  return g_bytes_new_with_free_func (m->map.data, m->map.size,
      (GDestroyNotify) mapped_buffer_free, m);
}

GBytes *
gst_sly_frame_encoder_encode (GstSlyFrameEncoder * enc, GstBuffer * buffer,
    const GstVideoRectangle * crop, guint max_size, gboolean png,
    gint jpeg_quality,
    const gchar ** content_type, gint * width, gint * height, GError ** error)
{
  const GstVideoInfo *info;
  GstBuffer *frame;
  GBytes *bytes;
  gpointer data;
  gsize size;

  *width = *height = 0;
  if (enc->is_jpeg) {
    *content_type = "image/jpeg";
    /* JPEG input travels as it is, from the buffer's own memory; a buffer
     * of a pool (a camera's, often a few buffers) is copied, so that the
     * request does not keep it from its source until it ends */
    if (buffer->pool == NULL)
      return bytes_of_buffer (buffer, error);
    gst_buffer_extract_dup (buffer, 0, gst_buffer_get_size (buffer), &data,
        &size);
    return g_bytes_new_take (data, size);
  }
  frame = scale_frame (enc, buffer, crop, max_size, &info, error);
  if (frame == NULL)
    return NULL;
  bytes = encode_raw (info, frame, png, jpeg_quality, content_type, error);
  gst_buffer_unref (frame);
  if (bytes != NULL) {
    *width = GST_VIDEO_INFO_WIDTH (info);
    *height = GST_VIDEO_INFO_HEIGHT (info);
  }
  return bytes;
}
