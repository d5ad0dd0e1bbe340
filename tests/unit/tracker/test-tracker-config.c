/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tracker settings: defaults, JSON overrides, unknown keys, bad values. */
#include "slytrackerconfig.h"
#include "slyerror.h"

static JsonObject *
parse_object (const gchar * json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_defaults (void)
{
  g_autoptr (SlyTrackerConfig) c = sly_tracker_config_new ();
  g_autoptr (GPtrArray) warnings = NULL;

  /* protocol.md 8.1 */
  g_assert_cmpfloat (c->track_high_thresh, ==, 0.6);
  g_assert_cmpfloat (c->track_low_thresh, ==, 0.1);
  g_assert_cmpfloat (c->new_track_thresh, ==, 0.7);
  g_assert_cmpint (c->track_buffer, ==, 30);
  g_assert_cmpfloat (c->match_thresh, ==, 0.8);
  g_assert_cmpfloat (c->min_box_area, ==, 10.0);
  g_assert_cmpfloat (c->proximity_thresh, ==, 0.5);
  g_assert_cmpfloat (c->appearance_thresh, ==, 0.25);
  g_assert_true (c->with_reid);
  g_assert_false (c->fp16);
  g_assert_null (c->reid_weights);
  g_assert_false (c->fuse_score);
  g_assert_false (c->ablation);
  g_assert_false (c->mot20);
  g_assert_cmpstr (c->cmc_method, ==, "sparseOptFlow");
  g_assert_cmpstr (c->device, ==, "auto");
  g_assert_cmpint (c->fps, ==, 30);
  /* our extensions are off: the SDK's tracker exactly */
  g_assert_false (c->gap_aware);
  g_assert_cmpfloat (c->same_object_iou, ==, 1.0);

  /* the SDK defaults ask for ReID and optical flow: both are reported */
  warnings = sly_tracker_config_get_warnings (c);
  g_assert_cmpuint (warnings->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 0), "with_reid"));
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 1), "sparseOptFlow"));
}

static void
test_overrides (void)
{
  g_autoptr (JsonObject) server = parse_object ("{\"track_buffer\": 60,"
      "\"match_thresh\": 0.7, \"with_reid\": true, \"cmc_method\": \"orb\","
      "\"reid_weights\": \"/w.pt\", \"tracker_version\": 2}");
  g_autoptr (JsonObject) user = parse_object ("{\"with_reid\": false,"
      "\"cmc_method\": \"none\", \"track_buffer\": 15.0, \"mot20\": true,"
      "\"reid_weights\": null, \"device\": \"cpu\", \"colour\": 1}");
  g_autoptr (GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) warnings = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyTrackerConfig) c = NULL;

  c = sly_tracker_config_new_from_json (server, user, unknown, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  /* user beats server beats SDK defaults */
  g_assert_cmpint (c->track_buffer, ==, 15);
  g_assert_cmpfloat (c->match_thresh, ==, 0.7);
  g_assert_cmpfloat (c->track_high_thresh, ==, 0.6);
  g_assert_false (c->with_reid);
  g_assert_true (c->mot20);
  g_assert_null (c->reid_weights);
  g_assert_cmpstr (c->cmc_method, ==, "none");
  g_assert_cmpstr (c->device, ==, "cpu");

  g_assert_cmpuint (unknown->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (unknown, 0), ==, "tracker_version");
  g_assert_cmpstr (g_ptr_array_index (unknown, 1), ==, "colour");

  warnings = sly_tracker_config_get_warnings (c);
  g_assert_cmpuint (warnings->len, ==, 0);
}

static void
test_to_json (void)
{
  g_autoptr (SlyTrackerConfig) c = sly_tracker_config_new ();
  g_autoptr (SlyTrackerConfig) back = sly_tracker_config_new ();
  g_autoptr (JsonObject) obj = NULL;
  g_autoptr (GError) error = NULL;

  c->track_buffer = 45;
  c->cmc_method = (g_free (c->cmc_method), g_strdup ("ecc"));
  obj = sly_tracker_config_to_json (c);
  /* the get_tracking_settings form: 15 keys, no internal ones */
  g_assert_cmpuint (json_object_get_size (obj), ==, 15);
  g_assert_false (json_object_has_member (obj, "device"));
  g_assert_false (json_object_has_member (obj, "fps"));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (obj,
              "reid_weights")));
  g_assert_cmpint (json_object_get_int_member (obj, "track_buffer"), ==, 45);

  g_assert_true (sly_tracker_config_merge_json (back, obj, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (back->track_buffer, ==, 45);
  g_assert_cmpstr (back->cmc_method, ==, "ecc");
}

/* The extensions: on with their defaults by use_extensions(), settable in
 * overrides (tracking-config), never in get_tracking_settings. */
static void
test_extensions (void)
{
  g_autoptr (SlyTrackerConfig) c = sly_tracker_config_new ();
  g_autoptr (JsonObject) user = parse_object ("{\"gap_aware\": false,"
      "\"gap_buffer\": 0.2, \"young_buffer\": 0, \"max_buffer\": 1.5,"
      "\"gap_velocity_noise\": 1, \"same_object_iou\": 0.8}");
  g_autoptr (GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) warnings = NULL;
  g_autoptr (JsonObject) obj = NULL;
  g_autoptr (GError) error = NULL;

  sly_tracker_config_use_extensions (c);
  g_assert_true (c->gap_aware);
  g_assert_cmpfloat (c->gap_buffer, ==, 0.1);
  g_assert_cmpfloat (c->young_buffer, ==, 0.6);
  g_assert_cmpfloat (c->max_buffer, ==, 3.0);
  g_assert_cmpfloat (c->gap_velocity_noise, ==, 10.0);
  g_assert_cmpfloat (c->same_object_iou, ==, 0.9);

  g_assert_true (sly_tracker_config_merge_json (c, user, unknown, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (unknown->len, ==, 0);
  g_assert_false (c->gap_aware);
  g_assert_cmpfloat (c->gap_buffer, ==, 0.2);
  g_assert_cmpfloat (c->young_buffer, ==, 0);
  g_assert_cmpfloat (c->max_buffer, ==, 1.5);
  g_assert_cmpfloat (c->gap_velocity_noise, ==, 1);
  g_assert_cmpfloat (c->same_object_iou, ==, 0.8);

  /* nothing to warn about, and not part of the server's settings */
  c->with_reid = FALSE;
  c->cmc_method = (g_free (c->cmc_method), g_strdup ("none"));
  warnings = sly_tracker_config_get_warnings (c);
  g_assert_cmpuint (warnings->len, ==, 0);
  obj = sly_tracker_config_to_json (c);
  g_assert_cmpuint (json_object_get_size (obj), ==, 15);
  g_assert_false (json_object_has_member (obj, "gap_aware"));
  g_assert_false (json_object_has_member (obj, "same_object_iou"));
}

static const struct
{
  const gchar *json;
  const gchar *key;
} bad_values[] = {
  {"{\"gap_aware\": 1}", "gap_aware"},
  {"{\"gap_buffer\": -0.1}", "gap_buffer"},
  {"{\"gap_buffer\": 11}", "gap_buffer"},
  {"{\"young_buffer\": \"0.5\"}", "young_buffer"},
  {"{\"max_buffer\": 21}", "max_buffer"},
  {"{\"gap_velocity_noise\": -1}", "gap_velocity_noise"},
  {"{\"same_object_iou\": 1.5}", "same_object_iou"},
  {"{\"same_object_iou\": -0.5}", "same_object_iou"},
  {"{\"track_buffer\": \"30\"}", "track_buffer"},
  {"{\"track_buffer\": -1}", "track_buffer"},
  {"{\"track_buffer\": 1e12}", "track_buffer"},
  {"{\"match_thresh\": null}", "match_thresh"},
  {"{\"match_thresh\": [0.5]}", "match_thresh"},
  {"{\"track_high_thresh\": true}", "track_high_thresh"},
  {"{\"with_reid\": 0}", "with_reid"},
  {"{\"mot20\": \"false\"}", "mot20"},
  {"{\"cmc_method\": \"magic\"}", "cmc_method"},
  {"{\"cmc_method\": null}", "cmc_method"},
  {"{\"reid_weights\": 3}", "reid_weights"},
  {"{\"fps\": 0}", "fps"},
  {"{\"min_box_area\": {}}", "min_box_area"},
};

static void
test_bad_values (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad_values); i++) {
    g_autoptr (JsonObject) obj = parse_object (bad_values[i].json);
    g_autoptr (SlyTrackerConfig) c = sly_tracker_config_new ();
    g_autoptr (JsonObject) good = parse_object ("{\"track_buffer\": 5}");
    g_autoptr (GError) error = NULL;
    g_autoptr (SlyTrackerConfig) none = NULL;

    g_test_message ("%s", bad_values[i].json);
    g_assert_false (sly_tracker_config_merge_json (c, obj, NULL, &error));
    g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, bad_values[i].key));
    /* nothing half-applied */
    g_assert_cmpint (c->track_buffer, ==, 30);
    g_assert_cmpstr (c->cmc_method, ==, "sparseOptFlow");
    g_clear_error (&error);

    /* a good key before the bad one in the other object changes nothing */
    none = sly_tracker_config_new_from_json (good, obj, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
  }
}

static void
test_from_string (void)
{
  static const gchar *const bad[] = { "[1]", "3", "{", "{\"mot20\": 1}",
    "null", "{\"a\": 1} x"
  };
  g_autoptr (SlyTrackerConfig) c = sly_tracker_config_new ();
  g_autoptr (GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  guint i;

  g_assert_true (sly_tracker_config_merge_string (c, NULL, unknown, &error));
  g_assert_true (sly_tracker_config_merge_string (c, "", unknown, &error));
  g_assert_true (sly_tracker_config_merge_string (c,
          "{\"track_buffer\": 90, \"speed\": 2}", unknown, &error));
  g_assert_no_error (error);
  g_assert_cmpint (c->track_buffer, ==, 90);
  g_assert_cmpuint (unknown->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (unknown, 0), ==, "speed");

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_test_message ("%s", bad[i]);
    g_assert_false (sly_tracker_config_merge_string (c, bad[i], NULL, &error));
    g_assert_error (error, SLY_ERROR, SLY_ERROR_PARSE);
    g_clear_error (&error);
    g_assert_cmpint (c->track_buffer, ==, 90);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tracker-config/defaults", test_defaults);
  g_test_add_func ("/tracker-config/overrides", test_overrides);
  g_test_add_func ("/tracker-config/to-json", test_to_json);
  g_test_add_func ("/tracker-config/extensions", test_extensions);
  g_test_add_func ("/tracker-config/bad-values", test_bad_values);
  g_test_add_func ("/tracker-config/from-string", test_from_string);
  return g_test_run ();
}
