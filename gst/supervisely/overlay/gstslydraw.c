/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Drawing helpers of slyoverlay. Everything is drawn on a premultiplied
 * ARGB32 surface (the overlay) that the element then blends into the frame:
 * masks straight into its bytes (exact per pixel), the rest with cairo.
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
/* Tag lines: names and string values are cut there, marked with "…" */
#define TAG_NAME_MAX_BYTES 32
#define TAG_VALUE_MAX_BYTES 48
#define ELLIPSIS "\xe2\x80\xa6"

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

/* Premultiplied ARGB32 pixel (cairo's layout, a native-endian word) with
 * colour bytes r, g, b at alpha a blended over it. */
static inline guint32
blend_premultiplied (guint32 px, guint8 r, guint8 g, guint8 b, guint a)
{
  return (guint32) blend_byte (px >> 24, 255, a) << 24 |
      (guint32) blend_byte ((px >> 16) & 0xff, r, a) << 16 |
      (guint32) blend_byte ((px >> 8) & 0xff, g, a) << 8 |
      blend_byte (px & 0xff, b, a);
}

void
sly_draw_blend_mask (cairo_surface_t * surface, gint origin_x,
    gint origin_y, gboolean swap_rb, const SlyMask * mask,
    gboolean alpha_mask, const SlyDrawColor * color, gdouble opacity)
{
  guint8 *pixels = cairo_image_surface_get_data (surface);
  gint stride = cairo_image_surface_get_stride (surface);
  guint8 r = color_byte (swap_rb ? color->b : color->r);
  guint8 g = color_byte (color->g);
  guint8 b = color_byte (swap_rb ? color->r : color->b);
  guint op = color_byte (opacity);
  /* in frame coordinates, 64-bit: origins come from untrusted JSON */
  gint64 x0 = MAX ((gint64) origin_x, (gint64) mask->origin_x);
  gint64 y0 = MAX ((gint64) origin_y, (gint64) mask->origin_y);
  gint64 x1 = MIN ((gint64) origin_x + cairo_image_surface_get_width (surface),
      (gint64) mask->origin_x + mask->width);
  gint64 y1 = MIN ((gint64) origin_y + cairo_image_surface_get_height (surface),
      (gint64) mask->origin_y + mask->height);

  if (op == 0 || !mask->data || !pixels)
    return;

  cairo_surface_flush (surface);
  for (gint64 y = y0; y < y1; y++) {
    const guint8 *row = mask->data + (y - mask->origin_y) * mask->width;
    guint32 *line = (guint32 *) (pixels + (y - origin_y) * stride);

    for (gint64 x = x0; x < x1; x++) {
      guint m = row[x - mask->origin_x];
      guint a = alpha_mask ? (op * m + 127) / 255 : (m ? op : 0);
      guint32 *p = line + (x - origin_x);

      if (a != 0)
        *p = blend_premultiplied (*p, r, g, b, a);
    }
  }
  cairo_surface_mark_dirty (surface);
}

/* One pixel of the overlay as Y, U and V premultiplied by its alpha (0 to
 * 255 each, a in 0..1): what it adds to the frame where it covers it. */
typedef struct
{
  gdouble kr, kg, kb;           /* luma weights of the frame's matrix */
  gdouble off[3], scale[3];     /* of Y, U, V: the frame's range */
} YuvMatrix;

static void
yuv_matrix_init (YuvMatrix * m, const GstVideoInfo * info)
{
  gint off[GST_VIDEO_MAX_COMPONENTS], scale[GST_VIDEO_MAX_COMPONENTS];

  if (!gst_video_color_matrix_get_Kr_Kb (info->colorimetry.matrix, &m->kr,
          &m->kb)) {
    m->kr = 0.299;
    m->kb = 0.114;
  }
  m->kg = 1.0 - m->kr - m->kb;
  gst_video_color_range_offsets (info->colorimetry.range, info->finfo, off,
      scale);
  for (gint c = 0; c < 3; c++) {
    m->off[c] = off[c];
    m->scale[c] = scale[c];
  }
}

/* @px premultiplied ARGB32; yuv[] gets Y, U, V times alpha, alpha 0..1 */
static inline gdouble
premultiplied_yuv (const YuvMatrix * m, guint32 px, gdouble yuv[3])
{
  gdouble a = (px >> 24) / 255.0;
  gdouble r = ((px >> 16) & 0xff) / 255.0, g = ((px >> 8) & 0xff) / 255.0;
  gdouble b = (px & 0xff) / 255.0;
  gdouble y = m->kr * r + m->kg * g + m->kb * b;

  yuv[0] = m->off[0] * a + m->scale[0] * y;
  yuv[1] = m->off[1] * a + m->scale[1] * (b - y) / (2 * (1 - m->kb));
  yuv[2] = m->off[2] * a + m->scale[2] * (r - y) / (2 * (1 - m->kr));
  return a;
}

static inline guint8
clamp_byte (gdouble v)
{
  return (guint8) CLAMP (v + 0.5, 0.0, 255.0);
}

/* The overlay, a premultiplied ARGB32 surface whose pixel (0, 0) lies on
 * the frame's (x0, y0), blended into an 8-bit planar or semi-planar YUV
 * frame at @alpha, in the frame's own matrix and range. Luma is blended per
 * pixel; chroma per subsampled block, with the mean of the block's
 * premultiplied chroma and alpha (the box filter of a good downscaler). */
void
sly_draw_composite_yuv (GstVideoFrame * frame, cairo_surface_t * surface,
    gint x0, gint y0, gdouble alpha)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  const guint8 *pixels = cairo_image_surface_get_data (surface);
  gint stride = cairo_image_surface_get_stride (surface);
  gint sw = cairo_image_surface_get_width (surface);
  gint sh = cairo_image_surface_get_height (surface);
  gint fw = GST_VIDEO_FRAME_WIDTH (frame), fh = GST_VIDEO_FRAME_HEIGHT (frame);
  gint ws = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, 1);
  gint hs = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, 1);
  gint x1 = MIN (fw, x0 + sw), y1 = MIN (fh, y0 + sh);
  guint8 *ydata = GST_VIDEO_FRAME_COMP_DATA (frame, 0);
  gint ystride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
  YuvMatrix m;

  if (!pixels || alpha <= 0)
    return;
  yuv_matrix_init (&m, &frame->info);
  cairo_surface_flush (surface);

  /* luma */
  for (gint y = MAX (0, y0); y < y1; y++) {
    const guint32 *line = (const guint32 *) (pixels + (y - y0) * stride);
    guint8 *out = ydata + y * ystride;

    for (gint x = MAX (0, x0); x < x1; x++) {
      guint32 px = line[x - x0];
      gdouble yuv[3], a;

      if ((px >> 24) == 0)
        continue;
      a = premultiplied_yuv (&m, px, yuv) * alpha;
      out[x] = clamp_byte (out[x] * (1 - a) + yuv[0] * alpha);
    }
  }

  /* chroma: the blocks the overlay touches */
  for (gint cy = MAX (0, y0) >> hs; cy <= (y1 - 1) >> hs; cy++) {
    guint8 *u = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (frame, 1) +
        cy * GST_VIDEO_FRAME_COMP_STRIDE (frame, 1);
    guint8 *v = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (frame, 2) +
        cy * GST_VIDEO_FRAME_COMP_STRIDE (frame, 2);
    gint upstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 1);
    gint vpstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 2);

    for (gint cx = MAX (0, x0) >> ws; cx <= (x1 - 1) >> ws; cx++) {
      gdouble sum_a = 0, sum_u = 0, sum_v = 0;
      gint n = 0;

      for (gint y = cy << hs; y < MIN (fh, (cy + 1) << hs); y++) {
        for (gint x = cx << ws; x < MIN (fw, (cx + 1) << ws); x++) {
          guint32 px;
          gdouble yuv[3];

          n++;
          if (y < y0 || y >= y1 || x < x0 || x >= x1)
            continue;
          px = ((const guint32 *) (pixels + (y - y0) * stride))[x - x0];
          if ((px >> 24) == 0)
            continue;
          sum_a += premultiplied_yuv (&m, px, yuv);
          sum_u += yuv[1];
          sum_v += yuv[2];
        }
      }
      if (sum_a == 0 || n == 0)
        continue;
      sum_a *= alpha / n;
      u[cx * upstride] = clamp_byte (u[cx * upstride] * (1 - sum_a) +
          sum_u * alpha / n);
      v[cx * vpstride] = clamp_byte (v[cx * vpstride] * (1 - sum_a) +
          sum_v * alpha / n);
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

/* Sets the layout's text to @text and places its band with the top at @y
 * and the left at @left, moved left when it would leave the frame. */
static void
band_at (SlyDrawContext * ctx, const gchar * text, gdouble left, gdouble y,
    SlyDrawRect * band)
{
  PangoRectangle logical;

  pango_layout_set_text (ctx->layout, text, -1);
  pango_layout_get_pixel_extents (ctx->layout, NULL, &logical);
  band->width = logical.width + 2 * LABEL_PADDING;
  band->height = logical.height;
  band->x = CLAMP (left, 0.0, MAX (0.0, ctx->frame_width - band->width));
  band->y = y;
  band->text_x = band->x + LABEL_PADDING - logical.x;
  band->text_y = band->y - logical.y;
}

/* The label sits on a band of the object's colour above the box's top-left
 * corner, or just inside the box when there is no room above; moved left
 * when it would leave the frame. Sets the layout's text. */
void
sly_draw_label_extents (SlyDrawContext * ctx, const gchar * text,
    const SlyBox * box, SlyDrawRect * band)
{
  band_at (ctx, text, box->left, 0, band);
  band->y = box->top - band->height >= 0 ? box->top - band->height :
      MAX (0, box->top);
  band->text_y += band->y;
}

/* The band in @color and the layout's text on it, black or white, whichever
 * reads better. */
static void
draw_band (SlyDrawContext * ctx, const SlyDrawRect * band,
    const SlyDrawColor * color)
{
  gdouble luma;
  SlyDrawColor ink;

  cairo_rectangle (ctx->cr, band->x, band->y, band->width, band->height);
  set_source (ctx, color, 1.0);
  cairo_fill (ctx->cr);

  luma = 0.299 * color->r + 0.587 * color->g + 0.114 * color->b;
  ink = luma > 0.5 ? (SlyDrawColor) {
  0, 0, 0} : (SlyDrawColor) {
  1, 1, 1};
  set_source (ctx, &ink, 1.0);
  cairo_move_to (ctx->cr, band->text_x, band->text_y);
  pango_cairo_show_layout (ctx->cr, ctx->layout);
}

void
sly_draw_label (SlyDrawContext * ctx, const gchar * text, const SlyBox * box,
    const SlyDrawColor * color, SlyDrawRect * band)
{
  SlyDrawRect own;

  if (band == NULL)
    band = &own;
  sly_draw_label_extents (ctx, text, box, band);
  draw_band (ctx, band, color);
}

/* Appends @text to @buf, which holds @len bytes, cut to @max bytes at a
 * character boundary (and before any invalid UTF-8), "…" marking a cut.
 * Returns the new length; never writes beyond @size. */
static gsize
append_cut (gchar * buf, gsize len, gsize size, const gchar * text, gsize max)
{
  gsize n = strlen (text);
  const gchar *end = NULL;

  if (len + 1 >= size)
    return len;
  g_utf8_validate (text, MIN (n, max), &end);
  len += g_snprintf (buf + len, size - len, "%.*s%s", (gint) (end - text),
      text, (gsize) (end - text) < n ? ELLIPSIS : "");
  return MIN (len, size - 1);
}

/* The shortest text that reads back as @v: 0.5, 3, 0.1 (not
 * 0.10000000000000001). */
static void
format_number (gdouble v, gchar * buf, gsize size)
{
  gchar format[8];

  for (gint digits = 1; digits <= 17; digits++) {
    g_snprintf (format, sizeof (format), "%%.%dg", digits);
    g_ascii_formatd (buf, size, format, v);
    if (g_ascii_strtod (buf, NULL) == v)
      return;
  }
}

gboolean
sly_draw_format_tag (const SlyTag * tag, gchar * buf, gsize size)
{
  JsonNode *value = tag->value;
  gchar number[G_ASCII_DTOSTR_BUF_SIZE];
  const gchar *text = NULL;
  gsize len;

  if (size == 0 || tag->name == NULL || sly_tag_name_is_score (tag->name))
    return FALSE;
  buf[0] = '\0';
  len = append_cut (buf, 0, size, tag->name, TAG_NAME_MAX_BYTES);
  if (value && JSON_NODE_HOLDS_VALUE (value)) {
    switch (json_node_get_value_type (value)) {
      case G_TYPE_STRING:
        text = json_node_get_string (value);
        break;
      case G_TYPE_INT64:
        g_snprintf (number, sizeof (number), "%" G_GINT64_FORMAT,
            json_node_get_int (value));
        text = number;
        break;
      case G_TYPE_DOUBLE:
        format_number (json_node_get_double (value), number, sizeof (number));
        text = number;
        break;
      case G_TYPE_BOOLEAN:
        text = json_node_get_boolean (value) ? "true" : "false";
        break;
      default:
        break;
    }
  }
  /* null, objects and arrays (not tag values Supervisely knows): the name */
  if (text) {
    len = append_cut (buf, len, size, ": ", 2);
    append_cut (buf, len, size, text, TAG_VALUE_MAX_BYTES);
  }
  return TRUE;
}

void
sly_draw_tags (SlyDrawContext * ctx, const SlyObject * obj,
    const SlyDrawRect * label, const SlyDrawColor * color, SlyDrawRect * extent)
{
  gdouble y = label->y + label->height;
  gdouble x0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y0 = y;
  gchar line[128];

  for (guint i = 0; obj->tags && i < obj->tags->len && y < ctx->frame_height;
      i++) {
    SlyDrawRect band;

    if (!sly_draw_format_tag (g_ptr_array_index (obj->tags, i), line,
            sizeof (line)))
      continue;
    band_at (ctx, line, label->x, y, &band);
    if (color)
      draw_band (ctx, &band, color);
    x0 = MIN (x0, band.x);
    x1 = MAX (x1, band.x + band.width);
    y += band.height;
  }
  if (extent)
    *extent = (SlyDrawRect) {
    .x = x0 <= x1 ? x0 : label->x,.y = y0,.width =
        x0 <= x1 ? x1 - x0 : 0,.height = y - y0};
}
