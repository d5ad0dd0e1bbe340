/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
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

/* Doubles are written in the shortest form that reads back to the same
 * double (json-glib alone writes 17 digits: 0.7564 as 0.75639999999999996),
 * still as JSON numbers that read back as doubles. */
static void
test_shortest_doubles (void)
{
  static const struct
  {
    gdouble value;
    const gchar *text;
  } cases[] = {
    {0.7564, "0.7564"}, {0.1, "0.1"}, {-1.5, "-1.5"}, {0.25, "0.25"},
    {1e-7, "1e-07"}, {1e300, "1e+300"}, {-0.0, "-0.0"}, {0.0, "0.0"},
    {2.0, "2.0"}, {100.0, "100.0"}, {1e20, "1e+20"}, {-2e20, "-2e+20"},
    {5e-324, "5e-324"}, {1e-320, "1e-320"}, {1e-41, "1e-41"},
    {0.30000000000000004, "0.30000000000000004"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {2.2250738585072014e-308, "2.2250738585072014e-308"},
    {9007199254740993.0, "9007199254740992.0"},
    {0.1 + 0.7, "0.7999999999999999"}, {1.0 / 3, "0.3333333333333333"},
    {123456.789, "123456.789"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (JsonNode) node = json_node_init_double (json_node_alloc (),
        cases[i].value);
    g_autofree gchar *text = sly_json_to_string (node);

    g_assert_cmpstr (text, ==, cases[i].text);
  }
}

/* Any double comes back bit for bit, as a double, inside documents too;
 * strings that look like numbers are left as they are. */
static void
test_doubles_round_trip (void)
{
  g_autoptr (JsonArray) array = json_array_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (JsonNode) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  JsonArray *read;
  guint i, n = 20000;

  for (i = 0; i < n; i++) {
    union
    {
      guint64 bits;
      gdouble d;
    } u;

    do {
      u.bits = ((guint64) g_test_rand_int () << 32) | (guint32)
          g_test_rand_int ();
    } while (!isfinite (u.d));
    if (i % 4 == 1)
      u.d = g_test_rand_double_range (-1000, 1000);
    else if (i % 4 == 2)
      u.d = g_test_rand_int_range (-100000, 100000) / 10000.0;
    json_array_add_double_element (array, u.d);
  }
  json_array_add_string_element (array, "0.75639999999999996");
  json_array_add_int_element (array, 7);
  node = json_node_init_array (json_node_alloc (), array);
  text = sly_json_to_string (node);
  again = sly_json_parse (text, -1, "written doubles", &error);
  g_assert_no_error (error);
  read = json_node_get_array (again);
  g_assert_cmpuint (json_array_get_length (read), ==, n + 2);
  for (i = 0; i < n; i++) {
    JsonNode *element = json_array_get_element (read, i);
    gdouble want = json_array_get_double_element (array, i);
    gdouble got = json_node_get_double (element);

    g_assert_cmpint (json_node_get_value_type (element), ==, G_TYPE_DOUBLE);
    g_assert_true (memcmp (&want, &got, sizeof want) == 0);
  }
  g_assert_cmpstr (json_array_get_string_element (read, n), ==,
      "0.75639999999999996");
  g_assert_cmpint (json_array_get_int_element (read, n + 1), ==, 7);
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

/* A deep copy equals the original and shares none of its values: the
 * strings live elsewhere (json_node_copy() would share them, and count
 * their references without atomics), and the copy outlives the original. */
static void
test_copy_deep (void)
{
  const gchar *doc = "{\"a\":[1,2.5,\"s\",true,null,{\"b\":\"red\"}]}";
  g_autoptr (GError) error = NULL;
  JsonNode *orig = sly_json_parse (doc, -1, "doc", &error);
  g_autoptr (JsonNode) shallow = NULL;
  g_autoptr (JsonNode) copy = NULL;
  g_autofree gchar *text = NULL;
  JsonArray *a, *b, *c;

  g_assert_no_error (error);
  copy = sly_json_node_copy_deep (orig);
  shallow = json_node_copy (orig);
  g_assert_true (json_node_equal (orig, copy));
  a = json_object_get_array_member (json_node_get_object (orig), "a");
  b = json_object_get_array_member (json_node_get_object (copy), "a");
  c = json_object_get_array_member (json_node_get_object (shallow), "a");
  /* the premise: what a shallow copy shares */
  g_assert_true (json_array_get_string_element (a, 2) ==
      json_array_get_string_element (c, 2));
  g_assert_true (json_array_get_string_element (a, 2) !=
      json_array_get_string_element (b, 2));
  g_assert_true (json_object_get_string_member (json_array_get_object_element
          (a, 5), "b") != json_object_get_string_member
      (json_array_get_object_element (b, 5), "b"));
  json_node_unref (orig);
  text = sly_json_to_string (copy);
  g_assert_cmpstr (text, ==, "{\"a\":[1,2.5,\"s\",true,null,{\"b\":\"red\"}]}");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/write-back", test_write_back);
  g_test_add_func ("/json/shortest-doubles", test_shortest_doubles);
  g_test_add_func ("/json/doubles-round-trip", test_doubles_round_trip);
  g_test_add_func ("/json/hostile", test_hostile);
  g_test_add_func ("/json/copy-deep", test_copy_deep);
  return g_test_run ();
}
