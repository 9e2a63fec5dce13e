// SPDX-License-Identifier: Apache-2.0
/*
 * scfg: --help and the dump of the effective configuration, both written
 * from the settings table. See scfg.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scfg_priv.h"

static const void *scfg_cat(const struct scfg_opt *o, const void *cfg)
{
	return (const char *)cfg + o->off;
}

/**
 * scfg_format() - a value as it would be written on the command line
 * @o: the row
 * @cfg: the config struct
 * @buf: output
 * @len: its size
 *
 * Sizes and durations are written canonically ("64M", "90s").
 *
 * Return: 0; -ENOENT when the value is unset (a string, path or address
 * without default); -ENOSPC when @buf was too small (truncated).
 */
int scfg_format(const struct scfg_opt *o, const void *cfg, char *buf,
		size_t len)
{
	const void *v = scfg_cat(o, cfg);
	char tmp[SCFG_VALUE_MAX];
	const char *out = tmp;
	int n;

	switch (o->type) {
	case SCFG_T_STRING:
	case SCFG_T_PATH:
		out = *(char *const *)v;
		if (!out)
			return -ENOENT;
		break;
	case SCFG_T_INT:
		snprintf(tmp, sizeof(tmp), "%" PRId64, *(const int64_t *)v);
		break;
	case SCFG_T_BOOL:
		out = *(const bool *)v ? "true" : "false";
		break;
	case SCFG_T_SIZE:
		scfg_format_size(*(const uint64_t *)v, tmp, sizeof(tmp));
		break;
	case SCFG_T_DURATION:
		scfg_format_duration(*(const uint64_t *)v, tmp, sizeof(tmp));
		break;
	case SCFG_T_ADDR:
		if (!((const struct scfg_addr *)v)->port)
			return -ENOENT;
		scfg_format_addr(v, tmp, sizeof(tmp));
		break;
	case SCFG_T_LOGLEVEL:
		out = scfg_loglevel_name(*(const int *)v);
		break;
	}
	n = snprintf(buf, len, "%s", out);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* A libconfig string literal. */
static void scfg_put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* One "name = value;" line of the dump. */
static void scfg_dump_one(FILE *f, const struct scfg_opt *o, const void *cfg)
{
	const void *v = scfg_cat(o, cfg);
	char buf[SCFG_VALUE_MAX];
	int64_t i;

	if ((o->type == SCFG_T_STRING || o->type == SCFG_T_PATH) &&
	    *(char *const *)v) {
		fprintf(f, "%s = ", o->name);
		scfg_put_quoted(f, *(char *const *)v);
		fputs(";\n", f);
		return;
	}
	if (scfg_format(o, cfg, buf, sizeof(buf)) == -ENOENT) {
		fprintf(f, "# %s is not set\n", o->name);
		return;
	}
	switch (o->type) {
	case SCFG_T_INT:
		i = *(const int64_t *)v;
		fprintf(f, "%s = %s%s;\n", o->name, buf,
			i < INT32_MIN || i > INT32_MAX ? "L" : "");
		break;
	case SCFG_T_BOOL:
		fprintf(f, "%s = %s;\n", o->name, buf);
		break;
	default:
		fprintf(f, "%s = ", o->name);
		scfg_put_quoted(f, buf);
		fputs(";\n", f);
		break;
	}
}

/* Closes an open_memstream() stream, which sets *buf, and hands it over. */
static int scfg_close_text(FILE *f, char **text, char **buf)
{
	bool bad = ferror(f);

	if (fclose(f) || bad) {
		free(*buf);
		*text = NULL;
		return -ENOMEM;
	}
	*text = *buf;
	return 0;
}

/**
 * scfg_dump() - the effective configuration as text, for logs
 * @p: the program
 * @cfg: the config struct
 * @text: set to a malloc'ed string, one "name = value;" line per setting
 *	in table order (libconfig syntax: the text reads back as a file);
 *	unset values are "# name is not set". Free it with free().
 *
 * Return: 0 or -ENOMEM.
 */
int scfg_dump(const struct scfg_program *p, const void *cfg, char **text)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	for (i = 0; i < p->nopts; i++)
		scfg_dump_one(f, &p->opts[i], cfg);
	return scfg_close_text(f, text, &buf);
}

/* "(default: X; 1 to 64)" for a row. */
static void scfg_help_default(FILE *f, const struct scfg_opt *o)
{
	char range[80];

	scfg__range(o, range, sizeof(range));
	fprintf(f, "          (default: %s", o->def ? o->def : "none");
	if (range[0])
		fprintf(f, "; %s", range);
	if (o->type == SCFG_T_ADDR)
		fprintf(f, "; default port %u", o->port);
	fputs(")\n", f);
}

static void scfg_help_opt(FILE *f, const struct scfg_opt *o)
{
	if (o->type == SCFG_T_BOOL)
		fprintf(f, "      --%s[=BOOL]\n", o->name);
	else
		fprintf(f, "      --%s=%s\n", o->name, scfg_type_name(o->type));
	fprintf(f, "          %s\n", o->help);
	scfg_help_default(f, o);
}

/* How values of the kinds the table uses are written. */
static void scfg_help_kinds(FILE *f, const struct scfg_program *p)
{
	static const char *const how[] = {
		[SCFG_T_BOOL] = "BOOL      true or false (also yes/no, on/off, 1/0)",
		[SCFG_T_SIZE] = "SIZE      bytes, or with K, M, G, T, P (powers of 1024): 64M",
		[SCFG_T_DURATION] = "DURATION  with ms, s, m or h: 500ms, 10s, 5m, 1h",
		[SCFG_T_ADDR] = "ADDR      HOST, HOST:PORT, [IPv6] or [IPv6]:PORT",
		[SCFG_T_LOGLEVEL] = "LEVEL     error, warn, notice, info or debug",
	};
	bool used[ARRAY_SIZE(how)] = { false };
	size_t i;

	for (i = 0; i < p->nopts; i++)
		if ((size_t)p->opts[i].type < ARRAY_SIZE(how))
			used[p->opts[i].type] = true;
	fputs("\nValues:\n", f);
	for (i = 0; i < ARRAY_SIZE(how); i++)
		if (used[i] && how[i])
			fprintf(f, "  %s\n", how[i]);
}

/**
 * scfg_help() - the --help text
 * @p: the program
 * @text: set to a malloc'ed string: usage, summary, every option with its
 *	kind, help, default and bounds, and how values are written. Free it
 *	with free().
 *
 * Return: 0 or -ENOMEM.
 */
int scfg_help(const struct scfg_program *p, char **text)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "Usage: %s [OPTION]...%s%s\n", p->name, p->args ? " " : "",
		p->args ? p->args : "");
	if (p->summary)
		fprintf(f, "%s\n", p->summary);
	fputs("\nOptions:\n", f);
	fprintf(f, "  -c, --config=FILE\n          read settings from FILE (default: %s)\n",
		p->default_file ? p->default_file : "none");
	fputs("  -h, --help\n          print this help and exit\n", f);
	for (i = 0; i < p->nopts; i++)
		scfg_help_opt(f, &p->opts[i]);
	scfg_help_kinds(f, p);
	fputs("\nEvery option is also a setting of the configuration file, written\n"
	      "as \"name = value;\". Options given here override the file.\n", f);
	return scfg_close_text(f, text, &buf);
}
