/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the model runs (protocol.md 4.4): a region ("rectangle",
 * "rectangles") is cropped before the model and its geometries come back in
 * full-image coordinates; sliding windows find every small disc once; the
 * blob classifier tags an image as the test computes from the pixels it drew.
 * The size of the image the model ran on is read back from the answer's
 * X-Sly-Image-Size header and from debug_inferred_images.
 */
#include "servertestutil.h"

#include <string.h>

#include "slyprojectmeta.h"

#define W 640
#define H 480
#define DISC_X 400
#define DISC_Y 300
#define DISC_R 15

static GBytes *
disc_png (void)
{
  g_autoptr (SlyImage) image = srv_image_new (W, H);

  srv_fill_disc (image, DISC_X, DISC_Y, DISC_R, 255, 255, 255);
  return srv_png (image);
}

static SlyAnnotation *
infer_ok (SlyTestServer * server, GBytes * png, const gchar * state,
    const gchar * expect_size)
{
  g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
      state);
  SlyAnnotation *ann;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (r->headers,
          "X-Sly-Image-Size"), ==, expect_size);
  ann = srv_result_annotation (r->json);
  /* the annotation is about the whole image */
  g_assert_cmpint (ann->width, ==, W);
  g_assert_cmpint (ann->height, ==, H);
  return ann;
}

/* The last image of debug_inferred_images has this size. */
static void
assert_last_inferred (SlyTestServer * server, const gchar * method,
    gint width, gint height, gint64 total)
{
  g_autoptr (SrvReply) r = srv_get (server, "/debug_inferred_images");
  JsonObject *obj = srv_reply_object (r);
  JsonArray *images = json_object_get_array_member (obj, "images");
  JsonObject *last;

  g_assert_cmpint (srv_get_int (obj, "total"), ==, total);
  g_assert_cmpuint (json_array_get_length (images), ==, total);
  last = json_array_get_object_element (images, total - 1);
  g_assert_cmpstr (srv_get_string (last, "method"), ==, method);
  g_assert_cmpint (srv_get_int (last, "width"), ==, width);
  g_assert_cmpint (srv_get_int (last, "height"), ==, height);
}

static void
test_rectangle (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GBytes) png = disc_png ();
  g_autoptr (SlyAnnotation) full = infer_ok (server, png, NULL, "640x480");
  g_autoptr (SlyAnnotation) covering = NULL;
  g_autoptr (SlyAnnotation) as_list = NULL;
  g_autoptr (SlyAnnotation) in_state = NULL;
  g_autoptr (SlyAnnotation) missing = NULL;

  g_assert_cmpuint (full->objects->len, ==, 1);
  assert_last_inferred (server, "inference_image", W, H, 1);

  /* a region around the disc, as the geometry of protocol.md 6.4: columns
   * 350..469, rows 260..339 (corners in any order) */
  covering = infer_ok (server, png, "{\"settings\": {\"rectangle\": "
      "{\"points\": {\"exterior\": [[469, 339], [350, 260]], \"interior\": "
      "[]}}}}", "120x80");
  g_assert_cmpuint (covering->objects->len, ==, 1);
  srv_assert_box (covering->objects->pdata[0], "ball", DISC_X - DISC_R,
      DISC_Y - DISC_R, DISC_X + DISC_R, DISC_Y + DISC_R, 0);
  g_assert_cmpfloat (((SlyObject *) covering->objects->pdata[0])->confidence,
      ==, ((SlyObject *) full->objects->pdata[0])->confidence);
  assert_last_inferred (server, "inference_image", 120, 80, 2);

  /* the same region as [top, left, bottom, right] */
  as_list = infer_ok (server, png, "{\"settings\": {\"rectangle\": "
      "[260, 350, 339, 469]}}", "120x80");
  g_assert_cmpuint (as_list->objects->len, ==, 1);
  srv_assert_box (as_list->objects->pdata[0], "ball", DISC_X - DISC_R,
      DISC_Y - DISC_R, DISC_X + DISC_R, DISC_Y + DISC_R, 0);

  /* state.rectangle is copied into the settings (4.2 step 2) */
  in_state = infer_ok (server, png, "{\"rectangle\": [260, 350, 339, 469]}",
      "120x80");
  g_assert_cmpuint (in_state->objects->len, ==, 1);

  /* a region away from the disc: nothing, and only the region was run */
  missing = infer_ok (server, png, "{\"settings\": {\"rectangle\": "
      "[0, 0, 99, 199]}}", "200x100");
  g_assert_cmpuint (missing->objects->len, ==, 0);
  assert_last_inferred (server, "inference_image", 200, 100, 5);
}

static void
test_rectangle_clipped (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GBytes) png = disc_png ();
  g_autoptr (SlyAnnotation) half = NULL;
  g_autoptr (SlyAnnotation) outside = NULL;

  /* rows 300..1000 of a 480-row image: 180 rows, the lower half of the disc
   * (rows 300..315) */
  half = infer_ok (server, png, "{\"settings\": {\"rectangle\": "
      "[300, 300, 1000, 499]}}", "200x180");
  g_assert_cmpuint (half->objects->len, ==, 1);
  srv_assert_box (half->objects->pdata[0], "ball", DISC_X - DISC_R, DISC_Y,
      DISC_X + DISC_R, DISC_Y + DISC_R, 0);

  outside = infer_ok (server, png, "{\"settings\": {\"rectangle\": "
      "[500, 700, 600, 800]}}", "0x0");
  g_assert_cmpuint (outside->objects->len, ==, 0);
}

static void
test_rectangle_invalid (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GBytes) png = disc_png ();
  static const gchar *const bad[] = {
    "{\"settings\": {\"rectangle\": [1, 2, 3]}}",
    "{\"settings\": {\"rectangle\": \"0,0,10,10\"}}",
    "{\"settings\": {\"rectangle\": {\"points\": {\"exterior\": [[1, 2]]}}}}",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
        bad[i]);

    srv_assert_error (r, 400, "settings.rectangle must be");
  }
}

static void
test_rectangles (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GBytes) png = disc_png ();
  SrvFile files[2] = {
    {"a.png", "image/png", png},
    {"b.png", "image/png", png},
  };
  g_autoptr (SrvReply) r = srv_post_files (server, "/inference_batch", files,
      2, "{\"settings\": {\"rectangles\": [[260, 350, 339, 469], "
      "{\"points\": {\"exterior\": [[0, 0], [99, 49]]}}]}}", NULL);
  g_autoptr (SrvReply) mismatch = srv_post_files (server, "/inference_batch",
      files, 2, "{\"settings\": {\"rectangles\": [[0, 0, 9, 9]]}}", NULL);
  g_autoptr (SlyAnnotation) first = NULL;
  g_autoptr (SlyAnnotation) second = NULL;
  JsonArray *arr = srv_reply_array (r);

  /* one region per image, in order */
  g_assert_cmpuint (json_array_get_length (arr), ==, 2);
  g_assert_cmpstr (soup_message_headers_get_one (r->headers,
          "X-Sly-Image-Size"), ==, "120x80, 100x50");
  first = srv_result_annotation (json_array_get_element (arr, 0));
  second = srv_result_annotation (json_array_get_element (arr, 1));
  g_assert_cmpuint (first->objects->len, ==, 1);
  srv_assert_box (first->objects->pdata[0], "ball", DISC_X - DISC_R,
      DISC_Y - DISC_R, DISC_X + DISC_R, DISC_Y + DISC_R, 0);
  g_assert_cmpuint (second->objects->len, ==, 0);
  g_assert_cmpint (second->width, ==, W);
  assert_last_inferred (server, "inference_batch", 100, 50, 2);

  srv_assert_error (mismatch, 400, "settings.rectangles has 1 regions for 2 "
      "images");
}

/* ---- sliding windows ---- */

#define BIG_W 1920
#define BIG_H 1080
#define SMALL_R 6

/* Windows of 640x480 with overlaps of 64: columns start at 0, 576, 1152,
 * 1280 and rows at 0, 416, 600 (the last ones shifted to fit). Discs in the
 * middle of a window, across the border of two windows (in their overlap),
 * at the corner of four, and near the image's edges. */
static const SlyPoint discs[] = {
  {300, 200},                   /* one window */
  {608, 200},                   /* overlap of columns 0 and 576 */
  {608, 448},                   /* overlap of four windows */
  {1200, 700},                  /* columns 1152 and 1280, rows 600 */
  {1900, 1060},                 /* the last window, near the corner */
  {10, 1070},                   /* bottom left */
  {960, 540},                   /* middle */
  {1250, 450},                  /* rows 416 and 600, three columns */
};

static GBytes *
discs_png (void)
{
  g_autoptr (SlyImage) image = srv_image_new (BIG_W, BIG_H);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (discs); i++)
    srv_fill_disc (image, discs[i].x, discs[i].y, SMALL_R, 255, 255, 255);
  return srv_png (image);
}

static gboolean
disc_found_once (SlyAnnotation * ann, const SlyPoint * d)
{
  guint i, n = 0;

  for (i = 0; i < ann->objects->len; i++) {
    SlyBox b = sly_geometry_get_bbox (((SlyObject *)
            ann->objects->pdata[i])->geometry);

    if (b.left == d->x - SMALL_R && b.top == d->y - SMALL_R
        && b.right == d->x + SMALL_R && b.bottom == d->y + SMALL_R)
      n++;
  }
  return n == 1;
}

#define SW_SETTINGS "\"inference_mode\": \"sliding_window\", " \
  "\"sliding_window_params\": {\"windowHeight\": 480, \"windowWidth\": 640, " \
  "\"overlapY\": 64, \"overlapX\": 64, \"borderStrategy\": \"shift_window\"}"

static void
test_sliding_window (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GBytes) png = discs_png ();
  g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
      "{\"settings\": {" SW_SETTINGS "}}");
  g_autoptr (SlyAnnotation) ann = NULL;
  JsonObject *data;
  JsonArray *slides, *all_labels, *merged_labels;
  guint i, n_slides;

  g_assert_cmpuint (r->status, ==, 200);
  ann = srv_result_annotation (r->json);
  g_assert_cmpint (ann->width, ==, BIG_W);
  g_assert_cmpint (ann->height, ==, BIG_H);
  /* every disc once, with its exact box in image coordinates */
  g_assert_cmpuint (ann->objects->len, ==, G_N_ELEMENTS (discs));
  for (i = 0; i < G_N_ELEMENTS (discs); i++)
    g_assert_true (disc_found_once (ann, &discs[i]));

  /* the windows were really used: 4 x 3 windows, then all their objects,
   * then the merged ones; discs in overlaps were seen more than once */
  data = json_object_get_object_member (json_node_get_object (r->json), "data");
  slides = json_object_get_array_member (data, "slides");
  n_slides = json_array_get_length (slides);
  g_assert_cmpuint (n_slides, ==, 12 + 2);
  all_labels = json_object_get_array_member (json_array_get_object_element
      (slides, n_slides - 2), "labels");
  merged_labels = json_object_get_array_member (json_array_get_object_element
      (slides, n_slides - 1), "labels");
  g_assert_cmpuint (json_array_get_length (all_labels), >,
      G_N_ELEMENTS (discs) + 4);
  g_assert_cmpuint (json_array_get_length (merged_labels), ==,
      G_N_ELEMENTS (discs));
  /* the model ran on the whole image, window by window */
  g_assert_cmpstr (soup_message_headers_get_one (r->headers,
          "X-Sly-Image-Size"), ==, "1920x1080");
}

/* Discs that a window border cuts: the whole disc of the window that holds
 * it wins over the pieces of the others. */
static void
test_sliding_window_cut (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SlyImage) image = srv_image_new (BIG_W, BIG_H);
  g_autoptr (GBytes) png = NULL;
  g_autoptr (SrvReply) r = NULL;
  g_autoptr (SlyAnnotation) ann = NULL;
  /* centred on the right edge of window column 0 (639) and on the top edge
   * of row 416: pieces in one window, whole in another */
  static const SlyPoint cut[] = { {639, 100}, {100, 416}, {1152, 300} };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cut); i++)
    srv_fill_disc (image, cut[i].x, cut[i].y, SMALL_R, 255, 255, 255);
  png = srv_png (image);
  r = srv_post_image (server, "/inference_image", png,
      "{\"settings\": {\"conf\": 0, " SW_SETTINGS "}}");
  g_assert_cmpuint (r->status, ==, 200);
  ann = srv_result_annotation (r->json);
  g_assert_cmpuint (ann->objects->len, ==, G_N_ELEMENTS (cut));
  for (i = 0; i < G_N_ELEMENTS (cut); i++)
    g_assert_true (disc_found_once (ann, &cut[i]));
}

/* Windows inside a region: coordinates stay those of the image. */
static void
test_sliding_window_in_region (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GBytes) png = discs_png ();
  g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
      "{\"settings\": {\"rectangle\": [100, 500, 799, 1399], "
      "\"inference_mode\": \"sliding_window\", \"sliding_window_params\": "
      "{\"windowHeight\": 300, \"windowWidth\": 300, \"overlapY\": 40, "
      "\"overlapX\": 40}}}");
  g_autoptr (SlyAnnotation) ann = NULL;
  guint i, inside = 0;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (r->headers,
          "X-Sly-Image-Size"), ==, "900x700");
  ann = srv_result_annotation (r->json);
  for (i = 0; i < G_N_ELEMENTS (discs); i++) {
    if (discs[i].x - SMALL_R < 500 || discs[i].x + SMALL_R > 1399
        || discs[i].y - SMALL_R < 100 || discs[i].y + SMALL_R > 799)
      continue;
    inside++;
    g_assert_true (disc_found_once (ann, &discs[i]));
  }
  g_assert_cmpuint (inside, ==, 5);
  g_assert_cmpuint (ann->objects->len, ==, inside);
}

static void
test_sliding_window_support (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SlyTestServer) none = sly_test_server_start
      ("--no-sliding-window", NULL);
  g_autoptr (SrvReply) info = srv_post_json (server, "/get_session_info",
      "{}", NULL);
  g_autoptr (SrvReply) info_none = srv_post_json (none, "/get_session_info",
      "{}", NULL);
  g_autoptr (GBytes) png = discs_png ();
  g_autoptr (SrvReply) r = srv_post_image (none, "/inference_image", png,
      "{\"settings\": {" SW_SETTINGS "}}");
  g_autoptr (SrvReply) bad = srv_post_image (server, "/inference_image", png,
      "{\"settings\": {\"inference_mode\": \"sliding_window\", "
      "\"sliding_window_params\": {\"windowHeight\": 100, "
      "\"overlapY\": 100}}}");
  g_autoptr (SlyAnnotation) ann = NULL;
  JsonObject *data;

  g_assert_cmpstr (srv_get_string (srv_reply_object (info),
          "sliding_window_support"), ==, "basic");
  g_assert_cmpstr (srv_get_string (srv_reply_object (info_none),
          "sliding_window_support"), ==, "none");

  /* an app without sliding windows runs the full image (as the SDK) */
  g_assert_cmpuint (r->status, ==, 200);
  ann = srv_result_annotation (r->json);
  g_assert_cmpuint (ann->objects->len, ==, G_N_ELEMENTS (discs));
  data = json_object_get_object_member (json_node_get_object (r->json), "data");
  g_assert_cmpuint (json_object_get_size (data), ==, 0);

  srv_assert_error (bad, 400, "overlap is too high");

  {
    /* 1920 x 1080 windows of 10 x 10: too many for one image */
    g_autoptr (SrvReply) many = srv_post_image (server, "/inference_image",
        png, "{\"settings\": {\"inference_mode\": \"sliding_window\", "
        "\"sliding_window_params\": {\"windowHeight\": 10, "
        "\"windowWidth\": 10}}}");

    srv_assert_error (many, 400, "Sliding window: 20736 windows for one "
        "image, more than 4096");
  }
}

/* Masks and polygons of the segmenter come back from the windows into
 * image coordinates too: one bitmap and one polygon per disc, the bitmap
 * being exactly the disc's pixels. */
static void
test_sliding_window_segmenter (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--model",
      "blob-segmenter", NULL);
  g_autoptr (GBytes) png = discs_png ();
  g_autoptr (SrvReply) r = srv_post_image (server, "/inference_image", png,
      "{\"settings\": {" SW_SETTINGS "}}");
  g_autoptr (SlyAnnotation) ann = NULL;
  guint i, d, bitmaps = 0, polygons = 0;

  g_assert_cmpuint (r->status, ==, 200);
  ann = srv_result_annotation (r->json);
  g_assert_cmpuint (ann->objects->len, ==, 2 * G_N_ELEMENTS (discs));
  for (i = 0; i < ann->objects->len; i++) {
    SlyObject *obj = ann->objects->pdata[i];
    SlyBox b = sly_geometry_get_bbox (obj->geometry);

    for (d = 0; d < G_N_ELEMENTS (discs); d++)
      if (b.left == discs[d].x - SMALL_R && b.top == discs[d].y - SMALL_R
          && b.right == discs[d].x + SMALL_R
          && b.bottom == discs[d].y + SMALL_R)
        break;
    g_assert_cmpuint (d, <, G_N_ELEMENTS (discs));
    if (obj->geometry->type == SLY_GEOMETRY_BITMAP) {
      const SlyMask *mask = sly_geometry_get_mask (obj->geometry, NULL);
      gint x, y;

      bitmaps++;
      g_assert_nonnull (mask);
      for (y = 0; y < mask->height; y++)
        for (x = 0; x < mask->width; x++) {
          gint dx = mask->origin_x + x - discs[d].x;
          gint dy = mask->origin_y + y - discs[d].y;

          g_assert_cmpint (mask->data[y * mask->width + x] != 0, ==,
              dx * dx + dy * dy <= SMALL_R * SMALL_R);
        }
    } else {
      g_assert_cmpint (obj->geometry->type, ==, SLY_GEOMETRY_POLYGON);
      polygons++;
    }
  }
  g_assert_cmpuint (bitmaps, ==, G_N_ELEMENTS (discs));
  g_assert_cmpuint (polygons, ==, G_N_ELEMENTS (discs));
}

/* inference_batch_async crops as the sync endpoints do. */
static void
test_rectangle_async (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (GBytes) png = disc_png ();
  SrvFile file = { "a.png", "image/png", png };
  g_autoptr (SrvReply) r = srv_post_files (server, "/inference_batch_async",
      &file, 1, "{\"settings\": {\"rectangle\": [260, 350, 339, 469]}}", NULL);
  g_autofree gchar *uuid = srv_reply_uuid (r);
  g_autofree gchar *body = srv_uuid_body (uuid);
  g_autoptr (SlyAnnotation) ann = NULL;
  guint polls;

  for (polls = 0; polls < 500 && ann == NULL; polls++) {
    g_autoptr (SrvReply) p = srv_post_json (server, "/pop_inference_results",
        body, NULL);
    JsonArray *pending = json_object_get_array_member (srv_reply_object (p),
        "pending_results");

    if (json_array_get_length (pending) > 0)
      ann = srv_result_annotation (json_array_get_element (pending, 0));
    else
      g_usleep (10000);
  }
  g_assert_nonnull (ann);
  g_assert_cmpint (ann->width, ==, W);
  g_assert_cmpuint (ann->objects->len, ==, 1);
  srv_assert_box (ann->objects->pdata[0], "ball", DISC_X - DISC_R,
      DISC_Y - DISC_R, DISC_X + DISC_R, DISC_Y + DISC_R, 0);
  assert_last_inferred (server, "inference_batch_async", 120, 80, 1);
}

/* ---- the classifier ---- */

/* The rule of docs/server.md, recomputed from the pixels. */
static void
expected_tags (const SlyImage * image, gint left, gint top, gint right,
    gint bottom, const gchar ** brightness, const gchar ** colour)
{
  static const gchar *const names[] = { "red", "green", "blue" };
  guint64 luma = 0, sum[3] = { 0, 0, 0 }, n = 0;
  guint c, best = 0;
  gint x, y;

  for (y = top; y <= bottom; y++)
    for (x = left; x <= right; x++) {
      const guint8 *p = image->data + (gsize) y * image->stride + x * 3;

      luma += 299 * p[0] + 587 * p[1] + 114 * p[2];
      for (c = 0; c < 3; c++)
        sum[c] += p[c];
      n++;
    }
  *brightness = luma >= 128000 * n ? "bright" : "dark";
  for (c = 0; c < 3; c++)
    if (sum[c] > sum[best])
      best = c;
  *colour = names[best];
  for (c = 0; c < 3; c++)
    if (c != best && 4 * sum[best] < 5 * sum[c])
      *colour = "gray";
  if (sum[best] == 0)
    *colour = "gray";
}

static void
assert_tags (SlyAnnotation * ann, const gchar * brightness,
    const gchar * colour)
{
  g_assert_cmpuint (ann->objects->len, ==, 0);
  g_assert_cmpuint (ann->tags->len, ==, 2);
  g_assert_cmpstr (((SlyTag *) ann->tags->pdata[0])->name, ==, brightness);
  g_assert_cmpstr (((SlyTag *) ann->tags->pdata[1])->name, ==, colour);
}

typedef struct
{
  const gchar *name;
  guint8 bg[3];
  guint8 fg[3];
  gint radius;
  const gchar *brightness;      /* what the rule gives, to be sure the */
  const gchar *colour;          /* cases cover every tag */
} ClassifyCase;

static const ClassifyCase classify_cases[] = {
  {"white-disc-on-black", {0, 0, 0}, {255, 255, 255}, 60, "dark", "gray"},
  {"red", {220, 30, 20}, {240, 60, 40}, 40, "dark", "red"},
  {"yellow-on-green", {40, 230, 60}, {250, 250, 0}, 100, "bright", "green"},
  {"blue-disc-on-white", {255, 255, 255}, {0, 0, 255}, 100, "bright", "gray"},
  {"navy", {10, 20, 140}, {30, 30, 200}, 50, "dark", "blue"},
};

static void
test_classifier (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_start ("--model",
      "blob-classifier", NULL);
  g_autoptr (SrvReply) meta_r = srv_post_json (server, "/get_model_meta",
      "{}", NULL);
  g_autoptr (SlyProjectMeta) meta =
      sly_project_meta_from_json_node (meta_r->json, NULL);
  static const gchar *const tag_names[] = {
    "confidence", "bright", "dark", "red", "green", "blue", "gray",
  };
  guint i;

  /* no classes; the tags it can give are in the meta */
  g_assert_nonnull (meta);
  g_assert_cmpuint (meta->classes->len, ==, 0);
  g_assert_cmpuint (meta->tag_metas->len, ==, G_N_ELEMENTS (tag_names));
  for (i = 0; i < G_N_ELEMENTS (tag_names); i++)
    g_assert_cmpstr (((SlyTagMeta *) meta->tag_metas->pdata[i])->name, ==,
        tag_names[i]);

  for (i = 0; i < G_N_ELEMENTS (classify_cases); i++) {
    const ClassifyCase *c = &classify_cases[i];
    g_autoptr (SlyImage) image = srv_image_new (W, H);
    g_autoptr (GBytes) png = NULL;
    g_autoptr (SlyAnnotation) ann = NULL;
    g_autoptr (SlyAnnotation) crop = NULL;
    const gchar *brightness, *colour;

    g_test_message ("case %s", c->name);
    srv_fill_rect (image, 0, 0, W - 1, H - 1, c->bg[0], c->bg[1], c->bg[2]);
    srv_fill_disc (image, DISC_X, DISC_Y, c->radius, c->fg[0], c->fg[1],
        c->fg[2]);
    png = srv_png (image);

    expected_tags (image, 0, 0, W - 1, H - 1, &brightness, &colour);
    g_assert_cmpstr (brightness, ==, c->brightness);
    g_assert_cmpstr (colour, ==, c->colour);
    ann = infer_ok (server, png, NULL, "640x480");
    assert_tags (ann, brightness, colour);

    /* the crop of the disc: its own pixels decide */
    expected_tags (image, DISC_X - 20, DISC_Y - 20, DISC_X + 20,
        DISC_Y + 20, &brightness, &colour);
    crop = infer_ok (server, png, "{\"settings\": {\"rectangle\": "
        "[280, 380, 320, 420]}}", "41x41");
    assert_tags (crop, brightness, colour);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/regions/rectangle", test_rectangle);
  g_test_add_func ("/server/regions/rectangle-clipped", test_rectangle_clipped);
  g_test_add_func ("/server/regions/rectangle-invalid", test_rectangle_invalid);
  g_test_add_func ("/server/regions/rectangles", test_rectangles);
  g_test_add_func ("/server/regions/rectangle-async", test_rectangle_async);
  g_test_add_func ("/server/regions/sliding-window", test_sliding_window);
  g_test_add_func ("/server/regions/sliding-window-cut",
      test_sliding_window_cut);
  g_test_add_func ("/server/regions/sliding-window-in-region",
      test_sliding_window_in_region);
  g_test_add_func ("/server/regions/sliding-window-support",
      test_sliding_window_support);
  g_test_add_func ("/server/regions/sliding-window-segmenter",
      test_sliding_window_segmenter);
  g_test_add_func ("/server/regions/classifier", test_classifier);
  return g_test_run ();
}
