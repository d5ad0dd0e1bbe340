/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __SLY_TRACKER_PRIVATE_H__
#define __SLY_TRACKER_PRIVATE_H__

#include "slytracker.h"

G_BEGIN_DECLS

/* Index of @title for class voting, assigned in order of first appearance
 * (the SDK does the same per request). */
G_GNUC_INTERNAL
gint     sly_tracker_class_index_for_title (SlyTracker * tracker,
                                            const gchar * title);

G_END_DECLS

#endif /* __SLY_TRACKER_PRIVATE_H__ */
