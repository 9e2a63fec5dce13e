// SPDX-License-Identifier: Apache-2.0
/*
 * sealfs-admin: volumes and cluster status.
 *
 *   sealfs-admin [--manager HOST:PORT] [--json] [--timeout DURATION] COMMAND
 *
 * The manager's address comes from --manager, else $SEALFS_MANAGER, else
 * /etc/sealfs/admin.conf (or -c FILE), else 127.0.0.1:7420.
 *
 * Exit status: 0 success, 1 the operation failed (the manager said no, or
 * could not be reached), 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "scfg.h"
#include "slog.h"

/**
 * struct adm_config - settings from admin.conf
 * @manager: the manager's address
 * @timeout: bound on each request, ms
 */
struct adm_config {
	struct scfg_addr manager;
	uint64_t timeout;
};

static const struct scfg_opt adm_opts[] = {
	SCFG_OPT_ADDR("manager", struct adm_config, manager, "127.0.0.1:7420",
		      SEALFS_MANAGER_PORT, "the manager's address"),
	SCFG_OPT_DURATION("timeout", struct adm_config, timeout, "10s", 100,
			  3600000, "bound on each request"),
};

static const struct scfg_program adm_prog = {
	.name = "sealfs-admin",
	.args = "COMMAND...",
	.summary = "SealFS administration: volumes and cluster status",
	.default_file = "/etc/sealfs/admin.conf",
	.opts = adm_opts,
	.nopts = sizeof(adm_opts) / sizeof(adm_opts[0]),
};

static const char adm_usage[] =
	"Usage: sealfs-admin [OPTION]... COMMAND [ARG]...\n"
	"SealFS administration: volumes and cluster status.\n"
	"\n"
	"Commands:\n"
	"  volume create NAME --quota SIZE [--inodes N] [--chunk-size SIZE]\n"
	"  volume list\n"
	"  volume resize NAME [--quota SIZE] [--inodes N]\n"
	"  volume delete NAME\n"
	"  cluster status\n"
	"\n"
	"Options:\n"
	"  -m, --manager=HOST[:PORT]  the manager (default: $SEALFS_MANAGER, then\n"
	"                             /etc/sealfs/admin.conf, then 127.0.0.1:7420)\n"
	"  -c, --config=FILE          read settings from FILE\n"
	"  -j, --json                 print JSON instead of tables\n"
	"  -t, --timeout=DURATION     bound on each request (default 10s)\n"
	"  -h, --help                 print this help, or a command's with\n"
	"                             'sealfs-admin COMMAND --help'\n"
	"\n"
	"Exit status: 0 success, 1 the operation failed, 2 bad usage.\n";

/* Loads the config file: -c FILE must exist; the default file may not. */
static int adm_load(struct adm_config *cfg, const char *file)
{
	char err[SCFG_ERR_MAX];
	const char *path = file ? file : adm_prog.default_file;
	FILE *f;

	if (scfg_defaults(&adm_prog, cfg, err, sizeof(err))) {
		fprintf(stderr, "sealfs-admin: %s\n", err);
		return -EINVAL;
	}
	if (!file && !(f = fopen(path, "r")))
		return 0;
	if (!file)
		fclose(f);
	if (scfg_load_file(&adm_prog, cfg, path, err, sizeof(err))) {
		fprintf(stderr, "sealfs-admin: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "manager", required_argument, NULL, 'm' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *manager = NULL, *file = NULL, *timeout = NULL, *why;
	struct adm_ctx ctx = {};
	struct adm_config cfg = {};
	char addr[SCFG_VALUE_MAX];
	uint64_t ms;
	int opt, rc;

	slog_init("sealfs-admin");
	slog_set_level(SLOG_WARN);
	while ((opt = getopt_long(argc, argv, "+m:c:jt:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			manager = optarg;
			break;
		case 'c':
			file = optarg;
			break;
		case 'j':
			ctx.json = true;
			break;
		case 't':
			timeout = optarg;
			break;
		case 'h':
			fputs(adm_usage, stdout);
			return 0;
		default:
			fputs("Try 'sealfs-admin --help'.\n", stderr);
			return ADM_USAGE;
		}
	}
	if (optind >= argc) {
		fputs("sealfs-admin: no command given\nTry 'sealfs-admin --help'.\n", stderr);
		return ADM_USAGE;
	}
	if (adm_load(&cfg, file))
		return ADM_USAGE;
	ms = cfg.timeout;
	if (timeout && scfg_parse_duration(timeout, &ms, &why)) {
		fprintf(stderr, "sealfs-admin: --timeout %s: %s\n", timeout, why);
		return ADM_USAGE;
	}
	if (!manager)
		manager = getenv("SEALFS_MANAGER");
	if (!manager || !*manager) {
		scfg_format_addr(&cfg.manager, addr, sizeof(addr));
		manager = addr;
	}
	ctx.manager = manager;
	ctx.timeout_ms = ms > UINT32_MAX ? UINT32_MAX : ms;
	rc = adm_dispatch(&ctx, argc - optind, argv + optind);
	scfg_free(&adm_prog, &cfg);
	return rc;
}
