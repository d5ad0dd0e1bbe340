/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_tracker_config_merge_string(), the reader of the
 * element's "tracking-config" property (and of the server's tracking
 * settings). A refused text leaves the configuration unchanged; an accepted
 * one round-trips through sly_tracker_config_to_json() and then drives a
 * short scripted tracker run (fuzz-tracker fuzzes the detections). */
#include "fuzz-tracker-common.h"
#include "slyjson.h"

#include <string.h>

static gchar *
config_text (const SlyTrackerConfig * config)
{
  g_autoptr (JsonObject) obj = sly_tracker_config_to_json (config);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);

  return sly_json_to_string (node);
}

static void
check_round_trip (const SlyTrackerConfig * config)
{
  g_autoptr (JsonObject) obj = sly_tracker_config_to_json (config);
  g_autoptr (SlyTrackerConfig) again = sly_tracker_config_new ();
  g_autofree gchar *text = config_text (config);
  g_autofree gchar *again_text = NULL;
  g_autoptr (GPtrArray) warnings = sly_tracker_config_get_warnings (config);
  GError *error = NULL;

  FUZZ_CHECK (warnings != NULL);
  if (!sly_tracker_config_merge_json (again, obj, NULL, &error))
    g_printerr ("written config does not merge: %s\n%s\n", error->message,
        text);
  FUZZ_CHECK (error == NULL);
  again_text = config_text (again);
  FUZZ_CHECK (strcmp (text, again_text) == 0);
}

/* Three objects crossing a 640x480 frame, one of them leaving halfway, a
 * frame without inference every fourth frame. */
static void
run_tracker (const SlyTrackerConfig * config)
{
  g_autoptr (SlyTracker) tracker = sly_tracker_new (config);
  gint64 max_id = 0;
  guint f;

  for (f = 0; f < 16; f++) {
    SlyDetection dets[3] = {
      {10.0 + 8 * f, 20.0, 60.0 + 8 * f, 100.0, 0.9, 0},
      {400.0 - 5 * f, 300.0 + 2 * f, 460.0 - 5 * f, 380.0 + 2 * f, 0.55, 1},
      {200.0, 200.0, 240.0, 230.0, 0.3, 0},
    };

    if (f % 4 == 3) {
      sly_tracker_predict (tracker);
      fuzz_tracker_check_tracks (tracker);
      continue;
    }
    fuzz_tracker_update (tracker, dets, f < 8 ? 3 : 2, &max_id);
  }
  FUZZ_CHECK (sly_tracker_get_frame_count (tracker) == 16);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  g_autoptr (SlyTrackerConfig) config = sly_tracker_config_new ();
  g_autoptr (GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *before = config_text (config);
  GError *error = NULL;
  guint i;

  fuzz_setup ();
  if (!sly_tracker_config_merge_string (config, text, unknown, &error)) {
    g_autofree gchar *after = config_text (config);

    fuzz_check_failure (error);
    FUZZ_CHECK (strcmp (before, after) == 0);
    return 0;
  }
  FUZZ_CHECK (error == NULL);
  for (i = 0; i < unknown->len; i++)
    FUZZ_CHECK (g_ptr_array_index (unknown, i) != NULL);
  check_round_trip (config);
  run_tracker (config);
  return 0;
}
