/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_jpeg_decode(); whatever decodes is encoded again (from
 * RGB and as I420 built from it) and must decode to the same size. */
#include "fuzz-common.h"
#include "slyimage.h"

#include <string.h>

static void
check_reencode (const SlyImageView * view)
{
  g_autoptr (GBytes) jpeg = NULL;
  g_autoptr (SlyImage) back = NULL;
  GError *error = NULL;

  jpeg = sly_jpeg_encode (view, 75, &error);
  FUZZ_CHECK (jpeg != NULL && error == NULL);
  back = sly_jpeg_decode (g_bytes_get_data (jpeg, NULL),
      g_bytes_get_size (jpeg), &error);
  FUZZ_CHECK (back != NULL && error == NULL);
  FUZZ_CHECK (back->width == view->width && back->height == view->height);
}

/* The decoded luma (green as a stand-in) and flat chroma: exercises the
 * raw-data path with whatever odd size the input had. */
static void
check_reencode_i420 (const SlyImage * rgb)
{
  gint cw = (rgb->width + 1) / 2, ch = (rgb->height + 1) / 2;
  g_autofree guint8 *luma = g_malloc ((gsize) rgb->width * rgb->height);
  g_autofree guint8 *chroma = g_malloc ((gsize) cw * ch);
  SlyImageView view = { SLY_PIXEL_I420, rgb->width, rgb->height,
    {luma, chroma, chroma}, {rgb->width, cw, cw}
  };
  gsize i;

  for (i = 0; i < (gsize) rgb->width * rgb->height; i++)
    luma[i] = rgb->data[i * 3 + 1];
  memset (chroma, 128, (gsize) cw * ch);
  check_reencode (&view);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (SlyImage) image = NULL;
  GError *error = NULL;
  SlyImageView view;

  fuzz_setup ();
  image = sly_jpeg_decode (data, size, &error);
  if (image == NULL) {
    fuzz_check_failure (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL && image->channels == 3);
  if ((gint64) image->width * image->height > FUZZ_ROUND_TRIP_MAX_PIXELS)
    return 0;
  sly_image_get_view (image, &view);
  check_reencode (&view);
  check_reencode_i420 (image);
  return 0;
}
