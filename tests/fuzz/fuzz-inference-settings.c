/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_inference_settings_set_extra_json() (the element's
 * "settings" property) and the state object built from it. A refused text
 * leaves the earlier extra settings in place; an accepted one ends up in
 * state.settings below the explicit keys, and the state writes valid JSON. */
#include "fuzz-common.h"
#include "slyclient.h"
#include "slyjson.h"

#include <string.h>

static JsonObject *
state_settings (JsonNode * state)
{
  JsonNode *settings;

  FUZZ_CHECK (state != NULL && JSON_NODE_HOLDS_OBJECT (state));
  settings = json_object_get_member (json_node_get_object (state), "settings");
  FUZZ_CHECK (settings != NULL && JSON_NODE_HOLDS_OBJECT (settings));
  return json_node_get_object (settings);
}

static void
check_state (const SlyInferenceSettings * s)
{
  g_autoptr (JsonNode) state = sly_inference_settings_to_state (s, 4);
  JsonObject *settings = state_settings (state);
  g_autofree gchar *text = sly_json_to_string (state);
  g_autoptr (JsonNode) again = NULL;
  GError *error = NULL;
  JsonNode *conf;

  /* the explicit keys win over the extra ones */
  conf = json_object_get_member (settings, "conf");
  FUZZ_CHECK (conf != NULL && JSON_NODE_HOLDS_VALUE (conf));
  FUZZ_CHECK (json_node_get_double (conf) == 0.25);
  FUZZ_CHECK (json_object_get_int_member_with_default
      (json_node_get_object (state), "batch_size", 0) == 4);

  again = sly_json_parse (text, -1, "written state", &error);
  if (again == NULL)
    g_printerr ("state written as invalid JSON: %s\n%s\n", error->message,
        text);
  FUZZ_CHECK (again != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  g_autoptr (SlyInferenceSettings) s = sly_inference_settings_new ();
  g_autoptr (JsonNode) before = NULL;
  g_autoptr (JsonNode) after = NULL;
  g_autofree gchar *before_text = NULL;
  g_autofree gchar *after_text = NULL;
  GError *error = NULL;

  fuzz_setup ();
  sly_inference_settings_set_conf (s, 0.25);
  FUZZ_CHECK (sly_inference_settings_set_extra_json (s, "{\"iou\": 0.5}",
          NULL));
  before = sly_inference_settings_to_state (s, 0);
  before_text = sly_json_to_string (before);

  if (!sly_inference_settings_set_extra_json (s, text, &error)) {
    fuzz_check_failure (error);
    after = sly_inference_settings_to_state (s, 0);
    after_text = sly_json_to_string (after);
    FUZZ_CHECK (strcmp (before_text, after_text) == 0);
  }
  check_state (s);
  return 0;
}
