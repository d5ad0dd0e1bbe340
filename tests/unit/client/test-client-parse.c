/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers of the client without HTTP: error texts (protocol.md 2.2), the
 * YAML defaults of 3.3 (the YAML reader itself: test-client-settings.c),
 * the state of section 4, credentials of 1.4.
 */
#include "slyclient.h"
#include "slyenv.h"
#include "slyerror.h"
#include "slyerrors.h"
#include "clienttestutil.h"

#include <glib/gstdio.h>
#include <string.h>

/* Every recorded error answer gives the sentence a person needs. */
static void
test_error_samples (void)
{
  static const struct
  {
    const gchar *sample;
    guint status;
    const gchar *text;
  } cases[] = {
    {"err_no_files", 422, "field required"},
    {"err_progress_unknown_uuid", 500, "Internal Server Error"},
    {"err_not_an_image", 500, "Internal Server Error"},
    {"err_state_not_object", 400, "Settings is not json object"},
    {"err_progress_missing_uuid", 400,
        "Error: 'inference_request_uuid' is required."},
    {"err_unknown_endpoint", 404, "Not Found"},
    {"err_malformed_state_form", 400, "Cannot decode settings: Expecting "
          "',' delimiter: line 1 column 26 (char 25)"},
    {"is_ready_after_failed_deploy", 503, "Service not ready"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (Sample) sample = sample_load (cases[i].sample);
    gsize size;
    const gchar *body = g_bytes_get_data (sample->body, &size);
    g_autoptr (GError) error = sly_http_error_new_from_body (sample->status,
        body, size);

    g_test_message ("%s", cases[i].sample);
    g_assert_cmpuint (sample->status, ==, cases[i].status);
    g_assert_error (error, SLY_HTTP_ERROR, (gint) cases[i].status);
    g_assert_cmpstr (error->message, ==, cases[i].text);
  }
}

/* Each error shape of 2.2, in the order the client rule gives. */
static void
test_error_shapes (void)
{
  static const struct
  {
    const gchar *body;
    const gchar *text;
  } cases[] = {
    {"{\"message\": \"m\", \"detail\": \"d\"}", "m"},
    {"{\"detail\": \"d\", \"success\": false}", "d"},
    {"{\"message\": 5, \"detail\": \"d\"}", "d"},
    {"{\"detail\": {\"title\": \"Oops! Something went wrong\", "
          "\"message\": \"ValueError('x')\"}}", "ValueError('x')"},
    {"{\"detail\": [{\"loc\": [\"body\"], \"msg\": \"first\"}, "
          "{\"msg\": \"second\"}]}", "first"},
    {"\"File has unsupported format. Supported formats: [.jpg]\"",
        "File has unsupported format. Supported formats: [.jpg]"},
    {"{\"detail\": {\"title\": \"t\"}}", "{\"detail\": {\"title\": \"t\"}}"},
    {"{\"detail\": []}", "{\"detail\": []}"},
    {"[1, 2]", "[1, 2]"},
    {"Internal Server Error", "Internal Server Error"},
    {"line one\nline\ttwo\r\n", "line one line two"},
    {"  ", "HTTP 502 Bad Gateway"},
    {"", "HTTP 502 Bad Gateway"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *text = sly_error_text_from_body (cases[i].body,
        strlen (cases[i].body), 502);

    g_assert_cmpstr (text, ==, cases[i].text);
  }
}

/* Hostile bodies: cut to a sane length, always valid UTF-8. */
static void
test_error_hostile (void)
{
  g_autofree gchar *huge = g_strnfill (100000, 'x');
  g_autofree gchar *huge_json = g_strdup_printf ("{\"message\": \"%s\"}",
      huge);
  const gchar bad_utf8[] = "bad \xff\xfe bytes";
  const gchar with_nul[] = "before\0after";
  g_autofree gchar *t1 = sly_error_text_from_body (huge, strlen (huge), 500);
  g_autofree gchar *t2 = sly_error_text_from_body (huge_json,
      strlen (huge_json), 500);
  g_autofree gchar *t3 = sly_error_text_from_body (bad_utf8,
      sizeof (bad_utf8) - 1, 500);
  g_autofree gchar *t4 = sly_error_text_from_body (with_nul,
      sizeof (with_nul) - 1, 500);

  g_assert_cmpuint (strlen (t1), <=, SLY_ERROR_TEXT_MAX);
  g_assert_true (g_str_has_suffix (t1, "..."));
  g_assert_cmpuint (strlen (t2), <=, SLY_ERROR_TEXT_MAX);
  g_assert_true (g_str_has_prefix (t2, "xxx"));
  g_assert_true (g_utf8_validate (t3, -1, NULL));
  g_assert_true (g_str_has_prefix (t3, "bad "));
  g_assert_true (g_str_has_suffix (t3, " bytes"));
  g_assert_true (g_utf8_validate (t4, -1, NULL));
  g_assert_true (g_str_has_prefix (t4, "before"));
}

/* The recorded defaults arrive as a YAML string. */
static void
test_yaml_sample (void)
{
  g_autoptr (Sample) sample = sample_load ("get_custom_inference_settings");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonObject) settings = NULL;
  g_autoptr (GError) error = NULL;
  JsonNode *value;

  g_assert_true (json_parser_load_from_data (parser,
          g_bytes_get_data (sample->body, NULL),
          g_bytes_get_size (sample->body), NULL));
  value = json_object_get_member (json_node_get_object
      (json_parser_get_root (parser)), "settings");
  g_assert_cmpint (json_node_get_value_type (value), ==, G_TYPE_STRING);
  settings = sly_settings_to_object (value, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (settings), ==, 1);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (settings,
              "conf")), ==, G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_object_get_double_member (settings, "conf"), ==,
      0.25);
}

static void
test_settings_node_kinds (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) null_node = json_node_new (JSON_NODE_NULL);
  g_autoptr (JsonNode) number = json_node_new (JSON_NODE_VALUE);
  g_autoptr (JsonObject) empty = sly_settings_to_object (null_node, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (empty), ==, 0);
  json_node_set_int (number, 4);
  g_assert_null (sly_settings_to_object (number, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
}

static void
assert_json (JsonNode * node, const gchar * expected)
{
  g_autoptr (JsonNode) want = json_from_string (expected, NULL);
  g_autofree gchar *text = json_to_string (node, FALSE);

  g_assert_nonnull (want);
  if (!json_node_equal (node, want))
    g_error ("got %s, expected %s", text, expected);
}

/* Only the keys a caller set travel, explicit keys beat extra JSON. */
static void
test_settings_state (void)
{
  g_autoptr (SlyInferenceSettings) s = sly_inference_settings_new ();
  g_autoptr (SlyInferenceSettings) copy = NULL;
  g_autoptr (JsonNode) state = NULL;
  g_autoptr (JsonNode) state2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  const gchar *classes[] = { "person", "car", NULL };
  const gchar *none[] = { NULL };

  state = sly_inference_settings_to_state (s, 0);
  text = json_to_string (state, FALSE);
  g_assert_cmpstr (text, ==, "{\"settings\":{}}");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&state, json_node_free);

  g_assert_true (sly_inference_settings_set_extra_json (s,
          "{\"conf\": 0.9, \"iou\": 0.5}", &error));
  g_assert_no_error (error);
  sly_inference_settings_set_conf (s, 0.25);
  sly_inference_settings_set_classes (s, classes);
  sly_inference_settings_set_img_size (s, 640);
  state = sly_inference_settings_to_state (s, 4);
  assert_json (state, "{\"settings\":{\"conf\":0.25,\"iou\":0.5,"
      "\"classes\":[\"person\",\"car\"],\"img_size\":640},\"batch_size\":4}");

  copy = sly_inference_settings_copy (s);
  sly_inference_settings_set_classes (s, none);
  sly_inference_settings_set_conf (s, -1);
  state2 = sly_inference_settings_to_state (copy, 0);
  g_assert_true (json_node_equal (json_object_get_member
          (json_node_get_object (state), "settings"),
          json_object_get_member (json_node_get_object (state2), "settings")));
  g_clear_pointer (&state, json_node_free);
  state = sly_inference_settings_to_state (s, 0);
  assert_json (state, "{\"settings\":{\"conf\":0.9,\"iou\":0.5,"
      "\"classes\":[],\"img_size\":640}}");
}

static void
test_settings_bad_extra (void)
{
  static const gchar *const bad[] = { "[1]", "{", "3", "\"x\"" };
  g_autoptr (SlyInferenceSettings) s = sly_inference_settings_new ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;

    g_assert_false (sly_inference_settings_set_extra_json (s, bad[i], &error));
    g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  }
}

static void
test_normalize_address (void)
{
  static const struct
  {
    const gchar *in, *out;
  } cases[] = {
    {"app.supervisely.com", "http://app.supervisely.com"},
    {"https://app.supervisely.com/", "https://app.supervisely.com"},
    {"/http://h:8080//", "http://h:8080"},
    {" 10.0.0.1:80 ", "http://10.0.0.1:80"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *out = sly_normalize_server_address (cases[i].in);

    g_assert_cmpstr (out, ==, cases[i].out);
  }
}

static void
test_dotenv (void)
{
  g_autoptr (GHashTable) env = sly_dotenv_parse ("# comment\n"
      "SERVER_ADDRESS=\"https://app.example.com\"\n"
      "export API_TOKEN='tok\"en'\n"
      "  PLAIN = value # trailing\n"
      "ESCAPED=\"a\\\"b\"\n" "no equals sign\n" "=nokey\n" "EMPTY=\n");

  g_assert_cmpstr (g_hash_table_lookup (env, "SERVER_ADDRESS"), ==,
      "https://app.example.com");
  g_assert_cmpstr (g_hash_table_lookup (env, "API_TOKEN"), ==, "tok\"en");
  g_assert_cmpstr (g_hash_table_lookup (env, "PLAIN"), ==, "value");
  g_assert_cmpstr (g_hash_table_lookup (env, "ESCAPED"), ==, "a\"b");
  g_assert_cmpstr (g_hash_table_lookup (env, "EMPTY"), ==, "");
  g_assert_cmpuint (g_hash_table_size (env), ==, 5);
}

/* explicit > environment > ~/supervisely.env; empty counts as unset */
static void
test_credentials_order (void)
{
  g_autofree gchar *home = g_dir_make_tmp ("sly-client-XXXXXX", NULL);
  g_autofree gchar *file = g_build_filename (home, "supervisely.env", NULL);
  g_autofree gchar *old_home = g_strdup (g_getenv ("HOME"));
  g_auto (SlyCredentials) c = { NULL, };
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (home);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("SERVER_ADDRESS", "", TRUE);
  g_setenv ("API_TOKEN", "", TRUE);
  g_setenv ("SUPERVISELY_API_SERVER_ADDRESS", "", TRUE);

  /* nothing anywhere: a clear error */
  g_assert_false (sly_credentials_resolve (&c, NULL, NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "SERVER_ADDRESS"));
  g_clear_error (&error);

  /* the file alone */
  g_assert_true (g_file_set_contents (file,
          "SERVER_ADDRESS=\"file.example.com/\"\nAPI_TOKEN=\"file-token\"\n",
          -1, NULL));
  g_assert_true (sly_credentials_resolve (&c, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (c.server_address, ==, "http://file.example.com");
  g_assert_cmpstr (c.api_token, ==, "file-token");
  g_assert_cmpstr (c.api_root, ==, "http://file.example.com/public/api");
  sly_credentials_clear (&c);

  /* the environment wins over the file, value by value */
  g_setenv ("API_TOKEN", "env-token", TRUE);
  g_setenv ("SUPERVISELY_API_SERVER_ADDRESS", "https://api.example.com/", TRUE);
  g_assert_true (sly_credentials_resolve (&c, NULL, NULL, &error));
  g_assert_cmpstr (c.server_address, ==, "http://file.example.com");
  g_assert_cmpstr (c.api_token, ==, "env-token");
  g_assert_cmpstr (c.api_root, ==, "https://api.example.com");
  sly_credentials_clear (&c);

  /* explicit values win over both; empty explicit values do not count */
  g_setenv ("SERVER_ADDRESS", "https://env.example.com", TRUE);
  g_assert_true (sly_credentials_resolve (&c, "https://explicit.example.com",
          "", &error));
  g_assert_cmpstr (c.server_address, ==, "https://explicit.example.com");
  g_assert_cmpstr (c.api_token, ==, "env-token");
  sly_credentials_clear (&c);

  /* a token only in a file that lacks it: named, never shown */
  g_assert_true (g_file_set_contents (file, "SERVER_ADDRESS=x\n", -1, NULL));
  g_setenv ("API_TOKEN", "", TRUE);
  g_assert_false (sly_credentials_resolve (&c, NULL, NULL, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "API_TOKEN"));

  g_setenv ("SERVER_ADDRESS", "", TRUE);
  g_setenv ("SUPERVISELY_API_SERVER_ADDRESS", "", TRUE);
  g_setenv ("HOME", old_home, TRUE);
  g_unlink (file);
  g_rmdir (home);
}

/* Construction checks what it can without the network. */
static void
test_construction (void)
{
  static const gchar *const bad_urls[] = { "ftp://h/", "not a url", "http://",
    "/relative/path", ""
  };
  g_autoptr (SlyClient) client = NULL;
  g_autoptr (GError) error = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad_urls); i++) {
    g_assert_null (sly_client_new_for_url (bad_urls[i], &error));
    g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  client = sly_client_new_for_url ("http://127.0.0.1:1/net/tok//", &error);
  g_assert_no_error (error);
  g_assert_false (sly_client_is_task_mode (client));
  g_clear_object (&client);

  g_assert_null (sly_client_new_for_task (0, "h", "t", &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  client = sly_client_new_for_task (5, "127.0.0.1:1", "secret-token", &error);
  g_assert_no_error (error);
  g_assert_true (sly_client_is_task_mode (client));
}

/* A hostile server nesting JSON a million levels deep gets a clear error
 * (or raw-text fallback), not a stack overflow inside json-glib. */
static void
test_deep_nesting (void)
{
  const gsize depth = 1000000;
  g_autofree gchar *deep = g_malloc (depth + 1);
  g_autoptr (SlyInferenceSettings) settings = sly_inference_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;

  memset (deep, '[', depth);
  deep[depth] = '\0';

  text = sly_error_text_from_body (deep, depth, 500);
  g_assert_nonnull (text);

  g_assert_false (sly_inference_settings_set_extra_json (settings, deep,
          &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "deeper than"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Client parsers: error texts, YAML settings, state, "
      "credentials");

  g_test_add_func ("/client/errors/samples", test_error_samples);
  g_test_add_func ("/client/errors/shapes", test_error_shapes);
  g_test_add_func ("/client/errors/hostile", test_error_hostile);
  g_test_add_func ("/client/json/deep-nesting", test_deep_nesting);
  g_test_add_func ("/client/settings/yaml-sample", test_yaml_sample);
  g_test_add_func ("/client/settings/node-kinds", test_settings_node_kinds);
  g_test_add_func ("/client/settings/state", test_settings_state);
  g_test_add_func ("/client/settings/bad-extra", test_settings_bad_extra);
  g_test_add_func ("/client/env/normalize", test_normalize_address);
  g_test_add_func ("/client/env/dotenv", test_dotenv);
  g_test_add_func ("/client/env/order", test_credentials_order);
  g_test_add_func ("/client/construction", test_construction);
  return g_test_run ();
}
