/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisely plugin: elements that put models deployed with
 * Supervisely into GStreamer pipelines.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyelements.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (slymodelinfer, plugin);
#ifdef HAVE_SLY_OVERLAY
  ret |= GST_ELEMENT_REGISTER (slyoverlay, plugin);
#endif
#ifdef HAVE_SLY_ANNOTATION_SINK
  ret |= GST_ELEMENT_REGISTER (slyannotationsink, plugin);
#endif

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, supervisely,
    "Inference with models deployed with Supervisely", plugin_init, VERSION,
    GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
