/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Supervisely image annotation model (protocol.md sections 5, 6):
 * objects with a class, a geometry, tags, a confidence and an optional
 * track id. Parsing never trusts its input: every malformed document gives a
 * GError naming what is wrong.
 */
#ifndef __SLY_ANNOTATION_H__
#define __SLY_ANNOTATION_H__

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  SLY_GEOMETRY_RECTANGLE,
  SLY_GEOMETRY_POLYGON,
  SLY_GEOMETRY_LINE,
  SLY_GEOMETRY_POINT,
  SLY_GEOMETRY_BITMAP,
  SLY_GEOMETRY_ALPHA_MASK,
  SLY_GEOMETRY_GRAPH,
  SLY_GEOMETRY_ORIENTED_BBOX,
  SLY_GEOMETRY_MULTIPOLYGON,
} SlyGeometryType;

/* "rectangle", "polygon", ... as in protocol.md 6.4; NULL for bad values */
const gchar *sly_geometry_type_to_string (SlyGeometryType type);
gboolean sly_geometry_type_from_string (const gchar * name,
    SlyGeometryType * type);

/* Integer pixel coordinates: [x, y] = [col, row]. */
typedef struct
{
  gint x;
  gint y;
} SlyPoint;

/* Inclusive box: width = right - left + 1. */
typedef struct
{
  gint left;
  gint top;
  gint right;
  gint bottom;
} SlyBox;

typedef struct
{
  GArray *exterior;             /* SlyPoint */
  GPtrArray *interior;          /* GArray of SlyPoint, one per hole */
} SlyContour;

typedef struct
{
  gchar *name;                  /* node id (keypoint name) */
  SlyPoint loc;
  gboolean disabled;
} SlyGraphNode;

/* A binary (bitmap) or 0..255 opacity (alpha_mask) mask, cropped to its
 * bounding box; pixel (row i, col j) covers image pixel (oy + i, ox + j).
 * Decoded bitmaps hold 0 (outside) or 255 (inside); test for != 0. */
typedef struct
{
  gint origin_x;
  gint origin_y;
  gint width;
  gint height;
  guint8 *data;                 /* width * height bytes, row-major */
} SlyMask;

typedef struct _SlyGeometry SlyGeometry;

struct _SlyGeometry
{
  SlyGeometryType type;
  /* rectangle (2 points), polygon, line, point (1 point),
   * oriented_bbox (2 points, plus angle) */
  SlyContour contour;
  gdouble angle;                /* oriented_bbox, radians */
  GPtrArray *parts;             /* multipolygon: SlyContour* */
  GPtrArray *nodes;             /* graph: SlyGraphNode* */
  /* bitmap / alpha_mask: the parser decodes @mask at once (a broken mask
   * fails the document) and keeps the original @mask_data_b64 for the
   * writer; a geometry built from a mask has no b64 and is encoded when
   * written. Scaling drops the b64; so must code that edits @mask. */
  SlyPoint mask_origin;
  gchar *mask_data_b64;
  SlyMask *mask;                /* owned */
};

typedef struct
{
  gchar *name;
  JsonNode *value;              /* nullable: tags whose meta type is none */
} SlyTag;

typedef struct
{
  gchar *class_title;
  gchar *description;
  GPtrArray *tags;              /* SlyTag* */
  SlyGeometry *geometry;
  gdouble confidence;           /* read as the SDK does; 1.0 when absent */
  gint64 track_id;              /* 0 = no track id */
  /* The index of the object this one was found inside (a detection in the
   * crop of an object of a first model), in the same annotation; -1 for
   * none. Not part of the image annotation JSON. */
  gint parent;
} SlyObject;

typedef struct _SlyAnnotation SlyAnnotation;

struct _SlyAnnotation
{
  gint width;
  gint height;
  gchar *description;
  GPtrArray *tags;              /* SlyTag* */
  GPtrArray *objects;           /* SlyObject* */
  gboolean has_track_ids;       /* customBigData was a matching id array */
  /*< private >*/
  gint ref_count;
  guint n_dropped_objects;
};

GType sly_annotation_get_type (void);
#define SLY_TYPE_ANNOTATION (sly_annotation_get_type ())

SlyAnnotation *sly_annotation_new (gint width, gint height);
SlyAnnotation *sly_annotation_ref (SlyAnnotation * ann);
void sly_annotation_unref (SlyAnnotation * ann);
/* deep copy (refcount 1) */
SlyAnnotation *sly_annotation_copy (const SlyAnnotation * ann);

/* Accepts every result shape of protocol.md section 5: a wrapper with
 * "annotation_json" or "annotation" (null annotation = zero objects;
 * width/height 0 then), or a bare annotation. Unknown geometry types are
 * skipped with a debug message, not fatal. */
SlyAnnotation *sly_annotation_from_json_node (JsonNode * node,
    GError ** error);
/* The same, keeping at most @max_objects objects (0 = all): the elements of
 * "objects" from index @max_objects on are not read, only counted in
 * sly_annotation_get_n_dropped_objects(). Track ids stay matched. */
SlyAnnotation *sly_annotation_from_json_node_capped (JsonNode * node,
    guint max_objects, GError ** error);
/* How many objects of the document the parser dropped because of a cap
 * (sly_annotation_from_json_node_capped(), sly_client_set_max_objects()):
 * the annotation holds only the first ones. 0 otherwise. */
guint sly_annotation_get_n_dropped_objects (const SlyAnnotation * ann);
SlyAnnotation *sly_annotation_from_json (const gchar * data, gssize length,
    GError ** error);
JsonNode *sly_annotation_to_json_node (const SlyAnnotation * ann);
gchar *sly_annotation_to_json (const SlyAnnotation * ann);

/* Takes ownership of @geometry; returns the new object (owned by @ann).
 * A @confidence >= 0 is stored and written as a "confidence" tag (as the
 * serving app does); a negative one means "no score": no tag, and
 * obj->confidence is 1.0 as readers would see it. */
SlyObject *sly_annotation_add_object (SlyAnnotation * ann,
    const gchar * class_title, SlyGeometry * geometry, gdouble confidence);

/* Sets obj->confidence and the "confidence" tag together (the writer
 * emits the tags, not the field). */
void sly_object_set_confidence (SlyObject * obj, gdouble confidence);
/* The score as the SDK reads it from the tags: "confidence", then "conf",
 * then "score", first numeric value; 1.0 when none. */
gdouble sly_object_confidence_from_tags (const SlyObject * obj);

/* Moves every object of @src into @dst, each moved by @dx, @dy (the
 * answer for a region of a frame, into the frame's annotation); @src is
 * left without objects. Track ids stay only when both had them; parent
 * indices follow their objects. */
void sly_annotation_take_objects (SlyAnnotation * dst, SlyAnnotation * src,
    gint dx, gint dy);
/* Moves every coordinate by @dx, @dy (masks by their origin). */
void sly_geometry_translate (SlyGeometry * geometry, gint dx, gint dy);

/* Scales every coordinate (and decoded masks) by sx, sy; used when the frame
 * sent to the server was resized. */
void sly_annotation_scale (SlyAnnotation * ann, gdouble sx, gdouble sy,
    gint new_width, gint new_height);

SlyGeometry *sly_geometry_new_rectangle (gint left, gint top, gint right,
    gint bottom);
/* Takes ownership of the mask. */
SlyGeometry *sly_geometry_new_bitmap (SlyMask * mask);
/* Takes ownership of the mask (0..255 opacities). */
SlyGeometry *sly_geometry_new_alpha_mask (SlyMask * mask);
SlyGeometry *sly_geometry_new_polygon (const SlyPoint * points, guint n);
SlyGeometry *sly_geometry_copy (const SlyGeometry * geometry);
void sly_geometry_free (SlyGeometry * geometry);
/* Inclusive bounding box of any geometry type. */
SlyBox sly_geometry_get_bbox (const SlyGeometry * geometry);
/* Decodes bitmap/alpha_mask data on first use (transfer none). Returns NULL
 * with @error set for bad data or other geometry types. */
const SlyMask *sly_geometry_get_mask (SlyGeometry * geometry, GError ** error);

SlyMask *sly_mask_new (gint origin_x, gint origin_y, gint width, gint height);
void sly_mask_free (SlyMask * mask);
/* 6.5 encoding: base64(zlib(PNG)), written as 8-bit grey 0 / 255 (any
 * non-zero value is inside). Decoding accepts grey, grey+alpha, RGBA,
 * palette+tRNS, RGB (any channel > 0) and the uncompressed fallback, and
 * gives 0 / 255; masks above 100 Mpixel are refused. */
gchar *sly_mask_encode (const SlyMask * mask);
SlyMask *sly_mask_decode (const gchar * b64, gint origin_x, gint origin_y,
    GError ** error);

/* @value: transfer full, nullable */
SlyTag *sly_tag_new (const gchar * name, JsonNode * value);
void sly_tag_free (SlyTag * tag);
/* A copy that shares no JSON with @tag (see sly_json_node_copy_deep()). */
SlyTag *sly_tag_copy (const SlyTag * tag);
/* An empty array of SlyTag* that frees them; a deep copy of one. */
GPtrArray *sly_tags_new (void);
GPtrArray *sly_tags_copy (const GPtrArray * tags);

const SlyTag *sly_object_find_tag (const SlyObject * obj, const gchar * name);
/* Sets tag @name to @value (transfer full, nullable for a tag without a
 * value), replacing a tag of that name. */
void sly_object_set_tag (SlyObject * obj, const gchar * name,
    JsonNode * value);
/* Sets a copy of each of @tags (SlyTag*) on @obj, as sly_object_set_tag(). */
void sly_object_set_tags (SlyObject * obj, const GPtrArray * tags);
/* Whether @name is one of the tags that hold an object's score
 * ("confidence", "conf", "score"), not a classification. */
gboolean sly_tag_name_is_score (const gchar * name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyAnnotation, sly_annotation_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyGeometry, sly_geometry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyMask, sly_mask_free)

G_END_DECLS

#endif /* __SLY_ANNOTATION_H__ */
