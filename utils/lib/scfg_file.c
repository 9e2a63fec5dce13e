// SPDX-License-Identifier: Apache-2.0
/*
 * scfg: loading a libconfig file into a program's settings. See scfg.h.
 *
 * The file is read into memory and scanned once before libconfig parses
 * it, for what libconfig 1.5 gets silently wrong: integer literals that
 * do not fit their type (it wraps 5000000000 to 705032704 and
 * 0xffffffffffffffffL to -1) and @include, which scfg does not support
 * (settings are flat, one file per program).
 */
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scfg_priv.h"

/* A configuration file larger than this is refused. */
#define SCFG_FILE_MAX	(1u << 20)

/* Reads @path into a NUL-terminated heap buffer. */
static int scfg_read(const char *path, char **text, size_t *len, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "r");
	size_t n = 0, got;
	char *buf;
	int ret = 0;

	if (!f)
		return scfg__err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	buf = malloc(SCFG_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	while ((got = fread(buf + n, 1, SCFG_FILE_MAX + 1 - n, f)) > 0)
		n += got;
	if (ferror(f))
		ret = scfg__err(err, errlen, -(errno ? errno : EIO), "%s: %s", path,
				strerror(errno ? errno : EIO));
	else if (n > SCFG_FILE_MAX)
		ret = scfg__err(err, errlen, -EFBIG, "%s: larger than %u bytes", path,
				SCFG_FILE_MAX);
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/**
 * struct scfg_scan - position of the pre-scan
 * @t: the text
 * @n: its length
 * @i: current offset
 * @line: current line, from 1
 */
struct scfg_scan {
	const char *t;
	size_t n;
	size_t i;
	unsigned int line;
};

/* Skips to the end of the line (comments). */
static void scfg_skip_line(struct scfg_scan *s)
{
	while (s->i < s->n && s->t[s->i] != '\n')
		s->i++;
}

/* Skips a C comment, counting lines. */
static void scfg_skip_block(struct scfg_scan *s)
{
	for (s->i += 2; s->i < s->n; s->i++) {
		if (s->t[s->i] == '\n')
			s->line++;
		if (s->t[s->i] == '*' && s->i + 1 < s->n && s->t[s->i + 1] == '/') {
			s->i += 2;
			return;
		}
	}
}

/* Skips a string literal with its escapes, counting lines. */
static void scfg_skip_string(struct scfg_scan *s)
{
	for (s->i++; s->i < s->n && s->t[s->i] != '"'; s->i++) {
		if (s->t[s->i] == '\\' && s->i + 1 < s->n)
			s->i++;
		if (s->t[s->i] == '\n')
			s->line++;
	}
	s->i++;
}

static bool scfg_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '*';
}

/* Magnitude of the digits of an integer literal, or false on overflow. */
static bool scfg_lit_value(const char *p, size_t n, unsigned int base,
			   uint64_t *v)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int d = isdigit((unsigned char)p[i]) ? p[i] - '0' :
			tolower((unsigned char)p[i]) - 'a' + 10;

		if (d < 0 || d >= (int)base)
			return true;	/* not an integer: libconfig's problem */
		if (m > (UINT64_MAX - d) / base)
			return false;
		m = m * base + d;
	}
	*v = m;
	return true;
}

/*
 * Checks the number token t[0..n): an integer literal must fit the type
 * libconfig gives it (32 bits, or 64 with an L suffix) without wrapping.
 */
static int scfg_check_number(const char *path, unsigned int line,
			     const char *t, size_t n, char *err, size_t errlen)
{
	size_t start = (t[0] == '-' || t[0] == '+'), end = n;
	bool neg = t[0] == '-', hex, wide = false;
	unsigned int base = 10;
	uint64_t v = 0, limit;

	hex = n - start > 2 && t[start] == '0' && (t[start + 1] | 0x20) == 'x';
	if (memchr(t, '.', n) || (!hex && (memchr(t, 'e', n) || memchr(t, 'E', n))))
		return 0;	/* floating point */
	while (end > start && t[end - 1] == 'L') {
		end--;
		wide = true;
	}
	if (hex) {
		start += 2;
		base = 16;
	}
	limit = wide ? (uint64_t)INT64_MAX + neg : (uint64_t)INT32_MAX + neg;
	if (scfg_lit_value(t + start, end - start, base, &v) && v <= limit)
		return 0;
	return scfg__err(err, errlen, -ERANGE,
			 "%s:%u: integer %.*s does not fit in %s bits%s", path, line,
			 (int)(n < 40 ? n : 40), t, wide ? "64" : "32",
			 wide ? "" : " (add an L suffix; sizes may be strings like \"8G\")");
}

/* Scans a number token at s->i and checks it. */
static int scfg_scan_number(const char *path, struct scfg_scan *s, char *err,
			    size_t errlen)
{
	size_t start = s->i, j = s->i + 1;

	while (j < s->n && (isalnum((unsigned char)s->t[j]) || s->t[j] == '.' ||
			    ((s->t[j] == '-' || s->t[j] == '+') &&
			     (s->t[j - 1] | 0x20) == 'e')))
		j++;
	s->i = j;
	return scfg_check_number(path, s->line, s->t + start, j - start, err,
				 errlen);
}

static bool scfg_number_start(const struct scfg_scan *s)
{
	char c = s->t[s->i], next = s->i + 1 < s->n ? s->t[s->i + 1] : 0;

	return isdigit((unsigned char)c) ||
	       ((c == '-' || c == '+' || c == '.') && (isdigit((unsigned char)next) ||
						      next == '.'));
}

/* One step of the pre-scan at s->i. */
static int scfg_scan_step(const char *path, struct scfg_scan *s, char *err,
			  size_t errlen)
{
	char c = s->t[s->i], next = s->i + 1 < s->n ? s->t[s->i + 1] : 0;

	if (c == '\n') {
		s->line++;
		s->i++;
	} else if (c == '#' || (c == '/' && next == '/')) {
		scfg_skip_line(s);
	} else if (c == '/' && next == '*') {
		scfg_skip_block(s);
	} else if (c == '"') {
		scfg_skip_string(s);
	} else if (c == '@') {
		return scfg__err(err, errlen, -EINVAL,
				 "%s:%u: @include and other directives are not supported",
				 path, s->line);
	} else if (isalpha((unsigned char)c) || c == '*') {
		while (s->i < s->n && scfg_name_char(s->t[s->i]))
			s->i++;
	} else if (scfg_number_start(s)) {
		return scfg_scan_number(path, s, err, errlen);
	} else {
		s->i++;
	}
	return 0;
}

static int scfg_prescan(const char *path, const char *text, size_t n,
			char *err, size_t errlen)
{
	struct scfg_scan s = { .t = text, .n = n, .line = 1 };
	int ret = 0;

	if (strlen(text) != n)
		return scfg__err(err, errlen, -EINVAL, "%s: contains a NUL byte", path);
	while (!ret && s.i < s.n)
		ret = scfg_scan_step(path, &s, err, errlen);
	return ret;
}

/* "did you mean" for a name written with '_' instead of '-'. */
static const char *scfg_suggest(const struct scfg_program *p, const char *name,
				char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s", name);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = '-';
	return strcmp(buf, name) && scfg_find(p, buf) ? buf : NULL;
}

static const char *scfg_lc_kind(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:	return "a group";
	case CONFIG_TYPE_ARRAY:	return "an array";
	case CONFIG_TYPE_LIST:	return "a list";
	case CONFIG_TYPE_FLOAT:	return "a floating-point number";
	}
	return "this kind of value";
}

/* Stores one top-level setting of the file; @why gets the reason. */
static int scfg_apply(const struct scfg_opt *o, void *cfg,
		      const config_setting_t *s, char *why, size_t len)
{
	int type = config_setting_type(s);

	switch (type) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return scfg__store_int(o, cfg, config_setting_get_int64(s), why, len);
	case CONFIG_TYPE_BOOL:
		return scfg__store_bool(o, cfg, config_setting_get_bool(s), why, len);
	case CONFIG_TYPE_STRING:
		if (o->type == SCFG_T_INT || o->type == SCFG_T_BOOL)
			return scfg__err(why, len, -EINVAL, "expected %s, not a string",
					 scfg__kind(o->type));
		return scfg__store_text(o, cfg, config_setting_get_string(s), why, len);
	default:
		return scfg__err(why, len, -EINVAL, "expected %s, not %s",
				 scfg__kind(o->type), scfg_lc_kind(type));
	}
}

static int scfg_apply_setting(const struct scfg_program *p, void *cfg,
			      const char *path, const config_setting_t *s,
			      char *err, size_t errlen)
{
	const char *name = config_setting_name(s);
	unsigned int line = config_setting_source_line(s);
	const struct scfg_opt *o = scfg_find(p, name);
	char why[SCFG_WHY_MAX], alt[64];
	const char *hint;
	int ret;

	if (!o) {
		hint = scfg_suggest(p, name, alt, sizeof(alt));
		return scfg__err(err, errlen, -EINVAL, "%s:%u: unknown setting '%s'%s%s%s",
				 path, line, name, hint ? " (did you mean '" : "",
				 hint ? hint : "", hint ? "'?)" : "");
	}
	ret = scfg_apply(o, cfg, s, why, sizeof(why));
	if (ret)
		return scfg__err(err, errlen, ret, "%s:%u: %s: %s", path, line, name, why);
	return 0;
}

static int scfg_load_text(const struct scfg_program *p, void *cfg,
			  const char *path, const char *text, char *err,
			  size_t errlen)
{
	config_setting_t *root;
	config_t c;
	int i, ret = 0;

	config_init(&c);
	if (!config_read_string(&c, text)) {
		ret = scfg__err(err, errlen, -EINVAL, "%s:%d: %s", path,
				config_error_line(&c), config_error_text(&c));
		goto out;
	}
	root = config_root_setting(&c);
	for (i = 0; !ret && i < config_setting_length(root); i++)
		ret = scfg_apply_setting(p, cfg, path,
					 config_setting_get_elem(root, i), err, errlen);
out:
	config_destroy(&c);
	return ret;
}

/**
 * scfg_load_file() - apply a libconfig file to the settings
 * @p: the program
 * @cfg: the config struct (holding defaults, or earlier values)
 * @path: the file
 * @err: buffer for the message, "FILE:LINE: reason"
 * @errlen: its size
 *
 * Every top-level setting must be one of the table's, of a matching type
 * and within bounds. On failure @cfg may hold some of the file's values.
 *
 * Return: 0; -errno when the file cannot be read (-ENOENT when missing);
 * -EINVAL for a syntax error, unknown setting or wrong type; -ERANGE for
 * a value out of bounds; -EFBIG above 1 MiB; -ENOMEM.
 */
int scfg_load_file(const struct scfg_program *p, void *cfg, const char *path,
		   char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	ret = scfg_read(path, &text, &len, err, errlen);
	if (ret)
		return ret;
	ret = scfg_prescan(path, text, len, err, errlen);
	if (!ret)
		ret = scfg_load_text(p, cfg, path, text, err, errlen);
	free(text);
	return ret;
}
