/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * slyannotationsink: frames pushed with hand-made prediction metas come
 * back from the written file as the right objects, figures and frames; a
 * real stream of videotestsrc's ball through slymodelinfer gives one
 * tracked object whose boxes follow the ball the test measures; bad
 * locations give errors naming the path; JSON lines, one per frame.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "gstslypredictionmeta.h"
#include "slyannotation.h"
#include "slytestserver.h"
#include "slyvideoannotation.h"

#define WIDTH 320
#define HEIGHT 240
#define FPS 30
#define CAPS_STR "video/x-raw,format=I420,width=320,height=240,framerate=30/1"

/* ---- a temporary folder per test ---- */

static gchar *tmp_dir;

static void
tmp_dir_setup (void)
{
  g_autoptr (GError) error = NULL;

  tmp_dir = g_dir_make_tmp ("slyannotationsink-XXXXXX", &error);
  fail_unless (tmp_dir != NULL, "%s", error ? error->message : "");
}

static void
remove_tree (const gchar * path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree gchar *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      remove_tree (child);
    else
      g_unlink (child);
  }
  if (dir)
    g_dir_close (dir);
  g_rmdir (path);
}

static void
tmp_dir_teardown (void)
{
  remove_tree (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

static gchar *
tmp_path (const gchar * name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static SlyVideoAnnotation *
read_annotation (const gchar * path)
{
  g_autofree gchar *data = NULL;
  g_autoptr (GError) error = NULL;
  SlyVideoAnnotation *va;

  fail_unless (g_file_get_contents (path, &data, NULL, &error),
      "no annotation written: %s", error ? error->message : "");
  va = sly_video_annotation_from_json (data, -1, &error);
  fail_unless (va != NULL, "unreadable annotation: %s",
      error ? error->message : "");
  return va;
}

/* ---- hand-made predictions ---- */

typedef struct
{
  const gchar *title;
  gint left, top, right, bottom;
  gint64 track_id;              /* 0 = untracked */
} Det;

#define END_DETS { NULL, }

/* A frame; @dets NULL = no meta at all, {END_DETS} = a meta with no
 * objects. */
static GstBuffer *
make_buffer (guint index, const Det * dets)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 3 / 2,
      NULL);
  g_autoptr (SlyAnnotation) ann = NULL;

  gst_buffer_memset (buffer, 0, 0, WIDTH * HEIGHT * 3 / 2);
  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (index, GST_SECOND, FPS);
  GST_BUFFER_DURATION (buffer) = GST_SECOND / FPS;
  if (dets == NULL)
    return buffer;

  ann = sly_annotation_new (WIDTH, HEIGHT);
  for (const Det * d = dets; d->title; d++) {
    SlyObject *obj = sly_annotation_add_object (ann, d->title,
        sly_geometry_new_rectangle (d->left, d->top, d->right, d->bottom),
        0.9);

    obj->track_id = d->track_id;
  }
  gst_buffer_add_sly_prediction_meta (buffer, GST_SLY_FRAME_STATUS_INFERRED,
      ann, 10 * GST_MSECOND, "hand-made");
  return buffer;
}

/* The harness starts the element at once: configure it before. */
static GstHarness *
sink_harness_full (const gchar * location, const gchar * jsonl,
    guint frames_count, const gchar * caps)
{
  GstElement *sink = gst_element_factory_make ("slyannotationsink", NULL);
  GstHarness *h;

  /* no preroll to wait for: the harness wants PLAYING at once */
  g_object_set (sink, "location", location, "jsonl-location", jsonl,
      "frames-count", frames_count, "async", FALSE, NULL);
  h = gst_harness_new_with_element (sink, "sink", NULL);
  gst_object_unref (sink);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

static GstHarness *
sink_harness (const gchar * location)
{
  return sink_harness_full (location, NULL, 0, CAPS_STR);
}

static void
push_frame (GstHarness * h, guint index, const Det * dets)
{
  fail_unless_equals_int (gst_harness_push (h, make_buffer (index, dets)),
      GST_FLOW_OK);
}

static void
assert_box (const SlyVideoFigure * fig, const Det * d)
{
  SlyBox box = sly_geometry_get_bbox (fig->geometry);

  fail_unless_equals_int (fig->geometry->type, SLY_GEOMETRY_RECTANGLE);
  fail_unless_equals_int (box.left, d->left);
  fail_unless_equals_int (box.top, d->top);
  fail_unless_equals_int (box.right, d->right);
  fail_unless_equals_int (box.bottom, d->bottom);
}

/* Frame @index of @va has exactly the figures @dets, in order: same boxes,
 * trackId strings, objects of the right class, one object per track. */
static void
assert_frame (const SlyVideoAnnotation * va, gint index, const Det * dets,
    const SlyVideoObject ** track_objects)
{
  const SlyVideoFrame *frame = sly_video_annotation_get_frame (va, index);
  guint n = 0;

  fail_unless (frame != NULL, "frame %d is not listed", index);
  for (const Det * d = dets; d && d->title; d++, n++) {
    const SlyVideoFigure *fig;
    const SlyVideoObject *obj;

    fail_unless (n < frame->figures->len, "frame %d: too few figures", index);
    fig = g_ptr_array_index (frame->figures, n);
    obj = g_ptr_array_index (va->objects, fig->object_index);
    assert_box (fig, d);
    fail_unless_equals_string (obj->class_title, d->title);
    if (d->track_id == 0) {
      fail_unless (fig->track_id == NULL);
      continue;
    }
    {
      g_autofree gchar *id = g_strdup_printf ("%" G_GINT64_FORMAT,
          d->track_id);

      fail_unless_equals_string (fig->track_id, id);
    }
    if (track_objects[d->track_id] == NULL)
      track_objects[d->track_id] = obj;
    fail_unless (track_objects[d->track_id] == obj,
        "frame %d: track %" G_GINT64_FORMAT " in a second object", index,
        d->track_id);
  }
  fail_unless_equals_int (frame->figures->len, n);
}

static const Det frame0[] = {
  {"car", 10, 20, 59, 49, 1}, {"person", 100, 30, 119, 89, 2}, END_DETS
};

static const Det frame3[] = {
  {"car", 14, 22, 63, 51, 1}, {"dog", 200, 150, 239, 179, 0},
  {"dog", 250, 160, 289, 189, 0}, END_DETS
};

static const Det frame4[] = {
  {"person", 104, 32, 123, 91, 2}, {"car", 16, 23, 65, 52, 1}, END_DETS
};
static const Det no_objects[] = { END_DETS };

/* frame: its detections, or NULL for a buffer without meta */
static const Det *const scene[] = {
  frame0, NULL, no_objects, frame3, frame4, no_objects,
};

static void
push_scene (GstHarness * h)
{
  for (guint i = 0; i < G_N_ELEMENTS (scene); i++)
    push_frame (h, i, scene[i]);
}

static void
assert_scene (const SlyVideoAnnotation * va)
{
  const SlyVideoObject *track_objects[3] = { NULL, };

  fail_unless_equals_int (va->width, WIDTH);
  fail_unless_equals_int (va->height, HEIGHT);
  /* tracks 1 and 2, and one object per untracked dog */
  fail_unless_equals_int (va->objects->len, 4);
  /* every buffer is a frame, with figures or not */
  fail_unless_equals_int (va->frames->len, G_N_ELEMENTS (scene));
  for (guint i = 0; i < G_N_ELEMENTS (scene); i++)
    assert_frame (va, i, scene[i], track_objects);
  fail_unless (track_objects[1] != track_objects[2]);
}

/* Objects per track, figures per frame, size and framesCount come back
 * from the file written at EOS. */
GST_START_TEST (test_tracks_and_frames)
{
  g_autofree gchar *path = tmp_path ("out.json");
  GstHarness *h = sink_harness (path);
  g_autoptr (SlyVideoAnnotation) va = NULL;

  push_scene (h);
  fail_unless (!g_file_test (path, G_FILE_TEST_EXISTS), "written before EOS");
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  va = read_annotation (path);
  assert_scene (va);
  fail_unless_equals_int (va->frames_count, G_N_ELEMENTS (scene));
  gst_harness_teardown (h);
}

GST_END_TEST;

/* frames-count overrides the frames seen, but never goes below them. */
GST_START_TEST (test_frames_count)
{
  static const struct
  {
    guint property;
    gint expected;
  } cases[] = {
    {0, G_N_ELEMENTS (scene)}, {100, 100}, {2, G_N_ELEMENTS (scene)},
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    g_autofree gchar *path = tmp_path ("count.json");
    GstHarness *h = sink_harness_full (path, NULL, cases[c].property,
        CAPS_STR);
    g_autoptr (SlyVideoAnnotation) va = NULL;

    push_scene (h);
    fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
    va = read_annotation (path);
    fail_unless_equals_int (va->frames_count, cases[c].expected);
    assert_scene (va);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* Stopping without EOS (PAUSED to READY) still writes what was seen. */
GST_START_TEST (test_written_on_stop)
{
  g_autofree gchar *path = tmp_path ("stopped.json");
  GstHarness *h = sink_harness (path);
  g_autoptr (SlyVideoAnnotation) va = NULL;

  push_scene (h);
  gst_harness_teardown (h);
  va = read_annotation (path);
  assert_scene (va);
}

GST_END_TEST;

/* A flushing seek starts again at frame 0 with fresh objects: the tracker
 * restarts its ids there, so track 1 after the seek is another object. */
GST_START_TEST (test_flush_restarts)
{
  static const Det after[] = { {"bus", 40, 40, 79, 59, 1}, END_DETS };
  g_autofree gchar *path = tmp_path ("seek.json");
  GstHarness *h = sink_harness (path);
  g_autoptr (SlyVideoAnnotation) va = NULL;
  const SlyVideoObject *track_objects[2] = { NULL, };

  push_scene (h);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_harness_set_src_caps_str (h, CAPS_STR);
  push_frame (h, 0, after);
  push_frame (h, 1, after);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));

  va = read_annotation (path);
  fail_unless_equals_int (va->frames_count, 2);
  fail_unless_equals_int (va->frames->len, 2);
  fail_unless_equals_int (va->objects->len, 1);
  assert_frame (va, 0, after, track_objects);
  assert_frame (va, 1, after, track_objects);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* image/jpeg caps may have no size: the predictions give it. */
GST_START_TEST (test_size_from_meta)
{
  g_autofree gchar *path = tmp_path ("jpeg.json");
  GstHarness *h = sink_harness_full (path, NULL, 0,
      "image/jpeg,framerate=30/1");
  g_autoptr (SlyVideoAnnotation) va = NULL;

  push_scene (h);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  va = read_annotation (path);
  assert_scene (va);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---- errors ---- */

/* Takes the error message of @bus (there must be one). */
static void
assert_error (GstBus * bus, GQuark domain, gint code, const gchar * needle)
{
  g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;

  fail_unless (msg != NULL, "no error message");
  gst_message_parse_error (msg, &error, &debug);
  fail_unless (g_error_matches (error, domain, code), "error %s:%d: %s",
      g_quark_to_string (error->domain), error->code, error->message);
  fail_unless (strstr (error->message, needle) != NULL,
      "\"%s\" does not name \"%s\"", error->message, needle);
}

/* The element alone with a bus, set to PAUSED: FAILURE expected. */
static void
assert_start_fails (const gchar * location, const gchar * jsonl,
    GQuark domain, gint code, const gchar * needle)
{
  GstElement *sink = gst_element_factory_make ("slyannotationsink", NULL);
  GstBus *bus = gst_bus_new ();

  gst_element_set_bus (sink, bus);
  g_object_set (sink, "location", location, "jsonl-location", jsonl, NULL);
  fail_unless_equals_int (gst_element_set_state (sink, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  assert_error (bus, domain, code, needle);
  fail_unless_equals_int (gst_element_set_state (sink, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_element_set_bus (sink, NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
}

/* A location that cannot be written fails at start, naming the path. */
GST_START_TEST (test_unwritable_location)
{
  g_autofree gchar *missing_dir = tmp_path ("no-such-dir/out.json");
  g_autofree gchar *good = tmp_path ("out.json");
  g_autofree gchar *bad_jsonl = tmp_path ("no-such-dir/out.jsonl");
  const struct
  {
    const gchar *location, *jsonl, *named;
  } cases[] = {
    {missing_dir, NULL, missing_dir},
    {tmp_dir, NULL, tmp_dir},   /* a folder */
    {good, bad_jsonl, bad_jsonl},
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_start_fails (cases[i].location, cases[i].jsonl, GST_RESOURCE_ERROR,
        GST_RESOURCE_ERROR_OPEN_WRITE, cases[i].named);
  fail_unless (!g_file_test (good, G_FILE_TEST_EXISTS));
}

GST_END_TEST;

/* No location: an error at start. */
GST_START_TEST (test_missing_location)
{
  assert_start_fails (NULL, NULL, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND, "No file name");
  assert_start_fails ("", NULL, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND, "No file name");
}

GST_END_TEST;

/* The folder disappears during the stream: the write at EOS fails with an
 * error naming the path, and nothing is left behind. */
GST_START_TEST (test_write_fails_at_eos)
{
  g_autofree gchar *dir = tmp_path ("gone");
  g_autofree gchar *path = g_build_filename (dir, "out.json", NULL);
  GstHarness *h;
  GstBus *bus = gst_bus_new ();

  fail_unless_equals_int (g_mkdir (dir, 0700), 0);
  h = sink_harness (path);
  gst_element_set_bus (h->element, bus);
  push_scene (h);
  fail_unless_equals_int (g_rmdir (dir), 0);
  gst_harness_push_event (h, gst_event_new_eos ());
  assert_error (bus, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_WRITE, path);
  gst_harness_teardown (h);
  fail_unless (!g_file_test (dir, G_FILE_TEST_EXISTS));
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
}

GST_END_TEST;

/* A JSON line that cannot be written stops the stream with an error
 * naming the file (/dev/full: every write fails with ENOSPC). */
GST_START_TEST (test_jsonl_write_fails)
{
  g_autofree gchar *path = tmp_path ("out.json");
  GstHarness *h;
  GstBus *bus = gst_bus_new ();

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS)) {
    GST_INFO ("no /dev/full here: nothing to test");
    gst_object_unref (bus);
    return;
  }
  h = sink_harness_full (path, "/dev/full", 0, CAPS_STR);
  gst_element_set_bus (h->element, bus);
  fail_unless_equals_int (gst_harness_push (h, make_buffer (0, frame0)),
      GST_FLOW_ERROR);
  assert_error (bus, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_WRITE, "/dev/full");
  gst_harness_teardown (h);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
}

GST_END_TEST;

/* ---- JSON lines ---- */

static JsonObject *
parse_line (const gchar * line, JsonParser * parser)
{
  g_autoptr (GError) error = NULL;
  JsonNode *root;

  fail_unless (json_parser_load_from_data (parser, line, -1, &error),
      "unparsable line \"%s\": %s", line, error ? error->message : "");
  root = json_parser_get_root (parser);
  fail_unless (JSON_NODE_HOLDS_OBJECT (root), "line is not an object");
  return json_node_get_object (root);
}

static gchar **
read_lines (const gchar * path)
{
  g_autofree gchar *data = NULL;
  gsize len;

  fail_unless (g_file_get_contents (path, &data, &len, NULL));
  fail_unless (len > 0 && data[len - 1] == '\n', "no final newline");
  data[len - 1] = '\0';
  return g_strsplit (data, "\n", -1);
}

static gint64
int_member (JsonObject * o, const gchar * name)
{
  JsonNode *n = json_object_get_member (o, name);

  fail_unless (n && JSON_NODE_HOLDS_VALUE (n) &&
      json_node_get_value_type (n) == G_TYPE_INT64, "%s: not an integer", name);
  return json_node_get_int (n);
}

static gboolean
null_member (JsonObject * o, const gchar * name)
{
  JsonNode *n = json_object_get_member (o, name);

  fail_unless (n != NULL, "no member %s", name);
  return JSON_NODE_HOLDS_NULL (n);
}

/* One line per frame with index, pts, running time, status and the
 * frame's annotation (null without predictions). */
GST_START_TEST (test_jsonl_lines)
{
  g_autofree gchar *path = tmp_path ("out.json");
  g_autofree gchar *jsonl = tmp_path ("out.jsonl");
  GstHarness *h = sink_harness_full (path, jsonl, 0, CAPS_STR);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv) lines = NULL;

  push_scene (h);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));

  lines = read_lines (jsonl);
  fail_unless_equals_int (g_strv_length (lines), G_N_ELEMENTS (scene));
  for (guint i = 0; i < G_N_ELEMENTS (scene); i++) {
    JsonObject *o = parse_line (lines[i], parser);
    GstClockTime pts = gst_util_uint64_scale (i, GST_SECOND, FPS);
    guint n = 0;

    fail_unless_equals_int (int_member (o, "index"), i);
    fail_unless_equals_int64 (int_member (o, "pts"), pts);
    fail_unless_equals_int64 (int_member (o, "running_time"), pts);
    if (scene[i] == NULL) {
      fail_unless (null_member (o, "status"));
      fail_unless (null_member (o, "annotation"));
      continue;
    }
    fail_unless_equals_string (json_object_get_string_member (o, "status"),
        "inferred");
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SlyAnnotation) ann =
          sly_annotation_from_json_node (json_object_get_member (o,
              "annotation"), &error);

      fail_unless (ann != NULL, "line %u: %s", i, error->message);
      for (const Det * d = scene[i]; d->title; d++, n++) {
        SlyObject *obj = g_ptr_array_index (ann->objects, n);

        fail_unless_equals_string (obj->class_title, d->title);
      }
      fail_unless_equals_int (ann->objects->len, n);
    }
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---- object tags ---- */

/* A frame whose objects are given as the JSON of their "tags" arrays:
 * a car of track 1 (when @car_tags is not NULL) and, with @dog_tags, an
 * untracked dog. Every object also has a confidence tag. */
static GstBuffer *
tagged_buffer (guint index, const gchar * car_tags, const gchar * dog_tags)
{
  GstBuffer *buffer = make_buffer (index, NULL);
  GString *json = g_string_new ("{\"size\": {\"height\": 240, \"width\": "
      "320}, \"objects\": [");
  GString *ids = g_string_new ("");
  g_autoptr (GError) error = NULL;
  const gchar *object = "{\"classTitle\": \"%s\", \"tags\": [{\"name\": "
      "\"confidence\", \"value\": 0.9}%s%s], \"geometryType\": "
      "\"rectangle\", \"points\": {\"exterior\": [[%d, 20], [%d, 49]], "
      "\"interior\": []}}";
  g_autofree gchar *text = NULL;

  if (car_tags) {
    g_string_append_printf (json, object, "car", *car_tags ? ", " : "",
        car_tags, 10 + (gint) index, 59 + (gint) index);
    g_string_append (ids, "1");
  }
  if (dog_tags) {
    g_string_append_printf (json, "%s", car_tags ? ", " : "");
    g_string_append_printf (json, object, "dog", *dog_tags ? ", " : "",
        dog_tags, 200, 239);
    g_string_append_printf (ids, "%s0", car_tags ? ", " : "");
  }
  g_string_append_printf (json, "], \"customBigData\": [%s]}", ids->str);
  g_string_free (ids, TRUE);
  text = g_string_free (json, FALSE);
  fail_unless (gst_buffer_add_sly_prediction_meta_from_json (buffer,
          GST_SLY_FRAME_STATUS_INFERRED, text, 10 * GST_MSECOND, "hand-made",
          &error) != NULL, "%s", error ? error->message : "");
  return buffer;
}

/* The "tags" of the object of the written file whose key is @key */
static JsonArray *
object_tags (JsonObject * root, const gchar * key)
{
  JsonArray *objects = json_object_get_array_member (root, "objects");

  for (guint i = 0; i < json_array_get_length (objects); i++) {
    JsonObject *o = json_array_get_object_element (objects, i);

    if (g_strcmp0 (json_object_get_string_member (o, "key"), key) == 0)
      return json_object_get_array_member (o, "tags");
  }
  fail ("no object %s", key);
  return NULL;
}

/* @tag is {"name": @name, "value": @value (JSON text, NULL = no value),
 * "frameRange": [@start, @end], "key": 32 hex digits} */
static void
assert_video_tag (JsonArray * tags, guint i, const gchar * name,
    const gchar * value, gint start, gint end)
{
  JsonObject *tag;
  JsonArray *range;
  const gchar *key;

  fail_unless (i < json_array_get_length (tags), "no tag %u", i);
  tag = json_array_get_object_element (tags, i);
  fail_unless_equals_string (json_object_get_string_member (tag, "name"), name);
  if (value) {
    g_autofree gchar *text = json_to_string (json_object_get_member (tag,
            "value"), FALSE);

    fail_unless_equals_string (text, value);
  } else {
    fail_if (json_object_has_member (tag, "value"), "tag %u has a value", i);
  }
  range = json_object_get_array_member (tag, "frameRange");
  fail_unless (range != NULL && json_array_get_length (range) == 2);
  fail_unless_equals_int (json_array_get_int_element (range, 0), start);
  fail_unless_equals_int (json_array_get_int_element (range, 1), end);
  key = json_object_get_string_member (tag, "key");
  fail_unless (key != NULL && strlen (key) == 32);
}

/* Object tags become video object tags with frame ranges: consecutive
 * frames with the same value make one range, a new value or a gap a new
 * entry; score tags are left out; an untracked object's tags cover its
 * one frame. The file reads back with its tags, and the JSON lines keep
 * each frame's tags as they came. */
GST_START_TEST (test_object_tags)
{
  static const struct
  {
    const gchar *car, *dog;
  } frames[] = {
    {"{\"name\": \"color\", \"value\": \"red\"}, "
          "{\"name\": \"age\", \"value\": 3}", NULL},
    {"{\"name\": \"color\", \"value\": \"red\"}, "
          "{\"name\": \"age\", \"value\": 3}", NULL},
    {"{\"name\": \"color\", \"value\": \"red\"}",
        "{\"name\": \"color\", \"value\": \"brown\"}"},
    {"{\"name\": \"color\", \"value\": \"blue\"}", NULL},
    {"{\"name\": \"color\", \"value\": \"blue\"}, {\"name\": \"occluded\"}",
        NULL},
    {"", NULL},
    {"{\"name\": \"color\", \"value\": \"blue\"}, "
          "{\"name\": \"score\", \"value\": 0.5}", NULL},
  };
  g_autofree gchar *path = tmp_path ("tags.json");
  g_autofree gchar *jsonl = tmp_path ("tags.jsonl");
  GstHarness *h = sink_harness_full (path, jsonl, 0, CAPS_STR);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonParser) line_parser = json_parser_new ();
  g_autoptr (SlyVideoAnnotation) va = NULL;
  const SlyVideoObject *car, *dog;
  g_auto (GStrv) lines = NULL;
  JsonArray *tags;

  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    fail_unless_equals_int (gst_harness_push (h, tagged_buffer (i,
                frames[i].car, frames[i].dog)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));

  /* the project's reader takes the file */
  va = read_annotation (path);
  fail_unless_equals_int (va->objects->len, 2);
  car = g_ptr_array_index (va->objects, 0);
  dog = g_ptr_array_index (va->objects, 1);
  fail_unless_equals_string (car->class_title, "car");
  fail_unless_equals_string (dog->class_title, "dog");
  fail_unless_equals_int (car->tags->len, 5);
  fail_unless_equals_int (dog->tags->len, 1);
  {
    const SlyVideoTag *blue = g_ptr_array_index (car->tags, 2);

    fail_unless_equals_string (blue->name, "color");
    fail_unless_equals_string (json_node_get_string (blue->value), "blue");
    fail_unless_equals_int (blue->start, 3);
    fail_unless_equals_int (blue->end, 4);
  }

  fail_unless (json_parser_load_from_file (parser, path, NULL));
  tags = object_tags (json_node_get_object (json_parser_get_root (parser)),
      car->key);
  assert_video_tag (tags, 0, "color", "\"red\"", 0, 2);
  assert_video_tag (tags, 1, "age", "3", 0, 1);
  assert_video_tag (tags, 2, "color", "\"blue\"", 3, 4);
  assert_video_tag (tags, 3, "occluded", NULL, 4, 4);
  assert_video_tag (tags, 4, "color", "\"blue\"", 6, 6);
  fail_unless_equals_int (json_array_get_length (tags), 5);
  tags = object_tags (json_node_get_object (json_parser_get_root (parser)),
      dog->key);
  assert_video_tag (tags, 0, "color", "\"brown\"", 2, 2);
  fail_unless_equals_int (json_array_get_length (tags), 1);

  /* per frame, the image annotation's tags as they are, scores included */
  lines = read_lines (jsonl);
  fail_unless_equals_int (g_strv_length (lines), G_N_ELEMENTS (frames));
  {
    JsonObject *o = parse_line (lines[0], line_parser);
    g_autoptr (GError) error = NULL;
    g_autoptr (SlyAnnotation) ann =
        sly_annotation_from_json_node (json_object_get_member (o,
            "annotation"), &error);
    const SlyObject *obj;

    fail_unless (ann != NULL, "%s", error ? error->message : "");
    obj = g_ptr_array_index (ann->objects, 0);
    fail_unless_equals_int (obj->tags->len, 3);
    fail_unless_equals_string (json_node_get_string (sly_object_find_tag (obj,
                "color")->value), "red");
    fail_unless (sly_object_find_tag (obj, "confidence") != NULL);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---- end to end ---- */

typedef struct
{
  gboolean found;
  gint left, top, right, bottom;
} Box;

/* The bright pixels of an I420 frame (Y is studio range: luma 128 is
 * about Y 126), as the server's blob detector sees them. */
static Box
measure_ball (GstSample * sample)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  Box box = { FALSE, WIDTH, HEIGHT, -1, -1 };

  fail_unless (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)));
  fail_unless (gst_video_frame_map (&frame, &info,
          gst_sample_get_buffer (sample), GST_MAP_READ));
  for (gint y = 0; y < HEIGHT; y++) {
    const guint8 *row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame,
        0) + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);

    for (gint x = 0; x < WIDTH; x++) {
      if (row[x] < 126)
        continue;
      box.found = TRUE;
      box.left = MIN (box.left, x);
      box.top = MIN (box.top, y);
      box.right = MAX (box.right, x);
      box.bottom = MAX (box.bottom, y);
    }
  }
  gst_video_frame_unmap (&frame);
  return box;
}

#define N_BALL_FRAMES 20
#define BALL_SRC "videotestsrc pattern=ball num-buffers=" \
    G_STRINGIFY (N_BALL_FRAMES) " ! capsfilter caps=" CAPS_STR

/* Where the ball is in each of the @n frames videotestsrc draws. */
static Box *
measure_balls (guint n)
{
  GstElement *pipeline = gst_parse_launch (BALL_SRC
      " ! appsink name=sink sync=false", NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  Box *boxes = g_new0 (Box, n);

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PLAYING),
      GST_STATE_CHANGE_ASYNC);
  for (guint i = 0; i < n; i++) {
    GstSample *sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));

    fail_unless (sample != NULL, "videotestsrc gave only %u frames", i);
    boxes[i] = measure_ball (sample);
    fail_unless (boxes[i].found, "frame %u: no ball", i);
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return boxes;
}

/* Runs @pipeline to EOS; no error on the way. */
static void
run_to_eos (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no EOS in 60 s");
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) error = NULL;

    gst_message_parse_error (msg, &error, NULL);
    fail ("error: %s", error->message);
  }
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
}

static void
assert_ball_figure (const SlyVideoFigure * fig, const Box * ball, guint i)
{
  SlyBox box = sly_geometry_get_bbox (fig->geometry);

  fail_unless (ABS (box.left - ball->left) <= 2, "frame %u: left %d vs %d",
      i, box.left, ball->left);
  fail_unless (ABS (box.top - ball->top) <= 2, "frame %u: top %d vs %d", i,
      box.top, ball->top);
  fail_unless (ABS (box.right - ball->right) <= 2,
      "frame %u: right %d vs %d", i, box.right, ball->right);
  fail_unless (ABS (box.bottom - ball->bottom) <= 2,
      "frame %u: bottom %d vs %d", i, box.bottom, ball->bottom);
}

/* videotestsrc's ball through slymodelinfer (tracking) into the sink: one
 * object of class ball, 20 frames, each with one figure of that track,
 * within 2 px of the ball the test measures; and 20 JSON lines. */
GST_START_TEST (test_ball_end_to_end)
{
  const guint n = N_BALL_FRAMES;
  SlyTestServer *server = sly_test_server_startv (NULL);
  g_autofree gchar *path = tmp_path ("ball.json");
  g_autofree gchar *jsonl = tmp_path ("ball.jsonl");
  g_autofree gchar *desc = g_strdup_printf (BALL_SRC
      " ! slymodelinfer url=%s tracking=true ! slyannotationsink "
      "location=\"%s\" jsonl-location=\"%s\"",
      sly_test_server_get_url (server), path, jsonl);
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &error);
  g_autofree Box *balls = measure_balls (n);
  g_autoptr (SlyVideoAnnotation) va = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv) lines = NULL;
  const SlyVideoObject *ball;

  fail_unless (pipeline != NULL, "%s", error ? error->message : "");
  run_to_eos (pipeline);
  gst_object_unref (pipeline);
  sly_test_server_stop (server);

  va = read_annotation (path);
  fail_unless_equals_int (va->width, WIDTH);
  fail_unless_equals_int (va->height, HEIGHT);
  fail_unless_equals_int (va->frames_count, n);
  fail_unless_equals_int (va->frames->len, n);
  fail_unless_equals_int (va->objects->len, 1);
  ball = g_ptr_array_index (va->objects, 0);
  fail_unless_equals_string (ball->class_title, "ball");
  for (guint i = 0; i < n; i++) {
    const SlyVideoFrame *frame = sly_video_annotation_get_frame (va, i);
    const SlyVideoFigure *fig;

    fail_unless (frame != NULL, "frame %u not listed", i);
    fail_unless_equals_int (frame->figures->len, 1);
    fig = g_ptr_array_index (frame->figures, 0);
    fail_unless_equals_int (fig->object_index, 0);
    fail_unless (fig->track_id != NULL && g_ascii_strtoll (fig->track_id,
            NULL, 10) > 0, "frame %u: no track id", i);
    assert_ball_figure (fig, &balls[i], i);
  }
  /* the ball really moves */
  fail_unless (balls[0].left != balls[n - 1].left);

  lines = read_lines (jsonl);
  fail_unless_equals_int (g_strv_length (lines), n);
  for (guint i = 0; i < n; i++) {
    JsonObject *o = parse_line (lines[i], parser);

    fail_unless_equals_int (int_member (o, "index"), i);
    fail_unless_equals_int64 (int_member (o, "pts"),
        gst_util_uint64_scale (i, GST_SECOND, FPS));
    fail_unless_equals_string (json_object_get_string_member (o, "status"),
        "inferred");
  }
}

GST_END_TEST;

static Suite *
annotationsink_suite (void)
{
  Suite *s = suite_create ("slyannotationsink");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, tmp_dir_setup, tmp_dir_teardown);
  tcase_add_test (tc, test_tracks_and_frames);
  tcase_add_test (tc, test_frames_count);
  tcase_add_test (tc, test_written_on_stop);
  tcase_add_test (tc, test_flush_restarts);
  tcase_add_test (tc, test_size_from_meta);
  tcase_add_test (tc, test_unwritable_location);
  tcase_add_test (tc, test_missing_location);
  tcase_add_test (tc, test_write_fails_at_eos);
  tcase_add_test (tc, test_jsonl_lines);
  tcase_add_test (tc, test_jsonl_write_fails);
  tcase_add_test (tc, test_object_tags);
  tcase_add_test (tc, test_ball_end_to_end);
  return s;
}

GST_CHECK_MAIN (annotationsink);
