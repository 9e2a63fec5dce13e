/* SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0 */
/*
 * SealFS shared code: the few things common/ needs from its environment,
 * mapped onto the kernel or onto libc. Everything in common/ includes this
 * first and nothing else environment-specific.
 */
#ifndef SEALFS_ENV_H
#define SEALFS_ENV_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/xxhash.h>
#include <asm/byteorder.h>

#define sealfs_xxh64(p, n, seed)	xxh64((p), (n), (seed))
#define sealfs_alloc_array(n, sz)	kvmalloc_array((n), (sz), GFP_NOFS)
#define sealfs_free(p)			kvfree(p)
#define sealfs_sort(base, n, sz, cmp)	sort((base), (n), (sz), (cmp), NULL)

#else /* userspace */

#include <linux/types.h>
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

typedef __u8  u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#define cpu_to_le16(x)	((__le16)htole16(x))
#define cpu_to_le32(x)	((__le32)htole32(x))
#define cpu_to_le64(x)	((__le64)htole64(x))
#define le16_to_cpu(x)	le16toh((__u16)(x))
#define le32_to_cpu(x)	le32toh((__u32)(x))
#define le64_to_cpu(x)	le64toh((__u64)(x))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define sealfs_xxh64(p, n, seed)	((u64)XXH64((p), (n), (seed)))
#define sealfs_alloc_array(n, sz)	calloc((n), (sz))
#define sealfs_free(p)			free(p)
#define sealfs_sort(base, n, sz, cmp)	qsort((base), (n), (sz), (cmp))

#endif /* __KERNEL__ */

#endif /* SEALFS_ENV_H */
