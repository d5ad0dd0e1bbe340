/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer's bookkeeping: frame counters, the window of round trips
 * behind the stats property and the automatic latency, and the rate limit
 * of mid-stream failure warnings. Counters live under GST_OBJECT_LOCK;
 * messages are posted after it is released.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslymodelinfer-private.h"
#include "slyerror.h"

/* What "latency=-1" reports before round trips have been measured. */
#define LATENCY_ESTIMATE (200 * GST_MSECOND)
/* Round trips needed before the automatic latency trusts them. */
#define MIN_RTT_SAMPLES 8
/* At most one mid-stream failure warning per this many microseconds. */
#define WARNING_INTERVAL_US (2 * G_USEC_PER_SEC)

guint
gst_sly_model_infer_http_status (const GError * error)
{
  if (error != NULL && error->domain == SLY_HTTP_ERROR)
    return error->code;
  return 0;
}

/* called with GST_OBJECT_LOCK: a new run starts from zero */
void
gst_sly_model_infer_locked_reset_stats (GstSlyModelInfer * self)
{
  self->frames_in = self->frames_out = self->inferred = 0;
  self->skipped = self->dropped = self->failed = self->predicted = 0;
  self->rtt_len = self->rtt_pos = 0;
  self->last_warning_us = 0;
  self->unreported_failures = 0;
  self->reported_rtt = GST_CLOCK_TIME_NONE;
}

/* called with GST_OBJECT_LOCK */
static void
gst_sly_model_infer_locked_round_trips (GstSlyModelInfer * self,
    GstClockTime * p50, GstClockTime * p95)
{
  GstClockTime sorted[RTT_WINDOW];
  guint i, j;

  *p50 = *p95 = GST_CLOCK_TIME_NONE;
  if (self->rtt_len == 0)
    return;
  /* insertion sort of at most RTT_WINDOW values */
  for (i = 0; i < self->rtt_len; i++) {
    GstClockTime v = self->rtt[i];

    for (j = i; j > 0 && sorted[j - 1] > v; j--)
      sorted[j] = sorted[j - 1];
    sorted[j] = v;
  }
  *p50 = sorted[(self->rtt_len - 1) * 50 / 100];
  *p95 = sorted[(self->rtt_len - 1) * 95 / 100];
}

/* called with GST_OBJECT_LOCK */
GstStructure *
gst_sly_model_infer_locked_stats (GstSlyModelInfer * self)
{
  GstClockTime p50, p95;

  gst_sly_model_infer_locked_round_trips (self, &p50, &p95);
  return gst_structure_new ("application/x-slymodelinfer-stats",
      "frames-in", G_TYPE_UINT64, self->frames_in,
      "frames-out", G_TYPE_UINT64, self->frames_out,
      "inferred", G_TYPE_UINT64, self->inferred,
      "skipped", G_TYPE_UINT64, self->skipped,
      "dropped", G_TYPE_UINT64, self->dropped,
      "failed", G_TYPE_UINT64, self->failed,
      "tracker-predicted", G_TYPE_UINT64, self->predicted,
      "in-flight", G_TYPE_UINT,
      gst_sly_request_queue_get_inflight (&self->queue),
      "round-trip-p50", G_TYPE_UINT64, p50,
      "round-trip-p95", G_TYPE_UINT64, p95, NULL);
}

/* called with GST_OBJECT_LOCK: with latency=-1, whether the measured p95
 * round trip outgrew the one last reported by a quarter, so the pipeline
 * should query the latency again. Each post updates reported_rtt, so it
 * happens again only after a further rise. */
static gboolean
gst_sly_model_infer_locked_latency_grew (GstSlyModelInfer * self)
{
  GstClockTime p50, p95;

  if (self->latency >= 0 || self->rtt_len < MIN_RTT_SAMPLES ||
      !GST_CLOCK_TIME_IS_VALID (self->reported_rtt))
    return FALSE;
  gst_sly_model_infer_locked_round_trips (self, &p50, &p95);
  if (p95 <= self->reported_rtt + self->reported_rtt / 4)
    return FALSE;
  self->reported_rtt = p95;
  return TRUE;
}

/* called with GST_OBJECT_LOCK: records the round trip of an answered
 * request; TRUE when the caller should post a LATENCY message. */
gboolean
gst_sly_model_infer_locked_add_round_trip (GstSlyModelInfer * self,
    GstClockTime rtt)
{
  self->rtt[self->rtt_pos] = rtt;
  self->rtt_pos = (self->rtt_pos + 1) % RTT_WINDOW;
  self->rtt_len = MIN (self->rtt_len + 1, RTT_WINDOW);
  return gst_sly_model_infer_locked_latency_grew (self);
}

/* Counts a frame that got no answer. */
void
gst_sly_model_infer_count_result (GstSlyModelInfer * self, GstSlyResult result)
{
  GST_OBJECT_LOCK (self);
  if (result == GST_SLY_RESULT_DROPPED)
    self->dropped++;
  else if (result == GST_SLY_RESULT_FAILED)
    self->failed++;
  else
    self->skipped++;
  GST_OBJECT_UNLOCK (self);
}

/* I/O thread: one warning per WARNING_INTERVAL_US at most, counting the
 * failures it stands for, so a server that is down does not flood the
 * bus with a warning per frame. */
void
gst_sly_model_infer_warn_failure (GstSlyModelInfer * self, guint n_frames,
    const GError * error)
{
  gint64 now = g_get_monotonic_time ();
  guint failures;
  guint status = gst_sly_model_infer_http_status (error);

  GST_OBJECT_LOCK (self);
  self->unreported_failures += n_frames;
  if (self->last_warning_us != 0 &&
      now - self->last_warning_us < WARNING_INTERVAL_US) {
    GST_OBJECT_UNLOCK (self);
    GST_DEBUG_OBJECT (self, "request failed: %s", error->message);
    return;
  }
  self->last_warning_us = now;
  failures = self->unreported_failures;
  self->unreported_failures = 0;
  GST_OBJECT_UNLOCK (self);

  GST_ELEMENT_WARNING_WITH_DETAILS (self, RESOURCE, READ,
      ("Inference failed for %u frame(s), they pass without predictions: %s",
          failures, error->message), (NULL),
      ("http-status-code", G_TYPE_UINT, status, NULL));
}

/* The latency this element adds: the round trip (measured p95 or the
 * property) plus the time to gather a batch. */
GstClockTime
gst_sly_model_infer_get_latency (GstSlyModelInfer * self)
{
  GstClockTime latency, gather;

  GST_OBJECT_LOCK (self);
  if (self->latency >= 0) {
    latency = self->latency;
    GST_OBJECT_UNLOCK (self);
    return latency;
  }
  gather = (gst_sly_model_infer_locked_batch_size (self) - 1) *
      self->frame_duration;
  latency = LATENCY_ESTIMATE;
  if (self->rtt_len >= MIN_RTT_SAMPLES) {
    GstClockTime p50;

    gst_sly_model_infer_locked_round_trips (self, &p50, &latency);
  }
  /* what later round trips are compared against */
  self->reported_rtt = latency;
  GST_OBJECT_UNLOCK (self);

  return latency + gather;
}
