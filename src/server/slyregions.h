/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where a model runs inside an image (protocol.md 4.4): the region of the
 * settings "rectangle" / "rectangles", and the sliding windows of
 * "inference_mode": "sliding_window" with "sliding_window_params", merged
 * with a suppression of duplicates across window borders. docs/server.md
 * states the rules.
 */
#ifndef __SLY_REGIONS_H__
#define __SLY_REGIONS_H__

#include <json-glib/json-glib.h>
#include "slymodels.h"

G_BEGIN_DECLS

/* What one image's inference did besides its annotation. */
typedef struct
{
  /* size of the image the model ran on: the region, clipped to the image
   * (0x0 when the region lies outside), or the whole image */
  gint width;
  gint height;
  /* the result's "data": NULL for {}, or {"slides": [...]} (owned) */
  JsonNode *data;
} SlyInferInfo;

void sly_infer_info_clear (SlyInferInfo * info);

/* More windows for one image fail its inference (400). */
#define SLY_REGIONS_MAX_WINDOWS 4096

/* Checks the region and sliding-window keys of merged settings. Returns
 * FALSE with a message for the 400 (g_free it). @n_images: the number of
 * images of the request ("rectangles" must have as many), 0 when unknown
 * (videos: "rectangles" is refused). */
gboolean sly_regions_check_settings (JsonObject * settings, guint n_images,
    gchar ** message);

/* Runs @model on image @index of a request as its settings say: on the
 * region of "rectangles"[index] or "rectangle", window by window when
 * "inference_mode" is "sliding_window" and "sliding_window_mode" is not
 * "none". Geometries are in the coordinates of @image; the annotation has
 * @image's size. Settings were checked by sly_regions_check_settings(). */
SlyAnnotation *sly_regions_infer (const SlyModel * model,
    const SlyImage * image, guint index, JsonObject * settings,
    SlyInferInfo * info, GError ** error);

G_END_DECLS

#endif /* __SLY_REGIONS_H__ */
