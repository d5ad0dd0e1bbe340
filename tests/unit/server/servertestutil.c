/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "servertestutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

void
srv_reply_free (SrvReply * reply)
{
  if (reply == NULL)
    return;
  g_clear_error (&reply->error);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_free (reply->reason);
  g_free (reply);
}

static SoupSession *
session_new (void)
{
  /* no timeout: the tests' own meson timeout bounds a hung server */
  return soup_session_new_with_options ("max-conns-per-host", 16, NULL);
}

static void
reply_parse (SrvReply * reply)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const gchar *data = reply->body ? g_bytes_get_data (reply->body, &len) : NULL;

  if (len > 0 && json_parser_load_from_data (parser, data, len, NULL)
      && json_parser_get_root (parser))
    reply->json = json_node_ref (json_parser_get_root (parser));
}

static SrvReply *
send_message (SoupMessage * msg)
{
  g_autoptr (SoupSession) session = session_new ();
  SrvReply *reply = g_new0 (SrvReply, 1);
  gint64 start = g_get_monotonic_time ();

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  reply->body = soup_session_send_and_read (session, msg, NULL, &reply->error);
  reply->seconds = (g_get_monotonic_time () - start) / 1e6;
  if (reply->error == NULL) {
    reply->status = soup_message_get_status (msg);
    reply->headers =
        soup_message_headers_ref (soup_message_get_response_headers (msg));
    reply->reason = g_strdup (soup_message_get_reason_phrase (msg));
  }
  reply_parse (reply);
  return reply;
}

static gchar *
url_of (SlyTestServer * server, const gchar * path)
{
  return g_strconcat (sly_test_server_get_url (server), path, NULL);
}

SrvReply *
srv_get (SlyTestServer * server, const gchar * path)
{
  g_autofree gchar *url = url_of (server, path);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);

  return send_message (msg);
}

SrvReply *
srv_post_json (SlyTestServer * server, const gchar * path,
    const gchar * body, const gchar * api_key)
{
  g_autofree gchar *url = url_of (server, path);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);

  if (body) {
    g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

    soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  }
  if (api_key)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "x-api-key", api_key);
  return send_message (msg);
}

static SoupMessage *
files_message (SlyTestServer * server, const gchar * path,
    const SrvFile * files, guint n_files, const gchar * state,
    const gchar * settings)
{
  g_autofree gchar *url = url_of (server, path);
  g_autoptr (SoupMultipart) mp = soup_multipart_new ("multipart/form-data");
  guint i;

  for (i = 0; i < n_files; i++)
    soup_multipart_append_form_file (mp, "files", files[i].filename,
        files[i].content_type, files[i].data);
  if (state)
    soup_multipart_append_form_string (mp, "state", state);
  if (settings)
    soup_multipart_append_form_string (mp, "settings", settings);
  return soup_message_new_from_multipart (url, mp);
}

SrvReply *
srv_post_files (SlyTestServer * server, const gchar * path,
    const SrvFile * files, guint n_files, const gchar * state,
    const gchar * settings)
{
  g_autoptr (SoupMessage) msg = files_message (server, path, files, n_files,
      state, settings);

  return send_message (msg);
}

static SrvFile
image_file (GBytes * image)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (image, &len);
  gboolean jpeg = len > 2 && data[0] == 0xFF && data[1] == 0xD8;
  SrvFile file = {
    jpeg ? "image_0.jpg" : "image_0.png", jpeg ? "image/jpeg" : "image/png",
    image
  };

  return file;
}

SrvReply *
srv_post_image (SlyTestServer * server, const gchar * path, GBytes * image,
    const gchar * state)
{
  SrvFile file = image_file (image);

  return srv_post_files (server, path, &file, 1, state, NULL);
}

typedef struct
{
  guint pending;
  SrvReply *reply;
  SoupMessage *msg;
  gint64 start;
} Concurrent;

static void
concurrent_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Concurrent *c = user_data;

  c->reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source),
      res, &c->reply->error);
  c->reply->seconds = (g_get_monotonic_time () - c->start) / 1e6;
  if (c->reply->error == NULL)
    c->reply->status = soup_message_get_status (c->msg);
  reply_parse (c->reply);
  c->pending = 0;
}

GPtrArray *
srv_post_concurrently (SlyTestServer * server, const gchar * path,
    GBytes * image, guint n)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (SoupSession) session = NULL;
  GPtrArray *replies = g_ptr_array_new_with_free_func ((GDestroyNotify)
      srv_reply_free);
  g_autofree Concurrent *cs = g_new0 (Concurrent, n);
  SrvFile file = image_file (image);
  guint i, done;

  g_main_context_push_thread_default (ctx);
  session = session_new ();
  for (i = 0; i < n; i++) {
    cs[i].reply = g_new0 (SrvReply, 1);
    cs[i].msg = files_message (server, path, &file, 1, NULL, NULL);
    cs[i].start = g_get_monotonic_time ();
    cs[i].pending = 1;
    g_ptr_array_add (replies, cs[i].reply);
    soup_session_send_and_read_async (session, cs[i].msg,
        G_PRIORITY_DEFAULT, NULL, concurrent_done, &cs[i]);
  }
  do {
    g_main_context_iteration (ctx, TRUE);
    for (i = 0, done = 0; i < n; i++)
      done += cs[i].pending == 0;
  } while (done < n);
  for (i = 0; i < n; i++)
    g_object_unref (cs[i].msg);
  g_clear_object (&session);
  g_main_context_pop_thread_default (ctx);
  return replies;
}

JsonObject *
srv_reply_object (SrvReply * reply)
{
  g_assert_no_error (reply->error);
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->json));
  return json_node_get_object (reply->json);
}

JsonArray *
srv_reply_array (SrvReply * reply)
{
  g_assert_no_error (reply->error);
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (reply->json));
  return json_node_get_array (reply->json);
}

void
srv_assert_error (SrvReply * reply, guint status, const gchar * message_part)
{
  JsonObject *obj = srv_reply_object (reply);
  JsonNode *detail;
  const gchar *message;

  g_assert_cmpuint (reply->status, ==, status);
  g_assert_true (json_object_has_member (obj, "detail"));
  g_assert_false (srv_get_bool (obj, "success"));
  message = srv_get_string (obj, "message");
  if (strstr (message, message_part) == NULL)
    g_error ("error message '%s' lacks '%s'", message, message_part);
  detail = json_object_get_member (obj, "detail");
  if (JSON_NODE_HOLDS_VALUE (detail))
    g_assert_cmpstr (json_node_get_string (detail), ==, message);
}

SlyAnnotation *
srv_result_annotation (JsonNode * result)
{
  g_autoptr (GError) error = NULL;
  SlyAnnotation *ann;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
  g_assert_true (json_object_has_member (json_node_get_object (result),
          "annotation"));
  ann = sly_annotation_from_json_node (result, &error);
  g_assert_no_error (error);
  return ann;
}

void
srv_assert_box (SlyObject * obj, const gchar * class_title, gint left,
    gint top, gint right, gint bottom, gint tolerance)
{
  SlyBox box = sly_geometry_get_bbox (obj->geometry);

  g_assert_cmpstr (obj->class_title, ==, class_title);
  if (ABS (box.left - left) > tolerance || ABS (box.top - top) > tolerance
      || ABS (box.right - right) > tolerance
      || ABS (box.bottom - bottom) > tolerance)
    g_error ("box [%d,%d,%d,%d] is not [%d,%d,%d,%d] (tolerance %d)",
        box.left, box.top, box.right, box.bottom, left, top, right, bottom,
        tolerance);
}

gchar *
srv_uuid_body (const gchar * uuid)
{
  return g_strdup_printf ("{\"state\": {\"inference_request_uuid\": \"%s\"},"
      " \"context\": {}}", uuid);
}

gchar *
srv_reply_uuid (SrvReply * reply)
{
  JsonObject *obj = srv_reply_object (reply);
  const gchar *uuid;
  guint i;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (srv_get_string (obj, "message"), ==,
      "Scheduled inference task.");
  uuid = srv_get_string (obj, "inference_request_uuid");
  g_assert_cmpuint (strlen (uuid), ==, 32);
  for (i = 0; i < 32; i++)
    g_assert_true (g_ascii_isxdigit (uuid[i]) && !g_ascii_isupper (uuid[i]));
  return g_strdup (uuid);
}

SlyImage *
srv_image_new (gint width, gint height)
{
  SlyImage *image = sly_image_new (width, height, 3);
  gint y;

  for (y = 0; y < height; y++)
    memset (image->data + (gsize) y * image->stride, 0, (gsize) width * 3);
  return image;
}

static void
put (SlyImage * image, gint x, gint y, guint8 r, guint8 g, guint8 b)
{
  guint8 *p = image->data + (gsize) y * image->stride + x * 3;

  p[0] = r;
  p[1] = g;
  p[2] = b;
}

void
srv_fill_rect (SlyImage * image, gint left, gint top, gint right,
    gint bottom, guint8 r, guint8 g, guint8 b)
{
  gint x, y;

  for (y = top; y <= bottom; y++)
    for (x = left; x <= right; x++)
      put (image, x, y, r, g, b);
}

guint
srv_fill_disc (SlyImage * image, gint cx, gint cy, gint radius, guint8 r,
    guint8 g, guint8 b)
{
  guint n = 0;
  gint x, y;

  for (y = cy - radius; y <= cy + radius; y++)
    for (x = cx - radius; x <= cx + radius; x++)
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius) {
        put (image, x, y, r, g, b);
        n++;
      }
  return n;
}

static SlyImageView
view_of (const SlyImage * image)
{
  SlyImageView view = { SLY_PIXEL_RGB, image->width, image->height,
    {image->data, NULL, NULL}, {image->stride, 0, 0}
  };

  return view;
}

GBytes *
srv_png (const SlyImage * image)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = sly_png_encode_image (image, &error);

  g_assert_no_error (error);
  return bytes;
}

GBytes *
srv_jpeg (const SlyImage * image, gint quality)
{
  g_autoptr (GError) error = NULL;
  SlyImageView view = view_of (image);
  GBytes *bytes = sly_jpeg_encode (&view, quality, &error);

  g_assert_no_error (error);
  return bytes;
}

gdouble
srv_fill_ratio (guint area, gint width, gint height)
{
  return round ((gdouble) area / ((gdouble) width * height) * 10000.0) /
      10000.0;
}

gint64
srv_get_int (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    g_error ("member '%s' is not an integer", name);
  return json_node_get_int (node);
}

const gchar *
srv_get_string (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    g_error ("member '%s' is not a string", name);
  return json_node_get_string (node);
}

gboolean
srv_get_bool (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    g_error ("member '%s' is not a boolean", name);
  return json_node_get_boolean (node);
}

/* Latencies grow under valgrind and AddressSanitizer (the server binary is
 * instrumented too), so timing bounds scale instead of loosening. */
guint
srv_slow_factor (void)
{
  const gchar *v = g_getenv ("SLY_UNDER_VALGRIND");

  if (v && *v)
    return 10;
#ifdef __SANITIZE_ADDRESS__
  return 3;
#else
  return 1;
#endif
}

gchar *
srv_latency_arg (guint ms)
{
  return g_strdup_printf ("%u", ms * srv_slow_factor ());
}

/* ---- the server process and raw connections ---- */

/* The inode of the socket listening on 127.0.0.1:@port (IPv4), 0 if none. */
static guint64
listening_inode (guint port)
{
  g_autofree gchar *table = NULL;
  g_auto (GStrv) lines = NULL;
  gchar **line;

  if (!g_file_get_contents ("/proc/net/tcp", &table, NULL, NULL))
    return 0;
  lines = g_strsplit (table, "\n", -1);
  for (line = lines; *line; line++) {
    guint sl, local_port, state;
    gchar local_addr[16];
    guint64 inode;

    /* sl local:port remote:port st queues tr:when retrnsmt uid timeout
     * inode */
    if (sscanf (*line,
            " %u: %8s:%x %*s %x %*s %*s %*s %*s %*s %" G_GUINT64_FORMAT, &sl,
            local_addr, &local_port, &state, &inode) == 5 && local_port == port
        && state == 0x0A)
      return inode;
  }
  return 0;
}

static gboolean
holds_socket (const gchar * pid, guint64 inode)
{
  g_autofree gchar *dir_path = g_strdup_printf ("/proc/%s/fd", pid);
  g_autofree gchar *wanted = g_strdup_printf ("socket:[%" G_GUINT64_FORMAT
      "]", inode);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree gchar *path = g_build_filename (dir_path, name, NULL);
    g_autofree gchar *target = g_file_read_link (path, NULL);

    if (g_strcmp0 (target, wanted) == 0)
      return TRUE;
  }
  return FALSE;
}

static gint
parent_of (const gchar * pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree gchar *stat = NULL;
  const gchar *end;
  gint ppid;

  if (!g_file_get_contents (path, &stat, NULL, NULL)
      || !(end = strrchr (stat, ')'))
      || sscanf (end + 1, " %*c %d", &ppid) != 1)
    return -1;
  return ppid;
}

gint
srv_server_pid (SlyTestServer * server)
{
  guint64 inode = listening_inode (sly_test_server_get_port (server));
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const gchar *name;

  g_assert_cmpuint (inode, !=, 0);
  while (proc && (name = g_dir_read_name (proc))) {
    if (!g_ascii_isdigit (*name) || parent_of (name) != getpid ())
      continue;
    if (holds_socket (name, inode))
      return atoi (name);
  }
  g_error ("no child process listens on port %u",
      sly_test_server_get_port (server));
  return -1;
}

guint
srv_fd_count (gint pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/fd", pid);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir))
    n++;
  return n;
}

void
srv_server_signal (SlyTestServer * server, gint signum)
{
  g_assert_cmpint (kill (srv_server_pid (server), signum), ==, 0);
}

gint
srv_listen_backlog (guint port)
{
  struct
  {
    struct nlmsghdr nlh;
    struct inet_diag_req_v2 req;
  } request;
  guint8 buf[16384];
  gint fd = socket (AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  gint backlog = -1;
  gboolean done = FALSE;

  if (fd < 0)
    return -1;
  memset (&request, 0, sizeof request);
  request.nlh.nlmsg_len = sizeof request;
  request.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  request.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.req.sdiag_family = AF_INET;
  request.req.sdiag_protocol = IPPROTO_TCP;
  request.req.idiag_states = 1 << TCP_LISTEN;
  if (send (fd, &request, sizeof request, 0) < 0) {
    close (fd);
    return -1;
  }
  while (!done) {
    ssize_t len = recv (fd, buf, sizeof buf, 0);
    struct nlmsghdr *h = (struct nlmsghdr *) buf;

    if (len <= 0)
      break;
    for (; NLMSG_OK (h, len); h = NLMSG_NEXT (h, len)) {
      struct inet_diag_msg *msg = NLMSG_DATA (h);

      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
        done = TRUE;
        break;
      }
      /* for a listening socket the "send queue" is its backlog */
      if (ntohs (msg->id.idiag_sport) == port)
        backlog = msg->idiag_wqueue;
    }
  }
  close (fd);
  return backlog;
}

guint64
srv_raise_fd_limit (guint n)
{
  struct rlimit lim;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &lim), ==, 0);
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < n) {
    lim.rlim_cur = lim.rlim_max == RLIM_INFINITY ? n : MIN (n, lim.rlim_max);
    g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &lim), ==, 0);
  }
  return lim.rlim_cur == RLIM_INFINITY ? G_MAXUINT64 : lim.rlim_cur;
}

gint
srv_connect_raw (SlyTestServer * server, guint timeout_s)
{
  struct sockaddr_in addr = { 0 };
  struct timeval tv = { timeout_s, 0 };
  gint fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_port = htons (sly_test_server_get_port (server));
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv),
      ==, 0);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    g_error ("connect: %s", g_strerror (errno));
  return fd;
}

void
srv_write_raw (gint fd, const gchar * data)
{
  gsize len = strlen (data), done = 0;

  while (done < len) {
    ssize_t n = send (fd, data + done, len - done, MSG_NOSIGNAL);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      g_error ("send: %s", g_strerror (errno));
    done += n;
  }
}

guint
srv_read_response (gint fd, gchar ** response)
{
  GString *s = g_string_new (NULL);
  guint status = 0;
  gssize body_start = -1;
  gsize content_length = 0;

  for (;;) {
    gchar buf[4096];
    ssize_t n;

    if (body_start >= 0 && s->len >= body_start + content_length)
      break;
    n = recv (fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      status = 0;
      goto out;
    }
    g_string_append_len (s, buf, n);
    if (body_start < 0) {
      const gchar *end = strstr (s->str, "\r\n\r\n");
      const gchar *cl;

      if (end == NULL)
        continue;
      body_start = end + 4 - s->str;
      if (sscanf (s->str, "HTTP/1.%*d %u", &status) != 1)
        goto out;
      cl = g_strstr_len (s->str, body_start, "\nContent-Length:");
      if (cl)
        content_length = g_ascii_strtoull (cl + 16, NULL, 10);
    }
  }
out:
  if (response)
    *response = g_strdup (s->str);
  g_string_free (s, TRUE);
  return status;
}

gboolean
srv_wait_closed (gint fd, gdouble * seconds)
{
  gint64 start = g_get_monotonic_time ();
  gboolean closed = FALSE;

  for (;;) {
    gchar buf[4096];
    ssize_t n = recv (fd, buf, sizeof buf, 0);

    if (n < 0 && errno == EINTR)
      continue;
    if (n > 0)
      continue;                 /* an answer before the close */
    closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    break;
  }
  if (seconds)
    *seconds = (g_get_monotonic_time () - start) / 1e6;
  return closed;
}

gboolean
srv_wait_for (gboolean (*cond) (gpointer data), gpointer data, gdouble seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * 1e6);

  while (!cond (data)) {
    if (g_get_monotonic_time () > deadline)
      return cond (data);
    g_usleep (10000);
  }
  return TRUE;
}
