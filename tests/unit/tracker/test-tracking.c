/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client-side tracking of slymodelinfer (src/core/tracker/slytracking.c) on
 * synthetic annotations whose truth the test knows: ids, predicted boxes on
 * frames without detections, resets, settings order and the warnings it
 * hands back.
 */
#include <math.h>

#include "slytracking.h"
#include "slyerror.h"

#define WIDTH 320
#define HEIGHT 240
#define SIDE 30                 /* object boxes are SIDE x SIDE pixels */

/* What the fake model reports; a test sets it before the first frame. */
typedef struct
{
  const gchar *session_info;    /* JSON or NULL */
  const gchar *settings;        /* JSON or NULL */
  guint calls;
} FakeModel;

static void
fake_model_func (gpointer user_data, JsonNode ** session_info,
    JsonNode ** settings)
{
  FakeModel *model = user_data;

  model->calls++;
  *session_info = model->session_info ?
      json_from_string (model->session_info, NULL) : NULL;
  *settings = model->settings ? json_from_string (model->settings, NULL) : NULL;
}

static const FakeModel supported_model = {
  "{\"tracking_on_videos_support\": true}",
  "{\"track_high_thresh\": 0.6, \"track_buffer\": 30, \"with_reid\": false, "
      "\"cmc_method\": \"none\"}", 0
};

static SlyTracking *
tracking_new (const gchar * overrides, FakeModel * model, GPtrArray * warnings)
{
  g_autoptr (GError) error = NULL;
  SlyTracking *t = sly_tracking_new (overrides, fake_model_func, model,
      warnings, &error);

  if (!(t != NULL))
    g_error ("tracking-config %s refused: %s", overrides,
        error ? error->message : "?");
  return t;
}

/* Top-left corner of object @k (0 or 1) in frame @i: one moves right
 * along y = 40, the other left along y = 150, 4 px per frame. */
static void
truth (guint k, guint i, gint * x, gint * y)
{
  *x = k == 0 ? 20 + 4 * (gint) i : 270 - 4 * (gint) i;
  *y = k == 0 ? 40 : 150;
}

static SlyAnnotation *
make_frame (guint i, guint n_objects)
{
  SlyAnnotation *ann = sly_annotation_new (WIDTH, HEIGHT);
  guint k;

  for (k = 0; k < n_objects; k++) {
    gint x, y;

    truth (k, i, &x, &y);
    sly_annotation_add_object (ann, k == 0 ? "red" : "green",
        sly_geometry_new_rectangle (x, y, x + SIDE - 1, y + SIDE - 1), 0.9);
  }
  return ann;
}

static SlyBox
object_box (SlyAnnotation * ann, guint i)
{
  const SlyObject *obj = g_ptr_array_index (ann->objects, i);

  return sly_geometry_get_bbox (obj->geometry);
}

static gint64
object_id (SlyAnnotation * ann, guint i)
{
  return ((const SlyObject *) g_ptr_array_index (ann->objects, i))->track_id;
}

/* Runs an inferred frame through @t and checks its objects survive. */
static SlyAnnotation *
process_inferred (SlyTracking * t, guint i, guint n_objects)
{
  SlyAnnotation *ann = make_frame (i, n_objects);

  g_assert_false (sly_tracking_process (t, TRUE, &ann, WIDTH, HEIGHT, NULL));
  g_assert_true (ann->has_track_ids);
  g_assert_cmpint (ann->objects->len, ==, n_objects);
  return ann;
}

/* ---- tests ---- */

/* Two objects moving in opposite directions keep one id each, from 1. */
static void
test_ids_stable (void)
{
  FakeModel model = supported_model;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  SlyTracking *t = tracking_new (NULL, &model, warnings);
  guint i;

  for (i = 0; i < 50; i++) {
    g_autoptr (SlyAnnotation) ann = process_inferred (t, i, 2);

    /* objects keep their order: object 0 is the one moving right */
    g_assert_cmpint (object_id (ann, 0), ==, 1);
    g_assert_cmpint (object_id (ann, 1), ==, 2);
  }
  g_assert_cmpint (model.calls, ==, 1);
  g_assert_cmpint (warnings->len, ==, 0);
  sly_tracking_free (t);
}

/* The ids go into the annotation JSON as customBigData (protocol.md 6.7)
 * and come back from it. */
static void
test_ids_in_json (void)
{
  FakeModel model = supported_model;
  SlyTracking *t = tracking_new (NULL, &model, NULL);
  g_autoptr (SlyAnnotation) frame0 = process_inferred (t, 0, 2);
  g_autoptr (SlyAnnotation) ann = process_inferred (t, 1, 2);
  g_autoptr (SlyAnnotation) back = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree gchar *json = sly_annotation_to_json (ann);
  JsonArray *ids;

  node = json_from_string (json, NULL);
  ids = json_object_get_array_member (json_node_get_object (node),
      "customBigData");
  g_assert_true (ids != NULL);
  g_assert_cmpint (json_array_get_length (ids), ==, 2);
  g_assert_cmpint (json_array_get_int_element (ids, 0), ==, 1);
  g_assert_cmpint (json_array_get_int_element (ids, 1), ==, 2);

  back = sly_annotation_from_json (json, -1, NULL);
  g_assert_true (back != NULL && back->has_track_ids);
  g_assert_cmpint (object_id (back, 1), ==, 2);
  sly_tracking_free (t);
}

/* Inference every third frame: the frames in between carry the tracks'
 * predicted boxes, with their ids, within 2 px of the truth once the
 * filter has seen the motion (two updates). */
static void
test_predicted_boxes (void)
{
  FakeModel model = supported_model;
  SlyTracking *t = tracking_new (NULL, &model, NULL);
  guint i, k, predicted = 0;

  for (i = 0; i < 45; i++) {
    g_autoptr (SlyAnnotation) ann = NULL;

    if (i % 3 == 0) {
      ann = process_inferred (t, i, 2);
      continue;
    }
    /* whatever the frame held is replaced */
    ann = sly_annotation_new (1, 1);
    g_assert_true (sly_tracking_process (t, FALSE, &ann, WIDTH, HEIGHT, NULL));
    predicted++;
    g_assert_true (ann->has_track_ids);
    g_assert_cmpint (ann->width, ==, WIDTH);
    g_assert_cmpint (ann->height, ==, HEIGHT);
    g_assert_cmpint (ann->objects->len, ==, 2);
    for (k = 0; k < 2; k++) {
      const SlyObject *obj = g_ptr_array_index (ann->objects, k);
      SlyBox box = object_box (ann, k);
      gint x, y;

      /* predicted objects come in track order: ids 1, 2 */
      g_assert_cmpint (obj->track_id, ==, k + 1);
      g_assert_cmpstr (obj->class_title, ==, k == 0 ? "red" : "green");
      g_assert_true (fabs (obj->confidence - 0.9) < 1e-6);
      if (i < 7)
        continue;
      truth (k, i, &x, &y);
      if (!(ABS (box.left - x) <= 2 && ABS (box.top - y) <= 2 &&
              ABS (box.right - (x + SIDE - 1)) <= 2 &&
              ABS (box.bottom - (y + SIDE - 1)) <= 2))
        g_error ("frame %u object %u: predicted [%d,%d,%d,%d], truth at %d,%d",
            i, k, box.left, box.top, box.right, box.bottom, x, y);
    }
  }
  g_assert_cmpint (predicted, ==, 30);
  sly_tracking_free (t);
}

/* A failed request (inferred frame without annotation) is a frame without
 * detections too; its boxes are clipped to the last known frame size. */
static void
test_inferred_without_annotation (void)
{
  FakeModel model = supported_model;
  SlyTracking *t = tracking_new (NULL, &model, NULL);
  g_autoptr (SlyAnnotation) a0 = process_inferred (t, 0, 1);
  g_autoptr (SlyAnnotation) a1 = process_inferred (t, 1, 1);
  g_autoptr (SlyAnnotation) sizeless = make_frame (2, 1);
  g_autoptr (SlyAnnotation) ann = NULL;

  /* an answer without a size (a null annotation) keeps the known one */
  sizeless->width = sizeless->height = 0;
  g_assert_false (sly_tracking_process (t, TRUE, &sizeless, 0, 0, NULL));
  g_assert_true (sly_tracking_process (t, TRUE, &ann, 0, 0, NULL));
  g_assert_true (ann != NULL);
  /* size 0: the last answered frame's */
  g_assert_cmpint (ann->width, ==, WIDTH);
  g_assert_cmpint (ann->objects->len, ==, 1);
  g_assert_cmpint (object_id (ann, 0), ==, 1);
  sly_tracking_free (t);
}

/* Before the first answered frame there is nothing to predict from: the
 * frame stays as it was, and the model is not asked yet. */
static void
test_nothing_before_first_answer (void)
{
  FakeModel model = supported_model;
  SlyTracking *t = tracking_new (NULL, &model, NULL);
  SlyAnnotation *ann = NULL;
  guint i;

  for (i = 0; i < 3; i++) {
    g_assert_false (sly_tracking_process (t, FALSE, &ann, WIDTH, HEIGHT, NULL));
    g_assert_true (ann == NULL);
    g_assert_false (sly_tracking_process (t, FALSE, NULL, WIDTH, HEIGHT, NULL));
  }
  g_assert_cmpint (model.calls, ==, 0);
  sly_tracking_free (t);
}

/* Dropped frames (not output) still move the tracks: after five dropped
 * frames the prediction is where the object is, not where it was. */
static void
test_dropped_frames_advance (void)
{
  FakeModel model = supported_model;
  SlyTracking *t = tracking_new (NULL, &model, NULL);
  g_autoptr (SlyAnnotation) ann = NULL;
  SlyBox box;
  guint i;
  gint x, y;

  for (i = 0; i < 20; i++)
    sly_annotation_unref (process_inferred (t, i, 1));
  for (; i < 25; i++)
    g_assert_false (sly_tracking_process (t, FALSE, NULL, WIDTH, HEIGHT, NULL));
  g_assert_true (sly_tracking_process (t, FALSE, &ann, WIDTH, HEIGHT, NULL));
  box = object_box (ann, 0);
  truth (0, i, &x, &y);
  if (!(ABS (box.left - x) <= 2))
    g_error ("predicted x %d, truth %d", box.left, x);
  sly_tracking_free (t);
}

/* A reset (flushing seek, new stream) forgets the tracks: ids start from 1
 * again, nothing is predicted until the next answer, and the model's
 * settings are read again. */
static void
test_reset (void)
{
  FakeModel model = supported_model;
  SlyTracking *t = tracking_new (NULL, &model, NULL);
  g_autoptr (SlyAnnotation) ann = NULL;
  g_autoptr (SlyAnnotation) after = NULL;
  guint i;

  /* object 1 only appears later, so its id is 2 before the reset */
  for (i = 0; i < 5; i++)
    sly_annotation_unref (process_inferred (t, i, 1));
  for (; i < 10; i++)
    sly_annotation_unref (process_inferred (t, i, 2));
  sly_tracking_reset (t);
  g_assert_false (sly_tracking_process (t, FALSE, &ann, WIDTH, HEIGHT, NULL));
  g_assert_true (ann == NULL);

  /* the new stream shows only the second object: it gets id 1 */
  after = sly_annotation_new (WIDTH, HEIGHT);
  sly_annotation_add_object (after, "green",
      sly_geometry_new_rectangle (100, 150, 129, 179), 0.9);
  g_assert_false (sly_tracking_process (t, TRUE, &after, WIDTH, HEIGHT, NULL));
  g_assert_cmpint (object_id (after, 0), ==, 1);
  g_assert_cmpint (model.calls, ==, 2);
  sly_tracking_free (t);
}

/* An object hidden for 8 frames: with the server's track_buffer 4 it
 * comes back with a new id; tracking-config's track_buffer 30 wins over
 * the server's and keeps the id. */
static gint64
id_after_occlusion (const gchar * server_settings, const gchar * overrides)
{
  FakeModel model = supported_model;
  SlyTracking *t;
  g_autoptr (SlyAnnotation) ann = NULL;
  gint64 id;
  guint i;

  model.settings = server_settings;
  t = tracking_new (overrides, &model, NULL);
  for (i = 0; i < 10; i++)
    sly_annotation_unref (process_inferred (t, i, 1));
  for (; i < 18; i++)
    sly_annotation_unref (process_inferred (t, i, 0));
  ann = process_inferred (t, i, 1);
  id = object_id (ann, 0);
  sly_tracking_free (t);
  return id;
}

static void
test_settings_order (void)
{
  g_assert_cmpint (id_after_occlusion (NULL, NULL), ==, 1);
  g_assert_cmpint (id_after_occlusion ("{\"track_buffer\": 4}", NULL), ==, 2);
  g_assert_cmpint (id_after_occlusion ("{\"track_buffer\": 4}",
          "{\"track_buffer\": 30}"), ==, 1);
  g_assert_cmpint (id_after_occlusion (NULL, "{\"track_buffer\": 4}"), ==, 2);
}

/* tracking-config values that cannot work fail at creation. */
static void
test_bad_overrides (void)
{
  static const gchar *const bad[] = {
    "[1, 2]",
    "not json",
    "42",
    "{\"track_buffer\": -1}",
    "{\"match_thresh\": \"high\"}",
    "{\"cmc_method\": \"warp-drive\"}",
    "{\"with_reid\": 1}",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
    SlyTracking *t = sly_tracking_new (bad[i], fake_model_func, NULL,
        warnings, &error);

    if (!(t == NULL))
      g_error ("%s accepted", bad[i]);
    g_assert_true (error != NULL && error->message[0] != '\0');
    g_assert_cmpint (warnings->len, ==, 0);
  }
}

/* JSON nested deep enough to overflow a recursive parser is refused. */
static void
test_deep_overrides (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *deep = NULL;
  GString *s = g_string_new ("{\"a\":");
  guint i;

  for (i = 0; i < 200000; i++)
    g_string_append_c (s, '[');
  deep = g_string_free (s, FALSE);
  g_assert_true (sly_tracking_new (deep, fake_model_func, NULL, NULL,
          &error) == NULL);
  g_assert_true (error != NULL);
}

static gboolean
warnings_mention (GPtrArray * warnings, const gchar * text)
{
  guint i;

  for (i = 0; i < warnings->len; i++)
    if (strstr (g_ptr_array_index (warnings, i), text) != NULL)
      return TRUE;
  return FALSE;
}

/* Unknown keys and settings accepted but not applied (ReID, optical flow)
 * come back as one warning each; what the tracker does gives none. */
static void
test_override_warnings (void)
{
  static const struct
  {
    const gchar *overrides;
    guint n_warnings;
    const gchar *mentions;
  } cases[] = {
    {NULL, 0, NULL},
    {"", 0, NULL},
    {"{}", 0, NULL},
    {"{\"track_buffer\": 60, \"with_reid\": false, \"cmc_method\": \"none\"}",
        0, NULL},
    {"{\"trak_buffer\": 60}", 1, "\"trak_buffer\""},
    {"{\"colour\": 1, \"speed\": 2}", 2, "\"speed\""},
    {"{\"with_reid\": true}", 1, "tracking-config"},
    {"{\"cmc_method\": \"sparseOptFlow\"}", 1, "sparseOptFlow"},
    {"{\"cmc_method\": \"orb\", \"x\": 1}", 2, "\"x\""},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
    FakeModel model = supported_model;
    SlyTracking *t = tracking_new (cases[i].overrides, &model, warnings);

    g_assert_cmpint (warnings->len, ==, cases[i].n_warnings);
    if (cases[i].mentions != NULL)
      if (!(warnings_mention (warnings, cases[i].mentions)))
        g_error ("case %u: no warning mentions %s", i, cases[i].mentions);
    /* the frames give no more */
    sly_annotation_unref (process_inferred (t, 0, 1));
    g_assert_cmpint (warnings->len, ==, cases[i].n_warnings);
    sly_tracking_free (t);
  }
}

/* A model without tracking support: one warning (not one per reset), and
 * the objects still get ids. Also for the SDK's reply of such a model: no
 * settings at all. */
static void
test_model_without_tracking (void)
{
  static const FakeModel models[] = {
    {"{\"tracking_on_videos_support\": false}", NULL, 0},
    {"{\"tracking_on_videos_support\": false}", "{}", 0},
    /* an old server without the key and without settings */
    {"{\"app_name\": \"x\"}", NULL, 0},
  };
  guint m, r, i;

  for (m = 0; m < G_N_ELEMENTS (models); m++) {
    g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
    FakeModel model = models[m];
    SlyTracking *t = tracking_new (NULL, &model, warnings);

    for (r = 0; r < 2; r++) {
      for (i = 0; i < 5; i++) {
        g_autoptr (SlyAnnotation) ann = make_frame (i, 2);

        g_assert_false (sly_tracking_process (t, TRUE, &ann, WIDTH, HEIGHT,
                warnings));
        g_assert_cmpint (ann->objects->len, ==, 2);
        g_assert_cmpint (object_id (ann, 1), ==, 2);
      }
      sly_tracking_reset (t);
    }
    g_assert_cmpint (model.calls, ==, 2);
    g_assert_cmpint (warnings->len, ==, 1);
    g_assert_true (warnings_mention (warnings, "does not support tracking"));
    sly_tracking_free (t);
  }
}

/* Server settings the tracker cannot use: one warning, then the protocol
 * defaults (so ids still come). */
static void
test_bad_server_settings (void)
{
  static const gchar *const bad[] = {
    "[1]",
    "{\"track_buffer\": \"long\"}",
    "{\"match_thresh\": -3}",
  };
  guint b;

  for (b = 0; b < G_N_ELEMENTS (bad); b++) {
    g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
    FakeModel model = supported_model;
    SlyTracking *t;
    guint r;

    model.settings = bad[b];
    t = tracking_new (NULL, &model, warnings);
    for (r = 0; r < 2; r++) {
      g_autoptr (SlyAnnotation) ann = make_frame (0, 1);

      g_assert_false (sly_tracking_process (t, TRUE, &ann, WIDTH, HEIGHT,
              warnings));
      g_assert_cmpint (object_id (ann, 0), ==, 1);
      sly_tracking_reset (t);
    }
    g_assert_cmpint (warnings->len, ==, 1);
    g_assert_true (warnings_mention (warnings, "not usable"));
    sly_tracking_free (t);
  }
}

/* Detections the tracker gives no id (score under track_low_thresh) leave
 * the frame, as the SDK's server does (protocol.md 6.7). */
static void
test_unassigned_objects_removed (void)
{
  FakeModel model = supported_model;
  SlyTracking *t = tracking_new (NULL, &model, NULL);
  g_autoptr (SlyAnnotation) ann = sly_annotation_new (WIDTH, HEIGHT);

  sly_annotation_add_object (ann, "weak",
      sly_geometry_new_rectangle (10, 10, 39, 39), 0.05);
  sly_annotation_add_object (ann, "strong",
      sly_geometry_new_rectangle (100, 10, 129, 39), 0.9);
  g_assert_false (sly_tracking_process (t, TRUE, &ann, WIDTH, HEIGHT, NULL));
  g_assert_cmpint (ann->objects->len, ==, 1);
  g_assert_cmpstr (((SlyObject *) ann->objects->pdata[0])->class_title, ==,
      "strong");
  g_assert_cmpint (object_id (ann, 0), ==, 1);
  sly_tracking_free (t);
}

/* ---- one ball, as videotestsrc pattern=ball draws it ---- */

/* videotestsrc's ball: a disc of radius about 18 px whose centre follows
 * x = 20 + (0.5 + 0.5 sin (2 pi t / 200)) (width - 40), and y the same with
 * a period of 200 / sqrt 2 frames: it starts in the middle at its top
 * speed, about (width - 40) pi / 200 px per frame in x (9 at 640x480,
 * 19 at 1280x720) while the disc stays 37 px wide. */
#define BALL_RADIUS 18.0
#define BALL_FRAMES 150

static void
ball_centre (gint width, gint height, guint i, gdouble * cx, gdouble * cy)
{
  *cx = 20 + (0.5 + 0.5 * sin (2 * G_PI * i / 200.0)) * (width - 40);
  *cy = 20 + (0.5 + 0.5 * sin (2 * G_PI * G_SQRT2 * i / 200.0)) * (height - 40);
}

/* The disc the test draws in frame @i: the pixels whose centre is within
 * BALL_RADIUS of the ball's centre. Returns its bounding box and, in
 * @fill, the share of the box it covers (what the blob detector reports as
 * confidence). */
static SlyBox
ball_box (gint width, gint height, guint i, gdouble * fill)
{
  SlyBox box = { G_MAXINT, G_MAXINT, G_MININT, G_MININT };
  gdouble cx, cy;
  gint x, y, n = 0;

  ball_centre (width, height, i, &cx, &cy);
  for (y = (gint) floor (cy - BALL_RADIUS); y <= (gint) ceil (cy +
          BALL_RADIUS); y++)
    for (x = (gint) floor (cx - BALL_RADIUS); x <= (gint) ceil (cx +
            BALL_RADIUS); x++) {
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > BALL_RADIUS *
          BALL_RADIUS || x < 0 || y < 0 || x >= width || y >= height)
        continue;
      box.left = MIN (box.left, x);
      box.top = MIN (box.top, y);
      box.right = MAX (box.right, x);
      box.bottom = MAX (box.bottom, y);
      n++;
    }
  if (fill != NULL)
    *fill = (gdouble) n / ((box.right - box.left + 1) * (box.bottom -
            box.top + 1));
  return box;
}

typedef struct
{
  gint width, height;
  guint interval;
  const gchar *overrides;       /* tracking-config */
} BallCase;

typedef struct
{
  guint n_ids;
  guint frames_without_box;     /* from the second answer on */
  gdouble max_error;            /* px, largest edge distance, same frames */
  guint worst_frame;
} BallResult;

/* 150 frames of the ball through the glue, inference on every
 * @interval-th frame; scored against the drawn disc. */
static void
run_ball (const BallCase * c, BallResult * r)
{
  FakeModel model = supported_model;
  SlyTracking *t = tracking_new (c->overrides, &model, NULL);
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_int64_hash,
      g_int64_equal, g_free, NULL);
  guint i, j;

  memset (r, 0, sizeof (*r));
  for (i = 0; i < BALL_FRAMES; i++) {
    g_autoptr (SlyAnnotation) ann = NULL;
    SlyBox truth = ball_box (c->width, c->height, i, NULL);

    if (i % c->interval == 0) {
      gdouble fill;
      SlyBox b = ball_box (c->width, c->height, i, &fill);

      ann = sly_annotation_new (c->width, c->height);
      sly_annotation_add_object (ann, "ball",
          sly_geometry_new_rectangle (b.left, b.top, b.right, b.bottom), fill);
      g_assert_false (sly_tracking_process (t, TRUE, &ann, c->width,
              c->height, NULL));
    } else {
      g_assert_true (sly_tracking_process (t, FALSE, &ann, c->width,
              c->height, NULL));
    }
    for (j = 0; j < ann->objects->len; j++) {
      gint64 id = object_id (ann, j);

      g_assert_cmpint (id, >, 0);
      g_hash_table_add (ids, g_memdup2 (&id, sizeof (id)));
    }
    /* before the second answer nothing knows the ball's velocity */
    if (i < c->interval)
      continue;
    if (ann->objects->len == 0) {
      r->frames_without_box++;
      continue;
    }
    for (j = 0; j < ann->objects->len; j++) {
      SlyBox b = object_box (ann, j);
      gdouble e = MAX (MAX (ABS (b.left - truth.left), ABS (b.top -
                  truth.top)), MAX (ABS (b.right - truth.right),
              ABS (b.bottom - truth.bottom)));

      if (e > r->max_error) {
        r->max_error = e;
        r->worst_frame = i;
      }
    }
  }
  r->n_ids = g_hash_table_size (ids);
  sly_tracking_free (t);
}

/* One ball at 320x240, 640x480 and 1280x720, inference on every 1st to
 * 5th frame: one track id over 150 frames, a box in every frame, and up
 * to inference-interval 3 every box (the answer's or the predicted one)
 * within 4 px of the drawn disc on each side. The gap-unaware tracker
 * (before issue 8) gave 15 ids at 640x480 interval 2. */
static void
test_ball (gconstpointer data)
{
  const BallCase *c = data;
  BallResult r;

  run_ball (c, &r);
  g_test_message ("%dx%d interval %u: %u ids, %u frames without a box, "
      "largest error %.0f px (frame %u)", c->width, c->height, c->interval,
      r.n_ids, r.frames_without_box, r.max_error, r.worst_frame);
  g_assert_cmpuint (r.n_ids, ==, 1);
  g_assert_cmpuint (r.frames_without_box, ==, 0);
  if (c->interval <= 3)
    g_assert_cmpfloat (r.max_error, <=, 4.0);
}

/* The same with the extensions off (tracking-config gap_aware false): the
 * measured fault of issue 8, 15 ids at 640x480 interval 2 (8 to 50 in the
 * other cases with an interval above 1, 28 at 1280x720 even on every
 * frame). Kept as a test so that the switch keeps giving the old tracker. */
static void
test_ball_gap_unaware (void)
{
  const BallCase c = { 640, 480, 2, "{\"gap_aware\": false}" };
  BallResult r;

  run_ball (&c, &r);
  g_test_message ("gap-unaware: %u ids, %u frames without a box", r.n_ids,
      r.frames_without_box);
  g_assert_cmpuint (r.n_ids, ==, 15);
}

/* Frames without answers carry the tracks' boxes where the objects are
 * then, moving with them (4 px per frame), for track_buffer (30) frames
 * after the last answer; after that the track is lost and its box gone. */
static void
test_predicted_boxes_move_then_expire (void)
{
  FakeModel model = supported_model;
  SlyTracking *t = tracking_new (NULL, &model, NULL);
  guint i;

  /* the protocol's filter learns the velocity from every frame's answer */
  for (i = 0; i < 20; i++)
    sly_annotation_unref (process_inferred (t, i, 1));
  for (; i < 60; i++) {
    g_autoptr (SlyAnnotation) ann = NULL;
    gint x, y;

    g_assert_true (sly_tracking_process (t, FALSE, &ann, WIDTH, HEIGHT, NULL));
    if (i > 19 + 30) {
      g_assert_cmpuint (ann->objects->len, ==, 0);
      continue;
    }
    g_assert_cmpuint (ann->objects->len, ==, 1);
    g_assert_cmpint (object_id (ann, 0), ==, 1);
    truth (0, i, &x, &y);
    if (!(ABS (object_box (ann, 0).left - x) <= 2
            && ABS (object_box (ann, 0).top - y) <= 1))
      g_error ("frame %u: predicted box at %d,%d, object at %d,%d", i,
          object_box (ann, 0).left, object_box (ann, 0).top, x, y);
  }
  sly_tracking_free (t);
}

static const BallCase ball_cases[] = {
  {320, 240, 1}, {320, 240, 2}, {320, 240, 3}, {320, 240, 4}, {320, 240, 5},
  {640, 480, 1}, {640, 480, 2}, {640, 480, 3}, {640, 480, 4}, {640, 480, 5},
  {1280, 720, 1}, {1280, 720, 2}, {1280, 720, 3}, {1280, 720, 4},
  {1280, 720, 5},
};

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tracking/ids-stable", test_ids_stable);
  g_test_add_func ("/tracking/ids-in-json", test_ids_in_json);
  g_test_add_func ("/tracking/predicted-boxes", test_predicted_boxes);
  g_test_add_func ("/tracking/inferred-without-annotation",
      test_inferred_without_annotation);
  g_test_add_func ("/tracking/nothing-before-first-answer",
      test_nothing_before_first_answer);
  g_test_add_func ("/tracking/dropped-frames-advance",
      test_dropped_frames_advance);
  g_test_add_func ("/tracking/reset", test_reset);
  g_test_add_func ("/tracking/settings-order", test_settings_order);
  g_test_add_func ("/tracking/bad-overrides", test_bad_overrides);
  g_test_add_func ("/tracking/deep-overrides", test_deep_overrides);
  g_test_add_func ("/tracking/override-warnings", test_override_warnings);
  g_test_add_func ("/tracking/model-without-tracking",
      test_model_without_tracking);
  g_test_add_func ("/tracking/bad-server-settings", test_bad_server_settings);
  g_test_add_func ("/tracking/unassigned-objects-removed",
      test_unassigned_objects_removed);
  for (i = 0; i < G_N_ELEMENTS (ball_cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/tracking/ball/%dx%d/"
        "interval-%u", ball_cases[i].width, ball_cases[i].height,
        ball_cases[i].interval);

    g_test_add_data_func (path, &ball_cases[i], test_ball);
  }
  g_test_add_func ("/tracking/ball-gap-unaware", test_ball_gap_unaware);
  g_test_add_func ("/tracking/predicted-boxes-move-then-expire",
      test_predicted_boxes_move_then_expire);
  return g_test_run ();
}
