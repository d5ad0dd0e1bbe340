/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One input through one pipeline:
 *   uridecodebin ! videoconvert ! slymodelinfer [! tee ! overlay branch]
 *   ! fakesink
 * A probe on slymodelinfer's src pad reads every frame's prediction meta
 * (in output order) into the annotation; EOS writes it.
 */
#include "sly-annotate.h"
#include "slyjson.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/video/video.h>

#include "gstslypredictionmeta.h"
#include "slyannotation.h"
#include "slyvideoannotation.h"

struct _SlyRun
{
  SlyApp *app;
  SlyInput *in;
  guint index, n_inputs;
  GstElement *pipeline;
  GstElement *infer;
  GstElement *convert;

  GMutex lock;                  /* the streaming thread's results */
  guint64 frames, inferred, failed, objects;
  GHashTable *tracks;           /* track id set */
  SlyVideoAnnotation *va;
  SlyAnnotation *image_ann;
  SlyAnnotation *empty;
  gint width, height, fps_n, fps_d;
  FILE *jsonl;
  gchar *jsonl_path;

  gint64 start_us;
  GstClockTime duration;
  gboolean eos;
  gboolean stopping;            /* EOS sent after SIGINT */
  gchar *error;                 /* first error */
  gchar *warning;               /* last warning of slymodelinfer */
  SlyExit error_code;
  gboolean server_error;
  guint progress_id;
  guint stop_id;
};

gboolean
sly_annotate_write_atomic (const gchar * path, const gchar * contents,
    GError ** error)
{
  /* g_file_set_contents: a temporary file beside @path, fsync, rename */
  return g_file_set_contents_full (path, contents, -1,
      G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

gchar *
sly_annotate_dataset_dir (SlyApp * app, const gchar * dataset,
    const gchar * sub)
{
  return g_build_filename (app->opts->output, dataset, sub, NULL);
}

/* ---- streaming thread ---- */

static void
write_jsonl_line (SlyRun * run, guint64 index, GstBuffer * buf,
    GstSlyPredictionMeta * meta)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *line = NULL;
  FILE *f = run->jsonl;

  if (run->in->kind == SLY_INPUT_IMAGE)
    f = g_hash_table_lookup (run->app->image_jsonl, run->in->dataset);
  if (f == NULL)
    return;

  json_builder_begin_object (b);
  if (run->in->kind == SLY_INPUT_IMAGE) {
    json_builder_set_member_name (b, "name");
    json_builder_add_string_value (b, run->in->name);
  }
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, (gint64) index);
  json_builder_set_member_name (b, "pts");
  if (GST_BUFFER_PTS_IS_VALID (buf))
    json_builder_add_int_value (b, (gint64) GST_BUFFER_PTS (buf));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "status");
  if (meta)
    json_builder_add_string_value (b,
        gst_sly_frame_status_get_nick (meta->status));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "annotation");
  if (meta && meta->annotation)
    json_builder_add_value (b, sly_annotation_to_json_node (meta->annotation));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  /* the project's one writer: shortest round-trip doubles, valid JSON */
  root = json_builder_get_root (b);
  line = sly_json_to_string (root);
  fputs (line, f);
  fputc ('\n', f);
  fflush (f);
}

static GstPadProbeReturn
on_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  SlyRun *run = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

    if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
      GstCaps *caps;
      GstVideoInfo vinfo;

      gst_event_parse_caps (event, &caps);
      if (gst_video_info_from_caps (&vinfo, caps)) {
        g_mutex_lock (&run->lock);
        run->width = GST_VIDEO_INFO_WIDTH (&vinfo);
        run->height = GST_VIDEO_INFO_HEIGHT (&vinfo);
        run->fps_n = GST_VIDEO_INFO_FPS_N (&vinfo);
        run->fps_d = GST_VIDEO_INFO_FPS_D (&vinfo);
        if (run->va == NULL && run->in->kind == SLY_INPUT_VIDEO)
          run->va = sly_video_annotation_new (run->width, run->height);
        if (run->va) {
          run->va->width = run->width;
          run->va->height = run->height;
        }
        g_clear_pointer (&run->empty, sly_annotation_unref);
        run->empty = sly_annotation_new (run->width, run->height);
        g_mutex_unlock (&run->lock);
      }
    }
    return GST_PAD_PROBE_OK;
  }

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    GstSlyPredictionMeta *meta = gst_buffer_get_sly_prediction_meta (buf);
    SlyAnnotation *ann = meta ? meta->annotation : NULL;
    guint64 index;

    g_mutex_lock (&run->lock);
    index = run->frames++;
    if (meta && meta->status == GST_SLY_FRAME_STATUS_INFERRED)
      run->inferred++;
    if (meta == NULL || meta->status == GST_SLY_FRAME_STATUS_FAILED)
      run->failed++;
    if (ann) {
      run->objects += ann->objects->len;
      for (guint i = 0; i < ann->objects->len; i++) {
        const SlyObject *obj = g_ptr_array_index (ann->objects, i);

        if (obj->track_id > 0)
          g_hash_table_add (run->tracks, g_memdup2 (&obj->track_id,
                  sizeof (gint64)));
      }
    }
    if (run->empty == NULL)
      run->empty = sly_annotation_new (run->width, run->height);
    if (run->in->kind == SLY_INPUT_VIDEO) {
      if (run->va == NULL)
        run->va = sly_video_annotation_new (run->width, run->height);
      if (index < G_MAXINT)
        sly_video_annotation_add_frame (run->va, (gint) index,
            ann ? ann : run->empty);
    } else if (run->image_ann == NULL) {
      /* an image decodes to one frame; a second one (animated) is ignored */
      run->image_ann = sly_annotation_ref (ann ? ann : run->empty);
    }
    write_jsonl_line (run, index, buf, meta);
    g_mutex_unlock (&run->lock);
  }
  return GST_PAD_PROBE_OK;
}

/* ---- pipeline ---- */

static void
on_pad_added (GstElement * decodebin, GstPad * pad, gpointer user_data)
{
  SlyRun *run = user_data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstPad *sinkpad;
  const GstStructure *s;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  s = gst_caps_get_structure (caps, 0);
  if (g_str_has_prefix (gst_structure_get_name (s), "video/")) {
    sinkpad = gst_element_get_static_pad (run->convert, "sink");
    if (!gst_pad_is_linked (sinkpad)) {
      gst_pad_link (pad, sinkpad);
      gst_object_unref (sinkpad);
      return;
    }
    gst_object_unref (sinkpad);
  }
  /* audio, subtitles, a second video stream: consumed and ignored */
  {
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);

    g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (run->pipeline), sink);
    gst_element_sync_state_with_parent (sink);
    sinkpad = gst_element_get_static_pad (sink, "sink");
    gst_pad_link (pad, sinkpad);
    gst_object_unref (sinkpad);
  }
}

static void
set_infer_properties (SlyRun * run)
{
  SlyOptions *o = run->app->opts;
  GObject *e = G_OBJECT (run->infer);
  g_autofree gchar *s = NULL;

  if (o->url)
    g_object_set (e, "url", o->url, NULL);
  if (o->task_id > 0)
    g_object_set (e, "task-id", o->task_id, NULL);
  if (o->server_address)
    g_object_set (e, "server-address", o->server_address, NULL);
  /* the token: the element reads $API_TOKEN or ~/supervisely.env itself */
  if (o->conf >= 0)
    g_object_set (e, "conf", o->conf, NULL);
  if (o->classes)
    g_object_set (e, "classes", o->classes, NULL);
  if (o->settings)
    g_object_set (e, "settings", o->settings, NULL);
  if (o->tracking && run->in->kind == SLY_INPUT_VIDEO) {
    g_object_set (e, "tracking", TRUE, NULL);
    if (o->tracking_config)
      g_object_set (e, "tracking-config", o->tracking_config, NULL);
  }
  g_object_set (e, "max-inflight", o->max_inflight, "batch-size",
      o->batch_size, "inference-interval", o->inference_interval,
      "overload", 1 /* wait */ , NULL);
}

static gchar *
overlay_path (SlyRun * run, const gchar * ext)
{
  g_autofree gchar *dir =
      sly_annotate_dataset_dir (run->app, run->in->dataset, "overlay");
  g_autofree gchar *file = g_strconcat (run->in->name, ".", ext, NULL);

  return g_build_filename (dir, file, NULL);
}

static GstElement *
make_overlay_branch (SlyRun * run, GError ** error)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *desc = NULL;
  GstElement *bin;
  GstElement *sink;

  if (run->in->kind == SLY_INPUT_VIDEO) {
    path = overlay_path (run, run->app->encoder_ext);
    desc = g_strdup_printf ("queue ! videoconvert ! slyoverlay ! "
        "videoconvert ! %s ! filesink name=osink", run->app->encoder_bin);
  } else {
    path = overlay_path (run, "png");
    desc = g_strdup ("queue ! videoconvert ! slyoverlay ! videoconvert ! "
        "pngenc ! filesink name=osink");
  }
  bin = gst_parse_bin_from_description (desc, TRUE, error);
  if (bin == NULL)
    return NULL;
  sink = gst_bin_get_by_name (GST_BIN (bin), "osink");
  g_object_set (sink, "location", path, NULL);
  gst_object_unref (sink);
  return bin;
}

static gboolean
build_pipeline (SlyRun * run, GError ** error)
{
  GstElement *src, *sink, *tee = NULL;
  GstPad *pad;

  run->pipeline = gst_pipeline_new ("sly-annotate");
  src = gst_element_factory_make ("uridecodebin", NULL);
  run->convert = gst_element_factory_make ("videoconvert", NULL);
  run->infer = gst_element_factory_make ("slymodelinfer", NULL);
  sink = gst_element_factory_make ("fakesink", NULL);
  if (!src || !run->convert || !run->infer || !sink) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "%s is not installed (GST_PLUGIN_PATH?)", !run->infer ?
        "the slymodelinfer element" : "a GStreamer base element");
    g_clear_object (&src);
    g_clear_object (&run->convert);
    g_clear_object (&run->infer);
    g_clear_object (&sink);
    return FALSE;
  }
  g_object_set (src, "uri", run->in->uri, NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  set_infer_properties (run);
  gst_bin_add_many (GST_BIN (run->pipeline), src, run->convert, run->infer,
      sink, NULL);
  gst_element_link (run->convert, run->infer);

  if (run->app->opts->overlay) {
    GstElement *branch = make_overlay_branch (run, error);

    if (branch == NULL)
      return FALSE;
    tee = gst_element_factory_make ("tee", NULL);
    gst_bin_add_many (GST_BIN (run->pipeline), tee, branch, NULL);
    gst_element_link (run->infer, tee);
    gst_element_link (tee, branch);
    {
      GstElement *q = gst_element_factory_make ("queue", NULL);

      gst_bin_add (GST_BIN (run->pipeline), q);
      gst_element_link_many (tee, q, sink, NULL);
    }
  } else {
    gst_element_link (run->infer, sink);
  }
  g_signal_connect (src, "pad-added", G_CALLBACK (on_pad_added), run);

  pad = gst_element_get_static_pad (run->infer, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_probe, run, NULL);
  gst_object_unref (pad);
  return TRUE;
}

/* ---- main thread ---- */

static void
snapshot (SlyRun * run)
{
  SlyInput *in = run->in;

  g_mutex_lock (&run->lock);
  in->frames = run->frames;
  in->inferred = run->inferred;
  in->failed = run->failed;
  in->objects = run->objects;
  in->tracks = g_hash_table_size (run->tracks);
  if (in->kind == SLY_INPUT_VIDEO && run->fps_n > 0 && run->fps_d > 0 &&
      GST_CLOCK_TIME_IS_VALID (run->duration))
    in->total_frames = gst_util_uint64_scale_round (run->duration,
        run->fps_n, (guint64) run->fps_d * GST_SECOND);
  g_mutex_unlock (&run->lock);
  in->seconds = (g_get_monotonic_time () - run->start_us) / 1e6;
}

static gboolean
on_progress (gpointer user_data)
{
  SlyRun *run = user_data;

  if (!GST_CLOCK_TIME_IS_VALID (run->duration)) {
    gint64 d;

    if (gst_element_query_duration (run->pipeline, GST_FORMAT_TIME, &d)
        && d > 0)
      run->duration = d;
  }
  snapshot (run);
  sly_progress_update (run->app, run->in, run->index, run->n_inputs, FALSE);
  return G_SOURCE_CONTINUE;
}

/* The server-side failures of slymodelinfer at start (docs/slymodelinfer.md
 * "Errors") end the whole run; anything else is this input's fault. */
static void
classify_error (SlyRun * run, GstMessage * msg, const GError * err)
{
  const GstStructure *details = NULL;
  guint status = 0;

  if (GST_MESSAGE_SRC (msg) != GST_OBJECT (run->infer)) {
    run->error_code = SLY_EXIT_INPUT;
    return;
  }
  run->server_error = TRUE;
  gst_message_parse_error_details (msg, &details);
  if (details)
    gst_structure_get_uint (details, "http-status-code", &status);
  if (status == 401 || status == 403)
    run->error_code = SLY_EXIT_AUTH;
  else if (g_str_has_prefix (err->message, "Could not load model") ||
      strstr (err->message, "not yet been deployed") != NULL)
    run->error_code = SLY_EXIT_MODEL;
  else
    run->error_code = SLY_EXIT_SERVER;
}

static gboolean
on_bus (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  SlyRun *run = user_data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_EOS:
      run->eos = TRUE;
      g_main_loop_quit (run->app->loop);
      break;
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) err = NULL;
      g_autofree gchar *dbg = NULL;

      gst_message_parse_error (msg, &err, &dbg);
      if (run->error == NULL) {
        run->error = g_strdup (err->message);
        classify_error (run, msg, err);
      }
      g_main_loop_quit (run->app->loop);
      break;
    }
    case GST_MESSAGE_WARNING:
      if (GST_MESSAGE_SRC (msg) == GST_OBJECT (run->infer)) {
        g_autoptr (GError) err = NULL;

        gst_message_parse_warning (msg, &err, NULL);
        g_free (run->warning);
        run->warning = g_strdup (err->message);
      }
      break;
    case GST_MESSAGE_DURATION_CHANGED:
      run->duration = GST_CLOCK_TIME_NONE;
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  SlyRun *run = user_data;

  run->stop_id = 0;
  g_main_loop_quit (run->app->loop);
  return G_SOURCE_REMOVE;
}

/* Called by main.c's signal handler: the first Ctrl-C drains the pipeline
 * (EOS: answers in flight still come back, the muxer finishes the file),
 * a second one, or 5 s without EOS, stops at once. */
void sly_annotate_run_interrupt (SlyRun * run);

void
sly_annotate_run_interrupt (SlyRun * run)
{
  if (!run->stopping) {
    run->stopping = TRUE;
    gst_element_send_event (run->pipeline, gst_event_new_eos ());
    run->stop_id = g_timeout_add_seconds (5, on_stop_timeout, run);
  } else {
    g_main_loop_quit (run->app->loop);
  }
}

static gboolean
ensure_dir (const gchar * dir, GError ** error)
{
  if (g_mkdir_with_parents (dir, 0755) != 0) {
    int e = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "cannot create %s: %s", dir, g_strerror (e));
    return FALSE;
  }
  return TRUE;
}

/* video/<name> or img/<name>: a hard link, else a symbolic link (another
 * file system), or a copy with --copy-media. */
static gboolean
place_media (SlyRun * run, GError ** error)
{
  SlyOptions *o = run->app->opts;
  const gchar *sub = run->in->kind == SLY_INPUT_VIDEO ? "video" : "img";
  g_autofree gchar *dir = NULL;
  g_autofree gchar *dest = NULL;
  g_autofree gchar *abs = NULL;

  if (o->no_media || run->in->path == NULL)
    return TRUE;
  dir = sly_annotate_dataset_dir (run->app, run->in->dataset, sub);
  if (!ensure_dir (dir, error))
    return FALSE;
  dest = g_build_filename (dir, run->in->name, NULL);
  abs = g_canonicalize_filename (run->in->path, NULL);

  if (o->copy_media) {
    g_autoptr (GFile) from = g_file_new_for_path (abs);
    g_autoptr (GFile) to = g_file_new_for_path (dest);

    return g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL,
        error);
  }
  {
    g_autofree gchar *real_dest = g_canonicalize_filename (dest, NULL);

    if (g_strcmp0 (real_dest, abs) == 0)
      return TRUE;              /* annotating the project's own media */
  }
  (void) unlink (dest);
  if (link (abs, dest) == 0)
    return TRUE;
  if (symlink (abs, dest) == 0)
    return TRUE;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
      "cannot link %s to %s: %s", dest, abs, g_strerror (errno));
  return FALSE;
}

static gboolean
write_results (SlyRun * run, gboolean complete, GError ** error)
{
  g_autofree gchar *ann_dir =
      sly_annotate_dataset_dir (run->app, run->in->dataset, "ann");
  g_autofree gchar *file = g_strconcat (run->in->name, ".json", NULL);
  g_autofree gchar *path = g_build_filename (ann_dir, file, NULL);
  g_autofree gchar *json = NULL;

  if (!ensure_dir (ann_dir, error))
    return FALSE;
  g_mutex_lock (&run->lock);
  if (run->in->kind == SLY_INPUT_VIDEO) {
    if (!complete && run->in->total_frames > run->frames)
      sly_video_annotation_set_frames_count (run->va,
          (gint) MIN (run->in->total_frames, G_MAXINT));
    json = sly_video_annotation_to_json (run->va);
  } else {
    json = sly_annotation_to_json (run->image_ann);
  }
  g_mutex_unlock (&run->lock);
  if (!place_media (run, error))
    return FALSE;
  return sly_annotate_write_atomic (path, json, error);
}

static void
fail (SlyRun * run, SlyExit code, const gchar * fmt, ...)
G_GNUC_PRINTF (3, 4);

     static void fail (SlyRun * run, SlyExit code, const gchar * fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  g_free (run->in->error);
  run->in->error = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  run->in->state = SLY_INPUT_FAILED;
  run->in->code = code;
}

static gboolean
open_jsonl (SlyRun * run, GError ** error)
{
  g_autofree gchar *dir = NULL;
  g_autofree gchar *file = NULL;
  g_autofree gchar *path = NULL;
  FILE *f;

  if (!run->app->opts->jsonl)
    return TRUE;
  dir = sly_annotate_dataset_dir (run->app, run->in->dataset, "jsonl");
  if (!ensure_dir (dir, error))
    return FALSE;
  if (run->in->kind == SLY_INPUT_IMAGE &&
      g_hash_table_contains (run->app->image_jsonl, run->in->dataset))
    return TRUE;
  file = g_strconcat (run->in->kind == SLY_INPUT_VIDEO ? run->in->name :
      "images", ".jsonl", NULL);
  path = g_build_filename (dir, file, NULL);
  f = fopen (path, "w");
  if (f == NULL) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
        "cannot write %s: %s", path, g_strerror (errno));
    return FALSE;
  }
  if (run->in->kind == SLY_INPUT_IMAGE)
    g_hash_table_insert (run->app->image_jsonl, g_strdup (run->in->dataset), f);
  else
    run->jsonl = f;
  return TRUE;
}

static void
keep_model_meta (SlyRun * run)
{
  g_autofree gchar *meta = NULL;
  g_autoptr (GError) error = NULL;

  if (run->app->meta_json != NULL)
    return;
  g_object_get (run->infer, "model-meta", &meta, NULL);
  if (meta == NULL)
    return;
  if (!sly_annotate_write_meta (run->app, meta, run->in->kind, &error)) {
    g_printerr ("sly-annotate: %s\n", error->message);
    return;
  }
  run->app->meta_json = g_steal_pointer (&meta);
}

gboolean
sly_annotate_run_input (SlyApp * app, SlyInput * in, guint index,
    guint n_inputs)
{
  SlyRun run = { 0 };
  g_autoptr (GError) error = NULL;
  GstBus *bus;
  guint bus_id;
  gboolean complete;

  run.app = app;
  run.in = in;
  run.index = index;
  run.n_inputs = n_inputs;
  run.duration = GST_CLOCK_TIME_NONE;
  run.tracks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      NULL);
  g_mutex_init (&run.lock);
  run.start_us = g_get_monotonic_time ();

  if (in->path && g_access (in->path, R_OK) != 0) {
    fail (&run, SLY_EXIT_INPUT, "%s: %s", in->display, g_strerror (errno));
    goto out;
  }
  if (app->opts->overlay) {
    g_autofree gchar *dir =
        sly_annotate_dataset_dir (app, in->dataset, "overlay");

    if (!ensure_dir (dir, &error)) {
      fail (&run, SLY_EXIT_OUTPUT, "%s", error->message);
      goto out;
    }
  }
  if (!open_jsonl (&run, &error)) {
    fail (&run, SLY_EXIT_OUTPUT, "%s", error->message);
    goto out;
  }
  if (!build_pipeline (&run, &error)) {
    fail (&run, SLY_EXIT_INPUT, "%s: %s", in->display, error->message);
    goto out;
  }

  bus = gst_element_get_bus (run.pipeline);
  bus_id = gst_bus_add_watch (bus, on_bus, &run);
  gst_object_unref (bus);
  app->run = &run;
  if (in->kind == SLY_INPUT_VIDEO || !app->tty)
    run.progress_id = g_timeout_add (app->tty ? 200 :
        (guint) (app->opts->progress_interval * 1000), on_progress, &run);
  if (gst_element_set_state (run.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE && run.error == NULL) {
    /* the error message, if any, is on the bus: let the loop read it */
    run.error_code = SLY_EXIT_INPUT;
  }
  if (!app->interrupted)
    g_main_loop_run (app->loop);
  /* drain messages posted before the loop quit (an error after EOS) */
  {
    GstMessage *msg;

    bus = gst_element_get_bus (run.pipeline);
    while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
      on_bus (bus, msg, &run);
      gst_message_unref (msg);
    }
    gst_object_unref (bus);
  }
  if (run.eos || run.error == NULL)
    keep_model_meta (&run);
  gst_element_set_state (run.pipeline, GST_STATE_NULL);
  app->run = NULL;
  g_source_remove (bus_id);
  if (run.progress_id)
    g_source_remove (run.progress_id);
  if (run.stop_id)
    g_source_remove (run.stop_id);
  snapshot (&run);

  /* an image is whole once its frame is out, even when Ctrl-C came then */
  complete = (run.eos && !run.stopping) || (in->kind == SLY_INPUT_IMAGE &&
      run.frames > 0);
  if (run.error != NULL) {
    if (run.server_error)
      fail (&run, run.error_code, "%s", run.error);
    else
      fail (&run, SLY_EXIT_INPUT, "%s: %s", in->display, run.error);
    if (run.server_error)
      app->fatal = run.error_code;
  } else if (run.frames == 0 && !app->interrupted) {
    fail (&run, SLY_EXIT_INPUT, "%s: no video frames decoded", in->display);
  } else if (run.frames == 0) {
    /* interrupted before the first frame: nothing to write */
    in->state = SLY_INPUT_PENDING;
  } else if (!write_results (&run, complete, &error)) {
    fail (&run, SLY_EXIT_OUTPUT, "%s", error->message);
  } else {
    in->state = complete ? SLY_INPUT_DONE : SLY_INPUT_PARTIAL;
    if (run.failed > 0) {
      /* written, but frames without predictions: the server failed them */
      in->code = SLY_EXIT_SERVER;
      in->error = g_strdup_printf ("%s: %" G_GUINT64_FORMAT " of %"
          G_GUINT64_FORMAT " frames got no prediction from the model server "
          "at %s%s%s", in->display, run.failed, run.frames, app->server,
          run.warning ? ": " : "", run.warning ? run.warning : "");
    }
  }

out:
  if (run.jsonl)
    fclose (run.jsonl);
  if (in->kind == SLY_INPUT_VIDEO || in->state == SLY_INPUT_FAILED)
    sly_progress_update (app, in, index, n_inputs, TRUE);
  g_clear_object (&run.pipeline);
  g_clear_pointer (&run.va, sly_video_annotation_unref);
  g_clear_pointer (&run.image_ann, sly_annotation_unref);
  g_clear_pointer (&run.empty, sly_annotation_unref);
  g_hash_table_unref (run.tracks);
  g_mutex_clear (&run.lock);
  g_free (run.error);
  g_free (run.warning);
  in->seconds = (g_get_monotonic_time () - run.start_us) / 1e6;
  return !app->interrupted && app->fatal == SLY_EXIT_OK;
}
