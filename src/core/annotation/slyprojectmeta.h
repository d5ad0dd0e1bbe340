/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ProjectMeta (protocol.md section 7): the classes and tag metas of a model. */
#ifndef __SLY_PROJECT_META_H__
#define __SLY_PROJECT_META_H__

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  gchar *title;
  gchar *shape;                 /* "rectangle", "bitmap", "any", ... */
  guint32 color;                /* 0xRRGGBB */
  gchar *description;
  gchar *hotkey;
  JsonNode *geometry_config;    /* object; {} except for graph */
} SlyObjClass;

typedef struct
{
  gchar *name;
  gchar *value_type;            /* none, any_number, any_string, oneof_string, date */
  gchar **values;               /* oneof_string only, else NULL */
  guint32 color;
  gchar *applicable_type;       /* all, imagesOnly, objectsOnly */
  gchar **classes;              /* NULL-terminated, empty = all */
  gchar *target_type;           /* all, framesOnly, entitiesOnly */
  gchar *hotkey;
} SlyTagMeta;

typedef struct _SlyProjectMeta SlyProjectMeta;

struct _SlyProjectMeta
{
  GPtrArray *classes;           /* SlyObjClass*, model class order */
  GPtrArray *tag_metas;         /* SlyTagMeta* */
  /*< private >*/
  gint ref_count;
};

GType sly_project_meta_get_type (void);
#define SLY_TYPE_PROJECT_META (sly_project_meta_get_type ())

SlyProjectMeta *sly_project_meta_new (void);
SlyProjectMeta *sly_project_meta_ref (SlyProjectMeta * meta);
void sly_project_meta_unref (SlyProjectMeta * meta);

/* Accepts "tags" or the old "tags_images"/"tags_objects" pair; ignores
 * unknown keys (projectType, projectSettings...). */
SlyProjectMeta *sly_project_meta_from_json_node (JsonNode * node,
    GError ** error);
SlyProjectMeta *sly_project_meta_from_json (const gchar * data,
    gssize length, GError ** error);
JsonNode *sly_project_meta_to_json_node (const SlyProjectMeta * meta);
gchar *sly_project_meta_to_json (const SlyProjectMeta * meta);

SlyObjClass *sly_project_meta_add_class (SlyProjectMeta * meta,
    const gchar * title, const gchar * shape, guint32 color);
SlyTagMeta *sly_project_meta_add_tag_meta (SlyProjectMeta * meta,
    const gchar * name, const gchar * value_type, guint32 color);
/* index in model order, or -1 */
gint sly_project_meta_find_class (const SlyProjectMeta * meta,
    const gchar * title);
/* NULL-terminated list of class titles (transfer full) */
gchar **sly_project_meta_dup_class_titles (const SlyProjectMeta * meta);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlyProjectMeta, sly_project_meta_unref)

G_END_DECLS

#endif /* __SLY_PROJECT_META_H__ */
