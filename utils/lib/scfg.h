/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scfg: table-driven configuration for sealfs-manager, sealfs-server and
 * sealfs-admin.
 *
 * Each program describes its settings once, in a table of struct scfg_opt
 * rows (name, kind, where the value lives in the program's config struct,
 * default, bounds, help). From that table scfg
 *
 *  - loads a libconfig file (flat: "name = value;" per line), refusing
 *    unknown settings, wrong types, out-of-range values and syntax errors
 *    with "FILE:LINE: reason";
 *  - parses the command line with getopt_long: --name value, --name=value,
 *    -c/--config FILE, -h/--help. Command-line values override the file
 *    whatever their order;
 *  - writes --help and a dump of the effective configuration.
 *
 * The same name is used in the file and on the command line
 * ("data-dir = ..." and --data-dir). Defaults are written as text and go
 * through the same parser as the file and the command line.
 *
 * Functions return 0 or -errno; error messages go to a caller-provided
 * buffer. Nothing here prints.
 *
 * Kinds of values and how they are written:
 *
 *   string    any string                              char *   (malloc'ed)
 *   path      a non-empty string, below PATH_MAX      char *   (malloc'ed)
 *   integer   decimal, within the row's min..max      int64_t
 *   boolean   true/false, yes/no, on/off, 1/0         bool
 *   size      bytes: N, or N with K, M, G, T, P       uint64_t
 *             (powers of 1024, optionally "KiB"...)
 *   duration  N with ms, s, m or h ("0" alone too)    uint64_t (ms)
 *   address   HOST[:PORT] or [IPv6][:PORT]            struct scfg_addr
 *   log level error, warn, notice, info, debug        int (syslog LOG_*)
 *
 * In a libconfig file, strings, paths, addresses and log levels are
 * strings; integers are integers; booleans are true/false; sizes are an
 * integer (bytes) or a string with a suffix; durations are a string with a
 * unit. libconfig 1.5 silently wraps integers that do not fit 32 bits
 * unless they carry an L suffix; scfg refuses such literals instead.
 * @include is not supported.
 */
#ifndef SCFG_H
#define SCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sealfs_env.h"
#include "sealfs_proto.h"

/* Room for a host name (253 bytes) or an IPv6 literal, and the NUL. */
#define SCFG_HOST_MAX		256
/* Enough for any value scfg formats (not for strings and paths). */
#define SCFG_VALUE_MAX		(SCFG_HOST_MAX + 16)
/* Suggested size of error buffers. */
#define SCFG_ERR_MAX		512

/**
 * enum scfg_type - kind of a setting
 * @SCFG_T_STRING: char *, any string
 * @SCFG_T_PATH: char *, a non-empty string shorter than PATH_MAX
 * @SCFG_T_INT: int64_t between the row's min and max
 * @SCFG_T_BOOL: bool
 * @SCFG_T_SIZE: uint64_t bytes between the row's umin and umax
 * @SCFG_T_DURATION: uint64_t milliseconds between umin and umax
 * @SCFG_T_ADDR: struct scfg_addr; the row's port is the default port
 * @SCFG_T_LOGLEVEL: int, LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO or
 *	LOG_DEBUG
 */
enum scfg_type {
	SCFG_T_STRING = 1,
	SCFG_T_PATH,
	SCFG_T_INT,
	SCFG_T_BOOL,
	SCFG_T_SIZE,
	SCFG_T_DURATION,
	SCFG_T_ADDR,
	SCFG_T_LOGLEVEL,
};

/**
 * struct scfg_addr - a network endpoint as configured
 * @host: host name, IPv4 literal or IPv6 literal (without brackets)
 * @port: port, 1 to 65535
 * @family: AF_INET or AF_INET6 for literals, AF_UNSPEC for a host name
 *	(to be resolved by the program)
 */
struct scfg_addr {
	char host[SCFG_HOST_MAX];
	uint16_t port;
	int family;
};

/**
 * struct scfg_opt - one setting; build rows with the SCFG_OPT_* macros
 * @name: name in the file and long option: [a-z][a-z0-9-]*
 * @type: &enum scfg_type
 * @off: offset of the value in the program's config struct
 * @def: default, written as on the command line; NULL: strings and paths
 *	unset (NULL), other kinds zero
 * @min: %SCFG_T_INT: smallest value
 * @max: %SCFG_T_INT: largest value
 * @umin: %SCFG_T_SIZE, %SCFG_T_DURATION: smallest value
 * @umax: %SCFG_T_SIZE, %SCFG_T_DURATION: largest value
 * @port: %SCFG_T_ADDR: port used when the value has none
 * @help: one line of help
 */
struct scfg_opt {
	const char *name;
	enum scfg_type type;
	size_t off;
	const char *def;
	int64_t min;
	int64_t max;
	uint64_t umin;
	uint64_t umax;
	uint16_t port;
	const char *help;
};

/*
 * Offset of T.m, which must have type ctype: a member of another type is a
 * compile-time error, so a row cannot store into the wrong kind of field.
 */
#define SCFG__OFF(T, m, ctype)	_Generic(((T *)0)->m, ctype: offsetof(T, m))

#define SCFG_OPT_STRING(n, T, m, d, h) \
	{ .name = (n), .type = SCFG_T_STRING, .off = SCFG__OFF(T, m, char *), \
	  .def = (d), .help = (h) }
#define SCFG_OPT_PATH(n, T, m, d, h) \
	{ .name = (n), .type = SCFG_T_PATH, .off = SCFG__OFF(T, m, char *), \
	  .def = (d), .help = (h) }
#define SCFG_OPT_INT(n, T, m, d, lo, hi, h) \
	{ .name = (n), .type = SCFG_T_INT, .off = SCFG__OFF(T, m, int64_t), \
	  .def = (d), .min = (lo), .max = (hi), .help = (h) }
#define SCFG_OPT_BOOL(n, T, m, d, h) \
	{ .name = (n), .type = SCFG_T_BOOL, .off = SCFG__OFF(T, m, bool), \
	  .def = (d), .help = (h) }
#define SCFG_OPT_SIZE(n, T, m, d, lo, hi, h) \
	{ .name = (n), .type = SCFG_T_SIZE, .off = SCFG__OFF(T, m, uint64_t), \
	  .def = (d), .umin = (lo), .umax = (hi), .help = (h) }
#define SCFG_OPT_DURATION(n, T, m, d, lo, hi, h) \
	{ .name = (n), .type = SCFG_T_DURATION, \
	  .off = SCFG__OFF(T, m, uint64_t), .def = (d), .umin = (lo), \
	  .umax = (hi), .help = (h) }
#define SCFG_OPT_ADDR(n, T, m, d, p, h) \
	{ .name = (n), .type = SCFG_T_ADDR, \
	  .off = SCFG__OFF(T, m, struct scfg_addr), .def = (d), .port = (p), \
	  .help = (h) }
#define SCFG_OPT_LOGLEVEL(n, T, m, d, h) \
	{ .name = (n), .type = SCFG_T_LOGLEVEL, .off = SCFG__OFF(T, m, int), \
	  .def = (d), .help = (h) }

/**
 * struct scfg_program - a program's configuration
 * @name: program name for usage lines ("sealfs-manager")
 * @args: usage of the arguments after the options ("COMMAND [ARG]..."),
 *	NULL when the program takes none
 * @summary: one line describing the program
 * @default_file: file read when no -c is given, if it exists; NULL: none
 * @opts: the settings
 * @nopts: how many
 */
struct scfg_program {
	const char *name;
	const char *args;
	const char *summary;
	const char *default_file;
	const struct scfg_opt *opts;
	size_t nopts;
};

/**
 * struct scfg_cmdline - what scfg_parse() found on the command line
 * @help: -h or --help was given; only defaults were applied
 * @argind: index in argv of the first argument after the options
 * @file: the configuration file read (argv's or @default_file), or NULL
 */
struct scfg_cmdline {
	bool help;
	int argind;
	const char *file;
};

/* Whole configuration: defaults, then the file, then the command line. */
int scfg_parse(const struct scfg_program *p, void *cfg, int argc,
	       char *const argv[], struct scfg_cmdline *cl, char *err,
	       size_t errlen);

/* Steps, for programs that assemble it themselves (and for tests). */
int scfg_check_table(const struct scfg_program *p, char *err, size_t errlen);
int scfg_defaults(const struct scfg_program *p, void *cfg, char *err,
		  size_t errlen);
int scfg_load_file(const struct scfg_program *p, void *cfg, const char *path,
		   char *err, size_t errlen);
int scfg_set(const struct scfg_program *p, void *cfg, const char *name,
	     const char *value, char *err, size_t errlen);
const struct scfg_opt *scfg_find(const struct scfg_program *p,
				 const char *name);
void scfg_free(const struct scfg_program *p, void *cfg);

/* Text. */
int scfg_help(const struct scfg_program *p, char **text);
int scfg_dump(const struct scfg_program *p, const void *cfg, char **text);
int scfg_format(const struct scfg_opt *o, const void *cfg, char *buf,
		size_t len);
const char *scfg_type_name(enum scfg_type type);

/* Values (scfg_value.c). */
int scfg_parse_int(const char *s, int64_t *v, const char **why);
int scfg_parse_bool(const char *s, bool *v, const char **why);
int scfg_parse_size(const char *s, uint64_t *v, const char **why);
int scfg_parse_duration(const char *s, uint64_t *ms, const char **why);
int scfg_parse_addr(const char *s, uint16_t default_port,
		    struct scfg_addr *a, const char **why);
int scfg_parse_loglevel(const char *s, int *level, const char **why);
const char *scfg_loglevel_name(int level);
void scfg_format_size(uint64_t v, char *buf, size_t len);
void scfg_format_duration(uint64_t ms, char *buf, size_t len);
void scfg_format_addr(const struct scfg_addr *a, char *buf, size_t len);
int scfg_addr_to_wire(const struct scfg_addr *a, struct sealfs_addr *w);

#endif /* SCFG_H */
