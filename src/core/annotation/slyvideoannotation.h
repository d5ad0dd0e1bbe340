/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Supervisely video annotation (protocol.md section 9): objects keyed by
 * uuid, frames holding figures. Built frame by frame from image
 * annotations (one object per track id), written and read as JSON.
 */
#ifndef __SLY_VIDEO_ANNOTATION_H__
#define __SLY_VIDEO_ANNOTATION_H__

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "slyannotation.h"

G_BEGIN_DECLS

/* A tag of a video object over frames start..end (inclusive), as the
 * Supervisely video format writes it: {"name", "value"?, "frameRange"?,
 * "key"}. */
typedef struct
{
  gchar *key;                   /* 32 lowercase hex */
  gchar *name;
  JsonNode *value;              /* nullable: a tag without a value */
  gint start;                   /* frameRange; both -1 when there is none */
  gint end;
} SlyVideoTag;

typedef struct
{
  gchar *key;                   /* 32 lowercase hex */
  gchar *class_title;
  gint64 track_id;              /* 0 = not tracked */
  GPtrArray *tags;              /* SlyVideoTag*, in order of first frame */
} SlyVideoObject;

typedef struct
{
  gchar *key;
  guint object_index;           /* into SlyVideoAnnotation.objects */
  SlyGeometry *geometry;
  gchar *track_id;              /* nullable, as written in "trackId" */
} SlyVideoFigure;

typedef struct
{
  gint index;
  GPtrArray *figures;           /* SlyVideoFigure* */
} SlyVideoFrame;

typedef struct _SlyVideoAnnotation SlyVideoAnnotation;

struct _SlyVideoAnnotation
{
  gint width;
  gint height;
  gchar *description;
  gchar *key;
  GPtrArray *objects;           /* SlyVideoObject* */
  GPtrArray *frames;            /* SlyVideoFrame*, ascending index */
  gint frames_count;
  /*< private >*/
  JsonNode *tags;               /* video tags, kept as read; [] */
  GHashTable *track_objects;    /* track id -> object index + 1 */
  gboolean record_tags;         /* sly_video_annotation_set_record_tags() */
  GPtrArray *tag_states;        /* per object: its tags that may grow */
  gint ref_count;
};

GType sly_video_annotation_get_type (void);
#define SLY_TYPE_VIDEO_ANNOTATION (sly_video_annotation_get_type ())

SlyVideoAnnotation *sly_video_annotation_new (gint width, gint height);
SlyVideoAnnotation *sly_video_annotation_ref (SlyVideoAnnotation * va);
void sly_video_annotation_unref (SlyVideoAnnotation * va);

/* Adds the objects of @ann as figures of frame @frame_index (>= 0). An
 * object with a track id joins the video object of that track, created at
 * first sight with the detection's class; an object without one gets a
 * video object of its own. The frame is listed even with no figures.
 * frames_count grows to cover @frame_index. */
void sly_video_annotation_add_frame (SlyVideoAnnotation * va,
    gint frame_index, const SlyAnnotation * ann);
/* With @record TRUE, sly_video_annotation_add_frame() also keeps the tags
 * of each object (score tags excepted: "confidence", "conf", "score") as
 * tags of its video object with frame ranges: consecutive frames with the
 * same name and value make one range, a new value or a frame without the
 * tag (or without the object) starts a new one. Off by default: such tags
 * need tag metas in the project's meta.json. */
void sly_video_annotation_set_record_tags (SlyVideoAnnotation * va,
    gboolean record);
/* Overrides frames_count (e.g. with the source's frame count); it never
 * drops below the highest frame index + 1. */
void sly_video_annotation_set_frames_count (SlyVideoAnnotation * va,
    gint frames_count);
/* The frame with @frame_index, or NULL (transfer none). */
const SlyVideoFrame *sly_video_annotation_get_frame (const SlyVideoAnnotation *
    va, gint frame_index);

JsonNode *sly_video_annotation_to_json_node (const SlyVideoAnnotation * va);
gchar *sly_video_annotation_to_json (const SlyVideoAnnotation * va);
/* Validates: size, objects with unique keys and their tags (string name,
 * optional frameRange of two frame indices in order), frames with indices
 * in [0, framesCount], figures whose objectKey names a listed object.
 * Figures of unknown geometry types are skipped with a debug message. */
SlyVideoAnnotation *sly_video_annotation_from_json_node (JsonNode * node,
    GError ** error);
SlyVideoAnnotation *sly_video_annotation_from_json (const gchar * data,
    gssize length, GError ** error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyVideoAnnotation, sly_video_annotation_unref)

G_END_DECLS

#endif /* __SLY_VIDEO_ANNOTATION_H__ */
