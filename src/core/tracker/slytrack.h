/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One track of the tracker (private): its Kalman state, life-cycle state and
 * class votes. The SDK calls this an STrack.
 */
#ifndef __SLY_TRACK_H__
#define __SLY_TRACK_H__

#include "slykalman.h"
#include "slytracker.h"

G_BEGIN_DECLS

typedef enum
{
  SLY_TRACK_TRACKED,
  SLY_TRACK_LOST,
  SLY_TRACK_REMOVED,
} SlyTrackState;

typedef struct
{
  gint64 id;
  SlyTrackState state;
  gboolean activated;           /* confirmed */
  SlyKalman kf;
  gdouble score;
  guint frame_id;               /* last frame it was matched in */
  guint start_frame;
  GArray *votes;                /* SlyClassVote */
  gint class_index;
  guint n_matches;              /* detections so far, the first one included */
  gdouble last_xywh[4];         /* the detection of frame_id */
} SlyTrack;

G_GNUC_INTERNAL
SlyTrack *sly_track_new         (gint64 id, const SlyDetection * det,
                                 guint frame_id);
G_GNUC_INTERNAL
void     sly_track_free         (SlyTrack * track);

/* Matched with @det in frame @frame_id: Kalman correction, score, class
 * vote; a Lost or unconfirmed track becomes a confirmed Tracked one. */
G_GNUC_INTERNAL
void     sly_track_update       (SlyTrack * track, const SlyDetection * det,
                                 guint frame_id);

/* The same for a track's second detection, gap-aware: the box is the
 * detection's and the centre's velocity the displacement from the first
 * detection over the frames between them (the Kalman update alone would
 * leave an unconfirmed track, never predicted, at zero velocity). */
G_GNUC_INTERNAL
void     sly_track_update_two_point (SlyTrack * track,
                                     const SlyDetection * det,
                                     guint frame_id);

/* [x1, y1, x2, y2] of the Kalman box */
G_GNUC_INTERNAL
void     sly_track_get_box      (const SlyTrack * track, gdouble box[4]);

G_GNUC_INTERNAL
gdouble  sly_box_iou            (const gdouble a[4], const gdouble b[4]);

/* IoU of the two boxes each grown by @buffer times its own width and
 * height on every side (C-BIoU, Yang et al., WACV 2023); @buffer 0 is
 * sly_box_iou(). */
G_GNUC_INTERNAL
gdouble  sly_box_buffered_iou   (const gdouble a[4], const gdouble b[4],
                                 gdouble buffer);

G_END_DECLS

#endif /* __SLY_TRACK_H__ */
