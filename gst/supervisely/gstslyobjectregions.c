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

/* How an object's ROI meta is found again on the buffer that leaves (maybe
 * a copy, its metas in another order): ids are no key, elements that do
 * not set them leave them all 0. */
typedef struct
{
  GQuark type;                  /* 0: the object has no ROI meta */
  guint x, y, w, h;
} RoiKey;

static RoiKey
roi_key (const GstVideoRegionOfInterestMeta * roi)
{
  RoiKey key = { roi->roi_type, roi->x, roi->y, roi->w, roi->h };

  return key;
}

static gboolean
roi_matches (const GstVideoRegionOfInterestMeta * roi, const RoiKey * key)
{
  return key->type != 0 && roi->roi_type == key->type && roi->x == key->x &&
      roi->y == key->y && roi->w == key->w && roi->h == key->h;
}

struct _GstSlyObjectJob
{
  SlyAnnotation *base;          /* the frame's objects, never changed */
  GArray *rois;                 /* RoiKey per object: its ROI meta */
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
  g_array_unref (job->rois);
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
base_from_rois (GstSlyObjectJob * job, GstBuffer * buffer, gint width,
    gint height)
{
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;

  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    const gchar *title = g_quark_to_string (roi->roi_type);
    gdouble confidence = -1;
    RoiKey key = roi_key (roi);
    SlyObject *obj;

    /* any element's values: boxes that reach past the frame are no boxes
     * of this frame */
    if (title == NULL || roi->w == 0 || roi->h == 0 ||
        (guint64) roi->x + roi->w > (guint64) width ||
        (guint64) roi->y + roi->h > (guint64) height)
      continue;
    roi_param_double (roi, "detection", "confidence", &confidence);
    obj = sly_annotation_add_object (job->base, title,
        sly_geometry_new_rectangle (roi->x, roi->y, roi->x + roi->w - 1,
            roi->y + roi->h - 1), confidence);
    obj->track_id = roi_track_id (roi);
    g_array_append_val (job->rois, key);
  }
}

/* The ROI meta gst_sly_prediction_meta_add_roi_metas() made for object
 * @index of the meta: its id is the index, its type the class. */
static RoiKey
meta_object_roi (GstBuffer * buffer, guint index, const SlyObject * obj)
{
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;
  RoiKey none = { 0, };

  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    if (roi->id == (gint) index &&
        g_strcmp0 (g_quark_to_string (roi->roi_type), obj->class_title) == 0)
      return roi_key (roi);
  return none;
}

/* The objects of the prediction meta of the first model. */
static gboolean
base_from_meta (GstSlyObjectJob * job, GstBuffer * buffer)
{
  GstSlyPredictionMeta *meta = gst_buffer_get_sly_prediction_meta (buffer);
  guint i;

  if (meta == NULL)
    return FALSE;
  job->status = meta->status;
  job->round_trip = meta->round_trip;
  job->model_name = g_strdup (meta->model_name);
  job->class_names = g_strdupv (meta->class_names);
  if (meta->annotation != NULL) {
    sly_annotation_unref (job->base);
    /* the job only reads it; the copies it hands out are made later */
    job->base = sly_annotation_ref (meta->annotation);
  }
  for (i = 0; i < job->base->objects->len; i++) {
    RoiKey key = meta_object_roi (buffer, i,
        g_ptr_array_index (job->base->objects, i));

    g_array_append_val (job->rois, key);
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
  job->rois = g_array_new (FALSE, FALSE, sizeof (RoiKey));
  job->sent = g_array_new (FALSE, FALSE, sizeof (guint));
  job->regions = g_array_new (FALSE, FALSE, sizeof (GstVideoRectangle));
  job->carried = g_array_new (FALSE, FALSE, sizeof (guint));
  job->status = GST_SLY_FRAME_STATUS_INFERRED;
  job->round_trip = GST_CLOCK_TIME_NONE;
  if (!base_from_meta (job, buffer))
    base_from_rois (job, buffer, width, height);

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
      g_ptr_array_add (tags, sly_tag_copy (tag));
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

/* The ROI meta of each object of the first model on the buffer that
 * leaves, NULL where it has none; each ROI meta stands for one object. */
static GPtrArray *
find_rois (GstSlyObjectJob * job, GstBuffer * buffer)
{
  GPtrArray *found = g_ptr_array_new ();
  g_autoptr (GHashTable) taken = g_hash_table_new (NULL, NULL);
  guint i;

  for (i = 0; i < job->rois->len; i++) {
    const RoiKey *key = &g_array_index (job->rois, RoiKey, i);
    GstVideoRegionOfInterestMeta *roi, *match = NULL;
    gpointer state = NULL;

    while (key->type != 0 && match == NULL &&
        (roi = (GstVideoRegionOfInterestMeta *)
            gst_buffer_iterate_meta_filtered (buffer, &state,
                GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
      if (roi_matches (roi, key) && !g_hash_table_contains (taken, roi))
        match = roi;
    if (match != NULL)
      g_hash_table_add (taken, match);
    g_ptr_array_add (found, match);
  }
  return found;
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
tag_rois (GPtrArray * rois, GstSlyPredictionMeta * meta)
{
  guint i;

  for (i = 0; i < rois->len; i++) {
    GstVideoRegionOfInterestMeta *roi = g_ptr_array_index (rois, i);
    g_autoptr (GstSlyObject) object = NULL;
    GstStructure *tags, *old;

    if (roi == NULL)
      continue;
    object = gst_sly_prediction_meta_get_nth_object (meta, i);
    tags = object ? gst_sly_object_get_tags (object) : NULL;
    if (tags == NULL)
      continue;
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
 * of their parent's ROI meta (-1 when it has none). */
static void
add_child_rois (GstSlyObjectJob * job, GstBuffer * buffer,
    GstSlyPredictionMeta * meta, SlyAnnotation * ann, GPtrArray * rois,
    GHashTable * class_index)
{
  g_autoptr (GHashTable) before = g_hash_table_new (NULL, NULL);
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;
  guint n_base = job->base->objects->len;

  if (ann->objects->len <= n_base)
    return;
  collect_roi (before, buffer);
  gst_sly_prediction_meta_add_roi_metas_from (buffer, meta, class_index,
      n_base);
  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *parent = NULL;
    SlyObject *child;

    if (g_hash_table_contains (before, roi) || roi->id < (gint) n_base ||
        roi->id >= (gint) ann->objects->len)
      continue;
    child = g_ptr_array_index (ann->objects, roi->id);
    if (child->parent >= 0 && (guint) child->parent < rois->len)
      parent = g_ptr_array_index (rois, child->parent);
    roi->parent_id = parent ? parent->id : -1;
  }
}

SlyAnnotation *
gst_sly_object_job_finish (GstSlyObjectJob * job, GstBuffer * buffer,
    SlyAnnotation * result, GHashTable * class_index, GstSlyReclassify * r)
{
  SlyAnnotation *ann;
  GstSlyPredictionMeta *meta;
  GPtrArray *rois;

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
  rois = find_rois (job, buffer);
  tag_rois (rois, meta);
  add_child_rois (job, buffer, meta, ann, rois, class_index);
  g_ptr_array_unref (rois);
  return ann;
}
