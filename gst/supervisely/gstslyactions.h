/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The blocking calls behind slymodelinfer's action signals (freeze-model,
 * shutdown, list-pretrained-models...). Each runs on a client of its own,
 * so the application thread never shares the I/O thread's client, and is
 * bounded by the configured timeout and retries.
 */
#ifndef __GST_SLY_ACTIONS_H__
#define __GST_SLY_ACTIONS_H__

#include "gstslyiothread.h"

G_BEGIN_DECLS

gchar *gst_sly_action_freeze_model (const GstSlyClientConfig * cfg,
    GError ** error);
gchar *gst_sly_action_shutdown (const GstSlyClientConfig * cfg,
    GError ** error);
gchar **gst_sly_action_list_pretrained_models (const GstSlyClientConfig *
    cfg, GError ** error);
/* The JSON array of the server's pretrained model table. */
gchar *gst_sly_action_list_pretrained_model_infos (const GstSlyClientConfig *
    cfg, GError ** error);
SlyModelInfo *gst_sly_action_fetch_model_info (const GstSlyClientConfig *
    cfg, GError ** error);

G_END_DECLS

#endif /* __GST_SLY_ACTIONS_H__ */
