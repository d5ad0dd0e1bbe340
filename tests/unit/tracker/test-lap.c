/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The assignment solver on cases solved by hand, and against an exhaustive
 * search on random small matrices.
 */
#include "slylap.h"

#include <math.h>

typedef struct
{
  const gchar *name;
  guint rows;
  guint cols;
  gdouble limit;
  gdouble cost[9];
  gint expect[3];               /* row -> column, -1 = unmatched */
} LapCase;

/* Each expected answer is the unique optimum of sum (cost - limit) over the
 * matched pairs; the comment gives the competing totals. */
static const LapCase cases[] = {
  /* 1 + 2 + 2 = 5 beats 4 + 0 + 2 = 6 and 3 + 2 + 2 = 7 */
  {"square", 3, 3, 10, {4, 1, 3, 2, 0, 5, 3, 2, 2}, {1, 0, 2}},
  /* (1,1) costs more than the limit: row 1 stays unmatched */
  {"limit", 2, 2, 0.8, {0.1, 0.9, 0.9, 0.95}, {0, -1}},
  /* 0.2 + 0.3 = 0.5 beats 0.5 + 0.1 = 0.6; column 2 is left over */
  {"wide", 2, 3, 0.8, {0.5, 0.2, 0.9, 0.3, 0.1, 0.9}, {1, 0, -1}},
  /* -0.7 - 0.75 beats -0.6 - 0.75 and -0.5 - 0.7: row 0 left over */
  {"tall", 3, 2, 0.8, {0.2, 0.3, 0.1, 0.9, 0.9, 0.05}, {-1, 0, 1}},
  /* one perfect pair (-0.8) beats two weak ones (-0.1 - 0.1) */
  {"one-good", 2, 2, 0.8, {0.0, 0.7, 0.7, 1.0}, {0, -1}},
  /* two fair pairs (-0.45 - 0.45) beat one good one (-0.5) */
  {"two-fair", 2, 2, 0.8, {0.3, 0.35, 0.35, 0.9}, {1, 0}},
  /* NaN never matches */
  {"nan", 2, 2, 0.8, {NAN, 0.5, 0.1, NAN}, {1, 0}},
  {"nothing", 2, 2, 0.5, {0.6, 0.7, 0.9, 1}, {-1, -1}},
};

static void
check_consistent (const gdouble * cost, guint rows, guint cols, gdouble limit,
    const gint * r2c, const gint * c2r, guint matched)
{
  guint i, j, n = 0;

  for (i = 0; i < rows; i++) {
    if (r2c[i] < 0)
      continue;
    n++;
    g_assert_cmpint (r2c[i], <, cols);
    g_assert_cmpint (c2r[r2c[i]], ==, i);
    g_assert_cmpfloat (cost[i * cols + r2c[i]], <=, limit);
  }
  for (j = 0; j < cols; j++)
    if (c2r[j] >= 0)
      g_assert_cmpint (r2c[c2r[j]], ==, j);
  g_assert_cmpuint (n, ==, matched);
}

static void
test_cases (void)
{
  guint k, i;

  for (k = 0; k < G_N_ELEMENTS (cases); k++) {
    const LapCase *c = &cases[k];
    gint r2c[3], c2r[3];
    guint matched;

    g_test_message ("case %s", c->name);
    matched = sly_lap_solve (c->cost, c->rows, c->cols, c->limit, r2c, c2r);
    check_consistent (c->cost, c->rows, c->cols, c->limit, r2c, c2r, matched);
    for (i = 0; i < c->rows; i++)
      g_assert_cmpint (r2c[i], ==, c->expect[i]);
  }
}

static void
test_empty (void)
{
  gint r2c[2] = { 7, 7 }, c2r[1] = { 7 };
  const gdouble dummy = 0;

  g_assert_cmpuint (sly_lap_solve (&dummy, 2, 0, 1, r2c, NULL), ==, 0);
  g_assert_cmpint (r2c[0], ==, -1);
  g_assert_cmpint (r2c[1], ==, -1);
  g_assert_cmpuint (sly_lap_solve (&dummy, 0, 1, 1, NULL, c2r), ==, 0);
  g_assert_cmpint (c2r[0], ==, -1);
}

/* Best sum of (cost - limit) over partial matchings of rows >= @row. */
static gdouble
brute_force (const gdouble * cost, guint rows, guint cols, gdouble limit,
    guint row, guint used_cols)
{
  gdouble best;
  guint j;

  if (row == rows)
    return 0;
  best = brute_force (cost, rows, cols, limit, row + 1, used_cols);
  for (j = 0; j < cols; j++) {
    gdouble c = cost[row * cols + j];

    if ((used_cols & (1u << j)) || !(c <= limit))
      continue;
    best = MIN (best, c - limit + brute_force (cost, rows, cols, limit,
            row + 1, used_cols | (1u << j)));
  }
  return best;
}

static void
test_random (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (4);
  guint trial;

  for (trial = 0; trial < 3000; trial++) {
    guint rows = g_rand_int_range (rand, 1, 7);
    guint cols = g_rand_int_range (rand, 1, 7);
    gdouble limit = g_rand_double_range (rand, 0.1, 1.0);
    gdouble cost[36], got = 0, want;
    gint r2c[6], c2r[6];
    guint i, matched;

    for (i = 0; i < rows * cols; i++) {
      /* coarse values make ties common, which is where solvers go wrong */
      cost[i] = trial % 2 ? g_rand_int_range (rand, 0, 6) / 5.0 :
          g_rand_double (rand);
    }
    matched = sly_lap_solve (cost, rows, cols, limit, r2c, c2r);
    check_consistent (cost, rows, cols, limit, r2c, c2r, matched);
    for (i = 0; i < rows; i++)
      if (r2c[i] >= 0)
        got += cost[i * cols + r2c[i]] - limit;
    want = brute_force (cost, rows, cols, limit, 0, 0);
    g_assert_cmpfloat_with_epsilon (got, want, 1e-9);
  }
}

static void
test_large_sparse (void)
{
  const guint n = 300;
  g_autofree gdouble *cost = g_new (gdouble, n * n);
  g_autofree gint *r2c = g_new (gint, n);
  guint i, j;

  /* a tracking-like matrix: each row overlaps its own column (reversed) and
   * nothing else */
  for (i = 0; i < n; i++)
    for (j = 0; j < n; j++)
      cost[i * n + j] = (j == n - 1 - i) ? 0.1 : 1.0;
  g_assert_cmpuint (sly_lap_solve (cost, n, n, 0.8, r2c, NULL), ==, n);
  for (i = 0; i < n; i++)
    g_assert_cmpint (r2c[i], ==, n - 1 - i);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lap/hand-cases", test_cases);
  g_test_add_func ("/lap/empty", test_empty);
  g_test_add_func ("/lap/brute-force", test_random);
  g_test_add_func ("/lap/large-sparse", test_large_sparse);
  return g_test_run ();
}
