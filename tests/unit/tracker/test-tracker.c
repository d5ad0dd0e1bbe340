/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tracker behaviours one at a time: id numbering, score thresholds,
 * confirmation, the lost-track buffer, prediction, camera motion, duplicates,
 * class votes and the annotation helpers. Multi-object scenes with metrics
 * are in test-tracker-scenes.c.
 */
#include "slytracker.h"

#include <math.h>
#include <string.h>

static SlyDetection
det (gdouble x, gdouble y, gdouble size, gdouble score, gint cls)
{
  SlyDetection d = { x, y, x + size, y + size, score, cls };

  return d;
}

/* One update with a single detection; returns its id. */
static gint64
step1 (SlyTracker * t, SlyDetection d)
{
  gint64 id = -1;

  sly_tracker_update (t, &d, 1, &id);
  return id;
}

static SlyTracker *
new_tracker (gint track_buffer)
{
  g_autoptr (SlyTrackerConfig) c = sly_tracker_config_new ();

  c->with_reid = FALSE;
  c->track_buffer = track_buffer;
  return sly_tracker_new (c);
}

static guint
n_tracks (SlyTracker * t)
{
  g_autoptr (GArray) tracks = sly_tracker_get_tracks (t);

  return tracks->len;
}

static void
test_ids_from_one (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);
  SlyDetection d[3] = { det (0, 0, 20, 0.9, 0), det (100, 0, 20, 0.9, 0),
    det (200, 0, 20, 0.9, 0)
  };
  gint64 ids[3];

  g_assert_cmpuint (sly_tracker_update (t, d, 3, ids), ==, 3);
  g_assert_cmpint (ids[0], ==, 1);
  g_assert_cmpint (ids[1], ==, 2);
  g_assert_cmpint (ids[2], ==, 3);
  /* born in the first frame: confirmed at once */
  g_assert_cmpuint (n_tracks (t), ==, 3);

  sly_tracker_reset (t);
  g_assert_cmpuint (sly_tracker_get_frame_count (t), ==, 0);
  g_assert_cmpuint (n_tracks (t), ==, 0);
  g_assert_cmpuint (sly_tracker_update (t, &d[2], 1, ids), ==, 1);
  g_assert_cmpint (ids[0], ==, 1);
}

static void
test_thresholds (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);
  /* <= low: dropped; low..high: second set only, never a new track;
   * high but < new_track_thresh: no new track; >= new_track_thresh: new */
  SlyDetection d[5] = { det (0, 0, 20, 0.1, 0), det (100, 0, 20, 0.5, 0),
    det (200, 0, 20, 0.65, 0), det (300, 0, 20, 0.7, 0),
    det (400, 0, 20, 0.99, 0)
  };
  gint64 ids[5];

  g_assert_cmpuint (sly_tracker_update (t, d, 5, ids), ==, 2);
  g_assert_cmpint (ids[0], ==, 0);
  g_assert_cmpint (ids[1], ==, 0);
  g_assert_cmpint (ids[2], ==, 0);
  g_assert_cmpint (ids[3], ==, 1);
  g_assert_cmpint (ids[4], ==, 2);
}

static void
test_unconfirmed (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);

  g_assert_cmpint (step1 (t, det (0, 0, 20, 0.9, 0)), ==, 1);
  /* frame 2: a second object appears; it has an id but is not confirmed */
  {
    SlyDetection d[2] = { det (1, 0, 20, 0.9, 0), det (100, 0, 20, 0.9, 0) };
    gint64 ids[2];

    sly_tracker_update (t, d, 2, ids);
    g_assert_cmpint (ids[0], ==, 1);
    g_assert_cmpint (ids[1], ==, 2);
    g_assert_cmpuint (n_tracks (t), ==, 1);
  }
  /* frame 3: seen again: confirmed with the same id */
  {
    SlyDetection d[2] = { det (2, 0, 20, 0.9, 0), det (101, 0, 20, 0.9, 0) };
    gint64 ids[2];

    sly_tracker_update (t, d, 2, ids);
    g_assert_cmpint (ids[1], ==, 2);
    g_assert_cmpuint (n_tracks (t), ==, 2);
  }
  /* an unconfirmed track missing in its second frame is removed */
  g_assert_cmpint (step1 (t, det (300, 300, 20, 0.9, 0)), ==, 3);
  sly_tracker_update (t, NULL, 0, NULL);
  g_assert_cmpint (step1 (t, det (300, 300, 20, 0.9, 0)), ==, 4);
}

static void
test_low_score_keeps_track (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);
  gint i;

  g_assert_cmpint (step1 (t, det (0, 0, 40, 0.9, 0)), ==, 1);
  /* the second association keeps a Tracked track on weak detections */
  for (i = 1; i <= 5; i++)
    g_assert_cmpint (step1 (t, det (2 * i, 0, 40, 0.3, 0)), ==, 1);
  g_assert_cmpuint (n_tracks (t), ==, 1);
  g_assert_cmpint (step1 (t, det (12, 0, 40, 0.9, 0)), ==, 1);
}

/* An object seen for 10 frames, then missing @gap frames, then back. */
static gint64
id_after_gap (gint track_buffer, gint gap)
{
  g_autoptr (SlyTracker) t = new_tracker (track_buffer);
  gint i;

  for (i = 0; i < 10; i++)
    g_assert_cmpint (step1 (t, det (50, 50, 40, 0.9, 0)), ==, 1);
  for (i = 0; i < gap; i++)
    sly_tracker_update (t, NULL, 0, NULL);
  return step1 (t, det (50, 50, 40, 0.9, 0));
}

static void
test_track_buffer (void)
{
  /* max lost age = track_buffer frames */
  g_assert_cmpint (id_after_gap (5, 1), ==, 1);
  g_assert_cmpint (id_after_gap (5, 5), ==, 1);
  g_assert_cmpint (id_after_gap (5, 6), ==, 2);
  g_assert_cmpint (id_after_gap (30, 30), ==, 1);
  g_assert_cmpint (id_after_gap (30, 31), ==, 2);
}

static void
test_predict (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);
  g_autoptr (GArray) tracks = NULL;
  const SlyTrackBox *b;
  gint i;

  /* 4 px per frame to the right, 1 down */
  for (i = 0; i < 20; i++)
    g_assert_cmpint (step1 (t, det (10 + 4 * i, 20 + i, 30, 0.9, 3)), ==, 1);
  sly_tracker_predict (t);
  sly_tracker_predict (t);
  tracks = sly_tracker_get_tracks (t);
  g_assert_cmpuint (tracks->len, ==, 1);
  b = &g_array_index (tracks, SlyTrackBox, 0);
  g_assert_cmpint (b->track_id, ==, 1);
  g_assert_cmpint (b->class_index, ==, 3);
  g_assert_cmpuint (b->frames_since_update, ==, 2);
  /* frame 21 has x = 10 + 4 * 21 */
  g_assert_cmpfloat_with_epsilon (b->x1, 94, 0.5);
  g_assert_cmpfloat_with_epsilon (b->y1, 41, 0.5);
  g_assert_cmpfloat_with_epsilon (b->x2 - b->x1, 30, 0.5);
  g_assert_cmpuint (sly_tracker_get_frame_count (t), ==, 22);
  /* and the object is found again where it is */
  g_assert_cmpint (step1 (t, det (98, 42, 30, 0.9, 3)), ==, 1);
}

static void
test_predict_expires (void)
{
  g_autoptr (SlyTracker) t = new_tracker (5);
  gint i;

  for (i = 0; i < 10; i++)
    step1 (t, det (10 + 2 * i, 20, 30, 0.9, 0));
  /* predicted boxes are output for track_buffer frames without evidence */
  for (i = 0; i < 5; i++) {
    sly_tracker_predict (t);
    g_assert_cmpuint (n_tracks (t), ==, 1);
  }
  /* then the track is lost: no more invented boxes */
  sly_tracker_predict (t);
  g_assert_cmpuint (n_tracks (t), ==, 0);
  /* and after another track_buffer frames it is gone for good */
  for (i = 0; i < 5; i++)
    sly_tracker_predict (t);
  g_assert_cmpint (step1 (t, det (10 + 2 * 21, 20, 30, 0.9, 0)), ==, 2);
}

/* Two static objects; at frame 11 the camera pans 60 px. */
static void
pan_scene (gboolean with_warp, gint64 ids[2])
{
  g_autoptr (SlyTracker) t = new_tracker (30);
  const gdouble warp[6] = { 1, 0, 60, 0, 1, 0 };
  gint i;

  for (i = 0; i < 11; i++) {
    gdouble shift = i == 10 ? 60 : 0;
    SlyDetection d[2] = { det (100 + shift, 100, 40, 0.9, 0),
      det (300 + shift, 100, 40, 0.9, 0)
    };

    if (i == 10 && with_warp)
      sly_tracker_apply_warp (t, warp);
    sly_tracker_update (t, d, 2, ids);
  }
}

static void
test_warp (void)
{
  gint64 ids[2];

  pan_scene (TRUE, ids);
  g_assert_cmpint (ids[0], ==, 1);
  g_assert_cmpint (ids[1], ==, 2);
  /* the warp is what keeps them: without it the boxes no longer overlap */
  pan_scene (FALSE, ids);
  g_assert_cmpint (ids[0], ==, 3);
  g_assert_cmpint (ids[1], ==, 4);
}

static void
test_duplicates (void)
{
  g_autoptr (SlyTrackerConfig) c = sly_tracker_config_new ();
  g_autoptr (SlyTracker) t = NULL;
  SlyDetection two[2];
  gint64 ids[2];
  gint i;

  /* With match_thresh 0.1 a 0.75-score detection (fused cost 0.25) cannot
   * re-find a lost track and starts a new one on the same spot; duplicate
   * removal then drops the new one (shorter history). */
  c->match_thresh = 0.1;
  t = sly_tracker_new (c);
  for (i = 0; i < 10; i++)
    g_assert_cmpint (step1 (t, det (50, 50, 40, 0.95, 0)), ==, 1);
  sly_tracker_update (t, NULL, 0, NULL);
  g_assert_cmpint (step1 (t, det (50, 50, 40, 0.75, 0)), ==, 2);

  /* Track 2 is gone: two detections on the spot give the lost track 1 back
   * and a brand-new 3 (without duplicate removal the second would confirm
   * the unconfirmed 2). */
  two[0] = two[1] = det (50, 50, 40, 0.95, 0);
  sly_tracker_update (t, two, 2, ids);
  g_assert_cmpint (MIN (ids[0], ids[1]), ==, 1);
  g_assert_cmpint (MAX (ids[0], ids[1]), ==, 3);
}

static void
test_class_vote (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);
  g_autoptr (GArray) tracks = NULL;
  gint i;

  /* class 1: 3 x 0.95 = 2.85 against class 0: 2 x 0.9 = 1.8 */
  for (i = 0; i < 3; i++)
    step1 (t, det (10, 10, 40, 0.95, 1));
  for (i = 0; i < 2; i++)
    step1 (t, det (10, 10, 40, 0.9, 0));
  tracks = sly_tracker_get_tracks (t);
  g_assert_cmpint (g_array_index (tracks, SlyTrackBox, 0).class_index, ==, 1);
  g_clear_pointer (&tracks, g_array_unref);

  /* two more: 3.6 beats 2.85 */
  for (i = 0; i < 2; i++)
    step1 (t, det (10, 10, 40, 0.9, 0));
  tracks = sly_tracker_get_tracks (t);
  g_assert_cmpint (g_array_index (tracks, SlyTrackBox, 0).class_index, ==, 0);
}

static void
test_output (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);
  SlyDetection d[2] = { det (0, 0, 30, 0.9, 0), det (200, 0, 30, 0.9, 0) };
  gint64 ids[2];

  /* frame 1: confirmed at once */
  sly_tracker_update (t, d, 1, ids);
  g_assert_true (sly_tracker_track_in_output (t, 1));
  /* frame 2: the new track has an id but is not output yet */
  sly_tracker_update (t, d, 2, ids);
  g_assert_cmpint (ids[1], ==, 2);
  g_assert_true (sly_tracker_track_in_output (t, 1));
  g_assert_false (sly_tracker_track_in_output (t, 2));
  /* frame 3: confirmed */
  sly_tracker_update (t, d, 2, ids);
  g_assert_true (sly_tracker_track_in_output (t, 2));
  /* frame 4: not matched (lost), and tiny boxes still count */
  d[0] = det (0, 0, 2, 0.9, 0);
  sly_tracker_update (t, d, 1, ids);
  g_assert_cmpint (ids[0], ==, 3);
  g_assert_false (sly_tracker_track_in_output (t, 2));
  g_assert_false (sly_tracker_track_in_output (t, 99));
  /* a predicted frame matches nothing */
  sly_tracker_predict (t);
  g_assert_false (sly_tracker_track_in_output (t, 1));
}

static void
test_min_box_area (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);

  /* 3 x 3 = 9 <= 10: tracked (it has an id) but not output */
  g_assert_cmpint (step1 (t, det (10, 10, 3, 0.9, 0)), ==, 1);
  g_assert_cmpuint (n_tracks (t), ==, 0);
  g_assert_cmpint (step1 (t, det (10, 10, 4, 0.9, 0)), ==, 1);
  g_assert_cmpuint (n_tracks (t), ==, 1);
}

static void
test_bad_detections (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);
  SlyDetection d[4] = { det (NAN, 0, 10, 0.9, 0), det (0, 0, 10, NAN, 0),
    {50, 50, 40, 60, 0.9, 0}, det (100, 100, 0, 0.9, 0)
  };
  gint64 ids[4];

  /* non-finite or inverted boxes get no id; a zero-size box is tracked */
  g_assert_cmpuint (sly_tracker_update (t, d, 4, ids), ==, 1);
  g_assert_cmpint (ids[0], ==, 0);
  g_assert_cmpint (ids[1], ==, 0);
  g_assert_cmpint (ids[2], ==, 0);
  g_assert_cmpint (ids[3], ==, 1);
  g_assert_cmpuint (sly_tracker_update (t, d, 4, ids), ==, 1);
  g_assert_cmpint (ids[3], ==, 1);
}

/* @n boxes of 10 x 10 on a 40 px grid, shifted by @dx, @dy (multiples of
 * 12 never overlap each other), scores in 0.7..0.99 */
static SlyDetection *
grid (guint n, gdouble dx, gdouble dy)
{
  SlyDetection *d = g_new (SlyDetection, n);
  guint i;

  for (i = 0; i < n; i++) {
    gdouble x = (i % 100) * 40 + dx, y = (i / 100) * 40 + dy;

    d[i] = det (x, y, 10, 0.7 + 0.29 * ((i * 7919) % n) / n, 0);
  }
  return d;
}

static void
test_limits (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);
  const guint n = 3000, max = SLY_TRACKER_MAX_DETECTIONS;
  g_autofree SlyDetection *d = grid (n, 0, 0);
  g_autofree gint64 *ids = g_new (gint64, n);
  gdouble weakest_kept = 1, strongest_dropped = 0;
  guint i, frame;

  /* only the best-scoring detections of a huge frame are tracked */
  g_assert_cmpuint (sly_tracker_update (t, d, n, ids), ==, max);
  for (i = 0; i < n; i++) {
    if (ids[i])
      weakest_kept = MIN (weakest_kept, d[i].score);
    else
      strongest_dropped = MAX (strongest_dropped, d[i].score);
  }
  g_assert_cmpfloat (weakest_kept, >=, strongest_dropped);

  /* max new objects elsewhere, seen twice (confirmed), then gone (lost):
   * creation stops at SLY_TRACKER_MAX_TRACKS live tracks */
  for (frame = 2; frame < 2 * SLY_TRACKER_MAX_TRACKS / max; frame++) {
    guint place = frame / 2;
    g_autofree SlyDetection *next = grid (max, 12 * (place % 3),
        12 * (place / 3));

    g_assert_cmpuint (sly_tracker_update (t, next, max, ids), ==, max);
  }
  {
    g_autofree SlyDetection *next = grid (max, 12, 12);

    g_assert_cmpuint (sly_tracker_update (t, next, max, ids), ==, 0);
  }
}

static SlyAnnotation *
frame_annotation (gint x)
{
  SlyAnnotation *ann = sly_annotation_new (640, 480);
  SlyPoint tri[3] = { {x + 200, 100}, {x + 260, 100}, {x + 230, 160} };

  sly_annotation_add_object (ann, "car", sly_geometry_new_rectangle (x, 10,
          x + 49, 59), 0.9);
  /* below track_low_thresh: never gets an id */
  sly_annotation_add_object (ann, "car", sly_geometry_new_rectangle (400,
          300, 450, 350), 0.05);
  sly_annotation_add_object (ann, "person",
      sly_geometry_new_polygon (tri, 3), 0.8);
  return ann;
}

static void
test_annotation (void)
{
  g_autoptr (SlyTracker) t = new_tracker (30);
  g_autoptr (SlyAnnotation) pred = NULL;
  gint x;

  for (x = 0; x < 10; x += 2) {
    g_autoptr (SlyAnnotation) ann = frame_annotation (x);
    const SlyObject *a, *b;

    sly_tracker_update_annotation (t, ann);
    g_assert_true (ann->has_track_ids);
    /* the weak one is dropped, the order of the others kept */
    g_assert_cmpuint (ann->objects->len, ==, 2);
    a = g_ptr_array_index (ann->objects, 0);
    b = g_ptr_array_index (ann->objects, 1);
    g_assert_cmpstr (a->class_title, ==, "car");
    g_assert_cmpint (a->track_id, ==, 1);
    g_assert_cmpstr (b->class_title, ==, "person");
    g_assert_cmpint (b->geometry->type, ==, SLY_GEOMETRY_POLYGON);
    g_assert_cmpint (b->track_id, ==, 2);
  }
  g_assert_cmpstr (sly_tracker_get_class_title (t, 0), ==, "car");
  g_assert_cmpstr (sly_tracker_get_class_title (t, 1), ==, "person");
  g_assert_null (sly_tracker_get_class_title (t, 2));

  /* a new object is tracked (it has an id in the frame) but only confirmed
   * tracks go into the video annotation */
  {
    g_autoptr (SlyAnnotation) ann = frame_annotation (10);
    g_autoptr (SlyAnnotation) out = NULL;

    sly_annotation_add_object (ann, "dog", sly_geometry_new_rectangle (500,
            50, 540, 90), 0.9);
    sly_tracker_update_annotation (t, ann);
    g_assert_cmpuint (ann->objects->len, ==, 3);
    g_assert_cmpint (((SlyObject *) g_ptr_array_index (ann->objects,
                2))->track_id, ==, 3);
    out = sly_tracker_output_annotation (t, ann);
    g_assert_true (out->has_track_ids);
    g_assert_cmpuint (out->objects->len, ==, 2);
    g_assert_cmpint (((SlyObject *) g_ptr_array_index (out->objects,
                0))->track_id, ==, 1);
    g_assert_cmpint (((SlyObject *) g_ptr_array_index (out->objects,
                1))->track_id, ==, 2);
  }

  /* the next frame predicted: the car moves on 2 px, the polygon's bbox
   * becomes a rectangle */
  pred = sly_tracker_predict_annotation (t, 640, 480);
  g_assert_true (pred->has_track_ids);
  g_assert_cmpuint (pred->objects->len, ==, 2);
  {
    const SlyObject *car = g_ptr_array_index (pred->objects, 0);
    const SlyObject *person = g_ptr_array_index (pred->objects, 1);
    SlyBox box = sly_geometry_get_bbox (car->geometry);

    g_assert_cmpstr (car->class_title, ==, "car");
    g_assert_cmpint (car->track_id, ==, 1);
    g_assert_cmpint (car->geometry->type, ==, SLY_GEOMETRY_RECTANGLE);
    g_assert_cmpint (abs (box.left - 12), <=, 1);
    g_assert_cmpint (abs (box.right - 61), <=, 1);
    g_assert_cmpint (box.top, ==, 10);
    g_assert_cmpfloat_with_epsilon (car->confidence, 0.9, 1e-9);
    g_assert_cmpstr (person->class_title, ==, "person");
    g_assert_cmpint (person->track_id, ==, 2);
  }

  /* an object without geometry (only possible by hand) is dropped */
  {
    g_autoptr (SlyAnnotation) ann = frame_annotation (10);
    SlyObject *car = g_ptr_array_index (ann->objects, 0);

    g_clear_pointer (&car->geometry, sly_geometry_free);
    sly_tracker_update_annotation (t, ann);
    g_assert_cmpuint (ann->objects->len, ==, 1);
    g_assert_cmpstr (((SlyObject *) g_ptr_array_index (ann->objects,
                0))->class_title, ==, "person");
  }
}

/* --- extensions (docs/tracking.md, "Gaps and same-object geometries") --- */

static SlyTracker *
new_extended_tracker (void)
{
  g_autoptr (SlyTrackerConfig) c = sly_tracker_config_new ();

  c->with_reid = FALSE;
  sly_tracker_config_use_extensions (c);
  return sly_tracker_new (c);
}

/* The box of the only track. */
static SlyTrackBox
only_track (SlyTracker * t)
{
  g_autoptr (GArray) tracks = sly_tracker_get_tracks (t);

  g_assert_cmpuint (tracks->len, ==, 1);
  return g_array_index (tracks, SlyTrackBox, 0);
}

/* A 38 px box moving 25 px per frame (the ball of videotestsrc at
 * 1280x720): a new track's zero-velocity box overlaps the next detection
 * too little (IoU 0.18) for the protocol, which starts a track per frame,
 * none ever confirmed. Gap-aware, the track born in the previous update
 * gets a second chance with grown boxes and then knows the velocity. */
static void
test_fast_object (void)
{
  g_autoptr (SlyTracker) sdk = new_tracker (30);
  g_autoptr (SlyTracker) ext = new_extended_tracker ();
  SlyTrackBox b;
  gint i;

  for (i = 0; i < 10; i++) {
    SlyDetection d = det (100 + 20 * i, 100 + 15 * i, 37, 0.78, 0);

    g_assert_cmpint (step1 (sdk, d), ==, i + 1);
    g_assert_cmpint (step1 (ext, d), ==, 1);
  }
  /* predicted on: 20 px right, 15 down per frame */
  sly_tracker_predict (ext);
  b = only_track (ext);
  g_assert_cmpfloat_with_epsilon (b.x1, 100 + 20 * 10, 1.0);
  g_assert_cmpfloat_with_epsilon (b.y1, 100 + 15 * 10, 1.0);
}

/* Inference on every 3rd frame: the second detection, 3 frames after the
 * first, gives the new track its velocity (4 px per frame), and the
 * frames between answers carry boxes that move with it. The protocol's
 * track keeps a zero velocity after its second detection (an unconfirmed
 * track is not predicted, so the Kalman update cannot see motion): its
 * predicted boxes stay where the detection was. */
static void
test_two_point_velocity (void)
{
  g_autoptr (SlyTracker) sdk = new_tracker (30);
  g_autoptr (SlyTracker) ext = new_extended_tracker ();
  SlyTracker *both[2] = { sdk, ext };
  gint i, j, k, frame = 0;

  /* the first frame confirms at once: start with an empty one */
  for (k = 0; k < 2; k++)
    sly_tracker_update (both[k], NULL, 0, NULL);
  for (i = 0; i < 2; i++) {
    frame = 1 + 3 * i;
    for (k = 0; k < 2; k++) {
      g_assert_cmpint (step1 (both[k], det (50 + 4 * frame, 60, 40, 0.9,
                  0)), ==, 1);
      if (i == 0)
        for (j = 0; j < 2; j++)
          sly_tracker_predict (both[k]);
    }
  }
  for (i = 1; i <= 2; i++) {
    SlyTrackBox bs, be;

    sly_tracker_predict (sdk);
    sly_tracker_predict (ext);
    bs = only_track (sdk);
    be = only_track (ext);
    g_assert_cmpfloat_with_epsilon (be.x1, 50 + 4 * (frame + i), 0.5);
    g_assert_cmpfloat_with_epsilon (be.y1, 60, 0.5);
    /* the old fault: frozen */
    g_assert_cmpfloat_with_epsilon (bs.x1, 50 + 4 * frame, 2.5);
  }
}

/* After frames without detections the association grows the boxes by
 * gap_buffer per frame of the gap (times their size): a standing object
 * found again 20 px off on both axes (a 40 px box, IoU 0.14, cost 0.87 >
 * match_thresh) keeps its id across a gap of 3 frames, while the same
 * detection right after an answered frame starts a new track, as in the
 * protocol. */
static void
test_gap_buffer (void)
{
  gint gap;

  for (gap = 1; gap <= 3; gap += 2) {
    g_autoptr (SlyTracker) t = new_extended_tracker ();
    gint i;

    for (i = 0; i < 10; i++)
      g_assert_cmpint (step1 (t, det (100, 100, 40, 0.9, 0)), ==, 1);
    for (i = 1; i < gap; i++)
      sly_tracker_predict (t);
    g_assert_cmpint (step1 (t, det (120, 120, 40, 0.9, 0)), ==,
        gap == 1 ? 2 : 1);
  }
}

/* A model's mask and polygon of one object (same class, boxes overlapping
 * by more than same_object_iou): one track, one id on both; the
 * best-scoring one (the first on a tie) feeds the tracker. Other classes,
 * or less overlap, are other objects. The SDK's tracker gives two ids. */
static void
test_same_object (void)
{
  /* a mask's box and its polygon's, one pixel narrower (IoU 0.98); a box
   * of another class on the same spot; one of the same class 4 px off
   * (IoU 0.82) */
  SlyDetection dets[4] = {
    {100, 100, 140, 140, 0.8, 0},
    {100, 100, 139, 140, 0.9, 0},
    {100, 100, 140, 140, 0.8, 1},
    {300, 300, 340, 340, 0.8, 0},
  };
  SlyDetection near[2] = {
    {300, 300, 340, 340, 0.8, 0},
    {304, 300, 344, 340, 0.8, 0},
  };
  g_autoptr (SlyTracker) sdk = new_tracker (30);
  g_autoptr (SlyTracker) ext = new_extended_tracker ();
  g_autoptr (SlyTracker) ext2 = new_extended_tracker ();
  g_autoptr (GArray) tracks = NULL;
  gint64 ids[4];
  gint i;

  g_assert_cmpuint (sly_tracker_update (sdk, dets, 2, ids), ==, 2);
  g_assert_cmpint (ids[0], ==, 1);
  g_assert_cmpint (ids[1], ==, 2);

  /* one frame: the other class is another object (on the same spot it
   * may swap tracks with the first one later: association ignores
   * classes, as in the SDK) */
  g_assert_cmpuint (sly_tracker_update (ext2, dets, 3, ids), ==, 3);
  g_assert_cmpint (ids[0], ==, 1);
  g_assert_cmpint (ids[1], ==, 1);
  g_assert_cmpint (ids[2], ==, 2);

  /* moving on: one track for the pair, another for the far box */
  dets[2] = dets[3];
  for (i = 0; i < 5; i++) {
    gint k;

    for (k = 0; k < 3; k++) {
      dets[k].x1 += 3;
      dets[k].x2 += 3;
    }
    g_assert_cmpuint (sly_tracker_update (ext, dets, 3, ids), ==, 3);
    g_assert_cmpint (ids[0], ==, 1);
    g_assert_cmpint (ids[1], ==, 1);
    g_assert_cmpint (ids[2], ==, 2);
  }
  /* two tracks; the first one's box is the better-scored polygon's */
  tracks = sly_tracker_get_tracks (ext);
  g_assert_cmpuint (tracks->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (tracks, SlyTrackBox,
          0).x2 - g_array_index (tracks, SlyTrackBox, 0).x1, 39, 0.5);

  sly_tracker_reset (ext2);
  g_assert_cmpuint (sly_tracker_update (ext2, near, 2, ids), ==, 2);
  g_assert_cmpint (ids[0], ==, 1);
  g_assert_cmpint (ids[1], ==, 2);
}

/* The same in annotations: a bitmap and a polygon of one disc keep both
 * their objects, with one id. */
static void
test_same_object_annotation (void)
{
  g_autoptr (SlyTracker) t = new_extended_tracker ();
  gint f;

  for (f = 0; f < 3; f++) {
    g_autoptr (SlyAnnotation) ann = sly_annotation_new (320, 240);
    SlyMask *mask = sly_mask_new (100 + f, 50, 20, 20);
    SlyPoint hull[4] = { {100 + f, 50}, {118 + f, 50}, {118 + f, 69},
    {100 + f, 69}
    };

    memset (mask->data, 255, 20 * 20);
    sly_annotation_add_object (ann, "ball", sly_geometry_new_bitmap (mask),
        0.78);
    sly_annotation_add_object (ann, "ball", sly_geometry_new_polygon (hull,
            4), 0.78);
    sly_tracker_update_annotation (t, ann);
    g_assert_cmpuint (ann->objects->len, ==, 2);
    g_assert_cmpint (((SlyObject *) g_ptr_array_index (ann->objects,
                0))->track_id, ==, 1);
    g_assert_cmpint (((SlyObject *) g_ptr_array_index (ann->objects,
                1))->track_id, ==, 1);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tracker/ids-from-one", test_ids_from_one);
  g_test_add_func ("/tracker/thresholds", test_thresholds);
  g_test_add_func ("/tracker/unconfirmed", test_unconfirmed);
  g_test_add_func ("/tracker/low-score-keeps-track",
      test_low_score_keeps_track);
  g_test_add_func ("/tracker/track-buffer", test_track_buffer);
  g_test_add_func ("/tracker/predict", test_predict);
  g_test_add_func ("/tracker/predict-expires", test_predict_expires);
  g_test_add_func ("/tracker/warp", test_warp);
  g_test_add_func ("/tracker/duplicates", test_duplicates);
  g_test_add_func ("/tracker/class-vote", test_class_vote);
  g_test_add_func ("/tracker/output", test_output);
  g_test_add_func ("/tracker/min-box-area", test_min_box_area);
  g_test_add_func ("/tracker/bad-detections", test_bad_detections);
  g_test_add_func ("/tracker/limits", test_limits);
  g_test_add_func ("/tracker/annotation", test_annotation);
  g_test_add_func ("/tracker/gap/fast-object", test_fast_object);
  g_test_add_func ("/tracker/gap/two-point-velocity", test_two_point_velocity);
  g_test_add_func ("/tracker/gap/buffer", test_gap_buffer);
  g_test_add_func ("/tracker/same-object", test_same_object);
  g_test_add_func ("/tracker/same-object-annotation",
      test_same_object_annotation);
  return g_test_run ();
}
