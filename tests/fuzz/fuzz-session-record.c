/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: a record of an async request (pop_inference_results,
 * get_inference_progress; protocol.md 3.18 and the legacy shapes of
 * section 10) as SlyPredictionSession reads it: sly_client_parse_json(),
 * sly_session_record_parse() (exception, pending results, flags), then
 * sly_session_record_ended() before and after the work was seen to start,
 * and each pending result through sly_client_parse_results() (each has the
 * shape of an inference_image answer). */
#include "fuzz-common.h"
#include "slyclient-private.h"

static void
check_result (JsonNode * item)
{
  g_autoptr (GPtrArray) anns = NULL;
  GError *error = NULL;

  anns = sly_client_parse_results (item, 1, 0, &error);
  if (anns == NULL) {
    fuzz_check_failure (error);
    return;
  }
  FUZZ_CHECK (anns->len == 1);
}

static void
check_record (const SlySessionRecord * record)
{
  gboolean started = FALSE;
  gboolean ended;
  guint i;

  FUZZ_CHECK (record->finished >= -1 && record->finished <= 1);
  FUZZ_CHECK (record->inferring >= -1 && record->inferring <= 1);
  ended = sly_session_record_ended (record, &started);
  /* results or is_inferring mean the work has started */
  FUZZ_CHECK (started == (record->results->len > 0
          || record->inferring == TRUE));
  /* an explicit "finished" decides alone */
  if (record->finished != -1)
    FUZZ_CHECK (ended == record->finished);
  started = TRUE;
  if (sly_session_record_ended (record, &started) != ended)
    FUZZ_CHECK (record->finished == -1 && record->inferring == FALSE);
  for (i = 0; i < record->results->len; i++)
    check_result (g_ptr_array_index (record->results, i));
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (GBytes) body = g_bytes_new (data, size);
  g_autoptr (JsonNode) answer = NULL;
  SlySessionRecord record = { NULL, };
  GError *error = NULL;

  fuzz_setup ();
  answer = sly_client_parse_json (body, "pop_inference_results", &error);
  if (answer == NULL) {
    fuzz_check_failure (error);
    return 0;
  }
  if (sly_session_record_parse (answer, &record, &error)) {
    FUZZ_CHECK (error == NULL);
    check_record (&record);
  } else {
    FUZZ_CHECK (record.results != NULL && record.results->len == 0);
    fuzz_check_failure (error);
  }
  sly_session_record_clear (&record);
  return 0;
}
