/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: an inference answer as the client reads it. The body goes
 * through sly_client_parse_json() (every answer does), then through the
 * client's own sly_client_parse_results(): as the answer of
 * inference_image (one result), and as the answer of inference_batch for
 * as many images as the array holds (else for two, to reach the "not an
 * array" refusal). Then the same with an object cap of 2, as the client
 * reads with one: the text pruned (sly_client_parse_answer()), at most 2
 * objects per annotation. The pop records of async requests have their
 * own target, session-record. */
#include "fuzz-common.h"
#include "slyclient-private.h"

#define CAP 2

static void
check_results (JsonNode * answer, guint n_images, guint max_objects)
{
  g_autoptr (GPtrArray) anns = NULL;
  GError *error = NULL;
  guint i, j;

  anns = sly_client_parse_results (answer, n_images, max_objects, &error);
  if (anns == NULL) {
    fuzz_check_failure (error);
    return;
  }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (anns->len == n_images);
  for (i = 0; i < anns->len; i++) {
    SlyAnnotation *ann = g_ptr_array_index (anns, i);

    FUZZ_CHECK (max_objects == 0 || ann->objects->len <= max_objects);
    for (j = 0; j < ann->objects->len; j++) {
      SlyObject *obj = g_ptr_array_index (ann->objects, j);

      FUZZ_CHECK (obj->class_title != NULL && obj->geometry != NULL);
      (void) sly_geometry_get_bbox (obj->geometry);
    }
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (GBytes) body = g_bytes_new (data, size);
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (JsonNode) capped = NULL;
  GError *error = NULL;
  guint n = 2;

  fuzz_setup ();
  answer = sly_client_parse_json (body, "inference_image", &error);
  if (answer == NULL) {
    fuzz_check_failure (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL);
  check_results (answer, 1, 0);
  if (JSON_NODE_HOLDS_ARRAY (answer))
    n = MAX (json_array_get_length (json_node_get_array (answer)), 2);
  check_results (answer, n, 0);

  /* pruning keeps valid JSON valid */
  capped = sly_client_parse_answer (body, "inference_image", CAP, &error);
  FUZZ_CHECK (capped != NULL && error == NULL);
  check_results (capped, 1, CAP);
  check_results (capped, n, CAP);
  return 0;
}
