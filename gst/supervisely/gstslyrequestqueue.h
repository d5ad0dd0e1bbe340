/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ordered queue of slymodelinfer: every buffer and every serialized
 * event in arrival order. The sink pad appends, the I/O thread fills in the
 * results of buffers, the src pad task pops the head once it is done.
 * One mutex and one condition guard everything; every wait is interrupted
 * by flushing (gstqueue.c's srcresult pattern).
 */
#ifndef __GST_SLY_REQUEST_QUEUE_H__
#define __GST_SLY_REQUEST_QUEUE_H__

#include <gst/gst.h>
#include <gio/gio.h>
#include "slyannotation.h"

G_BEGIN_DECLS

typedef enum
{
  GST_SLY_ITEM_BUFFER,
  GST_SLY_ITEM_EVENT,
} GstSlyItemKind;

/* What a buffer item ends up as; mirrors GstSlyFrameStatus of the meta
 * library plus DROP (the buffer is not pushed at all). */
typedef enum
{
  GST_SLY_RESULT_INFERRED,
  GST_SLY_RESULT_SKIPPED,
  GST_SLY_RESULT_FAILED,
  GST_SLY_RESULT_DROPPED,
  GST_SLY_RESULT_PREDICTED,     /* set by the src task's tracker */
} GstSlyResult;

typedef enum
{
  GST_SLY_MODEL_CONNECTING,
  GST_SLY_MODEL_READY,
  GST_SLY_MODEL_FAILED,
} GstSlyModelState;

typedef struct _GstSlyItem GstSlyItem;

/* Refcounted: the queue holds one reference, a request in flight another.
 * The result fields are written once, under the queue lock, before done
 * is set; the src task reads them after popping. */
struct _GstSlyItem
{
  GstSlyItemKind kind;
  GstMiniObject *object;        /* the buffer or event (owned) */

  gboolean done;
  GstSlyResult result;
  SlyAnnotation *annotation;
  GstClockTime round_trip;
  gchar *model_name;
};

GstSlyItem *gst_sly_item_new_buffer (GstBuffer * buffer);
GstSlyItem *gst_sly_item_new_event (GstEvent * event);
GstSlyItem *gst_sly_item_ref (GstSlyItem * item);
void gst_sly_item_unref (GstSlyItem * item);

typedef struct
{
  GMutex lock;
  GCond cond;
  GQueue items;                 /* GstSlyItem* */
  GstFlowReturn srcresult;      /* not OK: flushing, or downstream failed */
  guint inflight;               /* requests outstanding in this epoch */
  guint64 epoch;                /* bumped by every flush */
  GstSlyModelState model_state;
  GCancellable *cancellable;    /* cancels the requests of this epoch */
} GstSlyRequestQueue;

void gst_sly_request_queue_init (GstSlyRequestQueue * q);
void gst_sly_request_queue_clear (GstSlyRequestQueue * q);

/* Appends @item (transfer full). Returns srcresult; on failure the item is
 * dropped. */
GstFlowReturn gst_sly_request_queue_push (GstSlyRequestQueue * q,
    GstSlyItem * item);
/* Blocks until the head is done (events always are) and removes it; NULL
 * when the queue is flushing (then *ret says why). */
GstSlyItem *gst_sly_request_queue_pop (GstSlyRequestQueue * q,
    GstFlowReturn * ret);

/* Stops everything: waits return, new pushes fail with @result, requests of
 * this epoch are cancelled. */
void gst_sly_request_queue_set_flushing (GstSlyRequestQueue * q,
    GstFlowReturn result);
/* Drops every item, starts a new epoch (late answers of the old one are
 * ignored), resets the window and sets srcresult to @result (OK after a
 * FLUSH_STOP, FLUSHING when the pad goes down). */
void gst_sly_request_queue_flush (GstSlyRequestQueue * q,
    GstFlowReturn result);

gboolean gst_sly_request_queue_has_slot (GstSlyRequestQueue * q,
    guint max_inflight);
/* Waits until fewer than @max_inflight requests are outstanding. */
GstFlowReturn gst_sly_request_queue_wait_slot (GstSlyRequestQueue * q,
    guint max_inflight);
/* Counts a new request; returns its epoch and (transfer full) cancellable. */
guint64 gst_sly_request_queue_begin_request (GstSlyRequestQueue * q,
    GCancellable ** cancellable);
/* Stores the outcome of a request of @epoch for @items (GstSlyItem*);
 * @annotations, when given, holds one SlyAnnotation* per item. Ignored
 * (FALSE) when the epoch is over. */
gboolean gst_sly_request_queue_complete (GstSlyRequestQueue * q,
    guint64 epoch, GPtrArray * items, GPtrArray * annotations,
    GstSlyResult result, GstClockTime round_trip, const gchar * model_name);
/* Marks an item that needs no request (skipped, dropped) as done. */
void gst_sly_request_queue_finish_item (GstSlyRequestQueue * q,
    GstSlyItem * item, GstSlyResult result);

void gst_sly_request_queue_set_model_state (GstSlyRequestQueue * q,
    GstSlyModelState state);
GstSlyModelState gst_sly_request_queue_get_model_state (GstSlyRequestQueue * q);
/* Waits while the model is still connecting. Returns srcresult. */
GstFlowReturn gst_sly_request_queue_wait_model (GstSlyRequestQueue * q,
    GstSlyModelState * state);
/* Waits until every item has been pushed (DRAIN queries). */
GstFlowReturn gst_sly_request_queue_wait_empty (GstSlyRequestQueue * q);

guint gst_sly_request_queue_get_inflight (GstSlyRequestQueue * q);

G_END_DECLS

#endif /* __GST_SLY_REQUEST_QUEUE_H__ */
