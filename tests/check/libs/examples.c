/* The meta API examples of docs/examples, run against sly-model-server
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include <gst/check/gstcheck.h>

#include "slytestserver.h"

/* from meson: PYTHON, EXAMPLE_PY, EXAMPLE_C */

#define N_FRAMES 5
/* videotestsrc's default size */
#define FRAME_WIDTH 320
#define FRAME_HEIGHT 240

static gchar *
run_example (const gchar * const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *err = NULL;
  g_auto (GStrv) env = g_get_environ ();
  const gchar *asan = g_environ_getenv (env, "ASAN_OPTIONS");
  gchar *out = NULL;
  gint status = 0;

  /* In the ASan run, LeakSanitizer's stop-the-world crashes in CPython at
   * exit ("Tracer caught signal 11"), and CPython's own allocations are
   * suppressed anyway: no leak check of the interpreter. */
  if (asan != NULL && strstr (argv[0], "python") != NULL) {
    g_autofree gchar *no_leaks = g_strdup_printf ("%s:detect_leaks=0", asan);

    env = g_environ_setenv (env, "ASAN_OPTIONS", no_leaks, TRUE);
  }
  fail_unless (g_spawn_sync (NULL, (gchar **) argv, env, G_SPAWN_DEFAULT,
          NULL, NULL, &out, &err, &status, &error), "%s: %s", argv[0],
      error ? error->message : "");
  fail_unless (g_spawn_check_wait_status (status, &error),
      "%s failed: %s\nstdout:\n%s\nstderr:\n%s", argv[0], error->message, out,
      err);
  return out;
}

/* The lines that describe objects ("  class confidence box x,y wxh track
 * id"); the frame lines also hold the round trip, which differs per run. */
static GPtrArray *
object_lines (const gchar * out, guint * n_frames)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *objects = g_ptr_array_new_with_free_func (g_free);
  guint i;

  *n_frames = 0;
  for (i = 0; lines[i]; i++) {
    if (g_str_has_prefix (lines[i], "frame ")) {
      fail_unless (strstr (lines[i], ": inferred, model blob-detector,")
          != NULL, "frame not inferred: %s", lines[i]);
      (*n_frames)++;
    } else if (g_str_has_prefix (lines[i], "  ")) {
      g_ptr_array_add (objects, g_strdup (lines[i]));
    }
  }
  return objects;
}

static void
assert_ball_in_frame (const gchar * line)
{
  gchar title[64];
  gdouble confidence;
  gint x, y, w, h;

  fail_unless (sscanf (line, "  %63s %lf box %d,%d %dx%d track -", title,
          &confidence, &x, &y, &w, &h) == 6, "bad line: %s", line);
  fail_unless_equals_string (title, "ball");
  fail_unless (confidence > 0 && confidence <= 1, "%s", line);
  fail_unless (x >= 0 && y >= 0 && w > 0 && h > 0, "%s", line);
  fail_unless (x + w <= FRAME_WIDTH && y + h <= FRAME_HEIGHT, "%s", line);
}

/* Test that the Python example, through the GstSlyMeta typelib, prints for
 * every frame the same objects as the C example: one ball per frame, inside
 * the frame, from the blob detector. */
GST_START_TEST (test_python_example_matches_c)
{
  SlyTestServer *server = sly_test_server_start ("--model", "blob-detector",
      NULL);
  g_autofree gchar *py_out = NULL;
  g_autofree gchar *c_out = NULL;
  g_autoptr (GPtrArray) py_objects = NULL;
  g_autoptr (GPtrArray) c_objects = NULL;
  g_autofree gchar *n = g_strdup_printf ("%d", N_FRAMES);
  const gchar *url = sly_test_server_get_url (server);
  const gchar *py_argv[] = { PYTHON, EXAMPLE_PY, url, n, NULL };
  const gchar *c_argv[] = { EXAMPLE_C, url, n, NULL };
  guint py_frames, c_frames, i;

  py_out = run_example (py_argv);
  c_out = run_example (c_argv);
  sly_test_server_stop (server);

  py_objects = object_lines (py_out, &py_frames);
  c_objects = object_lines (c_out, &c_frames);
  fail_unless_equals_int (py_frames, N_FRAMES);
  fail_unless_equals_int (c_frames, N_FRAMES);
  fail_unless_equals_int (c_objects->len, N_FRAMES);
  fail_unless_equals_int (py_objects->len, c_objects->len);
  for (i = 0; i < c_objects->len; i++) {
    fail_unless_equals_string (g_ptr_array_index (py_objects, i),
        g_ptr_array_index (c_objects, i));
    assert_ball_in_frame (g_ptr_array_index (c_objects, i));
  }
}

GST_END_TEST;

static Suite *
examples_suite (void)
{
  Suite *s = suite_create ("examples");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_python_example_matches_c);
  return s;
}

GST_CHECK_MAIN (examples);
