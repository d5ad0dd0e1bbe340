/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A few threads that encode frames for slymodelinfer, so that its
 * streaming thread only takes a reference on each frame. Every job ends in
 * the done callback, on the worker thread, in any order (the element's
 * ordered queue restores the order). Each worker takes a frame encoder
 * from a free list, so converters are made once per caps and size.
 */
#ifndef __GST_SLY_ENCODE_POOL_H__
#define __GST_SLY_ENCODE_POOL_H__

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

typedef struct _GstSlyEncodePool GstSlyEncodePool;

/* @job: what was pushed with the frame. @bytes (transfer full) with its
 * @content_type and the @width x @height sent, or NULL with @error. */
typedef void (*GstSlyEncodeDone) (gpointer job, GBytes * bytes,
    const gchar * content_type, gint width, gint height, const GError * error,
    gpointer user_data);

GstSlyEncodePool *gst_sly_encode_pool_new (guint threads,
    GstSlyEncodeDone done, gpointer user_data);
/* Waits until every job pushed has ended. */
void gst_sly_encode_pool_free (GstSlyEncodePool * pool);

/* Encodes @buffer (a reference is taken) of caps @info (NULL: image/jpeg)
 * as gst_sly_frame_encoder_encode() does, then calls done with @job. */
void gst_sly_encode_pool_push (GstSlyEncodePool * pool, GstBuffer * buffer,
    const GstVideoInfo * info, guint max_size, gboolean png,
    gint jpeg_quality, gpointer job);

G_END_DECLS

#endif /* __GST_SLY_ENCODE_POOL_H__ */
