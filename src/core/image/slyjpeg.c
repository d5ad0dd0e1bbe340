/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JPEG codec: not written yet (next commit). */
#include "slyimage-private.h"
#include "slyerror.h"

GBytes *
sly_jpeg_encode (const SlyImageView * view, gint quality, GError ** error)
{
  g_set_error (error, SLY_ERROR, SLY_ERROR_NOT_SUPPORTED,
      "JPEG encoding is not implemented yet");
  return NULL;
}

SlyImage *
sly_jpeg_decode (const guint8 * data, gsize size, GError ** error)
{
  g_set_error (error, SLY_ERROR, SLY_ERROR_NOT_SUPPORTED,
      "JPEG decoding is not implemented yet");
  return NULL;
}
