/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "slyfaults.h"

#include "slyerror.h"

struct _SlyFaults
{
  SlyFaultConfig config;
  GRand *rand;
  SlyFaultKind chosen[SLY_FAULT_N_KINDS];
  guint n_chosen;
  gboolean enabled;
};

static const gchar *const kind_names[SLY_FAULT_N_KINDS] = {
  "none", "500", "503", "slow", "reset", "malformed", "truncated", "429",
};

const gchar *
sly_fault_kind_to_string (SlyFaultKind kind)
{
  if (kind >= SLY_FAULT_N_KINDS)
    return NULL;
  return kind_names[kind];
}

gboolean
sly_fault_kinds_parse (const gchar * list, guint * kinds, GError ** error)
{
  g_auto (GStrv) names = g_strsplit (list, ",", -1);
  guint mask = 0;
  gchar **name;

  for (name = names; *name; name++) {
    gint k;

    g_strstrip (*name);
    if (**name == '\0')
      continue;
    for (k = SLY_FAULT_500; k < SLY_FAULT_N_KINDS; k++)
      if (g_ascii_strcasecmp (*name, kind_names[k]) == 0)
        break;
    if (k == SLY_FAULT_N_KINDS) {
      g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
          "unknown fault kind '%s' (known: 500, 503, slow, reset, "
          "malformed, truncated, 429)", *name);
      return FALSE;
    }
    mask |= 1u << k;
  }
  if (mask == 0) {
    g_set_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT,
        "no fault kind given");
    return FALSE;
  }
  *kinds = mask;
  return TRUE;
}

SlyFaults *
sly_faults_new (const SlyFaultConfig * config)
{
  SlyFaults *faults = g_new0 (SlyFaults, 1);
  gint k;

  faults->config = *config;
  faults->enabled = TRUE;
  faults->rand = g_rand_new_with_seed (config->seed);
  for (k = SLY_FAULT_500; k < SLY_FAULT_N_KINDS; k++)
    if (config->kinds & (1u << k))
      faults->chosen[faults->n_chosen++] = k;
  return faults;
}

void
sly_faults_free (SlyFaults * faults)
{
  if (faults == NULL)
    return;
  g_rand_free (faults->rand);
  g_free (faults);
}

SlyFaultKind
sly_faults_draw (SlyFaults * faults)
{
  gdouble u;
  gint32 k;

  if (!faults->enabled || faults->n_chosen == 0 || faults->config.rate <= 0)
    return SLY_FAULT_NONE;
  /* Always two draws, so that the sequence of decisions depends on the seed
   * and the number of requests only. */
  u = g_rand_double (faults->rand);
  k = g_rand_int_range (faults->rand, 0, faults->n_chosen);
  if (u >= faults->config.rate)
    return SLY_FAULT_NONE;
  return faults->chosen[k];
}

void
sly_faults_set_enabled (SlyFaults * faults, gboolean enabled)
{
  faults->enabled = enabled;
}
