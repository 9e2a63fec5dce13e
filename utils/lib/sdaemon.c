// SPDX-License-Identifier: Apache-2.0
/*
 * sdaemon: configuration and directories of the SealFS daemons. See
 * sdaemon.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "sdaemon.h"

/**
 * sdaemon_config() - a daemon's settings: defaults, file, command line
 * @prog: the program's settings table
 * @cfg: its settings structure, filled in
 * @argc: from main()
 * @argv: from main()
 *
 * Prints the help for --help, and the reason of a bad file or option
 * (with a pointer to --help) on standard error.
 *
 * Return: %SDAEMON_RUN to go on; else the exit status to end with (0
 * after --help, 2 for a bad option or file), @cfg already freed.
 */
int sdaemon_config(const struct scfg_program *prog, void *cfg, int argc,
		   char *const argv[])
{
	struct scfg_cmdline cl;
	char err[SCFG_ERR_MAX];
	char *text;

	if (scfg_parse(prog, cfg, argc, argv, &cl, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog->name, err, prog->name);
		scfg_free(prog, cfg);
		return 2;
	}
	if (!cl.help)
		return SDAEMON_RUN;
	if (!scfg_help(prog, &text)) {
		fputs(text, stdout);
		free(text);
	}
	scfg_free(prog, cfg);
	return 0;
}

/**
 * sdaemon_mkdirs() - create a directory and its missing parents
 * @path: the directory
 * @mode: mode of the directories created
 *
 * Return: 0 (also when it exists), or -errno.
 */
int sdaemon_mkdirs(const char *path, unsigned int mode)
{
	char buf[4096];
	size_t i, n = strlen(path);

	if (!n)
		return -ENOENT;
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

/**
 * sdaemon_raise_nofile() - raise the open-file limit to its hard limit
 *
 * A server keeps a descriptor per recently used data file besides its
 * sockets and LevelDB's files; the usual soft limit of 1024 is too low.
 *
 * Return: the soft limit now in force.
 */
unsigned long sdaemon_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur;
}
