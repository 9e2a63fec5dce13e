// SPDX-License-Identifier: Apache-2.0
/*
 * mount.sealfs: the mount options. See msrc.h.
 *
 * As mount(8) does: the generic options become MS_* flags, the options
 * only mount(8) and fstab care about are dropped, and everything else is
 * the data string sealfs.ko parses (kmod/options.c), in the order given.
 * Options are separated by commas; a comma inside double quotes is part
 * of the option.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "msrc.h"

/* Longest single option. */
#define MOPTS_OPT_MAX	1024

static const struct {
	const char *name;
	unsigned long set;
	unsigned long clear;
} mopts_flags[] = {
	{ "ro", MS_RDONLY, 0 },			{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },		{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },		{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },		{ "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },		{ "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "noatime", MS_NOATIME, 0 },		{ "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 },	{ "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 },		{ "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },	{ "nostrictatime", 0, MS_STRICTATIME },
	{ "lazytime", MS_LAZYTIME, 0 },		{ "nolazytime", 0, MS_LAZYTIME },
	{ "silent", MS_SILENT, 0 },		{ "loud", 0, MS_SILENT },
	{ "remount", MS_REMOUNT, 0 },
	{ "bind", MS_BIND, 0 },
};

/* For mount(8) and fstab only: never given to the kernel. */
static const char *const mopts_user[] = {
	"defaults", "auto", "noauto", "user", "nouser", "users", "owner",
	"group", "nofail", "_netdev",
};

static int mopts_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return MSRC_ESYNTAX;
}

/* Applies @opt if it is a flag or dropped; false if it is data. */
static bool mopts_generic(const char *opt, unsigned long *flags)
{
	size_t i;

	for (i = 0; i < sizeof(mopts_flags) / sizeof(mopts_flags[0]); i++) {
		if (strcmp(opt, mopts_flags[i].name))
			continue;
		*flags = (*flags & ~mopts_flags[i].clear) | mopts_flags[i].set;
		return true;
	}
	for (i = 0; i < sizeof(mopts_user) / sizeof(mopts_user[0]); i++)
		if (!strcmp(opt, mopts_user[i]))
			return true;
	return !strncmp(opt, "x-", 2) || !strncmp(opt, "comment=", 8);
}

/**
 * mopts_parse() - split mount options into flags and data
 * @opts: "OPT[,OPT...]", or NULL for none
 * @flags: set to the MS_* flags
 * @data: set to the options for the file system, comma separated
 * @datalen: its size
 * @err: the reason of a failure
 * @errlen: its size
 *
 * Return: MSRC_OK, or MSRC_ESYNTAX (unbalanced quotes, too long).
 */
int mopts_parse(const char *opts, unsigned long *flags, char *data,
		size_t datalen, char *err, size_t errlen)
{
	char opt[MOPTS_OPT_MAX];
	size_t n, pos = 0;
	const char *p = opts ? opts : "";
	bool quoted;

	*flags = 0;
	if (!datalen)
		return mopts_fail(err, errlen, "no room for options");
	data[0] = '\0';
	while (*p) {
		/* One option: up to a comma outside quotes. */
		quoted = false;
		for (n = 0; p[n] && (quoted || p[n] != ','); n++)
			if (p[n] == '"')
				quoted = !quoted;
		if (quoted)
			return mopts_fail(err, errlen, "unbalanced '\"' in the options");
		if (n >= sizeof(opt))
			return mopts_fail(err, errlen, "option too long");
		memcpy(opt, p, n);
		opt[n] = '\0';
		p += n + (p[n] == ',');
		if (!n || mopts_generic(opt, flags))
			continue;
		if (pos + !!pos + n >= datalen)
			return mopts_fail(err, errlen, "options longer than %zu bytes",
					  datalen - 1);
		if (pos)
			data[pos++] = ',';
		memcpy(data + pos, opt, n + 1);
		pos += n;
	}
	return MSRC_OK;
}
