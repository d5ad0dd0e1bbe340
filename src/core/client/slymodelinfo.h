/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Everything a consumer of a deployed model needs to know about it, read in
 * one go with the client's typed calls (is_ready, get_session_info, the
 * model meta, deploy info, inference and tracking settings, status).
 */
#ifndef __SLY_MODEL_INFO_H__
#define __SLY_MODEL_INFO_H__

#include "slyclient.h"

G_BEGIN_DECLS

/* Read-only once fetched; share it with sly_model_info_ref(). Every
 * member except session_info may be NULL/0 when the server did not tell
 * (optional calls that failed: an old server, a model without tracker). */
typedef struct _SlyModelInfo SlyModelInfo;

struct _SlyModelInfo
{
  JsonNode *session_info;       /* get_session_info: an object (required) */
  guint max_batch_size;         /* session_info.max_batch_size; 0 = none */
  JsonNode *model_meta;         /* the model meta (project meta JSON) */
  SlyProjectMeta *project_meta; /* the same, parsed */
  gchar **classes;              /* class titles, in model order */
  JsonNode *settings;           /* the "settings" member: object or YAML */
  JsonNode *tracking_settings;  /* the "botsort" member (an object) */
  JsonNode *deploy_info;        /* get_deploy_info (an object) */
  JsonNode *status;             /* get_status (an object) */
  gboolean deployed;            /* is_ready answered "status": "ready" */
  /* deploy_info.model_name, else session_info.model_name */
  gchar *model_name;
  /*< private >*/
  gint ref_count;
};

GType sly_model_info_get_type (void);
#define SLY_TYPE_MODEL_INFO (sly_model_info_get_type ())

SlyModelInfo *sly_model_info_ref (SlyModelInfo * info);
void sly_model_info_unref (SlyModelInfo * info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyModelInfo, sly_model_info_unref)

/* Calls, in order: is_ready and get_session_info (required: their errors
 * end the fetch; a 503 from is_ready gets the prefix "No model is deployed
 * on the server (set the model property to load one): "), then
 * get_output_classes_and_tags, get_deploy_info,
 * get_custom_inference_settings, get_tracking_settings and get_status
 * (optional: a failure leaves the member NULL, except cancellation, which
 * ends the fetch). Each call keeps its own retry rule (is_ready and
 * get_deploy_info never retry). Same threading rules as every client
 * call. */
void sly_client_fetch_model_info_async (SlyClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
SlyModelInfo *sly_client_fetch_model_info_finish (SlyClient * client,
    GAsyncResult * result, GError ** error);
SlyModelInfo *sly_client_fetch_model_info (SlyClient * client,
    GCancellable * cancellable, GError ** error);

G_END_DECLS

#endif /* __SLY_MODEL_INFO_H__ */
