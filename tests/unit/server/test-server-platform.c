/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Task-id mode (protocol.md 1.2, 1.3): tasks.info, tasks.request.direct,
 * tasks.stop with token checks, and the model routes under
 * /net/<sessionToken>/.
 */
#include "servertestutil.h"

#include <string.h>

#define TOKEN "test-api-token"

static SlyTestServer *
start_task_server (void)
{
  return sly_test_server_start ("--task-id", "48213", "--api-token", TOKEN,
      "--session-token", "sess0123", NULL);
}

typedef struct
{
  const gchar *name;
  const gchar *key;             /* NULL: no header */
  guint status;
} TokenCase;

static const TokenCase token_cases[] = {
  {"right", TOKEN, 200},
  {"wrong", "not-the-token", 401},
  {"missing", NULL, 401},
};

static void
test_token (gconstpointer data)
{
  const TokenCase *c = data;
  g_autoptr (SlyTestServer) server = start_task_server ();
  const gchar *const paths[] = { "/public/api/v3/tasks.info",
    "/public/api/v3/tasks.request.direct", "/public/api/v3/tasks.stop"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (paths); i++) {
    g_autoptr (SrvReply) r = srv_post_json (server, paths[i],
        "{\"id\": 48213, \"taskId\": 48213, \"command\": \"is_ready\", "
        "\"state\": {}}", c->key);

    if (c->status == 200) {
      g_assert_cmpuint (r->status, ==, 200);
      continue;
    }
    srv_assert_error (r, c->status, "API token");
    /* the token itself never appears in an answer */
    g_assert_null (g_strstr_len (g_bytes_get_data (r->body, NULL),
            g_bytes_get_size (r->body), TOKEN));
  }
}

static void
test_tasks_info (void)
{
  g_autoptr (SlyTestServer) server = start_task_server ();
  g_autoptr (SrvReply) r = srv_post_json (server,
      "/public/api/v3/tasks.info", "{\"id\": 48213}", TOKEN);
  g_autoptr (SrvReply) unknown = srv_post_json (server,
      "/public/api/v3/tasks.info", "{\"id\": 7}", TOKEN);
  g_autoptr (SrvReply) bad = srv_post_json (server,
      "/public/api/v3/tasks.info", "{\"id\": \"x\"}", TOKEN);
  g_autoptr (SrvReply) other = srv_post_json (server,
      "/public/api/v3/apps.list", "{}", TOKEN);
  JsonObject *obj = srv_reply_object (r);

  g_assert_cmpint (srv_get_int (obj, "id"), ==, 48213);
  g_assert_cmpstr (srv_get_string (json_object_get_object_member (obj,
              "meta"), "sessionToken"), ==, "sess0123");
  srv_assert_error (unknown, 404, "Task with id 7 not found");
  srv_assert_error (bad, 400, "'id' must be an integer");
  srv_assert_error (other, 404, "Not Found");
}

static void
test_request_direct (void)
{
  g_autoptr (SlyTestServer) server = start_task_server ();
  g_autoptr (SrvReply) info = srv_post_json (server,
      "/public/api/v3/tasks.request.direct",
      "{\"taskId\": 48213, \"command\": \"get_session_info\", "
      "\"context\": {\"outside_request\": true}, \"state\": {}, "
      "\"skipResponse\": false, \"timeout\": 60}", TOKEN);
  g_autoptr (SrvReply) deploy = srv_post_json (server,
      "/public/api/v3/tasks.request.direct",
      "{\"taskId\": 48213, \"command\": \"deploy_from_api\", \"state\": "
      "{\"model_name\": \"color-detector\"}}", TOKEN);
  g_autoptr (SrvReply) meta = srv_post_json (server,
      "/public/api/v3/tasks.request.direct",
      "{\"taskId\": 48213, \"command\": \"get_output_classes_and_tags\"}",
      TOKEN);
  g_autoptr (SrvReply) unknown = srv_post_json (server,
      "/public/api/v3/tasks.request.direct",
      "{\"taskId\": 48213, \"command\": \"no_such_command\"}", TOKEN);
  g_autoptr (SrvReply) bad_state = srv_post_json (server,
      "/public/api/v3/tasks.request.direct",
      "{\"taskId\": 48213, \"command\": \"is_ready\", \"state\": [1]}", TOKEN);
  g_autoptr (SrvReply) missing_uuid = srv_post_json (server,
      "/public/api/v3/tasks.request.direct",
      "{\"taskId\": 48213, \"command\": \"get_inference_progress\", "
      "\"state\": {}}", TOKEN);
  g_autoptr (SrvReply) upload = srv_post_json (server,
      "/public/api/v3/tasks.request.direct",
      "{\"taskId\": 48213, \"command\": \"inference_image\"}", TOKEN);
  JsonArray *classes;

  /* the endpoint's JSON, unwrapped */
  g_assert_cmpint (srv_get_int (srv_reply_object (info), "session_id"), ==,
      48213);
  g_assert_cmpuint (deploy->status, ==, 200);
  classes = json_object_get_array_member (srv_reply_object (meta), "classes");
  g_assert_cmpuint (json_array_get_length (classes), ==, 3);
  srv_assert_error (unknown, 404, "Not Found");
  srv_assert_error (bad_state, 400, "'state' must be a JSON object");
  srv_assert_error (missing_uuid, 400,
      "Error: 'inference_request_uuid' is required.");
  srv_assert_error (upload, 400, "needs uploaded files");
}

static void
test_net_prefix (void)
{
  g_autoptr (SlyTestServer) server = start_task_server ();
  g_autoptr (SlyImage) image = srv_image_new (40, 30);
  g_autoptr (GBytes) png = NULL;
  g_autoptr (SrvReply) ready = srv_post_json (server, "/net/sess0123/is_ready",
      "{}", NULL);
  g_autoptr (SrvReply) wrong = srv_post_json (server, "/net/sess01234/is_ready",
      "{}", NULL);
  g_autoptr (SrvReply) infer = NULL;
  g_autoptr (SlyAnnotation) ann = NULL;

  srv_fill_rect (image, 3, 4, 12, 13, 255, 255, 255);
  png = srv_png (image);
  infer = srv_post_image (server, "/net/sess0123/inference_image", png, NULL);
  g_assert_cmpuint (ready->status, ==, 200);
  srv_assert_error (wrong, 404, "Not Found");
  ann = srv_result_annotation (infer->json);
  g_assert_cmpuint (ann->objects->len, ==, 1);
  srv_assert_box (ann->objects->pdata[0], "ball", 3, 4, 12, 13, 0);
}

static void
test_stop (void)
{
  g_autoptr (SlyTestServer) server = start_task_server ();
  g_autoptr (SrvReply) stop = srv_post_json (server,
      "/public/api/v3/tasks.stop", "{\"id\": 48213}", TOKEN);
  g_autoptr (SrvReply) ready = srv_post_json (server,
      "/public/api/v3/tasks.request.direct",
      "{\"taskId\": 48213, \"command\": \"is_ready\", \"state\": {}}", TOKEN);
  g_autoptr (SrvReply) info = srv_post_json (server,
      "/public/api/v3/tasks.info", "{\"id\": 48213}", TOKEN);

  g_assert_cmpstr (srv_get_string (srv_reply_object (stop), "status"), ==,
      "stopped");
  srv_assert_error (ready, 503, "Service not ready");
  g_assert_cmpstr (srv_get_string (srv_reply_object (info), "status"), ==,
      "stopped");
}

/* Without --api-token the platform calls need no key. */
static void
test_no_token_configured (void)
{
  g_autoptr (SlyTestServer) server = sly_test_server_startv (NULL);
  g_autoptr (SrvReply) r = srv_post_json (server,
      "/public/api/v3/tasks.info", "{\"id\": 1}", NULL);
  const gchar *token;
  g_autofree gchar *path = NULL;
  g_autoptr (SrvReply) ready = NULL;

  g_assert_cmpuint (r->status, ==, 200);
  token = srv_get_string (json_object_get_object_member (srv_reply_object
          (r), "meta"), "sessionToken");
  /* a random session token of 32 hex characters */
  g_assert_cmpuint (strlen (token), ==, 32);
  path = g_strdup_printf ("/net/%s/get_session_info", token);
  ready = srv_post_json (server, path, "{}", NULL);
  g_assert_cmpuint (ready->status, ==, 200);
  /* session_id is null when no --task-id was given */
  g_assert_true (json_node_is_null (json_object_get_member (srv_reply_object
              (ready), "session_id")));
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  for (i = 0; i < G_N_ELEMENTS (token_cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/server/platform/token/%s",
        token_cases[i].name);
    g_test_add_data_func (path, &token_cases[i], test_token);
  }
  g_test_add_func ("/server/platform/tasks-info", test_tasks_info);
  g_test_add_func ("/server/platform/request-direct", test_request_direct);
  g_test_add_func ("/server/platform/net-prefix", test_net_prefix);
  g_test_add_func ("/server/platform/stop", test_stop);
  g_test_add_func ("/server/platform/no-token-configured",
      test_no_token_configured);
  return g_test_run ();
}
