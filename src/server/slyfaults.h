/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fault injection for sly-model-server: at a chosen rate, an inference
 * request gets one of the chosen faults. The draws come from a seeded PRNG,
 * two draws per inference request in arrival order, so a run with the same
 * seed and the same request sequence gets the same faults.
 */
#ifndef __SLY_FAULTS_H__
#define __SLY_FAULTS_H__

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SLY_FAULT_NONE = 0,
  SLY_FAULT_500,
  SLY_FAULT_503,
  SLY_FAULT_SLOW,
  SLY_FAULT_RESET,
  SLY_FAULT_MALFORMED,
  SLY_FAULT_TRUNCATED,
  SLY_FAULT_429,                /* last: the draws of the older kinds stay */
  SLY_FAULT_N_KINDS
} SlyFaultKind;

typedef struct
{
  gdouble rate;                 /* 0..1 */
  guint kinds;                  /* bit (1 << kind) per allowed kind */
  guint slow_ms;
  guint retry_after;            /* seconds, the Retry-After of a 429 */
  guint32 seed;
} SlyFaultConfig;

typedef struct _SlyFaults SlyFaults;

/* "500,503,slow,reset,malformed,truncated,429" -> bit mask */
gboolean sly_fault_kinds_parse (const gchar * list, guint * kinds,
    GError ** error);
const gchar *sly_fault_kind_to_string (SlyFaultKind kind);

SlyFaults *sly_faults_new (const SlyFaultConfig * config);
void sly_faults_free (SlyFaults * faults);
/* The fault for the next inference request (SLY_FAULT_NONE mostly).
 * Switched off, it is SLY_FAULT_NONE without a draw. */
SlyFaultKind sly_faults_draw (SlyFaults * faults);
/* On by default. */
void sly_faults_set_enabled (SlyFaults * faults, gboolean enabled);

G_END_DECLS

#endif /* __SLY_FAULTS_H__ */
