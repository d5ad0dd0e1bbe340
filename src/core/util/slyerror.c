/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "slyerror.h"

G_DEFINE_QUARK (sly - error - quark, sly_error);
G_DEFINE_QUARK (sly - http - error - quark, sly_http_error);
