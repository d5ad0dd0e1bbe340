/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The objects of a first model as the regions of slymodelinfer; see the
 * header.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyobjectregions.h"
#include "gstslypredictionmeta.h"

/* ---- the reclassify memory ---- */

/* What one track was told, and when. */
typedef struct
{
  guint64 sent_frame;           /* last frame cropped for it */
  guint64 seen_frame;           /* last frame it was on */
  gboolean resend;              /* its last request failed */
  GPtrArray *tags;              /* SlyTag*, NULL before an answer came */
} TrackMemory;

struct _GstSlyReclassify
{
  GMutex lock;
  GHashTable *tracks;           /* gint64 track id -> TrackMemory */
  guint64 frame;                /* frames planned */
};

static void
track_memory_free (TrackMemory * m)
{
  g_clear_pointer (&m->tags, g_ptr_array_unref);
  g_free (m);
}

GstSlyReclassify *
gst_sly_reclassify_new (void)
{
  GstSlyReclassify *r = g_new0 (GstSlyReclassify, 1);

  g_mutex_init (&r->lock);
  r->tracks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      (GDestroyNotify) track_memory_free);
  return r;
}

void
gst_sly_reclassify_free (GstSlyReclassify * r)
{
  g_hash_table_unref (r->tracks);
  g_mutex_clear (&r->lock);
  g_free (r);
}

void
gst_sly_reclassify_reset (GstSlyReclassify * r)
{
  g_mutex_lock (&r->lock);
  g_hash_table_remove_all (r->tracks);
  r->frame = 0;
  g_mutex_unlock (&r->lock);
}

static TrackMemory *
locked_track (GstSlyReclassify * r, gint64 track_id)
{
  TrackMemory *m = g_hash_table_lookup (r->tracks, &track_id);

  if (m == NULL) {
    m = g_new0 (TrackMemory, 1);
    m->resend = TRUE;
    g_hash_table_insert (r->tracks, g_memdup2 (&track_id, sizeof track_id), m);
  }
  return m;
}

/* Whether the track is due for a new crop at the current frame. */
static gboolean
locked_due (GstSlyReclassify * r, gint64 track_id, guint interval)
{
  TrackMemory *m = locked_track (r, track_id);
  gboolean due = m->resend || r->frame - m->sent_frame >= interval;

  m->seen_frame = r->frame;
  if (due) {
    m->sent_frame = r->frame;
    m->resend = FALSE;
  }
  return due;
}

/* A track not seen for a whole interval is gone: its memory goes too (a
 * track id that comes back later is sent again at once). */
static gboolean
track_gone (gpointer key, gpointer value, gpointer user_data)
{
  TrackMemory *m = value;
  const guint64 *horizon = user_data;

  return m->seen_frame < *horizon;
}

static void
locked_age (GstSlyReclassify * r, guint interval)
{
  guint64 horizon;

  if (r->frame < interval)
    return;
  horizon = r->frame - interval;
  g_hash_table_foreach_remove (r->tracks, track_gone, &horizon);
}

/* ---- planning (streaming thread) ---- */

struct _GstSlyObjectJob
{
  SlyAnnotation *base;          /* the frame's objects, never changed */
  GArray *roi_ids;              /* gint per object: its ROI meta id, or -1 */
  gboolean from_meta;           /* @base is a copy of a prediction meta */
  GstSlyFrameStatus status;     /* of that meta */
  GstClockTime round_trip;
  gchar *model_name;
  gchar **class_names;
  GArray *sent;                 /* guint object index per region */
  GArray *regions;              /* GstVideoRectangle per region */
  GArray *carried;              /* guint: tracked objects not sent */
};

void
gst_sly_object_job_free (GstSlyObjectJob * job)
{
  sly_annotation_unref (job->base);
  g_array_unref (job->roi_ids);
  g_free (job->model_name);
  g_strfreev (job->class_names);
  g_array_unref (job->sent);
  g_array_unref (job->regions);
  g_array_unref (job->carried);
  g_free (job);
}

GArray *
gst_sly_object_job_get_regions (GstSlyObjectJob * job)
{
  return job->regions;
}

static gboolean
roi_param_double (GstVideoRegionOfInterestMeta * roi, const gchar * param,
    const gchar * field, gdouble * value)
{
  GstStructure *s = gst_video_region_of_interest_meta_get_param (roi, param);

  return s != NULL && gst_structure_get_double (s, field, value);
}

static gint64
roi_track_id (GstVideoRegionOfInterestMeta * roi)
{
  GstStructure *s = gst_video_region_of_interest_meta_get_param (roi,
      "object_id");
  gint64 id64;
  gint id;

  if (s == NULL)
    return 0;
  if (gst_structure_get_int64 (s, "id", &id64))
    return MAX (id64, 0);
  if (gst_structure_get_int (s, "id", &id))
    return MAX (id, 0);
  return 0;
}

/* Objects from ROI metas of any element (no prediction meta upstream):
 * rectangles named by roi_type, with the detection's confidence and the
 * object_id's track when they have them. */
static void
base_from_rois (GstSlyObjectJob * job, GstBuffer * buffer)
{
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;

  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    const gchar *title = g_quark_to_string (roi->roi_type);
    gdouble confidence = -1;
    SlyObject *obj;

    if (title == NULL || roi->w == 0 || roi->h == 0)
      continue;
    roi_param_double (roi, "detection", "confidence", &confidence);
    obj = sly_annotation_add_object (job->base, title,
        sly_geometry_new_rectangle (roi->x, roi->y, roi->x + roi->w - 1,
            roi->y + roi->h - 1), confidence);
    obj->track_id = roi_track_id (roi);
    g_array_append_val (job->roi_ids, roi->id);
  }
}

/* The objects of the prediction meta of the first model; its ROI metas
 * (gst_sly_prediction_meta_add_roi_metas()) have the objects' indices as
 * ids. */
static gboolean
base_from_meta (GstSlyObjectJob * job, GstBuffer * buffer)
{
  GstSlyPredictionMeta *meta = gst_buffer_get_sly_prediction_meta (buffer);
  guint i;

  if (meta == NULL)
    return FALSE;
  job->from_meta = TRUE;
  job->status = meta->status;
  job->round_trip = meta->round_trip;
  job->model_name = g_strdup (meta->model_name);
  job->class_names = g_strdupv (meta->class_names);
  if (meta->annotation != NULL) {
    sly_annotation_unref (job->base);
    job->base = sly_annotation_copy (meta->annotation);
  }
  for (i = 0; i < job->base->objects->len; i++) {
    GstVideoRegionOfInterestMeta *roi =
        gst_buffer_get_video_region_of_interest_meta_id (buffer, i);
    SlyObject *obj = g_ptr_array_index (job->base->objects, i);
    gint id = -1;

    if (roi != NULL && g_strcmp0 (g_quark_to_string (roi->roi_type),
            obj->class_title) == 0)
      id = i;
    g_array_append_val (job->roi_ids, id);
  }
  return TRUE;
}

static gboolean
class_wanted (const GstSlyObjectFilter * filter, const gchar * title)
{
  return filter->classes == NULL ||
      g_strv_contains ((const gchar * const *) filter->classes, title);
}

/* The crop of @obj: its box grown by the padding, clipped to the frame;
 * FALSE when it is too small or outside. */
static gboolean
crop_of (const SlyObject * obj, gint width, gint height,
    const GstSlyObjectFilter * filter, GstVideoRectangle * crop)
{
  SlyBox box = sly_geometry_get_bbox (obj->geometry);
  gint64 left, top, right, bottom;

  if ((gint64) box.right - box.left + 1 < filter->min_size ||
      (gint64) box.bottom - box.top + 1 < filter->min_size)
    return FALSE;
  left = MAX ((gint64) box.left - filter->padding, 0);
  top = MAX ((gint64) box.top - filter->padding, 0);
  right = MIN ((gint64) box.right + filter->padding, (gint64) width - 1);
  bottom = MIN ((gint64) box.bottom + filter->padding, (gint64) height - 1);
  if (right < left || bottom < top)
    return FALSE;
  crop->x = left;
  crop->y = top;
  crop->w = right - left + 1;
  crop->h = bottom - top + 1;
  return TRUE;
}

static void
locked_select (GstSlyObjectJob * job, gint width, gint height,
    const GstSlyObjectFilter * filter, GstSlyReclassify * r)
{
  guint interval = filter ? MAX (filter->reclassify_interval, 1) : 1;
  guint i;

  for (i = 0; i < job->base->objects->len; i++) {
    SlyObject *obj = g_ptr_array_index (job->base->objects, i);
    GstVideoRectangle crop;

    if (filter == NULL) {
      /* nothing sent for this frame: every track keeps its tags */
      if (obj->track_id != 0)
        g_array_append_val (job->carried, i);
      continue;
    }
    if (obj->geometry == NULL || !class_wanted (filter, obj->class_title) ||
        !crop_of (obj, width, height, filter, &crop))
      continue;
    if (obj->track_id != 0 && !locked_due (r, obj->track_id, interval)) {
      g_array_append_val (job->carried, i);
      continue;
    }
    g_array_append_val (job->sent, i);
    g_array_append_val (job->regions, crop);
  }
}

GstSlyObjectJob *
gst_sly_object_job_plan (GstBuffer * buffer, gint width, gint height,
    const GstSlyObjectFilter * filter, GstSlyReclassify * r)
{
  GstSlyObjectJob *job = g_new0 (GstSlyObjectJob, 1);

  job->base = sly_annotation_new (width, height);
  job->roi_ids = g_array_new (FALSE, FALSE, sizeof (gint));
  job->sent = g_array_new (FALSE, FALSE, sizeof (guint));
  job->regions = g_array_new (FALSE, FALSE, sizeof (GstVideoRectangle));
  job->carried = g_array_new (FALSE, FALSE, sizeof (guint));
  job->status = GST_SLY_FRAME_STATUS_INFERRED;
  job->round_trip = GST_CLOCK_TIME_NONE;
  if (!base_from_meta (job, buffer))
    base_from_rois (job, buffer);

  g_mutex_lock (&r->lock);
  locked_select (job, width, height, filter, r);
  r->frame++;
  if (filter != NULL)
    locked_age (r, MAX (filter->reclassify_interval, 1));
  g_mutex_unlock (&r->lock);
  return job;
}

/* ---- answers (I/O thread) ---- */

SlyAnnotation *
gst_sly_object_job_apply (GstSlyObjectJob * job, GPtrArray * answers)
{
  SlyAnnotation *result = sly_annotation_copy (job->base);
  guint i, j, first_child;

  for (i = 0; i < answers->len && i < job->sent->len; i++) {
    SlyAnnotation *answer = g_ptr_array_index (answers, i);
    guint index = g_array_index (job->sent, guint, i);

    sly_object_set_tags (g_ptr_array_index (result->objects, index),
        answer->tags);
    first_child = result->objects->len;
    sly_annotation_take_objects (result, answer, 0, 0);
    for (j = first_child; j < result->objects->len; j++)
      ((SlyObject *) g_ptr_array_index (result->objects, j))->parent = index;
  }
  return result;
}

/* ---- the frame leaves (src task) ---- */

/* The tags of @obj that are no score. */
static GPtrArray *
tags_to_carry (const SlyObject * obj)
{
  GPtrArray *tags = sly_tags_new ();
  guint i;

  for (i = 0; i < obj->tags->len; i++) {
    const SlyTag *tag = g_ptr_array_index (obj->tags, i);

    if (!sly_tag_name_is_score (tag->name))
      g_ptr_array_add (tags, sly_tag_new (tag->name,
              tag->value ? json_node_copy (tag->value) : NULL));
  }
  return tags;
}



/* Tracks sent for this frame remember their answer (or that it failed);
 * tracks not sent get the tags they were last told. */
static void
remember_and_carry (GstSlyObjectJob * job, SlyAnnotation * ann,
    gboolean answered, GstSlyReclassify * r)
{
  guint i;

  g_mutex_lock (&r->lock);
  for (i = 0; i < job->sent->len; i++) {
    SlyObject *obj = g_ptr_array_index (ann->objects,
        g_array_index (job->sent, guint, i));
    TrackMemory *m;

    if (obj->track_id == 0)
      continue;
    m = locked_track (r, obj->track_id);
    if (answered) {
      g_clear_pointer (&m->tags, g_ptr_array_unref);
      m->tags = tags_to_carry (obj);
    } else {
      m->resend = TRUE;
    }
  }
  for (i = 0; i < job->carried->len; i++) {
    SlyObject *obj = g_ptr_array_index (ann->objects,
        g_array_index (job->carried, guint, i));
    TrackMemory *m = g_hash_table_lookup (r->tracks, &obj->track_id);

    if (m != NULL && m->tags != NULL)
      sly_object_set_tags (obj, m->tags);
  }
  g_mutex_unlock (&r->lock);
}

static gboolean
set_field (GQuark field, const GValue * value, gpointer user_data)
{
  gst_structure_id_set_value (user_data, field, value);
  return TRUE;
}

/* A `tags` param on the ROI meta of each object of the first model that
 * has tags now (merged into one it may have had). */
static void
tag_rois (GstSlyObjectJob * job, GstBuffer * buffer,
    GstSlyPredictionMeta * meta)
{
  guint i;

  for (i = 0; i < job->roi_ids->len; i++) {
    gint id = g_array_index (job->roi_ids, gint, i);
    g_autoptr (GstSlyObject) object = NULL;
    GstVideoRegionOfInterestMeta *roi;
    GstStructure *tags, *old;

    if (id < 0)
      continue;
    roi = gst_buffer_get_video_region_of_interest_meta_id (buffer, id);
    object = gst_sly_prediction_meta_get_nth_object (meta, i);
    tags = object ? gst_sly_object_get_tags (object) : NULL;
    if (roi == NULL || tags == NULL) {
      g_clear_pointer (&tags, gst_structure_free);
      continue;
    }
    old = gst_video_region_of_interest_meta_get_param (roi, "tags");
    if (old != NULL) {
      gst_structure_foreach (tags, set_field, old);
      gst_structure_free (tags);
    } else {
      gst_video_region_of_interest_meta_add_param (roi, tags);
    }
  }
}

static void
collect_roi (GHashTable * set, GstBuffer * buffer)
{
  gpointer state = NULL;
  GstMeta *m;

  while ((m = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    g_hash_table_add (set, m);
}

/* ROI metas for the objects found inside others, whose parent_id is the id
 * of their parent's ROI meta. */
static void
add_child_rois (GstSlyObjectJob * job, GstBuffer * buffer,
    GstSlyPredictionMeta * meta, SlyAnnotation * ann)
{
  g_autoptr (GHashTable) before = g_hash_table_new (NULL, NULL);
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;
  guint n_base = job->base->objects->len;

  if (ann->objects->len <= n_base)
    return;
  collect_roi (before, buffer);
  gst_sly_prediction_meta_add_roi_metas_from (buffer, meta, NULL, n_base);
  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    SlyObject *child;

    if (g_hash_table_contains (before, roi) || roi->id < (gint) n_base ||
        roi->id >= (gint) ann->objects->len)
      continue;
    child = g_ptr_array_index (ann->objects, roi->id);
    roi->parent_id = child->parent >= 0 ?
        g_array_index (job->roi_ids, gint, child->parent) : -1;
  }
}

SlyAnnotation *
gst_sly_object_job_finish (GstSlyObjectJob * job, GstBuffer * buffer,
    SlyAnnotation * result, GstSlyReclassify * r)
{
  SlyAnnotation *ann;
  GstSlyPredictionMeta *meta;

  ann = result ? sly_annotation_ref (result) : sly_annotation_copy (job->base);
  remember_and_carry (job, ann, result != NULL, r);

  meta = gst_buffer_get_sly_prediction_meta (buffer);
  if (meta != NULL)
    gst_buffer_remove_meta (buffer, (GstMeta *) meta);
  meta = gst_buffer_add_sly_prediction_meta (buffer, job->status, ann,
      job->round_trip, job->model_name);
  if (job->class_names != NULL)
    gst_sly_prediction_meta_set_class_names (meta,
        (const gchar * const *) job->class_names);
  tag_rois (job, buffer, meta);
  add_child_rois (job, buffer, meta, ann);
  return ann;
}
