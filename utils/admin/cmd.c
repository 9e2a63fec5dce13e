// SPDX-License-Identifier: Apache-2.0
/*
 * sealfs-admin commands: volume create/list/resize/delete, cluster status.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "admin.h"
#include "sclient.h"

/**
 * struct adm_cmd - a command
 * @group: first word ("volume", "cluster")
 * @name: second word
 * @usage: its synopsis
 * @run: does it; returns an exit status
 */
struct adm_cmd {
	const char *group;
	const char *name;
	const char *usage;
	int (*run)(const struct adm_ctx *ctx, const char *usage, int argc, char **argv);
};

static int adm_connect(const struct adm_ctx *ctx, struct sclient **cl)
{
	char err[SCLIENT_ERR_MAX];
	int rc;

	rc = sclient_open(ctx->manager, ctx->timeout_ms, cl, err, sizeof(err));
	if (rc)
		fprintf(stderr, "sealfs-admin: cannot reach the manager at %s: %s\n",
			ctx->manager, err);
	return rc;
}

static int adm_failed(struct sclient *cl, const char *what, int rc)
{
	const char *why = sclient_error(cl);

	if (rc == -EEXIST)
		why = "already exists";
	else if (rc == -ENOENT)
		why = "no such volume";
	else if (rc == -EBUSY)
		why = "the volume is being deleted";
	fprintf(stderr, "sealfs-admin: %s: %s\n", what, why);
	sclient_close(cl);
	return ADM_FAIL;
}

static void adm_print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* Parses a command's options; returns -1 after printing a usage error. */
static int adm_opts(int argc, char **argv, const char *usage,
		    const struct option *lo, int (*one)(int opt, const char *arg,
							void *st), void *st)
{
	int opt;

	optind = 0;	/* restart getopt, options and NAME in any order */
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (opt == 'h') {
			printf("Usage: sealfs-admin %s\n", usage);
			return 1;
		}
		if (opt == '?' || one(opt, optarg, st)) {
			fprintf(stderr, "Usage: sealfs-admin %s\n", usage);
			return -1;
		}
	}
	return 0;
}

/* ---- volume create / resize ----------------------------------------------- */

/**
 * struct adm_vol_args - options of volume create and resize
 * @quota: --quota value
 * @inodes: --inodes value
 * @chunk: --chunk-size value
 * @have_quota: --quota given
 * @have_inodes: --inodes given
 */
struct adm_vol_args {
	uint64_t quota;
	uint64_t inodes;
	uint64_t chunk;
	bool have_quota;
	bool have_inodes;
};

static int adm_vol_opt(int opt, const char *arg, void *st)
{
	struct adm_vol_args *a = st;

	switch (opt) {
	case 'q':
		a->have_quota = true;
		return adm_parse_size("--quota", arg, &a->quota);
	case 'i':
		a->have_inodes = true;
		return adm_parse_count("--inodes", arg, &a->inodes);
	case 'k':
		if (adm_parse_size("--chunk-size", arg, &a->chunk))
			return -1;
		if (a->chunk < (64u << 10) || a->chunk > (64u << 20) ||
		    (a->chunk & (a->chunk - 1))) {
			fprintf(stderr, "sealfs-admin: --chunk-size %s: must be a power of two from 64K to 64M\n",
				arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

static const struct option adm_vol_lo[] = {
	{ "quota", required_argument, NULL, 'q' },
	{ "inodes", required_argument, NULL, 'i' },
	{ "chunk-size", required_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int adm_vol_create(const struct adm_ctx *ctx, const char *usage, int argc,
			  char **argv)
{
	struct adm_vol_args a = {};
	struct sclient *cl;
	const char *name;
	u32 id;
	int rc;

	rc = adm_opts(argc, argv, usage, adm_vol_lo, adm_vol_opt, &a);
	if (rc)
		return rc > 0 ? ADM_OK : ADM_USAGE;
	if (optind + 1 != argc || !a.have_quota) {
		fprintf(stderr, "Usage: sealfs-admin %s\n", usage);
		return ADM_USAGE;
	}
	name = argv[optind];
	if (adm_connect(ctx, &cl))
		return ADM_FAIL;
	rc = sclient_vol_create(cl, name, a.quota, a.inodes, a.chunk, &id);
	if (rc)
		return adm_failed(cl, name, rc);
	sclient_close(cl);
	if (ctx->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "id", json_object_new_int64(id));
		adm_print_json(o);
	} else {
		printf("volume %s created (id %u)\n", name, id);
	}
	return ADM_OK;
}

static int adm_vol_resize(const struct adm_ctx *ctx, const char *usage, int argc,
			  char **argv)
{
	struct adm_vol_args a = {};
	struct sclient *cl;
	u32 flags = 0;
	int rc;

	rc = adm_opts(argc, argv, usage, adm_vol_lo, adm_vol_opt, &a);
	if (rc)
		return rc > 0 ? ADM_OK : ADM_USAGE;
	if (a.have_quota)
		flags |= SEALFS_VR_BYTES;
	if (a.have_inodes)
		flags |= SEALFS_VR_INODES;
	if (optind + 1 != argc || !flags || a.chunk) {
		fprintf(stderr, "Usage: sealfs-admin %s\n(give --quota, --inodes or both)\n",
			usage);
		return ADM_USAGE;
	}
	if (adm_connect(ctx, &cl))
		return ADM_FAIL;
	rc = sclient_vol_resize(cl, argv[optind], flags, a.quota, a.inodes);
	if (rc)
		return adm_failed(cl, argv[optind], rc);
	sclient_close(cl);
	if (!ctx->json)
		printf("volume %s resized\n", argv[optind]);
	else
		adm_print_json(json_object_new_object());
	return ADM_OK;
}

static int adm_no_opt(int opt, const char *arg, void *st)
{
	(void)opt;
	(void)arg;
	(void)st;
	return -1;
}

static const struct option adm_help_lo[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int adm_vol_delete(const struct adm_ctx *ctx, const char *usage, int argc,
			  char **argv)
{
	struct sclient *cl;
	int rc;

	rc = adm_opts(argc, argv, usage, adm_help_lo, adm_no_opt, NULL);
	if (rc)
		return rc > 0 ? ADM_OK : ADM_USAGE;
	if (optind + 1 != argc) {
		fprintf(stderr, "Usage: sealfs-admin %s\n", usage);
		return ADM_USAGE;
	}
	if (adm_connect(ctx, &cl))
		return ADM_FAIL;
	rc = sclient_vol_delete(cl, argv[optind]);
	if (rc)
		return adm_failed(cl, argv[optind], rc);
	sclient_close(cl);
	if (!ctx->json)
		printf("volume %s deleted\n", argv[optind]);
	else
		adm_print_json(json_object_new_object());
	return ADM_OK;
}

/* ---- volume list ---------------------------------------------------------- */

static const char *adm_vol_state(u32 state)
{
	return state == SEALFS_VOL_ACTIVE ? "active" :
	       state == SEALFS_VOL_DELETING ? "deleting" : "unknown";
}

static void adm_vol_table(const struct sclient_volume *v, u32 n)
{
	char q[32], u[32], c[32];
	u32 i;

	printf("%-6s %-24s %-9s %10s %10s %12s %12s %8s\n", "ID", "NAME", "STATE",
	       "QUOTA", "USED", "INODE-QUOTA", "INODES", "CHUNK");
	for (i = 0; i < n; i++) {
		char iq[32];

		if (v[i].quota_bytes)
			adm_size(v[i].quota_bytes, q, sizeof(q));
		else
			snprintf(q, sizeof(q), "-");
		if (v[i].quota_inodes)
			snprintf(iq, sizeof(iq), "%" PRIu64, (uint64_t)v[i].quota_inodes);
		else
			snprintf(iq, sizeof(iq), "-");
		adm_size(v[i].used_bytes, u, sizeof(u));
		adm_size(v[i].chunk_size, c, sizeof(c));
		printf("%-6u %-24s %-9s %10s %10s %12s %12" PRIu64 " %8s\n", v[i].id,
		       v[i].name, adm_vol_state(v[i].state), q, u, iq,
		       (uint64_t)v[i].used_inodes, c);
	}
}

static void adm_vol_json(const struct sclient_volume *v, u32 n)
{
	struct json_object *a = json_object_new_array();
	u32 i;

	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int64(v[i].id));
		json_object_object_add(o, "name", json_object_new_string(v[i].name));
		json_object_object_add(o, "state",
				       json_object_new_string(adm_vol_state(v[i].state)));
		json_object_object_add(o, "quota_bytes", json_object_new_uint64(v[i].quota_bytes));
		json_object_object_add(o, "quota_inodes",
				       json_object_new_uint64(v[i].quota_inodes));
		json_object_object_add(o, "used_bytes", json_object_new_uint64(v[i].used_bytes));
		json_object_object_add(o, "used_inodes", json_object_new_uint64(v[i].used_inodes));
		json_object_object_add(o, "chunk_size", json_object_new_int64(v[i].chunk_size));
		json_object_array_add(a, o);
	}
	adm_print_json(a);
}

static int adm_vol_list(const struct adm_ctx *ctx, const char *usage, int argc,
			  char **argv)
{
	struct sclient_volume *v;
	struct sclient *cl;
	u32 n;
	int rc;

	rc = adm_opts(argc, argv, usage, adm_help_lo, adm_no_opt, NULL);
	if (rc)
		return rc > 0 ? ADM_OK : ADM_USAGE;
	if (optind != argc) {
		fprintf(stderr, "Usage: sealfs-admin %s\n", usage);
		return ADM_USAGE;
	}
	if (adm_connect(ctx, &cl))
		return ADM_FAIL;
	rc = sclient_vol_list(cl, true, &v, &n);
	if (rc)
		return adm_failed(cl, "volume list", rc);
	sclient_close(cl);
	if (ctx->json)
		adm_vol_json(v, n);
	else
		adm_vol_table(v, n);
	free(v);
	return ADM_OK;
}

/* ---- cluster status ------------------------------------------------------- */

static void adm_addr(const struct sealfs_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	u16 family = le16_to_cpu(a->family);

	if (family == SEALFS_AF_INET && inet_ntop(AF_INET, a->addr, ip, sizeof(ip)))
		snprintf(buf, len, "%s:%u", ip, le16_to_cpu(a->port));
	else if (family == SEALFS_AF_INET6 && inet_ntop(AF_INET6, a->addr, ip, sizeof(ip)))
		snprintf(buf, len, "[%s]:%u", ip, le16_to_cpu(a->port));
	else
		snprintf(buf, len, "-");
}

static const char *adm_srv_state(u32 state)
{
	return state == SEALFS_SRV_UP ? "up" : state == SEALFS_SRV_DOWN ? "down" : "unknown";
}

static void adm_status_table(const struct sclient_status *st)
{
	char a[80], cap[32], used[32];
	u32 i;

	printf("cluster map epoch %" PRIu64 ", %u server(s)\n", (uint64_t)st->epoch,
	       st->nservers);
	printf("%-6s %-6s %-28s %7s %10s %10s %10s\n", "ID", "STATE", "ADDRESS (TCP)",
	       "WEIGHT", "CAPACITY", "USED", "SEEN");
	for (i = 0; i < st->nservers; i++) {
		const struct sclient_server *s = &st->servers[i];
		char seen[32];

		adm_addr(&s->addr[SEALFS_TRANSPORT_TCP], a, sizeof(a));
		adm_size(s->capacity, cap, sizeof(cap));
		adm_size(s->used, used, sizeof(used));
		snprintf(seen, sizeof(seen), "%" PRIu64 ".%01" PRIu64 "s ago",
			 (uint64_t)s->last_seen_ms / 1000, (uint64_t)s->last_seen_ms % 1000 / 100);
		printf("%-6u %-6s %-28s %7u %10s %10s %10s\n", s->id, adm_srv_state(s->state),
		       a, s->weight, cap, used, seen);
	}
}

static void adm_status_json(const struct sclient_status *st)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	char addr[80];
	u32 i;

	json_object_object_add(o, "epoch", json_object_new_uint64(st->epoch));
	for (i = 0; i < st->nservers; i++) {
		const struct sclient_server *s = &st->servers[i];
		struct json_object *j = json_object_new_object();

		adm_addr(&s->addr[SEALFS_TRANSPORT_TCP], addr, sizeof(addr));
		json_object_object_add(j, "id", json_object_new_int64(s->id));
		json_object_object_add(j, "state",
				       json_object_new_string(adm_srv_state(s->state)));
		json_object_object_add(j, "address", json_object_new_string(addr));
		json_object_object_add(j, "weight", json_object_new_int64(s->weight));
		json_object_object_add(j, "capacity", json_object_new_uint64(s->capacity));
		json_object_object_add(j, "used", json_object_new_uint64(s->used));
		json_object_object_add(j, "last_seen_ms", json_object_new_uint64(s->last_seen_ms));
		json_object_array_add(a, j);
	}
	json_object_object_add(o, "servers", a);
	adm_print_json(o);
}

static int adm_cluster_status(const struct adm_ctx *ctx, const char *usage, int argc,
			  char **argv)
{
	struct sclient_status st;
	struct sclient *cl;
	int rc;

	rc = adm_opts(argc, argv, usage, adm_help_lo, adm_no_opt, NULL);
	if (rc)
		return rc > 0 ? ADM_OK : ADM_USAGE;
	if (optind != argc) {
		fprintf(stderr, "Usage: sealfs-admin %s\n", usage);
		return ADM_USAGE;
	}
	if (adm_connect(ctx, &cl))
		return ADM_FAIL;
	rc = sclient_cluster_status(cl, &st);
	if (rc)
		return adm_failed(cl, "cluster status", rc);
	sclient_close(cl);
	if (ctx->json)
		adm_status_json(&st);
	else
		adm_status_table(&st);
	sclient_status_free(&st);
	return ADM_OK;
}

static const struct adm_cmd adm_cmds[] = {
	{ "volume", "create", "volume create NAME --quota SIZE [--inodes N] [--chunk-size SIZE]",
	  adm_vol_create },
	{ "volume", "list", "volume list", adm_vol_list },
	{ "volume", "resize", "volume resize NAME [--quota SIZE] [--inodes N]", adm_vol_resize },
	{ "volume", "delete", "volume delete NAME", adm_vol_delete },
	{ "cluster", "status", "cluster status", adm_cluster_status },
};

/**
 * adm_dispatch() - run the command named by the first two words
 * @ctx: global settings
 * @argc: words left
 * @argv: the words, the command's first
 *
 * Return: the exit status.
 */
int adm_dispatch(const struct adm_ctx *ctx, int argc, char **argv)
{
	size_t i;

	for (i = 0; i < sizeof(adm_cmds) / sizeof(adm_cmds[0]); i++) {
		if (strcmp(argv[0], adm_cmds[i].group) || argc < 2 ||
		    strcmp(argv[1], adm_cmds[i].name))
			continue;
		return adm_cmds[i].run(ctx, adm_cmds[i].usage, argc - 1, argv + 1);
	}
	fprintf(stderr, "sealfs-admin: unknown command '%s%s%s'. Commands:\n", argv[0],
		argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	for (i = 0; i < sizeof(adm_cmds) / sizeof(adm_cmds[0]); i++)
		fprintf(stderr, "  %s\n", adm_cmds[i].usage);
	return ADM_USAGE;
}
