/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tracking for inference_video_async (protocol.md 3.16, 6.7, 9): one
 * BoT-SORT tracker per request, fed the frames in processing order; each
 * frame keeps the objects that got a track id, and the final result carries
 * the video annotation of all tracked frames.
 */
#include "slyserver-video.h"
#include "slyserver.h"

#include "slyerror.h"
#include "slytracker.h"
#include "slyvideoannotation.h"

struct _SlyVideoTracking
{
  SlyTracker *tracker;
  SlyVideoAnnotation *video;
  gint64 frames_count;
};

/* @server_settings: nullable, checked by sly_tracking_settings_check() */
static SlyTrackerConfig *
server_tracker_config_new (JsonObject * server_settings)
{
  SlyTrackerConfig *config = sly_tracker_config_new ();

  /* what this tracker really does: no appearance model, no camera motion */
  config->with_reid = FALSE;
  g_free (config->cmc_method);
  config->cmc_method = g_strdup ("none");
  if (server_settings
      && !sly_tracker_config_merge_json (config, server_settings, NULL, NULL))
    g_assert_not_reached ();
  return config;
}

gboolean
sly_tracking_settings_check (const gchar * json, GError ** error)
{
  g_autoptr (SlyTrackerConfig) config = server_tracker_config_new (NULL);
  g_autoptr (JsonObject) known = sly_tracker_config_to_json (config);
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GList) keys = NULL;
  GList *l;

  node = json_from_string (json, &local);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "--tracking-settings must be a JSON object%s%s",
        local ? ": " : "", local ? local->message : "");
    return FALSE;
  }
  keys = json_object_get_members (json_node_get_object (node));
  for (l = keys; l; l = l->next)
    if (!json_object_has_member (known, l->data)) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
          "--tracking-settings: unknown key '%s'", (const gchar *) l->data);
      return FALSE;
    }
  if (!sly_tracker_config_merge_json (config, json_node_get_object (node),
          NULL, &local)) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "--tracking-settings: %s", local->message);
    return FALSE;
  }
  return TRUE;
}

JsonNode *
sly_video_tracking_defaults_new (JsonObject * server_settings)
{
  g_autoptr (SlyTrackerConfig) config =
      server_tracker_config_new (server_settings);
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, sly_tracker_config_to_json (config));
  return node;
}

SlyVideoTracking *
sly_video_tracking_new (JsonObject * state, JsonObject * server_settings,
    gboolean enabled, GError ** error)
{
  JsonNode *node = json_object_has_member (state, "tracker") ?
      json_object_get_member (state, "tracker") : NULL;
  JsonNode *overrides = json_object_has_member (state, "tracker_settings") ?
      json_object_get_member (state, "tracker_settings") : NULL;
  g_autoptr (SlyTrackerConfig) config =
      server_tracker_config_new (server_settings);
  g_autoptr (GError) merge_error = NULL;
  SlyVideoTracking *tracking;

  /* other tracker names are ignored, as the SDK does (with a warning), and
   * so is tracking on a model without tracking support */
  if (!enabled || node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING
      || g_strcmp0 (json_node_get_string (node), "botsort") != 0)
    return NULL;
  if (overrides && JSON_NODE_HOLDS_OBJECT (overrides)
      && !sly_tracker_config_merge_json (config,
          json_node_get_object (overrides), NULL, &merge_error)) {
    g_set_error (error, SLY_HTTP_ERROR, 400, "Invalid tracker_settings: %s",
        merge_error->message);
    return NULL;
  }
  if (overrides && !JSON_NODE_HOLDS_OBJECT (overrides)
      && !JSON_NODE_HOLDS_NULL (overrides)) {
    g_set_error (error, SLY_HTTP_ERROR, 400,
        "tracker_settings must be an object");
    return NULL;
  }
  tracking = g_new0 (SlyVideoTracking, 1);
  tracking->tracker = sly_tracker_new (config);
  return tracking;
}

void
sly_video_tracking_free (SlyVideoTracking * tracking)
{
  if (tracking == NULL)
    return;
  sly_tracker_free (tracking->tracker);
  g_clear_pointer (&tracking->video, sly_video_annotation_unref);
  g_free (tracking);
}

void
sly_video_tracking_set_size (SlyVideoTracking * tracking, gint width,
    gint height, gint64 frames_count)
{
  g_clear_pointer (&tracking->video, sly_video_annotation_unref);
  tracking->video = sly_video_annotation_new (width, height);
  tracking->frames_count = frames_count;
}

void
sly_video_tracking_update (SlyVideoTracking * tracking, SlyAnnotation * ann,
    gint64 frame_index)
{
  g_autoptr (SlyAnnotation) confirmed = NULL;

  sly_tracker_update_annotation (tracking->tracker, ann);
  if (tracking->video == NULL)
    tracking->video = sly_video_annotation_new (ann->width, ann->height);
  /* The per-frame answer lists every id (new tracks too, as 6.7 says); the
   * video annotation keeps only confirmed tracks matched in this frame, as
   * the SDK's builder does (protocol.md 8.2 step 12). */
  confirmed = sly_tracker_output_annotation (tracking->tracker, ann);
  sly_video_annotation_add_frame (tracking->video, MAX (frame_index, 0),
      confirmed);
}

JsonNode *
sly_video_tracking_build_annotation (SlyVideoTracking * tracking)
{
  if (tracking->video == NULL)
    return json_node_new (JSON_NODE_NULL);
  if (tracking->frames_count > 0)
    sly_video_annotation_set_frames_count (tracking->video,
        tracking->frames_count);
  return sly_video_annotation_to_json_node (tracking->video);
}
