/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bytes slymodelinfer uploads for a frame: raw video encoded as JPEG
 * or PNG by libslycore, JPEG input as it is.
 */
#ifndef __GST_SLY_FRAME_ENCODER_H__
#define __GST_SLY_FRAME_ENCODER_H__

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/* @info: the caps of raw video; NULL for image/jpeg input (sent as is).
 * @png: PNG instead of JPEG at @jpeg_quality. Returns the bytes and their
 * *@content_type (static), or NULL with @error. */
GBytes *gst_sly_encode_frame (const GstVideoInfo * info, GstBuffer * buffer,
    gboolean png, gint jpeg_quality, const gchar ** content_type,
    GError ** error);

G_END_DECLS

#endif /* __GST_SLY_FRAME_ENCODER_H__ */
