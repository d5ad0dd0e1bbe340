/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cost of one tracker update for 10, 100 and 500 objects. Objects sit on a
 * grid and drift with jitter, 10% of the detections missing and 10% weak,
 * so that every association stage has work. Prints microseconds per update
 * (mean and worst) and the growth factor between sizes; asserts nothing
 * about time.
 */
#include "slytracker.h"

#include <math.h>

#define FRAMES 300
#define WARMUP 10

typedef struct
{
  gdouble mean_us;
  gdouble max_us;
  guint ids;
} BenchResult;

static void
make_frame (guint n, gint frame, GRand * rand, SlyDetection * dets,
    guint * n_dets)
{
  guint cols = (guint) ceil (sqrt (n)), i, k = 0;

  for (i = 0; i < n; i++) {
    /* 60 px cells, 30 px boxes, each object drifting on its own circle */
    gdouble phase = i * 0.7, x, y;

    if (g_rand_double (rand) < 0.1)
      continue;
    x = (i % cols) * 60 + 10 * cos (phase + frame * 0.05);
    y = (i / cols) * 60 + 10 * sin (phase + frame * 0.05);
    x += g_rand_double_range (rand, -1, 1);
    y += g_rand_double_range (rand, -1, 1);
    dets[k].x1 = x;
    dets[k].y1 = y;
    dets[k].x2 = x + 30;
    dets[k].y2 = y + 30;
    dets[k].score = g_rand_double (rand) < 0.1 ? 0.4 : 0.9;
    dets[k].class_index = i % 4;
    k++;
  }
  *n_dets = k;
}

static BenchResult
run (guint n, gboolean extensions)
{
  g_autoptr (SlyTrackerConfig) config = sly_tracker_config_new ();
  g_autoptr (SlyTracker) tracker = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (n);
  g_autofree SlyDetection *dets = g_new (SlyDetection, n);
  g_autofree gint64 *ids = g_new (gint64, n);
  BenchResult r = { 0, 0, 0 };
  gint64 total = 0;
  gint frame;

  config->with_reid = FALSE;
  if (extensions)
    sly_tracker_config_use_extensions (config);
  tracker = sly_tracker_new (config);
  for (frame = 0; frame < FRAMES + WARMUP; frame++) {
    guint n_dets;
    gint64 start, took;

    make_frame (n, frame, rand, dets, &n_dets);
    start = g_get_monotonic_time ();
    sly_tracker_update (tracker, dets, n_dets, ids);
    took = g_get_monotonic_time () - start;
    if (frame < WARMUP)
      continue;
    total += took;
    r.max_us = MAX (r.max_us, took);
  }
  r.mean_us = (gdouble) total / FRAMES;
  {
    g_autoptr (GArray) tracks = sly_tracker_get_tracks (tracker);

    r.ids = tracks->len;
  }
  return r;
}

int
main (int argc, char **argv)
{
  static const guint sizes[] = { 10, 100, 500 };
  BenchResult res[G_N_ELEMENTS (sizes)];
  guint i;

  g_print ("tracker update, %d frames each (after %d warm-up frames)\n",
      FRAMES, WARMUP);
  g_print ("%8s %14s %14s %16s %14s\n", "objects", "us/update", "max us",
      "us/object", "live tracks");
  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    res[i] = run (sizes[i], FALSE);
    g_print ("%8u %14.1f %14.1f %16.3f %14u\n", sizes[i], res[i].mean_us,
        res[i].max_us, res[i].mean_us / sizes[i], res[i].ids);
  }
  g_print ("growth: 100 vs 10 objects x%.1f, 500 vs 100 objects x%.1f\n",
      res[1].mean_us / res[0].mean_us, res[2].mean_us / res[1].mean_us);
  /* as slymodelinfer runs it: gap-aware, same-object grouping (quadratic
   * in the detections of a frame) */
  g_print ("with the extensions (docs/tracking.md):\n");
  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    BenchResult r = run (sizes[i], TRUE);

    g_print ("%8u %14.1f %14.1f %16.3f %14u\n", sizes[i], r.mean_us,
        r.max_us, r.mean_us / sizes[i], r.ids);
  }
  return 0;
}
