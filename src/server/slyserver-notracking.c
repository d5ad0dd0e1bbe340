/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tracking for inference_video_async when the core library has no BoT-SORT
 * tracker (src/core/tracker missing from the build): a request for tracking is
 * refused with a clear message instead of being ignored.
 */
#include "slyserver-video.h"

#include "slyerror.h"

struct _SlyVideoTracking
{
  gint width;
};

SlyVideoTracking *
sly_video_tracking_new (JsonObject * state, JsonObject * settings,
    gboolean enabled, GError ** error)
{
  JsonNode *node = json_object_has_member (state, "tracker") ?
      json_object_get_member (state, "tracker") : NULL;
  const gchar *tracker = NULL;

  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    tracker = json_node_get_string (node);
  /* other tracker names are ignored, as the SDK does (with a warning) */
  if (!enabled || g_strcmp0 (tracker, "botsort") != 0)
    return NULL;
  g_set_error (error, SLY_HTTP_ERROR, 400,
      "Tracking is not available: this sly-model-server was built without "
      "the BoT-SORT tracker");
  return NULL;
}

void
sly_video_tracking_free (SlyVideoTracking * tracking)
{
  g_free (tracking);
}

void
sly_video_tracking_set_size (SlyVideoTracking * tracking, gint width,
    gint height, gint64 frames_count)
{
}

void
sly_video_tracking_update (SlyVideoTracking * tracking, SlyAnnotation * ann,
    gint64 frame_index)
{
}

JsonNode *
sly_video_tracking_build_annotation (SlyVideoTracking * tracking)
{
  return json_node_new (JSON_NODE_NULL);
}

JsonNode *
sly_video_tracking_defaults_new (void)
{
  /* protocol.md 8.1 without device and fps, as this server would track */
  static const gchar defaults[] = "{\"fp16\": false, "
      "\"track_high_thresh\": 0.6, \"track_low_thresh\": 0.1, "
      "\"new_track_thresh\": 0.7, \"track_buffer\": 30, "
      "\"match_thresh\": 0.8, \"min_box_area\": 10.0, "
      "\"with_reid\": false, \"reid_weights\": null, "
      "\"proximity_thresh\": 0.5, \"appearance_thresh\": 0.25, "
      "\"fuse_score\": false, \"ablation\": false, \"mot20\": false, "
      "\"cmc_method\": \"none\"}";

  return json_from_string (defaults, NULL);
}
