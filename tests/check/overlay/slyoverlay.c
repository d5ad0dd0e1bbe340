/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slyoverlay on black frames carrying hand-made predictions: the pixels the
 * predictions cover change, all others stay as they were.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <cairo.h>

#include "gstslypredictionmeta.h"
#include "slyannotation.h"

#define W 160
#define H 120

/* A car's box, inclusive: columns 40..119, rows 50..99. */
#define BOX_JSON "{\"size\": {\"height\": 120, \"width\": 160}, " \
  "\"description\": \"\", \"tags\": [], \"objects\": [{\"classTitle\": " \
  "\"car\", \"description\": \"\", \"tags\": [{\"name\": \"confidence\", " \
  "\"value\": 0.87}], \"geometryType\": \"rectangle\", \"points\": " \
  "{\"exterior\": [[40, 50], [119, 99]], \"interior\": []}}]}"

static GstHarness *
overlay_harness (const gchar * props, const gchar * format)
{
  g_autofree gchar *desc = g_strdup_printf ("slyoverlay %s", props);
  g_autofree gchar *caps = g_strdup_printf ("video/x-raw, format=%s, "
      "width=%d, height=%d, framerate=30/1", format, W, H);
  GstHarness *h = gst_harness_new_parse (desc);

  gst_harness_set_src_caps_str (h, caps);
  return h;
}

static GstBuffer *
black_frame (void)
{
  GstBuffer *buf = gst_buffer_new_and_alloc (W * H * 4);

  gst_buffer_memset (buf, 0, 0, W * H * 4);
  return buf;
}

static GstBuffer *
frame_with_json (const gchar * json, GstSlyFrameStatus status)
{
  GstBuffer *buf = black_frame ();
  g_autoptr (GError) error = NULL;

  fail_unless (gst_buffer_add_sly_prediction_meta_from_json (buf, status,
          json, GST_CLOCK_TIME_NONE, "test", &error) != NULL, "%s",
      error ? error->message : "");
  return buf;
}

/* 0xRRGGBB of pixel (x, y) of a BGRx (or, with @rgb, RGBx) frame */
static guint32
pixel_at (GstBuffer * buf, gint x, gint y, gboolean rgb)
{
  GstMapInfo map;
  const guint8 *p;
  guint32 v;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  p = map.data + (y * W + x) * 4;
  v = rgb ? (p[0] << 16 | p[1] << 8 | p[2]) : (p[2] << 16 | p[1] << 8 | p[0]);
  gst_buffer_unmap (buf, &map);
  return v;
}

/* Non-black pixels inside [x0, x1) x [y0, y1). */
static guint
count_lit (GstBuffer * buf, gint x0, gint y0, gint x1, gint y1)
{
  guint n = 0;

  for (gint y = y0; y < y1; y++)
    for (gint x = x0; x < x1; x++)
      n += pixel_at (buf, x, y, FALSE) != 0;
  return n;
}

static GstBuffer *
run (const gchar * props, GstBuffer * in)
{
  GstHarness *h = overlay_harness (props, "BGRx");
  GstBuffer *out = gst_harness_push_and_pull (h, in);

  fail_unless (out != NULL);
  gst_harness_teardown (h);
  return out;
}

/* Pixels off the box outline and off the label band stay black; the label
 * band lies above the box, from its left edge rightwards. */
static void
assert_black_off_box (GstBuffer * out)
{
  guint stray = 0;

  for (gint y = 0; y < H; y++) {
    for (gint x = 0; x < W; x++) {
      gboolean near_edge = x >= 37 && x <= 122 && y >= 47 && y <= 102
          && !(x >= 43 && x <= 116 && y >= 53 && y <= 96);
      gboolean label = x >= 40 && y >= 20 && y < 50;

      if (!near_edge && !label)
        stray += pixel_at (out, x, y, FALSE) != 0;
    }
  }
  fail_unless_equals_int (stray, 0);
}

/* Test that a box is drawn on its outline pixels in one colour, with
 * nothing drawn well inside or outside it (the label band aside). */
GST_START_TEST (test_box_outline)
{
  GstBuffer *out = run ("draw-labels=false",
      frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED));
  guint32 color = pixel_at (out, 40, 75, FALSE);

  fail_unless (color != 0);
  fail_unless_equals_int (pixel_at (out, 119, 75, FALSE), color);
  fail_unless_equals_int (pixel_at (out, 80, 50, FALSE), color);
  fail_unless_equals_int (pixel_at (out, 80, 99, FALSE), color);
  fail_unless_equals_int (count_lit (out, 43, 53, 117, 97), 0);
  fail_unless_equals_int (count_lit (out, 0, 0, W, 47), 0);
  assert_black_off_box (out);
  gst_buffer_unref (out);
}

GST_END_TEST;

/* Test that the label is drawn on a band of the box's colour just above the
 * box and nowhere else. */
GST_START_TEST (test_label)
{
  GstBuffer *out = run ("",
      frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED));
  guint32 color = pixel_at (out, 40, 75, FALSE);

  /* the band's left padding, just above the top edge */
  fail_unless_equals_int (pixel_at (out, 40, 47, FALSE), color);
  fail_unless_equals_int (pixel_at (out, 41, 45, FALSE), color);
  /* text: some pixels of the band differ from its colour */
  fail_unless (count_lit (out, 40, 20, W, 47) > 100);
  assert_black_off_box (out);
  gst_buffer_unref (out);
}

GST_END_TEST;

/* The car of BOX_JSON (box at columns @left..@right, rows @top..@bottom)
 * with its confidence tag and the tags @tags (JSON, after a comma). */
static GstBuffer *
tagged_car (gint left, gint top, gint right, gint bottom, const gchar * tags)
{
  g_autofree gchar *json = g_strdup_printf ("{\"size\": {\"height\": 120, "
      "\"width\": 160}, \"description\": \"\", \"tags\": [], \"objects\": "
      "[{\"classTitle\": \"car\", \"description\": \"\", \"tags\": "
      "[{\"name\": \"confidence\", \"value\": 0.87}%s%s], \"geometryType\": "
      "\"rectangle\", \"points\": {\"exterior\": [[%d, %d], [%d, %d]], "
      "\"interior\": []}}]}", *tags ? ", " : "", tags, left, top, right,
      bottom);

  return frame_with_json (json, GST_SLY_FRAME_STATUS_INFERRED);
}

/* Pixels that differ between @a and @b in [x0, x1) x [y0, y1); the lowest
 * row with a difference into @last_row (-1 when none), when not NULL. */
static guint
count_differ (GstBuffer * a, GstBuffer * b, gint x0, gint y0, gint x1,
    gint y1, gint * last_row)
{
  guint n = 0;

  if (last_row)
    *last_row = -1;
  for (gint y = y0; y < y1; y++) {
    for (gint x = x0; x < x1; x++) {
      if (pixel_at (a, x, y, FALSE) != pixel_at (b, x, y, FALSE)) {
        n++;
        if (last_row)
          *last_row = y;
      }
    }
  }
  return n;
}

#define COLOR_TAG "{\"name\": \"color\", \"value\": \"red\"}"

/* Test that an object's tags are drawn under its label, one line each:
 * the rows below the label band change, the label itself does not; more
 * tags take more rows; score tags are not drawn; draw-tags=false draws
 * the frame as without tags. */
GST_START_TEST (test_tags)
{
  GstBuffer *plain = run ("", tagged_car (40, 50, 119, 99, ""));
  GstBuffer *one = run ("", tagged_car (40, 50, 119, 99, COLOR_TAG));
  GstBuffer *three = run ("", tagged_car (40, 50, 119, 99, COLOR_TAG
          ", {\"name\": \"age\", \"value\": 3.5}, {\"name\": \"occluded\"}"));
  GstBuffer *scores = run ("", tagged_car (40, 50, 119, 99,
          "{\"name\": \"score\", \"value\": 0.5}, "
          "{\"name\": \"conf\", \"value\": 0.4}"));
  GstBuffer *off;
  gint last_one, last_three;

  /* the label band (rows above the box) is the same */
  fail_unless (count_lit (plain, 40, 20, W, 50) > 100);
  fail_unless_equals_int (count_differ (plain, one, 0, 0, W, 50, NULL), 0);
  /* the line under it */
  fail_unless (count_differ (plain, one, 40, 50, W, H, &last_one) > 100,
      "the tag line is not drawn");
  fail_unless (last_one > 55 && last_one < 80, "tag line ends at row %d",
      last_one);
  fail_unless (count_differ (plain, three, 40, 50, W, H, &last_three) > 300);
  fail_unless (last_three >= last_one + 20, "3 tag lines end at row %d, "
      "1 at row %d", last_three, last_one);
  fail_unless_equals_int (count_differ (plain, scores, 0, 0, W, H, NULL), 0);
  off = run ("draw-tags=false", tagged_car (40, 50, 119, 99, COLOR_TAG));
  fail_unless_equals_int (count_differ (plain, off, 0, 0, W, H, NULL), 0);
  gst_buffer_unref (plain);
  gst_buffer_unref (one);
  gst_buffer_unref (three);
  gst_buffer_unref (scores);
  gst_buffer_unref (off);
}

GST_END_TEST;

/* Test that tag lines stay in the frame: at its right edge the line moves
 * left like the label; at its bottom the lines that do not fit are cut. */
GST_START_TEST (test_tags_clipped)
{
  GString *many = g_string_new ("");
  GstBuffer *plain, *tagged;

  for (gint i = 0; i < 40; i++)
    g_string_append_printf (many, "%s{\"name\": \"tag%d\", \"value\": "
        "\"a rather long value to cut %d\"}", i ? ", " : "", i, i);
  plain = run ("", tagged_car (120, 90, 150, 119, ""));
  tagged = run ("", tagged_car (120, 90, 150, 119, many->str));
  g_string_free (many, TRUE);

  /* right of the box: black without tags, the tag band with them */
  fail_unless_equals_int (count_lit (plain, 154, 90, W, H), 0);
  fail_unless (count_lit (tagged, 154, 90, W, H) > 0);
  fail_unless (count_differ (plain, tagged, 0, 110, W, H, NULL) > 100);
  gst_buffer_unref (plain);
  gst_buffer_unref (tagged);
}

GST_END_TEST;

/* Test that a frame without predictions leaves the element byte for byte
 * as it came, and so does one whose annotation has no objects. */
GST_START_TEST (test_no_meta_untouched)
{
  const gchar *empty = "{\"size\": {\"height\": 120, \"width\": 160}, "
      "\"description\": \"\", \"tags\": [], \"objects\": []}";
  GstBuffer *inputs[] = { black_frame (),
    frame_with_json (empty, GST_SLY_FRAME_STATUS_INFERRED),
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++) {
    GstBuffer *in = inputs[i];
    GstBuffer *ref, *out;
    GstMapInfo map;

    /* a pattern, not black, so that any write would show */
    fail_unless (gst_buffer_map (in, &map, GST_MAP_WRITE));
    for (gsize j = 0; j < map.size; j++)
      map.data[j] = (j * 7 + j / 640) & 0xff;
    gst_buffer_unmap (in, &map);
    ref = gst_buffer_copy_deep (in);

    out = run ("", in);
    fail_unless (gst_buffer_get_size (out) == W * H * 4);
    fail_unless (gst_buffer_map (ref, &map, GST_MAP_READ));
    fail_unless_equals_int (gst_buffer_memcmp (out, 0, map.data, map.size), 0);
    gst_buffer_unmap (ref, &map);
    gst_buffer_unref (ref);
    gst_buffer_unref (out);
  }
}

GST_END_TEST;

/* Test that draw-boxes=false draws nothing for a box-only annotation once
 * labels are off too, and only the label when they are on. */
GST_START_TEST (test_draw_boxes_false)
{
  GstBuffer *out = run ("draw-boxes=false draw-labels=false",
      frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED));

  fail_unless_equals_int (count_lit (out, 0, 0, W, H), 0);
  gst_buffer_unref (out);

  out = run ("draw-boxes=false",
      frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED));
  fail_unless_equals_int (pixel_at (out, 40, 75, FALSE), 0);
  fail_unless_equals_int (pixel_at (out, 80, 99, FALSE), 0);
  fail_unless (count_lit (out, 40, 20, W, 50) > 100);
  fail_unless_equals_int (count_lit (out, 0, 50, W, H), 0);
  gst_buffer_unref (out);
}

GST_END_TEST;

/* A 12x8 mask at (30, 40): a filled block with a hole and a stripe. */
static gboolean
mask_inside (gint i, gint j)
{
  return !(i >= 2 && i <= 4 && j >= 3 && j <= 6) && j != 10;
}

static gchar *
mask_json (void)
{
  g_autoptr (SlyMask) mask = sly_mask_new (30, 40, 12, 8);
  g_autofree gchar *b64 = NULL;

  for (gint i = 0; i < 8; i++)
    for (gint j = 0; j < 12; j++)
      mask->data[i * 12 + j] = mask_inside (i, j) ? 255 : 0;
  b64 = sly_mask_encode (mask);
  return g_strdup_printf ("{\"size\": {\"height\": 120, \"width\": 160}, "
      "\"description\": \"\", \"tags\": [], \"objects\": [{\"classTitle\": "
      "\"blob\", \"description\": \"\", \"tags\": [], \"geometryType\": "
      "\"bitmap\", \"bitmap\": {\"origin\": [30, 40], \"data\": \"%s\"}}]}",
      b64);
}

static guint8
channel (guint32 rgb, gint shift)
{
  return (rgb >> shift) & 0xff;
}

/* Test that a bitmap mask fills exactly its pixels: at mask-opacity 1 with
 * the class colour, at 0.5 with the colour blended half over black; the
 * hole and the stripe inside its box stay black. */
GST_START_TEST (test_mask_fill)
{
  g_autofree gchar *json = mask_json ();
  GstBuffer *full = run ("draw-boxes=false draw-labels=false mask-opacity=1.0",
      frame_with_json (json, GST_SLY_FRAME_STATUS_INFERRED));
  GstBuffer *half = run ("draw-boxes=false draw-labels=false mask-opacity=0.5",
      frame_with_json (json, GST_SLY_FRAME_STATUS_INFERRED));
  guint32 color = pixel_at (full, 30, 40, FALSE);

  fail_unless (color != 0);
  for (gint i = 0; i < 8; i++) {
    for (gint j = 0; j < 12; j++) {
      guint32 f = pixel_at (full, 30 + j, 40 + i, FALSE);
      guint32 h = pixel_at (half, 30 + j, 40 + i, FALSE);

      if (!mask_inside (i, j)) {
        fail_unless_equals_int (f, 0);
        fail_unless_equals_int (h, 0);
        continue;
      }
      fail_unless_equals_int (f, color);
      for (gint shift = 0; shift <= 16; shift += 8)
        fail_unless_equals_int (channel (h, shift),
            (channel (color, shift) * 128 + 127) / 255);
    }
  }
  fail_unless_equals_int (count_lit (full, 0, 0, W, H), 12 * 8 - 12 - 8);
  fail_unless_equals_int (count_lit (half, 0, 0, W, H), 12 * 8 - 12 - 8);
  gst_buffer_unref (full);
  gst_buffer_unref (half);
}

GST_END_TEST;

/* Luma, 0 to 1, of 0xRRGGBB (BT.601 weights, as the overlay uses). */
static gdouble
luma_of (guint32 rgb)
{
  return (0.299 * channel (rgb, 16) + 0.587 * channel (rgb, 8) +
      0.114 * channel (rgb, 0)) / 255.0;
}

/* Draws the label of one box of class @title (box as in BOX_JSON, no score)
 * and checks that its text contrasts with its band: every text pixel is
 * darker than a light band and many are near black, or lighter than a dark
 * band and many near white. */
static void
assert_label_contrast (const gchar * title, gboolean light_band)
{
  g_autofree gchar *json = g_strdup_printf ("{\"size\": {\"height\": 120, "
      "\"width\": 160}, \"description\": \"\", \"tags\": [], \"objects\": "
      "[{\"classTitle\": \"%s\", \"description\": \"\", \"tags\": [], "
      "\"geometryType\": \"rectangle\", \"points\": {\"exterior\": "
      "[[40, 50], [119, 99]], \"interior\": []}}]}", title);
  GstBuffer *out = run ("",
      frame_with_json (json, GST_SLY_FRAME_STATUS_INFERRED));
  /* the band's left padding column, just above the box */
  guint32 band = pixel_at (out, 40, 49, FALSE);
  gdouble band_luma = luma_of (band);
  gint top = 49, right = 40;
  guint n_text = 0, n_strong = 0;

  fail_unless (band != 0);
  fail_unless (light_band == (band_luma > 0.5), "%s: band 0x%06x, luma %.3f",
      title, band, band_luma);
  while (top > 0 && pixel_at (out, 40, top - 1, FALSE) == band)
    top--;
  fail_unless (49 - top >= 8, "band of %d rows", 50 - top);
  /* the band's right edge: its last lit column above the box outline's
   * reach (rows 47 and below) */
  for (gint y = top; y < 47; y++)
    for (gint x = 40; x < W; x++)
      if (pixel_at (out, x, y, FALSE) != 0)
        right = MAX (right, x);

  for (gint y = top; y < 50; y++) {
    for (gint x = 40; x <= right; x++) {
      guint32 p = pixel_at (out, x, y, FALSE);
      gdouble l = luma_of (p);

      if (p == band)
        continue;
      n_text++;
      if (light_band) {
        fail_unless (l < band_luma, "%s: text pixel (%d, %d) 0x%06x is "
            "lighter than its band 0x%06x", title, x, y, p, band);
        n_strong += l < 0.25;
      } else {
        fail_unless (l > band_luma, "%s: text pixel (%d, %d) 0x%06x is "
            "darker than its band 0x%06x", title, x, y, p, band);
        n_strong += l > 0.75;
      }
    }
  }
  fail_unless (n_text > 30, "%s: %u text pixels", title, n_text);
  fail_unless (n_strong > 10, "%s: %u text pixels of full contrast", title,
      n_strong);
  gst_buffer_unref (out);
}

/* Test that label text reads on its band: dark text on a light class
 * colour ("plane", a light yellow), light text on a dark one ("sea", a
 * violet blue). */
GST_START_TEST (test_label_contrast)
{
  assert_label_contrast ("plane", TRUE);
  assert_label_contrast ("sea", FALSE);
}

GST_END_TEST;

static GstBuffer *
frame_with_masks_at_edges (void)
{
  GstBuffer *buf = black_frame ();
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (W, H);
  const gint origins[][2] = { {-4, -3}, {155, 117} };

  for (guint k = 0; k < G_N_ELEMENTS (origins); k++) {
    SlyMask *mask = sly_mask_new (origins[k][0], origins[k][1], 10, 6);

    memset (mask->data, 255, 10 * 6);
    sly_annotation_add_object (ann, "blob", sly_geometry_new_bitmap (mask),
        0.5);
  }
  gst_buffer_add_sly_prediction_meta (buf, GST_SLY_FRAME_STATUS_INFERRED, ann,
      GST_CLOCK_TIME_NONE, NULL);
  return buf;
}

/* Test that masks reaching over the frame's edges are clipped to it: the
 * in-frame part is filled (6 x 3 at the top-left corner, 5 x 3 at the
 * bottom-right one) and nothing else is written. */
GST_START_TEST (test_mask_clipped)
{
  GstBuffer *out = run ("draw-boxes=false draw-labels=false",
      frame_with_masks_at_edges ());

  fail_unless_equals_int (count_lit (out, 0, 0, 6, 3), 6 * 3);
  fail_unless_equals_int (count_lit (out, 155, 117, W, H), 5 * 3);
  fail_unless_equals_int (count_lit (out, 0, 0, W, H), 6 * 3 + 5 * 3);
  gst_buffer_unref (out);
}

GST_END_TEST;

/* Test that a frame without predictions is not copied even when it is not
 * writable: the very same buffer comes out. */
GST_START_TEST (test_no_meta_not_copied)
{
  GstHarness *h = overlay_harness ("", "BGRx");
  GstBuffer *in = black_frame ();
  GstBuffer *out;

  gst_buffer_ref (in);
  out = gst_harness_push_and_pull (h, in);
  fail_unless (out == in);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Test that RGBx frames get the same colours as BGRx ones, in their own
 * byte order. */
GST_START_TEST (test_rgbx_colors)
{
  GstBuffer *bgrx = run ("draw-labels=false",
      frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED));
  GstHarness *h = overlay_harness ("draw-labels=false", "RGBx");
  GstBuffer *rgbx = gst_harness_push_and_pull (h,
      frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED));

  fail_unless (pixel_at (bgrx, 40, 75, FALSE) != 0);
  fail_unless_equals_int (pixel_at (rgbx, 40, 75, TRUE),
      pixel_at (bgrx, 40, 75, FALSE));
  gst_buffer_unref (bgrx);
  gst_buffer_unref (rgbx);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Test that a format it cannot draw on (YUY2) is refused: the caps are not
 * accepted and a buffer pushed after them is not negotiated. */
GST_START_TEST (test_refuses_yuy2)
{
  GstHarness *h = gst_harness_new ("slyoverlay");
  GstCaps *yuy2 = gst_caps_from_string ("video/x-raw, format=YUY2, "
      "width=160, height=120, framerate=30/1");

  fail_if (gst_pad_peer_query_accept_caps (h->srcpad, yuy2));
  gst_harness_set_src_caps (h, yuy2);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new_and_alloc (W *
              H * 2)), GST_FLOW_NOT_NEGOTIATED);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Test that boxes of frames the tracker predicted are dashed: along the
 * left edge some pixels are drawn and some are not. */
GST_START_TEST (test_tracker_predicted_dashed)
{
  GstBuffer *solid = run ("draw-labels=false",
      frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED));
  GstBuffer *dashed = run ("draw-labels=false",
      frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_TRACKER_PREDICTED));
  guint n_solid = count_lit (solid, 40, 55, 41, 95);
  guint n_dashed = count_lit (dashed, 40, 55, 41, 95);

  fail_unless_equals_int (n_solid, 40);
  fail_unless (n_dashed > 10 && n_dashed < 32, "%u pixels lit", n_dashed);
  gst_buffer_unref (solid);
  gst_buffer_unref (dashed);
}

GST_END_TEST;

static GstBuffer *
two_tracked_cars (void)
{
  GstBuffer *buf = black_frame ();
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (W, H);
  SlyObject *obj;

  obj = sly_annotation_add_object (ann, "car",
      sly_geometry_new_rectangle (10, 10, 50, 50), 0.9);
  obj->track_id = 1;
  obj = sly_annotation_add_object (ann, "car",
      sly_geometry_new_rectangle (90, 60, 150, 110), 0.8);
  obj->track_id = 2;
  gst_buffer_add_sly_prediction_meta (buf, GST_SLY_FRAME_STATUS_INFERRED, ann,
      GST_CLOCK_TIME_NONE, NULL);
  return buf;
}

/* A car as a bitmap-like box and, with @polygon, a second geometry of the
 * same object (same track id, another confidence), as a segmenter gives. */
static GstBuffer *
one_car (gboolean polygon)
{
  GstBuffer *buf = black_frame ();
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (W, H);
  SlyObject *obj;

  obj = sly_annotation_add_object (ann, "car",
      sly_geometry_new_rectangle (40, 60, 120, 110), 0.9);
  obj->track_id = 3;
  if (polygon) {
    SlyPoint points[] = { {40, 60}, {120, 60}, {120, 110}, {40, 110}
    };

    obj = sly_annotation_add_object (ann, "car",
        sly_geometry_new_polygon (points, G_N_ELEMENTS (points)), 0.4);
    obj->track_id = 3;
  }
  gst_buffer_add_sly_prediction_meta (buf, GST_SLY_FRAME_STATUS_INFERRED, ann,
      GST_CLOCK_TIME_NONE, NULL);
  return buf;
}

/* Test that two geometries of one tracked object get one label: the band
 * above the box is drawn exactly as for the object alone (the second
 * label, with another confidence, is not stacked on it). */
GST_START_TEST (test_one_label_per_track)
{
  GstBuffer *alone = run ("", one_car (FALSE));
  GstBuffer *both = run ("", one_car (TRUE));
  guint differ = 0;

  for (gint y = 0; y < 58; y++)
    for (gint x = 0; x < W; x++)
      differ += pixel_at (alone, x, y, FALSE) != pixel_at (both, x, y, FALSE);
  fail_unless (count_lit (alone, 40, 30, W, 58) > 100);
  fail_unless_equals_int (differ, 0);
  gst_buffer_unref (alone);
  gst_buffer_unref (both);
}

GST_END_TEST;

/* Test that color-by=track gives two tracks of one class two colours and
 * color-by=class gives them one. */
GST_START_TEST (test_color_by)
{
  GstBuffer *by_class = run ("draw-labels=false", two_tracked_cars ());
  GstBuffer *by_track = run ("draw-labels=false color-by=track",
      two_tracked_cars ());

  fail_unless (pixel_at (by_class, 10, 30, FALSE) != 0);
  fail_unless_equals_int (pixel_at (by_class, 10, 30, FALSE),
      pixel_at (by_class, 90, 80, FALSE));
  fail_unless (pixel_at (by_track, 10, 30, FALSE) != 0);
  fail_unless (pixel_at (by_track, 90, 80, FALSE) != 0);
  fail_if (pixel_at (by_track, 10, 30, FALSE) ==
      pixel_at (by_track, 90, 80, FALSE));
  gst_buffer_unref (by_class);
  gst_buffer_unref (by_track);
}

GST_END_TEST;

/* Test that a frame with every kind of shape draws and, when
 * SLY_OVERLAY_PNG names a file, is written there to look at. */
GST_START_TEST (test_render_all_shapes)
{
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (W, H);
  g_autoptr (SlyMask) mask = sly_mask_new (100, 20, 40, 30);
  const SlyPoint tri[] = { {20, 70}, {60, 110}, {10, 110} };
  const gchar *png = g_getenv ("SLY_OVERLAY_PNG");
  GstBuffer *buf = black_frame (), *out;
  SlyObject *obj;
  GstMapInfo map;

  for (gint i = 0; i < 30; i++)
    for (gint j = 0; j < 40; j++)
      mask->data[i * 40 + j] = (i - 15) * (i - 15) + (j - 20) * (j - 20) < 200
          ? 255 : 0;
  obj = sly_annotation_add_object (ann, "person",
      sly_geometry_new_rectangle (15, 25, 70, 60), 0.93);
  obj->track_id = 17;
  sly_annotation_add_object (ann, "ball",
      sly_geometry_new_bitmap (g_steal_pointer (&mask)), 0.5);
  sly_annotation_add_object (ann, "sign", sly_geometry_new_polygon (tri, 3),
      -1);
  gst_buffer_add_sly_prediction_meta (buf, GST_SLY_FRAME_STATUS_INFERRED, ann,
      GST_CLOCK_TIME_NONE, NULL);

  out = run ("", buf);
  fail_unless (count_lit (out, 0, 0, W, H) > 500);
  if (png) {
    cairo_surface_t *s;

    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    s = cairo_image_surface_create_for_data (map.data, CAIRO_FORMAT_RGB24, W,
        H, W * 4);
    fail_unless_equals_int (cairo_surface_write_to_png (s, png),
        CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy (s);
    gst_buffer_unmap (out, &map);
  }
  gst_buffer_unref (out);
}

GST_END_TEST;

/* Frames of a 25 fps stream: frame @n starts at n * 40 ms. */
#define FRAME_NS (40 * GST_MSECOND)

static GstBuffer *
at_frame (GstBuffer * buf, gint n)
{
  GST_BUFFER_PTS (buf) = n * FRAME_NS;
  GST_BUFFER_DURATION (buf) = FRAME_NS;
  return buf;
}

/* A frame the server did not answer: @status with no annotation, as
 * slymodelinfer sends skipped, late and failed frames. */
static GstBuffer *
unanswered_frame (GstSlyFrameStatus status)
{
  GstBuffer *buf = black_frame ();

  gst_buffer_add_sly_prediction_meta (buf, status, NULL, GST_CLOCK_TIME_NONE,
      "test");
  return buf;
}

#define EMPTY_JSON "{\"size\": {\"height\": 120, \"width\": 160}, " \
  "\"description\": \"\", \"tags\": [], \"objects\": []}"

/* Asserts that @held is @color faded to @opacity over black: each channel
 * within 1 of colour x opacity. */
static void
assert_faded (guint32 held, guint32 color, gdouble opacity)
{
  for (gint shift = 0; shift <= 16; shift += 8) {
    gint want = (gint) (channel (color, shift) * opacity + 0.5);

    fail_unless (ABS ((gint) channel (held, shift) - want) <= 1,
        "held 0x%06x, answered 0x%06x, opacity %.2f", held, color, opacity);
  }
}

/* Test that hold=100 keeps drawing the last answer's box, faded by
 * hold-opacity and where it was, on the frames without an answer (skipped,
 * late) that start less than 100 ms of running time after it, and that it is
 * gone from the frame starting 120 ms after it; an answer with no objects
 * ends the hold at once. Without hold nothing is drawn on such frames. */
GST_START_TEST (test_hold)
{
  GstHarness *h = overlay_harness ("draw-labels=false hold=100", "BGRx");
  GstBuffer *answered, *held1, *held2, *expired, *out;
  guint32 color;

  answered = gst_harness_push_and_pull (h,
      at_frame (frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED), 0));
  held1 = gst_harness_push_and_pull (h,
      at_frame (unanswered_frame (GST_SLY_FRAME_STATUS_SKIPPED), 1));
  held2 = gst_harness_push_and_pull (h,
      at_frame (unanswered_frame (GST_SLY_FRAME_STATUS_LATE), 2));
  expired = gst_harness_push_and_pull (h,
      at_frame (unanswered_frame (GST_SLY_FRAME_STATUS_FAILED), 3));

  color = pixel_at (answered, 40, 75, FALSE);
  fail_unless (color != 0);
  assert_faded (pixel_at (held1, 40, 75, FALSE), color, 0.5);
  assert_faded (pixel_at (held1, 80, 99, FALSE), color, 0.5);
  assert_faded (pixel_at (held2, 119, 75, FALSE), color, 0.5);
  fail_unless_equals_int (count_lit (held1, 43, 53, 117, 97), 0);
  assert_black_off_box (held1);
  assert_black_off_box (held2);
  fail_unless_equals_int (count_lit (expired, 0, 0, W, H), 0);
  gst_buffer_unref (answered);
  gst_buffer_unref (held1);
  gst_buffer_unref (held2);
  gst_buffer_unref (expired);

  /* an answer "nothing there" is not held over */
  gst_buffer_unref (gst_harness_push_and_pull (h,
          at_frame (frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED),
              4)));
  gst_buffer_unref (gst_harness_push_and_pull (h,
          at_frame (frame_with_json (EMPTY_JSON,
                  GST_SLY_FRAME_STATUS_INFERRED), 5)));
  out = gst_harness_push_and_pull (h,
      at_frame (unanswered_frame (GST_SLY_FRAME_STATUS_SKIPPED), 6));
  fail_unless_equals_int (count_lit (out, 0, 0, W, H), 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);

  /* hold-opacity=1 draws the held box in its full colour; hold=0 (the
   * default) draws nothing */
  h = overlay_harness ("draw-labels=false hold=100 hold-opacity=1", "BGRx");
  answered = gst_harness_push_and_pull (h,
      at_frame (frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED), 0));
  out = gst_harness_push_and_pull (h,
      at_frame (unanswered_frame (GST_SLY_FRAME_STATUS_SKIPPED), 1));
  fail_unless_equals_int (pixel_at (out, 40, 75, FALSE),
      pixel_at (answered, 40, 75, FALSE));
  gst_buffer_unref (answered);
  gst_buffer_unref (out);
  gst_harness_teardown (h);

  h = overlay_harness ("draw-labels=false", "BGRx");
  gst_buffer_unref (gst_harness_push_and_pull (h,
          at_frame (frame_with_json (BOX_JSON, GST_SLY_FRAME_STATUS_INFERRED),
              0)));
  out = gst_harness_push_and_pull (h,
      at_frame (unanswered_frame (GST_SLY_FRAME_STATUS_SKIPPED), 1));
  fail_unless_equals_int (count_lit (out, 0, 0, W, H), 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Test that a held tracker-predicted answer stays dashed, and that a frame
 * whose answer came from the tracker replaces the held one. */
GST_START_TEST (test_hold_tracker_predicted)
{
  GstHarness *h = overlay_harness ("draw-labels=false hold=100 hold-opacity=1",
      "BGRx");
  GstBuffer *out;
  guint n;

  gst_buffer_unref (gst_harness_push_and_pull (h,
          at_frame (frame_with_json (BOX_JSON,
                  GST_SLY_FRAME_STATUS_TRACKER_PREDICTED), 0)));
  out = gst_harness_push_and_pull (h,
      at_frame (unanswered_frame (GST_SLY_FRAME_STATUS_LATE), 1));
  n = count_lit (out, 40, 55, 41, 95);
  fail_unless (n > 10 && n < 32, "%u pixels lit", n);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

#define MODEL_META "{\"classes\": [{\"title\": \"car\", \"shape\": " \
  "\"rectangle\", \"color\": \"#FF8000\"}, {\"title\": \"bike\", " \
  "\"shape\": \"rectangle\"}], \"tags\": []}"

/* @in through slyoverlay draw-labels=false on @format with model-meta set
 * (by the application, as g_object_set) to @model_meta */
static GstBuffer *
run_with_model_meta (const gchar * model_meta, const gchar * format,
    GstBuffer * in)
{
  GstHarness *h = overlay_harness ("draw-labels=false", format);
  GstElement *overlay = gst_harness_find_element (h, "slyoverlay");
  GstBuffer *out;

  g_object_set (overlay, "model-meta", model_meta, NULL);
  gst_object_unref (overlay);
  out = gst_harness_push_and_pull (h, in);
  fail_unless (out != NULL);
  gst_harness_teardown (h);
  return out;
}

/* A box like BOX_JSON's, of class @title */
static GstBuffer *
box_of_class (const gchar * title)
{
  g_autofree gchar *json = g_strdup_printf ("{\"size\": {\"height\": 120, "
      "\"width\": 160}, \"description\": \"\", \"tags\": [], \"objects\": "
      "[{\"classTitle\": \"%s\", \"description\": \"\", \"tags\": [], "
      "\"geometryType\": \"rectangle\", \"points\": {\"exterior\": "
      "[[40, 50], [119, 99]], \"interior\": []}}]}", title);

  return frame_with_json (json, GST_SLY_FRAME_STATUS_INFERRED);
}

/* Test that the class colour is the one of the model meta's class, exactly
 * (BGRx and RGBx), and that a class the model meta lists without a colour,
 * or does not list, keeps its hashed colour. */
GST_START_TEST (test_model_meta_color)
{
  const gchar *titles[] = { "bike", "truck" };
  GstBuffer *out;

  out = run_with_model_meta (MODEL_META, "BGRx", box_of_class ("car"));
  fail_unless_equals_int (pixel_at (out, 40, 75, FALSE), 0xFF8000);
  fail_unless_equals_int (pixel_at (out, 80, 99, FALSE), 0xFF8000);
  gst_buffer_unref (out);
  out = run_with_model_meta (MODEL_META, "RGBx", box_of_class ("car"));
  fail_unless_equals_int (pixel_at (out, 40, 75, TRUE), 0xFF8000);
  gst_buffer_unref (out);

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++) {
    GstBuffer *hashed = run ("draw-labels=false", box_of_class (titles[i]));

    out = run_with_model_meta (MODEL_META, "BGRx", box_of_class (titles[i]));
    fail_unless (pixel_at (hashed, 40, 75, FALSE) != 0);
    fail_unless (pixel_at (hashed, 40, 75, FALSE) != 0xFF8000);
    fail_unless_equals_int (pixel_at (out, 40, 75, FALSE),
        pixel_at (hashed, 40, 75, FALSE));
    gst_buffer_unref (hashed);
    gst_buffer_unref (out);
  }

  /* not a ProjectMeta: hashed colours, nothing fails */
  out = run_with_model_meta ("[1, 2", "BGRx", box_of_class ("car"));
  fail_unless (pixel_at (out, 40, 75, FALSE) != 0);
  fail_unless (pixel_at (out, 40, 75, FALSE) != 0xFF8000);
  gst_buffer_unref (out);
}

GST_END_TEST;

/* Test that, without model-meta set, the class colours are those of the
 * model-meta of the element upstream (here a slyoverlay in a bin, behind
 * another one without model-meta; both draw nothing), as slymodelinfer's
 * would be. */
GST_START_TEST (test_model_meta_upstream)
{
  g_autofree gchar *caps = g_strdup_printf ("video/x-raw, format=BGRx, "
      "width=%d, height=%d, framerate=30/1", W, H);
  GstHarness *h = gst_harness_new_parse ("bin. ( slyoverlay name=up "
      "draw-boxes=false draw-labels=false draw-shapes=false draw-masks=false "
      ") ! slyoverlay name=mid draw-boxes=false draw-labels=false "
      "draw-shapes=false draw-masks=false ! slyoverlay draw-labels=false");
  GstElement *up = gst_bin_get_by_name (GST_BIN (h->element), "up");
  GstBuffer *out;

  fail_unless (up != NULL);
  g_object_set (up, "model-meta", MODEL_META, NULL);
  gst_object_unref (up);
  gst_harness_set_src_caps_str (h, caps);
  out = gst_harness_push_and_pull (h, box_of_class ("car"));
  fail_unless_equals_int (pixel_at (out, 40, 75, FALSE), 0xFF8000);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A grey BGRx frame with a box, its label and a half-opaque mask. */
static GstBuffer *
scene_bgrx (void)
{
  GstBuffer *buf = black_frame ();
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (W, H);
  SlyMask *mask = sly_mask_new (70, 60, 60, 40);
  SlyObject *obj;

  gst_buffer_memset (buf, 0, 0x60, W * H * 4);
  for (gint i = 0; i < 40; i++)
    for (gint j = 0; j < 60; j++)
      mask->data[i * 60 + j] = (i - 20) * (i - 20) + (j - 30) * (j - 30) < 300
          ? 255 : 0;
  obj = sly_annotation_add_object (ann, "person",
      sly_geometry_new_rectangle (20, 40, 90, 100), 0.93);
  obj->track_id = 3;
  sly_annotation_add_object (ann, "ball", sly_geometry_new_bitmap (mask), 0.5);
  gst_buffer_add_sly_prediction_meta (buf, GST_SLY_FRAME_STATUS_INFERRED, ann,
      GST_CLOCK_TIME_NONE, NULL);
  return buf;
}

/* The info of a W x H frame of @format; @colorimetry (e.g. "bt709") or
 * NULL for the default of the size. */
static void
frame_info (GstVideoInfo * info, GstVideoFormat format,
    const gchar * colorimetry)
{
  fail_unless (gst_video_info_set_format (info, format, W, H));
  if (colorimetry && GST_VIDEO_INFO_IS_YUV (info))
    fail_unless (gst_video_colorimetry_from_string (&info->colorimetry,
            colorimetry));
}

static GstBuffer *
convert_frame (GstBuffer * in, GstVideoFormat from, GstVideoFormat to,
    const gchar * colorimetry)
{
  GstVideoInfo in_info, out_info;
  GstVideoFrame in_frame, out_frame;
  GstVideoConverter *conv;
  GstBuffer *out;

  frame_info (&in_info, from, colorimetry);
  frame_info (&out_info, to, colorimetry);
  out = gst_buffer_new_and_alloc (GST_VIDEO_INFO_SIZE (&out_info));
  fail_unless (gst_video_frame_map (&in_frame, &in_info, in, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&out_frame, &out_info, out, GST_MAP_WRITE));
  conv = gst_video_converter_new (&in_info, &out_info,
      gst_structure_new ("config", GST_VIDEO_CONVERTER_OPT_DITHER_METHOD,
          GST_TYPE_VIDEO_DITHER_METHOD, GST_VIDEO_DITHER_NONE, NULL));
  gst_video_converter_frame (conv, &in_frame, &out_frame);
  gst_video_converter_free (conv);
  gst_video_frame_unmap (&in_frame);
  gst_video_frame_unmap (&out_frame);
  return out;
}

/* Component @comp (0: Y, 1: U, 2: V) of pixel (x, y) of a frame of @info */
static guint8
comp_at (GstBuffer * buf, GstVideoInfo * info, gint comp, gint x, gint y)
{
  GstVideoFrame frame;
  guint8 v;
  gint sx = comp ? x >> 1 : x, sy = comp ? y >> 1 : y;

  fail_unless (gst_video_frame_map (&frame, info, buf, GST_MAP_READ));
  v = ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame, comp))[sy *
      GST_VIDEO_FRAME_COMP_STRIDE (&frame, comp) +
      sx * GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, comp)];
  gst_video_frame_unmap (&frame);
  return v;
}

/* Whether the 2x2 chroma block of (x, y) is one colour in @rgb: there
 * chroma subsampling loses nothing. */
static gboolean
flat_block (GstBuffer * rgb, gint x, gint y)
{
  gint bx = x & ~1, by = y & ~1;
  guint32 v = pixel_at (rgb, bx, by, FALSE);

  return pixel_at (rgb, bx + 1, by, FALSE) == v
      && pixel_at (rgb, bx, by + 1, FALSE) == v
      && pixel_at (rgb, bx + 1, by + 1, FALSE) == v;
}

/* Draws the scene on BGRx and on @format in @colorimetry (NULL: the
 * default, BT.601 limited range at this size; the same grey frame
 * converted) and compares the @format output with the BGRx output
 * converted to @format: luma of every pixel within 2 levels; chroma within 2 levels
 * where the BGRx output is one colour over the chroma block (elsewhere the
 * overlay's chroma is the block's mean, a converter's subsampling is not).
 * The pixels drawn are many and so are the blocks compared. */
static void
assert_yuv_matches_rgb (GstVideoFormat format, const gchar * colorimetry)
{
  const gchar *name = gst_video_format_to_string (format);
  GstVideoInfo info;
  GstBuffer *rgb_out = run ("", scene_bgrx ());
  GstBuffer *grey = black_frame (), *in, *yuv_out, *rgb_yuv;
  GstHarness *h;
  GstCaps *caps;
  guint n_flat = 0, n_changed = 0;

  frame_info (&info, format, colorimetry);
  gst_buffer_memset (grey, 0, 0x60, W * H * 4);
  in = convert_frame (grey, GST_VIDEO_FORMAT_BGRx, format, colorimetry);
  gst_buffer_add_sly_prediction_meta (in, GST_SLY_FRAME_STATUS_INFERRED,
      gst_buffer_get_sly_prediction_meta (rgb_out)->annotation,
      GST_CLOCK_TIME_NONE, NULL);
  h = gst_harness_new ("slyoverlay");
  caps = gst_video_info_to_caps (&info);
  gst_harness_set_src_caps (h, caps);
  yuv_out = gst_harness_push_and_pull (h, in);
  fail_unless (yuv_out != NULL);
  rgb_yuv = convert_frame (rgb_out, GST_VIDEO_FORMAT_BGRx, format, colorimetry);

  for (gint y = 0; y < H; y++) {
    for (gint x = 0; x < W; x++) {
      gint dy = (gint) comp_at (yuv_out, &info, 0, x, y) -
          (gint) comp_at (rgb_yuv, &info, 0, x, y);

      fail_unless (ABS (dy) <= 2, "%s (%d, %d): Y %d off", name, x, y, dy);
      n_changed += pixel_at (rgb_out, x, y, FALSE) != 0x606060;
      if ((x & 1) || (y & 1) || !flat_block (rgb_out, x, y))
        continue;
      n_flat++;
      for (gint c = 1; c <= 2; c++) {
        gint d = (gint) comp_at (yuv_out, &info, c, x, y) -
            (gint) comp_at (rgb_yuv, &info, c, x, y);

        fail_unless (ABS (d) <= 2, "%s (%d, %d): %c %d off (BGRx 0x%06x)",
            name, x, y, c == 1 ? 'U' : 'V', d, pixel_at (rgb_out, x, y, FALSE));
      }
    }
  }
  fail_unless (n_changed > 1000, "%u pixels drawn", n_changed);
  fail_unless (n_flat > W * H / 4 * 3 / 4, "%u flat blocks", n_flat);
  gst_buffer_unref (grey);
  gst_buffer_unref (rgb_out);
  gst_buffer_unref (yuv_out);
  gst_buffer_unref (rgb_yuv);
  gst_harness_teardown (h);
}

/* Test that I420 and NV12 frames are drawn on directly and come out as the
 * BGRx path's pixels, within conversion tolerance, in the frame's own
 * matrix and range: BT.601 (SD's default), BT.709 (HD's), BT.601 full
 * range ("1:4:0:0", as JPEG). */
GST_START_TEST (test_yuv_matches_rgb)
{
  assert_yuv_matches_rgb (GST_VIDEO_FORMAT_I420, NULL);
  assert_yuv_matches_rgb (GST_VIDEO_FORMAT_NV12, NULL);
  assert_yuv_matches_rgb (GST_VIDEO_FORMAT_I420, "bt709");
  assert_yuv_matches_rgb (GST_VIDEO_FORMAT_NV12, "bt709");
  assert_yuv_matches_rgb (GST_VIDEO_FORMAT_I420, "1:4:0:0");
}

GST_END_TEST;

/* Frame @n of a scene: a blue-grey gradient with a light ball at
 * (40 + 25 n, 62), radius 16, and, on answered frames, a "car" box around
 * it (orange with MODEL_META). */
static GstBuffer *
ball_frame (gint n, GstSlyFrameStatus status)
{
  GstBuffer *buf = black_frame ();
  cairo_surface_t *s;
  cairo_pattern_t *grad;
  cairo_t *cr;
  GstMapInfo map;
  gint cx = 40 + 25 * n, cy = 62;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  s = cairo_image_surface_create_for_data (map.data, CAIRO_FORMAT_RGB24, W, H,
      W * 4);
  cr = cairo_create (s);
  grad = cairo_pattern_create_linear (0, 0, 0, H);
  cairo_pattern_add_color_stop_rgb (grad, 0, 0.25, 0.30, 0.38);
  cairo_pattern_add_color_stop_rgb (grad, 1, 0.10, 0.12, 0.16);
  cairo_set_source (cr, grad);
  cairo_paint (cr);
  cairo_pattern_destroy (grad);
  cairo_arc (cr, cx, cy, 16, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 0.85, 0.85, 0.80);
  cairo_fill (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  gst_buffer_unmap (buf, &map);

  if (status == GST_SLY_FRAME_STATUS_INFERRED
      || status == GST_SLY_FRAME_STATUS_TRACKER_PREDICTED) {
    g_autoptr (SlyAnnotation) ann = sly_annotation_new (W, H);

    sly_annotation_add_object (ann, "car",
        sly_geometry_new_rectangle (cx - 18, cy - 18, cx + 17, cy + 17), 0.91);
    gst_buffer_add_sly_prediction_meta (buf, status, ann, GST_CLOCK_TIME_NONE,
        "test");
  } else {
    gst_buffer_add_sly_prediction_meta (buf, status, NULL,
        GST_CLOCK_TIME_NONE, "test");
  }
  return at_frame (buf, n);
}

/* Test that a ball scene at 25 fps with hold=100 shows the answer's box on
 * frame 0, the held box (faded, where the ball was) on the unanswered
 * frames 1 and 2, nothing on frame 3, and the next answer's box on frame 4;
 * with SLY_OVERLAY_HOLD_PNG set, writes frames 0 to 3 there as a 2 x 2
 * picture with captions (docs/images/slyoverlay-hold.png). */
GST_START_TEST (test_hold_scene)
{
  const GstSlyFrameStatus status[] = { GST_SLY_FRAME_STATUS_INFERRED,
    GST_SLY_FRAME_STATUS_SKIPPED, GST_SLY_FRAME_STATUS_LATE,
    GST_SLY_FRAME_STATUS_SKIPPED, GST_SLY_FRAME_STATUS_INFERRED,
  };
  const gchar *captions[] = { "0 ms: inferred", "40 ms: skipped, held",
    "80 ms: late, held", "120 ms: skipped, hold over",
  };
  GstHarness *h = overlay_harness ("hold=100 font-desc=\"Sans 8\"", "BGRx");
  GstElement *overlay = gst_harness_find_element (h, "slyoverlay");
  const gchar *png = g_getenv ("SLY_OVERLAY_HOLD_PNG");
  GstBuffer *out[G_N_ELEMENTS (status)];
  const gint cap = 16;

  g_object_set (overlay, "model-meta", MODEL_META, NULL);
  gst_object_unref (overlay);
  for (guint n = 0; n < G_N_ELEMENTS (status); n++) {
    GstBuffer *plain = ball_frame (n, GST_SLY_FRAME_STATUS_SKIPPED);

    out[n] = gst_harness_push_and_pull (h, ball_frame (n, status[n]));
    fail_unless (out[n] != NULL);
    /* the box of frame 0 (ball at x = 40) or 4 (x = 140): its left edge */
    if (n != 3) {
      gint left = n == 4 ? 140 - 18 : 40 - 18;

      fail_if (pixel_at (out[n], left, 62, FALSE) ==
          pixel_at (plain, left, 62, FALSE), "frame %u: no box", n);
    } else {
      GstMapInfo map;

      fail_unless (gst_buffer_map (plain, &map, GST_MAP_READ));
      fail_unless_equals_int (gst_buffer_memcmp (out[n], 0, map.data,
              map.size), 0);
      gst_buffer_unmap (plain, &map);
    }
    gst_buffer_unref (plain);
  }

  if (png) {
    cairo_surface_t *strip = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
        2 * W + 4, 2 * (H + cap) + 4);
    cairo_t *cr = cairo_create (strip);

    cairo_set_source_rgb (cr, 1, 1, 1);
    cairo_paint (cr);
    for (guint n = 0; n < 4; n++) {
      gint x = (n % 2) * (W + 4), y = (n / 2) * (H + cap + 4);
      cairo_surface_t *frame;
      GstMapInfo map;

      fail_unless (gst_buffer_map (out[n], &map, GST_MAP_READ));
      frame = cairo_image_surface_create_for_data (map.data,
          CAIRO_FORMAT_RGB24, W, H, W * 4);
      cairo_set_source_surface (cr, frame, x, y + cap);
      cairo_paint (cr);
      cairo_surface_destroy (frame);
      gst_buffer_unmap (out[n], &map);
      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL,
          CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (cr, 11);
      cairo_move_to (cr, x + 2, y + cap - 4);
      cairo_show_text (cr, captions[n]);
    }
    cairo_destroy (cr);
    fail_unless_equals_int (cairo_surface_write_to_png (strip, png),
        CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy (strip);
  }
  for (guint n = 0; n < G_N_ELEMENTS (status); n++)
    gst_buffer_unref (out[n]);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
slyoverlay_suite (void)
{
  Suite *s = suite_create ("slyoverlay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_box_outline);
  tcase_add_test (tc, test_label);
  tcase_add_test (tc, test_label_contrast);
  tcase_add_test (tc, test_tags);
  tcase_add_test (tc, test_tags_clipped);
  tcase_add_test (tc, test_no_meta_untouched);
  tcase_add_test (tc, test_draw_boxes_false);
  tcase_add_test (tc, test_mask_fill);
  tcase_add_test (tc, test_mask_clipped);
  tcase_add_test (tc, test_no_meta_not_copied);
  tcase_add_test (tc, test_rgbx_colors);
  tcase_add_test (tc, test_refuses_yuy2);
  tcase_add_test (tc, test_tracker_predicted_dashed);
  tcase_add_test (tc, test_color_by);
  tcase_add_test (tc, test_one_label_per_track);
  tcase_add_test (tc, test_render_all_shapes);
  tcase_add_test (tc, test_hold);
  tcase_add_test (tc, test_hold_tracker_predicted);
  tcase_add_test (tc, test_hold_scene);
  tcase_add_test (tc, test_model_meta_color);
  tcase_add_test (tc, test_model_meta_upstream);
  tcase_add_test (tc, test_yuv_matches_rgb);
  return s;
}

GST_CHECK_MAIN (slyoverlay);
