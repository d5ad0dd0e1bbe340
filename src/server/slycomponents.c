/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "slycomponents.h"

/* Flood-fills the component of (x0, y0) with @label using an explicit stack
 * (no recursion: a component may cover the whole image). */
static void
fill (const guint8 * mask, gint width, gint height, guint32 * labels,
    gint x0, gint y0, guint32 label, GArray * stack, SlyComponent * comp)
{
  gint start = y0 * width + x0;

  comp->label = label;
  comp->area = 0;
  comp->box.left = comp->box.right = x0;
  comp->box.top = comp->box.bottom = y0;

  g_array_set_size (stack, 0);
  labels[start] = label;
  g_array_append_val (stack, start);
  while (stack->len > 0) {
    gint pos = g_array_index (stack, gint, stack->len - 1);
    gint x = pos % width, y = pos / width;
    gint dx, dy;

    g_array_set_size (stack, stack->len - 1);
    comp->area++;
    comp->box.left = MIN (comp->box.left, x);
    comp->box.right = MAX (comp->box.right, x);
    comp->box.top = MIN (comp->box.top, y);
    comp->box.bottom = MAX (comp->box.bottom, y);
    for (dy = -1; dy <= 1; dy++) {
      for (dx = -1; dx <= 1; dx++) {
        gint nx = x + dx, ny = y + dy;
        gint npos = ny * width + nx;

        if (nx < 0 || ny < 0 || nx >= width || ny >= height)
          continue;
        if (!mask[npos] || labels[npos])
          continue;
        labels[npos] = label;
        g_array_append_val (stack, npos);
      }
    }
  }
}

GArray *
sly_components_find (const guint8 * mask, gint width, gint height,
    guint min_area, guint32 ** labels_out)
{
  GArray *comps = g_array_new (FALSE, FALSE, sizeof (SlyComponent));
  g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (gint));
  guint32 *labels = g_new0 (guint32, (gsize) width * height);
  guint32 next = 1;
  gint x, y;

  for (y = 0; y < height; y++) {
    for (x = 0; x < width; x++) {
      gsize pos = (gsize) y * width + x;
      SlyComponent comp;

      if (!mask[pos] || labels[pos])
        continue;
      fill (mask, width, height, labels, x, y, next++, stack, &comp);
      if (comp.area >= min_area)
        g_array_append_val (comps, comp);
    }
  }

  if (labels_out)
    *labels_out = labels;
  else
    g_free (labels);
  return comps;
}

static gint64
cross (SlyPoint o, SlyPoint a, SlyPoint b)
{
  return (gint64) (a.x - o.x) * (b.y - o.y) - (gint64) (a.y - o.y) * (b.x -
      o.x);
}

static gint
point_cmp (gconstpointer pa, gconstpointer pb)
{
  const SlyPoint *a = pa, *b = pb;

  if (a->x != b->x)
    return a->x < b->x ? -1 : 1;
  if (a->y != b->y)
    return a->y < b->y ? -1 : 1;
  return 0;
}

/* Andrew's monotone chain; popping on cross <= 0 drops collinear points. */
static GArray *
hull_of_points (GArray * pts)
{
  GArray *hull = g_array_new (FALSE, FALSE, sizeof (SlyPoint));
  SlyPoint *p = (SlyPoint *) pts->data;
  guint n = pts->len, i, lower;

  g_array_sort (pts, point_cmp);
  if (n < 3) {
    g_array_append_vals (hull, p, n);
    return hull;
  }
  for (i = 0; i < n; i++) {
    while (hull->len >= 2 && cross (g_array_index (hull, SlyPoint,
                hull->len - 2), g_array_index (hull, SlyPoint,
                hull->len - 1), p[i]) <= 0)
      g_array_set_size (hull, hull->len - 1);
    g_array_append_val (hull, p[i]);
  }
  lower = hull->len + 1;
  for (i = n - 1; i-- > 0;) {
    while (hull->len >= lower && cross (g_array_index (hull, SlyPoint,
                hull->len - 2), g_array_index (hull, SlyPoint,
                hull->len - 1), p[i]) <= 0)
      g_array_set_size (hull, hull->len - 1);
    g_array_append_val (hull, p[i]);
  }
  /* the last point repeats the first */
  g_array_set_size (hull, hull->len - 1);
  return hull;
}

GArray *
sly_component_hull (const SlyComponent * comp, const guint32 * labels,
    gint width)
{
  g_autoptr (GArray) pts = g_array_new (FALSE, FALSE, sizeof (SlyPoint));
  gint x, y;

  /* Only the left-most and right-most pixel of each row can be corners. */
  for (y = comp->box.top; y <= comp->box.bottom; y++) {
    SlyPoint first = { -1, y }, last = { -1, y };

    for (x = comp->box.left; x <= comp->box.right; x++) {
      if (labels[(gsize) y * width + x] != comp->label)
        continue;
      if (first.x < 0)
        first.x = x;
      last.x = x;
    }
    if (first.x < 0)
      continue;
    g_array_append_val (pts, first);
    if (last.x != first.x)
      g_array_append_val (pts, last);
  }
  return hull_of_points (pts);
}

SlyMask *
sly_component_mask (const SlyComponent * comp, const guint32 * labels,
    gint width)
{
  gint w = comp->box.right - comp->box.left + 1;
  gint h = comp->box.bottom - comp->box.top + 1;
  SlyMask *mask = sly_mask_new (comp->box.left, comp->box.top, w, h);
  gint x, y;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      mask->data[(gsize) y * w + x] =
          labels[(gsize) (y + comp->box.top) * width + x + comp->box.left] ==
          comp->label ? 255 : 0;
  return mask;
}
