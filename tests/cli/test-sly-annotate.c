/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sly-annotate end to end (suite 'cli'): a ball video and a folder of
 * images drawn here go through the program ($SLY_ANNOTATE) against
 * sly-model-server; the project on disk is read back and compared with the
 * discs that were drawn. Exit codes, SIGINT, progress on a pseudo-terminal
 * (script -q) and in a pipe.
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "slyannotation.h"
#include "slyimage.h"
#include "slyprojectmeta.h"
#include "slytestserver.h"
#include "slyvideoannotation.h"

#define W 320
#define H 240
#define N_FRAMES 30

static SlyTestServer *server;   /* blob-detector, no latency */
static gchar *workdir;          /* per-process temporary folder */
static gchar *ball_avi;         /* N_FRAMES of videotestsrc pattern=ball */
static SlyBox ball_boxes[N_FRAMES];     /* the disc as videotestsrc drew it */

/* ---- running the program ---- */

typedef struct
{
  gint status;                  /* exit status, or 128 + signal */
  gchar *out;
  gchar *err;
} CliResult;

static void
cli_result_free (CliResult * r)
{
  g_free (r->out);
  g_free (r->err);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliResult, cli_result_free)
     static const gchar *cli_path (void)
{
  const gchar *p = g_getenv ("SLY_ANNOTATE");

  g_assert_nonnull (p);
  return p;
}

static GSubprocessLauncher *
launcher_new (const gchar * const *env)
{
  GSubprocessLauncher *l =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
      G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_set_cwd (l, workdir);
  for (; env && env[0]; env += 2)
    g_subprocess_launcher_setenv (l, env[0], env[1], TRUE);
  return l;
}

static gint
exit_status (GSubprocess * p)
{
  if (g_subprocess_get_if_exited (p))
    return g_subprocess_get_exit_status (p);
  return 128 + g_subprocess_get_term_sig (p);
}

/* argv: NULL-terminated, without the program */
static CliResult *
run_cli_env (const gchar * const *env, const gchar * const *argv)
{
  g_autoptr (GSubprocessLauncher) l = launcher_new (env);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GError) error = NULL;
  CliResult *r = g_new0 (CliResult, 1);

  g_ptr_array_add (args, (gpointer) cli_path ());
  for (; *argv; argv++)
    g_ptr_array_add (args, (gpointer) * argv);
  g_ptr_array_add (args, NULL);
  p = g_subprocess_launcher_spawnv (l, (const gchar * const *) args->pdata,
      &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p, NULL, NULL, &r->out, &r->err, &error);
  g_assert_no_error (error);
  r->status = exit_status (p);
  return r;
}

#define run_cli(...) run_cli_env (NULL, (const gchar *[]) { __VA_ARGS__, NULL })

static gchar *
out_dir (const gchar * name)
{
  g_autofree gchar *dir = g_build_filename (workdir, name, NULL);
  g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", dir);

  g_assert_cmpint (system (cmd), ==, 0);
  return g_strdup (name);
}

static gchar *
read_file (const gchar * rel)
{
  g_autofree gchar *path = g_build_filename (workdir, rel, NULL);
  gchar *text = NULL;
  g_autoptr (GError) error = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s: %s", path, error->message);
  return text;
}

static gboolean
exists (const gchar * rel)
{
  g_autofree gchar *path = g_build_filename (workdir, rel, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static JsonObject *
parse_object (const gchar * text)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GError) error = NULL;

  if (!json_parser_load_from_data (p, text, -1, &error))
    g_error ("not JSON (%s): %s", error->message, text);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)));
  return json_object_ref (json_node_get_object (json_parser_get_root (p)));
}

static void
assert_box_near (SlyBox got, SlyBox want)
{
  if (ABS (got.left - want.left) > 2 || ABS (got.top - want.top) > 2 ||
      ABS (got.right - want.right) > 2 || ABS (got.bottom - want.bottom) > 2)
    g_error ("box [%d,%d,%d,%d] is not within 2 px of the disc "
        "[%d,%d,%d,%d]", got.left, got.top, got.right, got.bottom,
        want.left, want.top, want.right, want.bottom);
}

/* meta.json: exactly the blob detector's class, and the project type */
static void
check_meta (const gchar * out, const gchar * type)
{
  g_autofree gchar *rel = g_build_filename (out, "meta.json", NULL);
  g_autofree gchar *text = read_file (rel);
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyProjectMeta) meta =
      sly_project_meta_from_json (text, -1, &error);
  g_autoptr (JsonObject) obj = parse_object (text);
  SlyObjClass *c;

  g_assert_no_error (error);
  g_assert_cmpuint (meta->classes->len, ==, 1);
  c = meta->classes->pdata[0];
  g_assert_cmpstr (c->title, ==, "ball");
  g_assert_cmpstr (c->shape, ==, "rectangle");
  g_assert_cmphex (c->color, ==, 0xF6FF00);
  g_assert_cmpint (sly_project_meta_find_class (meta, "ball"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (obj, "projectType"), ==,
      type);
}

static SlyVideoAnnotation *
read_video_ann (const gchar * rel)
{
  g_autofree gchar *text = read_file (rel);
  g_autoptr (GError) error = NULL;
  SlyVideoAnnotation *va = sly_video_annotation_from_json (text, -1, &error);

  g_assert_no_error (error);
  return va;
}

/* ---- the generated media ---- */

static GstPadProbeReturn
measure_ball (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  guint *n = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;
  SlyBox box = { W, H, -1, -1 };

  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (gint y = 0; y < H; y++)
    for (gint x = 0; x < W; x++) {
      const guint8 *p = map.data + y * GST_ROUND_UP_4 (W * 3) + x * 3;

      if (299 * p[0] + 587 * p[1] + 114 * p[2] >= 128000) {
        box.left = MIN (box.left, x);
        box.top = MIN (box.top, y);
        box.right = MAX (box.right, x);
        box.bottom = MAX (box.bottom, y);
      }
    }
  gst_buffer_unmap (buf, &map);
  g_assert_cmpint (box.right, >=, 0);
  if (*n < N_FRAMES)
    ball_boxes[*n] = box;
  (*n)++;
  return GST_PAD_PROBE_OK;
}

static void
run_to_eos (GstElement * pipeline)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

/* videotestsrc pattern=ball, JPEG in AVI; the disc measured in the raw
 * frames before they are encoded */
static void
make_ball_video (const gchar * path, guint frames, gboolean measure)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc pattern=ball "
      "num-buffers=%u ! video/x-raw,format=RGB,width=%d,height=%d,"
      "framerate=30/1 ! identity name=raw ! videoconvert ! jpegenc "
      "quality=90 ! avimux ! filesink location=\"%s\"", frames, W, H, path);
  GstElement *pipeline = gst_parse_launch (desc, &error);
  guint n = 0;

  g_assert_no_error (error);
  if (measure) {
    GstElement *raw = gst_bin_get_by_name (GST_BIN (pipeline), "raw");
    GstPad *pad = gst_element_get_static_pad (raw, "src");

    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, measure_ball, &n, NULL);
    gst_object_unref (pad);
    gst_object_unref (raw);
  }
  run_to_eos (pipeline);
  gst_object_unref (pipeline);
  if (measure)
    g_assert_cmpuint (n, ==, frames);
}

typedef struct
{
  gint cx, cy, r;
} Disc;

/* White discs on black, as PNG or JPEG */
static void
draw_image (const gchar * rel, gint w, gint h, const Disc * discs, guint n)
{
  g_autoptr (SlyImage) img = sly_image_new (w, h, 3);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = g_build_filename (workdir, rel, NULL);
  g_autofree gchar *dir = g_path_get_dirname (path);
  SlyImageView view;

  memset (img->data, 0, (gsize) img->stride * h);
  for (guint i = 0; i < n; i++)
    for (gint y = 0; y < h; y++)
      for (gint x = 0; x < w; x++) {
        gint dx = x - discs[i].cx, dy = y - discs[i].cy;

        if (dx * dx + dy * dy <= discs[i].r * discs[i].r)
          memset (img->data + y * img->stride + x * 3, 255, 3);
      }
  sly_image_get_view (img, &view);
  if (g_str_has_suffix (rel, ".png"))
    bytes = sly_png_encode (&view, &error);
  else
    bytes = sly_jpeg_encode (&view, 92, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
          g_bytes_get_size (bytes), NULL));
}

/* ---- tests ---- */

static void
check_ball_annotation (const gchar * rel, gboolean tracking)
{
  g_autoptr (SlyVideoAnnotation) va = read_video_ann (rel);

  g_assert_cmpint (va->width, ==, W);
  g_assert_cmpint (va->height, ==, H);
  g_assert_cmpint (va->frames_count, ==, N_FRAMES);
  g_assert_cmpuint (va->frames->len, ==, N_FRAMES);
  for (gint i = 0; i < N_FRAMES; i++) {
    const SlyVideoFrame *f = sly_video_annotation_get_frame (va, i);
    const SlyVideoFigure *fig;

    g_assert_nonnull (f);
    g_assert_cmpuint (f->figures->len, ==, 1);
    fig = f->figures->pdata[0];
    g_assert_cmpint (fig->geometry->type, ==, SLY_GEOMETRY_RECTANGLE);
    assert_box_near (sly_geometry_get_bbox (fig->geometry), ball_boxes[i]);
    if (tracking) {
      g_assert_cmpuint (fig->object_index, ==, 0);
      g_assert_cmpstr (fig->track_id, ==, "1");
    } else {
      g_assert_null (fig->track_id);
    }
  }
  /* tracked: one object (the track); else one per detection */
  g_assert_cmpuint (va->objects->len, ==, tracking ? 1 : N_FRAMES);
  for (guint i = 0; i < va->objects->len; i++)
    g_assert_cmpstr (((SlyVideoObject *) va->objects->pdata[i])->class_title,
        ==, "ball");
}

static void
test_video_project (void)
{
  g_autofree gchar *out = out_dir ("video-out");
  g_autoptr (CliResult) r = run_cli ("--url", sly_test_server_get_url (server),
      "--json", "--quiet", "-o", out, "ball.avi");
  g_autoptr (JsonObject) sum = NULL;
  g_autofree gchar *media = g_build_filename (workdir, out, "ds0", "video",
      "ball.avi", NULL);
  GStatBuf a, b;

  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->err, ==, "");
  sum = parse_object (r->out);
  g_assert_cmpint (json_object_get_int_member (sum, "frames"), ==, N_FRAMES);
  g_assert_cmpint (json_object_get_int_member (sum, "inferred"), ==, N_FRAMES);
  g_assert_cmpint (json_object_get_int_member (sum, "failed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (sum, "objects"), ==, N_FRAMES);
  g_assert_cmpint (json_object_get_int_member (sum, "exit_code"), ==, 0);
  g_assert_false (json_object_get_boolean_member (sum, "partial"));
  g_assert_cmpstr (json_object_get_string_member (sum, "project_type"), ==,
      "videos");

  check_meta (out, "videos");
  g_assert_true (exists ("video-out/key_id_map.json"));
  /* the media: a hard link to the input by default */
  g_assert_cmpint (g_stat (media, &a), ==, 0);
  g_assert_cmpint (g_stat (ball_avi, &b), ==, 0);
  g_assert_cmpuint (a.st_ino, ==, b.st_ino);
  check_ball_annotation ("video-out/ds0/ann/ball.avi.json", FALSE);
}

static void
test_video_tracking (void)
{
  g_autofree gchar *out = out_dir ("track-out");
  g_autoptr (CliResult) r = run_cli ("--url", sly_test_server_get_url (server),
      "--json", "--tracking", "--copy-media", "--jsonl", "-o", out, "ball.avi");
  g_autoptr (JsonObject) sum = NULL;
  g_autofree gchar *jsonl = NULL;
  g_auto (GStrv) lines = NULL;
  GStatBuf a, b;
  g_autofree gchar *media = g_build_filename (workdir, out, "ds0", "video",
      "ball.avi", NULL);

  g_assert_cmpint (r->status, ==, 0);
  sum = parse_object (r->out);
  g_assert_cmpint (json_object_get_int_member (sum, "tracks"), ==, 1);
  check_ball_annotation ("track-out/ds0/ann/ball.avi.json", TRUE);
  /* --copy-media: a file of its own with the same bytes */
  g_assert_cmpint (g_stat (media, &a), ==, 0);
  g_assert_cmpint (g_stat (ball_avi, &b), ==, 0);
  g_assert_cmpuint (a.st_ino, !=, b.st_ino);
  g_assert_cmpint (a.st_size, ==, b.st_size);
  /* --jsonl: a line per frame with the confidence */
  jsonl = read_file ("track-out/ds0/jsonl/ball.avi.jsonl");
  lines = g_strsplit (g_strchomp (jsonl), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, N_FRAMES);
  for (guint i = 0; lines[i]; i++) {
    g_autoptr (JsonObject) o = parse_object (lines[i]);

    g_assert_cmpint (json_object_get_int_member (o, "index"), ==, i);
    g_assert_cmpstr (json_object_get_string_member (o, "status"), ==,
        "inferred");
    g_assert_nonnull (strstr (lines[i], "\"confidence\""));
  }
}

static const Disc discs_one[] = { {50, 40, 12} };
static const Disc discs_two[] = { {30, 30, 10}, {110, 80, 14} };
static const Disc discs_three[] = { {80, 60, 20} };
static const Disc discs_four[] = { {25, 95, 11}, {120, 25, 16} };
static const Disc discs_five[] = { {70, 70, 9} };

typedef struct
{
  const gchar *file;            /* under the work folder */
  const gchar *dataset, *name;  /* in the project */
  const Disc *discs;
  guint n;
} ImageCase;

static const ImageCase image_cases[] = {
  {"shots/one.png", "shots", "one.png", discs_one, 1},
  {"shots/two.png", "shots", "two.png", discs_two, 2},
  {"shots/three.jpg", "shots", "three.jpg", discs_three, 1},
  {"shots/four.jpeg", "shots", "four.jpeg", discs_four, 2},
  {"shots/sub/five.png", "shots", "sub__five.png", discs_five, 1},
  {"loose.png", "ds0", "loose.png", discs_one, 1},
};

static void
test_images (void)
{
  g_autofree gchar *out = out_dir ("img-out");
  g_autoptr (CliResult) r = NULL;
  g_autoptr (JsonObject) sum = NULL;
  guint total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (image_cases); i++) {
    total += image_cases[i].n;
    draw_image (image_cases[i].file, 160, 120, image_cases[i].discs,
        image_cases[i].n);
  }
  /* not an image: skipped inside a folder */
  g_assert_true (g_file_set_contents ("shots/notes.txt", "x", -1, NULL));

  r = run_cli ("--url", sly_test_server_get_url (server), "--json",
      "--recursive", "-o", out, "shots", "loose.png");
  g_assert_cmpint (r->status, ==, 0);
  sum = parse_object (r->out);
  g_assert_cmpint (json_object_get_int_member (sum, "frames"), ==,
      G_N_ELEMENTS (image_cases));
  g_assert_cmpint (json_object_get_int_member (sum, "objects"), ==, total);
  g_assert_cmpstr (json_object_get_string_member (sum, "project_type"), ==,
      "images");
  check_meta (out, "images");

  for (guint i = 0; i < G_N_ELEMENTS (image_cases); i++) {
    const ImageCase *c = &image_cases[i];
    g_autofree gchar *img = g_build_filename (out, c->dataset, "img",
        c->name, NULL);
    g_autofree gchar *file = g_strconcat (c->name, ".json", NULL);
    g_autofree gchar *ann_rel = g_build_filename (out, c->dataset, "ann",
        file, NULL);
    g_autofree gchar *text = NULL;
    g_autoptr (SlyAnnotation) ann = NULL;
    g_autoptr (GError) error = NULL;

    g_assert_true (exists (img));
    text = read_file (ann_rel);
    ann = sly_annotation_from_json (text, -1, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ann->width, ==, 160);
    g_assert_cmpint (ann->height, ==, 120);
    g_assert_cmpuint (ann->objects->len, ==, c->n);
    /* each drawn disc has its box (raster order of the components) */
    for (guint d = 0; d < c->n; d++) {
      SlyBox want = { c->discs[d].cx - c->discs[d].r,
        c->discs[d].cy - c->discs[d].r, c->discs[d].cx + c->discs[d].r,
        c->discs[d].cy + c->discs[d].r
      };
      gboolean found = FALSE;

      for (guint k = 0; k < ann->objects->len && !found; k++) {
        SlyObject *o = ann->objects->pdata[k];
        SlyBox got = sly_geometry_get_bbox (o->geometry);

        if (ABS (got.left - want.left) <= 2 && ABS (got.top - want.top) <= 2
            && ABS (got.right - want.right) <= 2 &&
            ABS (got.bottom - want.bottom) <= 2) {
          g_assert_cmpstr (o->class_title, ==, "ball");
          found = TRUE;
        }
      }
      if (!found)
        g_error ("%s: no box within 2 px of the disc at %d,%d r %d", c->file,
            c->discs[d].cx, c->discs[d].cy, c->discs[d].r);
    }
  }
  g_assert_false (exists ("img-out/shots/img/notes.txt"));
}

/* ---- errors ---- */

static guint
closed_port (void)
{
  struct sockaddr_in a = { 0 };
  socklen_t len = sizeof a;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &a, sizeof a), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &a, &len), ==, 0);
  close (fd);
  return ntohs (a.sin_port);
}

static guint
count_lines (const gchar * text)
{
  guint n = 0;

  for (; *text; text++)
    n += *text == '\n';
  return n;
}

static void
test_missing_input (void)
{
  g_autofree gchar *out = out_dir ("missing-out");
  g_autoptr (CliResult) r = NULL;

  draw_image ("solo/one.png", 160, 120, discs_one, 1);
  r = run_cli ("--url", sly_test_server_get_url (server), "-q", "-o", out,
      "no-such.png", "solo/one.png");
  g_assert_cmpint (r->status, ==, 1);
  g_assert_cmpstr (r->err, ==,
      "sly-annotate: no-such.png: No such file or directory\n");
  /* the other input was annotated */
  g_assert_true (exists ("missing-out/ds0/ann/one.png.json"));
  g_assert_true (exists ("missing-out/meta.json"));

  /* --fail-fast: nothing is run */
  g_clear_pointer (&r, cli_result_free);
  g_free (out);
  out = out_dir ("missing-out2");
  r = run_cli ("--url", sly_test_server_get_url (server), "-q", "-o", out,
      "--fail-fast", "no-such.png", "solo/one.png");
  g_assert_cmpint (r->status, ==, 1);
  g_assert_false (exists ("missing-out2/ds0"));

  /* a file that does not decode: named, the run goes on */
  g_clear_pointer (&r, cli_result_free);
  g_assert_true (g_file_set_contents ("broken.avi", "not a video at all",
          -1, NULL));
  r = run_cli ("--url", sly_test_server_get_url (server), "-q", "-o", out,
      "broken.avi", "ball.avi");
  g_assert_cmpint (r->status, ==, 1);
  g_assert_cmpuint (count_lines (r->err), ==, 1);
  g_assert_true (g_str_has_prefix (r->err, "sly-annotate: broken.avi: "));
  g_assert_true (exists ("missing-out2/ds0/ann/ball.avi.json"));
  g_assert_false (exists ("missing-out2/ds0/ann/broken.avi.json"));
  g_assert_false (exists ("missing-out2/ds0/video/broken.avi"));
}

static void
test_unreachable_server (void)
{
  g_autofree gchar *url =
      g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autoptr (CliResult) r = run_cli ("--url", url, "-o", "unreach-out",
      "ball.avi");

  g_assert_cmpint (r->status, ==, 3);
  g_assert_cmpuint (count_lines (r->err), ==, 1);
  g_assert_nonnull (strstr (r->err, url));
  g_assert_false (exists ("unreach-out"));
}

static void
test_token (void)
{
  SlyTestServer *platform = sly_test_server_start ("--task-id", "77",
      "--api-token", "right-token", NULL);
  const gchar *address = sly_test_server_get_url (platform);
  const gchar *wrong[] = { "SERVER_ADDRESS", address, "API_TOKEN",
    "wrong-token", NULL
  };
  const gchar *right[] = { "SERVER_ADDRESS", address, "API_TOKEN",
    "right-token", NULL
  };
  const gchar *none[] = { "SERVER_ADDRESS", address, NULL };
  const gchar *argv[] = { "--task-id", "77", "-q", "-o", "token-out",
    "ball.avi", NULL
  };
  g_autoptr (CliResult) r = run_cli_env (wrong, argv);

  g_assert_cmpint (r->status, ==, 4);
  g_assert_cmpuint (count_lines (r->err), ==, 1);
  g_assert_nonnull (strstr (r->err, "task 77"));
  g_assert_null (strstr (r->err, "wrong-token"));
  g_assert_false (exists ("token-out"));
  cli_result_free (r);

  r = run_cli_env (none, argv);
  g_assert_cmpint (r->status, ==, 4);

  /* the right token: task mode annotates */
  cli_result_free (r);
  r = run_cli_env (right, argv);
  g_assert_cmpint (r->status, ==, 0);
  check_ball_annotation ("token-out/ds0/ann/ball.avi.json", FALSE);
  sly_test_server_stop (platform);
}

static void
test_model_errors (void)
{
  SlyTestServer *empty = sly_test_server_start ("--no-model", NULL);
  g_autoptr (CliResult) r = run_cli ("--url",
      sly_test_server_get_url (empty), "-o", "model-out", "--model",
      "no-such-model", "ball.avi");

  g_assert_cmpint (r->status, ==, 5);
  g_assert_cmpuint (count_lines (r->err), ==, 1);
  g_assert_nonnull (strstr (r->err, "no-such-model"));
  cli_result_free (r);

  /* no model and none asked for */
  r = run_cli ("--url", sly_test_server_get_url (empty), "-o", "model-out",
      "ball.avi");
  g_assert_cmpint (r->status, ==, 5);
  cli_result_free (r);

  /* --model loads it */
  r = run_cli ("--url", sly_test_server_get_url (empty), "-q", "-o",
      "model-out", "--model", "blob-detector", "ball.avi");
  g_assert_cmpint (r->status, ==, 0);
  check_ball_annotation ("model-out/ds0/ann/ball.avi.json", FALSE);
  sly_test_server_stop (empty);
}

/* Every inference request fails (500): the annotation of the frames is
 * still written (no figures), but the run says so and exits 3. */
static void
test_failing_inference (void)
{
  SlyTestServer *failing = sly_test_server_start ("--fail-rate", "1",
      "--fail-kinds", "500", NULL);
  const gchar *url = sly_test_server_get_url (failing);
  g_autoptr (CliResult) r = run_cli ("--url", url, "--json", "-q", "-o",
      "fail-out", "short.avi");
  g_autoptr (JsonObject) sum = NULL;
  g_autoptr (SlyVideoAnnotation) va = NULL;

  g_assert_cmpint (r->status, ==, 3);
  g_assert_cmpuint (count_lines (r->err), ==, 1);
  g_assert_true (g_str_has_prefix (r->err, "sly-annotate: short.avi: "));
  g_assert_nonnull (strstr (r->err, url));
  sum = parse_object (r->out);
  g_assert_cmpint (json_object_get_int_member (sum, "failed"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (sum, "inferred"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (sum, "exit_code"), ==, 3);
  va = read_video_ann ("fail-out/ds0/ann/short.avi.json");
  g_assert_cmpint (va->frames_count, ==, 10);
  for (gint i = 0; i < 10; i++)
    g_assert_cmpuint (sly_video_annotation_get_frame (va, i)->figures->len,
        ==, 0);
  sly_test_server_stop (failing);
}

static void
test_usage_errors (void)
{
  g_autoptr (CliResult) r = NULL;

  draw_image ("mixed/a.png", 64, 48, discs_five, 0);
  r = run_cli ("--url", sly_test_server_get_url (server), "-o", "mixed-out",
      "mixed/a.png", "ball.avi");
  g_assert_cmpint (r->status, ==, 2);
  g_assert_nonnull (strstr (r->err, "mix 1 image(s) and 1 video(s)"));
  g_assert_false (exists ("mixed-out"));
  cli_result_free (r);

  r = run_cli ("--url", sly_test_server_get_url (server), "ball.avi");
  g_assert_cmpint (r->status, ==, 2);
  cli_result_free (r);
  r = run_cli ("--url", sly_test_server_get_url (server), "-o", "x",
      "--classes", "ball,cat", "ball.avi");
  g_assert_cmpint (r->status, ==, 2);
  g_assert_nonnull (strstr (r->err, "\"cat\""));
  cli_result_free (r);
  r = run_cli ("--url", sly_test_server_get_url (server), "-o", "x",
      "--settings", "[1]", "ball.avi");
  g_assert_cmpint (r->status, ==, 2);
}

/* ---- SIGINT, progress ---- */

static void
test_sigint (void)
{
  SlyTestServer *slow = sly_test_server_start ("--latency-ms", "40", NULL);
  const gchar *argv[] = { cli_path (), "--url",
    sly_test_server_get_url (slow), "--json", "--max-inflight", "1",
    "--progress-interval", "0.05", "-o", "int-out", "long.avi", NULL
  };
  g_autoptr (GSubprocessLauncher) l = launcher_new (NULL);
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GDataInputStream) err = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SlyVideoAnnotation) va = NULL;
  g_autoptr (JsonObject) sum = NULL;
  g_autofree gchar *out = NULL;
  guint frames = 0;

  p = g_subprocess_launcher_spawnv (l, argv, &error);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (p));
  /* wait until some frames are done */
  while (frames < 5) {
    g_autofree gchar *line = g_data_input_stream_read_line_utf8 (err, NULL,
        NULL, &error);
    const gchar *f;

    g_assert_no_error (error);
    g_assert_nonnull (line);
    f = strstr (line, "long.avi  ");
    if (f)
      frames = atoi (f + strlen ("long.avi  "));
  }
  g_subprocess_send_signal (p, SIGINT);
  g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (exit_status (p), ==, 130);

  sum = parse_object (out);
  g_assert_true (json_object_get_boolean_member (sum, "interrupted"));
  g_assert_true (json_object_get_boolean_member (sum, "partial"));
  /* the annotation of what was done: valid, framesCount of the whole video */
  va = read_video_ann ("int-out/ds0/ann/long.avi.json");
  g_assert_cmpuint (va->frames->len, >=, 5);
  g_assert_cmpuint (va->frames->len, <, 150);
  g_assert_cmpuint (va->frames->len, ==,
      json_object_get_int_member (sum, "frames"));
  g_assert_cmpint (va->frames_count, ==, 150);
  check_meta ("int-out", "videos");
  sly_test_server_stop (slow);
}

static void
test_progress_pty (void)
{
  SlyTestServer *slow = sly_test_server_start ("--latency-ms", "25", NULL);
  g_autofree gchar *cmd = g_strdup_printf ("%s --url %s -o pty-out long.avi",
      cli_path (), sly_test_server_get_url (slow));
  const gchar *env[] = { "TERM", "xterm", NULL };
  const gchar *argv[] = { "script", "-q", "-e", "-c", cmd, "/dev/null",
    NULL
  };
  g_autoptr (GSubprocessLauncher) l = launcher_new (env);
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL;
  guint redraws = 0;
  const gchar *s;

  p = g_subprocess_launcher_spawnv (l, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (exit_status (p), ==, 0);
  /* one line redrawn in place: carriage return, erase line */
  for (s = out; (s = strstr (s, "\r\033[K[1/1] long.avi  ")); s++)
    redraws++;
  g_assert_cmpuint (redraws, >=, 3);
  g_assert_nonnull (strstr (out, "/150 frames"));
  g_assert_nonnull (strstr (out, " fps  "));
  g_assert_nonnull (strstr (out, "ETA "));
  g_assert_nonnull (strstr (out, "150/150 frames 100%"));
  g_assert_null (strstr (out, "sly-annotate: [1/1]"));
  /* the summary */
  g_assert_nonnull (strstr (out, "frames 150, inferred 150, failed 0, "
          "objects 150, tracks 0"));
  sly_test_server_stop (slow);
}

static void
test_progress_pipe (void)
{
  SlyTestServer *slow = sly_test_server_start ("--latency-ms", "10", NULL);
  g_autoptr (CliResult) r = run_cli ("--url",
      sly_test_server_get_url (slow), "--progress-interval", "0.2", "-o",
      "pipe-out", "long.avi");
  g_auto (GStrv) lines = NULL;
  guint n_progress = 0;

  g_assert_cmpint (r->status, ==, 0);
  g_assert_null (strchr (r->err, '\r'));
  g_assert_null (strchr (r->err, '\033'));
  lines = g_strsplit (g_strchomp (r->err), "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    g_assert_true (g_str_has_prefix (lines[i],
            "sly-annotate: [1/1] long.avi  "));
    if (lines[i + 1] == NULL)
      g_assert_true (g_str_has_suffix (lines[i], "done"));
    else
      n_progress++;
  }
  g_assert_cmpuint (n_progress, >=, 1);
  g_assert_nonnull (strstr (r->out, "done: 1 of 1 input(s) annotated into "
          "pipe-out (videos project)\n"));
  sly_test_server_stop (slow);

  /* --quiet: nothing but errors */
  cli_result_free (r);
  r = run_cli ("--url", sly_test_server_get_url (server), "--quiet", "-o",
      "quiet-out", "ball.avi");
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->out, ==, "");
  g_assert_cmpstr (r->err, ==, "");
}

static void
test_overlay (void)
{
  g_autoptr (CliResult) r = run_cli ("--url", sly_test_server_get_url (server),
      "--json", "--overlay", "-o", "ov-out", "ball.avi");
  g_autoptr (JsonObject) sum = NULL;
  const gchar *enc;
  g_autofree gchar *file = NULL;
  g_autofree gchar *desc = NULL;
  g_autoptr (GError) error = NULL;
  GstElement *pipeline;

  g_assert_cmpint (r->status, ==, 0);
  sum = parse_object (r->out);
  enc = json_object_get_string_member (sum, "overlay_encoder");
  g_assert_nonnull (enc);
  file = g_strdup_printf ("%s/ov-out/ds0/overlay/ball.avi.%s", workdir,
      g_str_equal (enc, "vp8enc") ? "webm" : g_str_equal (enc, "jpegenc") ?
      "avi" : "mp4");
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  /* it plays to the end */
  desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! fakesink",
      file);
  pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  run_to_eos (pipeline);
  gst_object_unref (pipeline);
}

int
main (int argc, char **argv)
{
  g_autofree gchar *long_avi = NULL;
  g_autofree gchar *short_avi = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  workdir = g_dir_make_tmp ("sly-annotate-XXXXXX", NULL);
  g_assert_nonnull (workdir);
  g_assert_cmpint (chdir (workdir), ==, 0);
  ball_avi = g_build_filename (workdir, "ball.avi", NULL);
  long_avi = g_build_filename (workdir, "long.avi", NULL);
  make_ball_video (ball_avi, N_FRAMES, TRUE);
  make_ball_video (long_avi, 150, FALSE);
  short_avi = g_build_filename (workdir, "short.avi", NULL);
  make_ball_video (short_avi, 10, FALSE);
  server = sly_test_server_startv (NULL);

  g_test_add_func ("/cli/video-project", test_video_project);
  g_test_add_func ("/cli/video-tracking", test_video_tracking);
  g_test_add_func ("/cli/images", test_images);
  g_test_add_func ("/cli/missing-input", test_missing_input);
  g_test_add_func ("/cli/unreachable-server", test_unreachable_server);
  g_test_add_func ("/cli/wrong-token", test_token);
  g_test_add_func ("/cli/model-errors", test_model_errors);
  g_test_add_func ("/cli/failing-inference", test_failing_inference);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/sigint", test_sigint);
  g_test_add_func ("/cli/progress-pty", test_progress_pty);
  g_test_add_func ("/cli/progress-pipe", test_progress_pipe);
  g_test_add_func ("/cli/overlay", test_overlay);
  ret = g_test_run ();

  sly_test_server_stop (server);
  if (ret == 0) {
    g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", workdir);

    g_assert_cmpint (system (cmd), ==, 0);
  }
  g_free (ball_avi);
  g_free (workdir);
  return ret;
}
