/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JPEG codec: synthetic frames (a white disc on black, colour bars) encoded
 * from every pixel format, decoded, and compared with the source; odd sizes,
 * padded strides, hostile input, and format sniffing.
 */
#include "slyimage.h"
#include "slyerror.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

#define QUALITY 90

/* --- source frames, in RGB --- */

static SlyImage *
make_disc (gint width, gint height, gdouble cx, gdouble cy, gdouble r)
{
  SlyImage *image = sly_image_new (width, height, 3);
  gint x, y;

  for (y = 0; y < height; y++) {
    for (x = 0; x < width; x++) {
      gdouble dx = x - cx, dy = y - cy;
      guint8 v = dx * dx + dy * dy <= r * r ? 255 : 0;

      memset (image->data + y * image->stride + x * 3, v, 3);
    }
  }
  return image;
}

/* The eight classic bars, white to black, in vertical stripes. */
static SlyImage *
make_bars (gint width, gint height)
{
  static const guint8 colours[8][3] = {
    {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
    {255, 0, 255}, {255, 0, 0}, {0, 0, 255}, {0, 0, 0},
  };
  SlyImage *image = sly_image_new (width, height, 3);
  gint x, y;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      memcpy (image->data + y * image->stride + x * 3,
          colours[x * 8 / width], 3);
  return image;
}

/* --- the same frame in each SlyPixelFormat --- */

typedef struct
{
  SlyImageView view;
  guint8 *buffers[3];
} TestFrame;

static void
test_frame_free (TestFrame * frame)
{
  g_free (frame->buffers[0]);
  g_free (frame->buffers[1]);
  g_free (frame->buffers[2]);
  g_free (frame);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestFrame, test_frame_free);

static guint8
to_u8 (gdouble v)
{
  return v < 0 ? 0 : (v > 255 ? 255 : (guint8) (v + 0.5));
}

/* JFIF equations, the ones a JPEG decoder inverts */
static guint8
luma (const guint8 * p)
{
  return to_u8 (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]);
}

static const guint8 *
pixel (const SlyImage * rgb, gint x, gint y)
{
  x = MIN (x, rgb->width - 1);
  y = MIN (y, rgb->height - 1);
  return rgb->data + y * rgb->stride + x * 3;
}

/* Cb and Cr of the 2x2 block at (x, y), averaged. */
static void
chroma (const SlyImage * rgb, gint x, gint y, guint8 * cb, guint8 * cr)
{
  gdouble r = 0, g = 0, b = 0;
  gint i;

  for (i = 0; i < 4; i++) {
    const guint8 *p = pixel (rgb, x + i % 2, y + i / 2);

    r += p[0] / 4.0;
    g += p[1] / 4.0;
    b += p[2] / 4.0;
  }
  *cb = to_u8 (128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
  *cr = to_u8 (128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
}

static void
fill_yuv (TestFrame * f, const SlyImage * rgb)
{
  SlyImageView *v = &f->view;
  gint cw = (rgb->width + 1) / 2, ch = (rgb->height + 1) / 2;
  gint x, y;

  for (y = 0; y < rgb->height; y++)
    for (x = 0; x < rgb->width; x++)
      f->buffers[0][y * v->strides[0] + x] = luma (pixel (rgb, x, y));
  for (y = 0; y < ch; y++) {
    for (x = 0; x < cw; x++) {
      guint8 cb, cr;

      chroma (rgb, 2 * x, 2 * y, &cb, &cr);
      if (v->format == SLY_PIXEL_I420) {
        f->buffers[1][y * v->strides[1] + x] = cb;
        f->buffers[2][y * v->strides[2] + x] = cr;
      } else {
        f->buffers[1][y * v->strides[1] + 2 * x] = cb;
        f->buffers[1][y * v->strides[1] + 2 * x + 1] = cr;
      }
    }
  }
}

typedef struct
{
  SlyPixelFormat format;
  const gchar *name;
  gint bpp;                     /* plane 0 */
  gint r, g, b;                 /* packed: byte offsets */
} FormatInfo;

static const FormatInfo formats[] = {
  {SLY_PIXEL_GRAY8, "GRAY8", 1, 0, 0, 0},
  {SLY_PIXEL_RGB, "RGB", 3, 0, 1, 2},
  {SLY_PIXEL_BGR, "BGR", 3, 2, 1, 0},
  {SLY_PIXEL_RGBX, "RGBX", 4, 0, 1, 2},
  {SLY_PIXEL_BGRX, "BGRX", 4, 2, 1, 0},
  {SLY_PIXEL_XRGB, "XRGB", 4, 1, 2, 3},
  {SLY_PIXEL_XBGR, "XBGR", 4, 3, 2, 1},
  {SLY_PIXEL_I420, "I420", 1, 0, 0, 0},
  {SLY_PIXEL_NV12, "NV12", 1, 0, 0, 0},
};

/* @pad bytes of junk end every row of every plane. */
static TestFrame *
make_frame (const SlyImage * rgb, const FormatInfo * fmt, gint pad)
{
  TestFrame *f = g_new0 (TestFrame, 1);
  SlyImageView *v = &f->view;
  gint cw = (rgb->width + 1) / 2, ch = (rgb->height + 1) / 2;
  gint i, x, y;

  v->format = fmt->format;
  v->width = rgb->width;
  v->height = rgb->height;
  v->strides[0] = rgb->width * fmt->bpp + pad;
  if (fmt->format == SLY_PIXEL_I420)
    v->strides[1] = v->strides[2] = cw + pad;
  else if (fmt->format == SLY_PIXEL_NV12)
    v->strides[1] = 2 * cw + pad;
  for (i = 0; i < 3; i++) {
    gint rows = i == 0 ? rgb->height : ch;

    if (v->strides[i] == 0)
      continue;
    /* junk everywhere the encoder must not look */
    f->buffers[i] = g_malloc (v->strides[i] * rows);
    memset (f->buffers[i], 0x5a, v->strides[i] * rows);
    v->planes[i] = f->buffers[i];
  }

  if (fmt->format == SLY_PIXEL_I420 || fmt->format == SLY_PIXEL_NV12) {
    fill_yuv (f, rgb);
  } else {
    for (y = 0; y < rgb->height; y++) {
      for (x = 0; x < rgb->width; x++) {
        guint8 *px = f->buffers[0] + y * v->strides[0] + x * fmt->bpp;
        const guint8 *src = pixel (rgb, x, y);

        if (fmt->format == SLY_PIXEL_GRAY8) {
          px[0] = luma (src);
          continue;
        }
        px[fmt->r] = src[0];
        px[fmt->g] = src[1];
        px[fmt->b] = src[2];
      }
    }
  }
  return f;
}

/* --- measurements --- */

static gdouble
mean_abs_error (const SlyImage * a, const SlyImage * b, gboolean gray)
{
  gdouble sum = 0;
  gint x, y, c;

  for (y = 0; y < a->height; y++) {
    for (x = 0; x < a->width; x++) {
      const guint8 *pa = pixel (a, x, y), *pb = pixel (b, x, y);
      guint8 expect_gray = luma (pa);

      for (c = 0; c < 3; c++)
        sum += ABS ((gint) (gray ? expect_gray : pa[c]) - (gint) pb[c]);
    }
  }
  return sum / (3.0 * a->width * a->height);
}

/* Bounding box of pixels brighter than mid-gray (green channel). */
static void
bright_box (const SlyImage * image, gint box[4])
{
  gint x, y;

  box[0] = box[1] = G_MAXINT;
  box[2] = box[3] = -1;
  for (y = 0; y < image->height; y++) {
    for (x = 0; x < image->width; x++) {
      if (pixel (image, x, y)[1] < 128)
        continue;
      box[0] = MIN (box[0], x);
      box[1] = MIN (box[1], y);
      box[2] = MAX (box[2], x);
      box[3] = MAX (box[3], y);
    }
  }
}

static SlyImage *
round_trip (const SlyImageView * view)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) jpeg = sly_jpeg_encode (view, QUALITY, &error);
  SlyImage *decoded;

  g_assert_no_error (error);
  g_assert_nonnull (jpeg);
  decoded = sly_jpeg_decode (g_bytes_get_data (jpeg, NULL),
      g_bytes_get_size (jpeg), &error);
  g_assert_no_error (error);
  g_assert_cmpint (decoded->channels, ==, 3);
  g_assert_cmpint (decoded->width, ==, view->width);
  g_assert_cmpint (decoded->height, ==, view->height);
  return decoded;
}

/* Bounds on the mean absolute error per channel at quality 90. A wrong
 * channel order, a row off by one or a mangled chroma plane costs tens of
 * levels on these frames, while quantisation at q90 costs under one level
 * on flat areas and a few at edges. The disc is gray, mostly flat, with one
 * sharp rim: measured 0.4 (64x48) and 0.7 (33x17, relatively more rim);
 * bound 2. The bars are saturated colours with sharp chroma edges, which
 * 4:2:0 subsampling (also libjpeg's default for RGB input) smears over a
 * couple of pixels on each side of every boundary: with 16-pixel bars,
 * measured 3.9 (128x48, boundaries on the chroma grid) to 6.3 (131x37, off
 * it), the same for RGB and 4:2:0 sources; bound 8. Swapping R and B alone
 * would measure about 85. (Thin bars lose far more: 4-pixel bars measure
 * about 29, which is why the bar frames are wide.) */
#define MAE_DISC 2.0
#define MAE_BARS 8.0

typedef struct
{
  gint width, height, pad;
} FrameSize;

static const FrameSize sizes[] = {
  {64, 48, 0},                  /* whole MCUs: the zero-copy raw path */
  {64, 48, 13},                 /* whole MCUs, padded strides */
  {33, 17, 0},                  /* odd: padded MCU rows and columns */
  {33, 17, 7},
  {1, 1, 0},
  {2, 31, 3},
};

static void
check_disc (const FormatInfo * fmt, const FrameSize * size)
{
  gdouble cx = size->width * 0.45, cy = size->height * 0.55;
  gdouble r = MIN (size->width, size->height) * 0.3;
  g_autoptr (SlyImage) rgb = make_disc (size->width, size->height, cx, cy, r);
  g_autoptr (TestFrame) frame = make_frame (rgb, fmt, size->pad);
  g_autoptr (SlyImage) decoded = round_trip (&frame->view);
  gdouble mae = mean_abs_error (rgb, decoded, fmt->format == SLY_PIXEL_GRAY8);
  gint want[4], got[4], i;

  g_test_message ("disc %s %dx%d pad %d: MAE %.2f", fmt->name, size->width,
      size->height, size->pad, mae);
  g_assert_cmpfloat (mae, <, MAE_DISC);
  bright_box (rgb, want);
  bright_box (decoded, got);
  for (i = 0; i < 4; i++)
    g_assert_cmpint (ABS (want[i] - got[i]), <=, 1);
}

static void
check_bars (const FormatInfo * fmt, const FrameSize * size)
{
  g_autoptr (SlyImage) rgb = make_bars (size->width, size->height);
  g_autoptr (TestFrame) frame = make_frame (rgb, fmt, size->pad);
  g_autoptr (SlyImage) decoded = round_trip (&frame->view);
  gdouble mae = mean_abs_error (rgb, decoded, fmt->format == SLY_PIXEL_GRAY8);

  g_test_message ("bars %s %dx%d pad %d: MAE %.2f", fmt->name, size->width,
      size->height, size->pad, mae);
  g_assert_cmpfloat (mae, <, MAE_BARS);
}

static void
test_disc (gconstpointer data)
{
  const FormatInfo *fmt = data;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sizes); i++)
    if (sizes[i].width >= 8)    /* a disc needs some room */
      check_disc (fmt, &sizes[i]);
}

/* eight bars of about 16 pixels */
static const FrameSize bar_sizes[] = {
  {128, 48, 0},
  {128, 48, 13},
  {131, 37, 0},
  {131, 37, 7},
};

static void
test_bars (gconstpointer data)
{
  const FormatInfo *fmt = data;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bar_sizes); i++)
    check_bars (fmt, &bar_sizes[i]);
}

/* Tiny and thin frames only have to survive the trip. */
static void
test_tiny (gconstpointer data)
{
  const FormatInfo *fmt = data;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    g_autoptr (SlyImage) rgb = make_bars (sizes[i].width, sizes[i].height);
    g_autoptr (TestFrame) frame = make_frame (rgb, fmt, sizes[i].pad);
    g_autoptr (SlyImage) decoded = round_trip (&frame->view);
  }
}

/* A 1-pixel-wide bright line at x = 40 of 64 in I420 whose stride padding
 * is bright: the padding must not leak into the picture. */
static void
test_stride_junk (void)
{
  g_autoptr (SlyImage) rgb = make_disc (64, 32, 1000, 1000, 1);
  g_autoptr (TestFrame) frame = make_frame (rgb, &formats[7], 32);
  g_autoptr (SlyImage) decoded = NULL;
  gint y;

  for (y = 0; y < 32; y++)
    memset (frame->buffers[0] + y * frame->view.strides[0] + 64, 255, 32);
  decoded = round_trip (&frame->view);
  g_assert_cmpfloat (mean_abs_error (rgb, decoded, FALSE), <, 1.0);
}

static void
test_quality (void)
{
  g_autoptr (SlyImage) rgb = make_bars (64, 64);
  g_autoptr (TestFrame) frame = make_frame (rgb, &formats[1], 0);
  g_autoptr (GBytes) low = sly_jpeg_encode (&frame->view, 10, NULL);
  g_autoptr (GBytes) high = sly_jpeg_encode (&frame->view, 100, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (g_bytes_get_size (low), <, g_bytes_get_size (high));
  g_assert_null (sly_jpeg_encode (&frame->view, 0, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (sly_jpeg_encode (&frame->view, 101, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
}

static void
test_bad_views (void)
{
  guint8 plane[64] = { 0, };
  const SlyImageView views[] = {
    {SLY_PIXEL_RGB, 0, 4, {plane}, {12}},
    {SLY_PIXEL_RGB, 4, -1, {plane}, {12}},
    {SLY_PIXEL_RGB, 4, 4, {plane}, {11}},
    {SLY_PIXEL_RGBX, 4, 4, {NULL}, {16}},
    {SLY_PIXEL_I420, 4, 4, {plane, plane, NULL}, {4, 2, 2}},
    {SLY_PIXEL_I420, 5, 4, {plane, plane, plane}, {5, 2, 3}},
    {SLY_PIXEL_NV12, 5, 4, {plane, plane}, {5, 5}},
    {(SlyPixelFormat) 99, 4, 4, {plane}, {16}},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (views); i++) {
    g_autoptr (GError) error = NULL;

    g_test_message ("view %u", i);
    g_assert_null (sly_jpeg_encode (&views[i], QUALITY, &error));
    g_assert_error (error, SLY_ERROR, SLY_ERROR_INVALID_ARGUMENT);
  }
}

static GBytes *
encode_bars (gint width, gint height)
{
  g_autoptr (SlyImage) rgb = make_bars (width, height);
  g_autoptr (TestFrame) frame = make_frame (rgb, &formats[1], 0);

  return sly_jpeg_encode (&frame->view, QUALITY, NULL);
}

/* Offset of the SOF0 marker's height field. */
static gsize
sof_size_offset (const guint8 * data, gsize size)
{
  gsize i;

  for (i = 2; i + 9 < size; i++)
    if (data[i] == 0xff && data[i + 1] == 0xc0)
      return i + 5;
  g_assert_not_reached ();
}

static void
test_decode_garbage (void)
{
  g_autoptr (GBytes) jpeg = encode_bars (64, 64);
  const guint8 *good = g_bytes_get_data (jpeg, NULL);
  gsize n = g_bytes_get_size (jpeg);
  g_autofree guint8 *huge = g_memdup2 (good, n);
  g_autofree guint8 *zero = g_memdup2 (good, n);
  g_autofree guint8 *no_sof = g_memdup2 (good, n);
  gsize sof = sof_size_offset (good, n);
  const struct
  {
    const gchar *name;
    const guint8 *data;
    gsize size;
  } cases[] = {
    {"empty", (const guint8 *) "", 0},
    {"text", (const guint8 *) "GIF89a, not a jpeg", 18},
    {"SOI only", good, 2},
    {"SOI and a marker byte", good, 3},
    {"truncated in the headers", good, 40},
    {"truncated in the scan", good, n / 2},
    {"missing EOI", good, n - 2},
    {"20000x20000", huge, n},
    {"zero height", zero, n},
    {"SOF replaced", no_sof, n},
  };
  guint i;

  huge[sof] = huge[sof + 2] = 0x4e;     /* 0x4e20 = 20000 */
  huge[sof + 1] = huge[sof + 3] = 0x20;
  zero[sof] = zero[sof + 1] = 0;
  no_sof[sof - 4] = 0xc7;       /* an unsupported lossless SOF */

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    SlyImage *image;

    image = sly_jpeg_decode (cases[i].data, cases[i].size, &error);
    g_test_message ("%s: %s", cases[i].name, error ? error->message : "-");
    g_assert_null (image);
    g_assert_error (error, SLY_ERROR, SLY_ERROR_IMAGE);
  }
}

/* A valid progressive gray JPEG with one DC scan series and single-
 * coefficient AC scans for coefficients 1..@last_coef, each refined bit by
 * bit: 11 scans per coefficient. Written with libjpeg directly, since we
 * never write progressive files. */
static GBytes *
encode_many_scans (gint last_coef, gint * n_scans)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  unsigned char *out = NULL;
  unsigned long out_size = 0;
  g_autofree jpeg_scan_info *scans = g_new0 (jpeg_scan_info, 11 * 64);
  guint8 pixels[16 * 16];
  gint k, al, n = 0, y;
  GBytes *bytes;

  for (k = 0; k <= last_coef; k++) {
    for (al = 10; al >= 0; al--, n++) {
      scans[n].comps_in_scan = 1;
      scans[n].Ss = scans[n].Se = k;
      scans[n].Ah = al == 10 ? 0 : al + 1;
      scans[n].Al = al;
    }
  }
  for (y = 0; y < 16 * 16; y++)
    pixels[y] = (guint8) (y * 7);

  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &out, &out_size);
  cinfo.image_width = cinfo.image_height = 16;
  cinfo.input_components = 1;
  cinfo.in_color_space = JCS_GRAYSCALE;
  jpeg_set_defaults (&cinfo);
  cinfo.scan_info = scans;
  cinfo.num_scans = n;
  jpeg_start_compress (&cinfo, TRUE);
  for (y = 0; y < 16; y++) {
    JSAMPROW row = pixels + y * 16;

    jpeg_write_scanlines (&cinfo, &row, 1);
  }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  bytes = g_bytes_new (out, out_size);
  free (out);
  *n_scans = n;
  return bytes;
}

/* Each scan is a pass over all coefficients, so thousands of tiny scans
 * make a small file expensive: more than 500 are refused, real files have
 * about ten. */
static void
test_decode_scan_limit (void)
{
  gint n;
  g_autoptr (GBytes) ok = encode_many_scans (35, &n);
  g_autoptr (GBytes) too_many = NULL;
  g_autoptr (SlyImage) image = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (n, ==, 396);
  image = sly_jpeg_decode (g_bytes_get_data (ok, NULL),
      g_bytes_get_size (ok), &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 16);

  too_many = encode_many_scans (63, &n);
  g_assert_cmpint (n, ==, 704);
  g_assert_null (sly_jpeg_decode (g_bytes_get_data (too_many, NULL),
          g_bytes_get_size (too_many), &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_IMAGE);
  g_assert_nonnull (strstr (error->message, "scans"));
}

static void
test_decode_rgb_sniffs (void)
{
  g_autoptr (SlyImage) rgb = make_bars (128, 16);
  g_autoptr (GBytes) jpeg = encode_bars (128, 16);
  g_autoptr (GBytes) png = sly_png_encode_image (rgb, NULL);
  g_autoptr (SlyImage) from_jpeg = NULL;
  g_autoptr (SlyImage) from_png = NULL;
  g_autoptr (GError) error = NULL;

  from_jpeg = sly_image_decode_rgb (g_bytes_get_data (jpeg, NULL),
      g_bytes_get_size (jpeg), &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (mean_abs_error (rgb, from_jpeg, FALSE), <, MAE_BARS);
  from_png = sly_image_decode_rgb (g_bytes_get_data (png, NULL),
      g_bytes_get_size (png), &error);
  g_assert_no_error (error);
  g_assert_cmpmem (from_png->data, 128 * 16 * 3, rgb->data, 128 * 16 * 3);

  g_assert_null (sly_image_decode_rgb ((const guint8 *) "BM\0\0", 4, &error));
  g_assert_error (error, SLY_ERROR, SLY_ERROR_IMAGE);
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    g_autofree gchar *disc = g_strdup_printf ("/jpeg/disc/%s",
        formats[i].name);
    g_autofree gchar *bars = g_strdup_printf ("/jpeg/bars/%s",
        formats[i].name);
    g_autofree gchar *tiny = g_strdup_printf ("/jpeg/tiny/%s",
        formats[i].name);

    g_test_add_data_func (disc, &formats[i], test_disc);
    if (formats[i].format != SLY_PIXEL_GRAY8)
      g_test_add_data_func (bars, &formats[i], test_bars);
    g_test_add_data_func (tiny, &formats[i], test_tiny);
  }
  g_test_add_func ("/jpeg/stride-junk", test_stride_junk);
  g_test_add_func ("/jpeg/quality", test_quality);
  g_test_add_func ("/jpeg/bad-views", test_bad_views);
  g_test_add_func ("/jpeg/decode/garbage", test_decode_garbage);
  g_test_add_func ("/jpeg/decode/scan-limit", test_decode_scan_limit);
  g_test_add_func ("/jpeg/decode-rgb-sniffs", test_decode_rgb_sniffs);

  return g_test_run ();
}
