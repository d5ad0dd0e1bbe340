/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Client-side tracking for slymodelinfer (GStreamer-free, so it is tested
 * with synthetic annotations alone): the tracker starts at the first
 * frame the server answered, when the model and its BoT-SORT defaults are
 * known (frames before that, waiting for the model on live input, have
 * nothing to predict from), and runs in output order from then on.
 */
#include "slytracking.h"
#include "slyerror.h"
#include "slyjson.h"
#include "slytracker.h"

struct _SlyTracking
{
  JsonNode *overrides;          /* the tracking-config object, or NULL */
  SlyTrackingModelFunc model_func;
  gpointer user_data;

  /* src task */
  SlyTracker *tracker;          /* NULL until the first answered frame */
  gint width, height;           /* of the last answered frame */
  gboolean warned_unsupported;
  gboolean warned_settings;

  gint reset;                   /* atomic: set by sly_tracking_reset() */
};

static JsonObject *
overrides_object (SlyTracking * self)
{
  return self->overrides ? json_node_get_object (self->overrides) : NULL;
}

/* Warnings for what @overrides asks for and this tracker does not do. The
 * server's defaults (the SDK's say with_reid and sparseOptFlow) are not
 * the user's request, so they only go to the debug log. */
static void
warn_not_applied (JsonObject * overrides, GPtrArray * warnings)
{
  g_autoptr (SlyTrackerConfig) asked = sly_tracker_config_new ();
  g_autoptr (GPtrArray) notes = NULL;
  guint i;

  asked->with_reid = FALSE;
  g_free (asked->cmc_method);
  asked->cmc_method = g_strdup ("none");
  /* already validated by the caller */
  if (!sly_tracker_config_merge_json (asked, overrides, NULL, NULL))
    return;
  notes = sly_tracker_config_get_warnings (asked);
  for (i = 0; i < notes->len; i++)
    g_ptr_array_add (warnings, g_strdup_printf ("tracking-config: %s",
            (const gchar *) g_ptr_array_index (notes, i)));
}

SlyTracking *
sly_tracking_new (const gchar * overrides, SlyTrackingModelFunc
    model_func, gpointer user_data, GPtrArray * warnings, GError ** error)
{
  g_autoptr (SlyTrackerConfig) check = sly_tracker_config_new ();
  g_autoptr (GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  SlyTracking *self;
  guint i;

  g_return_val_if_fail (model_func != NULL, NULL);

  /* the whole text is checked here, so that a bad value fails the start */
  if (!sly_tracker_config_merge_string (check, overrides, unknown, error))
    return NULL;

  self = g_new0 (SlyTracking, 1);
  self->model_func = model_func;
  self->user_data = user_data;
  if (overrides != NULL && *overrides != '\0')
    self->overrides = sly_json_parse (overrides, -1, "tracking-config", NULL);

  if (warnings != NULL) {
    for (i = 0; i < unknown->len; i++)
      g_ptr_array_add (warnings, g_strdup_printf ("tracking-config: unknown "
              "key \"%s\" ignored", (const gchar *) unknown->pdata[i]));
    if (self->overrides != NULL)
      warn_not_applied (overrides_object (self), warnings);
  }
  return self;
}

void
sly_tracking_free (SlyTracking * self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->overrides, json_node_unref);
  g_clear_pointer (&self->tracker, sly_tracker_free);
  g_free (self);
}

void
sly_tracking_reset (SlyTracking * self)
{
  g_return_if_fail (self != NULL);
  g_atomic_int_set (&self->reset, TRUE);
}

static void
add_warning_once (gboolean * once, GPtrArray * warnings, gchar * text)
{
  if (!*once && warnings != NULL)
    g_ptr_array_add (warnings, text);
  else
    g_free (text);
  *once = TRUE;
}

/* FALSE only when the session info says so: a model without tracking
 * support still has boxes, and the client-side tracker only needs boxes. */
static gboolean
model_supports_tracking (JsonNode * session_info, JsonNode * settings)
{
  JsonNode *flag = NULL;

  if (session_info != NULL && JSON_NODE_HOLDS_OBJECT (session_info))
    flag = json_object_get_member (json_node_get_object (session_info),
        "tracking_on_videos_support");
  if (flag != NULL && JSON_NODE_HOLDS_VALUE (flag) &&
      json_node_get_value_type (flag) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (flag);
  /* an older server without the key: settings mean support */
  return settings != NULL;
}

/* The SDK defaults with our extensions on (gap-aware association,
 * same-object geometries), then the server's, then tracking-config. */
static SlyTrackerConfig *
new_config (JsonObject * server, JsonObject * overrides, GError ** error)
{
  g_autoptr (SlyTrackerConfig) config = sly_tracker_config_new ();

  sly_tracker_config_use_extensions (config);
  if (server != NULL && !sly_tracker_config_merge_json (config, server, NULL,
          error))
    return NULL;
  if (overrides != NULL && !sly_tracker_config_merge_json (config, overrides,
          NULL, error))
    return NULL;
  return g_steal_pointer (&config);
}

/* The SDK defaults, then the server's, then tracking-config. */
static SlyTrackerConfig *
make_config (SlyTracking * self, JsonNode * settings, GPtrArray * warnings)
{
  g_autoptr (GError) error = NULL;
  JsonObject *server = NULL;
  SlyTrackerConfig *config;

  if (settings != NULL && JSON_NODE_HOLDS_OBJECT (settings))
    server = json_node_get_object (settings);
  else if (settings != NULL)
    g_set_error (&error, SLY_ERROR, SLY_ERROR_PARSE, "not a JSON object");

  if (error == NULL) {
    config = new_config (server, overrides_object (self), &error);
    if (config != NULL)
      return config;
  }
  add_warning_once (&self->warned_settings, warnings,
      g_strdup_printf ("the model server's tracking settings are not "
          "usable (%s): the tracker uses the protocol defaults",
          error->message));
  /* tracking-config alone was checked at creation: this cannot fail */
  return new_config (NULL, overrides_object (self), NULL);
}

static void
start_tracker (SlyTracking * self, GPtrArray * warnings)
{
  g_autoptr (JsonNode) session_info = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autoptr (SlyTrackerConfig) config = NULL;
  g_autoptr (GPtrArray) notes = NULL;
  guint i;

  self->model_func (self->user_data, &session_info, &settings);
  if (!model_supports_tracking (session_info, settings))
    add_warning_once (&self->warned_unsupported, warnings,
        g_strdup ("the model does not support tracking (its session info "
            "says tracking_on_videos_support false): tracking its boxes on "
            "the client with the protocol's default parameters"));

  config = make_config (self, settings, warnings);
  notes = sly_tracker_config_get_warnings (config);
  for (i = 0; i < notes->len; i++)
    g_info ("tracking: not applied: %s", (const gchar *) notes->pdata[i]);
  g_debug ("tracker started: high %g, low %g, new %g, buffer %d, match %g, "
      "gap-aware %d (buffers %g, %g, max %g), same object IoU %g",
      config->track_high_thresh, config->track_low_thresh,
      config->new_track_thresh, config->track_buffer, config->match_thresh,
      config->gap_aware, config->gap_buffer, config->young_buffer,
      config->max_buffer, config->same_object_iou);
  self->tracker = sly_tracker_new (config);
}

gboolean
sly_tracking_process (SlyTracking * self, gboolean inferred,
    SlyAnnotation ** annotation, gint width, gint height, GPtrArray * warnings)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (g_atomic_int_compare_and_exchange (&self->reset, TRUE, FALSE)) {
    g_debug ("tracker reset");
    g_clear_pointer (&self->tracker, sly_tracker_free);
  }

  if (inferred && annotation != NULL && *annotation != NULL) {
    if (self->tracker == NULL)
      start_tracker (self, warnings);
    sly_tracker_update_annotation (self->tracker, *annotation);
    /* a null annotation from the server has no size */
    if ((*annotation)->width > 0 && (*annotation)->height > 0) {
      self->width = (*annotation)->width;
      self->height = (*annotation)->height;
    }
    return FALSE;
  }

  /* nothing seen yet: no motion to predict */
  if (self->tracker == NULL)
    return FALSE;
  if (annotation == NULL) {
    sly_tracker_predict (self->tracker);
    return FALSE;
  }
  g_clear_pointer (annotation, sly_annotation_unref);
  *annotation = sly_tracker_predict_annotation (self->tracker,
      width > 0 ? width : self->width, height > 0 ? height : self->height);
  return TRUE;
}
