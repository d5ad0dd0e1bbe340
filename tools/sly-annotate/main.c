/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sly-annotate [OPTIONS] INPUT... --output DIR
 *
 * Collects the inputs (files, folders, URIs), checks the model server once
 * (connection, token, model, ProjectMeta), then annotates every input with
 * a pipeline of its own (run.c) and writes a Supervisely project.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "sly-annotate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "slyclient.h"
#include "slyenv.h"
#include "slyerror.h"
#include "slyprojectmeta.h"

void sly_annotate_run_interrupt (SlyRun * run);

static const gchar *const image_exts[] = { "jpg", "jpeg", "jpe", "jfif",
  "png", "bmp", "webp", "tif", "tiff", NULL
};

static const gchar *const video_exts[] = { "mp4", "m4v", "avi", "mkv",
  "webm", "mov", "mpg", "mpeg", "ts", "mts", "m2ts", "ogv", "ogg", "flv",
  "wmv", "3gp", "mjpeg", "mjpg", NULL
};

/* --overlay: the first encoder whose elements are installed */
typedef struct
{
  const gchar *name;
  const gchar *bin;
  const gchar *ext;
  const gchar *needs[4];
} SlyEncoder;

static const SlyEncoder encoders[] = {
  {"x264enc", "x264enc ! h264parse ! mp4mux", "mp4",
      {"x264enc", "h264parse", "mp4mux", NULL}},
  {"openh264enc", "openh264enc ! h264parse ! mp4mux", "mp4",
      {"openh264enc", "h264parse", "mp4mux", NULL}},
  {"vp8enc", "vp8enc deadline=1 ! webmmux", "webm",
      {"vp8enc", "webmmux", NULL}},
  {"jpegenc", "jpegenc ! avimux", "avi", {"jpegenc", "avimux", NULL}},
};

/* ---- inputs ---- */

static gint
kind_from_name (const gchar * name)
{
  const gchar *dot = strrchr (name, '.');
  g_autofree gchar *ext = NULL;

  if (dot == NULL || strchr (dot, '/') != NULL)
    return -1;
  ext = g_ascii_strdown (dot + 1, -1);
  if (g_strv_contains (image_exts, ext))
    return SLY_INPUT_IMAGE;
  if (g_strv_contains (video_exts, ext))
    return SLY_INPUT_VIDEO;
  return -1;
}

/* A file named on the command line with an unknown extension: sniffed */
static gint
kind_from_content (const gchar * path)
{
  g_autofree gchar *ct = NULL;
  g_autofree gchar *mime = NULL;
  guchar data[4096];
  gsize len = 0;
  FILE *f = fopen (path, "rb");

  if (f == NULL)
    return -1;
  len = fread (data, 1, sizeof data, f);
  fclose (f);
  ct = g_content_type_guess (path, data, len, NULL);
  mime = g_content_type_get_mime_type (ct);
  if (mime && g_str_has_prefix (mime, "image/"))
    return SLY_INPUT_IMAGE;
  if (mime && g_str_has_prefix (mime, "video/"))
    return SLY_INPUT_VIDEO;
  return -1;
}

static void
input_free (SlyInput * in)
{
  g_free (in->display);
  g_free (in->path);
  g_free (in->uri);
  g_free (in->dataset);
  g_free (in->name);
  g_free (in->error);
  g_free (in);
}

static SlyInput *
input_new (const gchar * display, const gchar * path, const gchar * dataset,
    const gchar * name, gint kind)
{
  SlyInput *in = g_new0 (SlyInput, 1);

  in->display = g_strdup (display);
  in->path = g_strdup (path);
  if (path) {
    g_autofree gchar *abs = g_canonicalize_filename (path, NULL);

    in->uri = g_filename_to_uri (abs, NULL, NULL);
  }
  in->dataset = g_strdup (dataset);
  in->name = g_strdup (name);
  in->kind = kind < 0 ? SLY_INPUT_VIDEO : kind;
  return in;
}

static SlyInput *
input_failed (const gchar * display, const gchar * message)
{
  SlyInput *in = input_new (display, NULL, NULL, NULL, SLY_INPUT_VIDEO);

  in->state = SLY_INPUT_FAILED;
  in->code = SLY_EXIT_INPUT;
  in->error = g_strdup_printf ("%s: %s", display, message);
  return in;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Files of @dir with a known extension; subfolders with --recursive, their
 * files named <sub>__<file> in the folder's dataset. */
static gboolean
walk (GPtrArray * inputs, const gchar * dir, const gchar * prefix,
    const gchar * dataset, gboolean recursive, GError ** error)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)))
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++) {
    const gchar *n = names->pdata[i];
    g_autofree gchar *full = g_build_filename (dir, n, NULL);
    g_autofree gchar *item = prefix ? g_strconcat (prefix, "__", n, NULL) :
        g_strdup (n);
    gint kind;

    if (g_file_test (full, G_FILE_TEST_IS_DIR)) {
      if (recursive && !walk (inputs, full, item, dataset, TRUE, error))
        return FALSE;
      continue;
    }
    kind = kind_from_name (n);
    if (kind >= 0 && g_file_test (full, G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add (inputs, input_new (full, full, dataset, item, kind));
  }
  return TRUE;
}

static gchar *
unique_name (GHashTable * taken, const gchar * prefix, const gchar * name)
{
  g_autofree gchar *key = g_strconcat (prefix, "/", name, NULL);
  const gchar *dot;

  if (!g_hash_table_contains (taken, key)) {
    g_hash_table_add (taken, g_steal_pointer (&key));
    return g_strdup (name);
  }
  dot = strrchr (name, '.');
  for (guint n = 2;; n++) {
    g_autofree gchar *cand = dot ?
        g_strdup_printf ("%.*s_%u%s", (int) (dot - name), name, n, dot) :
        g_strdup_printf ("%s_%u", name, n);

    g_free (key);
    key = g_strconcat (prefix, "/", cand, NULL);
    if (!g_hash_table_contains (taken, key)) {
      g_hash_table_add (taken, g_steal_pointer (&key));
      return g_steal_pointer (&cand);
    }
  }
}

static GPtrArray *
collect_inputs (SlyOptions * o, gchar ** args)
{
  GPtrArray *inputs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      input_free);
  g_autoptr (GHashTable) datasets =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) items =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (gchar ** a = args; *a; a++) {
    const gchar *arg = *a;
    g_autofree gchar *path = NULL;

    if (g_str_has_prefix (arg, "file://")) {
      path = g_filename_from_uri (arg, NULL, NULL);
      if (path == NULL) {
        g_ptr_array_add (inputs, input_failed (arg, "not a valid file URI"));
        continue;
      }
    } else if (strstr (arg, "://") && g_uri_is_valid (arg, G_URI_FLAGS_NONE,
            NULL)) {
      /* a stream (rtsp://, http://): a video; its media are not stored */
      g_autoptr (GUri) uri = g_uri_parse (arg, G_URI_FLAGS_NONE, NULL);
      g_autofree gchar *base = g_path_get_basename (g_uri_get_path (uri));
      SlyInput *in;

      if (!base[0] || g_str_equal (base, "/") || g_str_equal (base, ".")) {
        g_free (base);
        base = g_strdup (g_uri_get_host (uri) ? g_uri_get_host (uri) :
            "stream");
      }
      in = input_new (arg, NULL, o->dataset, base, SLY_INPUT_VIDEO);
      in->uri = g_strdup (arg);
      g_ptr_array_add (inputs, in);
      continue;
    } else {
      path = g_strdup (arg);
    }

    if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
      g_autofree gchar *abs = g_canonicalize_filename (path, NULL);
      g_autofree gchar *base = g_path_get_basename (abs);
      g_autoptr (GError) error = NULL;
      guint before = inputs->len;
      gchar *ds;

      if (g_str_equal (base, "/")) {
        g_free (base);
        base = g_strdup ("root");
      }
      ds = unique_name (datasets, "", base);
      if (!walk (inputs, path, NULL, ds, o->recursive, &error))
        g_ptr_array_add (inputs, input_failed (arg, error->message));
      else if (inputs->len == before)
        g_ptr_array_add (inputs, input_failed (arg, o->recursive ?
                "no images or videos in this folder" :
                "no images or videos in this folder (subfolders need "
                "--recursive)"));
      g_free (ds);
      continue;
    }
    if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
      g_ptr_array_add (inputs, input_failed (arg, g_strerror (ENOENT)));
      continue;
    }
    if (g_access (path, R_OK) != 0) {
      g_ptr_array_add (inputs, input_failed (arg, g_strerror (errno)));
      continue;
    }
    {
      g_autofree gchar *base = g_path_get_basename (path);
      gint kind = kind_from_name (base);

      if (kind < 0)
        kind = kind_from_content (path);
      if (kind < 0) {
        g_ptr_array_add (inputs, input_failed (arg,
                "not an image or a video (unknown file type)"));
        continue;
      }
      g_ptr_array_add (inputs, input_new (arg, path, o->dataset, base, kind));
    }
  }

  /* one name per item of a dataset */
  for (guint i = 0; i < inputs->len; i++) {
    SlyInput *in = inputs->pdata[i];

    if (in->state != SLY_INPUT_FAILED) {
      gchar *n = unique_name (items, in->dataset, in->name);

      g_free (in->name);
      in->name = n;
    }
  }
  return inputs;
}

/* ---- the model server ---- */

static gchar *
describe_server (SlyOptions * o)
{
  if (o->url)
    return sly_redact_url (o->url);
  {
    g_auto (SlyCredentials) creds = { 0 };

    if (sly_credentials_resolve (&creds, o->server_address, NULL, NULL))
      return g_strdup_printf ("task %" G_GINT64_FORMAT " on %s", o->task_id,
          creds.server_address);
    return g_strdup_printf ("task %" G_GINT64_FORMAT, o->task_id);
  }
}

static SlyExit
classify (const GError * error)
{
  if (error->domain == SLY_HTTP_ERROR &&
      (error->code == 401 || error->code == 403))
    return SLY_EXIT_AUTH;
  if (g_error_matches (error, SLY_ERROR, SLY_ERROR_NOT_DEPLOYED) ||
      strstr (error->message, "not yet been deployed") != NULL)
    return SLY_EXIT_MODEL;
  return SLY_EXIT_SERVER;
}

static void
print_error (SlyApp * app, const gchar * fmt, ...)
G_GNUC_PRINTF (2, 3);

     static void print_error (SlyApp * app, const gchar * fmt, ...)
{
  g_autofree gchar *text = NULL;
  va_list ap;

  va_start (ap, fmt);
  text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  sly_progress_clear (app);
  /* one line */
  g_strdelimit (text, "\r\n", ' ');
  fprintf (stderr, "sly-annotate: %s\n", text);
  fflush (stderr);
}

static gchar **
split_classes (const gchar * classes)
{
  g_autofree gchar *s = g_strstrip (g_strdup (classes));
  gsize len = strlen (s);
  gchar **parts;

  if (len >= 2 && ((s[0] == '<' && s[len - 1] == '>') ||
          (s[0] == '{' && s[len - 1] == '}'))) {
    s[len - 1] = '\0';
    memmove (s, s + 1, len - 1);
  }
  parts = g_strsplit (s, ",", -1);
  for (gchar ** p = parts; *p; p++)
    g_strstrip (*p);
  return parts;
}

/* Connects once before any input: token, reachability, --model, meta. */
static SlyExit
preflight (SlyApp * app, SlyProjectMeta ** meta_out)
{
  SlyOptions *o = app->opts;
  g_autoptr (SlyClient) client = NULL;
  g_autoptr (GError) error = NULL;
  SlyProjectMeta *meta;

  if (o->url) {
    /* a comma-separated list of deployments (slymodelinfer shares the
     * frames between them): the first one is checked */
    g_auto (GStrv) urls = g_strsplit (o->url, ",", 2);

    client = sly_client_new_for_url (g_strstrip (urls[0]), &error);
  } else
    client = sly_client_new_for_task (o->task_id, o->server_address, NULL,
        &error);
  if (client == NULL) {
    print_error (app, "%s: %s", app->server, error->message);
    return o->url ? SLY_EXIT_USAGE : SLY_EXIT_AUTH;
  }
  sly_client_set_timeout (client, 10000);
  sly_client_set_retries (client, 2, 200);

  if (o->model && !sly_client_load (client, o->model, o->device, o->runtime,
          NULL, &error)) {
    SlyExit code = classify (error);

    if (code == SLY_EXIT_SERVER && error->domain == SLY_HTTP_ERROR)
      code = SLY_EXIT_MODEL;    /* the server answered: the load failed */
    if (code == SLY_EXIT_SERVER)
      print_error (app, "cannot reach the model server at %s: %s",
          app->server, error->message);
    else if (code == SLY_EXIT_AUTH)
      print_error (app, "the model server at %s refused the API token "
          "(HTTP %d): %s", app->server, error->code, error->message);
    else
      print_error (app, "could not load model \"%s\" on the model server "
          "at %s: %s", o->model, app->server, error->message);
    return code;
  }

  meta = sly_client_get_model_meta (client, NULL, &error);
  if (meta == NULL) {
    SlyExit code = classify (error);

    if (code == SLY_EXIT_AUTH)
      print_error (app, "the model server at %s refused the API token "
          "(HTTP %d): %s", app->server, error->code, error->message);
    else if (code == SLY_EXIT_MODEL)
      print_error (app, "the model server at %s has no model loaded "
          "(use --model): %s", app->server, error->message);
    else
      print_error (app, "cannot reach the model server at %s: %s",
          app->server, error->message);
    return code;
  }

  if (o->classes) {
    g_auto (GStrv) wanted = split_classes (o->classes);

    for (gchar ** c = wanted; *c; c++) {
      if (**c && sly_project_meta_find_class (meta, *c) < 0) {
        g_auto (GStrv) have = sly_project_meta_dup_class_titles (meta);
        g_autofree gchar *list = g_strjoinv (", ", have);

        print_error (app, "--classes: the model has no class \"%s\" "
            "(its classes: %s)", *c, list);
        sly_project_meta_unref (meta);
        return SLY_EXIT_USAGE;
      }
    }
  }
  *meta_out = meta;
  return SLY_EXIT_OK;
}

gboolean
sly_annotate_write_meta (SlyApp * app, const gchar * meta_json,
    SlyInputKind kind, GError ** error)
{
  g_autoptr (SlyProjectMeta) meta =
      sly_project_meta_from_json (meta_json, -1, error);
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (JsonGenerator) gen = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *path = NULL;

  if (meta == NULL)
    return FALSE;
  node = sly_project_meta_to_json_node (meta);
  /* sly.read_project picks the project class from projectType */
  json_object_set_string_member (json_node_get_object (node), "projectType",
      kind == SLY_INPUT_VIDEO ? "videos" : "images");
  gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  path = g_build_filename (app->opts->output, "meta.json", NULL);
  if (!sly_annotate_write_atomic (path, text, error))
    return FALSE;
  if (kind == SLY_INPUT_VIDEO) {
    g_autofree gchar *map =
        g_build_filename (app->opts->output, "key_id_map.json", NULL);

    if (!g_file_test (map, G_FILE_TEST_EXISTS) &&
        !sly_annotate_write_atomic (map, "{\"tags\": {}, \"objects\": {}, "
            "\"figures\": {}, \"videos\": {}}\n", error))
      return FALSE;
  }
  return TRUE;
}

/* ---- signals ---- */

static gboolean
on_signal (gpointer user_data)
{
  SlyApp *app = user_data;

  app->interrupted = TRUE;
  app->signals++;
  if (app->run)
    sly_annotate_run_interrupt (app->run);
  return G_SOURCE_CONTINUE;
}

/* ---- summary ---- */

static const gchar *
state_name (SlyInputState s)
{
  switch (s) {
    case SLY_INPUT_DONE:
      return "done";
    case SLY_INPUT_PARTIAL:
      return "partial";
    case SLY_INPUT_FAILED:
      return "failed";
    default:
      return "not-run";
  }
}

static void
print_summary (SlyApp * app, GPtrArray * inputs, gint kind, SlyExit code)
{
  guint64 frames = 0, inferred = 0, failed = 0, objects = 0, tracks = 0;
  guint done = 0, partial = 0, n_failed = 0;
  gdouble seconds = (g_get_monotonic_time () - app->start_us) / 1e6;
  const gchar *type = kind == SLY_INPUT_IMAGE ? "images" :
      kind == SLY_INPUT_VIDEO ? "videos" : NULL;

  for (guint i = 0; i < inputs->len; i++) {
    SlyInput *in = inputs->pdata[i];

    frames += in->frames;
    inferred += in->inferred;
    failed += in->failed;
    objects += in->objects;
    tracks += in->tracks;
    done += in->state == SLY_INPUT_DONE;
    partial += in->state == SLY_INPUT_PARTIAL;
    n_failed += in->state == SLY_INPUT_FAILED;
  }

  if (app->opts->json) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autoptr (JsonNode) root = NULL;
    g_autofree gchar *text = NULL;

    json_builder_begin_object (b);
#define INT(k, v) json_builder_set_member_name (b, k); \
    json_builder_add_int_value (b, (gint64) (v))
#define STR(k, v) json_builder_set_member_name (b, k); \
    if (v) json_builder_add_string_value (b, v); \
    else json_builder_add_null_value (b)
    STR ("output", app->opts->output);
    STR ("project_type", type);
    STR ("overlay_encoder", app->encoder);
    INT ("exit_code", code);
    json_builder_set_member_name (b, "interrupted");
    json_builder_add_boolean_value (b, app->interrupted);
    json_builder_set_member_name (b, "partial");
    json_builder_add_boolean_value (b, partial > 0 || (app->interrupted &&
            done + n_failed < inputs->len));
    INT ("inputs_total", inputs->len);
    INT ("inputs_done", done);
    INT ("inputs_partial", partial);
    INT ("inputs_failed", n_failed);
    INT ("frames", frames);
    INT ("inferred", inferred);
    INT ("failed", failed);
    INT ("objects", objects);
    INT ("tracks", tracks);
    json_builder_set_member_name (b, "seconds");
    json_builder_add_double_value (b, seconds);
    json_builder_set_member_name (b, "inputs");
    json_builder_begin_array (b);
    for (guint i = 0; i < inputs->len; i++) {
      SlyInput *in = inputs->pdata[i];

      json_builder_begin_object (b);
      STR ("input", in->display);
      STR ("kind", in->dataset ? (in->kind == SLY_INPUT_IMAGE ? "image" :
              "video") : NULL);
      STR ("dataset", in->dataset);
      STR ("name", in->name);
      STR ("state", state_name (in->state));
      STR ("error", in->error);
      INT ("frames", in->frames);
      INT ("inferred", in->inferred);
      INT ("failed", in->failed);
      INT ("objects", in->objects);
      INT ("tracks", in->tracks);
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, in->seconds);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
#undef INT
#undef STR
    root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    json_generator_set_pretty (gen, TRUE);
    text = json_generator_to_data (gen, NULL);
    printf ("%s\n", text);
  } else if (!app->opts->quiet) {
    printf ("%s: %u of %u input(s) annotated%s%s into %s%s%s%s\n",
        app->interrupted ? "interrupted" : "done", done + partial,
        inputs->len, partial ? " (" : "", partial ? "partial)" : "",
        app->opts->output, type ? " (" : "", type ? type : "",
        type ? " project)" : "");
    printf ("frames %" G_GUINT64_FORMAT ", inferred %" G_GUINT64_FORMAT
        ", failed %" G_GUINT64_FORMAT ", objects %" G_GUINT64_FORMAT
        ", tracks %" G_GUINT64_FORMAT ", %.1f s\n", frames, inferred, failed,
        objects, tracks, seconds);
    if (app->encoder && kind == SLY_INPUT_VIDEO)
      printf ("overlay videos encoded with %s\n", app->encoder);
    for (guint i = 0; i < inputs->len; i++) {
      SlyInput *in = inputs->pdata[i];

      if (in->state == SLY_INPUT_PARTIAL)
        printf ("partial: %s (%" G_GUINT64_FORMAT " frames annotated)\n",
            in->display, in->frames);
      else if (in->state == SLY_INPUT_FAILED)
        printf ("failed: %s\n", in->error);
      else if (in->error != NULL)
        printf ("incomplete: %s\n", in->error);
    }
  }
  fflush (stdout);
}

/* ---- main ---- */

static const gchar *description =
    "Annotates video files, image files, folders of them and stream URIs\n"
    "with a model served by Supervisely (or sly-model-server) and writes a\n"
    "Supervisely project into DIR: meta.json, one dataset per input folder\n"
    "(files named on the command line go to --dataset, default ds0), with\n"
    "video/ or img/ (media hard-linked, else symlinked; --copy-media,\n"
    "--no-media) and ann/<name>.json. Images and videos cannot be mixed in\n"
    "one run (a project holds one or the other).\n"
    "\n"
    "The API token of task mode comes from $API_TOKEN or ~/supervisely.env\n"
    "only: an option would show it in ps and shell history.\n"
    "\n"
    "Exit status:\n"
    "  0    every input annotated\n"
    "  1    an input could not be read or decoded (the others were annotated)\n"
    "  2    bad option or argument, unknown --classes, images mixed with videos\n"
    "  3    the model server could not be reached, or failed frames (their\n"
    "       annotation is written without predictions)\n"
    "  4    the API token is missing or was refused (HTTP 401/403)\n"
    "  5    no model is loaded, or --model failed to load\n"
    "  6    the project could not be written\n"
    "  130  interrupted (SIGINT/SIGTERM): what was annotated is written\n"
    "\n" "See docs/annotate.md.";

static gboolean
check_json_object (const gchar * option, const gchar * text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  if (text == NULL)
    return TRUE;
  if (!json_parser_load_from_data (parser, text, -1, &error)) {
    g_printerr ("sly-annotate: %s: not JSON: %s\n", option, error->message);
    return FALSE;
  }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_printerr ("sly-annotate: %s: not a JSON object\n", option);
    return FALSE;
  }
  return TRUE;
}

static const SlyEncoder *
pick_encoder (const gchar * wanted)
{
  for (guint i = 0; i < G_N_ELEMENTS (encoders); i++) {
    const SlyEncoder *e = &encoders[i];
    gboolean ok = TRUE;

    if (wanted && !g_str_equal (wanted, e->name))
      continue;
    for (guint j = 0; e->needs[j] && ok; j++) {
      GstElementFactory *f = gst_element_factory_find (e->needs[j]);

      ok = f != NULL;
      g_clear_object (&f);
    }
    if (ok)
      return e;
  }
  return NULL;
}

/* Uninstalled: the plugin of the build tree when none is installed */
static void
find_plugin (void)
{
  GstElementFactory *f = gst_element_factory_find ("slymodelinfer");

#ifdef SLY_PLUGIN_BUILD_DIR
  if (f == NULL && g_file_test (SLY_PLUGIN_BUILD_DIR, G_FILE_TEST_IS_DIR)) {
    gst_registry_scan_path (gst_registry_get (), SLY_PLUGIN_BUILD_DIR);
    f = gst_element_factory_find ("slymodelinfer");
  }
#endif
  g_clear_object (&f);
}

static void
options_clear (SlyOptions * o)
{
  g_free (o->output);
  g_free (o->url);
  g_free (o->server_address);
  g_free (o->model);
  g_free (o->device);
  g_free (o->runtime);
  g_free (o->classes);
  g_free (o->settings);
  g_free (o->tracking_config);
  g_free (o->dataset);
}

static void
app_clear (SlyApp * app)
{
  g_clear_pointer (&app->image_jsonl, g_hash_table_unref);
  g_clear_pointer (&app->loop, g_main_loop_unref);
  g_free (app->server);
  g_free (app->meta_json);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SlyOptions, options_clear);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SlyApp, app_clear);

/* Every way out of main frees what it holds (the g_auto cleanups), so
 * that leak checkers see a clean exit on errors too. */
int
main (int argc, char **argv)
{
  g_auto (SlyOptions) o = { 0 };
  g_auto (SlyApp) app = { 0 };
  g_auto (GStrv) args = NULL;
  g_autofree gchar *encoder_name = NULL;
  gboolean version = FALSE;
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) inputs = NULL;
  g_autoptr (SlyProjectMeta) meta = NULL;
  gint kind = -1;
  guint n_run = 0, run_index = 0;
  SlyExit code = SLY_EXIT_OK;
  gint stderr_tty;
  GOptionEntry entries[] = {
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
          "Project folder to write (created; existing items are replaced)",
        "DIR"},
    {"url", 'u', 0, G_OPTION_ARG_STRING, &o.url,
          "Model server URL (http://host:port or https://host/net/<session>)",
        "URL"},
    {"task-id", 't', 0, G_OPTION_ARG_INT64, &o.task_id,
        "Supervisely task id of the serving app (instead of --url)", "ID"},
    {"server-address", 0, 0, G_OPTION_ARG_STRING, &o.server_address,
        "Platform address for --task-id (else $SERVER_ADDRESS, "
          "~/supervisely.env)", "URL"},
    {"model", 'm', 0, G_OPTION_ARG_STRING, &o.model,
        "Load this pretrained model before starting", "NAME"},
    {"device", 0, 0, G_OPTION_ARG_STRING, &o.device,
        "Device for --model (e.g. cuda:0)", "DEV"},
    {"runtime", 0, 0, G_OPTION_ARG_STRING, &o.runtime,
        "Runtime for --model (e.g. onnx)", "RT"},
    {"conf", 'c', 0, G_OPTION_ARG_DOUBLE, &o.conf,
        "Minimum confidence 0..1 (default: the model's)", "X"},
    {"classes", 0, 0, G_OPTION_ARG_STRING, &o.classes,
        "Classes to keep, comma-separated", "A,B"},
    {"settings", 0, 0, G_OPTION_ARG_STRING, &o.settings,
        "JSON object merged into the inference settings", "JSON"},
    {"tracking", 'T', 0, G_OPTION_ARG_NONE, &o.tracking,
        "Track objects in videos (BoT-SORT): one object per track", NULL},
    {"tracking-config", 0, 0, G_OPTION_ARG_STRING, &o.tracking_config,
        "JSON object over the server's BoT-SORT settings", "JSON"},
    {"max-inflight", 0, 0, G_OPTION_ARG_INT, &o.max_inflight,
        "Requests outstanding at once, 1..64 (default 4)", "N"},
    {"batch-size", 0, 0, G_OPTION_ARG_INT, &o.batch_size,
        "Frames per request, 1..64; 0 = automatic, the default: frames "
          "waiting for a free request slot go together", "N"},
    {"inference-interval", 0, 0, G_OPTION_ARG_INT, &o.inference_interval,
        "Infer every Nth frame (default 1; with --tracking the others get "
          "predicted boxes)", "N"},
    {"recursive", 'r', 0, G_OPTION_ARG_NONE, &o.recursive,
        "Also take the files of subfolders", NULL},
    {"dataset", 'd', 0, G_OPTION_ARG_STRING, &o.dataset,
          "Dataset of the files named on the command line (default ds0)",
        "NAME"},
    {"copy-media", 0, 0, G_OPTION_ARG_NONE, &o.copy_media,
          "Copy the media into the project (default: hard link, else symlink)",
        NULL},
    {"no-media", 0, 0, G_OPTION_ARG_NONE, &o.no_media,
        "Write annotations and meta.json only", NULL},
    {"overlay", 0, 0, G_OPTION_ARG_NONE, &o.overlay,
        "Also write annotated media to <dataset>/overlay/", NULL},
    {"encoder", 0, 0, G_OPTION_ARG_STRING, &encoder_name,
        "Overlay encoder: x264enc, openh264enc, vp8enc or jpegenc (default: "
          "the first installed)", "NAME"},
    {"jsonl", 0, 0, G_OPTION_ARG_NONE, &o.jsonl,
        "Also write one JSON line per frame to <dataset>/jsonl/", NULL},
    {"fail-fast", 0, 0, G_OPTION_ARG_NONE, &o.fail_fast,
        "Stop at the first input that fails", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet,
        "Print nothing but errors", NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &o.json,
        "Print the summary as JSON on stdout", NULL},
    {"progress-interval", 0, 0, G_OPTION_ARG_DOUBLE, &o.progress_interval,
        "Seconds between progress lines when stderr is not a terminal "
          "(default 5)", "S"},
    {"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL,
        NULL},
    {NULL}
  };

  o.conf = -1;
  o.max_inflight = 4;
  o.batch_size = 0;
  o.inference_interval = 1;
  o.progress_interval = 5;

  ctx = g_option_context_new ("INPUT... --output DIR");
  g_option_context_set_summary (ctx,
      "Annotate videos and images with a Supervisely model into a "
      "Supervisely project.");
  g_option_context_set_description (ctx, description);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("sly-annotate: %s (see --help)\n", error->message);
    return SLY_EXIT_USAGE;
  }
  if (version) {
    printf ("sly-annotate %s\n", VERSION);
    return SLY_EXIT_OK;
  }
  if (o.dataset == NULL)
    o.dataset = g_strdup ("ds0");

#define USAGE(...) G_STMT_START { g_printerr ("sly-annotate: " __VA_ARGS__); \
    g_printerr (" (see --help)\n"); return SLY_EXIT_USAGE; } G_STMT_END
  if (args == NULL || args[0] == NULL)
    USAGE ("no INPUT given");
  if (o.output == NULL)
    USAGE ("--output DIR is required");
  if ((o.url == NULL) == (o.task_id <= 0))
    USAGE ("give exactly one of --url and --task-id");
  if (o.conf != -1 && (o.conf < 0 || o.conf > 1))
    USAGE ("--conf must be from 0 to 1");
  if (o.max_inflight < 1 || o.max_inflight > 64)
    USAGE ("--max-inflight must be from 1 to 64");
  if (o.batch_size < 0 || o.batch_size > 64)
    USAGE ("--batch-size must be from 0 (automatic) to 64");
  if (o.inference_interval < 1)
    USAGE ("--inference-interval must be 1 or more");
  if (o.copy_media && o.no_media)
    USAGE ("--copy-media and --no-media exclude each other");
  if (o.progress_interval <= 0)
    USAGE ("--progress-interval must be above 0");
  if (strchr (o.dataset, '/') || !o.dataset[0] || g_str_equal (o.dataset,
          ".") || g_str_equal (o.dataset, ".."))
    USAGE ("--dataset must be a plain folder name");
  if (!check_json_object ("--settings", o.settings) ||
      !check_json_object ("--tracking-config", o.tracking_config))
    return SLY_EXIT_USAGE;
#undef USAGE

  app.opts = &o;
  app.start_us = g_get_monotonic_time ();
  app.loop = g_main_loop_new (NULL, FALSE);
  app.image_jsonl = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) fclose);
  stderr_tty = isatty (STDERR_FILENO);
  app.tty = stderr_tty && g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
  app.server = describe_server (&o);
  find_plugin ();
  g_unix_signal_add (SIGINT, on_signal, &app);
  g_unix_signal_add (SIGTERM, on_signal, &app);

  if (o.overlay) {
    const SlyEncoder *e = pick_encoder (encoder_name);
    GstElementFactory *f = gst_element_factory_find ("slyoverlay");

    if (f == NULL) {
      g_printerr ("sly-annotate: --overlay: the slyoverlay element is not "
          "installed\n");
      return SLY_EXIT_USAGE;
    }
    g_object_unref (f);
    if (e == NULL) {
      g_printerr ("sly-annotate: --encoder %s: not installed or unknown "
          "(x264enc, openh264enc, vp8enc, jpegenc)\n", encoder_name);
      return SLY_EXIT_USAGE;
    }
    app.encoder = e->name;
    app.encoder_bin = e->bin;
    app.encoder_ext = e->ext;
  }

  /* the inputs */
  inputs = collect_inputs (&o, args);
  {
    guint n_images = 0, n_videos = 0, n_bad = 0;

    for (guint i = 0; i < inputs->len; i++) {
      SlyInput *in = inputs->pdata[i];

      if (in->state == SLY_INPUT_FAILED) {
        print_error (&app, "%s", in->error);
        n_bad++;
      } else if (in->kind == SLY_INPUT_IMAGE)
        n_images++;
      else
        n_videos++;
    }
    if (n_images && n_videos) {
      g_printerr ("sly-annotate: the inputs mix %u image(s) and %u "
          "video(s); a Supervisely project holds images or videos: run "
          "sly-annotate once for each, with different --output\n",
          n_images, n_videos);
      return SLY_EXIT_USAGE;
    }
    if (n_bad && o.fail_fast) {
      print_summary (&app, inputs, -1, SLY_EXIT_INPUT);
      return SLY_EXIT_INPUT;
    }
    if (n_images + n_videos == 0) {
      print_summary (&app, inputs, -1, SLY_EXIT_INPUT);
      return SLY_EXIT_INPUT;
    }
    kind = n_images ? SLY_INPUT_IMAGE : SLY_INPUT_VIDEO;
    if (o.overlay && kind == SLY_INPUT_IMAGE)
      app.encoder = "pngenc";   /* images: <dataset>/overlay/<name>.png */
    n_run = n_images + n_videos;
    app.images_total = n_images;
    if (o.tracking && kind == SLY_INPUT_IMAGE && !o.quiet)
      print_error (&app, "--tracking applies to videos only; ignored for "
          "images");
  }

  /* the server, once */
  code = preflight (&app, &meta);
  while (g_main_context_iteration (NULL, FALSE));
  if (code == SLY_EXIT_OK && app.interrupted)
    code = SLY_EXIT_INTERRUPTED;
  if (code != SLY_EXIT_OK) {
    if (o.json)
      print_summary (&app, inputs, kind, code);
    return code;
  }
  if (g_mkdir_with_parents (o.output, 0755) != 0) {
    print_error (&app, "cannot create %s: %s", o.output, g_strerror (errno));
    return SLY_EXIT_OUTPUT;
  }

  /* the inputs, one pipeline each */
  app.images_start_us = app.last_plain_us = g_get_monotonic_time ();
  for (guint i = 0; i < inputs->len; i++) {
    SlyInput *in = inputs->pdata[i];
    gboolean go_on;

    if (in->state == SLY_INPUT_FAILED)
      continue;
    go_on = sly_annotate_run_input (&app, in, run_index, n_run);
    run_index++;
    if (in->kind == SLY_INPUT_IMAGE) {
      if (in->state != SLY_INPUT_PENDING)
        app.images_done++;
      if (in->error != NULL)
        print_error (&app, "%s", in->error);
      {
        gboolean last = app.images_done == app.images_total || !go_on;
        gint64 now = g_get_monotonic_time ();

        /* redrawn after each image; plain lines every progress-interval */
        if (app.tty || last || now - app.last_plain_us >=
            o.progress_interval * G_USEC_PER_SEC) {
          sly_progress_update (&app, in, run_index - 1, n_run, last);
          app.last_plain_us = now;
        }
      }
    } else if (in->error != NULL) {
      print_error (&app, "%s", in->error);
    }
    if (!go_on || (in->state == SLY_INPUT_FAILED && o.fail_fast))
      break;
  }
  g_hash_table_remove_all (app.image_jsonl);

  /* meta.json: from the element's model-meta, else the server's answer */
  {
    gboolean any = FALSE;

    for (guint i = 0; i < inputs->len; i++) {
      SlyInput *in = inputs->pdata[i];

      any |= in->state == SLY_INPUT_DONE || in->state == SLY_INPUT_PARTIAL;
    }
    if (any && app.meta_json == NULL) {
      g_autofree gchar *json = sly_project_meta_to_json (meta);

      if (!sly_annotate_write_meta (&app, json, kind, &error)) {
        print_error (&app, "%s", error->message);
        code = SLY_EXIT_OUTPUT;
      }
    }
  }

  /* exit status: interrupted, else the server's, else the first input's */
  if (app.interrupted)
    code = SLY_EXIT_INTERRUPTED;
  else if (app.fatal != SLY_EXIT_OK)
    code = app.fatal;
  else if (code == SLY_EXIT_OK) {
    for (guint i = 0; i < inputs->len && code == SLY_EXIT_OK; i++) {
      SlyInput *in = inputs->pdata[i];

      if (in->code != SLY_EXIT_OK)
        code = in->code;
    }
  }
  print_summary (&app, inputs, kind, code);
  return code;
}
