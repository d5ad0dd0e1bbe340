/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "slytrack.h"

#include <string.h>

typedef struct
{
  gint class_index;
  gdouble score_sum;
} SlyClassVote;

static void
detection_to_xywh (const SlyDetection * det, gdouble xywh[4])
{
  gdouble w = det->x2 - det->x1, h = det->y2 - det->y1;

  xywh[0] = det->x1 + w / 2;
  xywh[1] = det->y1 + h / 2;
  xywh[2] = w;
  xywh[3] = h;
}

/* The class is the one with the largest summed score; on a tie the class
 * seen first stays. */
static void
vote (SlyTrack * track, gint class_index, gdouble score)
{
  SlyClassVote *best = NULL;
  gboolean found = FALSE;
  guint i;

  for (i = 0; i < track->votes->len; i++) {
    SlyClassVote *v = &g_array_index (track->votes, SlyClassVote, i);

    if (v->class_index == class_index) {
      v->score_sum += score;
      found = TRUE;
    }
  }
  if (!found) {
    SlyClassVote v = { class_index, score };

    g_array_append_val (track->votes, v);
  }
  for (i = 0; i < track->votes->len; i++) {
    SlyClassVote *v = &g_array_index (track->votes, SlyClassVote, i);

    if (best == NULL || v->score_sum > best->score_sum)
      best = v;
  }
  track->class_index = best->class_index;
}

SlyTrack *
sly_track_new (gint64 id, const SlyDetection * det, guint frame_id)
{
  SlyTrack *track = g_new0 (SlyTrack, 1);
  gdouble xywh[4];

  track->id = id;
  track->state = SLY_TRACK_TRACKED;
  /* only tracks born in the very first frame are confirmed at once */
  track->activated = frame_id == 1;
  detection_to_xywh (det, xywh);
  sly_kalman_initiate (&track->kf, xywh);
  track->score = det->score;
  track->frame_id = track->start_frame = frame_id;
  track->n_matches = 1;
  memcpy (track->last_xywh, xywh, sizeof (xywh));
  track->votes = g_array_new (FALSE, FALSE, sizeof (SlyClassVote));
  vote (track, det->class_index, det->score);
  return track;
}

void
sly_track_free (SlyTrack * track)
{
  g_array_unref (track->votes);
  g_free (track);
}

void
sly_track_update (SlyTrack * track, const SlyDetection * det, guint frame_id)
{
  gdouble xywh[4];

  detection_to_xywh (det, xywh);
  sly_kalman_update (&track->kf, xywh);
  track->state = SLY_TRACK_TRACKED;
  track->activated = TRUE;
  track->frame_id = frame_id;
  track->score = det->score;
  track->n_matches++;
  memcpy (track->last_xywh, xywh, sizeof (xywh));
  vote (track, det->class_index, det->score);
}

void
sly_track_update_two_point (SlyTrack * track, const SlyDetection * det,
    guint frame_id)
{
  gdouble first[4], dt = frame_id > track->frame_id ?
      frame_id - track->frame_id : 1;
  gint i;

  memcpy (first, track->last_xywh, sizeof (first));
  sly_track_update (track, det, frame_id);
  /* the covariance stays the Kalman update's; the mean is the line
   * through the two detections */
  for (i = 0; i < 4; i++)
    track->kf.mean[i] = track->last_xywh[i];
  track->kf.mean[4] = (track->last_xywh[0] - first[0]) / dt;
  track->kf.mean[5] = (track->last_xywh[1] - first[1]) / dt;
  track->kf.mean[6] = track->kf.mean[7] = 0;
}

void
sly_track_get_box (const SlyTrack * track, gdouble box[4])
{
  const gdouble *m = track->kf.mean;

  box[0] = m[0] - m[2] / 2;
  box[1] = m[1] - m[3] / 2;
  box[2] = box[0] + m[2];
  box[3] = box[1] + m[3];
}

/* IoU with the "+1 pixel" convention of cython_bbox (which the SDK uses):
 * a box [x1, x2] covers x2 - x1 + 1 pixels. */
gdouble
sly_box_iou (const gdouble a[4], const gdouble b[4])
{
  gdouble iw, ih, inter, uni;

  iw = MIN (a[2], b[2]) - MAX (a[0], b[0]) + 1;
  if (!(iw > 0))
    return 0;
  ih = MIN (a[3], b[3]) - MAX (a[1], b[1]) + 1;
  if (!(ih > 0))
    return 0;
  inter = iw * ih;
  uni = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
      + (b[2] - b[0] + 1) * (b[3] - b[1] + 1) - inter;
  return uni > 0 ? inter / uni : 0;
}

gdouble
sly_box_buffered_iou (const gdouble a[4], const gdouble b[4], gdouble buffer)
{
  gdouble ab[4], bb[4];

  if (!(buffer > 0))
    return sly_box_iou (a, b);
  ab[0] = a[0] - buffer * (a[2] - a[0]);
  ab[1] = a[1] - buffer * (a[3] - a[1]);
  ab[2] = a[2] + buffer * (a[2] - a[0]);
  ab[3] = a[3] + buffer * (a[3] - a[1]);
  bb[0] = b[0] - buffer * (b[2] - b[0]);
  bb[1] = b[1] - buffer * (b[3] - b[1]);
  bb[2] = b[2] + buffer * (b[2] - b[0]);
  bb[3] = b[3] + buffer * (b[3] - b[1]);
  return sly_box_iou (ab, bb);
}
