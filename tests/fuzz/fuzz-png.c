/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_png_decode(); whatever decodes must survive an exact
 * PNG round trip. */
#include "fuzz-common.h"
#include "slyimage.h"

#include <string.h>

static void
check_round_trip (const SlyImage * image)
{
  g_autoptr (GBytes) png = NULL;
  g_autoptr (SlyImage) back = NULL;
  GError *error = NULL;
  gint y;

  png = sly_png_encode_image (image, &error);
  FUZZ_CHECK (png != NULL && error == NULL);
  back = sly_png_decode (g_bytes_get_data (png, NULL), g_bytes_get_size (png),
      &error);
  FUZZ_CHECK (back != NULL && error == NULL);
  FUZZ_CHECK (back->width == image->width && back->height == image->height);
  FUZZ_CHECK (back->channels == image->channels);
  for (y = 0; y < image->height; y++)
    FUZZ_CHECK (memcmp (back->data + (gsize) y * back->stride,
            image->data + (gsize) y * image->stride,
            (gsize) image->width * image->channels) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (SlyImage) image = NULL;
  GError *error = NULL;

  fuzz_setup ();
  image = sly_png_decode (data, size, &error);
  if (image == NULL) {
    fuzz_check_failure (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (image->channels == 1 || image->channels == 3
      || image->channels == 4);
  if ((gint64) image->width * image->height <= FUZZ_ROUND_TRIP_MAX_PIXELS)
    check_round_trip (image);
  return 0;
}
