/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_settings_parse_yaml(), which reads with libyaml the YAML
 * defaults that get_custom_inference_settings answers (docs/protocol.md),
 * and sly_settings_to_object() on the same text as a JSON string and, when
 * the input is JSON, on the parsed value. Whatever the input, the answer is
 * an object or an SLY_ERROR; nesting and aliases stay within the limits.
 * What is accepted is sent back to servers inside state.settings, so what
 * sly_json_to_string() writes of it must parse again to the same tree
 * (libyaml refuses invalid UTF-8, so every accepted string is valid). */
#include "fuzz-common.h"
#include "slyclient.h"
#include "slyjson.h"

static void
check_writes_json (JsonObject * obj)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);
  g_autofree gchar *text = sly_json_to_string (node);
  g_autoptr (JsonNode) again = NULL;
  GError *error = NULL;

  again = sly_json_parse (text, -1, "written settings", &error);
  if (again == NULL)
    g_printerr ("settings written as invalid JSON: %s\n%s\n",
        error->message, text);
  FUZZ_CHECK (again != NULL && JSON_NODE_HOLDS_OBJECT (again));
  FUZZ_CHECK (json_node_equal (node, again));
}

/* The same answer as a JSON string value goes the same way. */
static void
check_as_string_node (const gchar * text, gboolean parsed)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autoptr (JsonObject) obj = NULL;
  GError *error = NULL;

  json_node_set_string (node, text);
  obj = sly_settings_to_object (node, &error);
  FUZZ_CHECK ((obj != NULL) == parsed);
  if (obj == NULL)
    fuzz_check_failure (error);
}

/* get_custom_inference_settings' "settings" may be any JSON value */
static void
check_json_value (const gchar * text)
{
  g_autoptr (JsonNode) root = sly_json_parse (text, -1, "settings", NULL);
  g_autoptr (JsonObject) obj = NULL;
  GError *error = NULL;

  if (root == NULL)
    return;
  obj = sly_settings_to_object (root, &error);
  if (obj == NULL)
    fuzz_check_failure (error);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  /* settings arrive as a C string: stop at the first NUL, as json-glib does */
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  g_autoptr (JsonObject) obj = NULL;
  GError *error = NULL;

  fuzz_setup ();
  obj = sly_settings_parse_yaml (text, &error);
  if (obj == NULL)
    fuzz_check_failure (error);
  else
    check_writes_json (obj);
  check_as_string_node (text, obj != NULL);
  check_json_value (text);
  return 0;
}
