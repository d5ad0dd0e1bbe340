/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Emulated inference workers: at most N jobs run at once, the others wait in
 * arrival order. A job infers its images one at a time on the main loop;
 * each image takes the configured latency (a timeout source, never a sleep)
 * before its result is delivered.
 */
#ifndef __SLY_SCHEDULER_H__
#define __SLY_SCHEDULER_H__

#include <json-glib/json-glib.h>
#include "slymodels.h"

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
  /* result of image @index (transfer none), or an error */
  void (*result) (gpointer data, guint index, SlyAnnotation * ann,
      const GError * error);
  /* the job ended; @aborted when the scheduler was shut down */
  void (*done) (gpointer data, gboolean aborted);
} SlyJobFuncs;

SlyScheduler *sly_scheduler_new (guint workers, guint latency_ms);
/* Ends every job (done with aborted = TRUE) and frees. */
void sly_scheduler_free (SlyScheduler * sched);

/* @images: SlyImage* (a reference is taken); @settings: merged settings
 * (a reference is taken). */
SlyJob *sly_scheduler_submit (SlyScheduler * sched, const SlyModel * model,
    JsonObject * settings, GPtrArray * images, const SlyJobFuncs * funcs,
    gpointer data);
void sly_job_resume (SlyJob * job);

G_END_DECLS

#endif /* __SLY_SCHEDULER_H__ */
