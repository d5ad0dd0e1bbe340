/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Threads: the main loop owns every job. While one of its images is being
 * computed a job has exactly one Task in flight (job->task). The worker
 * thread reads only the task's inputs, which the job keeps alive, writes
 * only its outputs, and hands the task back to the main loop with an idle
 * source. A job is never freed while its task is in flight:
 * sly_scheduler_free() first waits for the workers, then destroys the
 * sources they attached. Running jobs never outnumber the threads, so a
 * task never waits in the pool.
 */
#include "slyscheduler.h"

#include <string.h>

typedef struct _Task Task;

struct _SlyJob
{
  SlyScheduler *sched;
  const SlyModel *model;
  JsonObject *settings;
  GPtrArray *images;            /* NULL until prepared */
  SlyJobPrepareFunc prepare;
  gpointer input;
  GDestroyNotify input_free;
  guint next;
  const SlyJobFuncs *funcs;
  gpointer data;
  guint source;
  gboolean waiting;
  Task *task;                   /* image being computed by a worker */
  SlyAnnotation *pending;       /* computed, delivered after the latency */
  SlyInferInfo pending_info;
  GError *pending_error;
};

struct _Task
{
  SlyJob *job;                  /* main thread only */
  /* inputs, kept alive by the job */
  const SlyModel *model;
  JsonObject *settings;
  const SlyImage *image;        /* NULL: prepare the images first */
  guint index;                  /* of the image in the job */
  SlyJobPrepareFunc prepare;
  gconstpointer input;
  gint64 started;               /* monotonic, us */
  /* outputs */
  GPtrArray *images;
  SlyAnnotation *ann;
  SlyInferInfo info;
  GError *error;
  GSource *source;              /* hands the task back to the main loop */
};

struct _SlyScheduler
{
  guint workers;
  guint latency_ms;
  GThreadPool *pool;
  GMainContext *context;
  GQueue queued;                /* SlyJob* waiting for a worker */
  GList *running;               /* SlyJob* */
};

static void job_step (SlyJob * job);
static gboolean task_returned (gpointer user_data);

/* ---- worker threads ---- */

static void
task_compute (gpointer data, gpointer user_data)
{
  Task *task = data;
  SlyScheduler *sched = user_data;
  const SlyImage *image = task->image;

  if (task->prepare) {
    task->images = task->prepare (task->input, &task->error);
    if (task->images && task->images->len > 0)
      image = task->images->pdata[0];
  }
  if (image)
    task->ann = sly_regions_infer (task->model, image, task->index,
        task->settings, &task->info, &task->error);

  /* set up before attaching: the main loop may run it at once, and the
   * task is not touched here afterwards */
  task->source = g_idle_source_new ();
  g_source_set_priority (task->source, G_PRIORITY_DEFAULT);
  g_source_set_callback (task->source, task_returned, task, NULL);
  g_source_attach (task->source, sched->context);
}

static void
task_free (Task * task)
{
  if (task->source) {
    g_source_destroy (task->source);
    g_source_unref (task->source);
  }
  g_clear_pointer (&task->images, g_ptr_array_unref);
  g_clear_pointer (&task->ann, sly_annotation_unref);
  sly_infer_info_clear (&task->info);
  g_clear_error (&task->error);
  g_free (task);
}

/* ---- the main loop ---- */

SlyScheduler *
sly_scheduler_new (guint workers, guint latency_ms)
{
  SlyScheduler *sched = g_new0 (SlyScheduler, 1);
  g_autoptr (GError) error = NULL;

  sched->workers = MAX (workers, 1);
  sched->latency_ms = latency_ms;
  sched->context = g_main_context_ref_thread_default ();
  sched->pool = g_thread_pool_new (task_compute, sched, sched->workers, TRUE,
      &error);
  /* as g_thread_new(): a process that cannot start threads cannot serve */
  if (error)
    g_error ("cannot start %u inference threads: %s", sched->workers,
        error->message);
  g_queue_init (&sched->queued);
  return sched;
}

static void
job_free (SlyJob * job)
{
  if (job->source)
    g_source_remove (job->source);
  g_clear_pointer (&job->task, task_free);
  g_clear_pointer (&job->pending, sly_annotation_unref);
  sly_infer_info_clear (&job->pending_info);
  g_clear_error (&job->pending_error);
  if (job->input_free)
    job->input_free (job->input);
  json_object_unref (job->settings);
  g_clear_pointer (&job->images, g_ptr_array_unref);
  g_free (job);
}

static gboolean
job_first_step (gpointer user_data)
{
  SlyJob *job = user_data;

  job->source = 0;
  job_step (job);
  return G_SOURCE_REMOVE;
}

static void
scheduler_start_queued (SlyScheduler * sched)
{
  while (g_list_length (sched->running) < sched->workers
      && !g_queue_is_empty (&sched->queued)) {
    SlyJob *job = g_queue_pop_head (&sched->queued);

    sched->running = g_list_append (sched->running, job);
    if (job->funcs->started)
      job->funcs->started (job->data);
    /* never step from here: the caller of submit still holds the job */
    job->source = g_idle_add (job_first_step, job);
  }
}

/* Ends a running job: releases its worker, then lets the next one start. */
static void
job_finish (SlyJob * job)
{
  SlyScheduler *sched = job->sched;

  sched->running = g_list_remove (sched->running, job);
  job->funcs->done (job->data, FALSE);
  job_free (job);
  scheduler_start_queued (sched);
}

static void
job_deliver (SlyJob * job)
{
  g_autoptr (SlyAnnotation) ann = g_steal_pointer (&job->pending);
  g_autoptr (GError) error = g_steal_pointer (&job->pending_error);
  SlyInferInfo info = job->pending_info;

  memset (&job->pending_info, 0, sizeof (job->pending_info));
  job->funcs->result (job->data, job->next, ann, ann ? &info : NULL, error);
  sly_infer_info_clear (&info);
  job->next++;
  if (job->images == NULL)      /* they could not be prepared */
    job_finish (job);
  else
    job_step (job);
}

static gboolean
job_deliver_later (gpointer user_data)
{
  SlyJob *job = user_data;

  job->source = 0;
  job_deliver (job);
  return G_SOURCE_REMOVE;
}

/* A worker has computed the image: deliver it once the latency, counted
 * from when the image was handed to the worker, has passed. The latency
 * emulates a real model's time, the computation included. */
static gboolean
task_returned (gpointer user_data)
{
  Task *task = user_data;
  SlyJob *job = task->job;
  gint64 remaining_us = (gint64) job->sched->latency_ms * 1000 -
      (g_get_monotonic_time () - task->started);
  gboolean failed_prepare = task->prepare && task->images == NULL;

  job->task = NULL;
  if (task->images)
    job->images = g_steal_pointer (&task->images);
  job->pending = g_steal_pointer (&task->ann);
  job->pending_info = task->info;
  memset (&task->info, 0, sizeof (task->info));
  job->pending_error = g_steal_pointer (&task->error);
  task_free (task);

  if (job->pending == NULL && job->pending_error == NULL)
    job_step (job);             /* no image was prepared */
  else if (failed_prepare || remaining_us <= 0)
    job_deliver (job);          /* bad input is answered at once */
  else
    job->source = g_timeout_add ((remaining_us + 999) / 1000,
        job_deliver_later, job);
  return G_SOURCE_REMOVE;
}

/* Hands image job->next (or the preparation) to a worker thread. */
static void
job_compute_next (SlyJob * job)
{
  Task *task = g_new0 (Task, 1);

  task->job = job;
  task->model = job->model;
  task->settings = job->settings;
  if (job->images) {
    task->image = job->images->pdata[job->next];
    task->index = job->next;
  } else {
    task->prepare = job->prepare;
    task->input = job->input;
  }
  task->started = g_get_monotonic_time ();
  job->task = task;
  g_thread_pool_push (job->sched->pool, task, NULL);
}

static void
job_step (SlyJob * job)
{
  SlyJobState state = SLY_JOB_CONTINUE;

  if (job->funcs->check)
    state = job->funcs->check (job->data);
  if (state == SLY_JOB_WAIT) {
    job->waiting = TRUE;
    return;
  }
  if (state == SLY_JOB_STOP || (job->images && job->next >= job->images->len)) {
    job_finish (job);
    return;
  }
  job_compute_next (job);
}

static SlyJob *
job_new (SlyScheduler * sched, const SlyModel * model, JsonObject * settings,
    const SlyJobFuncs * funcs, gpointer data)
{
  SlyJob *job = g_new0 (SlyJob, 1);

  job->sched = sched;
  job->model = model;
  job->settings = json_object_ref (settings);
  job->funcs = funcs;
  job->data = data;
  return job;
}

static SlyJob *
job_queue (SlyJob * job)
{
  g_queue_push_tail (&job->sched->queued, job);
  scheduler_start_queued (job->sched);
  return job;
}

SlyJob *
sly_scheduler_submit (SlyScheduler * sched, const SlyModel * model,
    JsonObject * settings, GPtrArray * images, const SlyJobFuncs * funcs,
    gpointer data)
{
  SlyJob *job = job_new (sched, model, settings, funcs, data);

  job->images = g_ptr_array_ref (images);
  return job_queue (job);
}

SlyJob *
sly_scheduler_submit_prepared (SlyScheduler * sched, const SlyModel * model,
    JsonObject * settings, SlyJobPrepareFunc prepare, gpointer input,
    GDestroyNotify input_free, const SlyJobFuncs * funcs, gpointer data)
{
  SlyJob *job = job_new (sched, model, settings, funcs, data);

  job->prepare = prepare;
  job->input = input;
  job->input_free = input_free;
  return job_queue (job);
}

void
sly_job_resume (SlyJob * job)
{
  if (!job->waiting)
    return;
  job->waiting = FALSE;
  job_step (job);
}

static void
job_abort (SlyJob * job)
{
  job->funcs->done (job->data, TRUE);
  job_free (job);
}

void
sly_scheduler_free (SlyScheduler * sched)
{
  if (sched == NULL)
    return;
  /* after this no worker runs: the tasks they handed back are destroyed
   * (with their sources) by job_free() */
  g_thread_pool_free (sched->pool, FALSE, TRUE);
  g_queue_clear_full (&sched->queued, (GDestroyNotify) job_abort);
  g_list_free_full (g_steal_pointer (&sched->running),
      (GDestroyNotify) job_abort);
  g_main_context_unref (sched->context);
  g_free (sched);
}
