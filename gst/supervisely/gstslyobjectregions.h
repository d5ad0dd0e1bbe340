/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * inference-region=objects for slymodelinfer: the objects a first model
 * put on a frame (its prediction meta, or any GstVideoRegionOfInterestMeta)
 * become the regions sent to this element's model, and its answers are
 * attached to them: a classifier's image tags become the object's tags,
 * detections inside a crop become child objects. With tracking upstream, a
 * track is sent once every reclassify-interval frames and carries its last
 * tags in between.
 *
 * A job is planned on the streaming thread (gst_sly_object_job_plan),
 * read-only afterwards; the I/O thread maps the answers onto a copy of its
 * objects (gst_sly_object_job_apply); the src task finishes the frame
 * (gst_sly_object_job_finish). The reclassify memory is shared by the
 * streaming thread and the src task and has its own lock.
 */
#ifndef __GST_SLY_OBJECT_REGIONS_H__
#define __GST_SLY_OBJECT_REGIONS_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include "slyannotation.h"

G_BEGIN_DECLS

/* Which objects go to the model, from the element's properties. */
typedef struct
{
  gchar **classes;              /* NULL = every class */
  gint min_size;                /* smallest width and height, pixels */
  gint padding;                 /* added on each side of a crop, pixels */
  guint reclassify_interval;    /* a track is sent every N frames; <= 1: all */
} GstSlyObjectFilter;

typedef struct _GstSlyReclassify GstSlyReclassify;

GstSlyReclassify *gst_sly_reclassify_new (void);
void gst_sly_reclassify_free (GstSlyReclassify * r);
/* A new stream or a flush: tracks start over. */
void gst_sly_reclassify_reset (GstSlyReclassify * r);

typedef struct _GstSlyObjectJob GstSlyObjectJob;

/* The objects of @buffer (a @width x @height frame) and which of them are
 * cropped (maybe none); @filter NULL: none, the frame is not sent. */
GstSlyObjectJob *gst_sly_object_job_plan (GstBuffer * buffer, gint width,
    gint height, const GstSlyObjectFilter * filter, GstSlyReclassify * r);
void gst_sly_object_job_free (GstSlyObjectJob * job);

/* The crops to send (GstVideoRectangle, frame pixels), possibly none. */
GArray *gst_sly_object_job_get_regions (GstSlyObjectJob * job);

/* I/O thread: @answers holds one annotation per region, already in frame
 * coordinates; returns a new annotation: the objects with the tags of
 * their answers, followed by the objects found inside them. */
SlyAnnotation *gst_sly_object_job_apply (GstSlyObjectJob * job,
    GPtrArray * answers);

/* src task: the frame's buffer (writable) gets the objects: @result (from
 * gst_sly_object_job_apply(), or NULL when the request failed or came too
 * late) plus the tags of tracks not sent this time, in a prediction meta
 * in place of the one of the first model, with a `tags` param on the ROI
 * metas of tagged objects and ROI metas for the objects found inside them.
 * Remembers what tracks were told. The objects found inside get the
 * label ids of @class_index (this element's model: class title to
 * GUINT_TO_POINTER (id); nullable). Returns the objects attached. */
SlyAnnotation *gst_sly_object_job_finish (GstSlyObjectJob * job,
    GstBuffer * buffer, SlyAnnotation * result, GHashTable * class_index,
    GstSlyReclassify * r);

G_END_DECLS

#endif /* __GST_SLY_OBJECT_REGIONS_H__ */
