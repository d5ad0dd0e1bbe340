/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __SLY_META_PRELUDE_H__
#define __SLY_META_PRELUDE_H__

#include <gst/gst.h>

#ifdef BUILDING_GST_SLY_META
#define GST_SLY_META_API GST_API_EXPORT
#else
#define GST_SLY_META_API GST_API_IMPORT
#endif

#endif /* __SLY_META_PRELUDE_H__ */
