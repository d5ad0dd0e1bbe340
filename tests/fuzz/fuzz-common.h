/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by every fuzz target. A target is one LLVMFuzzerTestOneInput():
 * linked with libFuzzer (clang) or with fuzz-replay.c (any compiler).
 * Failures abort: a CRITICAL or WARNING from GLib counts as a bug, and so
 * does a result that breaks an invariant the target checks.
 */
#ifndef __FUZZ_COMMON_H__
#define __FUZZ_COMMON_H__

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "slyerror.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* Round trips re-encode what was decoded; above this many pixels they are
 * skipped to keep each run fast. */
#define FUZZ_ROUND_TRIP_MAX_PIXELS (256 * 256)

static inline void
fuzz_setup (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    g_once_init_leave (&done, 1);
  }
}

/* Aborts (with the reason on stderr) unless @cond holds. Unlike g_assert()
 * this stays active whatever the build defines. */
#define FUZZ_CHECK(cond) \
  G_STMT_START { \
    if (G_UNLIKELY (!(cond))) { \
      g_printerr ("%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, \
          #cond); \
      abort (); \
    } \
  } G_STMT_END

/* A failed parse must come with a GError of our domain. With FUZZ_VERBOSE
 * set, the message is printed (to see which seeds are rejected and why). */
static inline void
fuzz_check_failure (GError * error)
{
  FUZZ_CHECK (error != NULL);
  if (g_getenv ("FUZZ_VERBOSE"))
    g_printerr ("  rejected: %s\n", error->message);
  FUZZ_CHECK (error->domain == SLY_ERROR);
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0');
  g_error_free (error);
}

#endif /* __FUZZ_COMMON_H__ */
