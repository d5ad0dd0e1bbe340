/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sly-annotate: annotate video and image files with a Supervisely model
 * into a Supervisely project on disk (docs/annotate.md).
 */
#ifndef __SLY_ANNOTATE_H__
#define __SLY_ANNOTATE_H__

#include <gst/gst.h>

G_BEGIN_DECLS
/* Exit codes (docs/annotate.md, --help) */
    typedef enum
{
  SLY_EXIT_OK = 0,
  SLY_EXIT_INPUT = 1,           /* an input could not be read or decoded */
  SLY_EXIT_USAGE = 2,           /* bad option or argument, mixed inputs */
  SLY_EXIT_SERVER = 3,          /* model server unreachable or failing */
  SLY_EXIT_AUTH = 4,            /* token missing or refused (401/403) */
  SLY_EXIT_MODEL = 5,           /* no model, or the model failed to load */
  SLY_EXIT_OUTPUT = 6,          /* the project could not be written */
  SLY_EXIT_INTERRUPTED = 130,   /* SIGINT (Ctrl-C) or SIGTERM */
} SlyExit;

typedef enum
{
  SLY_INPUT_IMAGE,
  SLY_INPUT_VIDEO,
} SlyInputKind;

typedef enum
{
  SLY_INPUT_PENDING,            /* not run (yet) */
  SLY_INPUT_DONE,
  SLY_INPUT_PARTIAL,            /* interrupted: what was annotated is written */
  SLY_INPUT_FAILED,
} SlyInputState;

typedef struct
{
  gchar *display;               /* as named on the command line or found */
  gchar *path;                  /* local file, NULL for a URI */
  gchar *uri;
  SlyInputKind kind;
  gchar *dataset;
  gchar *name;                  /* item name in the dataset, unique */
  SlyInputState state;
  gchar *error;                 /* one line, when failed */
  SlyExit code;                 /* exit code of the failure */
  guint64 frames, inferred, failed, objects, tracks;
  guint64 total_frames;         /* estimated from the duration, 0 unknown */
  gdouble seconds;
} SlyInput;

typedef struct
{
  gchar *url;
  gint64 task_id;
  gchar *server_address;
  gchar *model, *device, *runtime;
  gdouble conf;
  gchar *classes;
  gchar *settings;
  gboolean tracking;
  gchar *tracking_config;
  gint max_inflight, batch_size, inference_interval;
  gchar *output;
  gchar *dataset;
  gboolean recursive, copy_media, no_media, overlay, jsonl;
  gboolean quiet, json, fail_fast;
  gdouble progress_interval;
} SlyOptions;

typedef struct _SlyRun SlyRun;

typedef struct
{
  SlyOptions *opts;
  GMainLoop *loop;
  gboolean interrupted;
  guint signals;
  SlyRun *run;                  /* the pipeline running now, or NULL */
  gboolean tty;                 /* progress redrawn on a terminal */
  gchar *server;                /* the server as named in messages */
  gchar *meta_json;             /* model-meta of the first element */
  const gchar *encoder;         /* --overlay: the video encoder used */
  const gchar *encoder_bin;     /* its launch description */
  const gchar *encoder_ext;
  /* fatal: the server failed in a pipeline (no use going on) */
  SlyExit fatal;
  /* the image set, shown as one progress line */
  guint images_total, images_done;
  gint64 images_start_us;
  gint64 last_plain_us;         /* last plain progress line of the images */
  gint64 start_us;
  /* --jsonl for images: one file per dataset, opened on first use */
  GHashTable *image_jsonl;      /* dataset -> FILE* */
} SlyApp;

/* run.c: annotates @in with a pipeline; sets in->state and counters.
 * Returns FALSE when the run must stop (interrupted, fatal server error). */
gboolean sly_annotate_run_input (SlyApp * app, SlyInput * in, guint index,
    guint n_inputs);
/* Writes @contents to @path through a temporary file and a rename. */
gboolean sly_annotate_write_atomic (const gchar * path, const gchar * contents,
    GError ** error);
gchar *sly_annotate_dataset_dir (SlyApp * app, const gchar * dataset,
    const gchar * sub);
/* The model's ProjectMeta as meta.json (with projectType) */
gboolean sly_annotate_write_meta (SlyApp * app, const gchar * meta_json,
    SlyInputKind kind, GError ** error);

/* progress.c */
void sly_progress_update (SlyApp * app, SlyInput * in, guint index,
    guint n_inputs, gboolean final);
void sly_progress_clear (SlyApp * app);
gchar *sly_format_duration (gdouble seconds);

G_END_DECLS
#endif /* __SLY_ANNOTATE_H__ */
