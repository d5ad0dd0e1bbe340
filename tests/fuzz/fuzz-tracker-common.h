/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the tracker fuzz targets: one frame through the tracker, with
 * the checks that hold whatever the configuration and the detections. */
#ifndef __FUZZ_TRACKER_COMMON_H__
#define __FUZZ_TRACKER_COMMON_H__

#include "fuzz-common.h"
#include "slytracker.h"

#include <math.h>

/* Every reported track has an id > 0, a finite box, no id twice. */
static inline void
fuzz_tracker_check_tracks (SlyTracker * tracker)
{
  g_autoptr (GArray) tracks = sly_tracker_get_tracks (tracker);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash,
      g_int64_equal);
  guint i;

  FUZZ_CHECK (tracks != NULL);
  FUZZ_CHECK (tracks->len <= SLY_TRACKER_MAX_TRACKS);
  for (i = 0; i < tracks->len; i++) {
    SlyTrackBox *t = &g_array_index (tracks, SlyTrackBox, i);

    FUZZ_CHECK (t->track_id > 0);
    FUZZ_CHECK (!g_hash_table_contains (seen, &t->track_id));
    g_hash_table_add (seen, &t->track_id);
    FUZZ_CHECK (isfinite (t->x1) && isfinite (t->y1));
    FUZZ_CHECK (isfinite (t->x2) && isfinite (t->y2));
  }
}

/* An update: ids are >= 0, as many > 0 as the return value says, and no
 * two detections share one. @max_id tracks the largest id given so far. */
static inline void
fuzz_tracker_update (SlyTracker * tracker, const SlyDetection * dets,
    guint n, gint64 * max_id)
{
  g_autofree gint64 *ids = g_new0 (gint64, MAX (n, 1));
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash,
      g_int64_equal);
  guint i, assigned, nonzero = 0;

  assigned = sly_tracker_update (tracker, dets, n, ids);
  FUZZ_CHECK (assigned <= n);
  for (i = 0; i < n; i++) {
    FUZZ_CHECK (ids[i] >= 0);
    if (ids[i] == 0)
      continue;
    nonzero++;
    FUZZ_CHECK (!g_hash_table_contains (seen, &ids[i]));
    g_hash_table_add (seen, &ids[i]);
    /* a detection with unusable values never gets a track */
    FUZZ_CHECK (isfinite (dets[i].x1) && isfinite (dets[i].y1)
        && isfinite (dets[i].x2) && isfinite (dets[i].y2)
        && isfinite (dets[i].score));
    FUZZ_CHECK (dets[i].x2 >= dets[i].x1 && dets[i].y2 >= dets[i].y1);
    *max_id = MAX (*max_id, ids[i]);
  }
  FUZZ_CHECK (nonzero == assigned);
  fuzz_tracker_check_tracks (tracker);
}

#endif /* __FUZZ_TRACKER_COMMON_H__ */
