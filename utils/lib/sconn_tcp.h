/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Between sconn_tcp.c and slisten.c.
 */
#ifndef SCONN_TCP_H
#define SCONN_TCP_H

#include "sconn.h"

int sconn__tcp_wrap(struct sloop *loop, int fd, bool connecting,
		   const char *name, const struct sconn_opts *opts,
		   const struct sconn_cbs *cbs, void *arg, struct sconn **cp);

#endif /* SCONN_TCP_H */
