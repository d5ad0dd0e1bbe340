/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Initialisation shared by every element of the plugin. Each element's
 * register function calls sly_element_init(); it runs once per process,
 * also in static builds where plugin_init is never called.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyelements.h"

GST_DEBUG_CATEGORY (gst_sly_debug);

void
sly_element_init (GstPlugin * plugin)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (gst_sly_debug, "supervisely", 0,
        "Supervisely plugin");
    g_once_init_leave (&done, 1);
  }
}
