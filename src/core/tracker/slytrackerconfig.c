/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tracker parameters from JSON. The keys are described once, in a table, and
 * read with explicit node-type checks: these objects come from a server or a
 * user and a wrong type must be an error, not a CRITICAL.
 */
#include "slytrackerconfig.h"
#include "slyerror.h"
#include "slyjson.h"

#include <math.h>

G_DEFINE_BOXED_TYPE (SlyTrackerConfig, sly_tracker_config,
    sly_tracker_config_copy, sly_tracker_config_free);

typedef enum
{
  KEY_DOUBLE,
  KEY_INT,
  KEY_BOOLEAN,
  KEY_STRING,
  KEY_NULLABLE_STRING,          /* a string or null */
} KeyType;

typedef struct
{
  const gchar *name;
  KeyType type;
  gsize offset;
  gdouble min;                  /* numbers only */
  gboolean internal;            /* not part of get_tracking_settings */
  gdouble max;                  /* KEY_DOUBLE only; 0: unbounded */
} KeyInfo;

#define FIELD(f) G_STRUCT_OFFSET (SlyTrackerConfig, f)

/* In the order of the SDK's botsort_config.yaml. */
static const KeyInfo keys[] = {
  {"device", KEY_STRING, FIELD (device), 0, TRUE},
  {"fps", KEY_INT, FIELD (fps), 1, TRUE},
  {"fp16", KEY_BOOLEAN, FIELD (fp16), 0, FALSE},
  {"track_high_thresh", KEY_DOUBLE, FIELD (track_high_thresh), 0, FALSE},
  {"track_low_thresh", KEY_DOUBLE, FIELD (track_low_thresh), 0, FALSE},
  {"new_track_thresh", KEY_DOUBLE, FIELD (new_track_thresh), 0, FALSE},
  {"track_buffer", KEY_INT, FIELD (track_buffer), 0, FALSE},
  {"match_thresh", KEY_DOUBLE, FIELD (match_thresh), 0, FALSE},
  {"min_box_area", KEY_DOUBLE, FIELD (min_box_area), 0, FALSE},
  {"with_reid", KEY_BOOLEAN, FIELD (with_reid), 0, FALSE},
  {"reid_weights", KEY_NULLABLE_STRING, FIELD (reid_weights), 0, FALSE},
  {"proximity_thresh", KEY_DOUBLE, FIELD (proximity_thresh), 0, FALSE},
  {"appearance_thresh", KEY_DOUBLE, FIELD (appearance_thresh), 0, FALSE},
  {"fuse_score", KEY_BOOLEAN, FIELD (fuse_score), 0, FALSE},
  {"ablation", KEY_BOOLEAN, FIELD (ablation), 0, FALSE},
  {"mot20", KEY_BOOLEAN, FIELD (mot20), 0, FALSE},
  {"cmc_method", KEY_STRING, FIELD (cmc_method), 0, FALSE},
  /* our extensions: accepted in overrides, never in get_tracking_settings */
  {"gap_aware", KEY_BOOLEAN, FIELD (gap_aware), 0, TRUE},
  {"gap_buffer", KEY_DOUBLE, FIELD (gap_buffer), 0, TRUE, 10},
  {"young_buffer", KEY_DOUBLE, FIELD (young_buffer), 0, TRUE, 10},
  {"max_buffer", KEY_DOUBLE, FIELD (max_buffer), 0, TRUE, 20},
  {"gap_velocity_noise", KEY_DOUBLE, FIELD (gap_velocity_noise), 0, TRUE,
      1000},
  {"same_object_iou", KEY_DOUBLE, FIELD (same_object_iou), 0, TRUE, 1},
};

/* An int parameter larger than this is a mistake, not a setting. */
#define MAX_INT_VALUE 1000000

static const gchar *const cmc_methods[] = {
  "sparseOptFlow", "orb", "sift", "ecc", "file", "none", NULL
};

#define MEMBER(config, key) \
    (G_STRUCT_MEMBER_P ((config), (key)->offset))

const gchar *const *
sly_tracker_config_cmc_methods (void)
{
  return cmc_methods;
}

SlyTrackerConfig *
sly_tracker_config_new (void)
{
  SlyTrackerConfig *config = g_new0 (SlyTrackerConfig, 1);

  config->track_high_thresh = SLY_TRACKER_DEFAULT_TRACK_HIGH_THRESH;
  config->track_low_thresh = SLY_TRACKER_DEFAULT_TRACK_LOW_THRESH;
  config->new_track_thresh = SLY_TRACKER_DEFAULT_NEW_TRACK_THRESH;
  config->track_buffer = SLY_TRACKER_DEFAULT_TRACK_BUFFER;
  config->match_thresh = SLY_TRACKER_DEFAULT_MATCH_THRESH;
  config->min_box_area = SLY_TRACKER_DEFAULT_MIN_BOX_AREA;
  config->proximity_thresh = SLY_TRACKER_DEFAULT_PROXIMITY_THRESH;
  config->appearance_thresh = SLY_TRACKER_DEFAULT_APPEARANCE_THRESH;
  config->with_reid = SLY_TRACKER_DEFAULT_WITH_REID;
  config->cmc_method = g_strdup (SLY_TRACKER_DEFAULT_CMC_METHOD);
  config->device = g_strdup (SLY_TRACKER_DEFAULT_DEVICE);
  config->fps = SLY_TRACKER_DEFAULT_FPS;
  /* the extensions' parameters, with the switches off */
  config->gap_aware = FALSE;
  config->gap_buffer = SLY_TRACKER_DEFAULT_GAP_BUFFER;
  config->young_buffer = SLY_TRACKER_DEFAULT_YOUNG_BUFFER;
  config->max_buffer = SLY_TRACKER_DEFAULT_MAX_BUFFER;
  config->gap_velocity_noise = SLY_TRACKER_DEFAULT_GAP_VELOCITY_NOISE;
  config->same_object_iou = 1.0;
  return config;
}

void
sly_tracker_config_use_extensions (SlyTrackerConfig * config)
{
  g_return_if_fail (config != NULL);

  config->gap_aware = TRUE;
  config->same_object_iou = SLY_TRACKER_DEFAULT_SAME_OBJECT_IOU;
}

SlyTrackerConfig *
sly_tracker_config_copy (const SlyTrackerConfig * config)
{
  SlyTrackerConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_memdup2 (config, sizeof (*config));
  copy->reid_weights = g_strdup (config->reid_weights);
  copy->cmc_method = g_strdup (config->cmc_method);
  copy->device = g_strdup (config->device);
  return copy;
}

void
sly_tracker_config_free (SlyTrackerConfig * config)
{
  if (config == NULL)
    return;
  g_free (config->reid_weights);
  g_free (config->cmc_method);
  g_free (config->device);
  g_free (config);
}

static const KeyInfo *
find_key (const gchar * name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].name, name))
      return &keys[i];
  return NULL;
}

static gboolean
read_number (const KeyInfo * key, JsonNode * node, gdouble * out,
    GError ** error)
{
  GType vtype = json_node_get_value_type (node);
  gdouble value;

  if (!JSON_NODE_HOLDS_VALUE (node) || (vtype != G_TYPE_INT64
          && vtype != G_TYPE_DOUBLE)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "tracker setting \"%s\" must be a number", key->name);
    return FALSE;
  }
  value = json_node_get_double (node);
  if (!isfinite (value) || value < key->min
      || (key->type == KEY_INT && value > MAX_INT_VALUE)
      || (key->type == KEY_DOUBLE && key->max > 0 && value > key->max)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "tracker setting \"%s\" is out of range (%g)", key->name, value);
    return FALSE;
  }
  *out = value;
  return TRUE;
}

static gboolean
read_string (const KeyInfo * key, JsonNode * node, gchar ** out,
    GError ** error)
{
  if (key->type == KEY_NULLABLE_STRING && JSON_NODE_HOLDS_NULL (node)) {
    g_clear_pointer (out, g_free);
    return TRUE;
  }
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "tracker setting \"%s\" must be a string%s", key->name,
        key->type == KEY_NULLABLE_STRING ? " or null" : "");
    return FALSE;
  }
  if (key->offset == FIELD (cmc_method)
      && !g_strv_contains (cmc_methods, json_node_get_string (node))) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "tracker setting \"cmc_method\" has an unknown value \"%s\"",
        json_node_get_string (node));
    return FALSE;
  }
  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_key (SlyTrackerConfig * config, const KeyInfo * key, JsonNode * node,
    GError ** error)
{
  gdouble number;

  switch (key->type) {
    case KEY_DOUBLE:
      if (!read_number (key, node, &number, error))
        return FALSE;
      *(gdouble *) MEMBER (config, key) = number;
      return TRUE;
    case KEY_INT:
      /* the SDK applies int() to these: 30.7 means 30 */
      if (!read_number (key, node, &number, error))
        return FALSE;
      *(gint *) MEMBER (config, key) = (gint) number;
      return TRUE;
    case KEY_BOOLEAN:
      if (!JSON_NODE_HOLDS_VALUE (node)
          || json_node_get_value_type (node) != G_TYPE_BOOLEAN) {
        g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
            "tracker setting \"%s\" must be true or false", key->name);
        return FALSE;
      }
      *(gboolean *) MEMBER (config, key) = json_node_get_boolean (node);
      return TRUE;
    case KEY_STRING:
    case KEY_NULLABLE_STRING:
      return read_string (key, node, (gchar **) MEMBER (config, key), error);
  }
  g_assert_not_reached ();
}

gboolean
sly_tracker_config_merge_json (SlyTrackerConfig * config, JsonObject * object,
    GPtrArray * unknown_keys, GError ** error)
{
  g_autoptr (SlyTrackerConfig) merged = NULL;
  g_autoptr (GList) members = NULL;
  GList *l;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  /* work on a copy so that a bad key leaves @config as it was */
  merged = sly_tracker_config_copy (config);
  members = json_object_get_members (object);
  for (l = members; l; l = l->next) {
    const KeyInfo *key = find_key (l->data);

    if (key == NULL) {
      if (unknown_keys)
        g_ptr_array_add (unknown_keys, g_strdup (l->data));
      continue;
    }
    if (!read_key (merged, key, json_object_get_member (object, l->data),
            error))
      return FALSE;
  }

  /* swap contents: @config takes the merged values, the copy the old ones */
  {
    SlyTrackerConfig tmp = *config;

    *config = *merged;
    *merged = tmp;
  }
  return TRUE;
}

gboolean
sly_tracker_config_merge_string (SlyTrackerConfig * config,
    const gchar * json, GPtrArray * unknown_keys, GError ** error)
{
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (config != NULL, FALSE);

  if (json == NULL || *json == '\0')
    return TRUE;
  root = sly_json_parse (json, -1, "tracker settings", error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_PARSE,
        "tracker settings must be a JSON object");
    return FALSE;
  }
  return sly_tracker_config_merge_json (config, json_node_get_object (root),
      unknown_keys, error);
}

SlyTrackerConfig *
sly_tracker_config_new_from_json (JsonObject * server_defaults,
    JsonObject * overrides, GPtrArray * unknown_keys, GError ** error)
{
  g_autoptr (SlyTrackerConfig) config = sly_tracker_config_new ();

  if (server_defaults && !sly_tracker_config_merge_json (config,
          server_defaults, unknown_keys, error))
    return NULL;
  if (overrides && !sly_tracker_config_merge_json (config, overrides,
          unknown_keys, error))
    return NULL;
  return g_steal_pointer (&config);
}

JsonObject *
sly_tracker_config_to_json (const SlyTrackerConfig * config)
{
  JsonObject *object = json_object_new ();
  guint i;

  g_return_val_if_fail (config != NULL, object);

  for (i = 0; i < G_N_ELEMENTS (keys); i++) {
    const KeyInfo *key = &keys[i];
    gpointer p = G_STRUCT_MEMBER_P ((gpointer) config, key->offset);

    if (key->internal)
      continue;
    switch (key->type) {
      case KEY_DOUBLE:
        json_object_set_double_member (object, key->name, *(gdouble *) p);
        break;
      case KEY_INT:
        json_object_set_int_member (object, key->name, *(gint *) p);
        break;
      case KEY_BOOLEAN:
        json_object_set_boolean_member (object, key->name, *(gboolean *) p);
        break;
      case KEY_STRING:
      case KEY_NULLABLE_STRING:
        if (*(gchar **) p)
          json_object_set_string_member (object, key->name, *(gchar **) p);
        else
          json_object_set_null_member (object, key->name);
        break;
    }
  }
  return object;
}

GPtrArray *
sly_tracker_config_get_warnings (const SlyTrackerConfig * config)
{
  GPtrArray *warnings = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (config != NULL, warnings);

  if (config->with_reid)
    g_ptr_array_add (warnings, g_strdup ("tracker setting \"with_reid\" is "
            "true, but appearance features (ReID) are not implemented: "
            "association uses box overlap only"));
  if (g_strcmp0 (config->cmc_method, "none") != 0
      && g_strcmp0 (config->cmc_method, "file") != 0)
    g_ptr_array_add (warnings, g_strdup_printf ("tracker setting "
            "\"cmc_method\" is \"%s\", but camera motion estimation is not "
            "implemented: no camera motion compensation is applied",
            config->cmc_method));
  return warnings;
}
