/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __SLY_JSON_H__
#define __SLY_JSON_H__

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Parses untrusted JSON text (server answers, requests, properties).
 * json-glib's parser recurses once per nesting level and overflows the stack
 * on deeply nested input, so the depth is checked first (at most
 * SLY_JSON_MAX_DEPTH); numbers that are not finite or whose magnitude
 * reaches 1e15 are refused too (json-glib would write them back as invalid
 * JSON). @what names the document in errors: "<what> is not
 * valid JSON: ...". Returns a new reference; never NULL without @error. */
#define SLY_JSON_MAX_DEPTH 128
JsonNode *sly_json_parse (const gchar * data, gssize length,
    const gchar * what, GError ** error);

G_END_DECLS

#endif /* __SLY_JSON_H__ */
