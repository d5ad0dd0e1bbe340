/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Constant-velocity Kalman filter on [cx, cy, w, h] boxes with the noise model
 * of BoT-SORT: every standard deviation is a fixed fraction of the box width
 * or height, so that large boxes may move and grow more than small ones.
 */
#include "slykalman.h"

#include <math.h>
#include <string.h>

#define N SLY_KALMAN_DIM
#define M 4                     /* measured components */
#define COV(kf, i, j) ((kf)->cov[(i) * N + (j)])

static const gdouble std_weight_position = 1.0 / 20;
static const gdouble std_weight_velocity = 1.0 / 160;

/* Boxes of zero (or, after a bad prediction, negative) size would give a
 * zero noise and a singular innovation matrix: the noise scale never drops
 * below one pixel. */
static gdouble
noise_scale (gdouble size)
{
  return size > 1.0 ? size : 1.0;
}

/* Standard deviations [w, h, w, h] * weight * factor. */
static void
fill_std (gdouble std[4], gdouble w, gdouble h, gdouble weight)
{
  w = noise_scale (w);
  h = noise_scale (h);
  std[0] = std[2] = weight * w;
  std[1] = std[3] = weight * h;
}

void
sly_kalman_initiate (SlyKalman * kf, const gdouble xywh[4])
{
  gdouble pos[4], vel[4];
  gint i;

  memset (kf, 0, sizeof (*kf));
  memcpy (kf->mean, xywh, sizeof (gdouble) * M);
  fill_std (pos, xywh[2], xywh[3], 2 * std_weight_position);
  fill_std (vel, xywh[2], xywh[3], 10 * std_weight_velocity);
  for (i = 0; i < M; i++) {
    COV (kf, i, i) = pos[i] * pos[i];
    COV (kf, i + M, i + M) = vel[i] * vel[i];
  }
}

void
sly_kalman_predict (SlyKalman * kf, gboolean keep_size_velocity)
{
  sly_kalman_predict_with_noise (kf, keep_size_velocity, 1.0);
}

void
sly_kalman_predict_with_noise (SlyKalman * kf, gboolean keep_size_velocity,
    gdouble velocity_noise)
{
  gdouble pos[4], vel[4];
  gint i, j;

  if (!keep_size_velocity)
    kf->mean[6] = kf->mean[7] = 0;

  /* process noise is sized by the state before the step */
  fill_std (pos, kf->mean[2], kf->mean[3], std_weight_position);
  fill_std (vel, kf->mean[2], kf->mean[3], std_weight_velocity *
      velocity_noise);

  for (i = 0; i < M; i++)
    kf->mean[i] += kf->mean[i + M];

  /* F = [I I; 0 I]: P' = F P F^T + Q. Rows first (F P), then columns. */
  for (i = 0; i < M; i++)
    for (j = 0; j < N; j++)
      COV (kf, i, j) += COV (kf, i + M, j);
  for (i = 0; i < N; i++)
    for (j = 0; j < M; j++)
      COV (kf, i, j) += COV (kf, i, j + M);

  for (i = 0; i < M; i++) {
    COV (kf, i, i) += pos[i] * pos[i];
    COV (kf, i + M, i + M) += vel[i] * vel[i];
  }
}

/* In-place Cholesky factor (lower) of a symmetric 4x4 matrix. */
static gboolean
cholesky4 (gdouble a[M][M])
{
  gint i, j, k;

  for (j = 0; j < M; j++) {
    gdouble d = a[j][j];

    for (k = 0; k < j; k++)
      d -= a[j][k] * a[j][k];
    if (!(d > 0))
      return FALSE;
    a[j][j] = sqrt (d);
    for (i = j + 1; i < M; i++) {
      gdouble s = a[i][j];

      for (k = 0; k < j; k++)
        s -= a[i][k] * a[j][k];
      a[i][j] = s / a[j][j];
    }
  }
  return TRUE;
}

/* Solves (L L^T) x = b in place. */
static void
cholesky4_solve (gdouble l[M][M], gdouble b[M])
{
  gint i, k;

  for (i = 0; i < M; i++) {
    for (k = 0; k < i; k++)
      b[i] -= l[i][k] * b[k];
    b[i] /= l[i][i];
  }
  for (i = M - 1; i >= 0; i--) {
    for (k = i + 1; k < M; k++)
      b[i] -= l[k][i] * b[k];
    b[i] /= l[i][i];
  }
}

void
sly_kalman_update (SlyKalman * kf, const gdouble xywh[4])
{
  gdouble r[4], s[M][M], gain[N][M], innovation[M];
  gdouble old_cov[N * N];
  gint i, j, k;

  /* innovation covariance S = H P H^T + R, R sized by the predicted box */
  fill_std (r, kf->mean[2], kf->mean[3], std_weight_position);
  for (i = 0; i < M; i++)
    for (j = 0; j < M; j++)
      s[i][j] = COV (kf, i, j) + (i == j ? r[i] * r[i] : 0);
  if (!cholesky4 (s)) {
    /* only reachable with non-finite input: restart from the measurement */
    sly_kalman_initiate (kf, xywh);
    return;
  }

  /* K = P H^T S^-1, one row at a time (S is symmetric) */
  for (i = 0; i < N; i++) {
    for (k = 0; k < M; k++)
      gain[i][k] = COV (kf, i, k);
    cholesky4_solve (s, gain[i]);
  }

  for (k = 0; k < M; k++)
    innovation[k] = xywh[k] - kf->mean[k];
  for (i = 0; i < N; i++)
    for (k = 0; k < M; k++)
      kf->mean[i] += gain[i][k] * innovation[k];

  /* P' = P - K S K^T = P - (P H^T) K^T */
  memcpy (old_cov, kf->cov, sizeof (old_cov));
  for (i = 0; i < N; i++)
    for (j = 0; j < N; j++)
      for (k = 0; k < M; k++)
        COV (kf, i, j) -= old_cov[i * N + k] * gain[j][k];
}

void
sly_kalman_apply_warp (SlyKalman * kf, const gdouble warp[6])
{
  gdouble tmp[N * N];
  gint pair, i, j, c;

  /* The 2x2 part acts on each (x, y)-like pair of the state:
   * (cx, cy), (w, h), (vcx, vcy), (vw, vh). */
  for (pair = 0; pair < N; pair += 2) {
    gdouble x = kf->mean[pair], y = kf->mean[pair + 1];

    kf->mean[pair] = warp[0] * x + warp[1] * y;
    kf->mean[pair + 1] = warp[3] * x + warp[4] * y;
  }
  kf->mean[0] += warp[2];
  kf->mean[1] += warp[5];

  /* P' = W P W^T with W block diagonal: rows, then columns */
  for (i = 0; i < N; i += 2)
    for (c = 0; c < N; c++) {
      tmp[i * N + c] = warp[0] * COV (kf, i, c) + warp[1] * COV (kf, i + 1, c);
      tmp[(i + 1) * N + c] =
          warp[3] * COV (kf, i, c) + warp[4] * COV (kf, i + 1, c);
    }
  for (j = 0; j < N; j += 2)
    for (c = 0; c < N; c++) {
      COV (kf, c, j) = tmp[c * N + j] * warp[0] + tmp[c * N + j + 1] * warp[1];
      COV (kf, c, j + 1) =
          tmp[c * N + j] * warp[3] + tmp[c * N + j + 1] * warp[4];
    }
}
