/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * BoT-SORT multi-object tracker (protocol.md section 8.2) without appearance
 * features: a Kalman filter per track, two-stage IoU association (high then
 * low scores), an unconfirmed-track pass, and a lost-track buffer. Camera
 * motion can be supplied from outside as a 2x3 warp per frame.
 *
 * Not thread-safe: one tracker is fed frames in order by one thread.
 */
#ifndef __SLY_TRACKER_H__
#define __SLY_TRACKER_H__

#include <glib-object.h>

#include "slyannotation.h"
#include "slytrackerconfig.h"

G_BEGIN_DECLS

/* One detection: [x1, y1, x2, y2, score, class_index] as the SDK builds it
 * (x2, y2 = the inclusive right/bottom pixel of a Supervisely bbox). */
typedef struct
{
  gdouble x1;
  gdouble y1;
  gdouble x2;
  gdouble y2;
  gdouble score;
  gint class_index;
} SlyDetection;

/* A confirmed track as the tracker currently sees it. */
typedef struct
{
  gint64 track_id;
  gdouble x1;                   /* Kalman box; x2 = x1 + w, y2 = y1 + h */
  gdouble y1;
  gdouble x2;
  gdouble y2;
  gdouble score;                /* score of the last matched detection */
  gint class_index;             /* class with the largest summed score */
  guint frames_since_update;    /* 0: matched in the last frame */
} SlyTrackBox;

/* Limits against hostile input (association uses dense matrices): per
 * frame, only the SLY_TRACKER_MAX_DETECTIONS best-scoring usable detections
 * are considered, and no track is started while SLY_TRACKER_MAX_TRACKS are
 * alive. Real detectors stay far below (the SDK's models return <= 300). */
#define SLY_TRACKER_MAX_DETECTIONS 1024
#define SLY_TRACKER_MAX_TRACKS     4096

typedef struct _SlyTracker SlyTracker;

/* @config: (nullable): NULL = the SDK defaults. The tracker keeps a copy. */
SlyTracker *sly_tracker_new            (const SlyTrackerConfig * config);
void     sly_tracker_free              (SlyTracker * tracker);

const SlyTrackerConfig *sly_tracker_get_config (SlyTracker * tracker);

/* Forgets every track; ids start again from 1 (a new video or a seek). */
void     sly_tracker_reset             (SlyTracker * tracker);

/* Number of frames seen (updates plus predictions) since the last reset. */
guint    sly_tracker_get_frame_count   (SlyTracker * tracker);

/*
 * Camera motion of the next frame: @warp is a row-major 2x3 matrix mapping
 * the previous frame's pixel coordinates to the next frame's. It is applied
 * by the next sly_tracker_update() or sly_tracker_predict(), after the
 * Kalman prediction, to every confirmed and unconfirmed track (step 5 of
 * protocol.md 8.2). Without a call, no motion is assumed (cmc "none").
 */
void     sly_tracker_apply_warp        (SlyTracker * tracker,
                                        const gdouble warp[6]);

/*
 * One frame with detections (possibly none). @out_track_ids (nullable)
 * receives, per detection, the id of the track it was assigned to, or 0 for
 * none; new, still unconfirmed tracks count too (protocol.md 8.2 step 12).
 * Detections with non-finite values or negative size get 0. With
 * same_object_iou < 1, detections of one class overlapping by more than it
 * are one object: one of them feeds the tracker, all get its id. Returns
 * the number of detections that got an id.
 */
guint    sly_tracker_update            (SlyTracker * tracker,
                                        const SlyDetection * detections,
                                        guint n_detections,
                                        gint64 * out_track_ids);

/*
 * One frame without detections (not inferred, or the request failed): the
 * Kalman states advance one frame and lost tracks age (and may be removed).
 * Call it for every such frame: the next update's gap (frames since the
 * previous update) is 1 + the calls in between, and with gap_aware the
 * association tolerates the displacement a gap allows (docs/tracking.md).
 * Tracked tracks stay Tracked, and so are output with predicted boxes, until
 * they go unmatched for more than track_buffer frames; then they become Lost.
 */
void     sly_tracker_predict           (SlyTracker * tracker);

/*
 * Confirmed tracks in the Tracked state whose box area exceeds min_box_area,
 * with their current (after an update: corrected; after a predict:
 * predicted) boxes. Returns (transfer full) an array of SlyTrackBox.
 */
GArray  *sly_tracker_get_tracks        (SlyTracker * tracker);

/*
 * TRUE when @track_id is a confirmed track matched in the last update: the
 * SDK's output tracks, which go into the video annotation (protocol.md 8.2:
 * new, unconfirmed tracks have an id in the frame's map but are not output
 * yet). Unlike sly_tracker_get_tracks(), min_box_area does not apply.
 */
gboolean sly_tracker_track_in_output   (SlyTracker * tracker,
                                        gint64 track_id);

/* --- annotation helpers (protocol.md 6.7) --- */

/*
 * Tracks the objects of one frame: boxes from each geometry's bbox, score
 * from the confidence, class from the class title (indices kept per
 * tracker). Writes the track ids into the objects, drops the objects that
 * got none (keeping the order of the others) and sets has_track_ids.
 */
void     sly_tracker_update_annotation (SlyTracker * tracker,
                                        SlyAnnotation * annotation);

/*
 * A copy of @annotation (as returned by sly_tracker_update_annotation())
 * keeping only the objects whose track is in the output of that update
 * (sly_tracker_track_in_output()): the figures the SDK writes into the video
 * annotation for the frame (protocol.md 8.2, 9).
 */
SlyAnnotation *sly_tracker_output_annotation (SlyTracker * tracker,
                                              const SlyAnnotation * annotation);

/*
 * sly_tracker_predict() and the result as a new annotation of rectangles
 * (one per confirmed track, clipped to @width x @height, with track id,
 * voted class title and the last matched score as confidence).
 */
SlyAnnotation *sly_tracker_predict_annotation (SlyTracker * tracker,
                                               gint width,
                                               gint height);

/* Class title of an index assigned by sly_tracker_update_annotation(), or
 * NULL. */
const gchar *sly_tracker_get_class_title (SlyTracker * tracker,
                                          gint class_index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyTracker, sly_tracker_free)

G_END_DECLS

#endif /* __SLY_TRACKER_H__ */
