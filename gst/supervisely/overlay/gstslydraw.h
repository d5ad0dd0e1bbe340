/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Drawing helpers of slyoverlay: colours, mask blending and the cairo/pango
 * drawing of one annotation object. No element state in here.
 */
#ifndef __GST_SLY_DRAW_H__
#define __GST_SLY_DRAW_H__

#include <gst/video/video.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include "slyannotation.h"

G_BEGIN_DECLS
/* 0..1 per channel, in RGB order whatever the frame's layout */
    typedef struct
{
  gdouble r;
  gdouble g;
  gdouble b;
} SlyDrawColor;

/* What one frame is drawn with: the cairo context on the overlay surface
 * (translated so that it draws in frame coordinates) and the settings
 * copied from the element's properties. */
typedef struct
{
  cairo_t *cr;
  PangoLayout *layout;
  gint frame_width;
  gint frame_height;
  gboolean swap_rb;             /* frame is RGBx/RGBA, cairo thinks BGRx */
  gdouble line_width;
  gboolean dashed;
  gdouble fill_opacity;
} SlyDrawContext;

/* A label's band and where its text starts, in frame pixels */
typedef struct
{
  gdouble x, y, width, height;
  gdouble text_x, text_y;
} SlyDrawRect;

G_GNUC_INTERNAL SlyDrawColor sly_draw_color_for_class (const gchar * title);
G_GNUC_INTERNAL SlyDrawColor sly_draw_color_for_track (gint64 track_id);

/* Blends @mask into a premultiplied ARGB32 @surface whose pixel (0, 0)
 * lies on the frame's (origin_x, origin_y). */
G_GNUC_INTERNAL void sly_draw_blend_mask (cairo_surface_t * surface,
    gint origin_x, gint origin_y, gboolean swap_rb, const SlyMask * mask,
    gboolean alpha_mask, const SlyDrawColor * color, gdouble opacity);

G_GNUC_INTERNAL void sly_draw_composite_yuv (GstVideoFrame * frame,
    cairo_surface_t * surface, gint x0, gint y0, gdouble alpha);

G_GNUC_INTERNAL void sly_draw_box (SlyDrawContext * ctx, const SlyBox * box,
    const SlyDrawColor * color);

G_GNUC_INTERNAL void sly_draw_shape (SlyDrawContext * ctx,
    const SlyGeometry * geometry, gboolean fill, const SlyDrawColor * color);

G_GNUC_INTERNAL void sly_draw_format_label (const SlyObject * obj,
    gchar * buf, gsize size);

G_GNUC_INTERNAL void sly_draw_label_extents (SlyDrawContext * ctx,
    const gchar * text, const SlyBox * box, SlyDrawRect * band);

/* Draws the label; its band into @band when not NULL. */
G_GNUC_INTERNAL void sly_draw_label (SlyDrawContext * ctx, const gchar * text,
    const SlyBox * box, const SlyDrawColor * color, SlyDrawRect * band);

/* "name: value" of a tag (the name alone for a tag without value) into a
 * caller's buffer of at least 128 bytes; FALSE for the score tags
 * (confidence, conf, score), which are not drawn as tags. */
G_GNUC_INTERNAL gboolean sly_draw_format_tag (const SlyTag * tag,
    gchar * buf, gsize size);

/* The tag lines of @obj, one per tag, each on a band under the one before,
 * the first under @label; lines that would start below the frame are left
 * out. Draws them in @color unless it is NULL; the part of the frame they
 * cover goes into @extent (width 0 when there are none) when not NULL. */
G_GNUC_INTERNAL void sly_draw_tags (SlyDrawContext * ctx,
    const SlyObject * obj, const SlyDrawRect * label,
    const SlyDrawColor * color, SlyDrawRect * extent);

G_END_DECLS
#endif /* __GST_SLY_DRAW_H__ */
