/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Built-in models. Rules (docs/server.md repeats them):
 *  - a pixel is bright when 299 R + 587 G + 114 B >= 128000 (luma >= 128);
 *  - a pixel is red when R >= 150, G <= 100, B <= 100 (green and blue alike);
 *  - objects are the 8-connected components of such pixels with at least
 *    "min_area" pixels, in raster order of their first pixel;
 *  - confidence = area / (box width * box height), rounded to 4 decimals;
 *  - the classifier tags an image "bright" when its mean luma
 *    (sum of 299 R + 587 G + 114 B over the pixels >= 128000 * pixels) is
 *    at least 128, else "dark"; and "red", "green" or "blue" when that
 *    channel's sum C is above 0 and 4 C >= 5 x each other channel's sum,
 *    else "gray".
 */
#include "slymodels.h"

#include <math.h>
#include <string.h>

#include "slycomponents.h"

#define CONFIDENCE_TAG_COLOR 0x7C3BE1

static void detect_blobs (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, GPtrArray * out);
static void detect_colors (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, GPtrArray * out);
static void segment_blobs (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, GPtrArray * out);
static void classify_image (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, SlyAnnotation * ann);

static const SlyModelClass ball_rect[] = {
  {"ball", "rectangle", 0xF6FF00},
};

static const SlyModelClass color_rects[] = {
  {"red", "rectangle", 0xE6194B},
  {"green", "rectangle", 0x3CB44B},
  {"blue", "rectangle", 0x4363D8},
};

/* masks and polygons of the same class: shape "any" */
static const SlyModelClass ball_any[] = {
  {"ball", "any", 0xF6FF00},
};

/* brightness first, then colour: the order of the tags on an image */
static const SlyModelTag classifier_tags[] = {
  {"bright", 0xFFE119},
  {"dark", 0x404040},
  {"red", 0xE6194B},
  {"green", 0x3CB44B},
  {"blue", 0x4363D8},
  {"gray", 0xA9A9A9},
};

static const SlyModel blob_detector = {
  "blob-detector", "BlobDetector", "object detection",
  ball_rect, G_N_ELEMENTS (ball_rect),
  "{\"conf\": 0.25, \"min_area\": 10}",
  detect_blobs, NULL, 0, NULL,
};

static const SlyModel color_detector = {
  "color-detector", "ColorDetector", "object detection",
  color_rects, G_N_ELEMENTS (color_rects),
  "{\"conf\": 0.25, \"min_area\": 10}",
  detect_colors, NULL, 0, NULL,
};

static const SlyModel blob_segmenter = {
  "blob-segmenter", "BlobSegmenter", "instance segmentation",
  ball_any, G_N_ELEMENTS (ball_any),
  "{\"conf\": 0.25, \"min_area\": 10, \"geometry\": \"both\"}",
  segment_blobs, NULL, 0, NULL,
};

static const SlyModel blob_classifier = {
  "blob-classifier", "BlobClassifier", "classification",
  NULL, 0,
  "{\"conf\": 0.25}",
  NULL, classifier_tags, G_N_ELEMENTS (classifier_tags), classify_image,
};

static const SlyModel *const all_models[] = {
  &blob_detector, &color_detector, &blob_segmenter, &blob_classifier,
};

const SlyModel *const *
sly_models_get_all (guint * n_models)
{
  *n_models = G_N_ELEMENTS (all_models);
  return all_models;
}

const SlyModel *
sly_models_find (const gchar * name)
{
  guint i;

  if (name == NULL)
    return NULL;
  for (i = 0; i < G_N_ELEMENTS (all_models); i++)
    if (g_ascii_strcasecmp (all_models[i]->name, name) == 0)
      return all_models[i];
  return NULL;
}

SlyProjectMeta *
sly_model_get_meta (const SlyModel * model)
{
  SlyProjectMeta *meta = sly_project_meta_new ();
  guint i;

  for (i = 0; i < model->n_classes; i++)
    sly_project_meta_add_class (meta, model->classes[i].title,
        model->classes[i].shape, model->classes[i].color);
  sly_project_meta_add_tag_meta (meta, "confidence", "any_number",
      CONFIDENCE_TAG_COLOR);
  for (i = 0; i < model->n_tags; i++)
    sly_project_meta_add_tag_meta (meta, model->tags[i].name, "none",
        model->tags[i].color);
  return meta;
}

JsonObject *
sly_model_get_default_settings (const SlyModel * model)
{
  g_autoptr (JsonNode) node = json_from_string (model->default_settings, NULL);

  /* the defaults are our own constants: always an object */
  return json_object_ref (json_node_get_object (node));
}

static guint
min_area_setting (JsonObject * settings)
{
  JsonNode *node = json_object_get_member (settings, "min_area");

  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_INT64
      && json_node_get_int (node) >= 1)
    return MIN (json_node_get_int (node), G_MAXINT);
  return SLY_MODEL_DEFAULT_MIN_AREA;
}

static gdouble
fill_ratio (const SlyComponent * comp)
{
  gdouble box = (gdouble) (comp->box.right - comp->box.left + 1) *
      (comp->box.bottom - comp->box.top + 1);

  return round (comp->area / box * 10000.0) / 10000.0;
}

typedef gboolean (*PixelTest) (const guint8 * rgb);

static gboolean
is_bright (const guint8 * p)
{
  return 299 * p[0] + 587 * p[1] + 114 * p[2] >= 128000;
}

static gboolean
is_red (const guint8 * p)
{
  return p[0] >= 150 && p[1] <= 100 && p[2] <= 100;
}

static gboolean
is_green (const guint8 * p)
{
  return p[1] >= 150 && p[0] <= 100 && p[2] <= 100;
}

static gboolean
is_blue (const guint8 * p)
{
  return p[2] >= 150 && p[0] <= 100 && p[1] <= 100;
}

static guint8 *
threshold (const SlyImage * image, PixelTest test)
{
  guint8 *mask = g_malloc ((gsize) image->width * image->height);
  gint x, y;

  for (y = 0; y < image->height; y++) {
    const guint8 *row = image->data + (gsize) y * image->stride;

    for (x = 0; x < image->width; x++)
      mask[(gsize) y * image->width + x] = test (row + x * image->channels);
  }
  return mask;
}

static SlyModelDetection *
detection_new (guint class_index, SlyGeometry * geometry, gdouble confidence)
{
  SlyModelDetection *det = g_new (SlyModelDetection, 1);

  det->class_index = class_index;
  det->geometry = geometry;
  det->confidence = confidence;
  return det;
}

static void
add_boxes (const SlyImage * image, PixelTest test, guint class_index,
    guint min_area, GPtrArray * out)
{
  g_autofree guint8 *mask = threshold (image, test);
  g_autoptr (GArray) comps = sly_components_find (mask, image->width,
      image->height, min_area, NULL);
  guint i;

  for (i = 0; i < comps->len; i++) {
    SlyComponent *c = &g_array_index (comps, SlyComponent, i);

    g_ptr_array_add (out, detection_new (class_index,
            sly_geometry_new_rectangle (c->box.left, c->box.top,
                c->box.right, c->box.bottom), fill_ratio (c)));
  }
}

static void
detect_blobs (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, GPtrArray * out)
{
  add_boxes (image, is_bright, 0, min_area_setting (settings), out);
}

static void
detect_colors (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, GPtrArray * out)
{
  static const PixelTest tests[] = { is_red, is_green, is_blue };
  guint min_area = min_area_setting (settings);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (tests); i++)
    add_boxes (image, tests[i], i, min_area, out);
}

static void
segment_blobs (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, GPtrArray * out)
{
  g_autofree guint8 *mask = threshold (image, is_bright);
  g_autofree guint32 *labels = NULL;
  g_autoptr (GArray) comps = NULL;
  const gchar *geometry = "both";
  JsonNode *node = json_object_get_member (settings, "geometry");
  gboolean bitmaps, polygons;
  guint i;

  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    geometry = json_node_get_string (node);
  bitmaps = g_strcmp0 (geometry, "polygon") != 0;
  polygons = g_strcmp0 (geometry, "bitmap") != 0;

  comps = sly_components_find (mask, image->width, image->height,
      min_area_setting (settings), &labels);
  for (i = 0; i < comps->len; i++) {
    SlyComponent *c = &g_array_index (comps, SlyComponent, i);
    gdouble conf = fill_ratio (c);

    if (bitmaps)
      g_ptr_array_add (out, detection_new (0,
              sly_geometry_new_bitmap (sly_component_mask (c, labels,
                      image->width)), conf));
    if (polygons) {
      g_autoptr (GArray) hull = sly_component_hull (c, labels, image->width);

      /* a straight line has no polygon */
      if (hull->len >= 3)
        g_ptr_array_add (out, detection_new (0,
                sly_geometry_new_polygon ((SlyPoint *) hull->data,
                    hull->len), conf));
    }
  }
}

/* ---- the classifier ---- */

static void
add_image_tag (SlyAnnotation * ann, const gchar * name)
{
  /* the annotation's tag array frees SlyTag as sly_tag_free() does */
  SlyTag *tag = g_new0 (SlyTag, 1);

  tag->name = g_strdup (name);
  g_ptr_array_add (ann->tags, tag);
}

static void
classify_image (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, SlyAnnotation * ann)
{
  guint64 luma = 0, sum[3] = { 0, 0, 0 };
  guint64 n = (guint64) image->width * image->height;
  guint best = 0, c;
  gint x, y;

  if (n == 0)
    return;
  for (y = 0; y < image->height; y++) {
    const guint8 *p = image->data + (gsize) y * image->stride;

    for (x = 0; x < image->width; x++, p += image->channels) {
      luma += 299 * p[0] + 587 * p[1] + 114 * p[2];
      sum[0] += p[0];
      sum[1] += p[1];
      sum[2] += p[2];
    }
  }
  add_image_tag (ann, luma >= 128000 * n ? "bright" : "dark");
  for (c = 1; c < 3; c++)
    if (sum[c] > sum[best])
      best = c;
  for (c = 0; c < 3; c++)
    if (c != best && 4 * sum[best] < 5 * sum[c])
      break;
  add_image_tag (ann, sum[best] > 0 && c == 3 ?
      model->tags[2 + best].name : "gray");
}

static void
detection_free (gpointer p)
{
  SlyModelDetection *det = p;

  if (det->geometry)
    sly_geometry_free (det->geometry);
  g_free (det);
}

static gboolean
class_allowed (JsonArray * classes, const gchar * title)
{
  guint i;

  if (classes == NULL)
    return TRUE;
  for (i = 0; i < json_array_get_length (classes); i++) {
    JsonNode *n = json_array_get_element (classes, i);

    if (JSON_NODE_HOLDS_VALUE (n)
        && json_node_get_value_type (n) == G_TYPE_STRING
        && strcmp (json_node_get_string (n), title) == 0)
      return TRUE;
  }
  return FALSE;
}

void
sly_model_classify (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, SlyAnnotation * ann)
{
  if (model->classify)
    model->classify (model, image, settings, ann);
}

SlyAnnotation *
sly_model_infer (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, GError ** error)
{
  SlyAnnotation *ann = sly_model_infer_objects (model, image, settings,
      error);

  if (ann)
    sly_model_classify (model, image, settings, ann);
  return ann;
}

SlyAnnotation *
sly_model_infer_objects (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, GError ** error)
{
  g_autoptr (GPtrArray) dets = g_ptr_array_new_with_free_func (detection_free);
  SlyAnnotation *ann = sly_annotation_new (image->width, image->height);
  JsonNode *conf_node = json_object_get_member (settings, "conf");
  JsonNode *classes_node = json_object_get_member (settings, "classes");
  JsonArray *classes = NULL;
  gdouble conf = 0;
  guint i;

  /* settings were validated by the request parser */
  if (conf_node && JSON_NODE_HOLDS_VALUE (conf_node)
      && json_node_get_value_type (conf_node) != G_TYPE_STRING)
    conf = json_node_get_double (conf_node);
  if (classes_node && JSON_NODE_HOLDS_ARRAY (classes_node))
    classes = json_node_get_array (classes_node);

  if (model->detect)
    model->detect (model, image, settings, dets);
  for (i = 0; i < dets->len; i++) {
    SlyModelDetection *det = dets->pdata[i];
    const gchar *title = model->classes[det->class_index].title;

    if (det->confidence < conf || !class_allowed (classes, title))
      continue;
    sly_annotation_add_object (ann, title, g_steal_pointer (&det->geometry),
        det->confidence);
  }
  return ann;
}
