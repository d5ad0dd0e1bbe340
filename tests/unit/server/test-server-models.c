/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The built-in models answer what the image holds: the test draws shapes,
 * knows their pixels, and checks boxes, confidences, masks and polygons, and
 * the conf and classes filters (protocol.md 4.2, 4.3).
 */
#include "servertestutil.h"

#include <gst/gst.h>
#include <string.h>

/* A white 50x30 rectangle (confidence 1), a white disc of radius 20 and a
 * 2x2 speck below the minimum area. */
typedef struct
{
  SlyImage *image;
  guint disc_area;
} Scene;

#define RECT_L 30
#define RECT_T 40
#define RECT_R 79
#define RECT_B 69
#define DISC_X 200
#define DISC_Y 150
#define DISC_R 20

static Scene
scene_new (void)
{
  Scene s;

  s.image = srv_image_new (320, 240);
  srv_fill_rect (s.image, RECT_L, RECT_T, RECT_R, RECT_B, 255, 255, 255);
  s.disc_area = srv_fill_disc (s.image, DISC_X, DISC_Y, DISC_R, 250, 250, 250);
  srv_fill_rect (s.image, 300, 10, 301, 11, 255, 255, 255);
  return s;
}

static SlyAnnotation *
infer (SlyTestServer * server, GBytes * image, const gchar * state)
{
  g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", image,
      state);

  g_assert_cmpuint (r->status, ==, 200);
  return srv_result_annotation (r->json);
}

static void
test_blob_png (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  Scene s = scene_new ();
  g_autoptr (GBytes) png = srv_png (s.image);
  g_autoptr (SlyAnnotation) ann = infer (server, png,
      "{\"settings\": {\"conf\": 0}}");
  SlyObject *rect, *disc;

  g_assert_cmpint (ann->width, ==, 320);
  g_assert_cmpint (ann->height, ==, 240);
  /* raster order of the first pixel; the speck is below min_area */
  g_assert_cmpuint (ann->objects->len, ==, 2);
  rect = ann->objects->pdata[0];
  disc = ann->objects->pdata[1];
  srv_assert_box (rect, "ball", RECT_L, RECT_T, RECT_R, RECT_B, 0);
  srv_assert_box (disc, "ball", DISC_X - DISC_R, DISC_Y - DISC_R,
      DISC_X + DISC_R, DISC_Y + DISC_R, 0);
  g_assert_cmpfloat (rect->confidence, ==, 1.0);
  g_assert_cmpfloat_with_epsilon (disc->confidence,
      srv_fill_ratio (s.disc_area, 2 * DISC_R + 1, 2 * DISC_R + 1), 1e-9);
  g_assert_nonnull (sly_object_find_tag (disc, "confidence"));
  sly_image_free (s.image);
}

static void
test_blob_jpeg (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  Scene s = scene_new ();
  g_autoptr (GBytes) jpeg = srv_jpeg (s.image, 95);
  g_autoptr (SlyAnnotation) ann = infer (server, jpeg,
      "{\"settings\": {\"conf\": 0}}");

  g_assert_cmpuint (ann->objects->len, ==, 2);
  srv_assert_box (ann->objects->pdata[0], "ball", RECT_L, RECT_T, RECT_R,
      RECT_B, 1);
  srv_assert_box (ann->objects->pdata[1], "ball", DISC_X - DISC_R,
      DISC_Y - DISC_R, DISC_X + DISC_R, DISC_Y + DISC_R, 1);
  sly_image_free (s.image);
}

/* luma = 0.299 R + 0.587 G + 0.114 B >= 128 is bright; 127 is not */
static void
test_blob_threshold (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SlyImage) image = srv_image_new (60, 20);
  g_autoptr (GBytes) png = NULL;
  g_autoptr (SlyAnnotation) ann = NULL;

  srv_fill_rect (image, 2, 2, 11, 11, 127, 127, 127);
  srv_fill_rect (image, 20, 2, 29, 11, 128, 128, 128);
  /* 0.299*0 + 0.587*218 + 0.114*0 = 127.97: dark */
  srv_fill_rect (image, 40, 2, 49, 11, 0, 218, 0);
  png = srv_png (image);
  ann = infer (server, png, NULL);
  g_assert_cmpuint (ann->objects->len, ==, 1);
  srv_assert_box (ann->objects->pdata[0], "ball", 20, 2, 29, 11, 0);
}

static void
test_blob_min_area_and_diagonal (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SlyImage) image = srv_image_new (40, 40);
  g_autoptr (GBytes) png = NULL;
  g_autoptr (SlyAnnotation) ann = NULL;
  gint i;

  /* a diagonal line is one 8-connected component of 12 pixels */
  for (i = 0; i < 12; i++)
    srv_fill_rect (image, 5 + i, 5 + i, 5 + i, 5 + i, 255, 255, 255);
  png = srv_png (image);
  ann = infer (server, png, "{\"settings\": {\"conf\": 0}}");
  g_assert_cmpuint (ann->objects->len, ==, 1);
  srv_assert_box (ann->objects->pdata[0], "ball", 5, 5, 16, 16, 0);
  g_assert_cmpfloat_with_epsilon (((SlyObject *) ann->objects->
          pdata[0])->confidence, srv_fill_ratio (12, 12, 12), 1e-9);

  /* with min_area 13 it is too small */
  g_clear_pointer (&ann, sly_annotation_unref);
  ann = infer (server, png, "{\"settings\": {\"conf\": 0, \"min_area\": 13}}");
  g_assert_cmpuint (ann->objects->len, ==, 0);
}

typedef struct
{
  const gchar *name;
  const gchar *state;
  guint n_objects;              /* 2 = rect and disc, 1 = rect only */
} ConfCase;

static const ConfCase conf_cases[] = {
  {"default", NULL, 2},         /* conf 0.25 from the defaults */
  {"conf-0.9", "{\"settings\": {\"conf\": 0.9}}", 1},
  {"conf-1", "{\"settings\": {\"conf\": 1.0}}", 1},
  {"conf-null", "{\"settings\": {\"conf\": null}}", 2},
  {"alias-only", "{\"settings\": {\"confidence_threshold\": 0.9}}", 1},
  {"conf-wins-over-alias",
      "{\"settings\": {\"conf\": 0.1, \"confidence\": 0.9}}", 2},
  {"settings-field", NULL, 1},  /* legacy "settings" form field */
  {"state-wins", "{\"settings\": {\"conf\": 0.1}}", 2},
  {"empty-state-uses-settings", "{}", 1},
};

static void
test_conf (gconstpointer data)
{
  const ConfCase *c = data;
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  Scene s = scene_new ();
  g_autoptr (GBytes) png = srv_png (s.image);
  SrvFile file = { "frame_000001.png", "image/png", png };
  const gchar *legacy = NULL;
  g_autoptr (SrvReply) r = NULL;
  g_autoptr (SlyAnnotation) ann = NULL;

  if (g_str_has_prefix (c->name, "settings-") || g_str_has_prefix (c->name,
          "state-wins") || g_str_has_prefix (c->name, "empty-state"))
    legacy = "{\"settings\": {\"conf\": 0.9}}";
  r = srv_post_files (server, "/inference_image", &file, 1, c->state, legacy);
  g_assert_cmpuint (r->status, ==, 200);
  ann = srv_result_annotation (r->json);
  g_assert_cmpuint (ann->objects->len, ==, c->n_objects);
  srv_assert_box (ann->objects->pdata[0], "ball", RECT_L, RECT_T, RECT_R,
      RECT_B, 0);
  sly_image_free (s.image);
}

/* red 10x10, green disc, blue 20x5, and a pale red that is not saturated */
static GBytes *
color_scene (guint * green_area)
{
  g_autoptr (SlyImage) image = srv_image_new (120, 80);

  srv_fill_rect (image, 5, 5, 14, 14, 150, 100, 100);
  *green_area = srv_fill_disc (image, 60, 40, 8, 10, 200, 30);
  srv_fill_rect (image, 90, 60, 109, 64, 0, 0, 255);
  srv_fill_rect (image, 90, 5, 99, 14, 149, 100, 100);
  return srv_png (image);
}

static void
test_color_classes (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--model",
      "color-detector", NULL);
  guint green_area;
  g_autoptr (GBytes) png = color_scene (&green_area);
  g_autoptr (SlyAnnotation) all = infer (server, png,
      "{\"settings\": {\"classes\": \"all\"}}");
  g_autoptr (SlyAnnotation) green = infer (server, png,
      "{\"settings\": {\"classes\": [\"green\"]}}");
  g_autoptr (SlyAnnotation) none = infer (server, png,
      "{\"settings\": {\"classes\": []}}");
  g_autoptr (SlyAnnotation) two = infer (server, png,
      "{\"settings\": {\"classes\": [\"blue\", \"red\", \"Green\"]}}");

  /* model class order: red, green, blue */
  g_assert_cmpuint (all->objects->len, ==, 3);
  srv_assert_box (all->objects->pdata[0], "red", 5, 5, 14, 14, 0);
  srv_assert_box (all->objects->pdata[1], "green", 52, 32, 68, 48, 0);
  srv_assert_box (all->objects->pdata[2], "blue", 90, 60, 109, 64, 0);
  g_assert_cmpfloat_with_epsilon (((SlyObject *) all->objects->
          pdata[1])->confidence, srv_fill_ratio (green_area, 17, 17), 1e-9);

  g_assert_cmpuint (green->objects->len, ==, 1);
  srv_assert_box (green->objects->pdata[0], "green", 52, 32, 68, 48, 0);
  g_assert_cmpuint (none->objects->len, ==, 0);
  /* titles are case-sensitive */
  g_assert_cmpuint (two->objects->len, ==, 2);
  srv_assert_box (two->objects->pdata[0], "red", 5, 5, 14, 14, 0);
  srv_assert_box (two->objects->pdata[1], "blue", 90, 60, 109, 64, 0);
}

static void
test_segmenter (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--model",
      "blob-segmenter", NULL);
  g_autoptr (SlyImage) image = srv_image_new (80, 60);
  g_autoptr (GBytes) png = NULL;
  g_autoptr (SlyAnnotation) ann = NULL;
  g_autoptr (SlyAnnotation) masks_only = NULL;
  g_autoptr (GError) error = NULL;
  SlyObject *bitmap, *polygon;
  const SlyMask *mask;
  guint area;
  gint x, y;
  guint i;

  area = srv_fill_disc (image, 30, 25, 9, 255, 255, 255);
  png = srv_png (image);
  ann = infer (server, png, NULL);

  /* one bitmap, then one polygon, per blob */
  g_assert_cmpuint (ann->objects->len, ==, 2);
  bitmap = ann->objects->pdata[0];
  polygon = ann->objects->pdata[1];
  g_assert_cmpint (bitmap->geometry->type, ==, SLY_GEOMETRY_BITMAP);
  g_assert_cmpint (polygon->geometry->type, ==, SLY_GEOMETRY_POLYGON);
  srv_assert_box (bitmap, "ball", 21, 16, 39, 34, 0);
  srv_assert_box (polygon, "ball", 21, 16, 39, 34, 0);
  g_assert_cmpfloat_with_epsilon (bitmap->confidence,
      srv_fill_ratio (area, 19, 19), 1e-9);

  /* the mask is exactly the disc */
  mask = sly_geometry_get_mask (bitmap->geometry, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mask->origin_x, ==, 21);
  g_assert_cmpint (mask->origin_y, ==, 16);
  for (y = 0; y < mask->height; y++)
    for (x = 0; x < mask->width; x++) {
      gint dx = x + mask->origin_x - 30, dy = y + mask->origin_y - 25;
      gboolean inside = dx * dx + dy * dy <= 81;

      g_assert_cmpint (mask->data[y * mask->width + x] != 0, ==, inside);
    }

  /* polygon: the convex hull, so every vertex is a disc pixel */
  g_assert_cmpuint (polygon->geometry->contour.exterior->len, >=, 8);
  for (i = 0; i < polygon->geometry->contour.exterior->len; i++) {
    SlyPoint p = g_array_index (polygon->geometry->contour.exterior,
        SlyPoint, i);

    g_assert_cmpint ((p.x - 30) * (p.x - 30) + (p.y - 25) * (p.y - 25), <=, 81);
  }

  masks_only =
      infer (server, png, "{\"settings\": {\"geometry\": \"bitmap\"}}");
  g_assert_cmpuint (masks_only->objects->len, ==, 1);
  g_assert_cmpint (((SlyObject *) masks_only->objects->pdata[0])->
      geometry->type, ==, SLY_GEOMETRY_BITMAP);
}

static void
test_batch_order (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GPtrArray) images = g_ptr_array_new_with_free_func
      ((GDestroyNotify) g_bytes_unref);
  SrvFile files[3];
  g_autoptr (SrvReply) r = NULL;
  JsonArray *arr;
  guint i;

  for (i = 0; i < 3; i++) {
    g_autoptr (SlyImage) image = srv_image_new (50, 50);

    srv_fill_rect (image, 10 * i, 5, 10 * i + 9, 14, 255, 255, 255);
    g_ptr_array_add (images, srv_png (image));
    files[i].filename = i == 0 ? "a.png" : i == 1 ? "b.png" : "c.png";
    files[i].content_type = "image/png";
    files[i].data = images->pdata[i];
  }
  r = srv_post_files (server, "/inference_batch", files, 3,
      "{\"settings\": {}, \"batch_size\": 2}", NULL);
  arr = srv_reply_array (r);
  g_assert_cmpuint (json_array_get_length (arr), ==, 3);
  for (i = 0; i < 3; i++) {
    g_autoptr (SlyAnnotation) ann =
        srv_result_annotation (json_array_get_element (arr, i));
    JsonObject *item = json_array_get_object_element (arr, i);

    g_assert_true (json_node_is_null (json_object_get_member (item,
                "frame_index")));
    g_assert_cmpuint (ann->objects->len, ==, 1);
    srv_assert_box (ann->objects->pdata[0], "ball", 10 * i, 5, 10 * i + 9,
        14, 0);
  }
}

/* The first frame of videotestsrc pattern=ball: a white disc on black. */
static void
test_videotestsrc_ball (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GError) error = NULL;
  GstElement *pipeline;
  GstElement *sink;
  GstSample *sample = NULL;
  GstMapInfo map;
  g_autoptr (SlyImage) image = sly_image_new (320, 240, 3);
  g_autoptr (GBytes) png = NULL;
  g_autoptr (SlyAnnotation) ann = NULL;
  gint x, y, l = 320, t = 240, r = -1, b = -1;

  gst_init (NULL, NULL);
  pipeline = gst_parse_launch ("videotestsrc pattern=ball num-buffers=1 ! "
      "video/x-raw,format=RGB,width=320,height=240 ! appsink name=sink",
      &error);
  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_signal_emit_by_name (sink, "pull-sample", &sample);
  g_assert_nonnull (sample);
  gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
  /* RGB rows of 320 * 3 bytes: already 4-byte aligned */
  for (y = 0; y < 240; y++) {
    memcpy (image->data + y * image->stride, map.data + y * 960, 960);
    for (x = 0; x < 320; x++) {
      const guint8 *p = map.data + y * 960 + x * 3;

      if (299 * p[0] + 587 * p[1] + 114 * p[2] >= 128000) {
        l = MIN (l, x);
        r = MAX (r, x);
        t = MIN (t, y);
        b = MAX (b, y);
      }
    }
  }
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
  gst_sample_unref (sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);

  /* a ball of a few dozen pixels across */
  g_assert_cmpint (r - l, >, 10);
  g_assert_cmpint (b - t, >, 10);
  png = srv_png (image);
  ann = infer (server, png, NULL);
  g_assert_cmpuint (ann->objects->len, ==, 1);
  srv_assert_box (ann->objects->pdata[0], "ball", l, t, r, b, 0);
  g_assert_cmpfloat (((SlyObject *) ann->objects->pdata[0])->confidence, >,
      0.7);
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/models/blob-png", test_blob_png);
  g_test_add_func ("/server/models/blob-jpeg", test_blob_jpeg);
  g_test_add_func ("/server/models/blob-threshold", test_blob_threshold);
  g_test_add_func ("/server/models/blob-min-area-diagonal",
      test_blob_min_area_and_diagonal);
  for (i = 0; i < G_N_ELEMENTS (conf_cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/server/models/conf/%s",
        conf_cases[i].name);
    g_test_add_data_func (path, &conf_cases[i], test_conf);
  }
  g_test_add_func ("/server/models/color-classes", test_color_classes);
  g_test_add_func ("/server/models/segmenter", test_segmenter);
  g_test_add_func ("/server/models/batch-order", test_batch_order);
  g_test_add_func ("/server/models/videotestsrc-ball", test_videotestsrc_ball);
  return g_test_run ();
}
