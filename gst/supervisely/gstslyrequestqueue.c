/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Ordered queue of buffers, serialized events and queries for
 * slymodelinfer; see the header for who touches what. Functions named
 * _locked expect q->lock held.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyrequestqueue.h"

static void
item_clear (GstSlyItem * item)
{
  /* the src task steals the buffer it pushes; a query belongs to the
   * thread that asked it */
  if (item->object != NULL && item->kind != GST_SLY_ITEM_QUERY)
    gst_mini_object_unref (item->object);
  g_clear_pointer (&item->annotation, sly_annotation_unref);
  g_clear_pointer (&item->objects, gst_sly_object_job_free);
  g_free (item->model_name);
}

static GstSlyItem *
item_new (GstSlyItemKind kind, GstMiniObject * object)
{
  GstSlyItem *item = g_atomic_rc_box_new0 (GstSlyItem);

  item->kind = kind;
  item->object = object;
  item->round_trip = GST_CLOCK_TIME_NONE;
  /* events and queries need no answer from the server */
  item->done = (kind != GST_SLY_ITEM_BUFFER);
  return item;
}

GstSlyItem *
gst_sly_item_new_buffer (GstBuffer * buffer, gint64 deadline_us)
{
  GstSlyItem *item = item_new (GST_SLY_ITEM_BUFFER,
      GST_MINI_OBJECT_CAST (buffer));

  item->size = gst_buffer_get_size (buffer);
  item->deadline_us = deadline_us;
  return item;
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

void
gst_sly_request_queue_set_limits (GstSlyRequestQueue * q, guint max_buffers,
    gsize max_bytes)
{
  g_mutex_lock (&q->lock);
  q->max_buffers = max_buffers;
  q->max_bytes = max_bytes;
  /* a raised bound lets a waiting chain go on */
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

/* An empty queue always takes one buffer, whatever its size. */
static gboolean
locked_is_full (GstSlyRequestQueue * q)
{
  if (q->n_buffers == 0)
    return FALSE;
  return (q->max_buffers > 0 && q->n_buffers >= q->max_buffers) ||
      (q->max_bytes > 0 && q->n_bytes >= q->max_bytes);
}

gboolean
gst_sly_request_queue_is_full (GstSlyRequestQueue * q)
{
  gboolean full;

  g_mutex_lock (&q->lock);
  full = locked_is_full (q);
  g_mutex_unlock (&q->lock);
  return full;
}

static void
locked_append (GstSlyRequestQueue * q, GstSlyItem * item)
{
  g_queue_push_tail (&q->items, item);
  if (item->kind == GST_SLY_ITEM_BUFFER) {
    q->n_buffers++;
    q->n_bytes += item->size;
  }
  g_cond_broadcast (&q->cond);
}

GstFlowReturn
gst_sly_request_queue_push (GstSlyRequestQueue * q, GstSlyItem * item)
{
  GstFlowReturn ret;

  g_mutex_lock (&q->lock);
  while (q->srcresult == GST_FLOW_OK && item->kind == GST_SLY_ITEM_BUFFER &&
      locked_is_full (q))
    g_cond_wait (&q->cond, &q->lock);
  ret = q->srcresult;
  if (ret == GST_FLOW_OK) {
    locked_append (q, item);
    item = NULL;
  }
  g_mutex_unlock (&q->lock);

  if (item != NULL)
    gst_sly_item_unref (item);
  return ret;
}

gboolean
gst_sly_request_queue_query (GstSlyRequestQueue * q, GstQuery * query)
{
  GstSlyItem *item = item_new (GST_SLY_ITEM_QUERY, GST_MINI_OBJECT_CAST
      (query));
  gboolean res = FALSE;

  g_mutex_lock (&q->lock);
  if (q->srcresult == GST_FLOW_OK) {
    locked_append (q, gst_sly_item_ref (item));
    while (q->srcresult == GST_FLOW_OK && !item->answered)
      g_cond_wait (&q->cond, &q->lock);
    res = item->answered && item->query_result;
  }
  g_mutex_unlock (&q->lock);

  gst_sly_item_unref (item);
  return res;
}

void
gst_sly_request_queue_query_done (GstSlyRequestQueue * q, GstSlyItem * item,
    gboolean result)
{
  g_mutex_lock (&q->lock);
  item->query_result = result;
  item->answered = TRUE;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

/* called with q->lock taken */
static void
locked_finish (GstSlyItem * item, GstSlyResult result,
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

/* called with q->lock taken: the head when it may leave now, else the
 * monotonic time to wake up at (0 = when signalled). */
static GstSlyItem *
locked_ready_head (GstSlyRequestQueue * q, gint64 * wake_us)
{
  GstSlyItem *head = g_queue_peek_head (&q->items);

  *wake_us = 0;
  if (head == NULL)
    return NULL;
  if (!head->done && head->deadline_us != 0) {
    if (g_get_monotonic_time () < head->deadline_us) {
      *wake_us = head->deadline_us;
      return NULL;
    }
    /* the answer, whenever it comes, is for a frame already gone */
    locked_finish (head, GST_SLY_RESULT_LATE, NULL, GST_CLOCK_TIME_NONE, NULL);
  }
  return head->done ? head : NULL;
}

GstSlyItem *
gst_sly_request_queue_pop (GstSlyRequestQueue * q, GstFlowReturn * ret)
{
  GstSlyItem *head = NULL;

  g_mutex_lock (&q->lock);
  while (q->srcresult == GST_FLOW_OK) {
    gint64 wake_us;

    head = locked_ready_head (q, &wake_us);
    if (head != NULL) {
      g_queue_pop_head (&q->items);
      if (head->kind == GST_SLY_ITEM_BUFFER) {
        q->n_buffers--;
        q->n_bytes -= head->size;
      }
      /* wakes a chain waiting for room */
      g_cond_broadcast (&q->cond);
      break;
    }
    if (wake_us != 0)
      g_cond_wait_until (&q->cond, &q->lock, wake_us);
    else
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

/* called with q->lock: requests of the epoch that ends are cancelled and
 * their answers ignored; the window starts empty */
static void
locked_new_epoch (GstSlyRequestQueue * q, GstFlowReturn result)
{
  q->epoch++;
  q->inflight = 0;
  g_cancellable_cancel (q->cancellable);
  g_object_unref (q->cancellable);
  q->cancellable = g_cancellable_new ();
  q->srcresult = result;
  g_cond_broadcast (&q->cond);
}

void
gst_sly_request_queue_flush (GstSlyRequestQueue * q, GstFlowReturn result)
{
  GQueue dropped = G_QUEUE_INIT;

  g_mutex_lock (&q->lock);
  dropped = q->items;
  g_queue_init (&q->items);
  q->n_buffers = 0;
  q->n_bytes = 0;
  locked_new_epoch (q, result);
  g_mutex_unlock (&q->lock);

  /* unref outside the lock: freeing a buffer may run arbitrary code */
  g_queue_clear_full (&dropped, (GDestroyNotify) gst_sly_item_unref);
}

GstFlowReturn
gst_sly_request_queue_end_stream (GstSlyRequestQueue * q, GstPad * srcpad)
{
  GstFlowReturn ret = GST_FLOW_OK;

  g_mutex_lock (&q->lock);
  if (q->srcresult == GST_FLOW_OK && g_queue_is_empty (&q->items)) {
    q->srcresult = ret = GST_FLOW_EOS;
    /* from the task itself: does not wait */
    gst_pad_pause_task (srcpad);
  }
  g_mutex_unlock (&q->lock);
  return ret;
}

gboolean
gst_sly_request_queue_restart (GstSlyRequestQueue * q, GstPad * srcpad,
    GstTaskFunction func, gpointer data)
{
  gboolean restart;

  g_mutex_lock (&q->lock);
  restart = q->srcresult == GST_FLOW_EOS;
  if (restart) {
    /* nothing was queued since: a new epoch for the new stream */
    locked_new_epoch (q, GST_FLOW_OK);
    /* the task paused itself under this lock: this start comes after */
    gst_pad_start_task (srcpad, func, data, NULL);
  }
  g_mutex_unlock (&q->lock);
  return restart;
}

GstFlowReturn
gst_sly_request_queue_get_result (GstSlyRequestQueue * q)
{
  GstFlowReturn ret;

  g_mutex_lock (&q->lock);
  ret = q->srcresult;
  g_mutex_unlock (&q->lock);
  return ret;
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
    GstSlyItem *item = g_ptr_array_index (items, i);
    SlyAnnotation *ann = NULL;

    if (item->done)
      continue;                 /* went out late */
    if (annotations != NULL && i < annotations->len)
      ann = g_ptr_array_index (annotations, i);
    locked_finish (item, result, ann, round_trip, model_name);
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
  locked_finish (item, result, NULL, GST_CLOCK_TIME_NONE, NULL);
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

guint
gst_sly_request_queue_get_inflight (GstSlyRequestQueue * q)
{
  guint n;

  g_mutex_lock (&q->lock);
  n = q->inflight;
  g_mutex_unlock (&q->lock);
  return n;
}
