/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Ordered queue of buffers and serialized events for slymodelinfer; see the
 * header for who touches what. Functions named _locked expect q->lock held.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyrequestqueue.h"

static void
item_clear (GstSlyItem * item)
{
  /* the src task steals the buffer it pushes */
  if (item->object != NULL)
    gst_mini_object_unref (item->object);
  g_clear_pointer (&item->annotation, sly_annotation_unref);
  g_free (item->model_name);
}

static GstSlyItem *
item_new (GstSlyItemKind kind, GstMiniObject * object)
{
  GstSlyItem *item = g_atomic_rc_box_new0 (GstSlyItem);

  item->kind = kind;
  item->object = object;
  item->round_trip = GST_CLOCK_TIME_NONE;
  /* events need no answer */
  item->done = (kind == GST_SLY_ITEM_EVENT);
  return item;
}

GstSlyItem *
gst_sly_item_new_buffer (GstBuffer * buffer)
{
  return item_new (GST_SLY_ITEM_BUFFER, GST_MINI_OBJECT_CAST (buffer));
}

GstSlyItem *
gst_sly_item_new_event (GstEvent * event)
{
  return item_new (GST_SLY_ITEM_EVENT, GST_MINI_OBJECT_CAST (event));
}

GstSlyItem *
gst_sly_item_ref (GstSlyItem * item)
{
  return g_atomic_rc_box_acquire (item);
}

void
gst_sly_item_unref (GstSlyItem * item)
{
  g_atomic_rc_box_release_full (item, (GDestroyNotify) item_clear);
}

void
gst_sly_request_queue_init (GstSlyRequestQueue * q)
{
  g_mutex_init (&q->lock);
  g_cond_init (&q->cond);
  g_queue_init (&q->items);
  q->srcresult = GST_FLOW_FLUSHING;
  q->inflight = 0;
  q->epoch = 0;
  q->model_state = GST_SLY_MODEL_CONNECTING;
  q->cancellable = g_cancellable_new ();
}

void
gst_sly_request_queue_clear (GstSlyRequestQueue * q)
{
  g_queue_clear_full (&q->items, (GDestroyNotify) gst_sly_item_unref);
  g_clear_object (&q->cancellable);
  g_cond_clear (&q->cond);
  g_mutex_clear (&q->lock);
}

GstFlowReturn
gst_sly_request_queue_push (GstSlyRequestQueue * q, GstSlyItem * item)
{
  GstFlowReturn ret;

  g_mutex_lock (&q->lock);
  ret = q->srcresult;
  if (ret == GST_FLOW_OK) {
    g_queue_push_tail (&q->items, item);
    g_cond_broadcast (&q->cond);
    item = NULL;
  }
  g_mutex_unlock (&q->lock);

  if (item != NULL)
    gst_sly_item_unref (item);
  return ret;
}

GstSlyItem *
gst_sly_request_queue_pop (GstSlyRequestQueue * q, GstFlowReturn * ret)
{
  GstSlyItem *head = NULL;

  g_mutex_lock (&q->lock);
  while (q->srcresult == GST_FLOW_OK) {
    GstSlyItem *peek = g_queue_peek_head (&q->items);

    if (peek != NULL && peek->done) {
      head = g_queue_pop_head (&q->items);
      /* wakes DRAIN waiters */
      g_cond_broadcast (&q->cond);
      break;
    }
    g_cond_wait (&q->cond, &q->lock);
  }
  *ret = q->srcresult;
  g_mutex_unlock (&q->lock);

  return head;
}

void
gst_sly_request_queue_set_flushing (GstSlyRequestQueue * q,
    GstFlowReturn result)
{
  g_mutex_lock (&q->lock);
  q->srcresult = result;
  /* Requests of this epoch are useless now: stop them early. Their
   * completions still arrive (on the I/O thread) and are ignored. */
  g_cancellable_cancel (q->cancellable);
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

void
gst_sly_request_queue_flush (GstSlyRequestQueue * q, GstFlowReturn result)
{
  GQueue dropped = G_QUEUE_INIT;

  g_mutex_lock (&q->lock);
  dropped = q->items;
  g_queue_init (&q->items);
  q->epoch++;
  q->inflight = 0;
  g_cancellable_cancel (q->cancellable);
  g_object_unref (q->cancellable);
  q->cancellable = g_cancellable_new ();
  q->srcresult = result;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);

  /* unref outside the lock: freeing a buffer may run arbitrary code */
  g_queue_clear_full (&dropped, (GDestroyNotify) gst_sly_item_unref);
}

gboolean
gst_sly_request_queue_has_slot (GstSlyRequestQueue * q, guint max_inflight)
{
  gboolean ret;

  g_mutex_lock (&q->lock);
  ret = q->inflight < max_inflight;
  g_mutex_unlock (&q->lock);
  return ret;
}

GstFlowReturn
gst_sly_request_queue_wait_slot (GstSlyRequestQueue * q, guint max_inflight)
{
  GstFlowReturn ret;

  g_mutex_lock (&q->lock);
  while (q->srcresult == GST_FLOW_OK && q->inflight >= max_inflight)
    g_cond_wait (&q->cond, &q->lock);
  ret = q->srcresult;
  g_mutex_unlock (&q->lock);
  return ret;
}

guint64
gst_sly_request_queue_begin_request (GstSlyRequestQueue * q,
    GCancellable ** cancellable)
{
  guint64 epoch;

  g_mutex_lock (&q->lock);
  q->inflight++;
  epoch = q->epoch;
  *cancellable = g_object_ref (q->cancellable);
  g_mutex_unlock (&q->lock);
  return epoch;
}

/* called with q->lock taken */
static void
gst_sly_request_queue_locked_finish (GstSlyItem * item, GstSlyResult result,
    SlyAnnotation * annotation, GstClockTime round_trip,
    const gchar * model_name)
{
  item->result = result;
  if (annotation != NULL)
    item->annotation = sly_annotation_ref (annotation);
  item->round_trip = round_trip;
  item->model_name = g_strdup (model_name);
  item->done = TRUE;
}

gboolean
gst_sly_request_queue_complete (GstSlyRequestQueue * q, guint64 epoch,
    GPtrArray * items, GPtrArray * annotations, GstSlyResult result,
    GstClockTime round_trip, const gchar * model_name)
{
  guint i;

  g_mutex_lock (&q->lock);
  if (epoch != q->epoch) {
    g_mutex_unlock (&q->lock);
    return FALSE;
  }
  for (i = 0; i < items->len; i++) {
    SlyAnnotation *ann = NULL;

    if (annotations != NULL && i < annotations->len)
      ann = g_ptr_array_index (annotations, i);
    gst_sly_request_queue_locked_finish (g_ptr_array_index (items, i), result,
        ann, round_trip, model_name);
  }
  g_assert (q->inflight > 0);
  q->inflight--;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
  return TRUE;
}

void
gst_sly_request_queue_finish_item (GstSlyRequestQueue * q, GstSlyItem * item,
    GstSlyResult result)
{
  g_mutex_lock (&q->lock);
  gst_sly_request_queue_locked_finish (item, result, NULL,
      GST_CLOCK_TIME_NONE, NULL);
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

void
gst_sly_request_queue_set_model_state (GstSlyRequestQueue * q,
    GstSlyModelState state)
{
  g_mutex_lock (&q->lock);
  q->model_state = state;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

GstSlyModelState
gst_sly_request_queue_get_model_state (GstSlyRequestQueue * q)
{
  GstSlyModelState state;

  g_mutex_lock (&q->lock);
  state = q->model_state;
  g_mutex_unlock (&q->lock);
  return state;
}

GstFlowReturn
gst_sly_request_queue_wait_model (GstSlyRequestQueue * q,
    GstSlyModelState * state)
{
  GstFlowReturn ret;

  g_mutex_lock (&q->lock);
  while (q->srcresult == GST_FLOW_OK &&
      q->model_state == GST_SLY_MODEL_CONNECTING)
    g_cond_wait (&q->cond, &q->lock);
  ret = q->srcresult;
  *state = q->model_state;
  g_mutex_unlock (&q->lock);
  return ret;
}

GstFlowReturn
gst_sly_request_queue_wait_empty (GstSlyRequestQueue * q)
{
  GstFlowReturn ret;

  g_mutex_lock (&q->lock);
  while (q->srcresult == GST_FLOW_OK && !g_queue_is_empty (&q->items))
    g_cond_wait (&q->cond, &q->lock);
  ret = q->srcresult;
  g_mutex_unlock (&q->lock);
  return ret;
}

guint
gst_sly_request_queue_get_inflight (GstSlyRequestQueue * q)
{
  guint n;

  g_mutex_lock (&q->lock);
  n = q->inflight;
  g_mutex_unlock (&q->lock);
  return n;
}
