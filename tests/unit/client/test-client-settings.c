/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The YAML defaults that serving apps answer to
 * get_custom_inference_settings (docs/protocol.md): sly_settings_parse_yaml
 * must read them as the SDK does (PyYAML's yaml.safe_load, YAML 1.1 types),
 * nested blocks included, and refuse hostile documents with an error.
 * When Debian's python3-yaml is installed, every accepted sample is also
 * read by PyYAML and both results must be equal, types included.
 */
#include "slyclient.h"
#include "slyerror.h"
#include "slyjson.h"

#include <string.h>

/* Equal trees with equal value types: an int is not a double here (a
 * server reading "max_det" as 300.0 may refuse it). */
static gboolean
same_tree (JsonNode * a, JsonNode * b)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;
  switch (JSON_NODE_TYPE (a)) {
    case JSON_NODE_NULL:
      return TRUE;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (a) != json_node_get_value_type (b))
        return FALSE;
      if (json_node_get_value_type (a) == G_TYPE_STRING)
        return g_strcmp0 (json_node_get_string (a),
            json_node_get_string (b)) == 0;
      if (json_node_get_value_type (a) == G_TYPE_DOUBLE)
        return json_node_get_double (a) == json_node_get_double (b);
      if (json_node_get_value_type (a) == G_TYPE_BOOLEAN)
        return json_node_get_boolean (a) == json_node_get_boolean (b);
      return json_node_get_int (a) == json_node_get_int (b);
    case JSON_NODE_ARRAY:{
      JsonArray *x = json_node_get_array (a), *y = json_node_get_array (b);
      guint i, n = json_array_get_length (x);

      if (n != json_array_get_length (y))
        return FALSE;
      for (i = 0; i < n; i++)
        if (!same_tree (json_array_get_element (x, i),
                json_array_get_element (y, i)))
          return FALSE;
      return TRUE;
    }
    case JSON_NODE_OBJECT:{
      JsonObject *x = json_node_get_object (a), *y = json_node_get_object (b);
      JsonObjectIter iter;
      const gchar *name;
      JsonNode *member;

      if (json_object_get_size (x) != json_object_get_size (y))
        return FALSE;
      json_object_iter_init (&iter, x);
      while (json_object_iter_next (&iter, &name, &member))
        if (!json_object_has_member (y, name)
            || !same_tree (member, json_object_get_member (y, name)))
          return FALSE;
      return TRUE;
    }
  }
  return FALSE;
}

static gchar *
object_text (JsonObject * obj)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);

  return sly_json_to_string (node);
}

/* Parses @yaml, which must give the JSON object @json. */
static void
assert_yaml (const gchar * yaml, const gchar * json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) obj = sly_settings_parse_yaml (yaml, &error);
  g_autoptr (JsonNode) want = sly_json_parse (json, -1, "expected", NULL);
  g_autoptr (JsonNode) got = NULL;
  g_autofree gchar *text = NULL;

  g_assert_nonnull (want);
  if (obj == NULL)
    g_error ("YAML refused: %s\n%s", error->message, yaml);
  got = json_node_init_object (json_node_alloc (), obj);
  text = sly_json_to_string (got);
  if (!same_tree (got, want))
    g_error ("YAML\n%s\ngave %s\nexpected %s", yaml, text, json);
}

static void
assert_refused (const gchar * yaml, const gchar * message_part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) obj = sly_settings_parse_yaml (yaml, &error);

  if (obj != NULL) {
    g_autofree gchar *text = object_text (obj);

    g_error ("accepted\n%s\nas %s", yaml, text);
  }
  g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  if (message_part != NULL && strstr (error->message, message_part) == NULL)
    g_error ("error \"%s\" does not say \"%s\"", error->message, message_part);
}

/* What a detection app with sliding-window inference answers: blocks
 * nested two levels and more, block and flow lists, comments. */
static const gchar sliding_window[] =
    "# Default inference settings\n"
    "conf: 0.25\n"
    "iou: 0.7\n"
    "max_det: 300\n"
    "augment: False\n"
    "classes: ~\n"
    "sliding_window_params:\n"
    "  enable: on\n"
    "  window:\n"
    "    height: 640\n"
    "    width: 640\n"
    "  overlap: {x: 32, y: 32}\n"
    "  border_strategy: shift_window   # or add_padding\n"
    "  merge:\n"
    "    iou: 0.5\n" "    classes: [person, car]\n" "after_block: 1.5\n";

static void
test_nested_blocks (void)
{
  assert_yaml (sliding_window, "{\"conf\":0.25,\"iou\":0.7,\"max_det\":300,"
      "\"augment\":false,\"classes\":null,\"sliding_window_params\":{"
      "\"enable\":true,\"window\":{\"height\":640,\"width\":640},"
      "\"overlap\":{\"x\":32,\"y\":32},\"border_strategy\":\"shift_window\","
      "\"merge\":{\"iou\":0.5,\"classes\":[\"person\",\"car\"]}},"
      "\"after_block\":1.5}");
}

static void
test_lists_of_mappings (void)
{
  assert_yaml ("augmentations:\n"
      "  - name: resize\n"
      "    size: [640, 480]\n"
      "  - {name: flip, p: 0.5}\n"
      "  -\n"
      "    name: crop\n"
      "    box:\n"
      "      - [0, 0]\n"
      "      - [10, 20]\n"
      "empty_list: []\n"
      "empty_map: {}\n"
      "nested_flow: [a, [b, {c: [d]}]]\n"
      "compact:\n- x\n- y: 1\n",
      "{\"augmentations\":[{\"name\":\"resize\",\"size\":[640,480]},"
      "{\"name\":\"flip\",\"p\":0.5},{\"name\":\"crop\",\"box\":[[0,0],"
      "[10,20]]}],\"empty_list\":[],\"empty_map\":{},"
      "\"nested_flow\":[\"a\",[\"b\",{\"c\":[\"d\"]}]],"
      "\"compact\":[\"x\",{\"y\":1}]}");
}

/* Plain scalars take YAML 1.1 types the way PyYAML resolves them: "y",
 * "1e3", "7e-1", "0o17" and "-.5" stay strings there, so they do here. */
static void
test_scalar_types (void)
{
  static const struct
  {
    const gchar *yaml;
    const gchar *json;
  } cases[] = {
    {"yes", "true"}, {"Yes", "true"}, {"YES", "true"}, {"yEs", "\"yEs\""},
    {"no", "false"}, {"NO", "false"}, {"on", "true"}, {"On", "true"},
    {"ON", "true"}, {"off", "false"}, {"Off", "false"}, {"True", "true"},
    {"TRUE", "true"}, {"false", "false"}, {"FALSE", "false"},
    {"y", "\"y\""}, {"n", "\"n\""}, {"Y", "\"Y\""}, {"N", "\"N\""},
    {"0", "0"}, {"-0", "0"}, {"+12", "12"}, {"-4", "-4"}, {"1_000", "1000"},
    {"1__", "1"}, {"017", "15"}, {"00", "0"}, {"0_", "0"}, {"08", "\"08\""},
    {"0o17", "\"0o17\""}, {"0x1F", "31"}, {"-0x1f", "-31"},
    {"0x_1_f", "31"}, {"0b101", "5"}, {"0b2", "\"0b2\""},
    {"0xg", "\"0xg\""}, {"0x", "\"0x\""}, {"1:30", "90"},
    {"-1:30", "-90"}, {"190:20:30", "685230"}, {"0:30", "\"0:30\""},
    {"9223372036854775807", "9223372036854775807"},
    {"-9223372036854775808", "-9223372036854775808"},
    {"0.25", "0.25"}, {"1.", "1.0"}, {".5", "0.5"}, {"-.5", "\"-.5\""},
    {"+.5", "\"+.5\""}, {"1_0.5", "10.5"}, {"1.0e+3", "1000.0"},
    {"1.5E-3", "0.0015"}, {"1.e+3", "1000.0"}, {"1e3", "\"1e3\""},
    {"1.0e3", "\"1.0e3\""}, {"7e-1", "\"7e-1\""}, {"1:30.5", "90.5"},
    {"._5", "\"._5\""}, {"nan", "\"nan\""}, {"inf", "\"inf\""},
    {"~", "null"}, {"null", "null"}, {"Null", "null"}, {"NULL", "null"},
    {"nULL", "\"nULL\""}, {"", "null"}, {"yolo11n.pt", "\"yolo11n.pt\""},
    {"'10'", "\"10\""}, {"\"yes\"", "\"yes\""}, {"'~'", "\"~\""},
    {"''", "\"\""}, {"'it''s'", "\"it's\""},
    {"\"a # not a comment\"", "\"a # not a comment\""},
    {"\"tab\\there \\u00e9\"", "\"tab\\there \\u00e9\""},
    {"value # comment", "\"value\""}, {"a:b", "\"a:b\""},
    {"!!str 12", "\"12\""}, {"!!int '12'", "12"}, {"!!float '1'", "1.0"},
    {"!!float 1e3", "1000.0"}, {"!!bool 'yes'", "true"},
    {"!!null ''", "null"}, {"! 12", "12"}, {"!!str", "\"\""},
    {"|\n  x\n  y\n", "\"x\\ny\\n\""}, {">\n  x\n  y\n", "\"x y\\n\""},
    {"2001-12-14", "\"2001-12-14\""},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *yaml = g_strdup_printf ("k: %s\n", cases[i].yaml);
    g_autofree gchar *json = g_strdup_printf ("{\"k\":%s}", cases[i].json);

    assert_yaml (yaml, json);
  }
}

/* JSON has no infinity nor NaN: such floats keep their text. Integers past
 * 64 bits become doubles (JSON numbers), as before. */
static void
test_unrepresentable (void)
{
  assert_yaml ("a: .inf\nb: -.Inf\nc: .NaN\nd: 1" "000000000000000000000.5\n",
      "{\"a\":\".inf\",\"b\":\"-.Inf\",\"c\":\".NaN\",\"d\":1e21}");
  assert_yaml ("big: 9223372036854775808\nneg: -1_0000000000000000000\n",
      "{\"big\":9223372036854775808.0,\"neg\":-1e19}");
  assert_yaml ("hex: 0x10000000000000000\n",
      "{\"hex\":18446744073709551616.0}");
}

/* Keys that are not strings become their JSON text, as json.dumps writes
 * them; duplicates: the last one wins. */
static void
test_keys (void)
{
  assert_yaml ("1: a\n2.5: b\n~: d\nfalse: e\n'3': f\nx: 1\nx: 2\n",
      "{\"1\":\"a\",\"2.5\":\"b\",\"null\":\"d\",\"false\":\"e\","
      "\"3\":\"f\",\"x\":2}");
  assert_yaml ("\"quoted key\": 1\n? explicit\n: 2\n",
      "{\"quoted key\":1,\"explicit\":2}");
}

static void
test_documents (void)
{
  assert_yaml ("", "{}");
  assert_yaml ("# only a comment\n", "{}");
  assert_yaml ("---\n", "{}");
  assert_yaml ("~\n", "{}");
  assert_yaml ("--- \nconf: 0.5\n...\n", "{\"conf\":0.5}");
  assert_yaml ("conf: 0.5\r\niou: 0.4\r\n", "{\"conf\":0.5,\"iou\":0.4}");
  assert_yaml ("  indented: 1\n  other: 2\n", "{\"indented\":1,\"other\":2}");
  assert_yaml ("{conf: 0.5, classes: [a]}",
      "{\"conf\":0.5,\"classes\":[\"a\"]}");
}

/* Anchors and aliases give independent copies; "<<" merges mappings with
 * the keys of the mapping itself winning, and the first of a merged list
 * winning over later ones. */
static void
test_anchors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) obj = NULL;
  JsonObject *a, *b;

  assert_yaml ("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n",
      "{\"base\":{\"x\":1,\"y\":2},\"d\":{\"x\":1,\"y\":3}}");
  assert_yaml ("a: &a [1]\nb: &b {q: 1}\nc:\n  <<: [*b, {q: 2, r: 3}]\n"
      "d: *a\ne: &s text\nf: *s\n",
      "{\"a\":[1],\"b\":{\"q\":1},\"c\":{\"q\":1,\"r\":3},\"d\":[1],"
      "\"e\":\"text\",\"f\":\"text\"}");
  assert_yaml ("'<<': 1\n", "{\"<<\":1}");

  obj = sly_settings_parse_yaml ("a: &w {h: 1}\nb: *w\n", &error);
  g_assert_no_error (error);
  a = json_object_get_object_member (obj, "a");
  b = json_object_get_object_member (obj, "b");
  g_assert_true (a != b);
  json_object_set_int_member (b, "h", 2);
  g_assert_cmpint (json_object_get_int_member (a, "h"), ==, 1);
}

static void
test_refused (void)
{
  static const struct
  {
    const gchar *yaml;
    const gchar *message_part;
  } cases[] = {
    {"just text", "mapping"},
    {"- a\n- b\n", "mapping"},
    {"12", "mapping"},
    {"conf: 0.3\nno colon here\n", "line 3"},
    {"name: 'unterminated\n", NULL},
    {"a: [1, 2\n", NULL},
    {": value\n", NULL},
    {"a: 1\n---\nb: 2\n", "document"},
    {"a: *nowhere\n", "nowhere"},
    {"a: &x [*x]\n", "x"},
    {"? [a]\n: 1\n", "key"},
    {"[a, b]: 1\n", "key"},
    {"a: !!python/object:os.system x\n", "tag"},
    {"a: !foo x\n", "tag"},
    {"a: !!binary aGVsbG8=\n", "tag"},
    {"a: !!set {x, y}\n", "tag"},
    {"a: !!int x\n", NULL},
    {"a: !!bool 'y'\n", NULL},
    {"a: 0x_\n", NULL},
    {"a: 0b_\n", NULL},
    {"a: \"nul \\0 inside\"\n", NULL},
    {"a: 1\n\tb: 2\n", NULL},
    {"a: \xff\xfe\n", NULL},
    {"<<: 1\n", "merge"},
    {"<<: [1]\n", "merge"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("%s", cases[i].yaml);
    assert_refused (cases[i].yaml, cases[i].message_part);
  }
}

/* Nesting is bounded (the parser recurses once per level, and what it
 * accepts must parse again once sent inside a request state). */
static void
test_depth_limit (void)
{
  GString *ok = g_string_new ("a: ");
  GString *deep = g_string_new ("a: ");
  g_autofree gchar *huge = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) obj = NULL;
  guint i;

  /* the top mapping is level 1 */
  for (i = 1; i < SLY_SETTINGS_MAX_DEPTH; i++)
    g_string_append_c (ok, '[');
  for (i = 1; i < SLY_SETTINGS_MAX_DEPTH; i++)
    g_string_append_c (ok, ']');
  obj = sly_settings_parse_yaml (ok->str, &error);
  g_assert_no_error (error);
  g_assert_nonnull (obj);

  for (i = 0; i < SLY_SETTINGS_MAX_DEPTH; i++)
    g_string_append (deep, "{b: ");
  for (i = 0; i < SLY_SETTINGS_MAX_DEPTH; i++)
    g_string_append_c (deep, '}');
  assert_refused (deep->str, "deep");

  /* block nesting counts the same */
  g_string_truncate (deep, 0);
  for (i = 0; i <= SLY_SETTINGS_MAX_DEPTH; i++) {
    g_string_append_printf (deep, "%*sk%u:\n", (int) i, "", i);
  }
  g_string_append_printf (deep, "%*sv: 1\n", (int) i, "");
  assert_refused (deep->str, "deep");

  huge = g_strnfill (1000000, '[');
  assert_refused (huge, NULL);

  g_string_free (ok, TRUE);
  g_string_free (deep, TRUE);
}

/* Aliases cannot expand a small document into a huge one ("billion
 * laughs"), nor through an alias nest deeper than the limit. */
static void
test_alias_bombs (void)
{
  GString *text = g_string_new ("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
  GString *deep = g_string_new ("a: &d ");
  guint i;

  for (i = 1; i < 12; i++) {
    g_string_append_printf (text, "l%u: &l%u [", i, i);
    for (guint j = 0; j < 10; j++)
      g_string_append_printf (text, "%s*l%u", j ? ", " : "", i - 1);
    g_string_append (text, "]\n");
  }
  assert_refused (text->str, "alias");

  for (i = 0; i < SLY_SETTINGS_MAX_DEPTH - 10; i++)
    g_string_append_c (deep, '[');
  for (i = 0; i < SLY_SETTINGS_MAX_DEPTH - 10; i++)
    g_string_append_c (deep, ']');
  g_string_append (deep, "\nb: [[[[[[[[[[[[[[[[[[[[*d]]]]]]]]]]]]]]]]]]]]\n");
  assert_refused (deep->str, "deep");

  g_string_free (text, TRUE);
  g_string_free (deep, TRUE);
}

/* Accepted settings are sent back inside state.settings: what is written
 * must parse again to the same tree. */
static void
test_writes_back (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) obj = sly_settings_parse_yaml (sliding_window, &error);
  g_autofree gchar *text = NULL;
  g_autoptr (JsonNode) again = NULL;
  g_autoptr (JsonNode) node = NULL;

  g_assert_no_error (error);
  node = json_node_init_object (json_node_alloc (), obj);
  text = sly_json_to_string (node);
  again = sly_json_parse (text, -1, "written settings", &error);
  g_assert_no_error (error);
  g_assert_true (same_tree (node, again));
}

/* ---- PyYAML as the reference, when Debian's python3-yaml is there ---- */

static const gchar *const pyyaml_samples[] = {
  sliding_window,
  "augmentations:\n  - name: resize\n    size: [640, 480]\n"
      "  - {name: flip, p: 0.5}\nempty: []\n",
  "a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: n\ng: 0x1F\nh: 017\ni: 0b11\n"
      "j: 1_000\nk: 1:30\nl: 1:30.5\nm: 1.0e+3\nn: 1e3\no: -.5\np: .5\n"
      "q: 0o17\nr: 08\ns: ~\nt:\nu: 'yes'\nv: \"1\"\nw: 1.\nx: nULL\n",
  "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\nc:\n  <<: [*b, {x: 5, z: 6}]\n",
  "1: a\n2.5: b\n~: d\nx: 1\nx: 2\n",
  "s: |\n  line\n  two\nf: >-\n  folded\n  text\nq: \"\\u00e9\\t\"\n",
  "big: 9223372036854775807\nsmall: -9223372036854775808\n",
  "",
};

static gchar *
pyyaml_read (const gchar * yaml, GError ** error)
{
  const gchar *argv[] = { "/usr/bin/python3", "-c",
    "import json, sys, yaml\n"
        "sys.stdout.write(json.dumps(yaml.safe_load(sys.stdin.read()) or {}))\n",
    NULL
  };
  g_autoptr (GSubprocess) proc = NULL;
  g_autofree gchar *out = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
      error);
  if (proc == NULL
      || !g_subprocess_communicate_utf8 (proc, yaml, NULL, &out, NULL, error))
    return NULL;
  if (!g_subprocess_get_successful (proc)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "PyYAML failed");
    return NULL;
  }
  return g_steal_pointer (&out);
}

static void
test_same_as_pyyaml (void)
{
  g_autoptr (GError) probe = NULL;
  g_autofree gchar *probed = NULL;
  guint i;

  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)
      || (probed = pyyaml_read ("a: 1", &probe)) == NULL) {
    g_test_skip ("no /usr/bin/python3 with PyYAML (python3-yaml)");
    return;
  }
  for (i = 0; i < G_N_ELEMENTS (pyyaml_samples); i++) {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *json = pyyaml_read (pyyaml_samples[i], &error);

    g_assert_no_error (error);
    assert_yaml (pyyaml_samples[i], json);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/yaml/nested-blocks", test_nested_blocks);
  g_test_add_func ("/settings/yaml/lists-of-mappings", test_lists_of_mappings);
  g_test_add_func ("/settings/yaml/scalar-types", test_scalar_types);
  g_test_add_func ("/settings/yaml/unrepresentable", test_unrepresentable);
  g_test_add_func ("/settings/yaml/keys", test_keys);
  g_test_add_func ("/settings/yaml/documents", test_documents);
  g_test_add_func ("/settings/yaml/anchors", test_anchors);
  g_test_add_func ("/settings/yaml/refused", test_refused);
  g_test_add_func ("/settings/yaml/depth-limit", test_depth_limit);
  g_test_add_func ("/settings/yaml/alias-bombs", test_alias_bombs);
  g_test_add_func ("/settings/yaml/writes-back", test_writes_back);
  g_test_add_func ("/settings/yaml/same-as-pyyaml", test_same_as_pyyaml);
  return g_test_run ();
}
