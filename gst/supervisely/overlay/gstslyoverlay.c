/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-slyoverlay
 * @title: slyoverlay
 *
 * Draws the predictions that slymodelinfer attaches to each frame
 * (#GstSlyPredictionMeta) onto the raw video: boxes, polygons, lines,
 * points and keypoints, bitmap masks as translucent fills, and a label with
 * the class, the confidence and the track id. Frames predicted by the
 * tracker's motion model (status tracker-predicted) are drawn with dashed
 * lines. Frames without predictions pass untouched and are not copied.
 *
 * Draws into packed 32-bit RGB the way cairo stores it (BGRx/BGRA on
 * little-endian machines); put videoconvert in front for other formats.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! \
 *     slymodelinfer server-address=http://localhost:8000 ! \
 *     videoconvert ! slyoverlay ! videoconvert ! autovideosink
 * ]|
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyoverlay.h"
#include "gstslydraw.h"
#include "gstslypredictionmeta.h"
#include "../gstslyelements.h"

GST_DEBUG_CATEGORY_STATIC (gst_sly_overlay_debug);
#define GST_CAT_DEFAULT gst_sly_overlay_debug

#define DEFAULT_DRAW_BOXES TRUE
#define DEFAULT_DRAW_MASKS TRUE
#define DEFAULT_DRAW_SHAPES TRUE
#define DEFAULT_DRAW_LABELS TRUE
#define DEFAULT_LINE_WIDTH 2.0
#define DEFAULT_FONT_DESC "Sans 10"
#define DEFAULT_MASK_OPACITY 0.5
#define DEFAULT_COLOR_BY GST_SLY_OVERLAY_COLOR_BY_CLASS

#define LABEL_MAX_BYTES 128

/* The formats cairo draws into without conversion: CAIRO_FORMAT_RGB24 and
 * ARGB32 are native-endian 32-bit words. The RGB-ordered ones are drawn
 * with red and blue swapped in every colour handed to cairo. */
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define OVERLAY_FORMATS "{ BGRx, BGRA, RGBx, RGBA }"
#else
#define OVERLAY_FORMATS "{ xRGB, ARGB, xBGR, ABGR }"
#endif

enum
{
  PROP_0,
  PROP_DRAW_BOXES,
  PROP_DRAW_MASKS,
  PROP_DRAW_SHAPES,
  PROP_DRAW_LABELS,
  PROP_LINE_WIDTH,
  PROP_FONT_DESC,
  PROP_MASK_OPACITY,
  PROP_COLOR_BY,
};

/* What one frame is drawn with, copied under the object lock. */
typedef struct
{
  gboolean draw_boxes;
  gboolean draw_masks;
  gboolean draw_shapes;
  gboolean draw_labels;
  gdouble line_width;
  gdouble mask_opacity;
  GstSlyOverlayColorBy color_by;
} OverlaySettings;

struct _GstSlyOverlay
{
  GstVideoFilter parent;

  /* properties, under the object lock */
  OverlaySettings settings;
  gchar *font_desc;
  gboolean font_changed;

  /* streaming thread only */
  cairo_format_t cairo_format;
  gboolean swap_rb;
  PangoFontMap *font_map;
  PangoContext *pango_context;
  PangoLayout *layout;
};

G_DEFINE_TYPE_WITH_CODE (GstSlyOverlay, gst_sly_overlay,
    GST_TYPE_VIDEO_FILTER,
    GST_DEBUG_CATEGORY_INIT (gst_sly_overlay_debug, "slyoverlay", 0,
        "Draws Supervisely predictions onto video"));

GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (slyoverlay, "slyoverlay",
    GST_RANK_NONE, GST_TYPE_SLY_OVERLAY, sly_element_init (plugin));

GType
gst_sly_overlay_color_by_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    {GST_SLY_OVERLAY_COLOR_BY_CLASS, "One colour per class", "class"},
    {GST_SLY_OVERLAY_COLOR_BY_TRACK, "One colour per track id", "track"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstSlyOverlayColorBy", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (OVERLAY_FORMATS)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (OVERLAY_FORMATS)));

static void
gst_sly_overlay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (object);
  OverlaySettings *s = &self->settings;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DRAW_BOXES:
      s->draw_boxes = g_value_get_boolean (value);
      break;
    case PROP_DRAW_MASKS:
      s->draw_masks = g_value_get_boolean (value);
      break;
    case PROP_DRAW_SHAPES:
      s->draw_shapes = g_value_get_boolean (value);
      break;
    case PROP_DRAW_LABELS:
      s->draw_labels = g_value_get_boolean (value);
      break;
    case PROP_LINE_WIDTH:
      s->line_width = g_value_get_double (value);
      break;
    case PROP_FONT_DESC:
      g_free (self->font_desc);
      self->font_desc = g_value_dup_string (value);
      self->font_changed = TRUE;
      break;
    case PROP_MASK_OPACITY:
      s->mask_opacity = g_value_get_double (value);
      break;
    case PROP_COLOR_BY:
      s->color_by = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sly_overlay_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (object);
  OverlaySettings *s = &self->settings;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DRAW_BOXES:
      g_value_set_boolean (value, s->draw_boxes);
      break;
    case PROP_DRAW_MASKS:
      g_value_set_boolean (value, s->draw_masks);
      break;
    case PROP_DRAW_SHAPES:
      g_value_set_boolean (value, s->draw_shapes);
      break;
    case PROP_DRAW_LABELS:
      g_value_set_boolean (value, s->draw_labels);
      break;
    case PROP_LINE_WIDTH:
      g_value_set_double (value, s->line_width);
      break;
    case PROP_FONT_DESC:
      g_value_set_string (value, self->font_desc);
      break;
    case PROP_MASK_OPACITY:
      g_value_set_double (value, s->mask_opacity);
      break;
    case PROP_COLOR_BY:
      g_value_set_enum (value, s->color_by);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* The pango objects live from start to stop and are reused by every frame:
 * each label only resets the layout's text. */
static gboolean
gst_sly_overlay_start (GstBaseTransform * trans)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (trans);

  self->font_map = pango_cairo_font_map_new ();
  self->pango_context = pango_font_map_create_context (self->font_map);
  self->layout = pango_layout_new (self->pango_context);
  pango_layout_set_single_paragraph_mode (self->layout, TRUE);

  GST_OBJECT_LOCK (self);
  self->font_changed = TRUE;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_sly_overlay_stop (GstBaseTransform * trans)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (trans);

  g_clear_object (&self->layout);
  g_clear_object (&self->pango_context);
  g_clear_object (&self->font_map);
  return TRUE;
}

static gboolean
gst_sly_overlay_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (filter);
  const GstVideoFormatInfo *finfo = in_info->finfo;

  /* cairo's layout: B, G, R in the low bytes of a native-endian word */
  self->cairo_format = GST_VIDEO_FORMAT_INFO_HAS_ALPHA (finfo) ?
      CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24;
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  self->swap_rb = GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_R) == 0;
#else
  self->swap_rb = GST_VIDEO_FORMAT_INFO_POFFSET (finfo, GST_VIDEO_COMP_R) == 3;
#endif
  GST_DEBUG_OBJECT (self, "drawing on %s%s",
      GST_VIDEO_INFO_NAME (in_info), self->swap_rb ? " (red/blue swapped)" :
      "");
  return TRUE;
}

static gboolean
has_objects (GstBuffer * buffer)
{
  GstSlyPredictionMeta *meta = gst_buffer_get_sly_prediction_meta (buffer);

  return meta && meta->annotation && meta->annotation->objects
      && meta->annotation->objects->len > 0;
}

/* Frames with nothing to draw go through in passthrough: not made
 * writable, so never copied. */
static void
gst_sly_overlay_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  gst_base_transform_set_passthrough (trans, !has_objects (buffer));
}

static SlyDrawColor
object_color (const SlyObject * obj, GstSlyOverlayColorBy color_by)
{
  if (color_by == GST_SLY_OVERLAY_COLOR_BY_TRACK && obj->track_id != 0)
    return sly_draw_color_for_track (obj->track_id);
  return sly_draw_color_for_class (obj->class_title);
}

static gboolean
is_mask (const SlyGeometry * geometry)
{
  return geometry->type == SLY_GEOMETRY_BITMAP
      || geometry->type == SLY_GEOMETRY_ALPHA_MASK;
}

/* Masks are blended into the bytes before cairo wraps the frame, so they
 * lie under every outline and label. */
static void
blend_masks (GstSlyOverlay * self, GstVideoFrame * frame,
    GstSlyPredictionMeta * meta, const OverlaySettings * s)
{
  GPtrArray *objects = meta->annotation->objects;

  for (guint i = 0; i < objects->len; i++) {
    const SlyObject *obj = g_ptr_array_index (objects, i);
    g_autoptr (GError) error = NULL;
    const SlyMask *mask;
    SlyDrawColor color;

    if (!obj->geometry || !is_mask (obj->geometry))
      continue;
    mask = gst_sly_prediction_meta_decode_mask (meta, i, &error);
    if (!mask) {
      GST_DEBUG_OBJECT (self, "object %u: mask not drawn: %s", i,
          error->message);
      continue;
    }
    color = object_color (obj, s->color_by);
    sly_draw_blend_mask (frame, mask,
        obj->geometry->type == SLY_GEOMETRY_ALPHA_MASK, &color,
        s->mask_opacity);
  }
}

static void
draw_object (SlyDrawContext * ctx, const SlyObject * obj,
    const OverlaySettings * s)
{
  SlyDrawColor color = object_color (obj, s->color_by);
  SlyGeometryType type = obj->geometry->type;
  SlyBox box = sly_geometry_get_bbox (obj->geometry);
  gchar label[LABEL_MAX_BYTES];

  /* a box around a single point says nothing */
  if (s->draw_boxes && type != SLY_GEOMETRY_POINT)
    sly_draw_box (ctx, &box, &color);
  if (s->draw_shapes && type != SLY_GEOMETRY_RECTANGLE
      && !is_mask (obj->geometry))
    sly_draw_shape (ctx, obj->geometry, s->draw_masks, &color);
  if (s->draw_labels) {
    sly_draw_format_label (obj, label, sizeof (label));
    sly_draw_label (ctx, label, &box, &color);
  }
}

/* Copies the settings and applies a new font description (only when it
 * changed: parsing it allocates). */
static void
read_settings (GstSlyOverlay * self, OverlaySettings * s)
{
  PangoFontDescription *desc = NULL;

  GST_OBJECT_LOCK (self);
  *s = self->settings;
  if (self->font_changed) {
    desc = pango_font_description_from_string (self->font_desc ?
        self->font_desc : DEFAULT_FONT_DESC);
    self->font_changed = FALSE;
  }
  GST_OBJECT_UNLOCK (self);

  if (desc) {
    pango_layout_set_font_description (self->layout, desc);
    pango_font_description_free (desc);
  }
}

static void
draw_objects (GstSlyOverlay * self, GstVideoFrame * frame,
    GstSlyPredictionMeta * meta, const OverlaySettings * s)
{
  GPtrArray *objects = meta->annotation->objects;
  cairo_surface_t *surface;
  SlyDrawContext ctx = {
    .layout = self->layout,
    .swap_rb = self->swap_rb,
    .line_width = s->line_width,
    .dashed = meta->status == GST_SLY_FRAME_STATUS_TRACKER_PREDICTED,
    .fill_opacity = s->mask_opacity,
  };

  surface = cairo_image_surface_create_for_data (GST_VIDEO_FRAME_PLANE_DATA
      (frame, 0), self->cairo_format, GST_VIDEO_FRAME_WIDTH (frame),
      GST_VIDEO_FRAME_HEIGHT (frame), GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0));
  ctx.cr = cairo_create (surface);
  cairo_set_line_width (ctx.cr, s->line_width);
  if (ctx.dashed) {
    const gdouble dashes[] = { 4 * s->line_width, 3 * s->line_width };
    cairo_set_dash (ctx.cr, dashes, G_N_ELEMENTS (dashes), 0);
  }
  pango_cairo_update_layout (ctx.cr, self->layout);

  for (guint i = 0; i < objects->len; i++) {
    const SlyObject *obj = g_ptr_array_index (objects, i);

    if (obj->geometry)
      draw_object (&ctx, obj, s);
  }

  if (cairo_status (ctx.cr) != CAIRO_STATUS_SUCCESS)
    GST_DEBUG_OBJECT (self, "cairo: %s",
        cairo_status_to_string (cairo_status (ctx.cr)));
  cairo_destroy (ctx.cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);
}

static GstFlowReturn
gst_sly_overlay_transform_frame_ip (GstVideoFilter * filter,
    GstVideoFrame * frame)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (filter);
  GstSlyPredictionMeta *meta;
  OverlaySettings s;

  meta = gst_buffer_get_sly_prediction_meta (frame->buffer);
  if (!meta || !meta->annotation || !meta->annotation->objects)
    return GST_FLOW_OK;

  read_settings (self, &s);
  if (s.draw_masks)
    blend_masks (self, frame, meta, &s);
  draw_objects (self, frame, meta, &s);
  return GST_FLOW_OK;
}

static void
gst_sly_overlay_finalize (GObject * object)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (object);

  g_free (self->font_desc);
  G_OBJECT_CLASS (gst_sly_overlay_parent_class)->finalize (object);
}

static void
gst_sly_overlay_init (GstSlyOverlay * self)
{
  self->settings = (OverlaySettings) {
  .draw_boxes = DEFAULT_DRAW_BOXES,.draw_masks =
        DEFAULT_DRAW_MASKS,.draw_shapes = DEFAULT_DRAW_SHAPES,.draw_labels =
        DEFAULT_DRAW_LABELS,.line_width = DEFAULT_LINE_WIDTH,.mask_opacity =
        DEFAULT_MASK_OPACITY,.color_by = DEFAULT_COLOR_BY,};
  self->font_desc = g_strdup (DEFAULT_FONT_DESC);
}

static void
install_properties (GObjectClass * gobject_class)
{
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_PLAYING;

  /**
   * GstSlyOverlay:draw-boxes:
   *
   * Draw the bounding box of every object (points excepted).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DRAW_BOXES,
      g_param_spec_boolean ("draw-boxes", "Draw boxes",
          "Draw the bounding box of every object", DEFAULT_DRAW_BOXES, flags));
  /**
   * GstSlyOverlay:draw-masks:
   *
   * Fill bitmap and alpha masks, polygons and multipolygons with the
   * object's colour at #GstSlyOverlay:mask-opacity.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DRAW_MASKS,
      g_param_spec_boolean ("draw-masks", "Draw masks",
          "Fill masks and polygons with the object's colour",
          DEFAULT_DRAW_MASKS, flags));
  /**
   * GstSlyOverlay:draw-shapes:
   *
   * Draw the outlines of polygons, lines, oriented boxes, and points and
   * keypoints as dots.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DRAW_SHAPES,
      g_param_spec_boolean ("draw-shapes", "Draw shapes",
          "Draw polygon and line outlines, points and keypoints",
          DEFAULT_DRAW_SHAPES, flags));
  /**
   * GstSlyOverlay:draw-labels:
   *
   * Draw a label above each object's box: the class, the confidence with two
   * decimals (when the prediction has one) and "#<track id>" when tracked.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DRAW_LABELS,
      g_param_spec_boolean ("draw-labels", "Draw labels",
          "Draw class, confidence and track id above each object",
          DEFAULT_DRAW_LABELS, flags));
  /**
   * GstSlyOverlay:line-width:
   *
   * Width in pixels of boxes, outlines and lines.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LINE_WIDTH,
      g_param_spec_double ("line-width", "Line width",
          "Width in pixels of boxes and outlines", 0.5, 64.0,
          DEFAULT_LINE_WIDTH, flags));
  /**
   * GstSlyOverlay:font-desc:
   *
   * Pango font description of the labels, e.g. "Sans Bold 14".
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_FONT_DESC,
      g_param_spec_string ("font-desc", "Font description",
          "Pango font description of the labels", DEFAULT_FONT_DESC, flags));
  /**
   * GstSlyOverlay:mask-opacity:
   *
   * Opacity of mask and polygon fills: 0 leaves the video as it is, 1 paints
   * the object's colour over it.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MASK_OPACITY,
      g_param_spec_double ("mask-opacity", "Mask opacity",
          "Opacity of mask and polygon fills", 0.0, 1.0,
          DEFAULT_MASK_OPACITY, flags));
  /**
   * GstSlyOverlay:color-by:
   *
   * Colour objects by class title or by track id. Colours are derived from
   * the title or id, so they stay the same from run to run.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_COLOR_BY,
      g_param_spec_enum ("color-by", "Colour by",
          "Colour objects by class or by track id",
          GST_TYPE_SLY_OVERLAY_COLOR_BY, DEFAULT_COLOR_BY, flags));
}

static void
gst_sly_overlay_class_init (GstSlyOverlayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  gobject_class->set_property = gst_sly_overlay_set_property;
  gobject_class->get_property = gst_sly_overlay_get_property;
  gobject_class->finalize = gst_sly_overlay_finalize;
  install_properties (gobject_class);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Supervisely prediction overlay", "Filter/Editor/Video",
      "Draws the boxes, masks, shapes and labels of Supervisely predictions "
      "onto video", "gst-supervisely team");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_sly_overlay_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_sly_overlay_stop);
  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (gst_sly_overlay_before_transform);
  /* passthrough frames have nothing to draw: don't even map them */
  trans_class->transform_ip_on_passthrough = FALSE;
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_sly_overlay_set_info);
  filter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (gst_sly_overlay_transform_frame_ip);

  gst_type_mark_as_plugin_api (GST_TYPE_SLY_OVERLAY_COLOR_BY, 0);
}
