/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sliding windows on the client, for servers that do not run them
 * (sliding_window_support "none"): the frame is cut into overlapping
 * tiles, sent as the regions of one request, and the objects a tile border
 * cut in pieces (or that two overlapping tiles both saw) are merged back
 * into one.
 */
#ifndef __GST_SLY_TILES_H__
#define __GST_SLY_TILES_H__

#include <gst/video/video.h>
#include "slyannotation.h"

G_BEGIN_DECLS

/* The tiles (GstVideoRectangle) covering a @width x @height frame with
 * windows of @tile_width x @tile_height that overlap by @overlap pixels;
 * the last tile of a row or column is moved back to end at the frame's
 * edge (the server's "shift_window"). A window larger than the frame is
 * cut to it; at most 16 windows go along each axis (they overlap more
 * than asked when more would be needed). */
GArray *gst_sly_tiles_grid (gint width, gint height, gint tile_width,
    gint tile_height, gint overlap);

/* Drops each object of @ann that lies mostly (over half of its box) inside
 * a larger object of the same class: what is left of the same object in
 * the tiles that saw only a part of it, or all of it twice. */
void gst_sly_tiles_merge (SlyAnnotation * ann);

G_END_DECLS

#endif /* __GST_SLY_TILES_H__ */
