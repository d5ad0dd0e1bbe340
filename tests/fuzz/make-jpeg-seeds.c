/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes the JPEG seeds of corpus/jpeg and corpus/image: what our encoder
 * writes (every pixel format, odd sizes) plus what libjpeg can write and we
 * never do (progressive, arithmetic coding, restart markers, 4:4:4, CMYK),
 * and hostile variants (bad-*). Not built by default:
 *   ninja -C BUILD tests/fuzz/make-jpeg-seeds && BUILD/tests/fuzz/make-jpeg-seeds tests/fuzz/corpus
 */
#include "slyimage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

static const gchar *corpus;

static void
save (const gchar * target, const gchar * name, const guint8 * data, gsize size)
{
  g_autofree gchar *dir = g_build_filename (corpus, target, NULL);
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_mkdir_with_parents (dir, 0755);
  if (!g_file_set_contents (path, (const gchar *) data, size, &error))
    g_error ("%s", error->message);
}

static void
save_bytes (const gchar * target, const gchar * name, GBytes * bytes)
{
  save (target, name, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static guint8 *
pattern (gint width, gint height, gint bpp)
{
  guint8 *p = g_malloc ((gsize) width * height * bpp);
  gint i;

  for (i = 0; i < width * height * bpp; i++)
    p[i] = (guint8) ((i % (width * bpp)) * 5 + (i / (width * bpp)) * 11);
  return p;
}

typedef enum
{
  PLAIN = 0,
  PROGRESSIVE = 1 << 0,
  ARITHMETIC = 1 << 1,
  RESTARTS = 1 << 2,
  FULL_CHROMA = 1 << 3,
  CMYK = 1 << 4,
} Flavour;

/* Straight libjpeg, for the variants sly_jpeg_encode() never writes. */
static GBytes *
libjpeg_encode (gint width, gint height, Flavour flavour)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  unsigned char *out = NULL;
  unsigned long out_size = 0;
  gint bpp = flavour & CMYK ? 4 : 3;
  g_autofree guint8 *pixels = pattern (width, height, bpp);
  GBytes *bytes;

  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &out, &out_size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = bpp;
  cinfo.in_color_space = flavour & CMYK ? JCS_CMYK : JCS_RGB;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, 80, TRUE);
  if (flavour & PROGRESSIVE)
    jpeg_simple_progression (&cinfo);
  if (flavour & ARITHMETIC)
    cinfo.arith_code = TRUE;
  if (flavour & RESTARTS)
    cinfo.restart_in_rows = 1;
  if (flavour & FULL_CHROMA)
    cinfo.comp_info[0].h_samp_factor = cinfo.comp_info[0].v_samp_factor = 1;
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = pixels + (gsize) cinfo.next_scanline * width * bpp;

    jpeg_write_scanlines (&cinfo, &row, 1);
  }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  bytes = g_bytes_new (out, out_size);
  free (out);
  return bytes;
}

static GBytes *
sly_encode (SlyPixelFormat format, gint width, gint height)
{
  gint cw = (width + 1) / 2, ch = (height + 1) / 2;
  g_autofree guint8 *plane0 = pattern (width, height, 4);
  g_autofree guint8 *plane1 = pattern (2 * cw, ch, 1);
  g_autofree guint8 *plane2 = pattern (cw, ch, 1);
  SlyImageView view = { format, width, height, {plane0, plane1, plane2},
  {width * 4, format == SLY_PIXEL_NV12 ? 2 * cw : cw, cw}
  };
  GBytes *bytes = sly_jpeg_encode (&view, 75, NULL);

  g_assert (bytes != NULL);
  return bytes;
}

/* Offset of the first SOFn marker. */
static gsize
find_sof (const guint8 * d, gsize n)
{
  gsize i;

  for (i = 2; i + 1 < n; i++)
    if (d[i] == 0xff && (d[i + 1] == 0xc0 || d[i + 1] == 0xc2))
      return i;
  g_error ("no SOF");
}

static void
hostile (GBytes * good)
{
  gsize n = g_bytes_get_size (good);
  const guint8 *d = g_bytes_get_data (good, NULL);
  g_autofree guint8 *b = g_memdup2 (d, n);
  gsize sof = find_sof (d, n);

  save ("jpeg", "bad-truncated-header.jpg", d, 60);
  save ("jpeg", "bad-truncated-scan.jpg", d, n * 2 / 3);
  save ("jpeg", "bad-no-eoi.jpg", d, n - 2);
  b[sof + 5] = b[sof + 7] = 0xff;       /* 65535 x 65535 */
  b[sof + 6] = b[sof + 8] = 0xff;
  save ("jpeg", "bad-huge.jpg", b, n);
  memcpy (b, d, n);
  b[sof + 5] = b[sof + 6] = 0;  /* height 0: DNL */
  save ("jpeg", "bad-zero-height.jpg", b, n);
  memcpy (b, d, n);
  b[sof + 9] = 7;               /* seven components */
  save ("jpeg", "bad-components.jpg", b, n);
  memcpy (b, d, n);
  memset (b + n / 2, 0xa5, 64); /* mangled entropy-coded data */
  save ("jpeg", "bad-corrupt-scan.jpg", b, n);
  save ("jpeg", "bad-soi-only.jpg", d, 2);
}

int
main (int argc, char **argv)
{
  static const struct
  {
    SlyPixelFormat format;
    const gchar *name;
    gint width, height;
  } ours[] = {
    {SLY_PIXEL_GRAY8, "gray-17x9.jpg", 17, 9},
    {SLY_PIXEL_RGB, "rgb-33x17.jpg", 33, 17},
    {SLY_PIXEL_XBGR, "xbgr-8x8.jpg", 8, 8},
    {SLY_PIXEL_I420, "i420-33x17.jpg", 33, 17},
    {SLY_PIXEL_NV12, "nv12-32x16.jpg", 32, 16},
  };
  static const struct
  {
    Flavour flavour;
    const gchar *name;
  } theirs[] = {
    {PROGRESSIVE, "progressive-24x16.jpg"},
    {ARITHMETIC, "arithmetic-24x16.jpg"},
    {PROGRESSIVE | ARITHMETIC, "progressive-arithmetic-24x16.jpg"},
    {RESTARTS, "restarts-24x16.jpg"},
    {FULL_CHROMA, "444-24x16.jpg"},
    {CMYK, "cmyk-24x16.jpg"},
  };
  guint i;

  if (argc != 2) {
    g_printerr ("usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  corpus = argv[1];
  for (i = 0; i < G_N_ELEMENTS (ours); i++) {
    g_autoptr (GBytes) b = sly_encode (ours[i].format, ours[i].width,
        ours[i].height);

    save_bytes ("jpeg", ours[i].name, b);
    if (i == 1) {
      save_bytes ("image", ours[i].name, b);
      hostile (b);
    }
  }
  for (i = 0; i < G_N_ELEMENTS (theirs); i++) {
    g_autoptr (GBytes) b = libjpeg_encode (24, 16, theirs[i].flavour);

    save_bytes ("jpeg", theirs[i].name, b);
    if (theirs[i].flavour == PROGRESSIVE)
      save_bytes ("image", theirs[i].name, b);
  }
  return 0;
}
