/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the annotation readers and writers. Not installed.
 * Every reader helper checks node types itself: json_object_get_*_member
 * would raise CRITICALs on missing or mistyped members.
 */
#ifndef __SLY_ANNOTATION_PRIVATE_H__
#define __SLY_ANNOTATION_PRIVATE_H__

#include "slyannotation.h"

G_BEGIN_DECLS

/* Coordinates beyond this are rejected so that box arithmetic cannot
 * overflow; sizes beyond SLY_MAX_SIDE and masks beyond SLY_MAX_MASK_PIXELS
 * too (decompression bombs). */
#define SLY_MAX_COORD (1 << 24)
#define SLY_MAX_SIDE (1 << 20)
#define SLY_MAX_MASK_PIXELS (100 * 1000 * 1000)

/* sly_json_parse() and SLY_JSON_MAX_DEPTH */
#include "slyjson.h"

/* Member @name of @obj when it is a JSON object / array / string; NULL
 * otherwise. Missing members are not errors here. */
JsonObject *sly_json_get_object (JsonObject * obj, const gchar * name);
JsonArray *sly_json_get_array (JsonObject * obj, const gchar * name);
const gchar *sly_json_get_string (JsonObject * obj, const gchar * name);

gboolean sly_json_node_is_number (JsonNode * node);
gdouble sly_json_node_number (JsonNode * node);

/* Reads an integer; fractions are floored (protocol.md 6.3). Fails when the
 * node is not a number or is outside [min, max]. @what names the value in
 * the error message. */
gboolean sly_json_read_int (JsonNode * node, gint64 min, gint64 max,
    const gchar * what, gint64 * out, GError ** error);
/* Optional string member: @def when absent or null, error when not a
 * string. */
gboolean sly_json_read_opt_string (JsonObject * obj, const gchar * name,
    const gchar * def, const gchar * what, gchar ** out, GError ** error);
/* Reads "size": {"height", "width"}. */
gboolean sly_json_read_size (JsonObject * obj, const gchar * what,
    gint * width, gint * height, GError ** error);

/* Tags (protocol.md 6.6): array of {"name", "value"?}. */
gboolean sly_tags_read (JsonObject * obj, const gchar * what,
    GPtrArray * tags, GError ** error);
JsonNode *sly_tags_to_json (const GPtrArray * tags);

/* Geometry fields of protocol.md 6.4, read from / written to the object
 * that holds them (a label, or a video figure's "geometry"). */
SlyGeometry *sly_geometry_from_json (JsonObject * fields,
    SlyGeometryType type, const gchar * what, GError ** error);
void sly_geometry_to_json (const SlyGeometry * geometry, JsonObject * fields);
/* Reads "geometryType", then "shape". Returns FALSE with @error set when
 * neither is a string; @known is FALSE for types this library skips. */
gboolean sly_geometry_read_type (JsonObject * obj, const gchar * what,
    SlyGeometryType * type, gboolean * known, gchar ** name,
    GError ** error);
/* An empty geometry of @type with allocated arrays. */
SlyGeometry *sly_geometry_alloc (SlyGeometryType type);
void sly_geometry_scale (SlyGeometry * geometry, gdouble sx, gdouble sy);

SlyMask *sly_mask_copy (const SlyMask * mask);
/* @binary: bitmap semantics (inside = any value > 0, stored as 255);
 * otherwise alpha_mask opacities 0..255 are kept. */
SlyMask *sly_mask_decode_full (const gchar * b64, gint origin_x,
    gint origin_y, gboolean binary, GError ** error);
gchar *sly_mask_encode_full (const SlyMask * mask, gboolean binary,
    GError ** error);
SlyMask *sly_mask_scale (const SlyMask * mask, gdouble sx, gdouble sy);

G_END_DECLS

#endif /* __SLY_ANNOTATION_PRIVATE_H__ */
