/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __GST_SLY_MODEL_INFER_H__
#define __GST_SLY_MODEL_INFER_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * GstSlyOverload:
 * @GST_SLY_OVERLOAD_AUTO: wait for non-live input, skip for live input
 * @GST_SLY_OVERLOAD_WAIT: block until a request slot is free
 * @GST_SLY_OVERLOAD_SKIP: pass the frame at once, marked skipped
 * @GST_SLY_OVERLOAD_DROP: drop the frame
 *
 * What slymodelinfer does with a frame when max-inflight requests are
 * already outstanding.
 */
typedef enum
{
  GST_SLY_OVERLOAD_AUTO,
  GST_SLY_OVERLOAD_WAIT,
  GST_SLY_OVERLOAD_SKIP,
  GST_SLY_OVERLOAD_DROP,
} GstSlyOverload;

/**
 * GstSlyUploadFormat:
 * @GST_SLY_UPLOAD_JPEG: JPEG (jpeg-quality)
 * @GST_SLY_UPLOAD_PNG: PNG, lossless
 *
 * How raw frames travel to the server.
 */
typedef enum
{
  GST_SLY_UPLOAD_JPEG,
  GST_SLY_UPLOAD_PNG,
} GstSlyUploadFormat;

/**
 * GstSlyInferenceRegion:
 * @GST_SLY_INFERENCE_REGION_FRAME: the frame (or its roi regions)
 * @GST_SLY_INFERENCE_REGION_OBJECTS: the objects an upstream model found
 *
 * What slymodelinfer sends to its model.
 */
typedef enum
{
  GST_SLY_INFERENCE_REGION_FRAME,
  GST_SLY_INFERENCE_REGION_OBJECTS,
} GstSlyInferenceRegion;

#define GST_TYPE_SLY_MODEL_INFER (gst_sly_model_infer_get_type ())
G_DECLARE_FINAL_TYPE (GstSlyModelInfer, gst_sly_model_infer,
    GST, SLY_MODEL_INFER, GstElement)

G_END_DECLS

#endif /* __GST_SLY_MODEL_INFER_H__ */
