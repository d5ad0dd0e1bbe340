/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __GST_SLY_ANNOTATION_SINK_H__
#define __GST_SLY_ANNOTATION_SINK_H__

#include <stdio.h>

#include <gst/gst.h>
#include <gst/base/gstbasesink.h>

#include "slyannotation.h"
#include "slyvideoannotation.h"

G_BEGIN_DECLS

#define GST_TYPE_SLY_ANNOTATION_SINK (gst_sly_annotation_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstSlyAnnotationSink, gst_sly_annotation_sink,
    GST, SLY_ANNOTATION_SINK, GstBaseSink)

struct _GstSlyAnnotationSink
{
  GstBaseSink parent;

  /* properties, under the object lock */
  gchar *location;
  gchar *jsonl_location;
  guint frames_count;

  /* streaming state: copies of the properties taken at start, then only
   * touched by the streaming thread (and by stop, once it has ended) */
  gchar *out_path;
  gchar *jsonl_path;
  FILE *jsonl;
  SlyVideoAnnotation *video;
  SlyAnnotation *no_objects;    /* what a frame without predictions adds */
  gint width;
  gint height;
  gint next_index;              /* frames seen since the last (re)start */
  gboolean unwritten;           /* frames seen since the file was written */
};

G_END_DECLS

#endif /* __GST_SLY_ANNOTATION_SINK_H__ */
