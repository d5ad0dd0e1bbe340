/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The encoding threads of slymodelinfer; see the header.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyencodepool.h"
#include "gstslyframeencoder.h"

struct _GstSlyEncodePool
{
  GThreadPool *threads;
  GAsyncQueue *encoders;        /* GstSlyFrameEncoder* not in use */
  GstSlyEncodeDone done;
  gpointer user_data;
};

typedef struct
{
  GstBuffer *buffer;
  gboolean is_jpeg;
  GstVideoInfo info;
  guint max_size;
  gboolean png;
  gint jpeg_quality;
  gpointer job;
} Frame;

/* a worker thread */
static void
encode_one (gpointer data, gpointer user_data)
{
  Frame *f = data;
  GstSlyEncodePool *pool = user_data;
  GstSlyFrameEncoder *enc = g_async_queue_try_pop (pool->encoders);
  g_autoptr (GError) error = NULL;
  const gchar *content_type = NULL;
  gint width = 0, height = 0;
  GBytes *bytes;

  if (enc == NULL)
    enc = gst_sly_frame_encoder_new ();
  gst_sly_frame_encoder_set_info (enc, f->is_jpeg ? NULL : &f->info);
  bytes =
      gst_sly_frame_encoder_encode (enc, f->buffer, NULL, f->max_size, f->png,
      f->jpeg_quality, &content_type, &width, &height, &error);
  g_async_queue_push (pool->encoders, enc);
  gst_buffer_unref (f->buffer);

  pool->done (f->job, bytes, content_type, width, height, error,
      pool->user_data);
  g_free (f);
}

GstSlyEncodePool *
gst_sly_encode_pool_new (guint threads, GstSlyEncodeDone done,
    gpointer user_data)
{
  GstSlyEncodePool *pool = g_new0 (GstSlyEncodePool, 1);

  pool->encoders = g_async_queue_new_full ((GDestroyNotify)
      gst_sly_frame_encoder_free);
  pool->done = done;
  pool->user_data = user_data;
  /* shared threads: an idle pool costs nothing */
  pool->threads = g_thread_pool_new (encode_one, pool, threads, FALSE, NULL);
  return pool;
}

void
gst_sly_encode_pool_free (GstSlyEncodePool * pool)
{
  /* runs what was pushed, then returns */
  g_thread_pool_free (pool->threads, FALSE, TRUE);
  g_async_queue_unref (pool->encoders);
  g_free (pool);
}

void
gst_sly_encode_pool_push (GstSlyEncodePool * pool, GstBuffer * buffer,
    const GstVideoInfo * info, guint max_size, gboolean png,
    gint jpeg_quality, gpointer job)
{
  Frame *f = g_new0 (Frame, 1);

  f->buffer = gst_buffer_ref (buffer);
  f->is_jpeg = (info == NULL);
  if (info != NULL)
    f->info = *info;
  f->max_size = max_size;
  f->png = png;
  f->jpeg_quality = jpeg_quality;
  f->job = job;
  g_thread_pool_push (pool->threads, f, NULL);
}
