/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every element of our plugin goes through all state changes, up and down,
 * a few times, configured against a running sly-model-server, and once
 * unconfigured (where it may refuse PAUSED but must not crash or hang).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/base/gstbasesink.h>
#include <glib/gstdio.h>

#include "slytestserver.h"

/* The sinks' files, then the folder. */
static void
rm_rf (const gchar * dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    g_autofree gchar *path = g_build_filename (dir, name, NULL);

    g_remove (path);
  }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (dir);
}

static GList *
our_element_names (void)
{
  GList *features, *l, *names = NULL;

  features = gst_registry_get_feature_list_by_plugin (gst_registry_get (),
      "supervisely");
  for (l = features; l != NULL; l = l->next) {
    if (GST_IS_ELEMENT_FACTORY (l->data))
      names = g_list_prepend (names,
          g_strdup (gst_plugin_feature_get_name (l->data)));
  }
  gst_plugin_feature_list_free (features);
  return names;
}

/* What each kind of element needs to start: a server to talk to, a file to
 * write. Sinks are told not to preroll, since nothing feeds them here. */
static void
configure (GstElement * element, SlyTestServer * server, const gchar * dir)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (element);

  if (g_object_class_find_property (klass, "url"))
    g_object_set (element, "url", sly_test_server_get_url (server), NULL);
  if (g_object_class_find_property (klass, "location")) {
    g_autofree gchar *path = g_build_filename (dir,
        GST_ELEMENT_NAME (element), NULL);

    g_object_set (element, "location", path, NULL);
  }
  if (GST_IS_BASE_SINK (element))
    g_object_set (element, "async", FALSE, NULL);
}

static const GstState cycle[] = {
  GST_STATE_READY, GST_STATE_PAUSED, GST_STATE_PLAYING, GST_STATE_PAUSED,
  GST_STATE_READY, GST_STATE_NULL, GST_STATE_PLAYING, GST_STATE_NULL,
};

static void
run_cycle (GstElement * element, gboolean must_succeed)
{
  guint i, round;

  for (round = 0; round < 3; round++) {
    for (i = 0; i < G_N_ELEMENTS (cycle); i++) {
      GstStateChangeReturn ret = gst_element_set_state (element, cycle[i]);

      if (ret == GST_STATE_CHANGE_ASYNC)
        ret = gst_element_get_state (element, NULL, NULL, 5 * GST_SECOND);
      if (must_succeed)
        fail_if (ret == GST_STATE_CHANGE_FAILURE, "%s to %s failed",
            GST_ELEMENT_NAME (element), gst_element_state_get_name (cycle[i]));
    }
  }
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
}

/* Configured against a live server, every element of the plugin cycles
 * through NULL, READY, PAUSED and PLAYING in every order without failing. */
GST_START_TEST (test_state_changes_configured)
{
  SlyTestServer *server = sly_test_server_startv (NULL);
  g_autofree gchar *dir = g_dir_make_tmp ("sly-states-XXXXXX", NULL);
  GList *names = our_element_names (), *l;

  fail_unless (names != NULL, "no element of the supervisely plugin");
  for (l = names; l != NULL; l = l->next) {
    GstElement *element = gst_element_factory_make (l->data, NULL);
    GstBus *bus = gst_bus_new ();
    GstMessage *msg;

    fail_unless (element != NULL);
    gst_element_set_bus (element, bus);
    configure (element, server, dir);
    run_cycle (element, TRUE);
    /* configured, nothing may go wrong on the way */
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg != NULL) {
      g_autoptr (GError) error = NULL;

      gst_message_parse_error (msg, &error, NULL);
      fail ("%s posted an error: %s", GST_ELEMENT_NAME (element),
          error->message);
    }
    gst_element_set_bus (element, NULL);
    gst_object_unref (bus);
    gst_object_unref (element);
  }
  g_list_free_full (names, g_free);
  sly_test_server_stop (server);
  rm_rf (dir);
}

GST_END_TEST;

/* Unconfigured, the elements may refuse to start, but state changes never
 * crash, hang or leak, and NULL is always reachable. */
GST_START_TEST (test_state_changes_unconfigured)
{
  GList *names = our_element_names (), *l;

  for (l = names; l != NULL; l = l->next) {
    GstElement *element = gst_element_factory_make (l->data, NULL);
    GstBus *bus = gst_bus_new ();

    gst_element_set_bus (element, bus);
    run_cycle (element, FALSE);
    gst_element_set_bus (element, NULL);
    gst_bus_set_flushing (bus, TRUE);
    gst_object_unref (bus);
    gst_object_unref (element);
  }
  g_list_free_full (names, g_free);
}

GST_END_TEST;

static Suite *
states_suite (void)
{
  Suite *s = suite_create ("states");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_state_changes_configured);
  tcase_add_test (tc, test_state_changes_unconfigured);
  return s;
}

GST_CHECK_MAIN (states);
