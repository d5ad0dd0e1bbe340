/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * BoT-SORT parameters (protocol.md 8.1) and how they are read from JSON:
 * the SDK defaults, then the server's get_tracking_settings, then the user's
 * overrides.
 */
#ifndef __SLY_TRACKER_CONFIG_H__
#define __SLY_TRACKER_CONFIG_H__

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Defaults of the SDK's botsort_config.yaml */
#define SLY_TRACKER_DEFAULT_TRACK_HIGH_THRESH   0.6
#define SLY_TRACKER_DEFAULT_TRACK_LOW_THRESH    0.1
#define SLY_TRACKER_DEFAULT_NEW_TRACK_THRESH    0.7
#define SLY_TRACKER_DEFAULT_TRACK_BUFFER        30
#define SLY_TRACKER_DEFAULT_MATCH_THRESH        0.8
#define SLY_TRACKER_DEFAULT_MIN_BOX_AREA        10.0
#define SLY_TRACKER_DEFAULT_PROXIMITY_THRESH    0.5
#define SLY_TRACKER_DEFAULT_APPEARANCE_THRESH   0.25
#define SLY_TRACKER_DEFAULT_WITH_REID           TRUE
#define SLY_TRACKER_DEFAULT_CMC_METHOD          "sparseOptFlow"
#define SLY_TRACKER_DEFAULT_DEVICE              "auto"
#define SLY_TRACKER_DEFAULT_FPS                 30

/* Extensions of this tracker (docs/tracking.md, "Gaps and same-object
 * geometries"): off in sly_tracker_config_new() (the SDK's behaviour, which
 * sly-model-server serves), on with sly_tracker_config_use_extensions()
 * (what slymodelinfer's client-side tracker uses). */
#define SLY_TRACKER_DEFAULT_GAP_BUFFER          0.1
#define SLY_TRACKER_DEFAULT_YOUNG_BUFFER        0.6
#define SLY_TRACKER_DEFAULT_MAX_BUFFER          3.0
#define SLY_TRACKER_DEFAULT_GAP_VELOCITY_NOISE  10.0
#define SLY_TRACKER_DEFAULT_SAME_OBJECT_IOU     0.9

/**
 * SlyTrackerConfig:
 *
 * Every key of protocol.md 8.1. Only the association parameters change what
 * this tracker does; the appearance keys (@with_reid, @fp16, @reid_weights,
 * @appearance_thresh, @device) and the optical-flow @cmc_method values are
 * kept so that settings round-trip, and reported by
 * sly_tracker_config_get_warnings() when they ask for something not applied.
 */
typedef struct
{
  gdouble track_high_thresh;
  gdouble track_low_thresh;
  gdouble new_track_thresh;
  gint track_buffer;            /* frames; >= 0 */
  gdouble match_thresh;
  gdouble min_box_area;
  gdouble proximity_thresh;
  gdouble appearance_thresh;
  gboolean with_reid;
  gboolean fp16;
  gchar *reid_weights;          /* nullable */
  gboolean fuse_score;          /* ignored, as in the SDK (mot20 decides) */
  gboolean ablation;
  gboolean mot20;
  gchar *cmc_method;            /* one of sly_tracker_config_cmc_methods() */
  /* internal keys of the SDK, accepted in overrides, never returned */
  gchar *device;
  gint fps;                     /* unused: the tracker assumes 30 fps */
  /* extensions, client-side only (never in get_tracking_settings) */
  gboolean gap_aware;           /* association knows frames without answers */
  gdouble gap_buffer;           /* buffer per unanswered frame, x box size */
  gdouble young_buffer;         /* per frame, tracks with one detection */
  gdouble max_buffer;           /* cap of both buffers */
  gdouble gap_velocity_noise;   /* velocity noise factor in gaps */
  gdouble same_object_iou;      /* same class, IoU above: one object; 1 off */
} SlyTrackerConfig;

GType    sly_tracker_config_get_type  (void);
#define SLY_TYPE_TRACKER_CONFIG (sly_tracker_config_get_type ())

/* The SDK defaults (with_reid TRUE, cmc_method "sparseOptFlow"). */
SlyTrackerConfig *sly_tracker_config_new   (void);
SlyTrackerConfig *sly_tracker_config_copy  (const SlyTrackerConfig * config);
void     sly_tracker_config_free           (SlyTrackerConfig * config);

/* NULL-terminated list of accepted cmc_method values. */
const gchar *const *sly_tracker_config_cmc_methods (void);

/*
 * Turns on this tracker's extensions with their defaults: gap-aware
 * association and predictions (gap_aware), one track for same-object
 * geometries (same_object_iou). slymodelinfer's tracker starts from the SDK
 * defaults plus these; sly_tracker_config_new() alone is the SDK exactly.
 */
void     sly_tracker_config_use_extensions (SlyTrackerConfig * config);

/*
 * Overwrites the keys present in @object. A value of the wrong type or out of
 * range gives SLY_ERROR_PARSE naming the key, and @config is left unchanged.
 * Keys this version does not know are ignored (as the SDK does) and, when
 * @unknown_keys is given, appended to it (as newly allocated strings).
 */
gboolean sly_tracker_config_merge_json     (SlyTrackerConfig * config,
                                            JsonObject * object,
                                            GPtrArray * unknown_keys,
                                            GError ** error);

/*
 * The same from JSON text (the element's "tracking-config" property): it
 * must be an object; anything else is SLY_ERROR_PARSE. NULL or "" is an
 * empty object.
 */
gboolean sly_tracker_config_merge_string   (SlyTrackerConfig * config,
                                            const gchar * json,
                                            GPtrArray * unknown_keys,
                                            GError ** error);

/*
 * SDK defaults, then @server_defaults (get_tracking_settings' "botsort"
 * object, nullable), then @overrides (nullable). Unknown keys of both are
 * appended to @unknown_keys when given.
 */
SlyTrackerConfig *sly_tracker_config_new_from_json (JsonObject * server_defaults,
                                                    JsonObject * overrides,
                                                    GPtrArray * unknown_keys,
                                                    GError ** error);

/* The get_tracking_settings form (no "device"/"fps"). */
JsonObject *sly_tracker_config_to_json     (const SlyTrackerConfig * config);

/*
 * Human-readable notes on settings that are accepted but not applied
 * (with_reid, optical-flow cmc_method). Empty when everything asked for is
 * done. Callers show them once (element warning, server log); the library
 * itself does not log them, since g_warning is fatal in tests.
 */
GPtrArray *sly_tracker_config_get_warnings (const SlyTrackerConfig * config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyTrackerConfig, sly_tracker_config_free)

G_END_DECLS

#endif /* __SLY_TRACKER_CONFIG_H__ */
