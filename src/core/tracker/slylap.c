/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Linear assignment for the tracker: the Hungarian method with row and column
 * potentials (shortest augmenting paths, O(n^2 m)), run on a reduced matrix.
 *
 * Leaving a pair unmatched is free, so a match is worth (cost - limit) when
 * that is negative and nothing otherwise. Clamping every entry to
 * min (cost - limit, 0) turns the problem into a plain rectangular assignment
 * where each row of the smaller side must be assigned: assignments to a
 * clamped zero are the "unmatched" ones and are dropped afterwards. Rows and
 * columns without any acceptable entry are left out first, which keeps the
 * matrix small for the usual tracking case of far-apart boxes.
 */
#include "slylap.h"

#include <string.h>

typedef struct
{
  guint n;                      /* rows, n <= m */
  guint m;
  gdouble *a;                   /* (n + 1) x (m + 1), 1-based */
} Problem;

#define A(p, i, j) ((p)->a[(gsize) (i) * ((p)->m + 1) + (j)])

/* Hungarian method; on return p[j] is the row (1-based) of column j, or 0. */
static void
hungarian (const Problem * pb, guint * p)
{
  guint n = pb->n, m = pb->m, i, j;
  g_autofree gdouble *u = g_new0 (gdouble, n + 1);
  g_autofree gdouble *v = g_new0 (gdouble, m + 1);
  g_autofree gdouble *minv = g_new (gdouble, m + 1);
  g_autofree guint *way = g_new0 (guint, m + 1);
  g_autofree gboolean *used = g_new (gboolean, m + 1);

  memset (p, 0, sizeof (guint) * (m + 1));
  for (i = 1; i <= n; i++) {
    guint j0 = 0;

    /* grow a shortest-path tree from row i until it reaches a free column */
    p[0] = i;
    for (j = 0; j <= m; j++) {
      minv[j] = G_MAXDOUBLE;
      used[j] = FALSE;
    }
    do {
      guint i0 = p[j0], j1 = 0;
      gdouble delta = G_MAXDOUBLE;

      used[j0] = TRUE;
      for (j = 1; j <= m; j++) {
        gdouble cur;

        if (used[j])
          continue;
        cur = A (pb, i0, j) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        /* on ties prefer a free column: with many equal (clamped) entries
         * this ends the search at once instead of walking assigned ones */
        if (minv[j] < delta || (minv[j] == delta && p[j] == 0 && p[j1] != 0)) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);

    /* flip the augmenting path */
    do {
      guint j1 = way[j0];

      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
}

static gboolean
acceptable (gdouble c, gdouble limit)
{
  return c <= limit;            /* FALSE for NaN */
}

/* Indices of rows (or columns, with @transpose) having an acceptable entry. */
static guint
useful_lines (const gdouble * cost, guint n_rows, guint n_cols, gdouble limit,
    gboolean columns, guint * out)
{
  guint outer = columns ? n_cols : n_rows, inner = columns ? n_rows : n_cols;
  guint k, l, n = 0;

  for (k = 0; k < outer; k++)
    for (l = 0; l < inner; l++) {
      gdouble c = columns ? cost[l * n_cols + k] : cost[k * n_cols + l];

      if (acceptable (c, limit)) {
        out[n++] = k;
        break;
      }
    }
  return n;
}

guint
sly_lap_solve (const gdouble * cost, guint n_rows, guint n_cols,
    gdouble limit, gint * row_to_col, gint * col_to_row)
{
  g_autofree guint *rows = g_new (guint, MAX (n_rows, 1));
  g_autofree guint *cols = g_new (guint, MAX (n_cols, 1));
  g_autofree guint *p = NULL;
  Problem pb;
  guint nr, nc, i, j, matched = 0;
  gboolean transpose;

  for (i = 0; i < n_rows; i++)
    row_to_col[i] = -1;
  for (j = 0; col_to_row && j < n_cols; j++)
    col_to_row[j] = -1;

  nr = useful_lines (cost, n_rows, n_cols, limit, FALSE, rows);
  nc = useful_lines (cost, n_rows, n_cols, limit, TRUE, cols);
  if (nr == 0 || nc == 0)
    return 0;

  /* the method needs rows <= columns */
  transpose = nr > nc;
  pb.n = transpose ? nc : nr;
  pb.m = transpose ? nr : nc;
  pb.a = g_new0 (gdouble, (gsize) (pb.n + 1) * (pb.m + 1));
  for (i = 0; i < nr; i++)
    for (j = 0; j < nc; j++) {
      gdouble c = cost[rows[i] * n_cols + cols[j]];
      gdouble a = acceptable (c, limit) ? c - limit : 0;

      if (transpose)
        A (&pb, j + 1, i + 1) = a;
      else
        A (&pb, i + 1, j + 1) = a;
    }

  p = g_new (guint, pb.m + 1);
  hungarian (&pb, p);

  for (j = 1; j <= pb.m; j++) {
    guint r, c;

    if (p[j] == 0)
      continue;
    r = rows[transpose ? j - 1 : p[j] - 1];
    c = cols[transpose ? p[j] - 1 : j - 1];
    if (!acceptable (cost[r * n_cols + c], limit))
      continue;
    row_to_col[r] = c;
    if (col_to_row)
      col_to_row[c] = r;
    matched++;
  }
  g_free (pb.a);
  return matched;
}
