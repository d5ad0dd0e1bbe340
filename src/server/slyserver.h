/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sly-model-server internals: the server object, one parsed request, the
 * reply helpers and the endpoint handlers. Everything here runs on the
 * default GMainContext of the server process: the scheduler's inference
 * threads and the video decoder thread only hand results back to it.
 */
#ifndef __SLY_SERVER_H__
#define __SLY_SERVER_H__

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "slymodels.h"
#include "slyfaults.h"
#include "slyscheduler.h"
#include "slyconnections.h"

G_BEGIN_DECLS

typedef struct
{
  gchar *host;
  guint port;
  gsize max_upload_bytes;
  gsize max_decoded_bytes;      /* decoded pixels of one request */
  guint max_requests;           /* concurrent inference requests */
  guint max_async_requests;     /* live async request records */
  guint latency_ms;             /* per image */
  guint workers;
  guint max_batch_size;         /* 0 = no limit (null) */
  gboolean no_model;
  gchar *model;                 /* initial model name */
  gboolean no_tracking;
  gboolean no_sliding_window;   /* sliding_window_support "none" */
  gint64 task_id;
  gboolean task_id_set;
  gchar *api_token;             /* NULL = no token checks */
  gchar *session_token;
  gchar *app_name;
  gboolean production;
  gboolean verbose;
  guint read_timeout_ms;        /* 0 = none */
  SlyFaultConfig faults;
  gboolean faults_off;          /* start with the faults switched off */
  gchar *tracking_settings;     /* JSON object of BoT-SORT values, or NULL */
  gchar *redirect;              /* inference endpoints answer 302, or NULL */
} SlyServerConfig;

void sly_server_config_clear (SlyServerConfig * config);

/* One image a model ran on (debug_inferred_images). */
typedef struct
{
  const gchar *method;          /* static: the endpoint */
  gint width;
  gint height;
} SlyInferredImage;

/* Most recent images kept for debug_inferred_images. */
#define SLY_INFERRED_KEEP 1000

typedef struct _SlyServer SlyServer;
typedef struct _SlyAsyncRecord SlyAsyncRecord;

struct _SlyServer
{
  SlyServerConfig config;
  SoupServer *soup;
  SlyScheduler *scheduler;
  SlyFaults *faults;
  SlyConnections *connections;
  JsonObject *tracking_settings;        /* parsed config.tracking_settings */

  /* the loaded model; NULL before deployment or after tasks.stop */
  const SlyModel *model;
  gchar *device;
  gchar *runtime;
  gboolean frozen;
  gchar *task_status;

  GHashTable *records;          /* uuid -> SlyAsyncRecord* */
  guint expiry_source;
  guint inflight;               /* inference requests being served */
  /* sizes of the last images a model ran on (a test aid) */
  GArray *inferred;             /* SlyInferredImage */
  guint64 inferred_total;
  GMainLoop *loop;
};

SlyServer *sly_server_new (const SlyServerConfig * config, GError ** error);
/* Binds, prints the "listening on" line and returns the port. */
gboolean sly_server_listen (SlyServer * server, GError ** error);
void sly_server_free (SlyServer * server);
/* Switches the configured faults on or off (SIGUSR1, SIGUSR2). */
void sly_server_set_faults_enabled (SlyServer * server, gboolean enabled);
/* Checks a --tracking-settings value: a JSON object whose keys are keys of
 * get_tracking_settings' "botsort" object, with valid values. */
gboolean sly_tracking_settings_check (const gchar * json, GError ** error);

/* An uploaded file of a multipart request. */
typedef struct
{
  gchar *filename;
  gchar *content_type;
  GBytes *data;
} SlyUpload;

typedef struct _SlyRequest SlyRequest;

struct _SlyRequest
{
  SlyServer *server;
  SoupServerMessage *msg;
  const gchar *method;          /* endpoint name, e.g. "inference_image" */
  gboolean multipart;
  JsonObject *state;            /* never NULL */
  GPtrArray *files;             /* SlyUpload*; multipart only */
  SlyFaultKind fault;
  gboolean paused;
  gboolean disconnected;
  gulong disconnect_id;
  gboolean counted;             /* holds one of config.max_requests */
};

typedef void (*SlyHandlerFunc) (SlyRequest * req);

/* Reply helpers. Each one finishes the request: it sets the response,
 * unpauses the message when it was paused and frees @req. */
void sly_request_reply_json (SlyRequest * req, guint status, JsonNode * body);
void sly_request_reply_raw (SlyRequest * req, guint status,
    const gchar * content_type, const gchar * data, gsize len);
/* The 2.2 shape {"detail": D, "success": false, "message": M}; the _node
 * variants take ownership of @detail. */
void sly_request_reply_error (SlyRequest * req, guint status,
    const gchar * format, ...) G_GNUC_PRINTF (3, 4);
void sly_request_reply_error_node (SlyRequest * req, guint status,
    JsonNode * detail, const gchar * message);
void sly_request_reply_gerror (SlyRequest * req, const GError * error);
/* Abandons the request without an answer (connection reset fault). */
void sly_request_reset (SlyRequest * req);
/* Keeps the HTTP message open until a reply helper is called. */
void sly_request_pause (SlyRequest * req);
/* Runs @func (req) after @ms milliseconds; the message is paused meanwhile. */
void sly_request_delay (SlyRequest * req, guint ms, SlyHandlerFunc func);
void sly_request_free (SlyRequest * req);

/* Builds an error body of the 2.2 shape (takes ownership of @detail). */
JsonNode *sly_error_body_new (JsonNode * detail, const gchar * message);

/* Small JSON helpers that never raise CRITICALs on untrusted input. */
JsonNode *sly_srv_json_member (JsonObject * obj, const gchar * name);
const gchar *sly_srv_json_get_string (JsonObject * obj, const gchar * name);
JsonObject *sly_srv_json_get_object (JsonObject * obj, const gchar * name);
gboolean sly_srv_json_get_number (JsonObject * obj, const gchar * name,
    gdouble * value);
gboolean sly_srv_json_get_int (JsonObject * obj, const gchar * name,
    gint64 * value);
JsonNode *sly_srv_json_parse (const gchar * data, gsize len, GError ** error);

/* Errors used by several endpoints */
void sly_request_reply_not_deployed (SlyRequest * req);

/* ---- endpoints: slyserver-info.c ---- */
void sly_handle_is_ready (SlyRequest * req);
void sly_handle_is_alive (SlyRequest * req);
void sly_handle_is_deployed (SlyRequest * req);
void sly_handle_session_info (SlyRequest * req);
void sly_handle_custom_settings (SlyRequest * req);
void sly_handle_model_meta (SlyRequest * req);
void sly_handle_tracking_settings (SlyRequest * req);
void sly_handle_deploy_info (SlyRequest * req);
void sly_handle_status (SlyRequest * req);
void sly_handle_freeze_model (SlyRequest * req);
void sly_handle_deploy_from_api (SlyRequest * req);
void sly_handle_list_models (SlyRequest * req);
void sly_handle_list_model_infos (SlyRequest * req);
void sly_handle_deploy_settings (SlyRequest * req);

/* {"allocated", "total"} of this process and machine, in bytes */
JsonNode *sly_ram_memory_new (void);
JsonNode *sly_gpu_memory_new (void);

/* ---- endpoints: slyserver-infer.c ---- */
void sly_handle_inference_image (SlyRequest * req);
void sly_handle_inference_batch (SlyRequest * req);

/* Validates state (batch size) and decodes every upload. On failure the
 * request is answered and NULL is returned. */
GPtrArray *sly_request_decode_images (SlyRequest * req);
/* state.settings merged with the model defaults (protocol.md 4.2). On an
 * invalid value the request is answered and NULL is returned. */
JsonObject *sly_request_merge_settings (SlyRequest * req,
    const SlyModel * model);
/* The result wrapper of protocol.md section 5; frame_index < 0 = null;
 * @info (nullable): its data (sliding windows) goes to "data" */
JsonNode *sly_result_new (SlyAnnotation * ann, gint64 frame_index,
    const SlyInferInfo * info);
/* Notes the size of an image a model ran on (debug_inferred_images). */
void sly_server_note_inferred (SlyServer * server, const gchar * method,
    const SlyInferInfo * info);
void sly_handle_debug_inferred_images (SlyRequest * req);
/* Finishes a successful inference answer, applying a malformed/truncated
 * fault when one was drawn for this request. */
void sly_request_reply_result (SlyRequest * req, JsonNode * body);
/* Applies the per-request faults 500/503/reset/slow; returns FALSE when the
 * request was answered (or dropped) by the fault. With a slow fault @func
 * is called later instead. */
gboolean sly_request_take_fault (SlyRequest * req, SlyHandlerFunc func);
/* Counts the request against config.max_requests (503 when full). */
gboolean sly_request_admit (SlyRequest * req);

/* ---- endpoints: slyserver-async.c ---- */
void sly_handle_inference_batch_async (SlyRequest * req);
void sly_handle_inference_video_async (SlyRequest * req);
void sly_handle_get_inference_progress (SlyRequest * req);
void sly_handle_pop_inference_results (SlyRequest * req);
void sly_handle_get_inference_result (SlyRequest * req);
void sly_handle_stop_inference (SlyRequest * req);
void sly_handle_clear_inference_request (SlyRequest * req);
void sly_handle_get_inference_status (SlyRequest * req);
void sly_handle_get_preparing_progress (SlyRequest * req);

void sly_async_init (SlyServer * server);
void sly_async_shutdown (SlyServer * server);
/* progress of all running requests for get_status */
void sly_async_get_totals (SlyServer * server, gint64 * current,
    gint64 * total);

/* ---- endpoints: slyserver-platform.c ---- */
/* Handles /public/api/v3/<method>; returns FALSE for other paths. */
gboolean sly_platform_dispatch (SlyServer * server, SoupServerMessage * msg,
    const gchar * path);

/* Runs @handler for a JSON request with @state (tasks.request.direct). */
void sly_server_run_json (SlyServer * server, SoupServerMessage * msg,
    const gchar * method, JsonObject * state);

G_END_DECLS

#endif /* __SLY_SERVER_H__ */
