// SPDX-License-Identifier: Apache-2.0
/*
 * scfg: the settings table, storing values, the command line. See scfg.h.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scfg_priv.h"

/* getopt_long values of table rows: SCFG_OPTVAL + row index. */
#define SCFG_OPTVAL	0x100

/**
 * scfg__err() - write a message into a caller's buffer
 * @err: the buffer, may be NULL
 * @len: its size
 * @code: returned as is
 * @fmt: printf format
 *
 * Return: @code.
 */
int scfg__err(char *err, size_t len, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return code;
}

static void *scfg_at(const struct scfg_opt *o, void *cfg)
{
	return (char *)cfg + o->off;
}

/**
 * scfg__kind() - what a value of a kind is, for messages
 * @type: &enum scfg_type
 *
 * Return: "an integer", "a size", ...
 */
const char *scfg__kind(enum scfg_type type)
{
	switch (type) {
	case SCFG_T_STRING:	return "a string";
	case SCFG_T_PATH:	return "a path";
	case SCFG_T_INT:	return "an integer";
	case SCFG_T_BOOL:	return "true or false";
	case SCFG_T_SIZE:	return "a size";
	case SCFG_T_DURATION:	return "a duration";
	case SCFG_T_ADDR:	return "an address";
	case SCFG_T_LOGLEVEL:	return "a log level";
	}
	return "?";
}

/**
 * scfg_type_name() - placeholder of a kind in help: N, SIZE, ADDR...
 * @type: &enum scfg_type
 *
 * Return: a static string.
 */
const char *scfg_type_name(enum scfg_type type)
{
	switch (type) {
	case SCFG_T_STRING:	return "STRING";
	case SCFG_T_PATH:	return "PATH";
	case SCFG_T_INT:	return "N";
	case SCFG_T_BOOL:	return "BOOL";
	case SCFG_T_SIZE:	return "SIZE";
	case SCFG_T_DURATION:	return "DURATION";
	case SCFG_T_ADDR:	return "ADDR";
	case SCFG_T_LOGLEVEL:	return "LEVEL";
	}
	return "?";
}

static int scfg_store_string(const struct scfg_opt *o, void *cfg,
			     const char *text)
{
	char **slot = scfg_at(o, cfg);
	char *copy = strdup(text);

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

/* Bound of a size or duration as text. */
static void scfg_format_bound(const struct scfg_opt *o, uint64_t v, char *buf,
			      size_t len)
{
	if (o->type == SCFG_T_SIZE)
		scfg_format_size(v, buf, len);
	else
		scfg_format_duration(v, buf, len);
}

/**
 * scfg__range() - the bounds of a row as text
 * @o: the row
 * @buf: output: "1 to 64", "at least 4K", "at most 9", or "" when the
 *	row's kind has no bounds or they are the whole type
 * @len: its size
 */
void scfg__range(const struct scfg_opt *o, char *buf, size_t len)
{
	bool lo, hi;
	char a[32], b[32];

	buf[0] = '\0';
	if (o->type == SCFG_T_INT) {
		lo = o->min != INT64_MIN;
		hi = o->max != INT64_MAX;
		snprintf(a, sizeof(a), "%" PRId64, o->min);
		snprintf(b, sizeof(b), "%" PRId64, o->max);
	} else if (o->type == SCFG_T_SIZE || o->type == SCFG_T_DURATION) {
		lo = o->umin != 0;
		hi = o->umax != UINT64_MAX;
		scfg_format_bound(o, o->umin, a, sizeof(a));
		scfg_format_bound(o, o->umax, b, sizeof(b));
	} else {
		return;
	}
	if (lo && hi)
		snprintf(buf, len, "%s to %s", a, b);
	else if (lo)
		snprintf(buf, len, "at least %s", a);
	else if (hi)
		snprintf(buf, len, "at most %s", b);
}

/* Range check of an unsigned size or duration. */
static int scfg_check_urange(const struct scfg_opt *o, uint64_t v, char *why,
			     size_t len)
{
	char a[32], range[80];

	if (v >= o->umin && v <= o->umax)
		return 0;
	scfg_format_bound(o, v, a, sizeof(a));
	scfg__range(o, range, sizeof(range));
	return scfg__err(why, len, -ERANGE, "%s is out of range (%s)", a, range);
}

static int scfg_check_irange(const struct scfg_opt *o, int64_t v, char *why,
			     size_t len)
{
	char range[80];

	if (v >= o->min && v <= o->max)
		return 0;
	scfg__range(o, range, sizeof(range));
	return scfg__err(why, len, -ERANGE, "%" PRId64 " is out of range (%s)",
			 v, range);
}

/* Parses @text for a kind that has a parser with a default-less API. */
static int scfg_parse_as(const struct scfg_opt *o, const char *text,
			 void *val, const char **why)
{
	switch (o->type) {
	case SCFG_T_INT:	return scfg_parse_int(text, val, why);
	case SCFG_T_BOOL:	return scfg_parse_bool(text, val, why);
	case SCFG_T_SIZE:	return scfg_parse_size(text, val, why);
	case SCFG_T_DURATION:	return scfg_parse_duration(text, val, why);
	case SCFG_T_ADDR:	return scfg_parse_addr(text, o->port, val, why);
	case SCFG_T_LOGLEVEL:	return scfg_parse_loglevel(text, val, why);
	default:		return -EINVAL;
	}
}

/**
 * scfg__store_text() - parse, check and store a value given as text
 * @o: the row
 * @cfg: the config struct
 * @text: the value as on the command line
 * @why: buffer for the reason of a failure ("VALUE: reason")
 * @len: its size
 *
 * Return: 0, -EINVAL, -ERANGE or -ENOMEM.
 */
int scfg__store_text(const struct scfg_opt *o, void *cfg, const char *text,
		     char *why, size_t len)
{
	union {
		int64_t i;
		bool b;
		uint64_t u;
		struct scfg_addr a;
		int level;
	} v;
	const char *reason = NULL;
	int err;

	if (o->type == SCFG_T_STRING)
		return scfg_store_string(o, cfg, text);
	if (o->type == SCFG_T_PATH) {
		if (!*text)
			return scfg__err(why, len, -EINVAL, "a path must not be empty");
		if (strlen(text) >= PATH_MAX)
			return scfg__err(why, len, -EINVAL, "path too long");
		return scfg_store_string(o, cfg, text);
	}
	memset(&v, 0, sizeof(v));
	err = scfg_parse_as(o, text, &v, &reason);
	if (err)
		return scfg__err(why, len, err, "\"%.64s\": %s", text, reason);
	if (o->type == SCFG_T_INT)
		err = scfg_check_irange(o, v.i, why, len);
	else if (o->type == SCFG_T_SIZE || o->type == SCFG_T_DURATION)
		err = scfg_check_urange(o, v.u, why, len);
	if (err)
		return err;
	switch (o->type) {
	case SCFG_T_INT:
		*(int64_t *)scfg_at(o, cfg) = v.i;
		break;
	case SCFG_T_BOOL:
		*(bool *)scfg_at(o, cfg) = v.b;
		break;
	case SCFG_T_SIZE:
	case SCFG_T_DURATION:
		*(uint64_t *)scfg_at(o, cfg) = v.u;
		break;
	case SCFG_T_ADDR:
		*(struct scfg_addr *)scfg_at(o, cfg) = v.a;
		break;
	default:
		*(int *)scfg_at(o, cfg) = v.level;
		break;
	}
	return 0;
}

/**
 * scfg__store_int() - check and store a value given as an integer (file)
 * @o: the row
 * @cfg: the config struct
 * @v: the integer
 * @why: buffer for the reason of a failure
 * @len: its size
 *
 * Integers set integers and sizes (bytes); a duration takes only 0, any
 * other needs a unit.
 *
 * Return: 0, -EINVAL or -ERANGE.
 */
int scfg__store_int(const struct scfg_opt *o, void *cfg, int64_t v,
		    char *why, size_t len)
{
	int err;

	switch (o->type) {
	case SCFG_T_INT:
		err = scfg_check_irange(o, v, why, len);
		if (!err)
			*(int64_t *)scfg_at(o, cfg) = v;
		return err;
	case SCFG_T_SIZE:
	case SCFG_T_DURATION:
		if (v < 0)
			return scfg__err(why, len, -ERANGE,
					 "%" PRId64 ": must not be negative", v);
		if (v && o->type == SCFG_T_DURATION)
			return scfg__err(why, len, -EINVAL,
					 "%" PRId64 ": a duration needs a unit: write a string "
					 "such as \"%" PRId64 "ms\" or \"%" PRId64 "s\"",
					 v, v, v);
		err = scfg_check_urange(o, v, why, len);
		if (!err)
			*(uint64_t *)scfg_at(o, cfg) = v;
		return err;
	default:
		return scfg__err(why, len, -EINVAL, "expected %s, not an integer",
				 scfg__kind(o->type));
	}
}

/**
 * scfg__store_bool() - store a value given as a boolean (file)
 * @o: the row
 * @cfg: the config struct
 * @v: the value
 * @why: buffer for the reason of a failure
 * @len: its size
 *
 * Return: 0, or -EINVAL when the row is not a boolean.
 */
int scfg__store_bool(const struct scfg_opt *o, void *cfg, bool v, char *why,
		     size_t len)
{
	if (o->type != SCFG_T_BOOL)
		return scfg__err(why, len, -EINVAL, "expected %s, not a boolean",
				 scfg__kind(o->type));
	*(bool *)scfg_at(o, cfg) = v;
	return 0;
}

/**
 * scfg_find() - the row of a setting
 * @p: the program
 * @name: the setting's name
 *
 * Return: the row, or NULL.
 */
const struct scfg_opt *scfg_find(const struct scfg_program *p,
				 const char *name)
{
	size_t i;

	for (i = 0; i < p->nopts; i++)
		if (!strcmp(p->opts[i].name, name))
			return &p->opts[i];
	return NULL;
}

static bool scfg_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < 64 && name[0] >= 'a' && name[0] <= 'z' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == n &&
	       strcmp(name, "config") && strcmp(name, "help");
}

/* One row on its own: name, kind, bounds, help, default required. */
static int scfg_check_row(const struct scfg_opt *o, char *err, size_t len)
{
	bool may_be_unset = o->type == SCFG_T_STRING || o->type == SCFG_T_PATH ||
			    o->type == SCFG_T_ADDR;

	if (!o->name || !scfg_name_ok(o->name))
		return scfg__err(err, len, -EINVAL, "bad setting name '%s'",
				 o->name ? o->name : "(null)");
	if (o->type < SCFG_T_STRING || o->type > SCFG_T_LOGLEVEL || !o->help)
		return scfg__err(err, len, -EINVAL, "%s: bad kind or no help", o->name);
	if (o->type == SCFG_T_INT && o->min > o->max)
		return scfg__err(err, len, -EINVAL, "%s: min above max", o->name);
	if ((o->type == SCFG_T_SIZE || o->type == SCFG_T_DURATION) &&
	    (o->umin > o->umax || !o->umax))
		return scfg__err(err, len, -EINVAL, "%s: bad bounds", o->name);
	if (!o->def && !may_be_unset)
		return scfg__err(err, len, -EINVAL, "%s: needs a default", o->name);
	return 0;
}

/**
 * scfg_check_table() - check a program's table
 * @p: the program
 * @err: buffer for the message
 * @errlen: its size
 *
 * Names are [a-z][a-z0-9-]* (below 64 bytes), unique and neither "config"
 * nor "help"; bounds are ordered; every kind but strings, paths and
 * addresses has a default. Defaults themselves are checked by
 * scfg_defaults().
 *
 * Return: 0 or -EINVAL.
 */
int scfg_check_table(const struct scfg_program *p, char *err, size_t errlen)
{
	size_t i, j;
	int ret;

	for (i = 0; i < p->nopts; i++) {
		ret = scfg_check_row(&p->opts[i], err, errlen);
		if (ret)
			return ret;
		for (j = 0; j < i; j++)
			if (!strcmp(p->opts[i].name, p->opts[j].name))
				return scfg__err(err, errlen, -EINVAL,
						 "setting '%s' listed twice", p->opts[i].name);
	}
	return 0;
}

static void scfg_clear(const struct scfg_opt *o, void *cfg)
{
	switch (o->type) {
	case SCFG_T_STRING:
	case SCFG_T_PATH:
		free(*(char **)scfg_at(o, cfg));
		*(char **)scfg_at(o, cfg) = NULL;
		break;
	case SCFG_T_ADDR:
		memset(scfg_at(o, cfg), 0, sizeof(struct scfg_addr));
		break;
	default:
		break;
	}
}

/**
 * scfg_defaults() - check the table and set every value to its default
 * @p: the program
 * @cfg: the config struct, zero-initialized or holding earlier values
 *	(strings are freed and replaced)
 * @err: buffer for the message
 * @errlen: its size
 *
 * Return: 0; -EINVAL for a bad table or default (a bug in the program);
 * -ENOMEM.
 */
int scfg_defaults(const struct scfg_program *p, void *cfg, char *err,
		  size_t errlen)
{
	char why[SCFG_WHY_MAX];
	size_t i;
	int ret;

	ret = scfg_check_table(p, err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < p->nopts; i++) {
		const struct scfg_opt *o = &p->opts[i];

		scfg_clear(o, cfg);
		if (!o->def)
			continue;
		ret = scfg__store_text(o, cfg, o->def, why, sizeof(why));
		if (ret == -ENOMEM)
			return ret;
		if (ret)
			return scfg__err(err, errlen, -EINVAL, "default of %s: %s",
					 o->name, why);
	}
	return 0;
}

/**
 * scfg_set() - set one value from text, as the command line would
 * @p: the program
 * @cfg: the config struct
 * @name: the setting
 * @value: its new value
 * @err: buffer for the message
 * @errlen: its size
 *
 * Return: 0; -ENOENT for an unknown setting; -EINVAL or -ERANGE for a bad
 * value (@cfg unchanged); -ENOMEM.
 */
int scfg_set(const struct scfg_program *p, void *cfg, const char *name,
	     const char *value, char *err, size_t errlen)
{
	const struct scfg_opt *o = scfg_find(p, name);
	char why[SCFG_WHY_MAX];
	int ret;

	if (!o)
		return scfg__err(err, errlen, -ENOENT, "unknown setting '%s'", name);
	ret = scfg__store_text(o, cfg, value, why, sizeof(why));
	if (ret)
		return scfg__err(err, errlen, ret, "%s: %s", name, why);
	return 0;
}

/**
 * scfg_free() - free what the config struct owns (strings and paths)
 * @p: the program
 * @cfg: the config struct; its strings are NULL afterwards
 */
void scfg_free(const struct scfg_program *p, void *cfg)
{
	size_t i;

	for (i = 0; i < p->nopts; i++)
		if (p->opts[i].type == SCFG_T_STRING || p->opts[i].type == SCFG_T_PATH)
			scfg_clear(&p->opts[i], cfg);
}

/* ---- command line ------------------------------------------------------- */

/**
 * struct scfg_argset - a value given on the command line, applied last
 * @o: the row
 * @value: the text; NULL for a boolean given without one
 */
struct scfg_argset {
	const struct scfg_opt *o;
	const char *value;
};

/*
 * Name of the option getopt_long just refused: "--name" (without
 * "=value") when argv[at] is a long option, else "-c" from optopt.
 */
static void scfg_opt_text(char *const argv[], int at, char *buf, size_t len)
{
	const char *arg = argv[at];
	int n = (int)strcspn(arg, "=");

	if (arg[0] == '-' && arg[1] == '-')
		snprintf(buf, len, "%.*s", n < 64 ? n : 64, arg);
	else
		snprintf(buf, len, "-%c", optopt);
}

static struct option *scfg_longopts(const struct scfg_program *p)
{
	struct option *lo = calloc(p->nopts + 3, sizeof(*lo));
	size_t i;

	if (!lo)
		return NULL;
	for (i = 0; i < p->nopts; i++) {
		lo[i].name = p->opts[i].name;
		lo[i].has_arg = p->opts[i].type == SCFG_T_BOOL ? optional_argument :
								 required_argument;
		lo[i].val = SCFG_OPTVAL + (int)i;
	}
	lo[i++] = (struct option){ "config", required_argument, NULL, 'c' };
	lo[i] = (struct option){ "help", no_argument, NULL, 'h' };
	return lo;
}

/*
 * getopt_long over argv: collects -c, -h and the settings (in @sets, in
 * order) without applying them.
 */
static int scfg_scan_args(const struct scfg_program *p, int argc,
			  char *const argv[], struct scfg_argset *sets,
			  size_t *nsets, struct scfg_cmdline *cl, char *err,
			  size_t errlen)
{
	struct option *lo = scfg_longopts(p);
	char opt[80];
	int c, at, ret = 0;

	if (!lo)
		return -ENOMEM;
	optind = 0;	/* full reinitialization (GNU) */
	opterr = 0;
	while (!ret) {
		/* the element getopt_long works on: it stays put in a cluster */
		at = optind < 1 ? 1 : optind;
		c = getopt_long(argc, argv, "+:c:h", lo, NULL);
		if (c == -1)
			break;
		if (c == 'c') {
			cl->file = optarg;
		} else if (c == 'h') {
			cl->help = true;
		} else if (c == ':' || c == '?') {
			scfg_opt_text(argv, at, opt, sizeof(opt));
			ret = c == ':' ?
			      scfg__err(err, errlen, -EINVAL, "option %s needs a value", opt) :
			      scfg__err(err, errlen, -EINVAL,
					"unknown option or bad use of %s (see --help)", opt);
		} else {
			sets[(*nsets)++] = (struct scfg_argset){
				&p->opts[c - SCFG_OPTVAL], optarg };
		}
	}
	cl->argind = optind;
	free(lo);
	return ret;
}

/* The -c file, else the program's default file if it exists. */
static int scfg_load_files(const struct scfg_program *p, void *cfg,
			   struct scfg_cmdline *cl, char *err, size_t errlen)
{
	if (!cl->file && p->default_file) {
		if (access(p->default_file, F_OK) && errno == ENOENT)
			return 0;
		cl->file = p->default_file;
	}
	if (!cl->file)
		return 0;
	return scfg_load_file(p, cfg, cl->file, err, errlen);
}

static int scfg_apply_args(void *cfg, const struct scfg_argset *sets,
			   size_t n, char *err, size_t errlen)
{
	char why[SCFG_WHY_MAX];
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		const struct scfg_opt *o = sets[i].o;

		ret = scfg__store_text(o, cfg, sets[i].value ? sets[i].value : "true",
				       why, sizeof(why));
		if (ret)
			return scfg__err(err, errlen, ret, "option --%s: %s", o->name, why);
	}
	return 0;
}

/**
 * scfg_parse() - defaults, then the configuration file, then the command line
 * @p: the program
 * @cfg: the config struct, zero-initialized; release it with scfg_free()
 *	whatever this returns
 * @argc: argument count
 * @argv: arguments (not modified: options must come before other
 *	arguments, which start at @cl->argind)
 * @cl: what the command line held
 * @err: buffer for the message
 * @errlen: its size
 *
 * Options are --name VALUE and --name=VALUE for every setting (booleans:
 * --name alone means true, else --name=VALUE), -c/--config FILE and
 * -h/--help. The file is -c's, else the program's default file when it
 * exists; a -c file that does not exist is an error. Command-line values
 * override the file whatever their position; among themselves the last
 * wins. With -h/--help only the defaults are set and the file is not read.
 * Arguments after the options are an error when the program takes none.
 * Uses getopt_long's globals: not thread-safe.
 *
 * Return: 0; -EINVAL or -ERANGE for a bad option, value or file (message
 * in @err as "FILE:LINE: ..." or "option --NAME: ..."); -errno when the
 * file cannot be read; -ENOMEM.
 */
int scfg_parse(const struct scfg_program *p, void *cfg, int argc,
	       char *const argv[], struct scfg_cmdline *cl, char *err,
	       size_t errlen)
{
	struct scfg_argset *sets;
	size_t nsets = 0;
	int ret;

	memset(cl, 0, sizeof(*cl));
	ret = scfg_defaults(p, cfg, err, errlen);
	if (ret)
		return ret;
	sets = calloc(argc > 0 ? argc : 1, sizeof(*sets));
	if (!sets)
		return -ENOMEM;
	ret = scfg_scan_args(p, argc, argv, sets, &nsets, cl, err, errlen);
	if (ret || cl->help)
		goto out;
	if (!p->args && cl->argind < argc) {
		ret = scfg__err(err, errlen, -EINVAL, "unexpected argument '%.64s'",
				argv[cl->argind]);
		goto out;
	}
	ret = scfg_load_files(p, cfg, cl, err, errlen);
	if (!ret)
		ret = scfg_apply_args(cfg, sets, nsets, err, errlen);
out:
	free(sets);
	return ret;
}
