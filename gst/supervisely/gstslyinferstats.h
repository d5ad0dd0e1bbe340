/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bookkeeping of slymodelinfer, behind its own lock: frames counted
 * by what they went out as, the window of round trips behind the stats
 * and the automatic latency, and the decisions of when a repeated warning
 * may be posted again. It never posts anything itself: it tells the
 * element what to post.
 */
#ifndef __GST_SLY_INFER_STATS_H__
#define __GST_SLY_INFER_STATS_H__

#include <gst/gst.h>
#include "gstslyrequestqueue.h"

G_BEGIN_DECLS

typedef struct _GstSlyInferStats GstSlyInferStats;

/* Warnings that repeat: each kind is posted at most once per interval. */
typedef enum
{
  GST_SLY_WARN_FAILURE,         /* requests failed */
  GST_SLY_WARN_ENCODE,          /* a frame could not be encoded */
  GST_SLY_WARN_NO_PREDICTIONS,  /* most live frames go out without one */
  GST_SLY_WARN_TRUNCATED,       /* an answer had too many objects */
  GST_SLY_WARN_LAST
} GstSlyWarning;

GstSlyInferStats *gst_sly_infer_stats_new (void);
void gst_sly_infer_stats_free (GstSlyInferStats * stats);
/* A new run starts from zero. */
void gst_sly_infer_stats_reset (GstSlyInferStats * stats);

void gst_sly_infer_stats_count_in (GstSlyInferStats * stats);
/* A frame left (or was dropped) as @result; @planned frames were skipped
 * on purpose (inference-interval). On live input, returns (transfer full)
 * the text of a warning to post when most frames of the last seconds went
 * out without a fresh prediction, else NULL. */
gchar *gst_sly_infer_stats_count_out (GstSlyInferStats * stats,
    GstSlyResult result, gboolean planned, gboolean live);
/* An answer came back @rtt after its request left (also when its frames
 * had gone out late); the automatic latency counts it as @latency_rtt.
 * TRUE when the latency should be queried again (the round trips grew). */
gboolean gst_sly_infer_stats_add_round_trip (GstSlyInferStats * stats,
    GstClockTime rtt, GstClockTime latency_rtt, gboolean automatic_latency);
/* Counts @n occurrences of @kind (frames, objects...) and says whether a
 * warning may be posted now; *@n_since (nullable) is then how many
 * occurred since the last post, these included. */
gboolean gst_sly_infer_stats_may_warn (GstSlyInferStats * stats,
    GstSlyWarning kind, guint n, guint * n_since);

/* The latency this element adds with the automatic setting: the measured
 * p95 round trip with a quarter of headroom (an estimate before enough
 * were measured), plus @gather (the time to gather a batch). Remembered
 * as the reported one. */
GstClockTime gst_sly_infer_stats_get_latency (GstSlyInferStats * stats,
    GstClockTime gather);

/* Whether a stats message is due, every @interval; TRUE once at most per
 * interval. */
gboolean gst_sly_infer_stats_message_due (GstSlyInferStats * stats,
    GstClockTime interval);

/* The counters as a structure named @name: frames-in, frames-out,
 * inferred, skipped, dropped, failed, late, tracker-predicted,
 * in-flight (@inflight), fps and, once measured,
 * round-trip-p50 and round-trip-p95. */
GstStructure *gst_sly_infer_stats_to_structure (GstSlyInferStats * stats,
    const gchar * name, guint inflight);
/* One line for the log at EOS. */
gchar *gst_sly_infer_stats_summary (GstSlyInferStats * stats);

G_END_DECLS

#endif /* __GST_SLY_INFER_STATS_H__ */
