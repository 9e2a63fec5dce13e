/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sealfs-admin internals: the command table and the output helpers.
 */
#ifndef ADMIN_H
#define ADMIN_H

#include <stdbool.h>
#include <stdint.h>

/* Exit statuses. */
#define ADM_OK		0
#define ADM_FAIL	1
#define ADM_USAGE	2

/**
 * struct adm_ctx - what every command gets
 * @manager: the manager's address
 * @timeout_ms: bound on each request
 * @json: print JSON
 */
struct adm_ctx {
	const char *manager;
	uint32_t timeout_ms;
	bool json;
};

int adm_dispatch(const struct adm_ctx *ctx, int argc, char **argv);

/* output (out.c) */
void adm_size(uint64_t bytes, char *buf, size_t len);
int adm_parse_size(const char *opt, const char *s, uint64_t *v);
int adm_parse_count(const char *opt, const char *s, uint64_t *v);

#endif /* ADMIN_H */
