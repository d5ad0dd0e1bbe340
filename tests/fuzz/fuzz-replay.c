/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs a fuzz target without libFuzzer: over every file of the given corpus
 * directories (or single files), and over a few deterministic mutations of
 * each (prefix truncations, overwritten bytes), so that gcc, valgrind and
 * ASan builds exercise the targets quickly (inputs over 16 KiB run
 * unmutated). Each input is copied into a
 * buffer of exactly its size, so that reading one byte past it is caught.
 *
 * Usage: fuzz-replay-<target> [--mutations=N] PATH...
 */
#include "fuzz-common.h"

#include <string.h>

/* Larger inputs (deep-nesting seeds) run once, unmutated. */
#define MUTATE_MAX_SIZE (16 * 1024)

/* Bytes that often flip a parser into another path. */
static const guint8 interesting[] = {
  0x00, 0x01, 0x7f, 0x80, 0xff, '"', '[', '{', '-', '9',
};

static void
run_one (const guint8 * data, gsize size)
{
  /* exactly @size bytes: no terminator for string parsers to lean on */
  guint8 *copy = g_malloc (MAX (size, 1));

  if (size > 0)
    memcpy (copy, data, size);
  LLVMFuzzerTestOneInput (copy, size);
  g_free (copy);
}

/* Deterministic per input file, wherever the checkout is (the seed is the
 * file's base name, not its path), so a failure reproduces. */
static guint
run_mutations (const gchar * name, const guint8 * data, gsize size, guint count)
{
  g_autofree gchar *base = g_path_get_basename (name);
  g_autoptr (GRand) rand = g_rand_new_with_seed (g_str_hash (base));
  g_autofree guint8 *buf = g_memdup2 (data, size);
  guint i;

  if (size == 0 || size > MUTATE_MAX_SIZE)
    return 0;
  for (i = 0; i < count; i++) {
    gsize at = g_rand_int_range (rand, 0, size);

    if (i % 2 == 0) {
      /* a prefix: truncated files */
      run_one (data, (size * (i / 2 + 1)) / (count / 2 + 2));
      continue;
    }
    buf[at] = i % 4 == 1 ? interesting[g_rand_int_range (rand, 0,
            G_N_ELEMENTS (interesting))] : (guint8) g_rand_int (rand);
    run_one (buf, size);
    buf[at] = data[at];
  }
  return count;
}

static guint
replay_file (const gchar * path, guint mutations, guint * runs)
{
  g_autofree gchar *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize size;

  if (!g_file_get_contents (path, &contents, &size, &error)) {
    g_printerr ("%s\n", error->message);
    exit (2);
  }
  /* named before running, so that a crash says which input did it */
  g_print ("# %s (%" G_GSIZE_FORMAT " bytes)\n", path, size);
  run_one ((const guint8 *) contents, size);
  *runs += 1 + run_mutations (path, (const guint8 *) contents, size, mutations);
  return 1;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

static guint
replay_dir (const gchar * path, guint mutations, guint * runs)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;
  guint i, inputs = 0;

  if (dir == NULL) {
    g_printerr ("%s\n", error->message);
    exit (2);
  }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);
  for (i = 0; i < names->len; i++)
    inputs += replay_file (g_ptr_array_index (names, i), mutations, runs);
  return inputs;
}

int
main (int argc, char **argv)
{
  gint mutations = 24;
  g_auto (GStrv) paths = NULL;
  GOptionEntry entries[] = {
    {"mutations", 'm', 0, G_OPTION_ARG_INT, &mutations,
        "Mutated runs per input (default 24, 8 under valgrind)", "N"},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths,
        NULL, "PATH..."},
    {NULL}
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  guint i, inputs = 0, runs = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  /* valgrind runs everything some 30 times slower */
  if (g_strcmp0 (g_getenv ("SLY_UNDER_VALGRIND"), "1") == 0)
    mutations = 8;
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || paths == NULL || mutations < 0) {
    g_printerr ("%s\n", error ? error->message : "no corpus given");
    return 2;
  }
  for (i = 0; paths[i] != NULL; i++) {
    if (g_file_test (paths[i], G_FILE_TEST_IS_DIR))
      inputs += replay_dir (paths[i], mutations, &runs);
    else
      inputs += replay_file (paths[i], mutations, &runs);
  }
  if (inputs == 0) {
    g_printerr ("no inputs found\n");
    return 1;
  }
  g_print ("%u inputs, %u runs: no failure\n", inputs, runs);
  return 0;
}
