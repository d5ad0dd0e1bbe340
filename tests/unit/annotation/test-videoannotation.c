/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Video annotation (protocol.md section 9): builder, writer, reader. */
#include <string.h>

#include "anntestutil.h"
#include "slyerror.h"
#include "slyvideoannotation.h"

static void
add_box (SlyAnnotation * ann, const gchar * cls, gint x, gint64 track_id)
{
  SlyObject *obj = sly_annotation_add_object (ann, cls,
      sly_geometry_new_rectangle (x, 10, x + 9, 19), 0.8);

  obj->track_id = track_id;
  ann->has_track_ids = ann->has_track_ids || track_id > 0;
}

static gboolean
is_hex_key (const gchar * key)
{
  if (strlen (key) != 32)
    return FALSE;
  for (const gchar * p = key; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* frame 0: tracks 1 (person) and 2 (car); frame 1: track 1 and an
 * untracked dog; frame 2: nothing; frame 4: track 2 seen as "truck" (the
 * object keeps the class of its first sight) */
static SlyVideoAnnotation *
build (void)
{
  SlyVideoAnnotation *va = sly_video_annotation_new (320, 240);
  SlyAnnotation *f[4];

  for (guint i = 0; i < 4; i++)
    f[i] = sly_annotation_new (320, 240);
  add_box (f[0], "person", 0, 1);
  add_box (f[0], "car", 100, 2);
  add_box (f[1], "person", 5, 1);
  add_box (f[1], "dog", 200, 0);
  add_box (f[3], "truck", 150, 2);
  sly_video_annotation_add_frame (va, 0, f[0]);
  sly_video_annotation_add_frame (va, 1, f[1]);
  sly_video_annotation_add_frame (va, 2, f[2]);
  sly_video_annotation_add_frame (va, 4, f[3]);
  for (guint i = 0; i < 4; i++)
    sly_annotation_unref (f[i]);
  return va;
}

static const SlyVideoObject *
object_of (const SlyVideoAnnotation * va, const SlyVideoFigure * fig)
{
  g_assert_cmpuint (fig->object_index, <, va->objects->len);
  return g_ptr_array_index (va->objects, fig->object_index);
}

static const SlyVideoFigure *
figure_at (const SlyVideoAnnotation * va, gint frame, guint i)
{
  const SlyVideoFrame *f = sly_video_annotation_get_frame (va, frame);

  g_assert_nonnull (f);
  g_assert_cmpuint (i, <, f->figures->len);
  return g_ptr_array_index (f->figures, i);
}

static void
check_built (const SlyVideoAnnotation * va)
{
  const SlyVideoObject *person, *car, *dog;
  SlyBox box;

  g_assert_cmpint (va->width, ==, 320);
  g_assert_cmpint (va->height, ==, 240);
  g_assert_cmpint (va->frames_count, ==, 5);
  g_assert_cmpuint (va->objects->len, ==, 3);
  g_assert_cmpuint (va->frames->len, ==, 4);
  g_assert_true (is_hex_key (va->key));
  g_assert_null (sly_video_annotation_get_frame (va, 3));
  g_assert_cmpuint (sly_video_annotation_get_frame (va, 2)->figures->len, ==,
      0);

  person = object_of (va, figure_at (va, 0, 0));
  car = object_of (va, figure_at (va, 0, 1));
  dog = object_of (va, figure_at (va, 1, 1));
  g_assert_true (person == object_of (va, figure_at (va, 1, 0)));
  g_assert_true (car == object_of (va, figure_at (va, 4, 0)));
  g_assert_true (person != car && dog != person && dog != car);
  g_assert_cmpstr (person->class_title, ==, "person");
  g_assert_cmpstr (car->class_title, ==, "car");
  g_assert_cmpstr (dog->class_title, ==, "dog");
  g_assert_cmpint (person->track_id, ==, 1);
  g_assert_cmpint (car->track_id, ==, 2);
  g_assert_cmpint (dog->track_id, ==, 0);
  g_assert_true (is_hex_key (person->key) && is_hex_key (car->key));
  g_assert_cmpstr (person->key, !=, car->key);

  g_assert_cmpstr (figure_at (va, 1, 0)->track_id, ==, "1");
  g_assert_cmpstr (figure_at (va, 4, 0)->track_id, ==, "2");
  g_assert_null (figure_at (va, 1, 1)->track_id);
  box = sly_geometry_get_bbox (figure_at (va, 4, 0)->geometry);
  g_assert_cmpint (box.left, ==, 150);
  g_assert_cmpint (box.right, ==, 159);
  g_assert_true (is_hex_key (figure_at (va, 0, 1)->key));
}

static void
test_builder_round_trip (void)
{
  g_autoptr (SlyVideoAnnotation) va = build ();
  g_autofree gchar *text = sly_video_annotation_to_json (va);
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyVideoAnnotation) back =
      sly_video_annotation_from_json (text, -1, &error);
  g_autoptr (JsonNode) first = NULL;
  g_autoptr (JsonNode) second = NULL;

  g_assert_no_error (error);
  check_built (va);
  check_built (back);
  g_assert_cmpstr (back->key, ==, va->key);

  first = sly_video_annotation_to_json_node (va);
  second = sly_video_annotation_to_json_node (back);
  ann_test_assert_json_equal (first, second);
}

/* the reader continues the tracks it read */
static void
test_continue_after_read (void)
{
  g_autoptr (SlyVideoAnnotation) va = build ();
  g_autofree gchar *text = sly_video_annotation_to_json (va);
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyVideoAnnotation) back =
      sly_video_annotation_from_json (text, -1, &error);
  g_autoptr (SlyAnnotation) more = sly_annotation_new (320, 240);

  g_assert_no_error (error);
  add_box (more, "person", 7, 1);
  sly_video_annotation_add_frame (back, 9, more);
  g_assert_cmpuint (back->objects->len, ==, 3);
  g_assert_cmpint (back->frames_count, ==, 10);
  g_assert_cmpstr (object_of (back, figure_at (back, 9, 0))->class_title, ==,
      "person");
  sly_video_annotation_set_frames_count (back, 3);
  g_assert_cmpint (back->frames_count, ==, 10);
  sly_video_annotation_set_frames_count (back, 300);
  g_assert_cmpint (back->frames_count, ==, 300);
}

/* the example of protocol.md section 9, with a numeric trackId */
static void
test_protocol_example (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyVideoAnnotation) va =
      sly_video_annotation_from_json
      ("{\"size\": {\"height\": 720, \"width\": 1280}, \"description\": \"\","
      " \"key\": \"3f2a0c9d-8e7b-4a61-b5c4-d3e2f1a09876\", \"tags\": [],"
      " \"objects\": [{\"key\": \"a1\", \"classTitle\": \"person\", "
      "\"tags\": []}, {\"key\": \"b2\", \"classTitle\": \"car\", \"id\": 5}],"
      " \"frames\": [{\"index\": 0, \"figures\": [{\"key\": \"f1\", "
      "\"objectKey\": \"a1\", \"geometryType\": \"rectangle\", \"geometry\": "
      "{\"points\": {\"exterior\": [[100, 40], [219, 399]], \"interior\": "
      "[]}}, \"nnCreated\": true, \"nnUpdated\": true, \"trackId\": 4},"
      " {\"key\": \"f2\", \"objectKey\": \"b2\", \"geometryType\": "
      "\"cuboid_3d\", \"geometry\": {}}]}, {\"index\": 1, \"figures\": []}],"
      " \"framesCount\": 300}", -1, &error);
  const SlyVideoFigure *fig;

  g_assert_no_error (error);
  g_assert_cmpint (va->frames_count, ==, 300);
  g_assert_cmpstr (va->key, ==, "3f2a0c9d-8e7b-4a61-b5c4-d3e2f1a09876");
  g_assert_cmpuint (va->objects->len, ==, 2);
  g_assert_cmpuint (sly_video_annotation_get_frame (va, 0)->figures->len, ==,
      1);
  fig = figure_at (va, 0, 0);
  g_assert_cmpstr (fig->track_id, ==, "4");
  g_assert_cmpint (object_of (va, fig)->track_id, ==, 4);
  g_assert_cmpint (sly_geometry_get_bbox (fig->geometry).bottom, ==, 399);
}

#define VA(objects, frames) "{\"size\": {\"height\": 10, \"width\": 10}, " \
    "\"framesCount\": 5, \"objects\": " objects ", \"frames\": " frames "}"
#define OBJS "[{\"key\": \"a\", \"classTitle\": \"x\"}]"
#define FIG(f) VA (OBJS, "[{\"index\": 0, \"figures\": [" f "]}]")
#define GEOM "\"geometry\": {\"points\": {\"exterior\": [[1, 1]]}}"

static const gchar *malformed[] = {
  "", "[]", "{}",
  "{\"size\": {\"height\": 10, \"width\": 10}, \"objects\": [], "
      "\"frames\": []}",
  "{\"framesCount\": 5, \"objects\": [], \"frames\": []}",
  VA ("{}", "[]"),
  VA ("[5]", "[]"),
  VA ("[{\"key\": \"a\"}]", "[]"),
  VA ("[{\"classTitle\": \"x\"}]", "[]"),
  VA ("[{\"key\": \"a\", \"classTitle\": \"x\"}, {\"key\": \"a\", "
      "\"classTitle\": \"y\"}]", "[]"),
  VA (OBJS, "{}"),
  VA (OBJS, "[5]"),
  VA (OBJS, "[{\"figures\": []}]"),
  VA (OBJS, "[{\"index\": 6, \"figures\": []}]"),
  VA (OBJS, "[{\"index\": -1, \"figures\": []}]"),
  VA (OBJS, "[{\"index\": \"0\", \"figures\": []}]"),
  VA (OBJS, "[{\"index\": 0}]"),
  VA (OBJS, "[{\"index\": 0, \"figures\": {}}]"),
  FIG ("5"),
  FIG ("{\"objectKey\": \"zz\", \"geometryType\": \"point\", " GEOM "}"),
  FIG ("{\"geometryType\": \"point\", " GEOM "}"),
  FIG ("{\"objectKey\": \"a\", " GEOM "}"),
  FIG ("{\"objectKey\": \"a\", \"geometryType\": \"point\"}"),
  FIG ("{\"objectKey\": \"a\", \"geometryType\": \"point\", "
      "\"geometry\": 5}"),
  FIG ("{\"objectKey\": \"a\", \"geometryType\": \"point\", "
      "\"geometry\": {\"points\": {\"exterior\": []}}}"),
  FIG ("{\"objectKey\": \"a\", \"geometryType\": \"point\", " GEOM
      ", \"trackId\": [1]}"),
};

static void
test_malformed (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (SlyVideoAnnotation) va =
        sly_video_annotation_from_json (malformed[i], -1, &error);

    if (va != NULL || error == NULL)
      g_error ("malformed[%u] was accepted: %s", i, malformed[i]);
    g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
    g_test_message ("malformed[%u]: %s", i, error->message);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/video-annotation/builder-round-trip",
      test_builder_round_trip);
  g_test_add_func ("/video-annotation/continue-after-read",
      test_continue_after_read);
  g_test_add_func ("/video-annotation/protocol-example", test_protocol_example);
  g_test_add_func ("/video-annotation/malformed", test_malformed);
  return g_test_run ();
}
