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

/* [x1, y1, x2, y2] of the Kalman box */
G_GNUC_INTERNAL
void     sly_track_get_box      (const SlyTrack * track, gdouble box[4]);

G_GNUC_INTERNAL
gdouble  sly_box_iou            (const gdouble a[4], const gdouble b[4]);

G_END_DECLS

#endif /* __SLY_TRACK_H__ */
