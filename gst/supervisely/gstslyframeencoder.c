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

GBytes *
gst_sly_encode_frame (const GstVideoInfo * info, GstBuffer * buffer,
    gboolean png, gint jpeg_quality, const gchar ** content_type,
    GError ** error)
{
  gpointer data;
  gsize size;

  if (info != NULL)
    return encode_raw (info, buffer, png, jpeg_quality, content_type, error);

  /* JPEG input travels as it is */
  gst_buffer_extract_dup (buffer, 0, gst_buffer_get_size (buffer), &data,
      &size);
  *content_type = "image/jpeg";
  return g_bytes_new_take (data, size);
}
