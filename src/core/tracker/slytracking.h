/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Client-side tracking for slymodelinfer (tracking=true): a BoT-SORT tracker
 * (src/core/tracker) fed the frames in output order by the src pad task.
 * Frames the server answered get track ids in their objects (protocol.md
 * 6.7); frames without detections (skipped, failed, window full) get the
 * predicted boxes of the confirmed tracks.
 *
 * No pads and no properties here, so that the tests drive it with
 * synthetic annotations. Messages for the user are handed back as strings
 * in a GPtrArray; the element posts them (GST_ELEMENT_WARNING).
 */
#ifndef __SLY_TRACKING_H__
#define __SLY_TRACKING_H__

#include <glib.h>
#include <json-glib/json-glib.h>

#include "slyannotation.h"

G_BEGIN_DECLS

typedef struct _SlyTracking SlyTracking;

/*
 * Reads what the tracker needs to know about the model, when a tracker
 * starts (at the first answered frame after creation or a reset): the
 * model's get_session_info object and the "botsort" object of
 * get_tracking_settings, each (transfer full) or NULL when unknown.
 * Called on the thread that calls sly_tracking_process().
 */
typedef void (*SlyTrackingModelFunc) (gpointer user_data,
                                          JsonNode ** session_info,
                                          JsonNode ** tracking_settings);

/*
 * @overrides: the tracking-config text (nullable): a JSON object of
 * BoT-SORT parameters (protocol.md 8.1). A value that is not an object, or
 * a known key with a bad value, gives NULL and @error. Unknown keys, and
 * ReID or optical-flow camera motion asked for in @overrides (accepted, not
 * applied), add one message each to @warnings (nullable; g_free'd strings).
 */
SlyTracking *sly_tracking_new      (const gchar * overrides,
                                           SlyTrackingModelFunc model_func,
                                           gpointer user_data,
                                           GPtrArray * warnings,
                                           GError ** error);
void     sly_tracking_free            (SlyTracking * tracking);

/*
 * Forgets every track (a flushing seek, a new stream): the next answered
 * frame starts a tracker again, with ids from 1 and the model's settings
 * of that moment. Safe from any thread; takes effect at the next
 * sly_tracking_process().
 */
void     sly_tracking_reset           (SlyTracking * tracking);

/*
 * One frame, in output order (one thread, the src pad task).
 *
 * @annotation: (inout) (nullable): for an @inferred frame the server's
 * annotation, tracked in place (ids written, objects without an id removed,
 * has_track_ids set): the caller must be its only user. For a frame without
 * detections (@inferred FALSE, or an inferred frame without annotation),
 * whatever it holds is replaced by the tracker's predicted boxes, as
 * rectangles clipped to @width x @height (0: the size of the last answered
 * frame). NULL @annotation: a frame that is not output (dropped); the
 * tracker only advances.
 *
 * Returns TRUE when *@annotation now holds tracker-predicted boxes (the
 * frame's status becomes tracker-predicted). Before the first answered
 * frame there is no tracker: nothing changes and the return is FALSE.
 * Messages for the user (model without tracking support, unusable server
 * settings) are added to @warnings (nullable), each once per @tracking.
 */
gboolean sly_tracking_process         (SlyTracking * tracking,
                                           gboolean inferred,
                                           SlyAnnotation ** annotation,
                                           gint width,
                                           gint height,
                                           GPtrArray * warnings);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyTracking, sly_tracking_free)

G_END_DECLS

#endif /* __SLY_TRACKING_H__ */
