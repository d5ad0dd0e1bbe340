/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The built-in deterministic models of sly-model-server. Each one is plain
 * image processing whose answer a test can recompute from the image itself
 * (docs/server.md states the exact rules).
 */
#ifndef __SLY_MODELS_H__
#define __SLY_MODELS_H__

#include <json-glib/json-glib.h>
#include "slyannotation.h"
#include "slyprojectmeta.h"
#include "slyimage.h"

G_BEGIN_DECLS

typedef struct
{
  const gchar *title;
  const gchar *shape;
  guint32 color;
} SlyModelClass;

/* One raw model output before conf/classes filtering. */
typedef struct
{
  guint class_index;
  SlyGeometry *geometry;
  gdouble confidence;
} SlyModelDetection;

/* An image-level tag the model can put on an annotation (value type
 * "none": the tag's presence is the answer). */
typedef struct
{
  const gchar *name;
  guint32 color;
} SlyModelTag;

typedef struct _SlyModel SlyModel;

struct _SlyModel
{
  const gchar *name;
  const gchar *architecture;
  const gchar *task_type;
  const SlyModelClass *classes;
  guint n_classes;
  const gchar *default_settings;        /* a JSON object */
  /* appends SlyModelDetection* to @out; @settings are the merged settings;
   * NULL for a model without objects */
  void (*detect) (const SlyModel * model, const SlyImage * image,
      JsonObject * settings, GPtrArray * out);
  /* image tags (in the ProjectMeta, after "confidence"), and the function
   * that adds those of @image to @ann; NULL for a model without them */
  const SlyModelTag *tags;
  guint n_tags;
  void (*classify) (const SlyModel * model, const SlyImage * image,
      JsonObject * settings, SlyAnnotation * ann);
};

/* Components smaller than this are ignored (setting "min_area"). */
#define SLY_MODEL_DEFAULT_MIN_AREA 10

const SlyModel *const *sly_models_get_all (guint * n_models);
/* case-insensitive */
const SlyModel *sly_models_find (const gchar * name);

/* classes in model order plus the "confidence" tag meta, then the model's
 * image tags */
SlyProjectMeta *sly_model_get_meta (const SlyModel * model);
JsonObject *sly_model_get_default_settings (const SlyModel * model);

/* Runs the model and keeps the objects that pass settings "conf" (objects
 * with a lower confidence are dropped) and "classes" (protocol.md 4.3). */
SlyAnnotation *sly_model_infer (const SlyModel * model,
    const SlyImage * image, JsonObject * settings, GError ** error);
/* The same without image tags (the objects only). */
SlyAnnotation *sly_model_infer_objects (const SlyModel * model,
    const SlyImage * image, JsonObject * settings, GError ** error);
/* Adds the image tags of a classifier to @ann (nothing for other models). */
void sly_model_classify (const SlyModel * model, const SlyImage * image,
    JsonObject * settings, SlyAnnotation * ann);

G_END_DECLS

#endif /* __SLY_MODELS_H__ */
