/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Regions and sliding windows (protocol.md 4.4), as the SDK's serving apps
 * do them (supervisely/decorators/inference.py): the image is cropped to the
 * region (inclusive corners, clipped to the image), the model runs on the
 * crop, and geometries are moved back to full-image coordinates; sliding
 * windows are placed as the SDK's SlidingWindowsFuzzy places them and every
 * window's geometries are moved back the same way. Unlike the SDK's "basic"
 * mode, which only concatenates the windows' objects, the objects of
 * different windows that are the same thing are kept once (see
 * merge_windows()).
 */
#include "slyregions.h"

#include "slyerror.h"

#include <math.h>
#include <string.h>

void
sly_infer_info_clear (SlyInferInfo * info)
{
  g_clear_pointer (&info->data, json_node_unref);
}

/* ---- reading the settings ---- */

static gboolean
node_int (JsonNode * node, gint64 * out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64) {
    *out = json_node_get_int (node);
    return TRUE;
  }
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE) {
    gdouble d = json_node_get_double (node);

    /* whole numbers written as 12.0; fractions are floored (6.3) */
    if (d < -1e9 || d > 1e9)
      return FALSE;
    *out = (gint64) floor (d);
    return TRUE;
  }
  return FALSE;
}

static gboolean
read_point (JsonNode * node, gint64 * x, gint64 * y)
{
  JsonArray *arr;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  arr = json_node_get_array (node);
  return json_array_get_length (arr) == 2
      && node_int (json_array_get_element (arr, 0), x)
      && node_int (json_array_get_element (arr, 1), y);
}

/* A region: the rectangle geometry of protocol.md 6.4
 * {"points": {"exterior": [[x1, y1], [x2, y2]], "interior": []}} (corners in
 * any order, what the SDK's Rectangle.from_json reads), or the list
 * [top, left, bottom, right] (the argument order of the SDK's Rectangle).
 * Both inclusive. */
static gboolean
read_region (JsonNode * node, SlyBox * box)
{
  gint64 v[4];

  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *arr = json_node_get_array (node);
    guint i;

    if (json_array_get_length (arr) != 4)
      return FALSE;
    for (i = 0; i < 4; i++)
      if (!node_int (json_array_get_element (arr, i), &v[i]))
        return FALSE;
    /* top, left, bottom, right */
    box->top = MIN (v[0], v[2]);
    box->bottom = MAX (v[0], v[2]);
    box->left = MIN (v[1], v[3]);
    box->right = MAX (v[1], v[3]);
    return TRUE;
  }
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *obj = json_node_get_object (node);
    JsonNode *points = json_object_get_member (obj, "points");
    JsonNode *ext;
    JsonArray *arr;

    if (points == NULL || !JSON_NODE_HOLDS_OBJECT (points))
      return FALSE;
    ext = json_object_get_member (json_node_get_object (points), "exterior");
    if (ext == NULL || !JSON_NODE_HOLDS_ARRAY (ext))
      return FALSE;
    arr = json_node_get_array (ext);
    if (json_array_get_length (arr) != 2
        || !read_point (json_array_get_element (arr, 0), &v[0], &v[1])
        || !read_point (json_array_get_element (arr, 1), &v[2], &v[3]))
      return FALSE;
    box->left = MIN (v[0], v[2]);
    box->right = MAX (v[0], v[2]);
    box->top = MIN (v[1], v[3]);
    box->bottom = MAX (v[1], v[3]);
    return TRUE;
  }
  return FALSE;
}

static JsonNode *
member (JsonObject * obj, const gchar * name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  return node && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

static const gchar *
string_member (JsonObject * obj, const gchar * name)
{
  JsonNode *node = member (obj, name);

  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

typedef struct
{
  gint64 height;                /* 0 = the image's */
  gint64 width;
  gint64 overlap_y;
  gint64 overlap_x;
  const gchar *strategy;
} WindowParams;

static const gchar *const strategies[] = {
  "shift_window", "add_padding", "change_size", NULL,
};

static gboolean
read_window_params (JsonObject * settings, WindowParams * p, gchar ** message)
{
  JsonNode *node = member (settings, "sliding_window_params");
  JsonObject *obj;
  struct
  {
    const gchar *key;
    gint64 *out;
    gint64 min;
  } keys[] = {
    {"windowHeight", &p->height, 1},
    {"windowWidth", &p->width, 1},
    {"overlapY", &p->overlap_y, 0},
    {"overlapX", &p->overlap_x, 0},
  };
  guint i;

  memset (p, 0, sizeof (*p));
  p->strategy = "shift_window";
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    *message = g_strdup ("settings.sliding_window_params must be an object");
    return FALSE;
  }
  obj = json_node_get_object (node);
  for (i = 0; i < G_N_ELEMENTS (keys); i++) {
    JsonNode *v = member (obj, keys[i].key);

    if (v == NULL)
      continue;
    if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) !=
        G_TYPE_INT64 || json_node_get_int (v) < keys[i].min
        || json_node_get_int (v) > G_MAXINT) {
      *message = g_strdup_printf ("settings.sliding_window_params.%s must be "
          "an integer from %" G_GINT64_FORMAT " to %d", keys[i].key,
          keys[i].min, G_MAXINT);
      return FALSE;
    }
    *keys[i].out = json_node_get_int (v);
  }
  if (member (obj, "borderStrategy")) {
    p->strategy = string_member (obj, "borderStrategy");
    if (p->strategy == NULL || !g_strv_contains (strategies, p->strategy)) {
      *message = g_strdup ("settings.sliding_window_params.borderStrategy "
          "must be \"shift_window\", \"add_padding\" or \"change_size\"");
      return FALSE;
    }
  }
  /* what the SDK's SlidingWindows refuses */
  if ((p->height && p->overlap_y >= p->height)
      || (p->width && p->overlap_x >= p->width)) {
    *message = g_strdup ("Wrong sliding window settings, overlap is too "
        "high.");
    return FALSE;
  }
  return TRUE;
}

static gboolean
sliding_window_on (JsonObject * settings)
{
  return g_strcmp0 (string_member (settings, "inference_mode"),
      "sliding_window") == 0
      && g_strcmp0 (string_member (settings, "sliding_window_mode"),
      "none") != 0;
}

#define REGION_FORMS "a rectangle geometry {\"points\": {\"exterior\": " \
  "[[left, top], [right, bottom]], \"interior\": []}} or [top, left, " \
  "bottom, right]"

gboolean
sly_regions_check_settings (JsonObject * settings, guint n_images,
    gchar ** message)
{
  JsonNode *node;
  const gchar *mode;
  WindowParams params;
  SlyBox box;

  if ((node = member (settings, "rectangles"))) {
    JsonArray *arr;
    guint i;

    if (!JSON_NODE_HOLDS_ARRAY (node)) {
      *message = g_strdup ("settings.rectangles must be a list of regions, "
          "one per image");
      return FALSE;
    }
    arr = json_node_get_array (node);
    for (i = 0; i < json_array_get_length (arr); i++)
      if (!read_region (json_array_get_element (arr, i), &box)) {
        *message = g_strdup_printf ("settings.rectangles[%u] must be "
            REGION_FORMS, i);
        return FALSE;
      }
    if (n_images == 0) {
      *message = g_strdup ("settings.rectangles is for image requests, one "
          "region per image; use settings.rectangle");
      return FALSE;
    }
    if (json_array_get_length (arr) != n_images) {
      *message = g_strdup_printf ("settings.rectangles has %u regions for %u "
          "images", json_array_get_length (arr), n_images);
      return FALSE;
    }
  } else if ((node = member (settings, "rectangle"))
      && !read_region (node, &box)) {
    *message = g_strdup ("settings.rectangle must be " REGION_FORMS);
    return FALSE;
  }

  if (member (settings, "inference_mode")) {
    mode = string_member (settings, "inference_mode");
    if (g_strcmp0 (mode, "full_image") != 0
        && g_strcmp0 (mode, "sliding_window") != 0) {
      *message = g_strdup ("settings.inference_mode must be \"full_image\" or "
          "\"sliding_window\"");
      return FALSE;
    }
  }
  if (sliding_window_on (settings)
      && !read_window_params (settings, &params, message))
    return FALSE;
  return TRUE;
}

/* ---- running ---- */

/* A window or region of @image, sharing its pixels. */
static SlyImage
image_view (const SlyImage * image, const SlyBox * box)
{
  SlyImage view;

  view.width = box->right - box->left + 1;
  view.height = box->bottom - box->top + 1;
  view.channels = image->channels;
  view.stride = image->stride;
  view.data = image->data + (gsize) box->top * image->stride +
      (gsize) box->left * image->channels;
  return view;
}

static void
points_translate (GArray * points, gint dx, gint dy)
{
  guint i;

  for (i = 0; points && i < points->len; i++) {
    g_array_index (points, SlyPoint, i).x += dx;
    g_array_index (points, SlyPoint, i).y += dy;
  }
}

static void
contour_translate (SlyContour * c, gint dx, gint dy)
{
  guint i;

  points_translate (c->exterior, dx, dy);
  for (i = 0; c->interior && i < c->interior->len; i++)
    points_translate (c->interior->pdata[i], dx, dy);
}

static void
geometry_translate (SlyGeometry * g, gint dx, gint dy)
{
  guint i;

  contour_translate (&g->contour, dx, dy);
  for (i = 0; g->parts && i < g->parts->len; i++)
    contour_translate (g->parts->pdata[i], dx, dy);
  for (i = 0; g->nodes && i < g->nodes->len; i++) {
    SlyGraphNode *n = g->nodes->pdata[i];

    n->loc.x += dx;
    n->loc.y += dy;
  }
  g->mask_origin.x += dx;
  g->mask_origin.y += dy;
  if (g->mask) {
    g->mask->origin_x += dx;
    g->mask->origin_y += dy;
  }
}

/* Moves every object of @ann by (dx, dy) into @out (objects are copied). */
static void
objects_move (SlyAnnotation * ann, gint dx, gint dy, SlyAnnotation * out)
{
  guint i;

  for (i = 0; i < ann->objects->len; i++) {
    SlyObject *obj = ann->objects->pdata[i];
    SlyGeometry *g = sly_geometry_copy (obj->geometry);

    geometry_translate (g, dx, dy);
    sly_annotation_add_object (out, obj->class_title, g, obj->confidence);
  }
}

/* The windows of an image of @w x @h, as the SDK's SlidingWindowsFuzzy
 * gives them (row by row), clipped to the image. */
static GArray *
windows_place (const WindowParams * p, gint w, gint h)
{
  GArray *wins = g_array_new (FALSE, FALSE, sizeof (SlyBox));
  /* a window larger than the image is cut to it (the SDK refuses it) */
  gint64 wh = p->height ? MIN (p->height, h) : h;
  gint64 ww = p->width ? MIN (p->width, w) : w;
  gint64 sy = MAX (wh - MIN (p->overlap_y, wh - 1), 1);
  gint64 sx = MAX (ww - MIN (p->overlap_x, ww - 1), 1);
  gint64 y, x;

  if (strcmp (p->strategy, "shift_window") == 0) {
    gint64 limit_y = h - wh, limit_x = w - ww;

    for (y = 0; y < limit_y + sy; y += sy)
      for (x = 0; x < limit_x + sx; x += sx) {
        SlyBox b;

        b.top = MIN (y, limit_y);
        b.left = MIN (x, limit_x);
        b.bottom = b.top + wh - 1;
        b.right = b.left + ww - 1;
        g_array_append_val (wins, b);
      }
  } else {
    /* add_padding: windows of the full size from every stride, the part
     * outside the image cut off (padding has no objects); change_size:
     * stride-sized windows */
    gboolean padding = strcmp (p->strategy, "add_padding") == 0;

    for (y = 0; y < h; y += sy)
      for (x = 0; x < w; x += sx) {
        SlyBox b;

        b.top = y;
        b.left = x;
        b.bottom = MIN (y + (padding ? wh : sy), h) - 1;
        b.right = MIN (x + (padding ? ww : sx), w) - 1;
        g_array_append_val (wins, b);
      }
  }
  return wins;
}

/* takes @obj */
static JsonNode *
object_node (JsonObject * obj)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, obj);
  return node;
}

static JsonNode *
rectangle_json (const SlyBox * b)
{
  g_autoptr (SlyGeometry) g = sly_geometry_new_rectangle (b->left, b->top,
      b->right, b->bottom);
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (1, 1);
  g_autoptr (JsonNode) node = NULL;
  JsonObject *label, *rect;

  /* the geometry's JSON keys, as an object's */
  sly_annotation_add_object (ann, "region", g_steal_pointer (&g), -1);
  node = sly_annotation_to_json_node (ann);
  label = json_array_get_object_element (json_object_get_array_member
      (json_node_get_object (node), "objects"), 0);
  rect = json_object_new ();
  json_object_set_member (rect, "points",
      json_node_copy (json_object_get_member (label, "points")));
  return object_node (rect);
}

/* {"rectangle": box, "labels": the objects of @ann} */
static JsonNode *
slide_new (const SlyBox * box, SlyAnnotation * ann)
{
  g_autoptr (JsonNode) node = sly_annotation_to_json_node (ann);
  JsonObject *slide = json_object_new ();
  JsonObject *root = json_node_get_object (node);

  json_object_set_member (slide, "rectangle", rectangle_json (box));
  json_object_set_member (slide, "labels",
      json_node_copy (json_object_get_member (root, "objects")));
  return object_node (slide);
}

typedef struct
{
  SlyObject *obj;
  guint window;
  guint seq;                    /* order of production */
  guint class_index;
  SlyBox box;
  gint64 area;
  gboolean cut;                 /* touches a border between windows */
} Candidate;

static gint
rank_compare (gconstpointer a, gconstpointer b)
{
  const Candidate *x = *(Candidate * const *) a;
  const Candidate *y = *(Candidate * const *) b;

  if (x->cut != y->cut)
    return x->cut ? 1 : -1;
  if (x->area != y->area)
    return x->area > y->area ? -1 : 1;
  if (x->obj->confidence != y->obj->confidence)
    return x->obj->confidence > y->obj->confidence ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static gint
output_compare (gconstpointer a, gconstpointer b)
{
  const Candidate *x = *(Candidate * const *) a;
  const Candidate *y = *(Candidate * const *) b;

  if (x->class_index != y->class_index)
    return x->class_index < y->class_index ? -1 : 1;
  if (x->box.top != y->box.top)
    return x->box.top < y->box.top ? -1 : 1;
  if (x->box.left != y->box.left)
    return x->box.left < y->box.left ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Intersection of the boxes over the smaller one's area, >= 1/2. */
static gboolean
same_thing (const Candidate * a, const Candidate * b)
{
  gint64 w = (gint64) MIN (a->box.right, b->box.right) -
      MAX (a->box.left, b->box.left) + 1;
  gint64 h = (gint64) MIN (a->box.bottom, b->box.bottom) -
      MAX (a->box.top, b->box.top) + 1;

  if (w <= 0 || h <= 0)
    return FALSE;
  return 2 * w * h >= MIN (a->area, b->area);
}

static guint
class_index (const SlyModel * model, const gchar * title)
{
  guint i;

  for (i = 0; i < model->n_classes; i++)
    if (strcmp (model->classes[i].title, title) == 0)
      return i;
  return model->n_classes;
}

/* The objects of every window (window by window in @per_window; all in image
 * coordinates, as @windows and @region) into @out: an object is dropped when an object of another
 * window, of the same class and geometry type, ranked before it, covers at
 * least half of the smaller of their boxes. Rank: objects not cut by a
 * border between windows first, then larger boxes, higher confidence, and
 * production order. The objects kept are ordered by class (model order),
 * then by the top, then the left of their box. */
static void
merge_windows (const SlyModel * model, GPtrArray * per_window,
    GArray * windows, const SlyBox * region, SlyAnnotation * out)
{
  g_autoptr (GPtrArray) cands = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();
  guint w, i, j, seq = 0;

  for (w = 0; w < per_window->len; w++) {
    SlyAnnotation *ann = per_window->pdata[w];
    const SlyBox *win = &g_array_index (windows, SlyBox, w);

    for (i = 0; i < ann->objects->len; i++) {
      Candidate *c = g_new0 (Candidate, 1);

      c->obj = ann->objects->pdata[i];
      c->window = w;
      c->seq = seq++;
      c->class_index = class_index (model, c->obj->class_title);
      c->box = sly_geometry_get_bbox (c->obj->geometry);
      c->area = (gint64) (c->box.right - c->box.left + 1) *
          (c->box.bottom - c->box.top + 1);
      c->cut = (c->box.left <= win->left && win->left > region->left)
          || (c->box.top <= win->top && win->top > region->top)
          || (c->box.right >= win->right && win->right < region->right)
          || (c->box.bottom >= win->bottom && win->bottom < region->bottom);
      g_ptr_array_add (cands, c);
    }
  }
  g_ptr_array_sort (cands, rank_compare);
  for (i = 0; i < cands->len; i++) {
    Candidate *c = cands->pdata[i];
    gboolean dropped = FALSE;

    for (j = 0; j < kept->len && !dropped; j++) {
      Candidate *k = kept->pdata[j];

      dropped = k->window != c->window && k->class_index == c->class_index
          && k->obj->geometry->type == c->obj->geometry->type
          && same_thing (k, c);
    }
    if (!dropped)
      g_ptr_array_add (kept, c);
  }
  g_ptr_array_sort (kept, output_compare);
  for (i = 0; i < kept->len; i++) {
    Candidate *c = kept->pdata[i];

    sly_annotation_add_object (out, c->obj->class_title,
        sly_geometry_copy (c->obj->geometry), c->obj->confidence);
  }
}

static void
annotation_translate (SlyAnnotation * ann, gint dx, gint dy)
{
  guint i;

  for (i = 0; i < ann->objects->len; i++)
    geometry_translate (((SlyObject *) ann->objects->pdata[i])->geometry, dx,
        dy);
}

/* Runs the model window by window over @region, the part @box of an image
 * of @width x @height. Geometries, windows and @slides (the SDK's slides:
 * one per window, then all their objects, then the merged ones) are in
 * image coordinates. */
static SlyAnnotation *
infer_windows (const SlyModel * model, const SlyImage * region,
    const SlyBox * box, gint width, gint height, JsonObject * settings,
    JsonArray * slides, GError ** error)
{
  WindowParams params;
  g_autofree gchar *message = NULL;
  g_autoptr (GArray) windows = NULL;
  g_autoptr (GPtrArray) per_window =
      g_ptr_array_new_with_free_func ((GDestroyNotify) sly_annotation_unref);
  g_autoptr (SlyAnnotation) all = sly_annotation_new (width, height);
  SlyAnnotation *merged = sly_annotation_new (width, height);
  guint i;

  /* checked with the request */
  if (!read_window_params (settings, &params, &message))
    g_return_val_if_reached (merged);
  windows = windows_place (&params, region->width, region->height);
  if (windows->len > SLY_REGIONS_MAX_WINDOWS) {
    g_set_error (error, SLY_HTTP_ERROR, 400, "Sliding window: %u windows "
        "for one image, more than %u", windows->len, SLY_REGIONS_MAX_WINDOWS);
    sly_annotation_unref (merged);
    return NULL;
  }
  for (i = 0; i < windows->len; i++) {
    SlyBox *win = &g_array_index (windows, SlyBox, i);
    SlyImage view = image_view (region, win);
    SlyAnnotation *ann = sly_model_infer_objects (model, &view, settings,
        error);

    if (ann == NULL) {
      sly_annotation_unref (merged);
      return NULL;
    }
    /* window and objects in image coordinates */
    win->left += box->left;
    win->right += box->left;
    win->top += box->top;
    win->bottom += box->top;
    annotation_translate (ann, win->left, win->top);
    ann->width = width;
    ann->height = height;
    objects_move (ann, 0, 0, all);
    json_array_add_element (slides, slide_new (win, ann));
    g_ptr_array_add (per_window, ann);
  }
  merge_windows (model, per_window, windows, box, merged);
  json_array_add_element (slides, slide_new (box, all));
  json_array_add_element (slides, slide_new (box, merged));
  /* image tags are about the whole region, not a window */
  sly_model_classify (model, region, settings, merged);
  return merged;
}

SlyAnnotation *
sly_regions_infer (const SlyModel * model, const SlyImage * image,
    guint index, JsonObject * settings, SlyInferInfo * info, GError ** error)
{
  JsonNode *rects = member (settings, "rectangles");
  JsonNode *rect = member (settings, "rectangle");
  SlyBox box = { 0, 0, image->width - 1, image->height - 1 };
  gboolean has_region = FALSE;
  SlyAnnotation *ann;
  SlyImage region;

  memset (info, 0, sizeof (*info));
  if (rects && JSON_NODE_HOLDS_ARRAY (rects)
      && index < json_array_get_length (json_node_get_array (rects)))
    has_region = read_region (json_array_get_element (json_node_get_array
            (rects), index), &box);
  else if (rect)
    has_region = read_region (rect, &box);

  if (has_region) {
    /* clipped to the image, as the SDK's crop */
    box.left = MAX (box.left, 0);
    box.top = MAX (box.top, 0);
    box.right = MIN (box.right, image->width - 1);
    box.bottom = MIN (box.bottom, image->height - 1);
    if (box.left > box.right || box.top > box.bottom) {
      /* nothing of the image to run on: no objects, no tags */
      return sly_annotation_new (image->width, image->height);
    }
  }
  region = image_view (image, &box);
  info->width = region.width;
  info->height = region.height;

  if (sliding_window_on (settings)) {
    JsonArray *slides = json_array_new ();
    JsonObject *data = json_object_new ();

    ann = infer_windows (model, &region, &box, image->width, image->height,
        settings, slides, error);
    json_object_set_array_member (data, "slides", slides);
    info->data = object_node (data);
    if (ann == NULL)
      sly_infer_info_clear (info);
    return ann;
  }
  ann = sly_model_infer (model, &region, settings, error);
  if (ann && has_region) {
    annotation_translate (ann, box.left, box.top);
    ann->width = image->width;
    ann->height = image->height;
  }
  return ann;
}
