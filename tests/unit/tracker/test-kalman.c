/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Kalman filter against numbers worked out by hand. The axes are
 * independent (no warp), so every value below follows from scalar formulas:
 * prediction P' = P_pos + P_vel + q (position) and P_vel + q_v (velocity);
 * correction K = P' / (P' + r).
 */
#include "slykalman.h"

#define EPS 1e-9
#define COV(kf, i, j) ((kf)->cov[(i) * SLY_KALMAN_DIM + (j)])

static const gdouble box[4] = { 100, 50, 20, 40 };      /* cx cy w h */

static void
test_initiate (void)
{
  SlyKalman kf;
  /* std = 2/20 * (w, h) for position and size, 10/160 * (w, h) for their
   * velocities: 2, 4, 2, 4, 1.25, 2.5, 1.25, 2.5 */
  const gdouble var[8] = { 4, 16, 4, 16, 1.5625, 6.25, 1.5625, 6.25 };
  gint i, j;

  sly_kalman_initiate (&kf, box);
  for (i = 0; i < 8; i++) {
    g_assert_cmpfloat_with_epsilon (kf.mean[i], i < 4 ? box[i] : 0, EPS);
    for (j = 0; j < 8; j++)
      g_assert_cmpfloat_with_epsilon (COV (&kf, i, j), i == j ? var[i] : 0,
          EPS);
  }
}

static void
test_predict (void)
{
  SlyKalman kf;

  sly_kalman_initiate (&kf, box);
  sly_kalman_predict (&kf, TRUE);
  /* velocities are zero: the mean stays */
  g_assert_cmpfloat_with_epsilon (kf.mean[0], 100, EPS);
  /* process std: 1/20 * w = 1, 1/20 * h = 2; 1/160 * w = 0.125, h: 0.25 */
  g_assert_cmpfloat_with_epsilon (COV (&kf, 0, 0), 4 + 1.5625 + 1, EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 0, 4), 1.5625, EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 4, 0), 1.5625, EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 4, 4), 1.5625 + 0.015625, EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 1, 1), 16 + 6.25 + 4, EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 5, 5), 6.25 + 0.0625, EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 3, 3), 16 + 6.25 + 4, EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 0, 1), 0, EPS);

  /* a velocity moves the mean by one frame's worth */
  kf.mean[4] = 3;
  kf.mean[6] = 2;
  sly_kalman_predict (&kf, TRUE);
  g_assert_cmpfloat_with_epsilon (kf.mean[0], 103, EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[2], 22, EPS);
}

static void
test_predict_not_tracked (void)
{
  SlyKalman kf;

  sly_kalman_initiate (&kf, box);
  kf.mean[4] = 3;
  kf.mean[6] = 2;
  kf.mean[7] = 5;
  sly_kalman_predict (&kf, FALSE);
  /* the size velocities are zeroed first, the position one is kept */
  g_assert_cmpfloat_with_epsilon (kf.mean[0], 103, EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[2], 20, EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[3], 40, EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[6], 0, EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[7], 0, EPS);
}

static void
test_update (void)
{
  SlyKalman kf;
  const gdouble z[4] = { 104, 50, 20, 40 };

  sly_kalman_initiate (&kf, box);
  sly_kalman_predict (&kf, TRUE);
  sly_kalman_update (&kf, z);

  /* x: P' = 6.5625, r = (w/20)^2 = 1, S = 7.5625, K = 6.5625 / 7.5625;
   * the velocity gain is P'(vx,x) / S = 1.5625 / 7.5625 */
  g_assert_cmpfloat_with_epsilon (kf.mean[0], 100 + 4 * 6.5625 / 7.5625, EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[0], 103.47107438016529, 1e-9);
  g_assert_cmpfloat_with_epsilon (kf.mean[4], 4 * 1.5625 / 7.5625, EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[4], 0.8264462809917356, 1e-9);
  g_assert_cmpfloat_with_epsilon (kf.mean[1], 50, EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[2], 20, EPS);

  /* P = P' - P' K: x: 6.5625 * 1 / 7.5625; vx: 1.578125 - 1.5625^2 / 7.5625;
   * y: 26.25 * 4 / 30.25 (r = (h/20)^2 = 4) */
  g_assert_cmpfloat_with_epsilon (COV (&kf, 0, 0), 0.8677685950413223, 1e-9);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 0, 4), 0.2066115702479339, 1e-9);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 4, 0), 0.2066115702479339, 1e-9);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 4, 4), 1.2552944214876033, 1e-9);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 1, 1), 3.4710743801652892, 1e-9);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 0, 1), 0, EPS);

  /* the velocity carries on */
  sly_kalman_predict (&kf, TRUE);
  g_assert_cmpfloat_with_epsilon (kf.mean[0],
      103.47107438016529 + 0.8264462809917356, 1e-9);
}

static void
test_converges (void)
{
  SlyKalman kf;
  gdouble z[4] = { 10, 10, 30, 30 };
  gint i;

  /* an object moving 5 px/frame right and 2 down: the filter learns it */
  sly_kalman_initiate (&kf, z);
  for (i = 1; i <= 60; i++) {
    z[0] = 10 + 5 * i;
    z[1] = 10 + 2 * i;
    sly_kalman_predict (&kf, TRUE);
    sly_kalman_update (&kf, z);
  }
  g_assert_cmpfloat_with_epsilon (kf.mean[4], 5, 0.05);
  g_assert_cmpfloat_with_epsilon (kf.mean[5], 2, 0.05);
  g_assert_cmpfloat_with_epsilon (kf.mean[0], z[0], 0.1);
}

static void
test_zero_size (void)
{
  SlyKalman kf;
  const gdouble point[4] = { 5, 5, 0, 0 };
  const gdouble next[4] = { 6, 5, 0, 0 };

  /* a point-like box (bbox of a point geometry) must not break the filter */
  sly_kalman_initiate (&kf, point);
  sly_kalman_predict (&kf, TRUE);
  sly_kalman_update (&kf, next);
  g_assert_cmpfloat (kf.mean[0], >, 5);
  g_assert_cmpfloat (kf.mean[0], <=, 6);
}

static void
test_warp (void)
{
  SlyKalman kf, orig;
  const gdouble shift[6] = { 1, 0, 5, 0, 1, -3 };
  const gdouble zoom[6] = { 2, 0, 0, 0, 2, 0 };
  const gdouble rot90[6] = { 0, -1, 0, 1, 0, 0 };
  gint i, j;

  sly_kalman_initiate (&orig, box);
  orig.mean[4] = 1;
  sly_kalman_predict (&orig, TRUE);

  kf = orig;
  sly_kalman_apply_warp (&kf, shift);
  g_assert_cmpfloat_with_epsilon (kf.mean[0], orig.mean[0] + 5, EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[1], orig.mean[1] - 3, EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[4], orig.mean[4], EPS);
  for (i = 0; i < 64; i++)
    g_assert_cmpfloat_with_epsilon (kf.cov[i], orig.cov[i], EPS);

  kf = orig;
  sly_kalman_apply_warp (&kf, zoom);
  for (i = 0; i < 8; i++) {
    g_assert_cmpfloat_with_epsilon (kf.mean[i], 2 * orig.mean[i], EPS);
    for (j = 0; j < 8; j++)
      g_assert_cmpfloat_with_epsilon (COV (&kf, i, j),
          4 * COV (&orig, i, j), EPS);
  }

  /* (x, y) -> (-y, x): x and y variances swap, and so do w and h */
  kf = orig;
  sly_kalman_apply_warp (&kf, rot90);
  g_assert_cmpfloat_with_epsilon (kf.mean[0], -orig.mean[1], EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[1], orig.mean[0], EPS);
  g_assert_cmpfloat_with_epsilon (kf.mean[5], orig.mean[4], EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 0, 0), COV (&orig, 1, 1), EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 1, 1), COV (&orig, 0, 0), EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 5, 1), COV (&orig, 4, 0), EPS);
  g_assert_cmpfloat_with_epsilon (COV (&kf, 2, 2), COV (&orig, 3, 3), EPS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kalman/initiate", test_initiate);
  g_test_add_func ("/kalman/predict", test_predict);
  g_test_add_func ("/kalman/predict-not-tracked", test_predict_not_tracked);
  g_test_add_func ("/kalman/update", test_update);
  g_test_add_func ("/kalman/converges", test_converges);
  g_test_add_func ("/kalman/zero-size", test_zero_size);
  g_test_add_func ("/kalman/warp", test_warp);
  return g_test_run ();
}
