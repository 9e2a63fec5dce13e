/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ssess: the accepting side of a SealFS connection (what the manager and
 * the servers do alike with every connection they accept): HELLO, and the
 * rules around it. A peer's first message must be HELLO; a request before
 * it is answered BADMSG and the connection closed; a peer of another major
 * version gets VERSION and the connection is closed; replies are not
 * expected. The negotiated values stay in &struct ssess for the owner.
 */
#ifndef SSESS_H
#define SSESS_H

#include <stdbool.h>

#include "sconn.h"

/**
 * struct ssess_self - what this side says of itself in HELLO
 * @role: %SEALFS_ROLE_MANAGER or %SEALFS_ROLE_SERVER
 * @boot_id: changes every start
 * @server_id: this server's id, 0 for the manager
 */
struct ssess_self {
	u16 role;
	u64 boot_id;
	u32 server_id;
};

/**
 * struct ssess - a peer's session
 * @hello: HELLO was answered
 * @features: features both sides support
 * @client_id: the peer's client id when it negotiated replay protection
 *	(%SEALFS_FEAT_REPLAY), else 0
 * @max_payload: largest payload either side sends
 * @role: the role the peer stated in HELLO (%SEALFS_ROLE_*), 0 before it;
 *	stated, not proven: it tells a server's messages from a client's
 */
struct ssess {
	bool hello;
	u64 features;
	u64 client_id;
	u32 max_payload;
	u16 role;
};

void ssess_init(struct ssess *s);
bool ssess_gate(struct ssess *s, struct sconn *c, const struct ssess_self *self,
		u64 epoch, const struct sealfs_hdr_info *h,
		const struct sealfs_msg *m);
void ssess_error(struct sconn *c, int err, const struct sealfs_hdr_info *h,
		 u64 epoch);

#endif /* SSESS_H */
