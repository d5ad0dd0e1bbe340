/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-slyoverlay
 * @title: slyoverlay
 *
 * Draws the predictions that slymodelinfer attaches to each frame
 * (#GstSlyPredictionMeta) onto the raw video: boxes, polygons, lines,
 * points and keypoints, bitmap masks as translucent fills, and a label with
 * the class, the confidence and the track id, in the class colours of the
 * model's ProjectMeta (#GstSlyOverlay:model-meta, else read from the
 * slymodelinfer upstream). Frames predicted by the tracker's motion model
 * (status tracker-predicted) are drawn with dashed lines. With
 * #GstSlyOverlay:hold, frames without an answer (skipped, late, failed) show
 * the last answer's predictions, faded, for that long. Frames with nothing
 * to draw pass untouched and are not copied.
 *
 * Draws on I420, YV12, NV12 and NV21 (blended in the frame's own colour
 * matrix) and on packed 32-bit RGB, so decoders and encoders connect
 * without videoconvert.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -e videotestsrc pattern=ball is-live=true ! \
 *     video/x-raw,format=I420,width=640,height=480 ! \
 *     slymodelinfer url=http://127.0.0.1:8000 ! slyoverlay hold=300 ! \
 *     openh264enc ! h264parse ! mp4mux ! filesink location=ball.mp4
 * ]|
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

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
#define DEFAULT_DRAW_TAGS TRUE
#define DEFAULT_LINE_WIDTH 2.0
#define DEFAULT_FONT_DESC "Sans 10"
#define DEFAULT_MASK_OPACITY 0.5
#define DEFAULT_COLOR_BY GST_SLY_OVERLAY_COLOR_BY_CLASS
#define DEFAULT_HOLD 0
#define DEFAULT_HOLD_OPACITY 0.5
#define MAX_HOLD 3600000

#define LABEL_MAX_BYTES 128

/* The overlay is drawn on an ARGB32 surface and blended into the frame.
 * Packed RGB: by cairo, which sees the frame as CAIRO_FORMAT_RGB24 or ARGB32
 * (native-endian 32-bit words); the RGB-ordered ones are drawn with red and
 * blue swapped in every colour. 8-bit 4:2:0 YUV: by our own blend in the
 * frame's matrix and range. */
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define OVERLAY_FORMATS "{ BGRx, BGRA, RGBx, RGBA, I420, YV12, NV12, NV21 }"
#else
#define OVERLAY_FORMATS "{ xRGB, ARGB, xBGR, ABGR, I420, YV12, NV12, NV21 }"
#endif

enum
{
  PROP_0,
  PROP_DRAW_BOXES,
  PROP_DRAW_MASKS,
  PROP_DRAW_SHAPES,
  PROP_DRAW_LABELS,
  PROP_DRAW_TAGS,
  PROP_LINE_WIDTH,
  PROP_FONT_DESC,
  PROP_MASK_OPACITY,
  PROP_COLOR_BY,
  PROP_HOLD,
  PROP_HOLD_OPACITY,
  PROP_MODEL_META,
};

/* What one frame is drawn with, copied under the object lock. */
typedef struct
{
  gboolean draw_boxes;
  gboolean draw_masks;
  gboolean draw_shapes;
  gboolean draw_labels;
  gboolean draw_tags;
  gdouble line_width;
  gdouble mask_opacity;
  GstSlyOverlayColorBy color_by;
  guint hold;                   /* ms */
  gdouble hold_opacity;
  /* class title -> 0xRRGGBB | CLASS_COLOR_SET, from model-meta; NULL when
   * unset. A reference in a copy of the settings. */
  GHashTable *class_colors;
  gboolean model_meta_set;
} OverlaySettings;

/* The part of the frame an overlay covers: [x0, x1) x [y0, y1) */
typedef struct
{
  gint x0, y0, x1, y1;
} OverlayRegion;

/* marks a colour as present: black is 0 */
#define CLASS_COLOR_SET (1u << 24)

struct _GstSlyOverlay
{
  GstVideoFilter parent;

  /* properties, under the object lock */
  OverlaySettings settings;
  gchar *font_desc;
  gboolean font_changed;
  gchar *model_meta;

  /* streaming thread only */
  cairo_format_t cairo_format;
  gboolean swap_rb;
  gboolean is_yuv;
  /* the last answer with objects (its meta on an empty buffer) and the
   * running time of its frame, while hold is on */
  GstBuffer *held;
  GstClockTime held_time;
  /* the frame being transformed draws the held answer */
  gboolean draw_held;
  /* while model-meta is unset: the class colours of the upstream element's
   * model-meta, read for the model named found_model */
  GHashTable *found_colors;
  gchar *found_model;
  gboolean found_tried;
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

/* "#RRGGBB", as ProjectMeta stores class colours */
static gboolean
parse_hex_color (const gchar * str, guint32 * rgb)
{
  if (!str || strlen (str) != 7 || str[0] != '#')
    return FALSE;
  for (gint i = 1; i < 7; i++)
    if (!g_ascii_isxdigit (str[i]))
      return FALSE;
  *rgb = (guint32) g_ascii_strtoull (str + 1, NULL, 16);
  return TRUE;
}

/* The "color" of every class of a ProjectMeta JSON ({"classes": [{"title":
 * ..., "color": "#RRGGBB"}, ...]}) by title. Classes without a valid colour
 * are left out: they keep their hashed colour. NULL for NULL or "". */
static GHashTable *
parse_class_colors (const gchar * json, GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonNode *root, *classes;
  GHashTable *colors;

  if (!json || !*json)
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  classes = root && JSON_NODE_HOLDS_OBJECT (root) ?
      json_object_get_member (json_node_get_object (root), "classes") : NULL;
  if (!classes || !JSON_NODE_HOLDS_ARRAY (classes)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "not a ProjectMeta: no \"classes\" array");
    return NULL;
  }

  colors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (classes));
      i++) {
    JsonNode *node = json_array_get_element (json_node_get_array (classes), i);
    JsonObject *cls;
    JsonNode *title, *color;
    guint32 rgb;

    if (!JSON_NODE_HOLDS_OBJECT (node))
      continue;
    cls = json_node_get_object (node);
    title = json_object_get_member (cls, "title");
    color = json_object_get_member (cls, "color");
    if (!title || json_node_get_value_type (title) != G_TYPE_STRING || !color
        || json_node_get_value_type (color) != G_TYPE_STRING
        || !parse_hex_color (json_node_get_string (color), &rgb))
      continue;
    g_hash_table_replace (colors, g_strdup (json_node_get_string (title)),
        GUINT_TO_POINTER (rgb | CLASS_COLOR_SET));
  }
  return colors;
}

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
    case PROP_DRAW_TAGS:
      s->draw_tags = g_value_get_boolean (value);
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
    case PROP_HOLD:
      s->hold = g_value_get_uint (value);
      break;
    case PROP_HOLD_OPACITY:
      s->hold_opacity = g_value_get_double (value);
      break;
    case PROP_MODEL_META:{
      g_autoptr (GError) error = NULL;
      GHashTable *colors;

      GST_OBJECT_UNLOCK (self);
      colors = parse_class_colors (g_value_get_string (value), &error);
      if (error)
        GST_WARNING_OBJECT (self, "model-meta: no class colours: %s",
            error->message);
      GST_OBJECT_LOCK (self);
      g_free (self->model_meta);
      self->model_meta = g_value_dup_string (value);
      g_clear_pointer (&s->class_colors, g_hash_table_unref);
      s->class_colors = colors;
      s->model_meta_set = self->model_meta && *self->model_meta;
      break;
    }
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
    case PROP_DRAW_TAGS:
      g_value_set_boolean (value, s->draw_tags);
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
    case PROP_HOLD:
      g_value_set_uint (value, s->hold);
      break;
    case PROP_HOLD_OPACITY:
      g_value_set_double (value, s->hold_opacity);
      break;
    case PROP_MODEL_META:
      g_value_set_string (value, self->model_meta);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
clear_found_colors (GstSlyOverlay * self)
{
  g_clear_pointer (&self->found_colors, g_hash_table_unref);
  g_clear_pointer (&self->found_model, g_free);
  self->found_tried = FALSE;
}

static void
clear_held (GstSlyOverlay * self)
{
  gst_clear_buffer (&self->held);
  self->held_time = GST_CLOCK_TIME_NONE;
  self->draw_held = FALSE;
}

/* The pango objects live from start to stop and are reused by every frame:
 * each label only resets the layout's text. The context takes the font
 * options of an ARGB32 image surface once, so that labels measured before a
 * frame's surface exists have the size they are drawn with. */
static gboolean
gst_sly_overlay_start (GstBaseTransform * trans)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (trans);
  cairo_surface_t *surface;
  cairo_t *cr;

  self->font_map = pango_cairo_font_map_new ();
  self->pango_context = pango_font_map_create_context (self->font_map);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  pango_cairo_update_context (cr, self->pango_context);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  self->layout = pango_layout_new (self->pango_context);
  pango_layout_set_single_paragraph_mode (self->layout, TRUE);
  clear_held (self);

  GST_OBJECT_LOCK (self);
  self->font_changed = TRUE;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_sly_overlay_stop (GstBaseTransform * trans)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (trans);

  clear_held (self);
  clear_found_colors (self);
  g_clear_object (&self->layout);
  g_clear_object (&self->pango_context);
  g_clear_object (&self->font_map);
  return TRUE;
}

static gboolean
gst_sly_overlay_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (trans);

  /* after a flush (a seek) the held answer belongs to another time */
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
    clear_held (self);
  return GST_BASE_TRANSFORM_CLASS (gst_sly_overlay_parent_class)->sink_event
      (trans, event);
}

static gboolean
gst_sly_overlay_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (filter);
  const GstVideoFormatInfo *finfo = in_info->finfo;

  /* predictions held over from frames of another size would be wrong */
  clear_held (self);
  self->is_yuv = GST_VIDEO_FORMAT_INFO_IS_YUV (finfo);
  if (self->is_yuv) {
    self->swap_rb = FALSE;
    GST_DEBUG_OBJECT (self, "blending onto %s", GST_VIDEO_INFO_NAME (in_info));
    return TRUE;
  }

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

/* Whether the frame carries an answer: the server's or the tracker's. The
 * others (skipped, late, failed) are the frames hold draws on. */
static gboolean
is_answer (GstSlyPredictionMeta * meta)
{
  return meta && (meta->status == GST_SLY_FRAME_STATUS_INFERRED
      || meta->status == GST_SLY_FRAME_STATUS_TRACKER_PREDICTED);
}

/* Keeps the last answer with objects while hold is on; decides whether
 * this frame draws its own predictions, the held ones or nothing. Frames
 * with nothing to draw go through in passthrough: not made writable, so
 * never copied. */
static void
gst_sly_overlay_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (trans);
  GstSlyPredictionMeta *meta = gst_buffer_get_sly_prediction_meta (buffer);
  gboolean own = has_objects (buffer);
  GstClockTime now = GST_CLOCK_TIME_NONE;
  guint hold;

  GST_OBJECT_LOCK (self);
  hold = self->settings.hold;
  GST_OBJECT_UNLOCK (self);

  if (GST_BUFFER_PTS_IS_VALID (buffer) && trans->segment.format ==
      GST_FORMAT_TIME)
    now = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME,
        GST_BUFFER_PTS (buffer));

  self->draw_held = FALSE;
  if (hold == 0) {
    clear_held (self);
  } else if (is_answer (meta)) {
    /* the newest answer replaces the held one, even "nothing there" */
    clear_held (self);
    if (own && GST_CLOCK_TIME_IS_VALID (now)) {
      self->held = gst_buffer_new ();
      gst_buffer_add_sly_prediction_meta (self->held, meta->status,
          meta->annotation, meta->round_trip, meta->model_name);
      self->held_time = now;
    }
  } else if (!own && self->held && GST_CLOCK_TIME_IS_VALID (now)) {
    if (now >= self->held_time && now - self->held_time <
        (GstClockTime) hold * GST_MSECOND) {
      self->draw_held = TRUE;
    } else {
      GST_LOG_OBJECT (self, "held predictions expired");
      clear_held (self);
    }
  }
  gst_base_transform_set_passthrough (trans, !own && !self->draw_held);
}

static SlyDrawColor
object_color (const SlyObject * obj, const OverlaySettings * s)
{
  gpointer rgb;

  if (s->color_by == GST_SLY_OVERLAY_COLOR_BY_TRACK && obj->track_id != 0)
    return sly_draw_color_for_track (obj->track_id);
  if (s->class_colors && obj->class_title &&
      (rgb = g_hash_table_lookup (s->class_colors, obj->class_title))) {
    guint32 v = GPOINTER_TO_UINT (rgb);

    return (SlyDrawColor) {
    ((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0};
  }
  return sly_draw_color_for_class (obj->class_title);
}

static gboolean
is_mask (const SlyGeometry * geometry)
{
  return geometry->type == SLY_GEOMETRY_BITMAP
      || geometry->type == SLY_GEOMETRY_ALPHA_MASK;
}

/* Masks are blended into the overlay's bytes before cairo draws on it, so
 * they lie under every outline and label. */
static void
blend_masks (GstSlyOverlay * self, cairo_surface_t * overlay,
    const OverlayRegion * region, gboolean swap_rb,
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
    color = object_color (obj, s);
    sly_draw_blend_mask (overlay, region->x0, region->y0, swap_rb, mask,
        obj->geometry->type == SLY_GEOMETRY_ALPHA_MASK, &color,
        s->mask_opacity);
  }
}

/* Whether object @i is the first of its track in @objects: the geometries
 * of one object (a segmenter's bitmap and polygon) share a track id, and
 * one label says it once instead of stacking several on each other. */
static gboolean
first_of_track (GPtrArray * objects, guint i)
{
  const SlyObject *obj = g_ptr_array_index (objects, i);

  if (obj->track_id == 0)
    return TRUE;
  for (guint j = 0; j < i; j++) {
    const SlyObject *other = g_ptr_array_index (objects, j);

    if (other->track_id == obj->track_id && other->geometry != NULL)
      return FALSE;
  }
  return TRUE;
}

static void
draw_object (SlyDrawContext * ctx, const SlyObject * obj,
    gboolean label_it, const OverlaySettings * s)
{
  SlyDrawColor color = object_color (obj, s);
  SlyGeometryType type = obj->geometry->type;
  SlyBox box = sly_geometry_get_bbox (obj->geometry);
  gchar label[LABEL_MAX_BYTES];

  /* a box around a single point says nothing */
  if (s->draw_boxes && type != SLY_GEOMETRY_POINT)
    sly_draw_box (ctx, &box, &color);
  if (s->draw_shapes && type != SLY_GEOMETRY_RECTANGLE
      && !is_mask (obj->geometry))
    sly_draw_shape (ctx, obj->geometry, s->draw_masks, &color);
  if (s->draw_labels && label_it) {
    SlyDrawRect band;

    sly_draw_format_label (obj, label, sizeof (label));
    sly_draw_label (ctx, label, &box, &color, &band);
    /* a classifier's tags (color: red), a line each under the label */
    if (s->draw_tags)
      sly_draw_tags (ctx, obj, &band, &color, NULL);
  }
}

/* The upstream element that feeds @pad through elements of one input each
 * (queue, tee, videoconvert...) and bins, and has a string property
 * "model-meta" (slymodelinfer): its value, or NULL. */
static gchar *
upstream_model_meta (GstPad * pad)
{
  GstPad *cur = gst_object_ref (pad);
  gchar *json = NULL;

  for (guint hops = 0; cur && hops < 64 && !json; hops++) {
    GstPad *peer = gst_pad_get_peer (cur);
    GstElement *element = NULL;
    GParamSpec *pspec;

    gst_clear_object (&cur);
    /* into a bin through its source ghost pad */
    while (peer && GST_IS_GHOST_PAD (peer)) {
      GstPad *target = gst_ghost_pad_get_target (GST_GHOST_PAD (peer));

      gst_object_unref (peer);
      peer = target;
    }
    if (!peer)
      break;
    /* out of a bin: the inside of its sink ghost pad */
    if (GST_IS_PROXY_PAD (peer) && GST_PAD_PARENT (peer)
        && GST_IS_GHOST_PAD (GST_PAD_PARENT (peer))) {
      cur = GST_PAD (gst_proxy_pad_get_internal (GST_PROXY_PAD (peer)));
      gst_object_unref (peer);
      continue;
    }
    element = gst_pad_get_parent_element (peer);
    gst_object_unref (peer);
    if (!element)
      break;
    pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element),
        "model-meta");
    if (pspec && pspec->value_type == G_TYPE_STRING
        && (pspec->flags & G_PARAM_READABLE)) {
      g_object_get (element, "model-meta", &json, NULL);
      if (json && !*json)
        g_clear_pointer (&json, g_free);
    }
    GST_OBJECT_LOCK (element);
    if (element->numsinkpads == 1)
      cur = gst_object_ref (element->sinkpads->data);
    GST_OBJECT_UNLOCK (element);
    gst_object_unref (element);
  }
  gst_clear_object (&cur);
  return json;
}

/* Without model-meta set, the class colours come from the model-meta of
 * the element upstream (slymodelinfer), read again when the model that
 * predicted changes. Returns a reference or NULL. */
static GHashTable *
found_class_colors (GstSlyOverlay * self, GstSlyPredictionMeta * meta)
{
  if (!self->found_tried || g_strcmp0 (self->found_model,
          meta->model_name) != 0) {
    g_autofree gchar *json = NULL;
    g_autoptr (GError) error = NULL;

    clear_found_colors (self);
    self->found_tried = TRUE;
    self->found_model = g_strdup (meta->model_name);
    json = upstream_model_meta (GST_BASE_TRANSFORM_SINK_PAD (self));
    if (json)
      self->found_colors = parse_class_colors (json, &error);
    GST_DEBUG_OBJECT (self, "model %s: %s", meta->model_name,
        self->found_colors ? "class colours of the model-meta upstream" :
        error ? error->message : "no model-meta upstream");
  }
  return self->found_colors ? g_hash_table_ref (self->found_colors) : NULL;
}

/* Copies the settings (with a reference on the class colours: release
 * them with clear_settings()) and applies a new font description (only
 * when it changed: parsing it allocates). */
static void
read_settings (GstSlyOverlay * self, OverlaySettings * s)
{
  PangoFontDescription *desc = NULL;

  GST_OBJECT_LOCK (self);
  *s = self->settings;
  if (s->class_colors)
    g_hash_table_ref (s->class_colors);
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
clear_settings (OverlaySettings * s)
{
  g_clear_pointer (&s->class_colors, g_hash_table_unref);
}

static void
region_add (OverlayRegion * r, gdouble x0, gdouble y0, gdouble x1, gdouble y1)
{
  /* 64-bit doubles to int: clamp far-off coordinates of untrusted JSON */
  gint ix0 = (gint) CLAMP (floor (x0), -1e6, 1e6);
  gint iy0 = (gint) CLAMP (floor (y0), -1e6, 1e6);
  gint ix1 = (gint) CLAMP (ceil (x1), -1e6, 1e6);
  gint iy1 = (gint) CLAMP (ceil (y1), -1e6, 1e6);

  if (ix1 <= ix0 || iy1 <= iy0)
    return;
  if (r->x1 <= r->x0) {
    *r = (OverlayRegion) {
    ix0, iy0, ix1, iy1};
    return;
  }
  r->x0 = MIN (r->x0, ix0);
  r->y0 = MIN (r->y0, iy0);
  r->x1 = MAX (r->x1, ix1);
  r->y1 = MAX (r->y1, iy1);
}

/* The part of the frame the objects are drawn on: their bounding boxes
 * grown by what a stroke, a mitred corner or a dot may reach beyond them,
 * and their labels; within the frame. */
static OverlayRegion
overlay_region (SlyDrawContext * ctx, GstSlyPredictionMeta * meta,
    const OverlaySettings * s, gint width, gint height)
{
  GPtrArray *objects = meta->annotation->objects;
  gdouble pad = 5 * s->line_width + 3;
  OverlayRegion r = { 0, 0, 0, 0 };
  gchar label[LABEL_MAX_BYTES];

  for (guint i = 0; i < objects->len; i++) {
    const SlyObject *obj = g_ptr_array_index (objects, i);
    SlyBox box;

    if (!obj->geometry)
      continue;
    box = sly_geometry_get_bbox (obj->geometry);
    region_add (&r, box.left - pad, box.top - pad, box.right + 1.0 + pad,
        box.bottom + 1.0 + pad);
    if (s->draw_labels && first_of_track (objects, i)) {
      SlyDrawRect band, tags;

      sly_draw_format_label (obj, label, sizeof (label));
      sly_draw_label_extents (ctx, label, &box, &band);
      region_add (&r, band.x - 1, band.y - 1, band.x + band.width + 1,
          band.y + band.height + 1);
      if (s->draw_tags) {
        sly_draw_tags (ctx, obj, &band, NULL, &tags);
        region_add (&r, tags.x - 1, tags.y - 1, tags.x + tags.width + 1,
            tags.y + tags.height + 1);
      }
    }
  }
  r.x0 = MAX (r.x0, 0);
  r.y0 = MAX (r.y0, 0);
  r.x1 = MIN (r.x1, width);
  r.y1 = MIN (r.y1, height);
  return r;
}

/* Draws the objects of @meta on a transparent ARGB32 surface covering
 * @region (returned, NULL when there is nothing to draw), in frame
 * coordinates. */
static cairo_surface_t *
render_overlay (GstSlyOverlay * self, GstSlyPredictionMeta * meta,
    const OverlaySettings * s, gint width, gint height, OverlayRegion * region)
{
  GPtrArray *objects = meta->annotation->objects;
  cairo_surface_t *overlay;
  SlyDrawContext ctx = {
    .layout = self->layout,
    .frame_width = width,
    .frame_height = height,
    .swap_rb = self->swap_rb,
    .line_width = s->line_width,
    .dashed = meta->status == GST_SLY_FRAME_STATUS_TRACKER_PREDICTED,
    .fill_opacity = s->mask_opacity,
  };

  *region = overlay_region (&ctx, meta, s, width, height);
  if (region->x1 <= region->x0 || region->y1 <= region->y0)
    return NULL;
  overlay = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
      region->x1 - region->x0, region->y1 - region->y0);
  if (cairo_surface_status (overlay) != CAIRO_STATUS_SUCCESS) {
    GST_WARNING_OBJECT (self, "cairo: %s",
        cairo_status_to_string (cairo_surface_status (overlay)));
    cairo_surface_destroy (overlay);
    return NULL;
  }

  if (s->draw_masks)
    blend_masks (self, overlay, region, self->swap_rb, meta, s);

  /* a device offset, not a transformation: pango's metrics stay those of
   * an untransformed context */
  cairo_surface_set_device_offset (overlay, -region->x0, -region->y0);
  ctx.cr = cairo_create (overlay);
  cairo_set_line_width (ctx.cr, s->line_width);
  if (ctx.dashed) {
    const gdouble dashes[] = { 4 * s->line_width, 3 * s->line_width };
    cairo_set_dash (ctx.cr, dashes, G_N_ELEMENTS (dashes), 0);
  }
  pango_cairo_update_layout (ctx.cr, self->layout);

  for (guint i = 0; i < objects->len; i++) {
    const SlyObject *obj = g_ptr_array_index (objects, i);

    if (obj->geometry)
      draw_object (&ctx, obj, first_of_track (objects, i), s);
  }

  if (cairo_status (ctx.cr) != CAIRO_STATUS_SUCCESS)
    GST_DEBUG_OBJECT (self, "cairo: %s",
        cairo_status_to_string (cairo_status (ctx.cr)));
  cairo_destroy (ctx.cr);
  cairo_surface_flush (overlay);
  cairo_surface_set_device_offset (overlay, 0, 0);
  return overlay;
}

/* Blends the overlay into packed RGB with cairo: the frame's pixels are
 * the destination surface. */
static void
composite_rgb (GstSlyOverlay * self, GstVideoFrame * frame,
    cairo_surface_t * overlay, const OverlayRegion * region, gdouble alpha)
{
  cairo_surface_t *surface;
  cairo_t *cr;

  surface = cairo_image_surface_create_for_data (GST_VIDEO_FRAME_PLANE_DATA
      (frame, 0), self->cairo_format, GST_VIDEO_FRAME_WIDTH (frame),
      GST_VIDEO_FRAME_HEIGHT (frame), GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0));
  cr = cairo_create (surface);
  cairo_set_source_surface (cr, overlay, region->x0, region->y0);
  cairo_rectangle (cr, region->x0, region->y0, region->x1 - region->x0,
      region->y1 - region->y0);
  cairo_clip (cr);
  cairo_paint_with_alpha (cr, alpha);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);
}

static GstFlowReturn
gst_sly_overlay_transform_frame_ip (GstVideoFilter * filter,
    GstVideoFrame * frame)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (filter);
  GstSlyPredictionMeta *meta;
  cairo_surface_t *overlay;
  OverlayRegion region;
  OverlaySettings s;
  gboolean held = FALSE;

  if (!has_objects (frame->buffer)) {
    if (!self->draw_held || !self->held)
      return GST_FLOW_OK;
    held = TRUE;
  }
  meta = gst_buffer_get_sly_prediction_meta (held ? self->held : frame->buffer);

  read_settings (self, &s);
  if (!s.class_colors && !s.model_meta_set)
    s.class_colors = found_class_colors (self, meta);
  overlay = render_overlay (self, meta, &s, GST_VIDEO_FRAME_WIDTH (frame),
      GST_VIDEO_FRAME_HEIGHT (frame), &region);
  if (overlay) {
    if (self->is_yuv)
      sly_draw_composite_yuv (frame, overlay, region.x0, region.y0,
          held ? s.hold_opacity : 1.0);
    else
      composite_rgb (self, frame, overlay, &region,
          held ? s.hold_opacity : 1.0);
    cairo_surface_destroy (overlay);
  }
  clear_settings (&s);
  return GST_FLOW_OK;
}

static void
gst_sly_overlay_finalize (GObject * object)
{
  GstSlyOverlay *self = GST_SLY_OVERLAY (object);

  g_free (self->font_desc);
  g_free (self->model_meta);
  g_clear_pointer (&self->settings.class_colors, g_hash_table_unref);
  gst_clear_buffer (&self->held);
  clear_found_colors (self);
  G_OBJECT_CLASS (gst_sly_overlay_parent_class)->finalize (object);
}

static void
gst_sly_overlay_init (GstSlyOverlay * self)
{
  self->settings = (OverlaySettings) {
  .draw_boxes = DEFAULT_DRAW_BOXES,.draw_masks =
        DEFAULT_DRAW_MASKS,.draw_shapes = DEFAULT_DRAW_SHAPES,.draw_labels =
        DEFAULT_DRAW_LABELS,.draw_tags = DEFAULT_DRAW_TAGS,.line_width =
        DEFAULT_LINE_WIDTH,.mask_opacity = DEFAULT_MASK_OPACITY,.color_by =
        DEFAULT_COLOR_BY,.hold = DEFAULT_HOLD,.hold_opacity =
        DEFAULT_HOLD_OPACITY,};
  self->font_desc = g_strdup (DEFAULT_FONT_DESC);
  self->held_time = GST_CLOCK_TIME_NONE;
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
   * GstSlyOverlay:draw-tags:
   *
   * Draw each object's tags under its label, one line per tag: "name:
   * value" (the name alone for a tag without value), e.g. what a second
   * slymodelinfer with inference-region=objects attaches. The score tags
   * (confidence, conf, score) are left out: the label shows the score.
   * The lines belong to the label: nothing is drawn with
   * #GstSlyOverlay:draw-labels off.
   *
   * Since: 0.3
   */
  g_object_class_install_property (gobject_class, PROP_DRAW_TAGS,
      g_param_spec_boolean ("draw-tags", "Draw tags",
          "Draw each object's tags under its label, one \"name: value\" "
          "line per tag (score tags excepted; needs draw-labels)",
          DEFAULT_DRAW_TAGS, flags));
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
  /**
   * GstSlyOverlay:hold:
   *
   * How long, in milliseconds of running time, the last answer's
   * predictions are drawn on the frames that follow it without an answer
   * (status skipped, late or failed), faded to #GstSlyOverlay:hold-opacity,
   * so that boxes do not blink on and off when only some frames are
   * inferred. A frame with an answer (inferred or tracker-predicted) ends
   * the hold, also when it has no objects. 0 turns it off.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_HOLD,
      g_param_spec_uint ("hold", "Hold",
          "Draw the last answer's predictions, faded, on the frames without "
          "an answer that follow it for this many milliseconds (0 = off)",
          0, MAX_HOLD, DEFAULT_HOLD, flags));
  /**
   * GstSlyOverlay:hold-opacity:
   *
   * Opacity of the predictions drawn by #GstSlyOverlay:hold: 1 draws them
   * as they were, 0 not at all.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_HOLD_OPACITY,
      g_param_spec_double ("hold-opacity", "Hold opacity",
          "Opacity of held predictions", 0.0, 1.0, DEFAULT_HOLD_OPACITY,
          flags));
  /**
   * GstSlyOverlay:model-meta:
   *
   * The model's ProjectMeta JSON, e.g. slymodelinfer's
   * #GstSlyModelInfer:model-meta: each class is drawn in its "color"
   * ("#RRGGBB"). Classes it does not list, or lists without a colour, get a
   * colour hashed from their title.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MODEL_META,
      g_param_spec_string ("model-meta", "Model meta",
          "The model's ProjectMeta JSON: classes are drawn in its colours",
          NULL, flags));
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
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_sly_overlay_sink_event);
  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (gst_sly_overlay_before_transform);
  /* passthrough frames have nothing to draw: don't even map them */
  trans_class->transform_ip_on_passthrough = FALSE;
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_sly_overlay_set_info);
  filter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (gst_sly_overlay_transform_frame_ip);

  gst_type_mark_as_plugin_api (GST_TYPE_SLY_OVERLAY_COLOR_BY, 0);
}
