/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Client-side sliding windows for slymodelinfer; see the header.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>

#include "gstslytiles.h"

/* At most this many windows along an axis: an overlap close to the window
 * would otherwise cut a frame into thousands of crops. */
#define MAX_WINDOWS_PER_AXIS 16

/* Window starts along one axis: every @step from 0, the last one moved
 * back to end at @size; the step grows (more overlap) where the windows
 * would be too many. */
static void
axis_starts (gint size, gint window, gint overlap, GArray * starts)
{
  gint64 step = MAX ((gint64) window - MAX (overlap, 0), 1);
  gint64 fewest = ((gint64) size - window + MAX_WINDOWS_PER_AXIS - 2) /
      (MAX_WINDOWS_PER_AXIS - 1);
  gint64 pos;

  step = MAX (step, fewest);

  for (pos = 0;; pos += step) {
    gint start = (gint) MIN (pos, (gint64) size - window);

    g_array_append_val (starts, start);
    if (start + window >= size)
      break;
  }
}

GArray *
gst_sly_tiles_grid (gint width, gint height, gint tile_width,
    gint tile_height, gint overlap)
{
  g_autoptr (GArray) xs = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr (GArray) ys = g_array_new (FALSE, FALSE, sizeof (gint));
  GArray *tiles = g_array_new (FALSE, FALSE, sizeof (GstVideoRectangle));
  guint i, j;

  g_return_val_if_fail (width > 0 && height > 0, tiles);
  tile_width = CLAMP (tile_width, 1, width);
  tile_height = CLAMP (tile_height, 1, height);
  axis_starts (width, tile_width, overlap, xs);
  axis_starts (height, tile_height, overlap, ys);
  for (j = 0; j < ys->len; j++)
    for (i = 0; i < xs->len; i++) {
      GstVideoRectangle tile = { g_array_index (xs, gint, i),
        g_array_index (ys, gint, j), tile_width, tile_height
      };

      g_array_append_val (tiles, tile);
    }
  return tiles;
}

static gint64
box_area (const SlyBox * b)
{
  return ((gint64) b->right - b->left + 1) * ((gint64) b->bottom - b->top + 1);
}

static gint64
box_intersection (const SlyBox * a, const SlyBox * b)
{
  SlyBox i = { MAX (a->left, b->left), MAX (a->top, b->top),
    MIN (a->right, b->right), MIN (a->bottom, b->bottom)
  };

  if (i.right < i.left || i.bottom < i.top)
    return 0;
  return box_area (&i);
}

typedef struct
{
  guint index;
  SlyBox box;
  gint64 area;
} Candidate;

/* larger first; ties by confidence kept in the objects' order */
static gint
larger_first (gconstpointer a, gconstpointer b)
{
  const Candidate *ca = a, *cb = b;

  if (ca->area != cb->area)
    return ca->area > cb->area ? -1 : 1;
  return ca->index < cb->index ? -1 : (ca->index > cb->index);
}

void
gst_sly_tiles_merge (SlyAnnotation * ann)
{
  guint n = ann->objects->len, i, k;
  g_autofree Candidate *c = g_new0 (Candidate, MAX (n, 1));
  g_autofree gboolean *drop = g_new0 (gboolean, MAX (n, 1));

  for (i = 0; i < n; i++) {
    SlyObject *obj = g_ptr_array_index (ann->objects, i);

    c[i].index = i;
    c[i].box = sly_geometry_get_bbox (obj->geometry);
    c[i].area = box_area (&c[i].box);
  }
  qsort (c, n, sizeof (Candidate), larger_first);
  for (i = 0; i < n; i++) {
    SlyObject *small = g_ptr_array_index (ann->objects, c[i].index);

    for (k = 0; k < i && !drop[c[i].index]; k++) {
      SlyObject *big = g_ptr_array_index (ann->objects, c[k].index);

      if (!drop[c[k].index] && g_strcmp0 (big->class_title,
              small->class_title) == 0 &&
          2 * box_intersection (&c[i].box, &c[k].box) > c[i].area)
        drop[c[i].index] = TRUE;
    }
  }
  for (i = n; i > 0; i--)
    if (drop[i - 1])
      g_ptr_array_remove_index (ann->objects, i - 1);
}
