/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_video_annotation_from_json(); what parses writes JSON
 * that parses again. */
#include "fuzz-common.h"
#include "slyvideoannotation.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (SlyVideoAnnotation) va = NULL;
  g_autoptr (SlyVideoAnnotation) again = NULL;
  g_autofree gchar *json = NULL;
  GError *error = NULL;

  fuzz_setup ();
  va = sly_video_annotation_from_json ((const gchar *) data, size, &error);
  if (va == NULL) {
    fuzz_check_failure (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL);
  json = sly_video_annotation_to_json (va);
  FUZZ_CHECK (json != NULL);
  again = sly_video_annotation_from_json (json, -1, &error);
  if (again == NULL)
    g_printerr ("written video annotation does not parse: %s\n%s\n",
        error->message, json);
  FUZZ_CHECK (again != NULL && error == NULL);
  return 0;
}
