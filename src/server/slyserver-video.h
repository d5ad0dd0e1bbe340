/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Uploaded videos for inference_video_async: decoding with GStreamer in a
 * thread (frame selection of protocol.md 3.16) and tracking of the per-frame
 * annotations with BoT-SORT (section 8) into a video annotation (section 9).
 */
#ifndef __SLY_SERVER_VIDEO_H__
#define __SLY_SERVER_VIDEO_H__

#include <json-glib/json-glib.h>
#include "slyannotation.h"

G_BEGIN_DECLS

/* @frames: SlyImage* (RGB); @indices: gint64 frame numbers, one per frame */
typedef void (*SlyVideoDoneFunc) (gpointer user_data, GPtrArray * frames,
    GArray * indices, gint width, gint height, gint64 frames_count,
    GError * error);

typedef struct _SlyVideoDecode SlyVideoDecode;

/* Decodes @video in a thread and calls @done on the default main context
 * with the frames selected by @state (startFrameIndex, stride/step,
 * framesCount, endFrameIndex, duration, direction). Decoded frames kept in
 * memory are limited to @max_bytes. */
SlyVideoDecode *sly_video_decode_start (GBytes * video, JsonObject * state,
    gsize max_bytes, SlyVideoDoneFunc done, gpointer user_data);
/* Stops the thread and waits for it; @done is not called afterwards. */
void sly_video_decode_cancel (SlyVideoDecode * decode);

typedef struct _SlyVideoTracking SlyVideoTracking;

/* NULL without error when the request asks for no tracking (or tracking is
 * disabled on this server, which the SDK ignores silently); an error (HTTP
 * 400) when tracking was asked for and cannot be done. The tracker starts
 * from sly_video_tracking_defaults_new (@server_settings). */
SlyVideoTracking *sly_video_tracking_new (JsonObject * state,
    JsonObject * server_settings, gboolean enabled, GError ** error);
void sly_video_tracking_free (SlyVideoTracking * tracking);
void sly_video_tracking_set_size (SlyVideoTracking * tracking, gint width,
    gint height, gint64 frames_count);
/* Keeps the objects of @ann that got a track id and sets the ids. */
void sly_video_tracking_update (SlyVideoTracking * tracking,
    SlyAnnotation * ann, gint64 frame_index);
/* The video annotation of everything tracked so far (transfer full). */
JsonNode *sly_video_tracking_build_annotation (SlyVideoTracking * tracking);
/* get_tracking_settings' "botsort" object, transfer full: what this
 * tracker does, with the values of @server_settings (--tracking-settings,
 * nullable, already checked) instead. */
JsonNode *sly_video_tracking_defaults_new (JsonObject * server_settings);

G_END_DECLS

#endif /* __SLY_SERVER_VIDEO_H__ */
