/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mserve: the network service of sealfs-manager. Accepts connections,
 * checks HELLO, and answers the manager's requests (PING, MAP_GET with
 * long polls, SRV_REGISTER, SRV_HEARTBEAT, CLUSTER_STATUS and the volume
 * operations) from the cluster logic in mcluster. As a client of the
 * servers (through mlink) it purges deleted volumes (VOL_PURGE) and
 * gathers volume usage (VOL_USAGE). Runs on one event loop thread; every
 * change goes through mcluster, which persists it before the reply is
 * sent.
 */
#ifndef MSERVE_H
#define MSERVE_H

#include "mcluster.h"
#include "sloop.h"

struct mserve;

int mserve_start(struct sloop *loop, struct mcl *mcl, const char *listen,
		 struct mserve **sp, char *err, size_t errlen);
void mserve_stop(struct mserve *s);
u16 mserve_port(const struct mserve *s);

#endif /* MSERVE_H */
