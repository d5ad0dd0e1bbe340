/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How slymodelinfer turns frames into requests: it encodes each frame
 * (on the streaming thread, on the encoding pool, or region by region),
 * gathers frames into batches, takes a slot of the ordered queue's window
 * for each request and hands it to the I/O thread; and, for the answers,
 * maps them back to frame coordinates. It owns the batch being gathered,
 * the frame encoder and the pool. Called from the sink pad's streaming
 * thread (and state changes while it does not run).
 */
#ifndef __GST_SLY_REQUEST_BUILDER_H__
#define __GST_SLY_REQUEST_BUILDER_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include "gstslyiothread.h"
#include "gstslyrequestqueue.h"

G_BEGIN_DECLS

typedef struct _GstSlyRequestBuilder GstSlyRequestBuilder;

/* How a frame is sent, from the element's properties. */
typedef struct
{
  gboolean png;                 /* else JPEG at jpeg_quality */
  gint jpeg_quality;
  guint upload_max_size;        /* 0 = full size */
  guint batch_size;             /* frames gathered per request, at most */
  guint max_inflight;           /* requests outstanding at most */
  gboolean gather;              /* batch-size auto: a batch leaves before it
                                 * is full once a slot frees */
  GArray *regions;              /* GstVideoRectangle (roi), NULL = frame */
  gint tile_width, tile_height; /* sliding windows cut here, 0 = none */
  guint max_images;             /* per HTTP request, 0 = no limit */
  gint tile_overlap;
} GstSlyUploadParams;

/* A frame could not be encoded (any thread); it passes marked failed. */
typedef void (*GstSlyEncodeFailed) (const GError * error, gpointer user_data);

GstSlyRequestBuilder *gst_sly_request_builder_new (GstSlyRequestQueue * queue,
    GstSlyEncodeFailed encode_failed, gpointer user_data);
void gst_sly_request_builder_free (GstSlyRequestBuilder * b);

/* Requests go to @io from now on; frames encode on @threads threads (1:
 * on the calling thread). */
void gst_sly_request_builder_start (GstSlyRequestBuilder * b,
    GstSlyIoThread * io, guint threads);
/* Waits for the pool's last jobs and drops the batch being gathered;
 * before the I/O thread goes. */
void gst_sly_request_builder_stop (GstSlyRequestBuilder * b);

/* The caps of the frames from now on: raw video, or NULL for image/jpeg.
 * Their size is what answers are mapped back to. */
void gst_sly_request_builder_set_caps (GstSlyRequestBuilder * b,
    const GstVideoInfo * info);

/* The size of raw frames; FALSE for image/jpeg. */
gboolean gst_sly_request_builder_get_size (GstSlyRequestBuilder * b,
    gint * width, gint * height);
/* Frames in the batch being gathered (0: none). */
guint gst_sly_request_builder_n_pending (GstSlyRequestBuilder * b);

/* @item's frame @buffer gets a request, alone or in the batch being
 * gathered (sent once it holds @p->batch_size frames). @settings (transfer
 * full) go with a request that starts; a batch keeps those it started
 * with. When the frame cannot be encoded, @item is marked failed. */
void gst_sly_request_builder_add (GstSlyRequestBuilder * b, GstSlyItem * item,
    GstBuffer * buffer, const GstSlyUploadParams * p,
    SlyInferenceSettings * settings);
/* Sends the batch being gathered now (an event, a query, a full queue)
 * when a slot of the window is free; else the end of a request in flight
 * will (gst_sly_request_builder_poke). */
void gst_sly_request_builder_submit (GstSlyRequestBuilder * b);
/* Whether the batch being gathered was started by automatic batching. */
gboolean gst_sly_request_builder_has_gathered (GstSlyRequestBuilder * b);
/* I/O thread: a request ended and freed a slot: the batch being gathered
 * leaves if it waited for one (automatic batches, or a submit that found
 * no slot). */
void gst_sly_request_builder_poke (GstSlyRequestBuilder * b);
/* A flush: the batch being gathered is dropped. */
void gst_sly_request_builder_drop (GstSlyRequestBuilder * b);

/* I/O thread: @annotations (one per image of @batch) in the coordinates of
 * the frames: scaled back from upload-max-size, regions merged. */
void gst_sly_batch_map_to_frame (GstSlyBatch * batch, GPtrArray * annotations);

G_END_DECLS

#endif /* __GST_SLY_REQUEST_BUILDER_H__ */
