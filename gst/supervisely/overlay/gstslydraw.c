/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Drawing helpers of slyoverlay. Masks are blended straight into the frame's
 * bytes (exact per pixel, no surface to allocate); everything else is drawn
 * with cairo on a surface that wraps the frame.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gstslydraw.h"

/* Label text: long class titles are cut, at a character boundary. */
#define LABEL_TITLE_MAX_BYTES 64
#define LABEL_PADDING 2

static SlyDrawColor
color_from_hue (gdouble hue)
{
  /* HSV with S = 0.75, V = 1: bright colours that stand out on video */
  const gdouble s = 0.75, v = 1.0;
  gdouble h6 = fmod (hue, 1.0) * 6.0;
  gdouble f = h6 - floor (h6);
  gdouble p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  SlyDrawColor c;

  switch ((gint) floor (h6) % 6) {
    case 0:
    c = (SlyDrawColor) {
    v, t, p};
      break;
    case 1:
    c = (SlyDrawColor) {
    q, v, p};
      break;
    case 2:
    c = (SlyDrawColor) {
    p, v, t};
      break;
    case 3:
    c = (SlyDrawColor) {
    p, q, v};
      break;
    case 4:
    c = (SlyDrawColor) {
    t, p, v};
      break;
    default:
    c = (SlyDrawColor) {
    v, p, q};
      break;
  }
  return c;
}

/* g_str_hash is the same in every process: a class keeps its colour from
 * run to run and between pipelines. */
SlyDrawColor
sly_draw_color_for_class (const gchar * title)
{
  guint hash = g_str_hash (title ? title : "");

  return color_from_hue ((hash % 360) / 360.0);
}

/* Golden-ratio steps spread consecutive track ids far apart on the wheel. */
SlyDrawColor
sly_draw_color_for_track (gint64 track_id)
{
  gdouble hue = fmod ((gdouble) (guint64) track_id * 0.618033988749895, 1.0);

  return color_from_hue (hue);
}

static inline guint8
blend_byte (guint8 dst, guint8 src, guint alpha)
{
  return (dst * (255 - alpha) + src * alpha + 127) / 255;
}

static inline guint8
color_byte (gdouble v)
{
  return (guint8) (CLAMP (v, 0.0, 1.0) * 255.0 + 0.5);
}

void
sly_draw_blend_mask (GstVideoFrame * frame, const SlyMask * mask,
    gboolean alpha_mask, const SlyDrawColor * color, gdouble opacity)
{
  guint8 *pixels = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  guint off_r = GST_VIDEO_FRAME_COMP_POFFSET (frame, GST_VIDEO_COMP_R);
  guint off_g = GST_VIDEO_FRAME_COMP_POFFSET (frame, GST_VIDEO_COMP_G);
  guint off_b = GST_VIDEO_FRAME_COMP_POFFSET (frame, GST_VIDEO_COMP_B);
  guint8 r = color_byte (color->r), g = color_byte (color->g);
  guint8 b = color_byte (color->b);
  guint op = color_byte (opacity);
  /* 64-bit bounds: origins come from untrusted JSON */
  gint64 x0 = MAX (0, (gint64) mask->origin_x);
  gint64 y0 = MAX (0, (gint64) mask->origin_y);
  gint64 x1 = MIN ((gint64) GST_VIDEO_FRAME_WIDTH (frame),
      (gint64) mask->origin_x + mask->width);
  gint64 y1 = MIN ((gint64) GST_VIDEO_FRAME_HEIGHT (frame),
      (gint64) mask->origin_y + mask->height);

  if (op == 0 || !mask->data)
    return;

  for (gint64 y = y0; y < y1; y++) {
    const guint8 *row = mask->data + (y - mask->origin_y) * mask->width;
    guint8 *line = pixels + y * stride;

    for (gint64 x = x0; x < x1; x++) {
      guint m = row[x - mask->origin_x];
      guint a = alpha_mask ? (op * m + 127) / 255 : (m ? op : 0);
      guint8 *p = line + x * 4;

      if (a == 0)
        continue;
      p[off_r] = blend_byte (p[off_r], r, a);
      p[off_g] = blend_byte (p[off_g], g, a);
      p[off_b] = blend_byte (p[off_b], b, a);
    }
  }
}

static void
set_source (SlyDrawContext * ctx, const SlyDrawColor * c, gdouble alpha)
{
  if (ctx->swap_rb)
    cairo_set_source_rgba (ctx->cr, c->b, c->g, c->r, alpha);
  else
    cairo_set_source_rgba (ctx->cr, c->r, c->g, c->b, alpha);
}

/* Pixel (x, y) covers [x, x + 1): paths run through pixel centres so a
 * 1-pixel line lands on exactly the pixels of the annotation. */
static void
path_points (cairo_t * cr, const GArray * points, gboolean close)
{
  for (guint i = 0; points && i < points->len; i++) {
    const SlyPoint *p = &g_array_index (points, SlyPoint, i);

    if (i == 0)
      cairo_move_to (cr, p->x + 0.5, p->y + 0.5);
    else
      cairo_line_to (cr, p->x + 0.5, p->y + 0.5);
  }
  if (close && points && points->len > 0)
    cairo_close_path (cr);
}

static void
path_contour (cairo_t * cr, const SlyContour * contour)
{
  path_points (cr, contour->exterior, TRUE);
  for (guint i = 0; contour->interior && i < contour->interior->len; i++)
    path_points (cr, g_ptr_array_index (contour->interior, i), TRUE);
}

static void
fill_and_stroke (SlyDrawContext * ctx, gboolean fill,
    const SlyDrawColor * color)
{
  if (fill && ctx->fill_opacity > 0) {
    set_source (ctx, color, ctx->fill_opacity);
    cairo_set_fill_rule (ctx->cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_fill_preserve (ctx->cr);
  }
  set_source (ctx, color, 1.0);
  cairo_stroke (ctx->cr);
}

static void
draw_dot (SlyDrawContext * ctx, const SlyPoint * p, const SlyDrawColor * color)
{
  gdouble radius = MAX (2.0, ctx->line_width * 1.5);

  cairo_new_sub_path (ctx->cr);
  cairo_arc (ctx->cr, p->x + 0.5, p->y + 0.5, radius, 0, 2 * G_PI);
  set_source (ctx, color, 1.0);
  cairo_fill (ctx->cr);
}

void
sly_draw_box (SlyDrawContext * ctx, const SlyBox * box,
    const SlyDrawColor * color)
{
  cairo_rectangle (ctx->cr, box->left + 0.5, box->top + 0.5,
      (gdouble) box->right - box->left, (gdouble) box->bottom - box->top);
  fill_and_stroke (ctx, FALSE, color);
}

static void
draw_oriented_box (SlyDrawContext * ctx, const SlyGeometry * geometry,
    const SlyDrawColor * color)
{
  const GArray *pts = geometry->contour.exterior;
  const SlyPoint *a, *b;

  if (!pts || pts->len < 2)
    return;
  a = &g_array_index (pts, SlyPoint, 0);
  b = &g_array_index (pts, SlyPoint, 1);

  /* the two points span the box before rotation about its centre */
  cairo_save (ctx->cr);
  cairo_translate (ctx->cr, (a->x + b->x) / 2.0 + 0.5,
      (a->y + b->y) / 2.0 + 0.5);
  cairo_rotate (ctx->cr, geometry->angle);
  cairo_rectangle (ctx->cr, -(b->x - a->x) / 2.0, -(b->y - a->y) / 2.0,
      (gdouble) b->x - a->x, (gdouble) b->y - a->y);
  cairo_restore (ctx->cr);
  fill_and_stroke (ctx, FALSE, color);
}

/* Polygons, lines, points, keypoints and oriented boxes; rectangles are
 * boxes and masks are blended, so both are left to the caller. */
void
sly_draw_shape (SlyDrawContext * ctx, const SlyGeometry * geometry,
    gboolean fill, const SlyDrawColor * color)
{
  switch (geometry->type) {
    case SLY_GEOMETRY_POLYGON:
      path_contour (ctx->cr, &geometry->contour);
      fill_and_stroke (ctx, fill, color);
      break;
    case SLY_GEOMETRY_MULTIPOLYGON:
      for (guint i = 0; geometry->parts && i < geometry->parts->len; i++)
        path_contour (ctx->cr, g_ptr_array_index (geometry->parts, i));
      fill_and_stroke (ctx, fill, color);
      break;
    case SLY_GEOMETRY_LINE:
      path_points (ctx->cr, geometry->contour.exterior, FALSE);
      fill_and_stroke (ctx, FALSE, color);
      break;
    case SLY_GEOMETRY_POINT:
      if (geometry->contour.exterior && geometry->contour.exterior->len > 0)
        draw_dot (ctx, &g_array_index (geometry->contour.exterior, SlyPoint,
                0), color);
      break;
    case SLY_GEOMETRY_GRAPH:
      for (guint i = 0; geometry->nodes && i < geometry->nodes->len; i++) {
        const SlyGraphNode *node = g_ptr_array_index (geometry->nodes, i);

        if (!node->disabled)
          draw_dot (ctx, &node->loc, color);
      }
      break;
    case SLY_GEOMETRY_ORIENTED_BBOX:
      draw_oriented_box (ctx, geometry, color);
      break;
    default:
      break;
  }
}

static gboolean
has_score (const SlyObject * obj)
{
  /* the tags the SDK reads a score from; without one the 1.0 default is
   * not a prediction's confidence and is not shown */
  return sly_object_find_tag (obj, "confidence") != NULL
      || sly_object_find_tag (obj, "conf") != NULL
      || sly_object_find_tag (obj, "score") != NULL;
}

/* "<class> 0.87 #12" into a caller's buffer: no allocation per object. */
void
sly_draw_format_label (const SlyObject * obj, gchar * buf, gsize size)
{
  const gchar *title = obj->class_title ? obj->class_title : "";
  const gchar *end = NULL;
  gsize len;

  g_utf8_validate (title, MIN (strlen (title), LABEL_TITLE_MAX_BYTES), &end);
  len = g_snprintf (buf, size, "%.*s", (gint) (end - title), title);
  if (len < size && has_score (obj))
    len += g_snprintf (buf + len, size - len, " %.2f", obj->confidence);
  if (len < size && obj->track_id != 0)
    g_snprintf (buf + len, size - len, " #%" G_GINT64_FORMAT, obj->track_id);
}

/* The label sits on a band of the object's colour above the box's top-left
 * corner, or just inside the box when there is no room above. */
void
sly_draw_label (SlyDrawContext * ctx, const gchar * text, const SlyBox * box,
    const SlyDrawColor * color)
{
  cairo_surface_t *target = cairo_get_target (ctx->cr);
  gint frame_width = cairo_image_surface_get_width (target);
  PangoRectangle logical;
  gdouble w, h, x, y, luma;
  SlyDrawColor ink;

  pango_layout_set_text (ctx->layout, text, -1);
  pango_layout_get_pixel_extents (ctx->layout, NULL, &logical);
  w = logical.width + 2 * LABEL_PADDING;
  h = logical.height;
  x = CLAMP ((gdouble) box->left, 0.0, MAX (0.0, frame_width - w));
  y = box->top - h >= 0 ? box->top - h : MAX (0, box->top);

  cairo_rectangle (ctx->cr, x, y, w, h);
  set_source (ctx, color, 1.0);
  cairo_fill (ctx->cr);

  luma = 0.299 * color->r + 0.587 * color->g + 0.114 * color->b;
  ink = luma > 0.5 ? (SlyDrawColor) {
  0, 0, 0} : (SlyDrawColor) {
  1, 1, 1};
  set_source (ctx, &ink, 1.0);
  cairo_move_to (ctx->cr, x + LABEL_PADDING - logical.x, y - logical.y);
  pango_cairo_show_layout (ctx->cr, ctx->layout);
}
