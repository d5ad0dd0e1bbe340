/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Emulated inference workers: at most N jobs run at once, the others wait in
 * arrival order. A job infers its images one at a time; each image is
 * computed (decoded and run through the model) on one of N worker threads,
 * so N jobs really compute in parallel, and its result is delivered on the
 * main loop once the configured latency has passed since the image started
 * (a timeout source for what remains of it, never a sleep). Each image is
 * run as its settings say (regions, sliding windows: slyregions.h), image i
 * of a job being image i of its request. Every callback below runs on the
 * main loop, except a job's prepare function.
 */
#ifndef __SLY_SCHEDULER_H__
#define __SLY_SCHEDULER_H__

#include <json-glib/json-glib.h>
#include "slymodels.h"
#include "slyregions.h"

G_BEGIN_DECLS

typedef struct _SlyScheduler SlyScheduler;
typedef struct _SlyJob SlyJob;

typedef enum
{
  SLY_JOB_CONTINUE,
  SLY_JOB_WAIT,                 /* park until sly_job_resume() */
  SLY_JOB_STOP,
} SlyJobState;

typedef struct
{
  /* optional: a worker took the job */
  void (*started) (gpointer data);
  /* optional: asked before each image */
  SlyJobState (*check) (gpointer data);
  /* result of image @index (transfer none) and what its inference did
   * (@info: transfer none, NULL with an error), or an error */
  void (*result) (gpointer data, guint index, SlyAnnotation * ann,
      const SlyInferInfo * info, const GError * error);
  /* the job ended; @aborted when the scheduler was shut down */
  void (*done) (gpointer data, gboolean aborted);
} SlyJobFuncs;

/* Runs on a worker thread when a job submitted with
 * sly_scheduler_submit_prepared() starts: returns its images (SlyImage*,
 * freed by the array), or NULL with @error set. It may only read @input. */
typedef GPtrArray *(*SlyJobPrepareFunc) (gconstpointer input,
    GError ** error);

SlyScheduler *sly_scheduler_new (guint workers, guint latency_ms);
/* Waits for the images being computed, ends every job (done with aborted =
 * TRUE) and frees. */
void sly_scheduler_free (SlyScheduler * sched);

/* @images: SlyImage* (a reference is taken); @settings: merged settings
 * (a reference is taken). */
SlyJob *sly_scheduler_submit (SlyScheduler * sched, const SlyModel * model,
    JsonObject * settings, GPtrArray * images, const SlyJobFuncs * funcs,
    gpointer data);
/* The same, with images that @prepare makes from @input on the worker
 * thread (e.g. by decoding uploads), together with the first image's
 * inference and within its latency. When it fails, result() gets its error
 * at once (index 0, no latency) and the job ends. @input is freed with
 * @input_free when the job ends. */
SlyJob *sly_scheduler_submit_prepared (SlyScheduler * sched,
    const SlyModel * model, JsonObject * settings, SlyJobPrepareFunc prepare,
    gpointer input, GDestroyNotify input_free, const SlyJobFuncs * funcs,
    gpointer data);
void sly_job_resume (SlyJob * job);

G_END_DECLS

#endif /* __SLY_SCHEDULER_H__ */
