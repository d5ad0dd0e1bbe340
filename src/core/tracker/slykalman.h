/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The constant-velocity Kalman filter of BoT-SORT (protocol.md 8.2): state
 * [cx, cy, w, h, vcx, vcy, vw, vh], one step = one frame, noise proportional
 * to the box size.
 */
#ifndef __SLY_KALMAN_H__
#define __SLY_KALMAN_H__

#include <glib.h>

G_BEGIN_DECLS

#define SLY_KALMAN_DIM 8

typedef struct
{
  gdouble mean[SLY_KALMAN_DIM];
  /* row-major 8x8 covariance */
  gdouble cov[SLY_KALMAN_DIM * SLY_KALMAN_DIM];
} SlyKalman;

/* @xywh: measured [cx, cy, w, h]; velocities start at zero. */
void     sly_kalman_initiate     (SlyKalman * kf, const gdouble xywh[4]);

/* One frame ahead. When @keep_size_velocity is FALSE (tracks that are not in
 * the Tracked state) vw and vh are zeroed first, as BoT-SORT does. */
void     sly_kalman_predict      (SlyKalman * kf, gboolean keep_size_velocity);

/* The same with the velocity's process noise (standard deviation) scaled
 * by @velocity_noise; 1 is sly_kalman_predict(). */
void     sly_kalman_predict_with_noise (SlyKalman * kf,
                                        gboolean keep_size_velocity,
                                        gdouble velocity_noise);

/* Corrects with a measured [cx, cy, w, h]. */
void     sly_kalman_update       (SlyKalman * kf, const gdouble xywh[4]);

/* Camera motion: @warp is a 2x3 row-major matrix [a b tx; c d ty] mapping the
 * previous frame to the current one. */
void     sly_kalman_apply_warp   (SlyKalman * kf, const gdouble warp[6]);

G_END_DECLS

#endif /* __SLY_KALMAN_H__ */
