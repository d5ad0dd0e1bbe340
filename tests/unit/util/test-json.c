/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "slyerror.h"
#include "slyjson.h"

/* Every document we write parses again: json-glib alone would write
 * 1e+308 as "1e+308.0"; strings that merely look like numbers stay as
 * they are. */
static void
test_write_back (void)
{
  const gchar *input =
      "{\"big\":1e308,\"tiny\":1e-41,\"neg\":-2E+20,\"plain\":0.5,"
      "\"text\":\"1e5.0 \\\"2e3.0\\\"\",\"list\":[1e300,3]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = sly_json_parse (input, -1, "doc", &error);
  g_autoptr (JsonNode) again = NULL;
  g_autofree gchar *text = NULL;
  JsonObject *obj;

  g_assert_no_error (error);
  text = sly_json_to_string (node);
  again = sly_json_parse (text, -1, "written doc", &error);
  g_assert_no_error (error);
  obj = json_node_get_object (again);
  g_assert_cmpfloat (json_object_get_double_member (obj, "big"), ==, 1e308);
  g_assert_cmpfloat (json_object_get_double_member (obj, "tiny"), ==, 1e-41);
  g_assert_cmpfloat (json_object_get_double_member (obj, "neg"), ==, -2e20);
  g_assert_cmpstr (json_object_get_string_member (obj, "text"), ==,
      "1e5.0 \"2e3.0\"");
}

/* Hostile input gives an error naming the document, never a crash. */
static void
test_hostile (void)
{
  const gchar *cases[] = { "[1e3080]", "{\"a\":-1e999}", "{\"a\":", "" };
  gsize deep_len = 200000;
  g_autofree gchar *deep = g_malloc (deep_len + 1);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) node = sly_json_parse (cases[i], -1, "doc", &error);

    if (cases[i][0] == '\0') {
      /* an empty text is an empty document, not an error */
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_NULL (node));
      continue;
    }
    g_assert_null (node);
    g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
    g_assert_true (g_str_has_prefix (error->message, "doc "));
  }

  memset (deep, '{', deep_len);
  deep[deep_len] = '\0';
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) node = sly_json_parse (deep, deep_len, "doc", &error);

    g_assert_null (node);
    g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/write-back", test_write_back);
  g_test_add_func ("/json/hostile", test_hostile);
  return g_test_run ();
}
