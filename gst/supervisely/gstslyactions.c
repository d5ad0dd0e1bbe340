/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Blocking calls of slymodelinfer's action signals; see the header.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstslyactions.h"
#include "slyjson.h"

gchar *
gst_sly_action_freeze_model (const GstSlyClientConfig * cfg, GError ** error)
{
  g_autoptr (SlyClient) client = gst_sly_client_config_create_client (cfg,
      error);

  return client ? sly_client_freeze_model (client, NULL, error) : NULL;
}

gchar *
gst_sly_action_shutdown (const GstSlyClientConfig * cfg, GError ** error)
{
  g_autoptr (SlyClient) client = gst_sly_client_config_create_client (cfg,
      error);

  return client ? sly_client_shutdown (client, NULL, error) : NULL;
}

gchar **
gst_sly_action_list_pretrained_models (const GstSlyClientConfig * cfg,
    GError ** error)
{
  g_autoptr (SlyClient) client = gst_sly_client_config_create_client (cfg,
      error);

  return client ? sly_client_list_pretrained_models (client, NULL,
      error) : NULL;
}

gchar *
gst_sly_action_list_pretrained_model_infos (const GstSlyClientConfig * cfg,
    GError ** error)
{
  g_autoptr (SlyClient) client = gst_sly_client_config_create_client (cfg,
      error);
  g_autoptr (JsonArray) infos = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (client != NULL)
    infos = sly_client_list_pretrained_model_infos (client, NULL, error);
  if (infos == NULL)
    return NULL;
  node = json_node_init_array (json_node_alloc (), infos);
  return sly_json_to_string (node);
}

SlyModelInfo *
gst_sly_action_fetch_model_info (const GstSlyClientConfig * cfg,
    GError ** error)
{
  g_autoptr (SlyClient) client = gst_sly_client_config_create_client (cfg,
      error);

  return client ? sly_client_fetch_model_info (client, NULL, error) : NULL;
}
