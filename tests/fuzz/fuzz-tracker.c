/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the BoT-SORT tracker fed with hostile detections. The input
 * is a configuration header, then frames:
 *   6 bytes   track_high/low/new_track/match thresholds (byte / 255),
 *             track_buffer (frames), mot20 (low bit)
 *   op 0xff   camera motion: 6 signed bytes make a 2x3 warp near identity
 *   op >= 0x80  a frame without detections (predict)
 *   op < 0x80   a frame with op detections of 10 bytes each: x1, y1 (u16,
 *             1/8 pixel), width, height (s16, 1/8 pixel; -32768 makes the
 *             corner NaN or infinite), score (0..250 / 250; 251..255 NaN,
 *             inf, -1, 2, 1e300), class
 * Ids are checked by fuzz_tracker_update() after every frame. */
#include "fuzz-tracker-common.h"

#define HEADER_SIZE 6
#define DETECTION_SIZE 10
#define MAX_FRAMES 400

static SlyTrackerConfig *
config_from (const guint8 * h)
{
  g_autoptr (JsonObject) obj = json_object_new ();
  g_autoptr (SlyTrackerConfig) config = sly_tracker_config_new ();
  GError *error = NULL;

  json_object_set_double_member (obj, "track_high_thresh", h[0] / 255.0);
  json_object_set_double_member (obj, "track_low_thresh", h[1] / 255.0);
  json_object_set_double_member (obj, "new_track_thresh", h[2] / 255.0);
  json_object_set_double_member (obj, "match_thresh", h[3] / 255.0);
  json_object_set_int_member (obj, "track_buffer", h[4]);
  json_object_set_boolean_member (obj, "mot20", h[5] & 1);
  if (!sly_tracker_config_merge_json (config, obj, NULL, &error)) {
    fuzz_check_failure (error);
    return NULL;
  }
  return g_steal_pointer (&config);
}

static gdouble
read_coord (const guint8 * p)
{
  return (p[0] << 8 | p[1]) / 8.0;
}

static gdouble
read_size (const guint8 * p, gdouble hostile)
{
  gint16 v = (gint16) (p[0] << 8 | p[1]);

  return v == G_MININT16 ? hostile : v / 8.0;
}

static gdouble
read_score (guint8 b)
{
  static const gdouble odd[] = { NAN, INFINITY, -1.0, 2.0, 1e300 };

  return b <= 250 ? b / 250.0 : odd[b - 251];
}

static void
read_detection (const guint8 * p, SlyDetection * d)
{
  d->x1 = read_coord (p);
  d->y1 = read_coord (p + 2);
  d->x2 = d->x1 + read_size (p + 4, NAN);
  d->y2 = d->y1 + read_size (p + 6, INFINITY);
  d->score = read_score (p[8]);
  d->class_index = p[9];
}

static void
read_warp (const guint8 * p, gdouble warp[6])
{
  warp[0] = 1.0 + (gint8) p[0] / 256.0;
  warp[1] = (gint8) p[1] / 256.0;
  warp[2] = (gint8) p[2];
  warp[3] = (gint8) p[3] / 256.0;
  warp[4] = 1.0 + (gint8) p[4] / 256.0;
  warp[5] = (gint8) p[5];
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (SlyTrackerConfig) config = NULL;
  g_autoptr (SlyTracker) tracker = NULL;
  gsize at = HEADER_SIZE;
  gint64 max_id = 0;
  guint frames = 0;

  fuzz_setup ();
  if (size < HEADER_SIZE || (config = config_from (data)) == NULL)
    return 0;
  tracker = sly_tracker_new (config);
  while (at < size && frames < MAX_FRAMES) {
    guint8 op = data[at++];

    if (op == 0xff) {
      gdouble warp[6];

      if (size - at < 6)
        break;
      read_warp (data + at, warp);
      sly_tracker_apply_warp (tracker, warp);
      at += 6;
    } else if (op >= 0x80) {
      sly_tracker_predict (tracker);
      fuzz_tracker_check_tracks (tracker);
      frames++;
    } else {
      guint n = MIN (op, (size - at) / DETECTION_SIZE), i;
      g_autofree SlyDetection *dets = g_new0 (SlyDetection, MAX (n, 1));

      for (i = 0; i < n; i++)
        read_detection (data + at + i * DETECTION_SIZE, &dets[i]);
      at += n * DETECTION_SIZE;
      fuzz_tracker_update (tracker, dets, n, &max_id);
      frames++;
    }
  }
  FUZZ_CHECK (sly_tracker_get_frame_count (tracker) == frames);
  if (g_getenv ("FUZZ_VERBOSE"))
    g_printerr ("  %u frames, largest id %" G_GINT64_FORMAT "\n", frames,
        max_id);
  sly_tracker_reset (tracker);
  FUZZ_CHECK (sly_tracker_get_frame_count (tracker) == 0);
  {
    g_autoptr (GArray) tracks = sly_tracker_get_tracks (tracker);

    FUZZ_CHECK (tracks->len == 0);
  }
  return 0;
}
