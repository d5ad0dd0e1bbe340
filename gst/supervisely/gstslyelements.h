/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __GST_SLY_ELEMENTS_H__
#define __GST_SLY_ELEMENTS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL void sly_element_init (GstPlugin * plugin);

GST_ELEMENT_REGISTER_DECLARE (slymodelinfer);
GST_ELEMENT_REGISTER_DECLARE (slyoverlay);
GST_ELEMENT_REGISTER_DECLARE (slyannotationsink);

G_END_DECLS

#endif /* __GST_SLY_ELEMENTS_H__ */
