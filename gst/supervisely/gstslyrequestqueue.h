/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ordered queue of slymodelinfer: every buffer, serialized event and
 * serialized query in arrival order. The sink pad appends, the I/O thread
 * fills in the results of buffers, the src pad task pops the head once it
 * is done, or once its deadline (live input) has passed. One mutex and one
 * condition guard everything; every wait is interrupted by flushing
 * (gstqueue.c's srcresult pattern).
 *
 * The queue is bounded: appending a buffer waits while it holds
 * max-frames buffers or max-bytes bytes of them (gstqueue.c's "full"
 * wait), so a slow downstream holds upstream back instead of filling the
 * memory.
 */
#ifndef __GST_SLY_REQUEST_QUEUE_H__
#define __GST_SLY_REQUEST_QUEUE_H__

#include <gst/gst.h>
#include <gio/gio.h>
#include "slyannotation.h"
#include "gstslyobjectregions.h"

G_BEGIN_DECLS

typedef enum
{
  GST_SLY_ITEM_BUFFER,
  GST_SLY_ITEM_EVENT,
  GST_SLY_ITEM_QUERY,
} GstSlyItemKind;

/* What a buffer item ends up as; mirrors GstSlyFrameStatus of the meta
 * library plus DROPPED (the buffer is not pushed at all). */
typedef enum
{
  GST_SLY_RESULT_INFERRED,
  GST_SLY_RESULT_SKIPPED,
  GST_SLY_RESULT_FAILED,
  GST_SLY_RESULT_DROPPED,
  GST_SLY_RESULT_PREDICTED,     /* set by the src task's tracker */
  GST_SLY_RESULT_LATE,          /* its deadline passed before the answer */
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
  GstMiniObject *object;        /* the buffer, event or query (owned) */
  gsize size;                   /* bytes counted against max-bytes */
  gint64 deadline_us;           /* monotonic; 0 = wait for the answer */
  gboolean planned;             /* skipped by inference-interval, or
                                 * nothing to send (inference-region) */
  GstSlyObjectJob *objects;     /* inference-region=objects: the plan of the
                                 * streaming thread, read-only once queued */

  gboolean done;
  GstSlyResult result;
  SlyAnnotation *annotation;
  GstClockTime round_trip;
  gchar *model_name;
  gboolean answered;            /* QUERY: the src task ran it */
  gboolean query_result;        /* QUERY: the answer of downstream */
};

GstSlyItem *gst_sly_item_new_buffer (GstBuffer * buffer, gint64 deadline_us);
GstSlyItem *gst_sly_item_new_event (GstEvent * event);
GstSlyItem *gst_sly_item_ref (GstSlyItem * item);
void gst_sly_item_unref (GstSlyItem * item);

typedef struct
{
  GMutex lock;
  GCond cond;
  GQueue items;                 /* GstSlyItem* */
  GstFlowReturn srcresult;      /* not OK: flushing, EOS, or downstream failed */
  guint inflight;               /* requests outstanding in this epoch */
  guint64 epoch;                /* bumped by every flush */
  GstSlyModelState model_state;
  GCancellable *cancellable;    /* cancels the requests of this epoch */
  guint n_buffers;              /* buffer items queued */
  gsize n_bytes;                /* their sizes */
  guint max_buffers;            /* 0 = no bound */
  gsize max_bytes;              /* 0 = no bound */
} GstSlyRequestQueue;

void gst_sly_request_queue_init (GstSlyRequestQueue * q);
void gst_sly_request_queue_clear (GstSlyRequestQueue * q);

void gst_sly_request_queue_set_limits (GstSlyRequestQueue * q,
    guint max_buffers, gsize max_bytes);
/* Whether appending a buffer item now would have to wait. */
gboolean gst_sly_request_queue_is_full (GstSlyRequestQueue * q);

/* Appends @item (transfer full), first waiting while the queue is full
 * when it is a buffer. Returns srcresult; on failure the item is dropped. */
GstFlowReturn gst_sly_request_queue_push (GstSlyRequestQueue * q,
    GstSlyItem * item);
/* Appends a serialized @query and waits until the src task has answered
 * it in order (after every item before it was pushed). FALSE when the
 * queue flushes first or downstream did not answer. */
gboolean gst_sly_request_queue_query (GstSlyRequestQueue * q,
    GstQuery * query);
/* Blocks until the head is done (events always are, a buffer whose
 * deadline passed becomes LATE) and removes it; NULL when the queue is
 * flushing (then *ret says why). */
GstSlyItem *gst_sly_request_queue_pop (GstSlyRequestQueue * q,
    GstFlowReturn * ret);
/* The src task answered a QUERY item. */
void gst_sly_request_queue_query_done (GstSlyRequestQueue * q,
    GstSlyItem * item, gboolean result);

/* Stops everything: waits return, new pushes fail with @result, requests of
 * this epoch are cancelled. */
void gst_sly_request_queue_set_flushing (GstSlyRequestQueue * q,
    GstFlowReturn result);
/* Drops every item, starts a new epoch (late answers of the old one are
 * ignored), resets the window and sets srcresult to @result (OK after a
 * FLUSH_STOP or a restart after EOS, FLUSHING when the pad goes down). */
void gst_sly_request_queue_flush (GstSlyRequestQueue * q,
    GstFlowReturn result);
GstFlowReturn gst_sly_request_queue_get_result (GstSlyRequestQueue * q);

/* The src task pushed an EOS. Unless a new stream is already queued behind
 * it, the queue goes EOS and @srcpad's task pauses, both under the queue
 * lock, so that gst_sly_request_queue_restart() of a new stream can never
 * come between them. Returns GST_FLOW_EOS when it paused, GST_FLOW_OK when
 * items follow (the task goes on). */
GstFlowReturn gst_sly_request_queue_end_stream (GstSlyRequestQueue * q,
    GstPad * srcpad);
/* A new stream (STREAM_START, SEGMENT) after EOS: the queue takes items
 * again, in a new epoch, and @srcpad's task is started with @func. FALSE
 * (nothing done) when the queue was not EOS. */
gboolean gst_sly_request_queue_restart (GstSlyRequestQueue * q,
    GstPad * srcpad, GstTaskFunction func, gpointer data);

gboolean gst_sly_request_queue_has_slot (GstSlyRequestQueue * q,
    guint max_inflight);
/* Waits until fewer than @max_inflight requests are outstanding. */
GstFlowReturn gst_sly_request_queue_wait_slot (GstSlyRequestQueue * q,
    guint max_inflight);
/* Counts a new request; returns its epoch and (transfer full) cancellable. */
guint64 gst_sly_request_queue_begin_request (GstSlyRequestQueue * q,
    GCancellable ** cancellable);
/* Stores the outcome of a request of @epoch for @items (GstSlyItem*);
 * @annotations, when given, holds one SlyAnnotation* per item. Items that
 * went out LATE meanwhile keep that result. Ignored (FALSE) when the
 * epoch is over. */
gboolean gst_sly_request_queue_complete (GstSlyRequestQueue * q,
    guint64 epoch, GPtrArray * items, GPtrArray * annotations,
    GstSlyResult result, GstClockTime round_trip, const gchar * model_name);
/* Marks an item that needs no request (skipped, dropped, failed) done. */
void gst_sly_request_queue_finish_item (GstSlyRequestQueue * q,
    GstSlyItem * item, GstSlyResult result);

void gst_sly_request_queue_set_model_state (GstSlyRequestQueue * q,
    GstSlyModelState state);
GstSlyModelState gst_sly_request_queue_get_model_state (GstSlyRequestQueue * q);
/* Waits while the model is still connecting. Returns srcresult. */
GstFlowReturn gst_sly_request_queue_wait_model (GstSlyRequestQueue * q,
    GstSlyModelState * state);

guint gst_sly_request_queue_get_inflight (GstSlyRequestQueue * q);

G_END_DECLS

#endif /* __GST_SLY_REQUEST_QUEUE_H__ */
