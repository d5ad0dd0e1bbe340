/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bytes slymodelinfer uploads for a frame: raw video, scaled down to
 * upload-max-size when asked (GstVideoConverter), encoded as JPEG or PNG
 * by libslycore; JPEG input as it is. One encoder per stream, used by one
 * thread at a time: it keeps the converter of the current caps and size.
 */
#ifndef __GST_SLY_FRAME_ENCODER_H__
#define __GST_SLY_FRAME_ENCODER_H__

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

typedef struct _GstSlyFrameEncoder GstSlyFrameEncoder;

GstSlyFrameEncoder *gst_sly_frame_encoder_new (void);
void gst_sly_frame_encoder_free (GstSlyFrameEncoder * enc);

/* The caps of the frames from now on: @info for raw video, NULL for
 * image/jpeg (sent as is, never scaled). Cheap when they did not change. */
void gst_sly_frame_encoder_set_info (GstSlyFrameEncoder * enc,
    const GstVideoInfo * info);

/* Encodes @buffer, or its @crop (nullable; inside the frame); with
 * @max_size > 0 an image whose longest side is larger is scaled down to it
 * first (aspect kept). Returns the bytes, their *@content_type (static)
 * and the *@width x *@height of the image sent (0 for JPEG input, never
 * cropped or scaled), or NULL with @error. */
GBytes *gst_sly_frame_encoder_encode (GstSlyFrameEncoder * enc,
    GstBuffer * buffer, const GstVideoRectangle * crop, guint max_size,
    gboolean png, gint jpeg_quality,
    const gchar ** content_type, gint * width, gint * height,
    GError ** error);

G_END_DECLS

#endif /* __GST_SLY_FRAME_ENCODER_H__ */
