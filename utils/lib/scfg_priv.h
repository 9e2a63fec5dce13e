/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scfg internals shared by scfg.c (table, command line, text) and
 * scfg_file.c (libconfig files). Not for programs: use scfg.h.
 */
#ifndef SCFG_PRIV_H
#define SCFG_PRIV_H

#include <stdarg.h>

#include "scfg.h"

/* Room for the reason part of a message ("VALUE: why"). */
#define SCFG_WHY_MAX	256

int scfg__err(char *err, size_t len, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int scfg__store_text(const struct scfg_opt *o, void *cfg, const char *text,
		     char *why, size_t len);
int scfg__store_int(const struct scfg_opt *o, void *cfg, int64_t v,
		    char *why, size_t len);
int scfg__store_bool(const struct scfg_opt *o, void *cfg, bool v,
		     char *why, size_t len);
const char *scfg__kind(enum scfg_type type);
void scfg__range(const struct scfg_opt *o, char *buf, size_t len);

#endif /* SCFG_PRIV_H */
