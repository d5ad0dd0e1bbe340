/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 8-connected components of a binary image, and the convex hull of one
 * component: the image processing behind the built-in models.
 */
#ifndef __SLY_COMPONENTS_H__
#define __SLY_COMPONENTS_H__

#include <glib.h>
#include "slyannotation.h"

G_BEGIN_DECLS

typedef struct
{
  guint label;                  /* value of its pixels in the label map */
  guint area;                   /* pixel count */
  SlyBox box;                   /* inclusive */
} SlyComponent;

/* @mask: width * height bytes, non-zero = foreground. Returns the
 * components of at least @min_area pixels (SlyComponent), in raster order of
 * their first (top-most, then left-most) pixel. When @labels is not NULL it
 * receives a width * height label map (0 = background; g_free it). */
GArray *sly_components_find (const guint8 * mask, gint width, gint height,
    guint min_area, guint32 ** labels);

/* Convex hull of the pixel coordinates (x, y) of @comp, clockwise as seen on
 * screen (x right, y down), starting at the left-most, then top-most pixel,
 * without collinear points.
 * Fewer than 3 points when the component is a straight line. */
GArray *sly_component_hull (const SlyComponent * comp, const guint32 * labels,
    gint width);

/* The component's pixels as a mask cropped to its box. */
SlyMask *sly_component_mask (const SlyComponent * comp,
    const guint32 * labels, gint width);

G_END_DECLS

#endif /* __SLY_COMPONENTS_H__ */
