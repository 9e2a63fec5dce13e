// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: mount source and options. See options.h.
 *
 * The parsing here works on plain values (no fs_context), so that the
 * KUnit suite in options_test.c can drive it directly.
 */
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "sealfs_codec.h"
#include "options.h"

/* Longest mount source accepted. */
#define SEALFS_SOURCE_MAX	1024

static const struct constant_table sealfs_transports[] = {
	{ "tcp", SEALFS_XPRT_TCP },
	{}
};

const struct fs_parameter_spec sealfs_fs_parameters[] = {
	fsparam_enum("transport", SEALFS_OPT_TRANSPORT, sealfs_transports),
	fsparam_u32("acregmin", SEALFS_OPT_ACREGMIN),
	fsparam_u32("acregmax", SEALFS_OPT_ACREGMAX),
	fsparam_u32("acdirmin", SEALFS_OPT_ACDIRMIN),
	fsparam_u32("acdirmax", SEALFS_OPT_ACDIRMAX),
	fsparam_u32("actimeo", SEALFS_OPT_ACTIMEO),
	fsparam_u32("negtimeo", SEALFS_OPT_NEGTIMEO),
	fsparam_u32("rsize", SEALFS_OPT_RSIZE),
	fsparam_u32("wsize", SEALFS_OPT_WSIZE),
	fsparam_u32("timeo", SEALFS_OPT_TIMEO),
	fsparam_u32("retrans", SEALFS_OPT_RETRANS),
	fsparam_flag("hard", SEALFS_OPT_HARD),
	fsparam_flag("soft", SEALFS_OPT_SOFT),
	{}
};

/**
 * sealfs_opts_defaults() - the options of a mount that gives none
 * @o: filled in; no manager and no volume yet
 */
void sealfs_opts_defaults(struct sealfs_mount_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->transport = SEALFS_XPRT_TCP;
	o->acregmin = SEALFS_DEF_ACREGMIN;
	o->acregmax = SEALFS_DEF_ACREGMAX;
	o->acdirmin = SEALFS_DEF_ACDIRMIN;
	o->acdirmax = SEALFS_DEF_ACDIRMAX;
	o->negtimeo = SEALFS_DEF_NEGTIMEO;
	o->rsize = SEALFS_DEF_IOSIZE;
	o->wsize = SEALFS_DEF_IOSIZE;
	o->timeo = SEALFS_DEF_TIMEO;
	o->retrans = SEALFS_DEF_RETRANS;
}

/* Parses ":PORT" (or nothing, for the default) at @p, up to @end. */
static int sealfs_parse_port(const char *p, const char *end, u16 *port)
{
	char buf[8];
	size_t n;

	*port = SEALFS_MANAGER_PORT;
	if (p == end)
		return 0;
	n = end - p - 1;
	if (*p != ':' || !n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, p + 1, n);
	buf[n] = '\0';
	if (kstrtou16(buf, 10, port) || !*port)
		return -EINVAL;
	return 0;
}

/* One manager, [@p, @end): "A.B.C.D[:PORT]" or "[V6][:PORT]". */
static int sealfs_parse_manager(union sealfs_inet_addr *a, const char *p,
				const char *end)
{
	struct sockaddr_in6 *sin6 = &a->sin6;
	struct sockaddr_in *sin = &a->sin;
	const char *addr_end;
	u16 port;

	memset(a, 0, sizeof(*a));
	if (*p == '[') {
		addr_end = memchr(p, ']', end - p);
		if (!addr_end ||
		    !in6_pton(p + 1, addr_end - p - 1, sin6->sin6_addr.s6_addr, -1, NULL) ||
		    sealfs_parse_port(addr_end + 1, end, &port))
			return -EINVAL;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return 0;
	}
	addr_end = memchr(p, ':', end - p);
	if (!addr_end)
		addr_end = end;
	if (addr_end == p ||
	    !in4_pton(p, addr_end - p, (u8 *)&sin->sin_addr.s_addr, -1, NULL) ||
	    sealfs_parse_port(addr_end, end, &port))
		return -EINVAL;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	return 0;
}

/**
 * sealfs_parse_source() - parse "MGR[:PORT][,MGR2[:PORT]...]:/VOLUME"
 * @o: the options; managers and volume are set
 * @src: the mount source
 * @why: set to the reason of a failure
 *
 * Return: 0, or -EINVAL with @why set.
 */
int sealfs_parse_source(struct sealfs_mount_opts *o, const char *src,
			const char **why)
{
	const char *sep, *p, *end, *vol;
	size_t len = strnlen(src, SEALFS_SOURCE_MAX + 1);

	o->nmgr = 0;
	*why = "source must be MANAGER[:PORT][,MANAGER[:PORT]...]:/VOLUME";
	if (len > SEALFS_SOURCE_MAX)
		return -EINVAL;
	sep = strstr(src, ":/");
	if (!sep || sep == src)
		return -EINVAL;
	/* The volume: what follows the last ":/" (IPv6 has no ":/"). */
	while ((p = strstr(sep + 1, ":/")))
		sep = p;
	vol = sep + 2;
	if (sealfs_check_volname((const u8 *)vol, strlen(vol))) {
		*why = "bad volume name (1 to 64 of A-Z a-z 0-9 . _ -, not starting with . _ -)";
		return -EINVAL;
	}
	strscpy(o->volume, vol, sizeof(o->volume));
	if (sep[-1] == ',')
		goto bad_manager;	/* an empty last manager */
	for (p = src; p < sep; p = end + 1) {
		end = memchr(p, ',', sep - p);
		if (!end)
			end = sep;
		if (o->nmgr == SEALFS_MAX_MANAGERS) {
			*why = "too many managers (at most 8)";
			return -EINVAL;
		}
		if (end == p || sealfs_parse_manager(&o->mgr[o->nmgr], p, end))
			goto bad_manager;
		o->nmgr++;
	}
	return 0;

bad_manager:
	*why = "a manager is an IPv4 or [IPv6] address with an optional :PORT";
	return -EINVAL;
}

/* A cache lifetime in seconds. */
static int sealfs_opt_secs(unsigned int *field, u32 val, const char **why)
{
	if (val > SEALFS_MAX_CACHE_SECS) {
		*why = "cache lifetimes are at most 3600 seconds";
		return -EINVAL;
	}
	*field = val;
	return 0;
}

/* rsize and wsize: 4096 to SEALFS_MAX_IO, rounded down to 4096. */
static int sealfs_opt_iosize(unsigned int *field, u32 val, const char **why)
{
	if (val < SEALFS_MIN_IOSIZE || val > SEALFS_MAX_IO) {
		*why = "rsize and wsize must be 4096 to 4194304";
		return -EINVAL;
	}
	*field = round_down(val, SEALFS_MIN_IOSIZE);
	return 0;
}

/**
 * sealfs_opt_apply() - set one option
 * @o: the options
 * @opt: &enum sealfs_opt
 * @val: its value (ignored for flags)
 * @why: set to the reason of a failure
 *
 * Return: 0, or -EINVAL with @why set.
 */
int sealfs_opt_apply(struct sealfs_mount_opts *o, int opt, u32 val,
		     const char **why)
{
	int err = 0;

	switch (opt) {
	case SEALFS_OPT_TRANSPORT:
		o->transport = val;
		break;
	case SEALFS_OPT_ACREGMIN:
		return sealfs_opt_secs(&o->acregmin, val, why);
	case SEALFS_OPT_ACREGMAX:
		return sealfs_opt_secs(&o->acregmax, val, why);
	case SEALFS_OPT_ACDIRMIN:
		return sealfs_opt_secs(&o->acdirmin, val, why);
	case SEALFS_OPT_ACDIRMAX:
		return sealfs_opt_secs(&o->acdirmax, val, why);
	case SEALFS_OPT_ACTIMEO:
		err = sealfs_opt_secs(&o->acregmin, val, why);
		if (!err) {
			o->acregmax = val;
			o->acdirmin = val;
			o->acdirmax = val;
		}
		break;
	case SEALFS_OPT_NEGTIMEO:
		return sealfs_opt_secs(&o->negtimeo, val, why);
	case SEALFS_OPT_RSIZE:
		return sealfs_opt_iosize(&o->rsize, val, why);
	case SEALFS_OPT_WSIZE:
		return sealfs_opt_iosize(&o->wsize, val, why);
	case SEALFS_OPT_TIMEO:
		if (!val || val > 36000) {
			*why = "timeo is 1 to 36000 tenths of a second";
			return -EINVAL;
		}
		o->timeo = val;
		break;
	case SEALFS_OPT_RETRANS:
		if (val > 100) {
			*why = "retrans is at most 100";
			return -EINVAL;
		}
		o->retrans = val;
		break;
	case SEALFS_OPT_HARD:
		o->soft = false;
		break;
	case SEALFS_OPT_SOFT:
		o->soft = true;
		break;
	default:
		*why = "unknown option";
		return -EINVAL;
	}
	return err;
}

/**
 * sealfs_opts_check() - check the options as a whole
 * @o: the options, source included
 * @why: set to the reason of a failure
 *
 * Return: 0, or -EINVAL with @why set.
 */
int sealfs_opts_check(const struct sealfs_mount_opts *o, const char **why)
{
	if (!o->nmgr || !o->volume[0]) {
		*why = "no source: mount -t sealfs MANAGER[:PORT]:/VOLUME DIR";
		return -EINVAL;
	}
	if (o->acregmin > o->acregmax || o->acdirmin > o->acdirmax) {
		*why = "acregmin and acdirmin must not exceed acregmax and acdirmax";
		return -EINVAL;
	}
	return 0;
}
