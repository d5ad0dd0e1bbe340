/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __SLY_JSON_H__
#define __SLY_JSON_H__

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Parses untrusted JSON text (server answers, requests, properties).
 * json-glib's parser recurses once per nesting level and overflows the stack
 * on deeply nested input, so the depth is checked first (at most
 * SLY_JSON_MAX_DEPTH); numbers that are not finite are refused too
 * (they have no JSON form). @what names the document in errors: "<what> is not
 * valid JSON: ...". Returns a new reference; never NULL without @error. */
#define SLY_JSON_MAX_DEPTH 128
JsonNode *sly_json_parse (const gchar * data, gssize length,
    const gchar * what, GError ** error);

/* Compact JSON text of @node that always parses again (json-glib's own
 * writer emits doubles such as 1e+308 as "1e+308.0"), with every double in
 * the shortest form that reads back to the same double (0.7564, not
 * 0.75639999999999996; 2.0 stays "2.0"). Use it for every document we
 * write. */
gchar *sly_json_to_string (JsonNode * node);

/* A copy of @node that shares nothing with it. json_node_copy() shares
 * the values of scalar nodes and counts their references without atomics
 * (json-glib 1.6), so copies made from one tree in two threads at once, or
 * freed in one while another copies, corrupt the count: every copy of
 * annotation data (which threads share) goes through this. */
JsonNode *sly_json_node_copy_deep (JsonNode * node);

G_END_DECLS

#endif /* __SLY_JSON_H__ */
