/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_annotation_from_json(). What parses must be usable:
 * every geometry has a bounding box and bitmaps a mask, it can be copied and
 * scaled, and what it writes parses again. */
#include "fuzz-common.h"
#include "slyannotation.h"

static void
check_objects (SlyAnnotation * ann)
{
  guint i;

  for (i = 0; i < ann->objects->len; i++) {
    SlyObject *obj = g_ptr_array_index (ann->objects, i);
    GError *error = NULL;

    FUZZ_CHECK (obj->class_title != NULL && obj->geometry != NULL);
    (void) sly_geometry_get_bbox (obj->geometry);
    if (obj->geometry->type == SLY_GEOMETRY_BITMAP
        || obj->geometry->type == SLY_GEOMETRY_ALPHA_MASK) {
      const SlyMask *mask = sly_geometry_get_mask (obj->geometry, &error);

      FUZZ_CHECK (mask != NULL && error == NULL);
      FUZZ_CHECK (mask->width > 0 && mask->height > 0);
    }
  }
}

static void
check_writes_back (const SlyAnnotation * ann)
{
  g_autofree gchar *json = sly_annotation_to_json (ann);
  g_autoptr (SlyAnnotation) again = NULL;
  GError *error = NULL;

  FUZZ_CHECK (json != NULL);
  again = sly_annotation_from_json (json, -1, &error);
  if (again == NULL)
    g_printerr ("written annotation does not parse: %s\n%s\n",
        error->message, json);
  FUZZ_CHECK (again != NULL && error == NULL);
  FUZZ_CHECK (again->objects->len == ann->objects->len);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (SlyAnnotation) ann = NULL;
  g_autoptr (SlyAnnotation) copy = NULL;
  GError *error = NULL;

  fuzz_setup ();
  ann = sly_annotation_from_json ((const gchar *) data, size, &error);
  if (ann == NULL) {
    fuzz_check_failure (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL);
  check_objects (ann);
  check_writes_back (ann);
  copy = sly_annotation_copy (ann);
  sly_annotation_scale (copy, 0.5, 2.0, ann->width / 2, ann->height * 2);
  check_objects (copy);
  return 0;
}
