/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_mask_decode(). The first byte picks what the rest is:
 * 'b' - the "data" string itself (base64 text);
 * 'z' - the PNG bytes inside, which the target compresses and encodes as
 *       a writer would, so that mutations reach the PNG decoder;
 * 'r' - raw bytes for the uncompressed fallback (base64 of a PNG file).
 * Whatever decodes must encode and decode to the same pixels. */
#include "fuzz-common.h"
#include "slyannotation.h"

#include <string.h>
#include <zlib.h>

static gchar *
wrap_payload (const uint8_t * data, size_t size, gboolean compress)
{
  g_autofree guint8 *packed = NULL;
  uLongf packed_size;

  if (!compress)
    return g_base64_encode (data, size);
  packed_size = compressBound (size);
  packed = g_malloc (packed_size);
  FUZZ_CHECK (compress2 (packed, &packed_size, data, size, 1) == Z_OK);
  return g_base64_encode (packed, packed_size);
}

static void
check_round_trip (const SlyMask * mask)
{
  g_autofree gchar *b64 = sly_mask_encode (mask);
  g_autoptr (SlyMask) back = NULL;
  GError *error = NULL;
  gint64 i, n = (gint64) mask->width * mask->height;

  FUZZ_CHECK (b64 != NULL);
  back = sly_mask_decode (b64, mask->origin_x, mask->origin_y, &error);
  FUZZ_CHECK (back != NULL && error == NULL);
  FUZZ_CHECK (back->width == mask->width && back->height == mask->height);
  /* bitmap semantics: inside or not */
  for (i = 0; i < n; i++)
    FUZZ_CHECK ((back->data[i] != 0) == (mask->data[i] != 0));
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree gchar *b64 = NULL;
  g_autoptr (SlyMask) mask = NULL;
  GError *error = NULL;

  fuzz_setup ();
  if (size < 1)
    return 0;
  if (data[0] == 'z' || data[0] == 'r')
    b64 = wrap_payload (data + 1, size - 1, data[0] == 'z');
  else
    b64 = g_strndup ((const gchar *) data + 1, size - 1);

  mask = sly_mask_decode (b64, 3, 5, &error);
  if (mask == NULL) {
    fuzz_check_failure (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (mask->width > 0 && mask->height > 0 && mask->data != NULL);
  if ((gint64) mask->width * mask->height <= FUZZ_ROUND_TRIP_MAX_PIXELS)
    check_round_trip (mask);
  return 0;
}
