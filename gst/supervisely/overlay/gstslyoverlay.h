/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __GST_SLY_OVERLAY_H__
#define __GST_SLY_OVERLAY_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

/**
 * GstSlyOverlayColorBy:
 * @GST_SLY_OVERLAY_COLOR_BY_CLASS: one colour per class title
 * @GST_SLY_OVERLAY_COLOR_BY_TRACK: one colour per track id (objects without
 *   a track id keep their class colour)
 *
 * What picks the colour of an object drawn by slyoverlay.
 *
 * Since: 0.1
 */
typedef enum
{
  GST_SLY_OVERLAY_COLOR_BY_CLASS,
  GST_SLY_OVERLAY_COLOR_BY_TRACK,
} GstSlyOverlayColorBy;

GType gst_sly_overlay_color_by_get_type (void);
#define GST_TYPE_SLY_OVERLAY_COLOR_BY (gst_sly_overlay_color_by_get_type ())

#define GST_TYPE_SLY_OVERLAY (gst_sly_overlay_get_type ())
G_DECLARE_FINAL_TYPE (GstSlyOverlay, gst_sly_overlay, GST, SLY_OVERLAY,
    GstVideoFilter)

G_END_DECLS

#endif /* __GST_SLY_OVERLAY_H__ */
