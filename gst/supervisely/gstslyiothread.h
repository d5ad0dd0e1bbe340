/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The I/O thread of slymodelinfer: a GThread running its own GMainContext
 * that creates and owns the SlyClient, so every libsoup call and every
 * completion happens there (souphttpsrc's session thread). Other threads
 * only hand it work; it never touches pads.
 */
#ifndef __GST_SLY_IO_THREAD_H__
#define __GST_SLY_IO_THREAD_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include "slyclient.h"
#include "slymodelinfo.h"

G_BEGIN_DECLS

/* How to reach the server; copied from the element's properties. */
typedef struct
{
  gchar *url;                   /* one, or several comma-separated */
  gint64 task_id;
  gchar *task_ids;              /* several comma-separated, NULL = task_id */
  gchar *server_address;
  gchar *api_token;
  guint timeout_ms;
  guint retries;
  guint max_objects;            /* per answer, 0 = no limit */
  gchar *ca_file;               /* HTTPS: the CA to trust, NULL = system's */
} GstSlyClientConfig;

void gst_sly_client_config_clear (GstSlyClientConfig * cfg);
void gst_sly_client_config_copy (const GstSlyClientConfig * src,
    GstSlyClientConfig * dst);
/* A client of the first server of @cfg (url and task-ids may list
 * several): the one models load on and actions go to. */
SlyClient *gst_sly_client_config_create_client (const GstSlyClientConfig *
    cfg, GError ** error);

/* A region of a frame sent as an image of its own (the roi property). */
typedef struct
{
  GstVideoRectangle region;     /* in frame pixels */
  gint upload_width, upload_height;     /* of the image sent */
} GstSlyCrop;

/* One inference request: one or several frames of one epoch. */
typedef struct
{
  GPtrArray *items;             /* GstSlyItem* (refs) */
  GPtrArray *images;            /* GBytes*, one per item, or per crop */
  GArray *crops;                /* GstSlyCrop, one per image: the regions of
                                 * the one item; NULL for whole frames */
  gboolean tiles;               /* the crops are sliding windows: objects
                                 * seen in several are merged */
  guint max_images;             /* per HTTP request (the server's
                                 * max_batch_size), 0 = all in one: more
                                 * go in several requests, one after the
                                 * other, answered together */
  const gchar *content_type;
  SlyInferenceSettings *settings;
  guint64 epoch;
  GCancellable *cancellable;
  gint64 sent_us;               /* monotonic time the request left */
  gint64 deadline_us;           /* live: no retry may end after it (0 = none) */
  gint upload_width, upload_height;     /* of the images sent (0 = as is) */
  gint frame_width, frame_height;       /* of the frames they stand for */
  /*< private >*/
  gpointer io;
  gpointer server;              /* the GstSlyServer it was sent to */
  guint tries;                  /* servers its current part was sent to */
  guint sent_images;            /* images answered so far */
  GPtrArray *answers;           /* their annotations */
} GstSlyBatch;

GstSlyBatch *gst_sly_batch_new (void);
void gst_sly_batch_free (GstSlyBatch * batch);

typedef enum
{
  GST_SLY_IO_OP_START,
  GST_SLY_IO_OP_LOAD,
  GST_SLY_IO_OP_REFRESH,
} GstSlyIoOp;

typedef struct
{
  /* A request finished: @annotations (one per item) or @error
   * (G_IO_ERROR_CANCELLED after a flush or at teardown). */
  void (*batch_done) (GstSlyBatch * batch, GPtrArray * annotations,
      const GError * error, gpointer user_data);
  /* A start/load/refresh finished. @info (transfer full) is NULL on error.
   * @model is the model that was asked for (LOAD, or START with a model).
   * A LOAD that failed left the server without a model (serving apps
   * unload first), so the previous model is loaded again: @rolled_back
   * names it when that worked, and @info is then its information. */
  void (*info_done) (GstSlyIoOp op, const gchar * model,
      SlyModelInfo * info, const GError * error, const gchar * rolled_back,
      gpointer user_data);
} GstSlyIoCallbacks;

typedef struct _GstSlyIoThread GstSlyIoThread;

/* Starts the thread and creates the client there; NULL with @error when
 * the configuration cannot work (no URL or task id, bad URL...). Callbacks
 * run on the I/O thread. */
GstSlyIoThread *gst_sly_io_thread_new (const GstSlyClientConfig * cfg,
    const GstSlyIoCallbacks * callbacks, gpointer user_data, GError ** error);
/* Quits the loop, cancels what is outstanding, lets every completion run
 * (batch_done is called for each batch still pending), joins. */
void gst_sly_io_thread_free (GstSlyIoThread * io);

/* Adds "servers", an array with a structure per model server (url,
 * requests, failed, in-flight, up), to @s. Any thread. */
void gst_sly_io_thread_add_stats (GstSlyIoThread * io, GstStructure * s);

/* All of these return at once; the work happens on the I/O thread. */
void gst_sly_io_thread_submit (GstSlyIoThread * io, GstSlyBatch * batch);
/* @previous (nullable): for a LOAD, the model to load again when it fails */
void gst_sly_io_thread_control (GstSlyIoThread * io, GstSlyIoOp op,
    const gchar * model, const gchar * device, const gchar * runtime,
    const gchar * previous);

G_END_DECLS

#endif /* __GST_SLY_IO_THREAD_H__ */
