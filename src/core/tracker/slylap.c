/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Linear assignment for the tracker: the Hungarian method with row and column
 * potentials (shortest augmenting paths, O(n^2 m)), run on a reduced matrix.
 *
 * Leaving a pair unmatched is free, so a match is worth (cost - limit) when
 * that is negative and nothing otherwise. Clamping every entry to
 * min (cost - limit, 0) turns the problem into a plain rectangular assignment
 * where each row of the smaller side must be assigned: assignments to a
 * clamped zero are the "unmatched" ones and are dropped afterwards. The
 * matrix is first cut into independent blocks (see solve_components()).
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

/* Solves the block of @rows x @cols (indices into the full matrix). */
static void
solve_block (const gdouble * cost, guint n_cols, const guint * rows, guint nr,
    const guint * cols, guint nc, gdouble limit, gint * row_to_col,
    gint * col_to_row)
{
  g_autofree guint *p = NULL;
  Problem pb;
  gboolean transpose;
  guint i, j;

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
    col_to_row[c] = r;
  }
  g_free (pb.a);
}

static guint
find_root (guint * parent, guint x)
{
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/*
 * Rows and columns linked by acceptable entries form independent blocks
 * (nodes 0..n_rows-1 are rows, then columns); each is solved on its own.
 * For tracking, where a box overlaps only its neighbours, blocks are tiny and
 * the whole solve is about one pass over the matrix.
 */
static void
solve_components (const gdouble * cost, guint n_rows, guint n_cols,
    gdouble limit, gint * row_to_col, gint * col_to_row)
{
  guint n = n_rows + n_cols, i, j, k;
  g_autofree guint *parent = g_new (guint, n);
  g_autofree guint *next = g_new (guint, n);
  g_autofree guint *head = g_new (guint, n);
  g_autofree guint *rows = g_new (guint, MAX (n_rows, 1));
  g_autofree guint *cols = g_new (guint, MAX (n_cols, 1));

  for (k = 0; k < n; k++) {
    parent[k] = k;
    head[k] = G_MAXUINT;
  }
  for (i = 0; i < n_rows; i++)
    for (j = 0; j < n_cols; j++)
      if (acceptable (cost[i * n_cols + j], limit))
        parent[find_root (parent, i)] = find_root (parent, n_rows + j);

  /* chain the members of each component, in index order */
  for (k = n; k > 0; k--) {
    guint root = find_root (parent, k - 1);

    next[k - 1] = head[root];
    head[root] = k - 1;
  }
  for (k = 0; k < n; k++) {
    guint nr = 0, nc = 0, m;

    for (m = head[k]; m != G_MAXUINT; m = next[m]) {
      if (m < n_rows)
        rows[nr++] = m;
      else
        cols[nc++] = m - n_rows;
    }
    if (nr > 0 && nc > 0)
      solve_block (cost, n_cols, rows, nr, cols, nc, limit, row_to_col,
          col_to_row);
  }
}

guint
sly_lap_solve (const gdouble * cost, guint n_rows, guint n_cols,
    gdouble limit, gint * row_to_col, gint * col_to_row)
{
  g_autofree gint *c2r = g_new (gint, MAX (n_cols, 1));
  guint i, j, matched = 0;

  for (i = 0; i < n_rows; i++)
    row_to_col[i] = -1;
  for (j = 0; j < n_cols; j++)
    c2r[j] = -1;

  if (n_rows > 0 && n_cols > 0)
    solve_components (cost, n_rows, n_cols, limit, row_to_col, c2r);

  for (j = 0; j < n_cols; j++) {
    matched += c2r[j] >= 0;
    if (col_to_row)
      col_to_row[j] = c2r[j];
  }
  return matched;
}
