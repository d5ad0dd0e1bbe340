/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: an inference answer as the client reads it. The body goes
 * through sly_client_parse_json() (every answer does), then each result
 * through sly_annotation_from_json_node(): the whole answer as one result
 * (inference_image) and, when it is an array, each element (inference_batch;
 * pop_inference_results items likewise). The client's own glue between the
 * two (parse_results() in slyclient-infer.c, the pop handling in
 * slyclient-session.c) is static and cannot be reached without a server. */
#include "fuzz-common.h"
#include "slyclient-private.h"

static void
parse_result (JsonNode * item)
{
  g_autoptr (SlyAnnotation) ann = NULL;
  GError *error = NULL;
  guint i;

  ann = sly_annotation_from_json_node (item, &error);
  if (ann == NULL) {
    fuzz_check_failure (error);
    return;
  }
  FUZZ_CHECK (error == NULL);
  for (i = 0; i < ann->objects->len; i++) {
    SlyObject *obj = g_ptr_array_index (ann->objects, i);

    FUZZ_CHECK (obj->class_title != NULL && obj->geometry != NULL);
    (void) sly_geometry_get_bbox (obj->geometry);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (GBytes) body = g_bytes_new (data, size);
  g_autoptr (JsonNode) answer = NULL;
  GError *error = NULL;
  guint i;

  fuzz_setup ();
  answer = sly_client_parse_json (body, "inference_image", &error);
  if (answer == NULL) {
    fuzz_check_failure (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL);
  parse_result (answer);
  if (JSON_NODE_HOLDS_ARRAY (answer)) {
    JsonArray *array = json_node_get_array (answer);

    for (i = 0; i < json_array_get_length (array); i++)
      parse_result (json_array_get_element (array, i));
  }
  return 0;
}
