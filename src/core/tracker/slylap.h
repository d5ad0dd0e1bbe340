/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dense rectangular linear assignment with a cost limit: pairs costing more
 * than the limit are never matched, and leaving a row or a column unmatched
 * is always allowed. This is the problem BoT-SORT hands to lapjv with
 * extend_cost and cost_limit.
 */
#ifndef __SLY_LAP_H__
#define __SLY_LAP_H__

#include <glib.h>

G_BEGIN_DECLS

/*
 * @cost: @n_rows x @n_cols, row-major (NaN = never match)
 * @limit: largest cost a match may have
 * @row_to_col: (out) (array length=n_rows): matched column or -1
 * @col_to_row: (out) (nullable) (array length=n_cols): matched row or -1
 *
 * Minimises the sum over matched pairs of (cost - limit), so a pair is only
 * matched if that lowers the total. Returns the number of matched pairs.
 */
guint    sly_lap_solve           (const gdouble * cost,
                                  guint n_rows,
                                  guint n_cols,
                                  gdouble limit,
                                  gint * row_to_col,
                                  gint * col_to_row);

G_END_DECLS

#endif /* __SLY_LAP_H__ */
