/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The geometry fields of protocol.md 6.4, both ways. The same fields sit
 * at the label level in image annotations and under "geometry" in video
 * figures, so the functions here work on the object that holds them.
 */
#include "slyannotation-private.h"
#include "slyerror.h"

/* ---- reading ---- */

static gboolean
read_point (JsonNode * node, const gchar * what, SlyPoint * p, GError ** error)
{
  JsonArray *xy;
  gint64 x, y;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (xy = json_node_get_array (node)) != 2) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: a point is not an [x, y] pair", what);
    return FALSE;
  }
  if (!sly_json_read_int (json_array_get_element (xy, 0), -SLY_MAX_COORD,
          SLY_MAX_COORD, what, &x, error) ||
      !sly_json_read_int (json_array_get_element (xy, 1), -SLY_MAX_COORD,
          SLY_MAX_COORD, what, &y, error))
    return FALSE;
  p->x = (gint) x;
  p->y = (gint) y;
  return TRUE;
}

static gboolean
read_points (JsonNode * node, guint min, guint max, const gchar * what,
    GArray * out, GError ** error)
{
  JsonArray *array;
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s is missing or not an array", what);
    return FALSE;
  }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n < min || n > max) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s has %u points, %u to %u expected", what, n, min, max);
    return FALSE;
  }
  for (guint i = 0; i < n; i++) {
    SlyPoint p;

    if (!read_point (json_array_get_element (array, i), what, &p, error))
      return FALSE;
    g_array_append_val (out, p);
  }
  return TRUE;
}

/* {"exterior": [...], "interior": [[...], ...]}; holes only for polygons */
static gboolean
read_contour (JsonObject * obj, guint min, guint max, gboolean holes,
    const gchar * what, SlyContour * c, GError ** error)
{
  g_autofree gchar *ext_what = g_strdup_printf ("%s: exterior", what);
  g_autofree gchar *int_what = g_strdup_printf ("%s: hole", what);
  JsonNode *interior;
  JsonArray *array;

  if (!read_points (json_object_get_member (obj, "exterior"), min, max,
          ext_what, c->exterior, error))
    return FALSE;
  interior = json_object_get_member (obj, "interior");
  if (interior == NULL || JSON_NODE_HOLDS_NULL (interior))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (interior)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: interior is not an array", what);
    return FALSE;
  }
  array = json_node_get_array (interior);
  /* rectangles, lines and points carry "interior": [] and nothing else */
  for (guint i = 0; holes && i < json_array_get_length (array); i++) {
    GArray *hole = g_array_new (FALSE, FALSE, sizeof (SlyPoint));

    g_ptr_array_add (c->interior, hole);
    if (!read_points (json_array_get_element (array, i), 3, G_MAXUINT,
            int_what, hole, error))
      return FALSE;
  }
  return TRUE;
}

static void
sort_box (GArray * points)
{
  SlyPoint *a = &g_array_index (points, SlyPoint, 0);
  SlyPoint *b = &g_array_index (points, SlyPoint, 1);
  SlyPoint lo = { MIN (a->x, b->x), MIN (a->y, b->y) };
  SlyPoint hi = { MAX (a->x, b->x), MAX (a->y, b->y) };

  *a = lo;
  *b = hi;
}

static gboolean
read_vector (JsonObject * fields, SlyGeometry * g, const gchar * what,
    GError ** error)
{
  static const guint limits[][2] = {
    [SLY_GEOMETRY_RECTANGLE] = {2, 2},
    [SLY_GEOMETRY_POLYGON] = {3, G_MAXUINT},
    [SLY_GEOMETRY_LINE] = {2, G_MAXUINT},
    [SLY_GEOMETRY_POINT] = {1, 1},
  };
  JsonObject *points = sly_json_get_object (fields, "points");

  if (points == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"points\" is missing or not an object", what);
    return FALSE;
  }
  if (!read_contour (points, limits[g->type][0], limits[g->type][1],
          g->type == SLY_GEOMETRY_POLYGON, what, &g->contour, error))
    return FALSE;
  if (g->type == SLY_GEOMETRY_RECTANGLE)
    sort_box (g->contour.exterior);
  return TRUE;
}

static gboolean
read_oriented_bbox (JsonObject * fields, SlyGeometry * g, const gchar * what,
    GError ** error)
{
  g_autofree gchar *p_what = g_strdup_printf ("%s: points", what);
  JsonNode *angle = json_object_get_member (fields, "angle");

  if (!read_points (json_object_get_member (fields, "points"), 2, 2, p_what,
          g->contour.exterior, error))
    return FALSE;
  sort_box (g->contour.exterior);
  if (angle == NULL || JSON_NODE_HOLDS_NULL (angle))
    return TRUE;
  if (!sly_json_node_is_number (angle)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"angle\" is not a number", what);
    return FALSE;
  }
  g->angle = sly_json_node_number (angle);
  return TRUE;
}

static gboolean
read_multipolygon (JsonObject * fields, SlyGeometry * g, const gchar * what,
    GError ** error)
{
  JsonArray *parts = sly_json_get_array (fields, "parts");

  if (parts == NULL || json_array_get_length (parts) == 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"parts\" is missing, empty or not an array", what);
    return FALSE;
  }
  for (guint i = 0; i < json_array_get_length (parts); i++) {
    JsonNode *node = json_array_get_element (parts, i);
    SlyGeometry *tmp;
    g_autofree gchar *p_what = g_strdup_printf ("%s: parts[%u]", what, i);

    if (!JSON_NODE_HOLDS_OBJECT (node)) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
          "%s is not an object", p_what);
      return FALSE;
    }
    /* borrow a polygon to hold the part, then move its contour */
    tmp = sly_geometry_alloc (SLY_GEOMETRY_POLYGON);
    if (!read_contour (json_node_get_object (node), 3, G_MAXUINT, TRUE,
            p_what, &tmp->contour, error)) {
      sly_geometry_free (tmp);
      return FALSE;
    }
    g_ptr_array_add (g->parts, g_memdup2 (&tmp->contour, sizeof (SlyContour)));
    tmp->contour.exterior = NULL;
    tmp->contour.interior = NULL;
    sly_geometry_free (tmp);
  }
  return TRUE;
}

static gboolean
read_graph_node (const gchar * name, JsonNode * node, const gchar * what,
    SlyGraphNode * out, GError ** error)
{
  g_autofree gchar *n_what = g_strdup_printf ("%s: node \"%s\"", what, name);
  JsonObject *obj;
  JsonNode *disabled;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE, "%s is not an object",
        n_what);
    return FALSE;
  }
  obj = json_node_get_object (node);
  if (!read_point (json_object_get_member (obj, "loc"), n_what, &out->loc,
          error))
    return FALSE;
  disabled = json_object_get_member (obj, "disabled");
  if (disabled && JSON_NODE_HOLDS_VALUE (disabled) &&
      json_node_get_value_type (disabled) == G_TYPE_BOOLEAN)
    out->disabled = json_node_get_boolean (disabled);
  else if (disabled && !JSON_NODE_HOLDS_NULL (disabled)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"disabled\" is not a boolean", n_what);
    return FALSE;
  }
  return TRUE;
}

static gboolean
read_graph (JsonObject * fields, SlyGeometry * g, const gchar * what,
    GError ** error)
{
  JsonObject *nodes = sly_json_get_object (fields, "nodes");
  JsonObjectIter iter;
  const gchar *name;
  JsonNode *node;

  if (nodes == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"nodes\" is missing or not an object", what);
    return FALSE;
  }
  json_object_iter_init (&iter, nodes);
  while (json_object_iter_next (&iter, &name, &node)) {
    SlyGraphNode *n = g_new0 (SlyGraphNode, 1);

    n->name = g_strdup (name);
    g_ptr_array_add (g->nodes, n);
    if (!read_graph_node (name, node, what, n, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
read_bitmap (JsonObject * fields, SlyGeometry * g, const gchar * what,
    GError ** error)
{
  JsonObject *bitmap = sly_json_get_object (fields, "bitmap");
  g_autofree gchar *o_what = g_strdup_printf ("%s: bitmap origin", what);
  const gchar *data;

  if (bitmap == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: \"bitmap\" is missing or not an object", what);
    return FALSE;
  }
  data = sly_json_get_string (bitmap, "data");
  if (data == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: bitmap \"data\" is missing or not a string", what);
    return FALSE;
  }
  if (!read_point (json_object_get_member (bitmap, "origin"), o_what,
          &g->mask_origin, error))
    return FALSE;
  g->mask_data_b64 = g_strdup (data);
  /* decoded now so that a broken mask fails the whole document, and so
   * that the bounding box is known */
  if (sly_geometry_get_mask (g, error) == NULL) {
    g_prefix_error (error, "%s: ", what);
    return FALSE;
  }
  return TRUE;
}

SlyGeometry *
sly_geometry_from_json (JsonObject * fields, SlyGeometryType type,
    const gchar * what, GError ** error)
{
  g_autoptr (SlyGeometry) g = sly_geometry_alloc (type);
  gboolean ok = FALSE;

  switch (type) {
    case SLY_GEOMETRY_RECTANGLE:
    case SLY_GEOMETRY_POLYGON:
    case SLY_GEOMETRY_LINE:
    case SLY_GEOMETRY_POINT:
      ok = read_vector (fields, g, what, error);
      break;
    case SLY_GEOMETRY_ORIENTED_BBOX:
      ok = read_oriented_bbox (fields, g, what, error);
      break;
    case SLY_GEOMETRY_MULTIPOLYGON:
      ok = read_multipolygon (fields, g, what, error);
      break;
    case SLY_GEOMETRY_GRAPH:
      ok = read_graph (fields, g, what, error);
      break;
    case SLY_GEOMETRY_BITMAP:
    case SLY_GEOMETRY_ALPHA_MASK:
      ok = read_bitmap (fields, g, what, error);
      break;
  }
  return ok ? g_steal_pointer (&g) : NULL;
}

gboolean
sly_geometry_read_type (JsonObject * obj, const gchar * what,
    SlyGeometryType * type, gboolean * known, gchar ** name, GError ** error)
{
  const gchar *s = sly_json_get_string (obj, "geometryType");

  if (s == NULL)
    s = sly_json_get_string (obj, "shape");
  if (s == NULL) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "%s: no string \"geometryType\" or \"shape\"", what);
    return FALSE;
  }
  *known = sly_geometry_type_from_string (s, type);
  if (name)
    *name = g_strdup (s);
  return TRUE;
}

/* ---- writing ---- */

static JsonArray *
point_to_json (const SlyPoint * p)
{
  JsonArray *xy = json_array_sized_new (2);

  json_array_add_int_element (xy, p->x);
  json_array_add_int_element (xy, p->y);
  return xy;
}

static JsonArray *
points_to_json (const GArray * points)
{
  JsonArray *array = json_array_sized_new (points->len);

  for (guint i = 0; i < points->len; i++)
    json_array_add_array_element (array,
        point_to_json (&g_array_index (points, SlyPoint, i)));
  return array;
}

static JsonObject *
contour_to_json (const SlyContour * c)
{
  JsonObject *obj = json_object_new ();
  JsonArray *holes = json_array_new ();

  json_object_set_array_member (obj, "exterior", points_to_json (c->exterior));
  for (guint i = 0; c->interior && i < c->interior->len; i++)
    json_array_add_array_element (holes,
        points_to_json (g_ptr_array_index (c->interior, i)));
  json_object_set_array_member (obj, "interior", holes);
  return obj;
}

static void
graph_to_json (const SlyGeometry * g, JsonObject * fields)
{
  JsonObject *nodes = json_object_new ();

  for (guint i = 0; i < g->nodes->len; i++) {
    const SlyGraphNode *n = g_ptr_array_index (g->nodes, i);
    JsonObject *o = json_object_new ();

    json_object_set_array_member (o, "loc", point_to_json (&n->loc));
    if (n->disabled)
      json_object_set_boolean_member (o, "disabled", TRUE);
    json_object_set_object_member (nodes, n->name, o);
  }
  json_object_set_object_member (fields, "nodes", nodes);
}

static void
bitmap_to_json (const SlyGeometry * g, JsonObject * fields)
{
  JsonObject *bitmap = json_object_new ();
  g_autofree gchar *data = NULL;
  g_autoptr (GError) error = NULL;

  if (g->mask_data_b64 == NULL && g->mask != NULL) {
    data = sly_mask_encode_full (g->mask, g->type == SLY_GEOMETRY_BITMAP,
        &error);
    if (data == NULL)
      g_warning ("cannot encode a mask: %s", error->message);
  }
  json_object_set_array_member (bitmap, "origin",
      point_to_json (&g->mask_origin));
  json_object_set_string_member (bitmap, "data",
      data ? data : (g->mask_data_b64 ? g->mask_data_b64 : ""));
  json_object_set_object_member (fields, "bitmap", bitmap);
}

void
sly_geometry_to_json (const SlyGeometry * g, JsonObject * fields)
{
  JsonArray *parts;

  switch (g->type) {
    case SLY_GEOMETRY_ORIENTED_BBOX:
      json_object_set_array_member (fields, "points",
          points_to_json (g->contour.exterior));
      json_object_set_double_member (fields, "angle", g->angle);
      break;
    case SLY_GEOMETRY_MULTIPOLYGON:
      parts = json_array_new ();
      for (guint i = 0; i < g->parts->len; i++)
        json_array_add_object_element (parts,
            contour_to_json (g_ptr_array_index (g->parts, i)));
      json_object_set_array_member (fields, "parts", parts);
      break;
    case SLY_GEOMETRY_GRAPH:
      graph_to_json (g, fields);
      break;
    case SLY_GEOMETRY_BITMAP:
    case SLY_GEOMETRY_ALPHA_MASK:
      bitmap_to_json (g, fields);
      break;
    default:
      json_object_set_object_member (fields, "points",
          contour_to_json (&g->contour));
      break;
  }
}
