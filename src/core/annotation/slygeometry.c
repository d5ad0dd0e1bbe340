/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Geometries of protocol.md 6.4 in memory: construction, copies, bounding
 * boxes and scaling. Their JSON form lives in slygeometry-json.c.
 */
#include <math.h>

#include "slyannotation-private.h"
#include "slyerror.h"

static const gchar *type_names[] = {
  [SLY_GEOMETRY_RECTANGLE] = "rectangle",
  [SLY_GEOMETRY_POLYGON] = "polygon",
  [SLY_GEOMETRY_LINE] = "line",
  [SLY_GEOMETRY_POINT] = "point",
  [SLY_GEOMETRY_BITMAP] = "bitmap",
  [SLY_GEOMETRY_ALPHA_MASK] = "alpha_mask",
  [SLY_GEOMETRY_GRAPH] = "graph",
  [SLY_GEOMETRY_ORIENTED_BBOX] = "oriented_bbox",
  [SLY_GEOMETRY_MULTIPOLYGON] = "multipolygon",
};

const gchar *
sly_geometry_type_to_string (SlyGeometryType type)
{
  if ((guint) type >= G_N_ELEMENTS (type_names))
    return NULL;
  return type_names[type];
}

gboolean
sly_geometry_type_from_string (const gchar * name, SlyGeometryType * type)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (type_names); i++) {
    if (g_strcmp0 (name, type_names[i]) == 0) {
      *type = (SlyGeometryType) i;
      return TRUE;
    }
  }
  return FALSE;
}

static GArray *
points_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (SlyPoint));
}

static GArray *
points_copy (const GArray * points)
{
  GArray *copy = points_new ();

  g_array_append_vals (copy, points->data, points->len);
  return copy;
}

static void
contour_init (SlyContour * c)
{
  c->exterior = points_new ();
  c->interior = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_array_unref);
}

static void
contour_clear (SlyContour * c)
{
  g_clear_pointer (&c->exterior, g_array_unref);
  g_clear_pointer (&c->interior, g_ptr_array_unref);
}

static void
contour_copy_into (const SlyContour * src, SlyContour * dst)
{
  dst->exterior = points_copy (src->exterior);
  dst->interior = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_array_unref);
  for (guint i = 0; i < src->interior->len; i++)
    g_ptr_array_add (dst->interior,
        points_copy (g_ptr_array_index (src->interior, i)));
}

static void
contour_free (SlyContour * c)
{
  contour_clear (c);
  g_free (c);
}

static void
graph_node_free (SlyGraphNode * node)
{
  g_free (node->name);
  g_free (node);
}

SlyGeometry *
sly_geometry_alloc (SlyGeometryType type)
{
  SlyGeometry *g = g_new0 (SlyGeometry, 1);

  g->type = type;
  contour_init (&g->contour);
  if (type == SLY_GEOMETRY_MULTIPOLYGON)
    g->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) contour_free);
  if (type == SLY_GEOMETRY_GRAPH)
    g->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify)
        graph_node_free);
  return g;
}

SlyGeometry *
sly_geometry_new_rectangle (gint left, gint top, gint right, gint bottom)
{
  SlyGeometry *g = sly_geometry_alloc (SLY_GEOMETRY_RECTANGLE);
  SlyPoint p[2] = { {MIN (left, right), MIN (top, bottom)},
  {MAX (left, right), MAX (top, bottom)}
  };

  g_array_append_vals (g->contour.exterior, p, 2);
  return g;
}

SlyGeometry *
sly_geometry_new_polygon (const SlyPoint * points, guint n)
{
  SlyGeometry *g = sly_geometry_alloc (SLY_GEOMETRY_POLYGON);

  g_array_append_vals (g->contour.exterior, points, n);
  return g;
}

static SlyGeometry *
new_masked (SlyGeometryType type, SlyMask * mask)
{
  SlyGeometry *g;

  g_return_val_if_fail (mask != NULL, NULL);

  g = sly_geometry_alloc (type);
  g->mask = mask;
  g->mask_origin.x = mask->origin_x;
  g->mask_origin.y = mask->origin_y;
  return g;
}

SlyGeometry *
sly_geometry_new_bitmap (SlyMask * mask)
{
  return new_masked (SLY_GEOMETRY_BITMAP, mask);
}

SlyGeometry *
sly_geometry_new_alpha_mask (SlyMask * mask)
{
  return new_masked (SLY_GEOMETRY_ALPHA_MASK, mask);
}

SlyGeometry *
sly_geometry_copy (const SlyGeometry * geometry)
{
  SlyGeometry *g = g_new0 (SlyGeometry, 1);

  g->type = geometry->type;
  g->angle = geometry->angle;
  contour_copy_into (&geometry->contour, &g->contour);
  if (geometry->parts) {
    g->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) contour_free);
    for (guint i = 0; i < geometry->parts->len; i++) {
      SlyContour *c = g_new0 (SlyContour, 1);

      contour_copy_into (g_ptr_array_index (geometry->parts, i), c);
      g_ptr_array_add (g->parts, c);
    }
  }
  if (geometry->nodes) {
    g->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify)
        graph_node_free);
    for (guint i = 0; i < geometry->nodes->len; i++) {
      const SlyGraphNode *n = g_ptr_array_index (geometry->nodes, i);
      SlyGraphNode *c = g_memdup2 (n, sizeof (*n));

      c->name = g_strdup (n->name);
      g_ptr_array_add (g->nodes, c);
    }
  }
  g->mask_origin = geometry->mask_origin;
  g->mask_data_b64 = g_strdup (geometry->mask_data_b64);
  g->mask = geometry->mask ? sly_mask_copy (geometry->mask) : NULL;
  return g;
}

void
sly_geometry_free (SlyGeometry * geometry)
{
  if (geometry == NULL)
    return;
  contour_clear (&geometry->contour);
  g_clear_pointer (&geometry->parts, g_ptr_array_unref);
  g_clear_pointer (&geometry->nodes, g_ptr_array_unref);
  g_free (geometry->mask_data_b64);
  sly_mask_free (geometry->mask);
  g_free (geometry);
}

static void
box_add (SlyBox * box, gboolean * any, gint x, gint y)
{
  if (!*any) {
    box->left = box->right = x;
    box->top = box->bottom = y;
    *any = TRUE;
    return;
  }
  box->left = MIN (box->left, x);
  box->right = MAX (box->right, x);
  box->top = MIN (box->top, y);
  box->bottom = MAX (box->bottom, y);
}

static void
box_add_points (SlyBox * box, gboolean * any, const GArray * points)
{
  for (guint i = 0; i < points->len; i++) {
    const SlyPoint *p = &g_array_index (points, SlyPoint, i);

    box_add (box, any, p->x, p->y);
  }
}

/* The rotated rectangle's corners, rotated about its centre, rounded
 * outwards. */
static void
box_add_oriented (SlyBox * box, gboolean * any, const SlyGeometry * g)
{
  const SlyPoint *a = &g_array_index (g->contour.exterior, SlyPoint, 0);
  const SlyPoint *b = &g_array_index (g->contour.exterior, SlyPoint, 1);
  gdouble cx = (a->x + b->x) / 2.0, cy = (a->y + b->y) / 2.0;
  gdouble c = cos (g->angle), s = sin (g->angle);
  gdouble xs[2] = { a->x, b->x }, ys[2] = { a->y, b->y };

  for (guint i = 0; i < 4; i++) {
    gdouble dx = xs[i & 1] - cx, dy = ys[i >> 1] - cy;
    gdouble x = cx + dx * c - dy * s, y = cy + dx * s + dy * c;

    box_add (box, any, (gint) floor (x + 1e-9), (gint) floor (y + 1e-9));
    box_add (box, any, (gint) ceil (x - 1e-9), (gint) ceil (y - 1e-9));
  }
}

SlyBox
sly_geometry_get_bbox (const SlyGeometry * geometry)
{
  SlyBox box = { 0, 0, -1, -1 };
  gboolean any = FALSE;

  switch (geometry->type) {
    case SLY_GEOMETRY_BITMAP:
    case SLY_GEOMETRY_ALPHA_MASK:
      box.left = geometry->mask_origin.x;
      box.top = geometry->mask_origin.y;
      box.right = box.left + (geometry->mask ? geometry->mask->width : 1) - 1;
      box.bottom = box.top + (geometry->mask ? geometry->mask->height : 1) - 1;
      return box;
    case SLY_GEOMETRY_GRAPH:
      for (guint i = 0; i < geometry->nodes->len; i++) {
        const SlyGraphNode *n = g_ptr_array_index (geometry->nodes, i);

        box_add (&box, &any, n->loc.x, n->loc.y);
      }
      return box;
    case SLY_GEOMETRY_MULTIPOLYGON:
      for (guint i = 0; i < geometry->parts->len; i++) {
        const SlyContour *c = g_ptr_array_index (geometry->parts, i);

        box_add_points (&box, &any, c->exterior);
      }
      return box;
    case SLY_GEOMETRY_ORIENTED_BBOX:
      if (geometry->contour.exterior->len == 2) {
        box_add_oriented (&box, &any, geometry);
        return box;
      }
      break;
    default:
      break;
  }
  box_add_points (&box, &any, geometry->contour.exterior);
  return box;
}

const SlyMask *
sly_geometry_get_mask (SlyGeometry * geometry, GError ** error)
{
  if (geometry->type != SLY_GEOMETRY_BITMAP &&
      geometry->type != SLY_GEOMETRY_ALPHA_MASK) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "a %s geometry has no mask",
        sly_geometry_type_to_string (geometry->type));
    return NULL;
  }
  if (geometry->mask == NULL) {
    if (geometry->mask_data_b64 == NULL) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
          "the %s geometry holds no data",
          sly_geometry_type_to_string (geometry->type));
      return NULL;
    }
    geometry->mask = sly_mask_decode_full (geometry->mask_data_b64,
        geometry->mask_origin.x, geometry->mask_origin.y,
        geometry->type == SLY_GEOMETRY_BITMAP, error);
  }
  return geometry->mask;
}

/* Scaled values stay within what the reader accepts. */
static gint
to_coord (gdouble v)
{
  return (gint) CLAMP (v, -SLY_MAX_COORD, SLY_MAX_COORD);
}

/* Points are rounded to the nearest scaled pixel, as the SDK does. */
static gint
scale_coord (gint v, gdouble s)
{
  return to_coord (floor (v * s + 0.5));
}

static void
scale_points (GArray * points, gdouble sx, gdouble sy)
{
  for (guint i = 0; i < points->len; i++) {
    SlyPoint *p = &g_array_index (points, SlyPoint, i);

    p->x = scale_coord (p->x, sx);
    p->y = scale_coord (p->y, sy);
  }
}

static void
scale_contour (SlyContour * c, gdouble sx, gdouble sy)
{
  scale_points (c->exterior, sx, sy);
  for (guint i = 0; i < c->interior->len; i++)
    scale_points (g_ptr_array_index (c->interior, i), sx, sy);
}

/* Inclusive boxes scale by their edges: [l, r + 1) becomes
 * [l * s, (r + 1) * s), never empty. */
static void
scale_box_points (GArray * points, gdouble sx, gdouble sy)
{
  SlyPoint *a = &g_array_index (points, SlyPoint, 0);
  SlyPoint *b = &g_array_index (points, SlyPoint, 1);
  gint l = to_coord (floor (MIN (a->x, b->x) * sx));
  gint t = to_coord (floor (MIN (a->y, b->y) * sy));
  gint r = to_coord (ceil ((MAX (a->x, b->x) + 1.0) * sx - 1e-9) - 1);
  gint bo = to_coord (ceil ((MAX (a->y, b->y) + 1.0) * sy - 1e-9) - 1);

  a->x = l;
  a->y = t;
  b->x = MAX (l, r);
  b->y = MAX (t, bo);
}

void
sly_geometry_scale (SlyGeometry * g, gdouble sx, gdouble sy)
{
  switch (g->type) {
    case SLY_GEOMETRY_RECTANGLE:
    case SLY_GEOMETRY_ORIENTED_BBOX:
      if (g->contour.exterior->len == 2)
        scale_box_points (g->contour.exterior, sx, sy);
      break;
    case SLY_GEOMETRY_MULTIPOLYGON:
      for (guint i = 0; i < g->parts->len; i++)
        scale_contour (g_ptr_array_index (g->parts, i), sx, sy);
      break;
    case SLY_GEOMETRY_GRAPH:
      for (guint i = 0; i < g->nodes->len; i++) {
        SlyGraphNode *n = g_ptr_array_index (g->nodes, i);

        n->loc.x = scale_coord (n->loc.x, sx);
        n->loc.y = scale_coord (n->loc.y, sy);
      }
      break;
    case SLY_GEOMETRY_BITMAP:
    case SLY_GEOMETRY_ALPHA_MASK:
      if (g->mask == NULL)
        sly_geometry_get_mask (g, NULL);
      if (g->mask) {
        SlyMask *scaled = sly_mask_scale (g->mask, sx, sy);

        sly_mask_free (g->mask);
        g->mask = scaled;
        g->mask_origin.x = scaled->origin_x;
        g->mask_origin.y = scaled->origin_y;
        /* the encoded form no longer matches; the writer re-encodes */
        g_clear_pointer (&g->mask_data_b64, g_free);
      } else {
        g->mask_origin.x = to_coord (floor (g->mask_origin.x * sx));
        g->mask_origin.y = to_coord (floor (g->mask_origin.y * sy));
      }
      break;
    default:
      scale_contour (&g->contour, sx, sy);
      break;
  }
}

static void
translate_points (GArray * points, gint dx, gint dy)
{
  for (guint i = 0; i < points->len; i++) {
    SlyPoint *p = &g_array_index (points, SlyPoint, i);

    p->x = to_coord ((gdouble) p->x + dx);
    p->y = to_coord ((gdouble) p->y + dy);
  }
}

static void
translate_contour (SlyContour * c, gint dx, gint dy)
{
  translate_points (c->exterior, dx, dy);
  for (guint i = 0; i < c->interior->len; i++)
    translate_points (g_ptr_array_index (c->interior, i), dx, dy);
}

void
sly_geometry_translate (SlyGeometry * g, gint dx, gint dy)
{
  switch (g->type) {
    case SLY_GEOMETRY_MULTIPOLYGON:
      for (guint i = 0; i < g->parts->len; i++)
        translate_contour (g_ptr_array_index (g->parts, i), dx, dy);
      break;
    case SLY_GEOMETRY_GRAPH:
      for (guint i = 0; i < g->nodes->len; i++) {
        SlyGraphNode *n = g_ptr_array_index (g->nodes, i);

        n->loc.x = to_coord ((gdouble) n->loc.x + dx);
        n->loc.y = to_coord ((gdouble) n->loc.y + dy);
      }
      break;
    case SLY_GEOMETRY_BITMAP:
    case SLY_GEOMETRY_ALPHA_MASK:
      /* the encoded data does not hold the origin: it stays valid */
      g->mask_origin.x = to_coord ((gdouble) g->mask_origin.x + dx);
      g->mask_origin.y = to_coord ((gdouble) g->mask_origin.y + dy);
      if (g->mask != NULL) {
        g->mask->origin_x = g->mask_origin.x;
        g->mask->origin_y = g->mask_origin.y;
      }
      break;
    default:
      translate_contour (&g->contour, dx, dy);
      break;
  }
}
