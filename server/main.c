// SPDX-License-Identifier: Apache-2.0
/*
 * sealfs-server: the SealFS storage daemon.
 *
 *   sealfs-server [-c FILE] --manager HOST:PORT --meta-dir DIR
 *                 --data-dir DIR [--listen HOST:PORT] [--threads N]
 *                 [--weight N] [--log-level LEVEL]
 *
 * Settings come from /etc/sealfs/server.conf (or -c FILE), then the
 * command line. The server keeps a persistent uuid in the data directory,
 * registers with the manager, follows the cluster map, and serves
 * namespace and data requests (see server/ssrv.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "scfg.h"
#include "sdaemon.h"
#include "server/ssrv.h"
#include "slog.h"

/**
 * struct srv_config - the server's settings
 * @manager: manager address
 * @listen: address to listen on
 * @meta_dir: metadata directory (LevelDB)
 * @data_dir: data directory
 * @threads: worker threads
 * @weight: placement weight
 * @log_level: syslog priority
 */
struct srv_config {
	struct scfg_addr manager;
	struct scfg_addr listen;
	char *meta_dir;
	char *data_dir;
	int64_t threads;
	int64_t weight;
	int log_level;
};

static const struct scfg_opt srv_opts[] = {
	SCFG_OPT_ADDR("manager", struct srv_config, manager, NULL,
		      SEALFS_MANAGER_PORT, "manager address (required)"),
	SCFG_OPT_ADDR("listen", struct srv_config, listen, "0.0.0.0:7421",
		      SEALFS_SERVER_PORT, "address and port to listen on"),
	SCFG_OPT_PATH("meta-dir", struct srv_config, meta_dir, NULL,
		      "metadata directory (required)"),
	SCFG_OPT_PATH("data-dir", struct srv_config, data_dir, NULL,
		      "data directory (required)"),
	SCFG_OPT_INT("threads", struct srv_config, threads, "4", 1, 256,
		     "worker threads for storage requests"),
	SCFG_OPT_INT("weight", struct srv_config, weight, "100", 0,
		     SEALFS_WEIGHT_MAX, "placement weight (100 nominal)"),
	SCFG_OPT_LOGLEVEL("log-level", struct srv_config, log_level, "info",
			  "error, warn, notice, info or debug"),
};

static const struct scfg_program srv_prog = {
	.name = "sealfs-server",
	.summary = "SealFS storage server",
	.default_file = "/etc/sealfs/server.conf",
	.opts = srv_opts,
	.nopts = sizeof(srv_opts) / sizeof(srv_opts[0]),
};

/* Creates @dir if needed and checks that it is a writable directory. */
static int srv_dir_ok(const char *what, const char *dir)
{
	struct stat st;
	int rc = sdaemon_mkdirs(dir, 0700);

	if (!rc && (stat(dir, &st) || !S_ISDIR(st.st_mode)))
		rc = -ENOTDIR;
	if (!rc && access(dir, W_OK | X_OK))
		rc = -errno;
	if (rc)
		fprintf(stderr, "sealfs-server: cannot use %s %s: %s\n", what, dir,
			strerror(-rc));
	return rc;
}

static void srv_on_signal(struct sloop *loop, int signo, void *arg)
{
	(void)arg;
	slog_notice("%s: shutting down", strsignal(signo));
	sloop_stop(loop);
}

/* Everything between configuration and exit; returns the exit status. */
static int srv_run(const struct srv_config *cfg)
{
	struct sloop_signal sigterm, sigint;
	struct ssrv_mgr_opts mo = {
		.meta_dir = cfg->meta_dir, .data_dir = cfg->data_dir,
		.weight = (u32)cfg->weight,
	};
	char err[SCFG_ERR_MAX], addr[SCFG_VALUE_MAX], mgr[SCFG_VALUE_MAX];
	struct ssrv_core core;
	struct ssrv_net *net = NULL;
	struct ssrv_mgr *link = NULL;
	struct ssrv_recover *recover = NULL;
	struct sloop *loop = NULL;
	bool sigs = false, core_up = false;
	u64 boot_id;
	int rc, status = 1;

	if (!cfg->manager.host[0] || !cfg->meta_dir || !cfg->data_dir) {
		fprintf(stderr, "sealfs-server: --manager, --meta-dir and --data-dir are required\n");
		return 2;
	}
	if (srv_dir_ok("metadata directory", cfg->meta_dir) ||
	    srv_dir_ok("data directory", cfg->data_dir))
		return 1;
	if (ssrv_uuid_load(cfg->data_dir, mo.uuid, err, sizeof(err))) {
		fprintf(stderr, "sealfs-server: %s\n", err);
		return 1;
	}
	if (getrandom(&boot_id, sizeof(boot_id), 0) != sizeof(boot_id))
		boot_id = sloop_now_ms();
	boot_id |= 1;
	rc = ssrv_core_init(&core, cfg->data_dir, boot_id);
	if (rc) {
		fprintf(stderr, "sealfs-server: cannot open the data directory %s: %s\n",
			cfg->data_dir, strerror(-rc));
		return 1;
	}
	core_up = true;
	rc = sloop_new(&loop);
	if (rc) {
		fprintf(stderr, "sealfs-server: cannot start: %s\n", strerror(-rc));
		goto out;
	}
	/* Before the workers start, so that they inherit the blocked signals. */
	if (sloop_signal_add(loop, &sigterm, SIGTERM, srv_on_signal, NULL) ||
	    sloop_signal_add(loop, &sigint, SIGINT, srv_on_signal, NULL)) {
		fprintf(stderr, "sealfs-server: cannot handle signals\n");
		goto out;
	}
	sigs = true;
	scfg_format_addr(&cfg->listen, addr, sizeof(addr));
	rc = ssrv_net_start(loop, &core, addr, (unsigned int)cfg->threads, &net,
			    err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sealfs-server: cannot listen on %s: %s\n", addr, err);
		goto out;
	}
	if (scfg_addr_to_wire(&cfg->listen, &mo.addr)) {
		fprintf(stderr, "sealfs-server: --listen must be an IP address, not %s\n",
			cfg->listen.host);
		goto out;
	}
	mo.addr.port = cpu_to_le16(ssrv_net_port(net));
	scfg_format_addr(&cfg->manager, mgr, sizeof(mgr));
	mo.manager = mgr;
	rc = ssrv_peers_new(loop, &core, &core.peers);
	if (!rc)
		rc = ssrv_mgr_start(loop, &core, &mo, &link);
	if (!rc)
		rc = ssrv_recover_start(&core, &recover);
	if (rc) {
		fprintf(stderr, "sealfs-server: cannot start: %s\n", strerror(-rc));
		goto out;
	}
	slog_notice("listening on %s (port %u), manager %s, meta %s, data %s, %lld threads",
		    addr, ssrv_net_port(net), mgr, cfg->meta_dir, cfg->data_dir,
		    (long long)cfg->threads);
	sd_notify(0, "READY=1");
	rc = sloop_run(loop);
	sd_notify(0, "STOPPING=1");
	status = rc || ssrv_mgr_failed(link) ? 1 : 0;
out:
	ssrv_recover_stop(recover, loop);
	if (link)
		ssrv_mgr_stop(link);
	if (net)
		ssrv_net_stop(net);
	ssrv_peers_free(core.peers);
	core.peers = NULL;
	if (sigs) {
		sloop_signal_del(&sigterm);
		sloop_signal_del(&sigint);
	}
	if (loop) {
		int i;

		for (i = 0; i < 50 && sloop_live(loop); i++)
			sloop_run_once(loop, 100);
		sloop_free(loop);
	}
	if (core_up)
		ssrv_core_fini(&core);
	return status;
}

int main(int argc, char **argv)
{
	struct srv_config cfg = {};
	int status;

	slog_init("sealfs-server");
	signal(SIGPIPE, SIG_IGN);
	status = sdaemon_config(&srv_prog, &cfg, argc, argv);
	if (status != SDAEMON_RUN)
		return status;
	slog_set_level(cfg.log_level);
	sdaemon_raise_nofile();
	status = srv_run(&cfg);
	scfg_free(&srv_prog, &cfg);
	return status;
}
