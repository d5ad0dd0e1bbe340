/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_image_decode_rgb(), format sniffing included. */
#include "fuzz-common.h"
#include "slyimage.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (SlyImage) image = NULL;
  GError *error = NULL;

  fuzz_setup ();
  image = sly_image_decode_rgb (data, size, &error);
  if (image == NULL) {
    fuzz_check_failure (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (image->channels == 3 && image->stride == image->width * 3);
  FUZZ_CHECK (image->width > 0 && image->height > 0);
  return 0;
}
