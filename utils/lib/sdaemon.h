/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sdaemon: what the SealFS daemons do alike before they serve: read their
 * configuration (file, then command line, --help), create their
 * directories, raise their open-file limit.
 */
#ifndef SDAEMON_H
#define SDAEMON_H

#include "scfg.h"

/* sdaemon_config() result: go on and run the daemon. */
#define SDAEMON_RUN	(-1)

int sdaemon_config(const struct scfg_program *prog, void *cfg, int argc,
		   char *const argv[]);
int sdaemon_mkdirs(const char *path, unsigned int mode);
unsigned long sdaemon_raise_nofile(void);

#endif /* SDAEMON_H */
