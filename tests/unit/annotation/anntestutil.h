/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for the annotation unit tests. */
#ifndef __ANN_TEST_UTIL_H__
#define __ANN_TEST_UTIL_H__

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Parses @text, failing the test on invalid JSON (transfer full). */
JsonNode *ann_test_parse (const gchar * text);
/* Fails the test, printing both documents, unless they are structurally
 * equal (member order and 1 vs 1.0 do not matter). */
void ann_test_assert_json_equal (JsonNode * expected, JsonNode * actual);
/* The body of a recorded exchange in tests/files/protocol-samples: the
 * text after the line starting with "--- response body". */
gchar *ann_test_sample_body (const gchar * name);
/* A PNG written with libpng: @color_type is a PNG_COLOR_TYPE_*; @rows
 * holds width * channels bytes per row (palette: indices). For palette
 * images @palette holds @n_palette RGB triplets and @trns (nullable) the
 * alpha of the first @n_trns entries. */
GBytes *ann_test_png (gint width, gint height, gint color_type,
    const guint8 * rows, const guint8 * palette, gint n_palette,
    const guint8 * trns, gint n_trns);
/* The same with a bit depth of 1, 2, 4 or 8; @rows still holds one byte
 * per sample (libpng packs them). */
GBytes *ann_test_png_depth (gint width, gint height, gint color_type,
    gint bit_depth, const guint8 * rows, const guint8 * palette,
    gint n_palette, const guint8 * trns, gint n_trns);
/* base64 (zlib (@data)), the protocol.md 6.5 wrapping. */
gchar *ann_test_wrap_mask (GBytes * data);

G_END_DECLS

#endif /* __ANN_TEST_UTIL_H__ */
