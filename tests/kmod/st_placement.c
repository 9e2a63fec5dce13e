// SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
/*
 * The kernel build of common/placement.c, linked into sealfs_selftest.ko on its
 * own (an object may belong to one module only).
 */
#include "../../common/placement.c"
