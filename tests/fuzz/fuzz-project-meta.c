/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_project_meta_from_json(); what parses writes JSON that
 * parses again with the same classes. */
#include "fuzz-common.h"
#include "slyprojectmeta.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (SlyProjectMeta) meta = NULL;
  g_autoptr (SlyProjectMeta) again = NULL;
  g_autofree gchar *json = NULL;
  g_auto (GStrv) titles = NULL;
  g_auto (GStrv) titles_again = NULL;
  GError *error = NULL;

  fuzz_setup ();
  meta = sly_project_meta_from_json ((const gchar *) data, size, &error);
  if (meta == NULL) {
    fuzz_check_failure (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL);
  titles = sly_project_meta_dup_class_titles (meta);
  FUZZ_CHECK (titles != NULL);

  json = sly_project_meta_to_json (meta);
  FUZZ_CHECK (json != NULL);
  again = sly_project_meta_from_json (json, -1, &error);
  if (again == NULL)
    g_printerr ("written meta does not parse: %s\n%s\n", error->message, json);
  FUZZ_CHECK (again != NULL && error == NULL);
  titles_again = sly_project_meta_dup_class_titles (again);
  FUZZ_CHECK (g_strv_equal ((const gchar * const *) titles,
          (const gchar * const *) titles_again));
  return 0;
}
