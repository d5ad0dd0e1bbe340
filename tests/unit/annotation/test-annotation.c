/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Image annotation JSON: round trips of every geometry, accepted result
 * shapes, confidence and track id rules, malformed documents, and the
 * recorded server samples.
 */
#include <string.h>

#include "anntestutil.h"
#include "slyannotation.h"
#include "slyerror.h"
#include "slyprojectmeta.h"
#include "slyvideoannotation.h"

#define SIZE "\"size\": {\"height\": 720, \"width\": 1280}"

/* one label per geometry type, in the writer's canonical form */
static const gchar *labels[] = {
  "{\"classTitle\": \"person\", \"description\": \"\", \"tags\": "
      "[{\"name\": \"confidence\", \"value\": 0.91}], \"points\": "
      "{\"exterior\": [[100, 40], [219, 399]], \"interior\": []}, "
      "\"geometryType\": \"rectangle\", \"shape\": \"rectangle\"",
  "{\"classTitle\": \"road\", \"description\": \"flat\", \"tags\": [], "
      "\"points\": {\"exterior\": [[0, 700], [640, 420], [1279, 700]], "
      "\"interior\": [[[600, 650], [680, 650], [640, 600]]]}, "
      "\"geometryType\": \"polygon\", \"shape\": \"polygon\"",
  "{\"classTitle\": \"lane\", \"description\": \"\", \"tags\": [], "
      "\"points\": {\"exterior\": [[10, 710], [400, 500], [620, 430]], "
      "\"interior\": []}, \"geometryType\": \"line\", \"shape\": \"line\"",
  "{\"classTitle\": \"ball\", \"description\": \"\", \"tags\": "
      "[{\"name\": \"color\", \"value\": \"red\"}, {\"name\": \"flag\"}], "
      "\"points\": {\"exterior\": [[512, 300]], \"interior\": []}, "
      "\"geometryType\": \"point\", \"shape\": \"point\"",
  "{\"classTitle\": \"car\", \"description\": \"\", \"tags\": [], "
      "\"bitmap\": {\"origin\": [312, 188], \"data\": \"eJzrDPBz5+WS4mJgYOD19HA"
      "JAtLMIMwBJBiKnV8lAykBTxfHkIo5yT/+z298aN/CwKD5iO1X7OUtbSA1nq5+LuucEpoA"
      "PpATug==\"}, \"geometryType\": \"bitmap\", \"shape\": \"bitmap\"",
  "{\"classTitle\": \"smoke\", \"description\": \"\", \"tags\": [], "
      "\"bitmap\": {\"origin\": [0, 0], \"data\": \"eJzrDPBz5+WS4mJgYOD19HA"
      "JAtLMIMwBJBiKnV8lAykBTxfHkIo5yT/+z298aN/CwKD5iO1X7OUtbSA1nq5+LuucEpoA"
      "PpATug==\"}, \"geometryType\": \"alpha_mask\", \"shape\": \"alpha_mask\"",
  "{\"classTitle\": \"person\", \"description\": \"\", \"tags\": [], "
      "\"nodes\": {\"nose\": {\"loc\": [640, 200]}, \"left_eye\": {\"loc\": "
      "[630, 190]}, \"right_eye\": {\"loc\": [650, 190], \"disabled\": true}}, "
      "\"geometryType\": \"graph\", \"shape\": \"graph\"",
  "{\"classTitle\": \"ship\", \"description\": \"\", \"tags\": [], "
      "\"points\": [[10, 20], [110, 60]], \"angle\": 0.5, "
      "\"geometryType\": \"oriented_bbox\", \"shape\": \"oriented_bbox\"",
  "{\"classTitle\": \"islands\", \"description\": \"\", \"tags\": [], "
      "\"parts\": [{\"exterior\": [[0, 0], [10, 0], [10, 10], [0, 10]], "
      "\"interior\": [[[2, 2], [4, 2], [4, 4]]]}, {\"exterior\": [[20, 20], "
      "[30, 20], [25, 30]], \"interior\": []}], "
      "\"geometryType\": \"multipolygon\", \"shape\": \"multipolygon\"",
};

static gchar *
annotation_text (const gchar * label, const gchar * big_data)
{
  return g_strdup_printf ("{\"description\": \"\", " SIZE ", \"tags\": [], "
      "\"objects\": [%s, \"nnCreated\": true, \"nnUpdated\": true}], "
      "\"customBigData\": %s}", label, big_data);
}

static SlyAnnotation *
parse_ok (const gchar * text)
{
  g_autoptr (GError) error = NULL;
  SlyAnnotation *ann = sly_annotation_from_json (text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ann);
  return ann;
}

static void
test_round_trip (gconstpointer data)
{
  const gchar *label = data;
  g_autofree gchar *text = annotation_text (label, "{}");
  g_autoptr (JsonNode) expected = ann_test_parse (text);
  g_autoptr (SlyAnnotation) ann = parse_ok (text);
  g_autoptr (SlyAnnotation) copy = sly_annotation_copy (ann);
  g_autoptr (JsonNode) written = sly_annotation_to_json_node (ann);
  g_autoptr (JsonNode) copied = sly_annotation_to_json_node (copy);

  g_assert_cmpint (ann->width, ==, 1280);
  g_assert_cmpint (ann->height, ==, 720);
  g_assert_cmpuint (ann->objects->len, ==, 1);
  ann_test_assert_json_equal (expected, written);
  ann_test_assert_json_equal (expected, copied);
}

static SlyObject *
object_at (SlyAnnotation * ann, guint i)
{
  g_assert_cmpuint (i, <, ann->objects->len);
  return g_ptr_array_index (ann->objects, i);
}

static void
assert_box (SlyBox box, gint l, gint t, gint r, gint b)
{
  g_assert_cmpint (box.left, ==, l);
  g_assert_cmpint (box.top, ==, t);
  g_assert_cmpint (box.right, ==, r);
  g_assert_cmpint (box.bottom, ==, b);
}

static SlyGeometry *
parse_label (guint i, SlyAnnotation ** ann)
{
  g_autofree gchar *text = annotation_text (labels[i], "{}");

  *ann = parse_ok (text);
  return object_at (*ann, 0)->geometry;
}

/* the parsed model holds what the JSON says, not just something that
 * prints back the same */
static void
test_model_values (void)
{
  SlyAnnotation *ann;
  SlyGeometry *g;
  const SlyGraphNode *node;
  const SlyContour *part;

  g = parse_label (0, &ann);
  g_assert_cmpint (g->type, ==, SLY_GEOMETRY_RECTANGLE);
  assert_box (sly_geometry_get_bbox (g), 100, 40, 219, 399);
  g_assert_cmpfloat_with_epsilon (object_at (ann, 0)->confidence, 0.91, 1e-9);
  sly_annotation_unref (ann);

  g = parse_label (1, &ann);
  g_assert_cmpuint (g->contour.exterior->len, ==, 3);
  g_assert_cmpuint (g->contour.interior->len, ==, 1);
  assert_box (sly_geometry_get_bbox (g), 0, 420, 1279, 700);
  g_assert_cmpstr (object_at (ann, 0)->description, ==, "flat");
  sly_annotation_unref (ann);

  g = parse_label (3, &ann);
  assert_box (sly_geometry_get_bbox (g), 512, 300, 512, 300);
  g_assert_cmpstr (json_node_get_string (sly_object_find_tag (object_at (ann,
                  0), "color")->value), ==, "red");
  g_assert_null (sly_object_find_tag (object_at (ann, 0), "flag")->value);
  g_assert_null (sly_object_find_tag (object_at (ann, 0), "nope"));
  sly_annotation_unref (ann);

  g = parse_label (4, &ann);
  assert_box (sly_geometry_get_bbox (g), 312, 188, 314, 190);
  sly_annotation_unref (ann);

  g = parse_label (6, &ann);
  g_assert_cmpuint (g->nodes->len, ==, 3);
  node = g_ptr_array_index (g->nodes, 2);
  g_assert_cmpstr (node->name, ==, "right_eye");
  g_assert_true (node->disabled);
  assert_box (sly_geometry_get_bbox (g), 630, 190, 650, 200);
  sly_annotation_unref (ann);

  /* 0.5 rad about the centre (60, 40) of a 101x41 box */
  g = parse_label (7, &ann);
  g_assert_cmpfloat_with_epsilon (g->angle, 0.5, 1e-12);
  assert_box (sly_geometry_get_bbox (g), 6, -2, 114, 82);
  sly_annotation_unref (ann);

  g = parse_label (8, &ann);
  g_assert_cmpuint (g->parts->len, ==, 2);
  part = g_ptr_array_index (g->parts, 0);
  g_assert_cmpuint (part->interior->len, ==, 1);
  assert_box (sly_geometry_get_bbox (g), 0, 0, 30, 30);
  sly_annotation_unref (ann);
}

/* any two opposite corners work, fractions are floored */
static void
test_rectangle_reading (void)
{
  g_autoptr (SlyAnnotation) ann = parse_ok ("{" SIZE ", \"objects\": "
      "[{\"classTitle\": \"a\", \"shape\": \"rectangle\", \"tags\": [], "
      "\"points\": {\"exterior\": [[219.9, 40.2], [100.5, 399.99]], "
      "\"interior\": []}}, {\"classTitle\": \"b\", \"geometryType\": "
      "\"rectangle\", \"points\": {\"exterior\": [[-3.5, 2], [4, -1.2]]}}]}");

  assert_box (sly_geometry_get_bbox (object_at (ann, 0)->geometry),
      100, 40, 219, 399);
  assert_box (sly_geometry_get_bbox (object_at (ann, 1)->geometry),
      -4, -2, 4, 2);
  g_assert_false (ann->has_track_ids);
}

static void
test_result_shapes (void)
{
  g_autofree gchar *bare = annotation_text (labels[0], "{}");
  g_autofree gchar *escaped = g_strescape (bare, NULL);
  g_autofree gchar *wrap1 = g_strdup_printf ("{\"annotation\": %s, "
      "\"frame_index\": 4, \"data\": {}}", bare);
  g_autofree gchar *wrap2 = g_strdup_printf ("{\"annotation_json\": %s, "
      "\"annotation\": null}", bare);
  g_autofree gchar *wrap3 = g_strdup_printf ("{\"annotation_json\": \"%s\"}",
      escaped);
  const gchar *texts[] = { bare, wrap1, wrap2, wrap3 };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
    g_autoptr (SlyAnnotation) ann = parse_ok (texts[i]);

    g_assert_cmpint (ann->width, ==, 1280);
    g_assert_cmpuint (ann->objects->len, ==, 1);
    g_assert_cmpstr (object_at (ann, 0)->class_title, ==, "person");
  }
  {
    g_autoptr (SlyAnnotation) ann = parse_ok ("{\"annotation\": null, "
        "\"image_id\": 5}");

    g_assert_cmpint (ann->width, ==, 0);
    g_assert_cmpuint (ann->objects->len, ==, 0);
  }
}

static gdouble
confidence_of (const gchar * tags)
{
  g_autofree gchar *text = g_strdup_printf ("{" SIZE ", \"objects\": "
      "[{\"classTitle\": \"a\", \"geometryType\": \"point\", \"tags\": %s, "
      "\"points\": {\"exterior\": [[1, 2]]}}]}", tags);
  g_autoptr (SlyAnnotation) ann = parse_ok (text);

  return object_at (ann, 0)->confidence;
}

static void
test_confidence (void)
{
  static const struct
  {
    const gchar *tags;
    gdouble expected;
  } cases[] = {
    {"[{\"name\": \"confidence\", \"value\": 0.9}]", 0.9},
    {"[{\"name\": \"conf\", \"value\": 0.8}]", 0.8},
    {"[{\"name\": \"score\", \"value\": 0.7}]", 0.7},
    {"[{\"name\": \"confidence\", \"value\": 0}]", 0.0},
    {"[{\"name\": \"score\", \"value\": 0.7}, "
          "{\"name\": \"conf\", \"value\": 0.6}]", 0.6},
    {"[{\"name\": \"conf\", \"value\": 0.3}, "
          "{\"name\": \"confidence\", \"value\": 0.2}]", 0.2},
    {"[{\"name\": \"confidence\", \"value\": \"0.9\"}, "
          "{\"name\": \"score\", \"value\": 0.4}]", 0.4},
    {"[{\"name\": \"confidence\", \"value\": \"0.9\"}]", 1.0},
    {"[{\"name\": \"confidence\"}, {\"name\": \"other\", \"value\": 0.1}]",
        1.0},
    {"[{\"name\": \"confidence\", \"value\": true}]", 1.0},
    {"[]", 1.0},
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpfloat_with_epsilon (confidence_of (cases[i].tags),
        cases[i].expected, 1e-12);
}

static void
test_add_object_confidence (void)
{
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (64, 48);
  g_autoptr (SlyAnnotation) back = NULL;
  g_autofree gchar *text = NULL;
  SlyObject *scored = sly_annotation_add_object (ann, "a",
      sly_geometry_new_rectangle (5, 6, 1, 2), 0.25);
  SlyObject *unscored = sly_annotation_add_object (ann, "b",
      sly_geometry_new_rectangle (0, 0, 3, 3), -1);

  g_assert_cmpfloat (scored->confidence, ==, 0.25);
  g_assert_cmpfloat (unscored->confidence, ==, 1.0);
  g_assert_cmpuint (unscored->tags->len, ==, 0);
  sly_object_set_confidence (scored, 0.5);
  g_assert_cmpuint (scored->tags->len, ==, 1);

  text = sly_annotation_to_json (ann);
  back = parse_ok (text);
  g_assert_cmpfloat (object_at (back, 0)->confidence, ==, 0.5);
  g_assert_cmpfloat (object_at (back, 1)->confidence, ==, 1.0);
  assert_box (sly_geometry_get_bbox (object_at (back, 0)->geometry),
      1, 2, 5, 6);
}

static const gchar *two_objects =
    "{" SIZE ", \"tags\": [], \"objects\": ["
    "{\"classTitle\": \"person\", \"geometryType\": \"point\", \"tags\": [], "
    "\"points\": {\"exterior\": [[1, 2]], \"interior\": []}},"
    "{\"classTitle\": \"car\", \"geometryType\": \"point\", \"tags\": [], "
    "\"points\": {\"exterior\": [[3, 4]], \"interior\": []}}], "
    "\"customBigData\": %s}";

static SlyAnnotation *
parse_with_big_data (const gchar * big_data)
{
  g_autofree gchar *text = g_strdup_printf (two_objects, big_data);

  return parse_ok (text);
}

static void
test_track_id_zero (void)
{
  g_autoptr (SlyAnnotation) ann = parse_with_big_data ("[0, 5]");
  g_autofree gchar *text = NULL;
  g_autoptr (SlyAnnotation) back = NULL;

  g_assert_true (ann->has_track_ids);
  g_assert_cmpint (object_at (ann, 0)->track_id, ==, 0);
  g_assert_cmpint (object_at (ann, 1)->track_id, ==, 5);
  text = sly_annotation_to_json (ann);
  back = parse_ok (text);
  g_assert_cmpint (object_at (back, 1)->track_id, ==, 5);
}

static void
test_geometry_type_names (void)
{
  SlyGeometryType type;

  for (gint i = SLY_GEOMETRY_RECTANGLE; i <= SLY_GEOMETRY_MULTIPOLYGON; i++) {
    g_assert_true (sly_geometry_type_from_string (sly_geometry_type_to_string
            (i), &type));
    g_assert_cmpint (type, ==, i);
  }
  g_assert_cmpstr (sly_geometry_type_to_string (SLY_GEOMETRY_LINE), ==, "line");
  g_assert_null (sly_geometry_type_to_string ((SlyGeometryType) 99));
  g_assert_false (sly_geometry_type_from_string ("polyline", &type));
  g_assert_false (sly_geometry_type_from_string (NULL, &type));
}

static void
test_track_ids (void)
{
  g_autoptr (SlyAnnotation) ann = parse_with_big_data ("[3, 7]");
  g_autoptr (JsonNode) written = sly_annotation_to_json_node (ann);
  g_autoptr (JsonNode) expected_ids = ann_test_parse ("[3, 7]");
  g_autoptr (JsonNode) empty = ann_test_parse ("{}");
  const gchar *no_ids[] = { "[3]", "[3, 7, 9]", "{}", "null", "\"x\"",
    "{\"probabilityClasses\": []}"
  };

  g_assert_true (ann->has_track_ids);
  g_assert_cmpint (object_at (ann, 0)->track_id, ==, 3);
  g_assert_cmpint (object_at (ann, 1)->track_id, ==, 7);
  ann_test_assert_json_equal (expected_ids,
      json_object_get_member (json_node_get_object (written), "customBigData"));

  for (guint i = 0; i < G_N_ELEMENTS (no_ids); i++) {
    g_autoptr (SlyAnnotation) other = parse_with_big_data (no_ids[i]);
    g_autoptr (JsonNode) out = sly_annotation_to_json_node (other);

    g_assert_false (other->has_track_ids);
    g_assert_cmpint (object_at (other, 0)->track_id, ==, 0);
    g_assert_cmpint (object_at (other, 1)->track_id, ==, 0);
    ann_test_assert_json_equal (empty,
        json_object_get_member (json_node_get_object (out), "customBigData"));
  }
}

/* a skipped object keeps the ids of the others aligned */
static void
test_unknown_geometry_skipped (void)
{
  g_autoptr (SlyAnnotation) ann = parse_ok ("{" SIZE ", \"objects\": ["
      "{\"classTitle\": \"a\", \"geometryType\": \"point\", "
      "\"points\": {\"exterior\": [[1, 2]]}},"
      "{\"classTitle\": \"box3d\", \"geometryType\": \"cuboid_3d\", "
      "\"position\": {}},"
      "{\"classTitle\": \"c\", \"shape\": \"point\", "
      "\"points\": {\"exterior\": [[5, 6]]}}], \"customBigData\": [1, 2, 3]}");

  g_assert_cmpuint (ann->objects->len, ==, 2);
  g_assert_cmpstr (object_at (ann, 1)->class_title, ==, "c");
  g_assert_true (ann->has_track_ids);
  g_assert_cmpint (object_at (ann, 0)->track_id, ==, 1);
  g_assert_cmpint (object_at (ann, 1)->track_id, ==, 3);
}

#define OBJ(fields) "{" SIZE ", \"objects\": [{\"classTitle\": \"x\", " \
    fields "}]}"
#define RECT(ext) OBJ ("\"geometryType\": \"rectangle\", \"points\": " \
    "{\"exterior\": " ext ", \"interior\": []}")
#define POLY(pts) OBJ ("\"geometryType\": \"polygon\", \"points\": " pts)
#define BITMAP(data) OBJ ("\"geometryType\": \"bitmap\", \"bitmap\": " \
    "{\"origin\": [0, 0], \"data\": " data "}")

static const gchar *malformed[] = {
  "", "{", "[]", "null", "5", "\"annotation\"",
  "{}",
  "{\"annotation\": 5}",
  "{\"annotation\": []}",
  "{\"annotation_json\": \"{broken\"}",
  "{\"annotation\": {\"objects\": []}}",
  "{\"size\": 5, \"objects\": []}",
  "{\"size\": {\"width\": 10}, \"objects\": []}",
  "{\"size\": {\"width\": \"10\", \"height\": 10}, \"objects\": []}",
  "{\"size\": {\"width\": -1, \"height\": 10}, \"objects\": []}",
  "{\"size\": {\"width\": 1e12, \"height\": 10}, \"objects\": []}",
  "{\"size\": {\"width\": 99999999, \"height\": 10}, \"objects\": []}",
  "{" SIZE ", \"objects\": {}}",
  "{" SIZE ", \"objects\": null}",
  "{" SIZE ", \"objects\": [5]}",
  "{" SIZE ", \"objects\": [], \"tags\": {}}",
  "{" SIZE ", \"objects\": [], \"tags\": [{\"value\": 1}]}",
  "{" SIZE ", \"objects\": [], \"tags\": [{\"name\": 5}]}",
  "{" SIZE ", \"objects\": [], \"tags\": [7]}",
  "{" SIZE ", \"objects\": [], \"description\": 5}",
  OBJ ("\"geometryType\": \"point\", \"classTitle\": 5, "
      "\"points\": {\"exterior\": [[1, 1]]}"),
  "{" SIZE ", \"objects\": [{\"geometryType\": \"point\", "
      "\"points\": {\"exterior\": [[1, 1]]}}]}",
  OBJ ("\"points\": {\"exterior\": [[1, 1]]}"),
  OBJ ("\"geometryType\": 5, \"points\": {\"exterior\": [[1, 1]]}"),
  OBJ ("\"geometryType\": \"point\", \"description\": [], "
      "\"points\": {\"exterior\": [[1, 1]]}"),
  OBJ ("\"geometryType\": \"point\", \"tags\": 3, "
      "\"points\": {\"exterior\": [[1, 1]]}"),
  RECT ("[[1, 1]]"),
  RECT ("[[1, 1], [2, 2], [3, 3]]"),
  RECT ("[]"),
  RECT ("{}"),
  RECT ("[[1, \"2\"], [3, 4]]"),
  RECT ("[[1, 2], [3, null]]"),
  RECT ("[[1, 2], [3, true]]"),
  RECT ("[[1, 2], [3]]"),
  RECT ("[[1, 2, 3], [3, 4]]"),
  RECT ("[[1, 2], 5]"),
  RECT ("[[1, 2], [1e30, 4]]"),
  RECT ("[[1, 2], [-1e30, 4]]"),
  OBJ ("\"geometryType\": \"rectangle\""),
  OBJ ("\"geometryType\": \"rectangle\", \"points\": []"),
  POLY ("{\"exterior\": [[1, 1], [2, 2]], \"interior\": []}"),
  POLY ("{\"exterior\": [[1, 1], [2, 2], [3, 1]], \"interior\": "
      "[[[1, 1], [2, 2]]]}"),
  POLY ("{\"exterior\": [[1, 1], [2, 2], [3, 1]], \"interior\": 5}"),
  POLY ("{\"exterior\": [[1, 1], [2, 2], [3, 1]], \"interior\": [5]}"),
  OBJ ("\"geometryType\": \"line\", \"points\": {\"exterior\": [[1, 1]]}"),
  OBJ ("\"geometryType\": \"point\", \"points\": {\"exterior\": []}"),
  OBJ ("\"geometryType\": \"point\", \"points\": "
      "{\"exterior\": [[1, 1], [2, 2]]}"),
  OBJ ("\"geometryType\": \"bitmap\""),
  OBJ ("\"geometryType\": \"bitmap\", \"bitmap\": \"abc\""),
  OBJ ("\"geometryType\": \"bitmap\", \"bitmap\": {\"data\": \"eJw=\"}"),
  OBJ ("\"geometryType\": \"bitmap\", \"bitmap\": {\"origin\": [0, 0]}"),
  OBJ ("\"geometryType\": \"bitmap\", \"bitmap\": {\"origin\": 1, "
      "\"data\": \"eJzrDPBz5+WS4mJgYOD19HAJAtLMIMwBJBiKnV8lAykBTxfHkIo5yT/+z298"
      "aN/CwKD5iO1X7OUtbSA1nq5+LuucEpoAPpATug==\"}"),
  BITMAP ("5"),
  BITMAP ("\"\""),
  BITMAP ("\"@@@@not base64!!\""),
  BITMAP ("\"====\""),
  /* a zlib header followed by garbage */
  BITMAP ("\"eJz//////////w==\""),
  /* truncated zlib stream of the 6.5 example */
  BITMAP ("\"eJzrDPBz5+WS4mJgYOD19HAJAtLMIMwBJBiKnV8lAykB\""),
  /* zlib ("hello world"): inflates, but not to a PNG */
  BITMAP ("\"eJzLSM3JyVcozy/KSQEAGgsEXQ==\""),
  /* plain bytes that are neither zlib nor PNG */
  BITMAP ("\"aGVsbG8gd29ybGQ=\""),
  OBJ ("\"geometryType\": \"alpha_mask\", \"bitmap\": {\"origin\": [0, 0], "
      "\"data\": \"aGVsbG8gd29ybGQ=\"}"),
  OBJ ("\"geometryType\": \"graph\", \"nodes\": []"),
  OBJ ("\"geometryType\": \"graph\""),
  OBJ ("\"geometryType\": \"graph\", \"nodes\": {\"a\": 5}"),
  OBJ ("\"geometryType\": \"graph\", \"nodes\": {\"a\": {}}"),
  OBJ ("\"geometryType\": \"graph\", \"nodes\": {\"a\": {\"loc\": [1]}}"),
  OBJ ("\"geometryType\": \"graph\", \"nodes\": {\"a\": {\"loc\": [1, 2], "
      "\"disabled\": \"yes\"}}"),
  OBJ ("\"geometryType\": \"oriented_bbox\", \"points\": "
      "{\"exterior\": [[1, 1], [2, 2]]}"),
  OBJ ("\"geometryType\": \"oriented_bbox\", \"points\": [[1, 1]]"),
  OBJ ("\"geometryType\": \"oriented_bbox\", \"points\": [[1, 1], [2, 2]], "
      "\"angle\": \"0.5\""),
  OBJ ("\"geometryType\": \"multipolygon\", \"parts\": []"),
  OBJ ("\"geometryType\": \"multipolygon\", \"parts\": {}"),
  OBJ ("\"geometryType\": \"multipolygon\", \"parts\": [5]"),
  OBJ ("\"geometryType\": \"multipolygon\", \"parts\": [{\"exterior\": "
      "[[1, 1], [2, 2]]}]"),
  OBJ ("\"geometryType\": \"multipolygon\", \"parts\": [{\"exterior\": "
      "[[1, 1], [2, 2], [3, 1]], \"interior\": [[[0, 0]]]}]"),
  "{" SIZE ", \"objects\": [{\"classTitle\": \"a\", \"geometryType\": "
      "\"point\", \"points\": {\"exterior\": [[1, 2]]}}], "
      "\"customBigData\": [\"7\"]}",
  "{" SIZE ", \"objects\": [{\"classTitle\": \"a\", \"geometryType\": "
      "\"point\", \"points\": {\"exterior\": [[1, 2]]}}], "
      "\"customBigData\": [-1]}",
};

static void
test_malformed (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (SlyAnnotation) ann =
        sly_annotation_from_json (malformed[i], -1, &error);

    if (ann != NULL || error == NULL)
      g_error ("malformed[%u] was accepted: %s", i, malformed[i]);
    g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
    g_test_message ("malformed[%u]: %s", i, error->message);
  }
}

/* json-glib recurses per level: 100000 levels would overflow the stack */
static void
test_deep_nesting (void)
{
  g_autoptr (GString) deep = g_string_new ("{\"annotation\": ");
  g_autoptr (GError) e1 = NULL;
  g_autoptr (GError) e2 = NULL;
  g_autoptr (GError) e3 = NULL;
  g_autoptr (SlyAnnotation) ann = NULL;
  g_autoptr (SlyProjectMeta) meta = NULL;
  g_autoptr (SlyVideoAnnotation) va = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, i % 2 ? '[' : '{');
  /* brackets inside strings do not count */
  ann = sly_annotation_from_json ("{\"annotation\": null, \"x\": "
      "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\""
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}",
      -1, &e1);
  g_assert_no_error (e1);
  g_clear_pointer (&ann, sly_annotation_unref);

  ann = sly_annotation_from_json (deep->str, deep->len, &e1);
  meta = sly_project_meta_from_json (deep->str, -1, &e2);
  va = sly_video_annotation_from_json (deep->str, -1, &e3);
  g_assert_null (ann);
  g_assert_null (meta);
  g_assert_null (va);
  g_assert_error (e1, SLY_ERROR, SLY_ERROR_PARSE);
  g_assert_error (e2, SLY_ERROR, SLY_ERROR_PARSE);
  g_assert_error (e3, SLY_ERROR, SLY_ERROR_PARSE);
  g_assert_nonnull (strstr (e1->message, "deeper"));
}

static void
test_from_json_node_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) array = ann_test_parse ("[1]");

  g_assert_null (sly_annotation_from_json_node (NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_null (sly_annotation_from_json_node (array, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
}

static void
assert_ball (SlyObject * obj, gint l, gint t, gint r, gint b, gdouble conf)
{
  g_assert_cmpstr (obj->class_title, ==, "ball");
  g_assert_cmpint (obj->geometry->type, ==, SLY_GEOMETRY_RECTANGLE);
  assert_box (sly_geometry_get_bbox (obj->geometry), l, t, r, b);
  g_assert_cmpfloat_with_epsilon (obj->confidence, conf, 1e-9);
}

/* test.png: discs of radius 20 at (80, 100) and 8 at (230, 160) */
static void
check_test_png_result (SlyAnnotation * ann)
{
  g_assert_cmpint (ann->width, ==, 320);
  g_assert_cmpint (ann->height, ==, 240);
  g_assert_cmpuint (ann->objects->len, ==, 2);
  assert_ball (object_at (ann, 0), 60, 80, 100, 120, 1.0);
  assert_ball (object_at (ann, 1), 222, 152, 238, 168, 0.5985);
}

static SlyAnnotation *
parse_sample (const gchar * name)
{
  g_autofree gchar *body = ann_test_sample_body (name);

  return parse_ok (body);
}

/* test2.jpg (160x120): one disc, boxed 48..72 by the recorded server */
static void
check_test2_jpg_result (SlyAnnotation * ann)
{
  g_assert_cmpint (ann->width, ==, 160);
  g_assert_cmpint (ann->height, ==, 120);
  g_assert_cmpuint (ann->objects->len, ==, 1);
  assert_ball (object_at (ann, 0), 48, 48, 72, 72, 0.7205);
}

static void
test_sample_inference_image (void)
{
  g_autoptr (SlyAnnotation) image = parse_sample ("inference_image.txt");
  g_autoptr (SlyAnnotation) settings =
      parse_sample ("inference_image_settings_field.txt");
  g_autoptr (SlyAnnotation) no_state =
      parse_sample ("inference_image_no_state.txt");

  check_test_png_result (image);
  check_test_png_result (settings);
  check_test2_jpg_result (no_state);
}

static void
test_sample_filtered (void)
{
  g_autoptr (SlyAnnotation) filtered =
      parse_sample ("inference_image_classes_filter.txt");
  g_autoptr (SlyAnnotation) conf = parse_sample ("inference_image_conf07.txt");

  g_assert_cmpuint (filtered->objects->len, ==, 0);
  g_assert_cmpint (filtered->width, ==, 320);
  /* conf 0.7 keeps only the big disc */
  g_assert_cmpuint (conf->objects->len, ==, 1);
  assert_ball (object_at (conf, 0), 60, 80, 100, 120, 1.0);
}

static void
check_result_array (JsonArray * results)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyAnnotation) first = NULL;
  g_autoptr (SlyAnnotation) second = NULL;

  g_assert_cmpuint (json_array_get_length (results), ==, 2);
  first = sly_annotation_from_json_node (json_array_get_element (results, 0),
      &error);
  g_assert_no_error (error);
  second = sly_annotation_from_json_node (json_array_get_element (results,
          1), &error);
  g_assert_no_error (error);
  check_test_png_result (first);
  check_test2_jpg_result (second);
}

static void
test_sample_batch (void)
{
  g_autofree gchar *batch = ann_test_sample_body ("inference_batch.txt");
  g_autofree gchar *popped = ann_test_sample_body ("pop_inference_results.txt");
  g_autofree gchar *null_result =
      ann_test_sample_body ("get_inference_result.txt");
  g_autoptr (JsonNode) batch_node = ann_test_parse (batch);
  g_autoptr (JsonNode) popped_node = ann_test_parse (popped);
  g_autoptr (GError) error = NULL;

  check_result_array (json_node_get_array (batch_node));
  check_result_array (json_object_get_array_member (json_node_get_object
          (popped_node), "pending_results"));
  /* a bare null is not a result item */
  g_assert_null (sly_annotation_from_json (null_result, -1, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
}

static void
test_scale (void)
{
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (64, 48);
  SlyPoint pts[] = { {10, 10}, {20, 10}, {15, 21} };
  SlyGeometry *poly;

  sly_annotation_add_object (ann, "a", sly_geometry_new_rectangle (10, 20,
          29, 39), 0.5);
  sly_annotation_add_object (ann, "b", sly_geometry_new_polygon (pts, 3), 0.5);

  sly_annotation_scale (ann, 2.0, 2.0, 128, 96);
  g_assert_cmpint (ann->width, ==, 128);
  g_assert_cmpint (ann->height, ==, 96);
  assert_box (sly_geometry_get_bbox (object_at (ann, 0)->geometry),
      20, 40, 59, 79);
  poly = object_at (ann, 1)->geometry;
  g_assert_cmpint (g_array_index (poly->contour.exterior, SlyPoint, 2).x, ==,
      30);
  g_assert_cmpint (g_array_index (poly->contour.exterior, SlyPoint, 2).y, ==,
      42);

  sly_annotation_scale (ann, 0.25, 0.5, 32, 48);
  assert_box (sly_geometry_get_bbox (object_at (ann, 0)->geometry),
      5, 20, 14, 39);
  assert_box (sly_geometry_get_bbox (poly), 5, 10, 10, 21);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++) {
    g_autoptr (JsonNode) node = NULL;
    g_autofree gchar *text = g_strdup_printf ("%s}", labels[i]);
    g_autofree gchar *path = NULL;

    node = ann_test_parse (text);
    path = g_strdup_printf ("/annotation/round-trip/%s",
        json_object_get_string_member (json_node_get_object (node),
            "geometryType"));
    g_test_add_data_func (path, labels[i], test_round_trip);
  }
  g_test_add_func ("/annotation/model-values", test_model_values);
  g_test_add_func ("/annotation/rectangle-reading", test_rectangle_reading);
  g_test_add_func ("/annotation/result-shapes", test_result_shapes);
  g_test_add_func ("/annotation/confidence", test_confidence);
  g_test_add_func ("/annotation/add-object-confidence",
      test_add_object_confidence);
  g_test_add_func ("/annotation/track-ids", test_track_ids);
  g_test_add_func ("/annotation/track-id-zero", test_track_id_zero);
  g_test_add_func ("/annotation/geometry-type-names", test_geometry_type_names);
  g_test_add_func ("/annotation/unknown-geometry-skipped",
      test_unknown_geometry_skipped);
  g_test_add_func ("/annotation/malformed", test_malformed);
  g_test_add_func ("/annotation/deep-nesting", test_deep_nesting);
  g_test_add_func ("/annotation/from-json-node-errors",
      test_from_json_node_errors);
  g_test_add_func ("/annotation/sample/inference-image",
      test_sample_inference_image);
  g_test_add_func ("/annotation/sample/filtered", test_sample_filtered);
  g_test_add_func ("/annotation/sample/batch", test_sample_batch);
  g_test_add_func ("/annotation/scale", test_scale);
  return g_test_run ();
}
