/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: sly_dotenv_parse(), the reader of ~/supervisely.env, and
 * sly_normalize_server_address() on every value it yields (SERVER_ADDRESS
 * takes that way). Keys are never empty, hold no '=' and no surrounding
 * blanks; addresses always get a scheme. ("export #k=v" does give the key
 * "#k": harmless, and not checked.) */
#include "fuzz-common.h"
#include "slyenv.h"

#include <string.h>

static void
check_entry (const gchar * key, const gchar * value)
{
  g_autofree gchar *address = NULL;
  gsize len = strlen (key);

  FUZZ_CHECK (len > 0 && value != NULL);
  FUZZ_CHECK (strchr (key, '=') == NULL && strchr (key, '\n') == NULL);
  FUZZ_CHECK (!g_ascii_isspace (key[0]) && !g_ascii_isspace (key[len - 1]));

  address = sly_normalize_server_address (value);
  FUZZ_CHECK (address != NULL);
  FUZZ_CHECK (strstr (address, "http://") != NULL
      || strstr (address, "https://") != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  /* the file is read with g_file_get_contents(): a C string */
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  g_autoptr (GHashTable) table = NULL;
  GHashTableIter iter;
  gpointer key, value;

  fuzz_setup ();
  table = sly_dotenv_parse (text);
  FUZZ_CHECK (table != NULL);
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    check_entry (key, value);
  return 0;
}
