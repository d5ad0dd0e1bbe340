/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "slyscheduler.h"

struct _SlyJob
{
  SlyScheduler *sched;
  const SlyModel *model;
  JsonObject *settings;
  GPtrArray *images;
  guint next;
  const SlyJobFuncs *funcs;
  gpointer data;
  guint source;
  gboolean waiting;
  SlyAnnotation *pending;       /* computed, delivered after the latency */
  GError *pending_error;
};

struct _SlyScheduler
{
  guint workers;
  guint latency_ms;
  GQueue queued;                /* SlyJob* waiting for a worker */
  GList *running;               /* SlyJob* */
};

static void job_step (SlyJob * job);

static gboolean
job_first_step (gpointer user_data)
{
  SlyJob *job = user_data;

  job->source = 0;
  job_step (job);
  return G_SOURCE_REMOVE;
}

SlyScheduler *
sly_scheduler_new (guint workers, guint latency_ms)
{
  SlyScheduler *sched = g_new0 (SlyScheduler, 1);

  sched->workers = MAX (workers, 1);
  sched->latency_ms = latency_ms;
  g_queue_init (&sched->queued);
  return sched;
}

static void
job_free (SlyJob * job)
{
  if (job->source)
    g_source_remove (job->source);
  g_clear_pointer (&job->pending, sly_annotation_unref);
  g_clear_error (&job->pending_error);
  json_object_unref (job->settings);
  g_ptr_array_unref (job->images);
  g_free (job);
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

static gboolean
job_deliver (gpointer user_data)
{
  SlyJob *job = user_data;
  g_autoptr (SlyAnnotation) ann = g_steal_pointer (&job->pending);
  g_autoptr (GError) error = g_steal_pointer (&job->pending_error);

  job->source = 0;
  job->funcs->result (job->data, job->next, ann, error);
  job->next++;
  job_step (job);
  return G_SOURCE_REMOVE;
}

/* Infers the next image now and delivers its result after the latency. The
 * computation itself is quick; the latency emulates a real model. */
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
  if (state == SLY_JOB_STOP || job->next >= job->images->len) {
    job_finish (job);
    return;
  }
  job->pending = sly_model_infer (job->model, job->images->pdata[job->next],
      job->settings, &job->pending_error);
  if (job->sched->latency_ms > 0)
    job->source = g_timeout_add (job->sched->latency_ms, job_deliver, job);
  else
    job->source = g_idle_add (job_deliver, job);
}

SlyJob *
sly_scheduler_submit (SlyScheduler * sched, const SlyModel * model,
    JsonObject * settings, GPtrArray * images, const SlyJobFuncs * funcs,
    gpointer data)
{
  SlyJob *job = g_new0 (SlyJob, 1);

  job->sched = sched;
  job->model = model;
  job->settings = json_object_ref (settings);
  job->images = g_ptr_array_ref (images);
  job->funcs = funcs;
  job->data = data;
  g_queue_push_tail (&sched->queued, job);
  scheduler_start_queued (sched);
  return job;
}

void
sly_job_resume (SlyJob * job)
{
  if (!job->waiting)
    return;
  job->waiting = FALSE;
  job_step (job);
}

void
sly_scheduler_free (SlyScheduler * sched)
{
  SlyJob *job;

  if (sched == NULL)
    return;
  while ((job = g_queue_pop_head (&sched->queued))) {
    job->funcs->done (job->data, TRUE);
    job_free (job);
  }
  while (sched->running) {
    job = sched->running->data;
    sched->running = g_list_delete_link (sched->running, sched->running);
    job->funcs->done (job->data, TRUE);
    job_free (job);
  }
  g_free (sched);
}
