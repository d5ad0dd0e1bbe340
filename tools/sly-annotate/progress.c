/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Progress on stderr: on a terminal one line per input, redrawn in place
 * (frames done/total, percent, fps, elapsed, ETA); elsewhere a plain line
 * every --progress-interval seconds and one when an input is done. Images
 * share one line: the image set counts as one input.
 */
#include "sly-annotate.h"

#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

gchar *
sly_format_duration (gdouble seconds)
{
  guint s;

  if (seconds < 0)
    seconds = 0;
  s = (guint) (seconds + 0.5);
  if (s >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
  return g_strdup_printf ("%u:%02u", s / 60, s % 60);
}

static guint
terminal_columns (void)
{
  struct winsize ws;

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

void
sly_progress_clear (SlyApp * app)
{
  if (app->tty && !app->opts->quiet)
    fputs ("\r\033[K", stderr);
}

/* "done/total unit (pct%)" with fps, elapsed and ETA, into @line */
static void
describe (GString * line, guint64 done, guint64 total, const gchar * unit,
    const gchar * rate_unit, gdouble elapsed, gboolean final)
{
  g_autofree gchar *el = sly_format_duration (elapsed);
  gdouble rate = elapsed > 0 ? done / elapsed : 0;

  if (total > 0 && done <= total)
    g_string_append_printf (line, "%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
        " %s %3u%%", done, total, unit, (guint) (100 * done / total));
  else
    g_string_append_printf (line, "%" G_GUINT64_FORMAT " %s", done, unit);
  g_string_append_printf (line, "  %.1f %s  %s elapsed", rate, rate_unit, el);
  if (!final && total > 0 && done > 0 && done <= total) {
    g_autofree gchar *eta =
        sly_format_duration (elapsed * (total - done) / done);

    g_string_append_printf (line, "  ETA %s", eta);
  } else if (!final) {
    g_string_append (line, "  ETA --:--");
  }
}

void
sly_progress_update (SlyApp * app, SlyInput * in, guint index,
    guint n_inputs, gboolean final)
{
  g_autoptr (GString) line = g_string_new (NULL);
  gboolean images = in->kind == SLY_INPUT_IMAGE;
  guint64 done, total;
  gdouble elapsed;

  if (app->opts->quiet)
    return;
  if (final && in->state == SLY_INPUT_FAILED) {
    /* main.c prints the error; only the redrawn line goes */
    sly_progress_clear (app);
    return;
  }
  if (images) {
    done = app->images_done;
    total = app->images_total;
    elapsed = (g_get_monotonic_time () - app->images_start_us) / 1e6;
    g_string_append_printf (line, "[images] %s  ", in->display);
    describe (line, done, total, "images", "img/s", elapsed, final);
  } else {
    done = in->frames;
    total = in->total_frames;
    if (final && in->state == SLY_INPUT_DONE)
      total = done;             /* the real count: the estimate may be off */
    elapsed = in->seconds;
    g_string_append_printf (line, "[%u/%u] %s  ", index + 1, n_inputs,
        in->display);
    describe (line, done, total, "frames", "fps", elapsed, final);
    if (final)
      g_string_append_printf (line, "  %" G_GUINT64_FORMAT " objects, %"
          G_GUINT64_FORMAT " tracks%s", in->objects, in->tracks,
          in->state == SLY_INPUT_PARTIAL ? "  (partial)" : "");
  }

  if (app->tty) {
    guint cols = terminal_columns ();

    if (line->len >= cols)
      g_string_truncate (line, cols - 1);
    fprintf (stderr, "\r\033[K%s%s", line->str, final ? "\n" : "");
  } else {
    fprintf (stderr, "sly-annotate: %s%s\n", line->str, !final ? "" :
        (images ? app->images_done == app->images_total :
            in->state == SLY_INPUT_DONE) ? "  done" : "  stopped");
  }
  fflush (stderr);
}
