/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal helpers shared by the image codecs; not installed.
 */
#ifndef __SLY_IMAGE_PRIVATE_H__
#define __SLY_IMAGE_PRIVATE_H__

#include "slyimage.h"

G_BEGIN_DECLS

/* Decoders refuse anything larger: one side, and the pixel count. */
#define SLY_IMAGE_MAX_SIDE   16384
#define SLY_IMAGE_MAX_PIXELS (100 * 1000 * 1000)

/* Room for a codec library's error text, copied out before longjmp. */
#define SLY_IMAGE_MESSAGE_SIZE 200

G_GNUC_INTERNAL
gboolean sly_image_check_size  (const gchar * what, guint64 width,
                                guint64 height, GError ** error);

G_GNUC_INTERNAL
gboolean sly_image_view_check  (const SlyImageView * view, GError ** error);

G_GNUC_INTERNAL
gint     sly_pixel_format_bpp  (SlyPixelFormat format);

G_END_DECLS

#endif /* __SLY_IMAGE_PRIVATE_H__ */
