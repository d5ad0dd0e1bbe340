/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slymodelinfer's bookkeeping; see the header. Every field is under
 * stats->lock, which is never held while calling out.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstslyinferstats.h"

/* Round trips kept for the p50/p95 statistics. */
#define RTT_WINDOW 128
/* What the automatic latency reports before round trips were measured. */
#define LATENCY_ESTIMATE (200 * GST_MSECOND)
/* Round trips needed before the automatic latency trusts them. */
#define MIN_RTT_SAMPLES 8
/* A repeated warning is posted at most once per this many microseconds. */
#define WARNING_INTERVAL_US (5 * G_USEC_PER_SEC)
/* The no-predictions warning looks at windows of this length... */
#define SHARE_WINDOW_US (3 * G_USEC_PER_SEC)
/* ...and speaks when more than this share of their frames had none. */
#define SHARE_THRESHOLD 0.5

/* Frames of the current window of live output. */
typedef struct
{
  gint64 start_us;
  guint total;
  guint late, failed, busy;     /* without a fresh prediction, by cause */
} ShareWindow;

struct _GstSlyInferStats
{
  GMutex lock;

  guint64 frames_in, frames_out;
  guint64 results[GST_SLY_RESULT_LATE + 1];
  gint64 start_us;

  GstClockTime rtt[RTT_WINDOW]; /* as measured, for the stats */
  GstClockTime latency_rtt[RTT_WINDOW]; /* as the latency counts them */
  guint rtt_len, rtt_pos;
  GstClockTime reported_rtt;    /* round trip in the last latency answer */

  gint64 last_warning_us[GST_SLY_WARN_LAST];
  guint unreported[GST_SLY_WARN_LAST];
  ShareWindow share;
  gint64 last_message_us;
};

GstSlyInferStats *
gst_sly_infer_stats_new (void)
{
  GstSlyInferStats *stats = g_new0 (GstSlyInferStats, 1);

  g_mutex_init (&stats->lock);
  gst_sly_infer_stats_reset (stats);
  return stats;
}

void
gst_sly_infer_stats_free (GstSlyInferStats * stats)
{
  g_mutex_clear (&stats->lock);
  g_free (stats);
}

void
gst_sly_infer_stats_reset (GstSlyInferStats * stats)
{
  g_mutex_lock (&stats->lock);
  stats->frames_in = stats->frames_out = 0;
  memset (stats->results, 0, sizeof (stats->results));
  stats->start_us = g_get_monotonic_time ();
  stats->rtt_len = stats->rtt_pos = 0;
  stats->reported_rtt = GST_CLOCK_TIME_NONE;
  memset (stats->last_warning_us, 0, sizeof (stats->last_warning_us));
  memset (stats->unreported, 0, sizeof (stats->unreported));
  memset (&stats->share, 0, sizeof (stats->share));
  stats->last_message_us = stats->start_us;
  g_mutex_unlock (&stats->lock);
}

void
gst_sly_infer_stats_count_in (GstSlyInferStats * stats)
{
  g_mutex_lock (&stats->lock);
  stats->frames_in++;
  g_mutex_unlock (&stats->lock);
}

/* called with the lock: the reason most frames had no prediction */
static const gchar *
share_reason (const ShareWindow * w)
{
  if (w->late >= w->failed && w->late >= w->busy)
    return "the model server answers slower than the latency "
        "(server slow or frozen; raise the latency property to wait longer)";
  if (w->failed >= w->busy)
    return "requests fail (server down or failing)";
  return "all max-inflight requests are busy (server overloaded; raise "
      "max-inflight or inference-interval)";
}

/* called with the lock: the warning text when a window just ended with
 * most of its frames unpredicted, and warnings may be posted again */
static gchar *
locked_share_check (GstSlyInferStats * stats, gint64 now)
{
  ShareWindow *w = &stats->share;
  guint missed = w->late + w->failed + w->busy;
  gchar *text = NULL;

  if (now - w->start_us < SHARE_WINDOW_US)
    return NULL;
  if (w->total > 0 && missed > SHARE_THRESHOLD * w->total &&
      now - stats->last_warning_us[GST_SLY_WARN_NO_PREDICTIONS] >=
      WARNING_INTERVAL_US) {
    stats->last_warning_us[GST_SLY_WARN_NO_PREDICTIONS] = now;
    text = g_strdup_printf ("%u of the last %u live frames went out without "
        "a fresh prediction: %s", missed, w->total, share_reason (w));
  }
  memset (w, 0, sizeof (*w));
  w->start_us = now;
  return text;
}

gchar *
gst_sly_infer_stats_count_out (GstSlyInferStats * stats, GstSlyResult result,
    gboolean planned, gboolean live)
{
  gint64 now = g_get_monotonic_time ();
  ShareWindow *w = &stats->share;
  gchar *text = NULL;

  g_mutex_lock (&stats->lock);
  stats->results[result]++;
  if (result != GST_SLY_RESULT_DROPPED)
    stats->frames_out++;
  if (live) {
    if (w->start_us == 0)
      w->start_us = now;
    w->total++;
    if (result == GST_SLY_RESULT_LATE)
      w->late++;
    else if (result == GST_SLY_RESULT_FAILED)
      w->failed++;
    else if (!planned && result != GST_SLY_RESULT_INFERRED)
      w->busy++;
    text = locked_share_check (stats, now);
  }
  g_mutex_unlock (&stats->lock);
  return text;
}

/* called with the lock: percentiles of @window (rtt or latency_rtt) */
static void
locked_percentiles (GstSlyInferStats * stats, const GstClockTime * window,
    GstClockTime * p50, GstClockTime * p95)
{
  GstClockTime sorted[RTT_WINDOW];
  guint i, j;

  *p50 = *p95 = GST_CLOCK_TIME_NONE;
  if (stats->rtt_len == 0)
    return;
  /* insertion sort of at most RTT_WINDOW values */
  for (i = 0; i < stats->rtt_len; i++) {
    GstClockTime v = window[i];

    for (j = i; j > 0 && sorted[j - 1] > v; j--)
      sorted[j] = sorted[j - 1];
    sorted[j] = v;
  }
  *p50 = sorted[(stats->rtt_len - 1) * 50 / 100];
  *p95 = sorted[(stats->rtt_len - 1) * 95 / 100];
}

gboolean
gst_sly_infer_stats_add_round_trip (GstSlyInferStats * stats,
    GstClockTime rtt, GstClockTime latency_rtt, gboolean automatic_latency)
{
  GstClockTime p50, p95;
  gboolean grew = FALSE;

  g_mutex_lock (&stats->lock);
  stats->rtt[stats->rtt_pos] = rtt;
  stats->latency_rtt[stats->rtt_pos] = latency_rtt;
  stats->rtt_pos = (stats->rtt_pos + 1) % RTT_WINDOW;
  stats->rtt_len = MIN (stats->rtt_len + 1, RTT_WINDOW);
  /* the pipeline should ask again once the p95 outgrew what was reported
   * by a quarter; each query updates reported_rtt, so this fires again
   * only after a further rise */
  if (automatic_latency && stats->rtt_len >= MIN_RTT_SAMPLES &&
      GST_CLOCK_TIME_IS_VALID (stats->reported_rtt)) {
    locked_percentiles (stats, stats->latency_rtt, &p50, &p95);
    grew = p95 > stats->reported_rtt + stats->reported_rtt / 4;
    if (grew)
      stats->reported_rtt = p95;
  }
  g_mutex_unlock (&stats->lock);
  return grew;
}

gboolean
gst_sly_infer_stats_may_warn (GstSlyInferStats * stats, GstSlyWarning kind,
    guint n, guint * n_since)
{
  gint64 now = g_get_monotonic_time ();
  gboolean may;

  g_mutex_lock (&stats->lock);
  stats->unreported[kind] += n;
  may = stats->last_warning_us[kind] == 0 ||
      now - stats->last_warning_us[kind] >= WARNING_INTERVAL_US;
  if (n_since != NULL)
    *n_since = stats->unreported[kind];
  if (may) {
    stats->last_warning_us[kind] = now;
    stats->unreported[kind] = 0;
  }
  g_mutex_unlock (&stats->lock);
  return may;
}

GstClockTime
gst_sly_infer_stats_get_latency (GstSlyInferStats * stats, GstClockTime gather)
{
  GstClockTime latency = LATENCY_ESTIMATE;

  g_mutex_lock (&stats->lock);
  if (stats->rtt_len >= MIN_RTT_SAMPLES) {
    GstClockTime p50, p95;

    locked_percentiles (stats, stats->latency_rtt, &p50, &p95);
    latency = p95;
  }
  /* what later round trips are compared against */
  stats->reported_rtt = latency;
  g_mutex_unlock (&stats->lock);

  /* headroom: a frame whose answer comes at exactly the p95 round trip
   * still has time to be pushed */
  return latency + latency / 4 + gather;
}

gboolean
gst_sly_infer_stats_message_due (GstSlyInferStats * stats,
    GstClockTime interval)
{
  gint64 now = g_get_monotonic_time ();
  gboolean due;

  g_mutex_lock (&stats->lock);
  due = (GstClockTime) (now - stats->last_message_us) * GST_USECOND >= interval;
  if (due)
    stats->last_message_us = now;
  g_mutex_unlock (&stats->lock);
  return due;
}

GstStructure *
gst_sly_infer_stats_to_structure (GstSlyInferStats * stats,
    const gchar * name, guint inflight)
{
  gint64 elapsed_us;
  GstClockTime p50, p95;
  GstStructure *s;

  g_mutex_lock (&stats->lock);
  elapsed_us = g_get_monotonic_time () - stats->start_us;
  s = gst_structure_new (name,
      "frames-in", G_TYPE_UINT64, stats->frames_in,
      "frames-out", G_TYPE_UINT64, stats->frames_out,
      "inferred", G_TYPE_UINT64, stats->results[GST_SLY_RESULT_INFERRED],
      "skipped", G_TYPE_UINT64, stats->results[GST_SLY_RESULT_SKIPPED],
      "dropped", G_TYPE_UINT64, stats->results[GST_SLY_RESULT_DROPPED],
      "failed", G_TYPE_UINT64, stats->results[GST_SLY_RESULT_FAILED],
      "late", G_TYPE_UINT64, stats->results[GST_SLY_RESULT_LATE],
      "tracker-predicted", G_TYPE_UINT64,
      stats->results[GST_SLY_RESULT_PREDICTED],
      "in-flight", G_TYPE_UINT, inflight,
      "fps", G_TYPE_DOUBLE, elapsed_us > 0 ?
      stats->frames_out * (gdouble) G_USEC_PER_SEC / elapsed_us : 0.0, NULL);
  /* no sentinel values: the round trips appear once there are some */
  locked_percentiles (stats, stats->rtt, &p50, &p95);
  if (GST_CLOCK_TIME_IS_VALID (p50))
    gst_structure_set (s, "round-trip-p50", G_TYPE_UINT64, p50,
        "round-trip-p95", G_TYPE_UINT64, p95, NULL);
  g_mutex_unlock (&stats->lock);
  return s;
}

gchar *
gst_sly_infer_stats_summary (GstSlyInferStats * stats)
{
  GstStructure *s = gst_sly_infer_stats_to_structure (stats, "summary", 0);
  gchar *text;

  gst_structure_remove_field (s, "in-flight");
  text = gst_structure_to_string (s);
  gst_structure_free (s);
  return text;
}
