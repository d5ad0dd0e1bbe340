/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ProjectMeta (protocol.md section 7) both ways. */
#include <string.h>

#include "anntestutil.h"
#include "slyerror.h"
#include "slyprojectmeta.h"

static SlyProjectMeta *
parse_ok (const gchar * text)
{
  g_autoptr (GError) error = NULL;
  SlyProjectMeta *meta = sly_project_meta_from_json (text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (meta);
  return meta;
}

static SlyObjClass *
class_at (SlyProjectMeta * meta, guint i)
{
  g_assert_cmpuint (i, <, meta->classes->len);
  return g_ptr_array_index (meta->classes, i);
}

static SlyTagMeta *
tag_at (SlyProjectMeta * meta, guint i)
{
  g_assert_cmpuint (i, <, meta->tag_metas->len);
  return g_ptr_array_index (meta->tag_metas, i);
}

/* the real server's answer carries an extra "projectSettings" key */
static void
test_sample (void)
{
  g_autofree gchar *body =
      ann_test_sample_body ("get_output_classes_and_tags.txt");
  g_autoptr (SlyProjectMeta) meta = parse_ok (body);
  g_autoptr (JsonNode) expected = ann_test_parse (body);
  g_autoptr (JsonNode) written = sly_project_meta_to_json_node (meta);
  g_auto (GStrv) titles = sly_project_meta_dup_class_titles (meta);

  g_assert_cmpuint (meta->classes->len, ==, 2);
  g_assert_cmpstr (class_at (meta, 0)->title, ==, "ball");
  g_assert_cmpstr (class_at (meta, 0)->shape, ==, "rectangle");
  g_assert_cmphex (class_at (meta, 0)->color, ==, 0x8A550F);
  g_assert_cmphex (class_at (meta, 1)->color, ==, 0x0F1D8A);
  g_assert_cmpuint (meta->tag_metas->len, ==, 1);
  g_assert_cmpstr (tag_at (meta, 0)->name, ==, "confidence");
  g_assert_cmpstr (tag_at (meta, 0)->value_type, ==, "any_number");
  g_assert_cmphex (tag_at (meta, 0)->color, ==, 0x3D0F8A);
  g_assert_cmpstr (tag_at (meta, 0)->applicable_type, ==, "all");
  g_assert_cmpint (sly_project_meta_find_class (meta, "box"), ==, 1);
  g_assert_cmpint (sly_project_meta_find_class (meta, "cat"), ==, -1);
  g_assert_cmpuint (g_strv_length (titles), ==, 2);
  g_assert_cmpstr (titles[1], ==, "box");

  json_object_remove_member (json_node_get_object (expected),
      "projectSettings");
  ann_test_assert_json_equal (expected, written);
}

static const gchar *full_meta =
    "{\"classes\": ["
    "{\"title\": \"person\", \"description\": \"a human\", \"shape\": \"graph\","
    " \"color\": \"#F6FF00\", \"hotkey\": \"p\", \"geometry_config\": "
    "{\"nodes\": {\"nose\": {\"label\": \"nose\", \"loc\": [1, 2], \"color\": "
    "\"#FF0000\"}}, \"edges\": []}},"
    "{\"title\": \"car\", \"description\": \"\", \"shape\": \"bitmap\","
    " \"color\": \"#3E5CFF\", \"hotkey\": \"\", \"geometry_config\": {}}],"
    " \"tags\": ["
    "{\"name\": \"confidence\", \"value_type\": \"any_number\", \"color\": "
    "\"#7C3BE1\", \"hotkey\": \"\", \"applicable_type\": \"all\", \"classes\": "
    "[], \"target_type\": \"all\"},"
    "{\"name\": \"weather\", \"value_type\": \"oneof_string\", \"values\": "
    "[\"sun\", \"rain\"], \"color\": \"#000001\", \"hotkey\": \"w\", "
    "\"applicable_type\": \"imagesOnly\", \"classes\": [], \"target_type\": "
    "\"framesOnly\"},"
    "{\"name\": \"parked\", \"value_type\": \"none\", \"color\": \"#ABCDEF\", "
    "\"hotkey\": \"\", \"applicable_type\": \"objectsOnly\", \"classes\": "
    "[\"car\"], \"target_type\": \"all\"}]}";

static void
test_round_trip (void)
{
  g_autoptr (SlyProjectMeta) meta = parse_ok (full_meta);
  g_autoptr (JsonNode) expected = ann_test_parse (full_meta);
  g_autoptr (JsonNode) written = sly_project_meta_to_json_node (meta);
  SlyTagMeta *weather = tag_at (meta, 1);

  g_assert_cmpstr (weather->values[1], ==, "rain");
  g_assert_null (weather->values[2]);
  g_assert_cmpstr (tag_at (meta, 2)->classes[0], ==, "car");
  g_assert_true (json_node_get_object (class_at (meta,
              0)->geometry_config) != NULL);
  ann_test_assert_json_equal (expected, written);
}

static void
test_build (void)
{
  g_autoptr (SlyProjectMeta) meta = sly_project_meta_new ();
  g_autoptr (SlyProjectMeta) back = NULL;
  g_autofree gchar *text = NULL;

  sly_project_meta_add_class (meta, "ball", "rectangle", 0x8a550f);
  sly_project_meta_add_tag_meta (meta, "confidence", "any_number", 0x3d0f8a);
  text = sly_project_meta_to_json (meta);
  g_assert_nonnull (strstr (text, "\"#8A550F\""));
  back = parse_ok (text);
  g_assert_cmpstr (class_at (back, 0)->title, ==, "ball");
  g_assert_cmphex (tag_at (back, 0)->color, ==, 0x3d0f8a);
}

static void
test_colors (void)
{
  static const gchar *const not_colors[] = { "#0x1234", "#+12345", "# 12345",
    "#12345 ", "#-12345", "#12345g", "#1234567", "abcdef#"
  };
  g_autoptr (SlyProjectMeta) meta = parse_ok ("{\"classes\": ["
      "{\"title\": \"a\", \"shape\": \"any\", \"color\": \"#abcdef\"},"
      "{\"title\": \"b\", \"shape\": \"any\", \"color\": \"red\"},"
      "{\"title\": \"c\", \"shape\": \"any\"}]}");
  g_autoptr (SlyProjectMeta) again = parse_ok ("{\"classes\": ["
      "{\"title\": \"b\", \"shape\": \"any\", \"color\": \"#12345\"}]}");

  g_assert_cmphex (class_at (meta, 0)->color, ==, 0xABCDEF);
  /* invalid or missing colours: a colour derived from the title */
  g_assert_cmphex (class_at (meta, 1)->color, ==, class_at (again, 0)->color);
  g_assert_cmphex (class_at (meta, 2)->color, <=, 0xFFFFFF);
  g_assert_cmpuint (meta->tag_metas->len, ==, 0);

  /* exactly six hex digits: no sign, blank or 0x prefix sneaks in */
  for (guint i = 0; i < G_N_ELEMENTS (not_colors); i++) {
    g_autofree gchar *json = g_strdup_printf ("{\"classes\": [{\"title\": "
        "\"b\", \"shape\": \"any\", \"color\": \"%s\"}]}", not_colors[i]);
    g_autoptr (SlyProjectMeta) bad = parse_ok (json);

    g_assert_cmphex (class_at (bad, 0)->color, ==, class_at (again, 0)->color);
  }
}

/* old metas split tag metas by target; a name in both applies to all */
static void
test_legacy_tags (void)
{
  g_autoptr (SlyProjectMeta) meta = parse_ok ("{\"classes\": [], "
      "\"tags_images\": [{\"name\": \"day\", \"value_type\": \"none\", "
      "\"color\": \"#000000\"}, {\"name\": \"both\", \"value_type\": "
      "\"any_string\", \"color\": \"#000000\"}], "
      "\"tags_objects\": [{\"name\": \"both\", \"value_type\": \"any_string\", "
      "\"color\": \"#000000\"}, {\"name\": \"occluded\", \"value_type\": "
      "\"none\", \"color\": \"#000000\"}]}");

  g_assert_cmpuint (meta->tag_metas->len, ==, 3);
  g_assert_cmpstr (tag_at (meta, 0)->applicable_type, ==, "imagesOnly");
  g_assert_cmpstr (tag_at (meta, 1)->name, ==, "both");
  g_assert_cmpstr (tag_at (meta, 1)->applicable_type, ==, "all");
  g_assert_cmpstr (tag_at (meta, 2)->applicable_type, ==, "objectsOnly");
}

static const gchar *malformed[] = {
  "", "[]", "null", "{}",
  "{\"classes\": {}}",
  "{\"classes\": [5]}",
  "{\"classes\": [{\"shape\": \"any\"}]}",
  "{\"classes\": [{\"title\": \"a\"}]}",
  "{\"classes\": [{\"title\": 1, \"shape\": \"any\"}]}",
  "{\"classes\": [{\"title\": \"a\", \"shape\": \"any\", \"color\": 5}]}",
  "{\"classes\": [{\"title\": \"a\", \"shape\": \"any\", \"hotkey\": 5}]}",
  "{\"classes\": [{\"title\": \"a\", \"shape\": \"any\", "
      "\"geometry_config\": []}]}",
  "{\"classes\": [{\"title\": \"a\", \"shape\": \"any\"}, "
      "{\"title\": \"a\", \"shape\": \"any\"}]}",
  "{\"classes\": [], \"tags\": 5}",
  "{\"classes\": [], \"tags\": [{\"name\": \"t\"}]}",
  "{\"classes\": [], \"tags\": [{\"value_type\": \"none\"}]}",
  "{\"classes\": [], \"tags\": [{\"name\": \"t\", \"value_type\": \"blob\"}]}",
  "{\"classes\": [], \"tags\": [{\"name\": \"t\", \"value_type\": "
      "\"oneof_string\", \"values\": [1]}]}",
  "{\"classes\": [], \"tags\": [{\"name\": \"t\", \"value_type\": "
      "\"none\", \"classes\": \"a\"}]}",
  "{\"classes\": [], \"tags\": [{\"name\": \"t\", \"value_type\": \"none\"},"
      " {\"name\": \"t\", \"value_type\": \"none\"}]}",
  "{\"classes\": [], \"tags\": [], \"tags_images\": []}",
  "{\"classes\": [], \"tags\": [], \"tags_objects\": []}",
  "{\"classes\": [], \"tags_images\": {}}",
  "{\"classes\": [], \"tags_images\": [{\"name\": \"t\", \"value_type\": "
      "\"none\"}], \"tags_objects\": [{\"name\": \"t\", \"value_type\": "
      "\"any_number\"}]}",
};

static void
test_malformed (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (SlyProjectMeta) meta =
        sly_project_meta_from_json (malformed[i], -1, &error);

    if (meta != NULL || error == NULL)
      g_error ("malformed[%u] was accepted: %s", i, malformed[i]);
    g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
    g_test_message ("malformed[%u]: %s", i, error->message);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/project-meta/sample", test_sample);
  g_test_add_func ("/project-meta/round-trip", test_round_trip);
  g_test_add_func ("/project-meta/build", test_build);
  g_test_add_func ("/project-meta/colors", test_colors);
  g_test_add_func ("/project-meta/legacy-tags", test_legacy_tags);
  g_test_add_func ("/project-meta/malformed", test_malformed);
  return g_test_run ();
}
