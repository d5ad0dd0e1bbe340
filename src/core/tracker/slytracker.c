/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BoT-SORT state machine (protocol.md 8.2 steps 1-12). Step numbers in
 * the comments refer to that list. Tracks live in two ordered lists, as in
 * the SDK: "tracked" (confirmed and unconfirmed tracks in the Tracked state)
 * and "lost"; the order only matters for ties in the assignment.
 */
#include "slytracker.h"
#include "slytracker-private.h"
#include "slytrack.h"
#include "slylap.h"

#include <math.h>
#include <string.h>

/* Fixed costs of the SDK for the second and the unconfirmed passes, and for
 * duplicate removal. */
#define SECOND_MATCH_THRESH 0.5
#define UNCONFIRMED_MATCH_THRESH 0.7
#define DUPLICATE_IOU_DISTANCE 0.15

struct _SlyTracker
{
  SlyTrackerConfig *config;
  guint frame_id;
  gint64 next_id;
  GPtrArray *tracked;           /* SlyTrack*, owned */
  GPtrArray *lost;              /* SlyTrack*, owned */
  gboolean have_warp;
  gdouble warp[6];
  GPtrArray *class_titles;      /* gchar*, index = class index */
  guint last_update_frame;      /* frame_id of the last update, 0: none */
  guint gap;                    /* frames since the previous update (>= 1) */
};

/* Per-frame work lists; tracks are borrowed from the tracker's lists. */
typedef struct
{
  const SlyDetection *dets;
  gint64 *ids;                  /* per detection */
  GArray *high;                 /* guint detection indices */
  GArray *low;
  GPtrArray *pool;              /* confirmed Tracked + Lost */
  GPtrArray *unconfirmed;
  GPtrArray *created;           /* new tracks, owned until merged */
  gint *leader;                 /* per detection: -1, or the detection of
                                 * the same object that feeds the tracker */
  gdouble buffer;               /* of the gap-aware passes, x box size */
} Frame;

SlyTracker *
sly_tracker_new (const SlyTrackerConfig * config)
{
  SlyTracker *self = g_new0 (SlyTracker, 1);

  self->config = config ? sly_tracker_config_copy (config) :
      sly_tracker_config_new ();
  self->tracked = g_ptr_array_new_with_free_func ((GDestroyNotify)
      sly_track_free);
  self->lost = g_ptr_array_new_with_free_func ((GDestroyNotify)
      sly_track_free);
  self->class_titles = g_ptr_array_new_with_free_func (g_free);
  self->next_id = 1;
  return self;
}

void
sly_tracker_free (SlyTracker * self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->tracked);
  g_ptr_array_unref (self->lost);
  g_ptr_array_unref (self->class_titles);
  sly_tracker_config_free (self->config);
  g_free (self);
}

const SlyTrackerConfig *
sly_tracker_get_config (SlyTracker * self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->config;
}

void
sly_tracker_reset (SlyTracker * self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->tracked, 0);
  g_ptr_array_set_size (self->lost, 0);
  g_ptr_array_set_size (self->class_titles, 0);
  self->frame_id = 0;
  self->last_update_frame = 0;
  self->gap = 0;
  self->next_id = 1;
  self->have_warp = FALSE;
}

guint
sly_tracker_get_frame_count (SlyTracker * self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->frame_id;
}

void
sly_tracker_apply_warp (SlyTracker * self, const gdouble warp[6])
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (warp != NULL);

  memcpy (self->warp, warp, sizeof (self->warp));
  self->have_warp = TRUE;
}

static gboolean
detection_is_valid (const SlyDetection * d)
{
  return isfinite (d->x1) && isfinite (d->y1) && isfinite (d->x2)
      && isfinite (d->y2) && isfinite (d->score) && d->x2 >= d->x1
      && d->y2 >= d->y1;
}

static gint
compare_score_desc (gconstpointer a, gconstpointer b, gpointer dets)
{
  gdouble sa = ((const SlyDetection *) dets)[*(const guint *) a].score;
  gdouble sb = ((const SlyDetection *) dets)[*(const guint *) b].score;

  return sa > sb ? -1 : sa < sb ? 1 : 0;
}

/* Best score first, the earlier detection first on a tie. */
static gint
compare_score_desc_then_index (gconstpointer a, gconstpointer b, gpointer dets)
{
  gint c = compare_score_desc (a, b, dets);
  guint ia = *(const guint *) a, ib = *(const guint *) b;

  return c != 0 ? c : ia < ib ? -1 : ia > ib ? 1 : 0;
}

static gint
compare_index (gconstpointer a, gconstpointer b)
{
  guint ia = *(const guint *) a, ib = *(const guint *) b;

  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/* Same-object geometries (an extension, off unless same_object_iou < 1):
 * detections of one class whose boxes overlap by more than same_object_iou
 * are one object (a model's mask and polygon of it). The best-scoring one
 * (the first on a tie) feeds the tracker; the others get its id. */
static void
group_same_objects (const SlyTrackerConfig * cfg, Frame * f, guint n)
{
  g_autoptr (GArray) order = NULL;
  guint i, j;

  for (i = 0; i < n; i++)
    f->leader[i] = -1;
  if (!(cfg->same_object_iou < 1) || n < 2)
    return;
  order = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  for (i = 0; i < n; i++)
    if (detection_is_valid (&f->dets[i]))
      g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_score_desc_then_index,
      (gpointer) f->dets);
  /* quadratic, but only in the detections kept: bounded like the rest */
  if (order->len > SLY_TRACKER_MAX_DETECTIONS)
    g_array_set_size (order, SLY_TRACKER_MAX_DETECTIONS);
  for (i = 1; i < order->len; i++) {
    guint k = g_array_index (order, guint, i);
    const SlyDetection *d = &f->dets[k];
    gdouble kbox[4] = { d->x1, d->y1, d->x2, d->y2 };

    for (j = 0; j < i; j++) {
      guint l = g_array_index (order, guint, j);
      const SlyDetection *e = &f->dets[l];
      gdouble lbox[4] = { e->x1, e->y1, e->x2, e->y2 };

      if (f->leader[l] >= 0 || e->class_index != d->class_index)
        continue;
      if (sly_box_iou (kbox, lbox) > cfg->same_object_iou) {
        f->leader[k] = l;
        break;
      }
    }
  }
}

/* Step 1: scores <= low are dropped, > high go first, the rest second.
 * Beyond SLY_TRACKER_MAX_DETECTIONS only the best scores are kept: the cost
 * matrices are dense, and a hostile server must not make them huge. */
static void
split_detections (const SlyTrackerConfig * cfg, Frame * f, guint n)
{
  g_autoptr (GArray) kept = g_array_new (FALSE, FALSE, sizeof (guint));
  guint i;

  for (i = 0; i < n; i++) {
    const SlyDetection *d = &f->dets[i];

    if (detection_is_valid (d) && d->score > cfg->track_low_thresh
        && f->leader[i] < 0)
      g_array_append_val (kept, i);
  }
  if (kept->len > SLY_TRACKER_MAX_DETECTIONS) {
    g_array_sort_with_data (kept, compare_score_desc, (gpointer) f->dets);
    g_array_set_size (kept, SLY_TRACKER_MAX_DETECTIONS);
    g_array_sort (kept, compare_index);
  }
  for (i = 0; i < kept->len; i++) {
    guint k = g_array_index (kept, guint, i);
    gdouble score = f->dets[k].score;

    if (score > cfg->track_high_thresh)
      g_array_append_val (f->high, k);
    else if (score < cfg->track_high_thresh)
      g_array_append_val (f->low, k);
  }
}

/* Step 3: unconfirmed tracks aside; pool = confirmed Tracked, then Lost. */
static void
split_tracks (SlyTracker * self, Frame * f)
{
  guint i;

  for (i = 0; i < self->tracked->len; i++) {
    SlyTrack *t = g_ptr_array_index (self->tracked, i);

    g_ptr_array_add (t->activated ? f->pool : f->unconfirmed, t);
  }
  for (i = 0; i < self->lost->len; i++)
    g_ptr_array_add (f->pool, g_ptr_array_index (self->lost, i));
}

/* Steps 4 and 5. Unconfirmed tracks are warped but not predicted, as in the
 * SDK. Gap-aware, a frame without detections and the update that ends such
 * a gap predict with gap_velocity_noise: the SDK's noise assumes a look at
 * every frame, and an object may turn while nobody looks. */
static void
predict_and_warp (SlyTracker * self, Frame * f, gboolean in_gap)
{
  gdouble noise = self->config->gap_aware && in_gap ?
      self->config->gap_velocity_noise : 1.0;
  guint i;

  for (i = 0; i < f->pool->len; i++) {
    SlyTrack *t = g_ptr_array_index (f->pool, i);

    sly_kalman_predict_with_noise (&t->kf, t->state == SLY_TRACK_TRACKED,
        noise);
  }
  if (!self->have_warp)
    return;
  for (i = 0; i < f->pool->len; i++)
    sly_kalman_apply_warp (&((SlyTrack *) g_ptr_array_index (f->pool,
                i))->kf, self->warp);
  for (i = 0; i < f->unconfirmed->len; i++)
    sly_kalman_apply_warp (&((SlyTrack *) g_ptr_array_index (f->unconfirmed,
                i))->kf, self->warp);
  self->have_warp = FALSE;
}

/* 1 - IoU, or 1 - IoU x score when @fuse; IoU of the boxes grown by
 * @buffer (0: plain IoU, the SDK's). */
static gdouble *
iou_costs (GPtrArray * tracks, const SlyDetection * dets, GArray * det_idx,
    gboolean fuse, gdouble buffer)
{
  gdouble *cost = g_new (gdouble, MAX (tracks->len * det_idx->len, 1));
  guint i, j;

  for (i = 0; i < tracks->len; i++) {
    gdouble tbox[4];

    sly_track_get_box (g_ptr_array_index (tracks, i), tbox);
    for (j = 0; j < det_idx->len; j++) {
      const SlyDetection *d = &dets[g_array_index (det_idx, guint, j)];
      gdouble dbox[4] = { d->x1, d->y1, d->x2, d->y2 };
      gdouble iou = sly_box_buffered_iou (tbox, dbox, buffer);

      cost[i * det_idx->len + j] = 1 - (fuse ? iou * d->score : iou);
    }
  }
  return cost;
}

/*
 * Assigns @tracks to the detections @det_idx, updates the matched tracks and
 * records their ids. On return @tracks and @det_idx hold only the unmatched
 * ones, in their original order.
 */
static void
associate_buffered (SlyTracker * self, Frame * f, GPtrArray * tracks,
    GArray * det_idx, gboolean fuse, gdouble limit, gdouble buffer,
    gboolean two_point)
{
  g_autofree gdouble *cost = NULL;
  g_autofree gint *row_to_col = NULL;
  g_autofree gint *col_to_row = NULL;
  gint i;

  if (tracks->len == 0 || det_idx->len == 0)
    return;
  cost = iou_costs (tracks, f->dets, det_idx, fuse, buffer);
  row_to_col = g_new (gint, tracks->len);
  col_to_row = g_new (gint, det_idx->len);
  sly_lap_solve (cost, tracks->len, det_idx->len, limit, row_to_col,
      col_to_row);

  for (i = tracks->len - 1; i >= 0; i--) {
    SlyTrack *t = g_ptr_array_index (tracks, i);
    guint d;

    if (row_to_col[i] < 0)
      continue;
    d = g_array_index (det_idx, guint, row_to_col[i]);
    if (two_point && t->n_matches == 1)
      sly_track_update_two_point (t, &f->dets[d], self->frame_id);
    else
      sly_track_update (t, &f->dets[d], self->frame_id);
    f->ids[d] = t->id;
    g_ptr_array_remove_index (tracks, i);
  }
  for (i = det_idx->len - 1; i >= 0; i--)
    if (col_to_row[i] >= 0)
      g_array_remove_index (det_idx, i);
}

/* The protocol's passes. Gap-aware, after frames without detections (gap
 * > 1): boxes grown by the frame's buffer, and a track's second detection
 * sets its velocity. With a gap of 1 this is exactly the SDK's. */
static void
associate (SlyTracker * self, Frame * f, GPtrArray * tracks, GArray * det_idx,
    gboolean fuse, gdouble limit)
{
  associate_buffered (self, f, tracks, det_idx, fuse, limit, f->buffer,
      self->config->gap_aware && self->gap > 1);
}

/* Step 7: only pool tracks that were Tracked take part; those still
 * unmatched afterwards become Lost. */
static void
second_association (SlyTracker * self, Frame * f)
{
  g_autoptr (GPtrArray) remaining = g_ptr_array_new ();
  guint i;

  for (i = 0; i < f->pool->len; i++) {
    SlyTrack *t = g_ptr_array_index (f->pool, i);

    if (t->state == SLY_TRACK_TRACKED)
      g_ptr_array_add (remaining, t);
  }
  associate (self, f, remaining, f->low, FALSE, SECOND_MATCH_THRESH);
  for (i = 0; i < remaining->len; i++)
    ((SlyTrack *) g_ptr_array_index (remaining, i))->state = SLY_TRACK_LOST;
}

/* Step 8: unconfirmed tracks get one chance, with the high detections left;
 * those unmatched are removed. */
static void
unconfirmed_association (SlyTracker * self, Frame * f)
{
  guint i;

  associate (self, f, f->unconfirmed, f->high, !self->config->mot20,
      UNCONFIRMED_MATCH_THRESH);
  for (i = 0; i < f->unconfirmed->len; i++)
    ((SlyTrack *) g_ptr_array_index (f->unconfirmed, i))->state =
        SLY_TRACK_REMOVED;
}

/* Gap-aware only, after step 8: tracks born in the previous update and
 * not matched in this one (so unconfirmed tracks about to be removed, and
 * first-frame tracks just marked lost) have no velocity yet, and an object
 * moving fast or across a gap leaves their box behind. They get a second
 * chance with the high detections left, boxes grown by young_buffer per
 * frame since their detection, cost 1 - IoU up to match_thresh; a match
 * sets their velocity from the two detections. Only what the protocol's
 * passes left unmatched takes part. */
static void
young_association (SlyTracker * self, Frame * f)
{
  const SlyTrackerConfig *cfg = self->config;
  g_autoptr (GPtrArray) young = g_ptr_array_new ();
  GPtrArray *lists[2] = { f->pool, f->unconfirmed };
  gdouble buffer;
  guint i, k;

  if (!cfg->gap_aware || !(cfg->young_buffer > 0) || f->high->len == 0
      || self->last_update_frame == 0)
    return;
  for (k = 0; k < G_N_ELEMENTS (lists); k++)
    for (i = 0; i < lists[k]->len; i++) {
      SlyTrack *t = g_ptr_array_index (lists[k], i);

      if (t->n_matches == 1 && t->frame_id == self->last_update_frame)
        g_ptr_array_add (young, t);
    }
  buffer = MIN (cfg->young_buffer * self->gap, cfg->max_buffer);
  associate_buffered (self, f, young, f->high, FALSE, cfg->match_thresh,
      buffer, TRUE);
}

/* Step 9 */
static void
create_tracks (SlyTracker * self, Frame * f)
{
  guint i;

  for (i = 0; i < f->high->len; i++) {
    guint d = g_array_index (f->high, guint, i);
    SlyTrack *t;

    if (f->dets[d].score < self->config->new_track_thresh)
      continue;
    /* bounded, like the detections: the pool is one side of a dense matrix */
    if (self->tracked->len + self->lost->len + f->created->len >=
        SLY_TRACKER_MAX_TRACKS)
      break;
    t = sly_track_new (self->next_id++, &f->dets[d], self->frame_id);
    f->ids[d] = t->id;
    g_ptr_array_add (f->created, t);
  }
}

/* Step 10: the SDK's max_time_lost = int (30 / 30 * track_buffer). */
static void
expire_lost (SlyTracker * self)
{
  guint i;

  for (i = 0; i < self->lost->len; i++) {
    SlyTrack *t = g_ptr_array_index (self->lost, i);

    if (t->state == SLY_TRACK_LOST
        && self->frame_id - t->frame_id > (guint) self->config->track_buffer)
      t->state = SLY_TRACK_REMOVED;
  }
}

/* Frames without detections are no evidence against a track, but a box
 * predicted for longer than track_buffer frames is a guess: such a Tracked
 * track becomes Lost (and expires like any lost track), an unconfirmed one
 * is removed. */
static void
age_unseen (SlyTracker * self)
{
  guint i;

  for (i = 0; i < self->tracked->len; i++) {
    SlyTrack *t = g_ptr_array_index (self->tracked, i);

    if (self->frame_id - t->frame_id > (guint) self->config->track_buffer)
      t->state = t->activated ? SLY_TRACK_LOST : SLY_TRACK_REMOVED;
  }
}

/* Moves the tracks of @from in @state to @to; ownership moves with them. */
static void
take_tracks (GPtrArray * to, GPtrArray * from, SlyTrackState state)
{
  guint i = 0;

  while (i < from->len) {
    SlyTrack *t = g_ptr_array_index (from, i);

    if (t->state == state)
      g_ptr_array_add (to, g_ptr_array_steal_index (from, i));
    else
      i++;
  }
}

/* Step 11, first half: tracked = old tracked, then new, then re-found;
 * lost = old lost, then newly lost. Removed tracks are freed. */
static void
merge_lists (SlyTracker * self, GPtrArray * created)
{
  GPtrArray *tracked = g_ptr_array_new_with_free_func ((GDestroyNotify)
      sly_track_free);
  GPtrArray *lost = g_ptr_array_new_with_free_func ((GDestroyNotify)
      sly_track_free);

  take_tracks (tracked, self->tracked, SLY_TRACK_TRACKED);
  take_tracks (tracked, created, SLY_TRACK_TRACKED);
  take_tracks (tracked, self->lost, SLY_TRACK_TRACKED);
  take_tracks (lost, self->lost, SLY_TRACK_LOST);
  take_tracks (lost, self->tracked, SLY_TRACK_LOST);

  g_ptr_array_unref (self->tracked);
  g_ptr_array_unref (self->lost);
  self->tracked = tracked;
  self->lost = lost;
}

/* Drops the tracks marked removed from @list, keeping the order. */
static void
drop_removed (GPtrArray * list)
{
  gint i;

  for (i = list->len - 1; i >= 0; i--)
    if (((SlyTrack *) g_ptr_array_index (list, i))->state == SLY_TRACK_REMOVED)
      g_ptr_array_remove_index (list, i);
}

/* Step 11, second half: a Tracked and a Lost track on the same spot are one
 * object; the one with the shorter history goes (the Tracked one on a tie,
 * as in the SDK). */
static void
remove_duplicates (SlyTracker * self)
{
  guint i, j;

  for (i = 0; i < self->tracked->len; i++) {
    SlyTrack *a = g_ptr_array_index (self->tracked, i);
    gdouble abox[4];

    sly_track_get_box (a, abox);
    for (j = 0; j < self->lost->len; j++) {
      SlyTrack *b = g_ptr_array_index (self->lost, j);
      gdouble bbox[4];

      sly_track_get_box (b, bbox);
      if (1 - sly_box_iou (abox, bbox) >= DUPLICATE_IOU_DISTANCE)
        continue;
      if (a->frame_id - a->start_frame > b->frame_id - b->start_frame)
        b->state = SLY_TRACK_REMOVED;
      else
        a->state = SLY_TRACK_REMOVED;
    }
  }
  drop_removed (self->tracked);
  drop_removed (self->lost);
}

static void
frame_init (Frame * f, const SlyDetection * dets, gint64 * ids, guint n)
{
  f->dets = dets;
  f->ids = ids;
  f->leader = g_new (gint, MAX (n, 1));
  f->buffer = 0;
  f->high = g_array_new (FALSE, FALSE, sizeof (guint));
  f->low = g_array_new (FALSE, FALSE, sizeof (guint));
  f->pool = g_ptr_array_new ();
  f->unconfirmed = g_ptr_array_new ();
  f->created = g_ptr_array_new_with_free_func ((GDestroyNotify)
      sly_track_free);
}

static void
frame_clear (Frame * f)
{
  g_array_unref (f->high);
  g_array_unref (f->low);
  g_ptr_array_unref (f->pool);
  g_ptr_array_unref (f->unconfirmed);
  g_ptr_array_unref (f->created);
  g_free (f->leader);
}

guint
sly_tracker_update (SlyTracker * self, const SlyDetection * dets, guint n,
    gint64 * out_track_ids)
{
  g_autofree gint64 *own_ids = NULL;
  gint64 *ids = out_track_ids;
  Frame f;
  guint i, assigned = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (dets != NULL || n == 0, 0);

  if (ids == NULL)
    ids = own_ids = g_new (gint64, MAX (n, 1));
  for (i = 0; i < n; i++)
    ids[i] = 0;

  self->frame_id++;
  self->gap = self->frame_id - self->last_update_frame;
  frame_init (&f, dets, ids, n);
  if (self->config->gap_aware && self->gap > 1)
    f.buffer = MIN (self->config->gap_buffer * (self->gap - 1),
        self->config->max_buffer);
  group_same_objects (self->config, &f, n);
  split_detections (self->config, &f, n);
  split_tracks (self, &f);
  predict_and_warp (self, &f, self->gap > 1);

  /* step 6: the pool against high detections */
  associate (self, &f, f.pool, f.high, !self->config->mot20,
      self->config->match_thresh);
  second_association (self, &f);
  unconfirmed_association (self, &f);
  young_association (self, &f);
  create_tracks (self, &f);
  expire_lost (self);

  merge_lists (self, f.created);
  remove_duplicates (self);

  /* the other geometries of one object share its id */
  for (i = 0; i < n; i++)
    if (f.leader[i] >= 0)
      ids[i] = ids[f.leader[i]];
  frame_clear (&f);
  self->last_update_frame = self->frame_id;

  for (i = 0; i < n; i++)
    assigned += ids[i] != 0;
  return assigned;
}

void
sly_tracker_predict (SlyTracker * self)
{
  Frame f;

  g_return_if_fail (self != NULL);

  self->frame_id++;
  frame_init (&f, NULL, NULL, 0);
  split_tracks (self, &f);
  predict_and_warp (self, &f, TRUE);
  expire_lost (self);
  age_unseen (self);
  merge_lists (self, f.created);
  frame_clear (&f);
}

GArray *
sly_tracker_get_tracks (SlyTracker * self)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (SlyTrackBox));
  guint i;

  g_return_val_if_fail (self != NULL, out);

  for (i = 0; i < self->tracked->len; i++) {
    SlyTrack *t = g_ptr_array_index (self->tracked, i);
    SlyTrackBox box;
    gdouble b[4];

    if (!t->activated)
      continue;
    sly_track_get_box (t, b);
    /* classic BoT-SORT output filter (the SDK does not apply it) */
    if (!((b[2] - b[0]) * (b[3] - b[1]) > self->config->min_box_area))
      continue;
    box.track_id = t->id;
    box.x1 = b[0];
    box.y1 = b[1];
    box.x2 = b[2];
    box.y2 = b[3];
    box.score = t->score;
    box.class_index = t->class_index;
    box.frames_since_update = self->frame_id - t->frame_id;
    g_array_append_val (out, box);
  }
  return out;
}

gboolean
sly_tracker_track_in_output (SlyTracker * self, gint64 track_id)
{
  guint i;

  g_return_val_if_fail (self != NULL, FALSE);

  for (i = 0; i < self->tracked->len; i++) {
    SlyTrack *t = g_ptr_array_index (self->tracked, i);

    if (t->id == track_id)
      return t->activated && t->frame_id == self->frame_id;
  }
  return FALSE;
}

gint
sly_tracker_class_index_for_title (SlyTracker * self, const gchar * title)
{
  guint i;

  for (i = 0; i < self->class_titles->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->class_titles, i), title) == 0)
      return i;
  g_ptr_array_add (self->class_titles, g_strdup (title));
  return self->class_titles->len - 1;
}

const gchar *
sly_tracker_get_class_title (SlyTracker * self, gint class_index)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (class_index < 0 || (guint) class_index >= self->class_titles->len)
    return NULL;
  return g_ptr_array_index (self->class_titles, class_index);
}
