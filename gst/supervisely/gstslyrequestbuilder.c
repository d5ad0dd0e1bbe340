/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Frames into requests for slymodelinfer; see the header.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyrequestbuilder.h"
#include "gstslyencodepool.h"
#include "gstslyframeencoder.h"
#include "gstslytiles.h"

struct _GstSlyRequestBuilder
{
  GstSlyRequestQueue *queue;
  GstSlyEncodeFailed encode_failed;
  gpointer user_data;

  GstSlyEncodePool *pool;       /* NULL: encode on the calling thread */

  /* the batch being gathered leaves from the streaming thread, or from the
   * I/O thread when a request ends and frees a slot (lock) */
  GMutex lock;
  GstSlyIoThread *io;           /* set by start, cleared by stop */
  GstSlyBatch *pending;         /* frames gathered for the next request */
  guint max_inflight;           /* of the last frame added */
  /* why @pending may leave before it is full, once a slot frees: it was
   * started by automatic batching, or a submit found no slot for it */
  gboolean pending_gathered;
  gboolean pending_due;

  /* streaming thread */
  GstSlyFrameEncoder *encoder;
  gboolean is_jpeg;
  GstVideoInfo info;            /* of raw input */
  gint width, height;           /* of the frames, 0 for JPEG */
};

static void pool_done (gpointer job, GBytes * bytes,
    const gchar * content_type, gint width, gint height, const GError * error,
    gpointer user_data);

GstSlyRequestBuilder *
gst_sly_request_builder_new (GstSlyRequestQueue * queue,
    GstSlyEncodeFailed encode_failed, gpointer user_data)
{
  GstSlyRequestBuilder *b = g_new0 (GstSlyRequestBuilder, 1);

  b->queue = queue;
  b->encode_failed = encode_failed;
  b->user_data = user_data;
  b->encoder = gst_sly_frame_encoder_new ();
  b->is_jpeg = TRUE;
  b->max_inflight = 1;
  g_mutex_init (&b->lock);
  return b;
}

void
gst_sly_request_builder_free (GstSlyRequestBuilder * b)
{
  gst_sly_request_builder_stop (b);
  gst_sly_frame_encoder_free (b->encoder);
  g_mutex_clear (&b->lock);
  g_free (b);
}

void
gst_sly_request_builder_start (GstSlyRequestBuilder * b, GstSlyIoThread * io,
    guint threads)
{
  g_mutex_lock (&b->lock);
  b->io = io;
  g_mutex_unlock (&b->lock);
  if (threads > 1)
    b->pool = gst_sly_encode_pool_new (threads, pool_done, b);
}

void
gst_sly_request_builder_stop (GstSlyRequestBuilder * b)
{
  /* the pool's last jobs still submit to the I/O thread */
  g_clear_pointer (&b->pool, gst_sly_encode_pool_free);
  g_mutex_lock (&b->lock);
  g_clear_pointer (&b->pending, gst_sly_batch_free);
  b->io = NULL;
  g_mutex_unlock (&b->lock);
}

void
gst_sly_request_builder_set_caps (GstSlyRequestBuilder * b,
    const GstVideoInfo * info)
{
  gst_sly_frame_encoder_set_info (b->encoder, info);
  b->is_jpeg = (info == NULL);
  if (info != NULL)
    b->info = *info;
  b->width = info ? GST_VIDEO_INFO_WIDTH (info) : 0;
  b->height = info ? GST_VIDEO_INFO_HEIGHT (info) : 0;
}

gboolean
gst_sly_request_builder_get_size (GstSlyRequestBuilder * b, gint * width,
    gint * height)
{
  *width = b->width;
  *height = b->height;
  return !b->is_jpeg;
}

guint
gst_sly_request_builder_n_pending (GstSlyRequestBuilder * b)
{
  guint n;

  g_mutex_lock (&b->lock);
  n = b->pending ? b->pending->items->len : 0;
  g_mutex_unlock (&b->lock);
  return n;
}

/* A request for @item (not sent yet, no images), taking @settings. */
static GstSlyBatch *
batch_for (GstSlyRequestBuilder * b, GstSlyItem * item,
    SlyInferenceSettings * settings)
{
  GstSlyBatch *batch = gst_sly_batch_new ();

  batch->settings = settings;
  /* retries of a live batch must fit its first frame's budget */
  batch->deadline_us = item->deadline_us;
  batch->frame_width = b->width;
  batch->frame_height = b->height;
  g_ptr_array_add (batch->items, gst_sly_item_ref (item));
  return batch;
}

/* @batch takes a slot of the window and leaves. Any thread, under the
 * lock: stop clears io under it. */
static void
locked_send (GstSlyRequestBuilder * b, GstSlyBatch * batch)
{
  batch->epoch = gst_sly_request_queue_begin_request (b->queue,
      &batch->cancellable);
  gst_sly_io_thread_submit (b->io, batch);
}

/* The batch being gathered leaves when a slot of the window is free; else
 * the end of a request in flight sends it (gst_sly_request_builder_poke). */
static void
locked_submit (GstSlyRequestBuilder * b)
{
  if (b->pending == NULL || b->io == NULL ||
      !gst_sly_request_queue_has_slot (b->queue, b->max_inflight))
    return;
  locked_send (b, g_steal_pointer (&b->pending));
}

static void
fail (GstSlyRequestBuilder * b, GstSlyItem * item, const GError * error)
{
  b->encode_failed (error, b->user_data);
  gst_sly_request_queue_finish_item (b->queue, item, GST_SLY_RESULT_FAILED);
}

/* an encoding thread: the one-frame batch already holds a slot */
static void
pool_done (gpointer job, GBytes * bytes, const gchar * content_type,
    gint width, gint height, const GError * error, gpointer user_data)
{
  GstSlyRequestBuilder *b = user_data;
  GstSlyBatch *batch = job;

  if (bytes == NULL) {
    b->encode_failed (error, b->user_data);
    gst_sly_request_queue_complete (b->queue, batch->epoch, batch->items,
        NULL, GST_SLY_RESULT_FAILED, GST_CLOCK_TIME_NONE, NULL);
    gst_sly_batch_free (batch);
    /* its slot is free: a gathered batch may wait for it */
    gst_sly_request_builder_poke (b);
    return;
  }
  g_ptr_array_add (batch->images, bytes);
  batch->content_type = content_type;
  batch->upload_width = width;
  batch->upload_height = height;
  gst_sly_io_thread_submit (b->io, batch);
}

/* The part of @region inside a @width x @height frame; FALSE when none. */
static gboolean
clip_region (const GstVideoRectangle * region, gint width, gint height,
    GstVideoRectangle * out)
{
  gint64 right = MIN ((gint64) region->x + region->w, width);
  gint64 bottom = MIN ((gint64) region->y + region->h, height);

  out->x = region->x;
  out->y = region->y;
  out->w = (gint) MAX (right - region->x, 0);
  out->h = (gint) MAX (bottom - region->y, 0);
  return out->w > 0 && out->h > 0;
}

/* A request of @item's @regions (roi, or the objects of an upstream model),
 * each cropped and encoded as an image of its own, never gathered with
 * other frames. Regions are clipped to the frame; those outside it are
 * left out. */
static void
add_regions (GstSlyRequestBuilder * b, GstSlyItem * item, GstBuffer * buffer,
    GArray * regions, const GstSlyUploadParams * p,
    SlyInferenceSettings * settings)
{
  GstSlyBatch *batch = batch_for (b, item, settings);
  guint i;

  gst_sly_request_builder_submit (b);
  batch->crops = g_array_new (FALSE, FALSE, sizeof (GstSlyCrop));
  batch->tiles = item->objects == NULL && p->regions == NULL &&
      p->tile_width > 0;
  /* one frame's crops may be more than the server takes at once */
  batch->max_images = p->max_images;
  for (i = 0; i < regions->len; i++) {
    g_autoptr (GError) error = NULL;
    GstSlyCrop crop;
    GBytes *bytes;

    if (!clip_region (&g_array_index (regions, GstVideoRectangle, i),
            b->width, b->height, &crop.region))
      continue;
    bytes = gst_sly_frame_encoder_encode (b->encoder, buffer, &crop.region,
        p->upload_max_size, p->png, p->jpeg_quality, &batch->content_type,
        &crop.upload_width, &crop.upload_height, &error);
    if (bytes == NULL) {
      gst_sly_batch_free (batch);
      fail (b, item, error);
      return;
    }
    g_ptr_array_add (batch->images, bytes);
    g_array_append_val (batch->crops, crop);
  }
  if (batch->images->len == 0 && item->objects != NULL) {
    /* no object to send: the frame passes as it came */
    item->planned = TRUE;
    gst_sly_request_queue_finish_item (b->queue, item, GST_SLY_RESULT_SKIPPED);
    gst_sly_batch_free (batch);
    return;
  }
  if (batch->images->len == 0) {
    /* every region outside the frame: nothing there, nothing to ask */
    gst_sly_request_queue_finish_item (b->queue, item, GST_SLY_RESULT_INFERRED);
    gst_sly_batch_free (batch);
    return;
  }
  g_mutex_lock (&b->lock);
  locked_send (b, batch);
  g_mutex_unlock (&b->lock);
}

/* Encoded here, alone or into the batch being gathered, which keeps the
 * kind and size of image it started with. A full batch leaves at once: the
 * element waited for a slot before adding the frame that fills it. */
static void
add_encoded (GstSlyRequestBuilder * b, GstSlyItem * item, GstBuffer * buffer,
    const GstSlyUploadParams * p, SlyInferenceSettings * settings)
{
  g_autoptr (GError) error = NULL;
  const gchar *content_type = NULL;
  gboolean png = p->png;
  guint max_size = p->upload_max_size;
  gint width, height;
  GBytes *bytes;

  /* only this thread starts a batch: its kind cannot change meanwhile */
  g_mutex_lock (&b->lock);
  if (b->pending != NULL) {
    png = g_str_equal (b->pending->content_type, "image/png");
    max_size = MAX (b->pending->upload_width, b->pending->upload_height);
  }
  g_mutex_unlock (&b->lock);
  bytes = gst_sly_frame_encoder_encode (b->encoder, buffer, NULL, max_size,
      png, p->jpeg_quality, &content_type, &width, &height, &error);
  if (bytes == NULL) {
    sly_inference_settings_free (settings);
    fail (b, item, error);
    return;
  }

  g_mutex_lock (&b->lock);
  if (b->pending == NULL) {
    b->pending = batch_for (b, item, settings);
    b->pending_gathered = p->gather;
    b->pending_due = FALSE;
    b->pending->content_type = content_type;
    b->pending->upload_width = width;
    b->pending->upload_height = height;
  } else {
    /* the batch keeps the settings it started with */
    sly_inference_settings_free (settings);
    g_ptr_array_add (b->pending->items, gst_sly_item_ref (item));
  }
  g_ptr_array_add (b->pending->images, bytes);
  if (b->pending->items->len >= p->batch_size)
    locked_send (b, g_steal_pointer (&b->pending));
  g_mutex_unlock (&b->lock);
}

void
gst_sly_request_builder_add (GstSlyRequestBuilder * b, GstSlyItem * item,
    GstBuffer * buffer, const GstSlyUploadParams * p,
    SlyInferenceSettings * settings)
{
  GstSlyBatch *batch;

  g_mutex_lock (&b->lock);
  b->max_inflight = p->max_inflight;
  g_mutex_unlock (&b->lock);
  if (item->objects != NULL && !b->is_jpeg) {
    add_regions (b, item, buffer,
        gst_sly_object_job_get_regions (item->objects), p, settings);
  } else if (p->regions != NULL && !b->is_jpeg) {
    add_regions (b, item, buffer, p->regions, p, settings);
  } else if (p->tile_width > 0 && !b->is_jpeg) {
    g_autoptr (GArray) tiles = gst_sly_tiles_grid (b->width, b->height,
        p->tile_width, p->tile_height, p->tile_overlap);

    add_regions (b, item, buffer, tiles, p, settings);
  } else if (b->pool != NULL && p->batch_size == 1 &&
      gst_sly_request_builder_n_pending (b) == 0) {
    /* the streaming thread only references the frame; the slot is taken
     * now, so the window holds */
    batch = batch_for (b, item, settings);
    batch->epoch = gst_sly_request_queue_begin_request (b->queue,
        &batch->cancellable);
    gst_sly_encode_pool_push (b->pool, buffer, b->is_jpeg ? NULL : &b->info,
        p->upload_max_size, p->png, p->jpeg_quality, batch);
  } else {
    add_encoded (b, item, buffer, p, settings);
  }
}

void
gst_sly_request_builder_submit (GstSlyRequestBuilder * b)
{
  g_mutex_lock (&b->lock);
  b->pending_due = TRUE;
  locked_submit (b);
  g_mutex_unlock (&b->lock);
}

gboolean
gst_sly_request_builder_has_gathered (GstSlyRequestBuilder * b)
{
  gboolean gathered;

  g_mutex_lock (&b->lock);
  gathered = b->pending != NULL && b->pending_gathered;
  g_mutex_unlock (&b->lock);
  return gathered;
}

void
gst_sly_request_builder_poke (GstSlyRequestBuilder * b)
{
  g_mutex_lock (&b->lock);
  /* a fixed batch-size batch waits until it is full, unless it was due */
  if (b->pending_gathered || b->pending_due)
    locked_submit (b);
  g_mutex_unlock (&b->lock);
}

void
gst_sly_request_builder_drop (GstSlyRequestBuilder * b)
{
  g_mutex_lock (&b->lock);
  g_clear_pointer (&b->pending, gst_sly_batch_free);
  g_mutex_unlock (&b->lock);
}

/* The answer for each region of one frame, in frame coordinates. */
static void
crops_to_frame (GstSlyBatch * batch, GPtrArray * annotations)
{
  guint i;

  for (i = 0; i < annotations->len && i < batch->crops->len; i++) {
    GstSlyCrop *crop = &g_array_index (batch->crops, GstSlyCrop, i);
    SlyAnnotation *ann = annotations->pdata[i];
    guint j;

    if (crop->upload_width != crop->region.w ||
        crop->upload_height != crop->region.h)
      sly_annotation_scale (ann, (gdouble) crop->region.w /
          crop->upload_width, (gdouble) crop->region.h / crop->upload_height,
          crop->region.w, crop->region.h);
    for (j = 0; j < ann->objects->len; j++)
      sly_geometry_translate (((SlyObject *) ann->objects->pdata[j])->geometry,
          crop->region.x, crop->region.y);
  }
}

/* In place of @annotations' items: their objects merged into one annotation
 * of the frame (roi), or attached to the upstream objects they were cropped
 * from (inference-region=objects). */
static void
merge_regions (GstSlyBatch * batch, GPtrArray * annotations)
{
  GstSlyItem *item = g_ptr_array_index (batch->items, 0);
  SlyAnnotation *merged;
  guint i;

  crops_to_frame (batch, annotations);
  if (item->objects != NULL) {
    merged = gst_sly_object_job_apply (item->objects, annotations);
  } else {
    merged = sly_annotation_new (batch->frame_width, batch->frame_height);
    for (i = 0; i < annotations->len; i++)
      sly_annotation_take_objects (merged, annotations->pdata[i], 0, 0);
    if (batch->tiles)
      gst_sly_tiles_merge (merged);
  }
  g_ptr_array_set_size (annotations, 0);
  g_ptr_array_add (annotations, merged);
}

void
gst_sly_batch_map_to_frame (GstSlyBatch * batch, GPtrArray * annotations)
{
  gdouble sx, sy;
  guint i;

  if (batch->crops != NULL) {
    merge_regions (batch, annotations);
    return;
  }
  if (batch->upload_width == 0 || batch->frame_width == 0 ||
      (batch->upload_width == batch->frame_width &&
          batch->upload_height == batch->frame_height))
    return;
  sx = (gdouble) batch->frame_width / batch->upload_width;
  sy = (gdouble) batch->frame_height / batch->upload_height;
  for (i = 0; i < annotations->len; i++)
    sly_annotation_scale (annotations->pdata[i], sx, sy, batch->frame_width,
        batch->frame_height);
}
