// SPDX-License-Identifier: Apache-2.0
/*
 * sealfs-manager: membership, heartbeats, the cluster map and volumes.
 *
 *   sealfs-manager [-c FILE] [--listen HOST:PORT] [--state-dir DIR]
 *                  [--heartbeat DURATION] [--failure-timeout DURATION]
 *                  [--log-level LEVEL]
 *
 * Settings come from /etc/sealfs/manager.conf (or -c FILE), then the
 * command line. The state (server identities, volumes, the map epoch)
 * lives in LevelDB in the state directory and survives restarts.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "mcluster.h"
#include "mserve.h"
#include "mstate.h"
#include "scfg.h"
#include "sdaemon.h"
#include "slog.h"

/**
 * struct mgr_config - the manager's settings
 * @listen: address to listen on
 * @state_dir: LevelDB state directory
 * @heartbeat: interval servers heartbeat at, ms
 * @failure_timeout: silence after which a server is marked down, ms
 * @log_level: syslog priority
 */
struct mgr_config {
	struct scfg_addr listen;
	char *state_dir;
	uint64_t heartbeat;
	uint64_t failure_timeout;
	int log_level;
};

static const struct scfg_opt mgr_opts[] = {
	SCFG_OPT_ADDR("listen", struct mgr_config, listen, "0.0.0.0:7420",
		      SEALFS_MANAGER_PORT, "address and port to listen on"),
	SCFG_OPT_PATH("state-dir", struct mgr_config, state_dir,
		      "/var/lib/sealfs/manager",
		      "directory of the persistent state (LevelDB)"),
	SCFG_OPT_DURATION("heartbeat", struct mgr_config, heartbeat, "1s", 100,
			  60000, "interval at which servers heartbeat"),
	SCFG_OPT_DURATION("failure-timeout", struct mgr_config, failure_timeout,
			  "10s", 1000, 3600000,
			  "silence after which a server is marked down"),
	SCFG_OPT_LOGLEVEL("log-level", struct mgr_config, log_level, "info",
			  "error, warn, notice, info or debug"),
};

static const struct scfg_program mgr_prog = {
	.name = "sealfs-manager",
	.summary = "SealFS manager: membership, cluster map and volumes",
	.default_file = "/etc/sealfs/manager.conf",
	.opts = mgr_opts,
	.nopts = sizeof(mgr_opts) / sizeof(mgr_opts[0]),
};

static void mgr_on_signal(struct sloop *loop, int signo, void *arg)
{
	(void)arg;
	slog_notice("%s: shutting down", strsignal(signo));
	sloop_stop(loop);
}

/* Everything between configuration and exit; returns the exit status. */
static int mgr_run(const struct mgr_config *cfg)
{
	struct mcl_config mc = {
		.heartbeat_ms = cfg->heartbeat,
		.failure_ms = cfg->failure_timeout,
	};
	struct sloop_signal sigterm, sigint;
	char err[SCFG_ERR_MAX], addr[SCFG_VALUE_MAX];
	struct mstate *ms = NULL;
	struct mserve *srv = NULL;
	struct sloop *loop = NULL;
	struct mcl *mcl = NULL;
	int rc, status = 1;

	if (cfg->failure_timeout <= cfg->heartbeat) {
		fprintf(stderr, "sealfs-manager: failure-timeout must be longer than heartbeat\n");
		return 2;
	}
	rc = sdaemon_mkdirs(cfg->state_dir, 0700);
	if (rc) {
		fprintf(stderr, "sealfs-manager: cannot create state directory %s: %s\n",
			cfg->state_dir, strerror(-rc));
		return 1;
	}
	rc = mstate_open(cfg->state_dir, &ms, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sealfs-manager: %s\n", err);
		return 1;
	}
	rc = mcl_create(ms, &mc, sloop_now_ms(), &mcl);
	if (!rc)
		rc = sloop_new(&loop);
	if (rc) {
		fprintf(stderr, "sealfs-manager: cannot start: %s\n", strerror(-rc));
		goto out;
	}
	scfg_format_addr(&cfg->listen, addr, sizeof(addr));
	rc = mserve_start(loop, mcl, addr, &srv, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sealfs-manager: cannot listen on %s: %s\n", addr, err);
		goto out;
	}
	if (sloop_signal_add(loop, &sigterm, SIGTERM, mgr_on_signal, NULL) ||
	    sloop_signal_add(loop, &sigint, SIGINT, mgr_on_signal, NULL)) {
		fprintf(stderr, "sealfs-manager: cannot handle signals\n");
		goto out;
	}
	slog_notice("listening on %s (port %u), state in %s, map epoch %llu",
		    addr, mserve_port(srv), cfg->state_dir,
		    (unsigned long long)mcl_epoch(mcl));
	sd_notify(0, "READY=1");
	rc = sloop_run(loop);
	sd_notify(0, "STOPPING=1");
	status = rc ? 1 : 0;
	sloop_signal_del(&sigterm);
	sloop_signal_del(&sigint);
out:
	if (srv)
		mserve_stop(srv);
	if (mcl)
		mcl_destroy(mcl);
	if (loop)
		sloop_free(loop);
	mstate_close(ms);
	return status;
}

int main(int argc, char **argv)
{
	struct mgr_config cfg = {};
	int status;

	slog_init("sealfs-manager");
	signal(SIGPIPE, SIG_IGN);
	status = sdaemon_config(&mgr_prog, &cfg, argc, argv);
	if (status != SDAEMON_RUN)
		return status;
	slog_set_level(cfg.log_level);
	status = mgr_run(&cfg);
	scfg_free(&mgr_prog, &cfg);
	return status;
}
