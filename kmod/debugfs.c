// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: debugfs, one directory per mount under
 * /sys/kernel/debug/sealfs/:
 *
 *   requests     requests in flight: id, op, server, age in ms
 *   connections  per server: state, address, requests in flight,
 *                connects, replies that matched no request, boot id
 *   map          epoch, volume, chunk size, servers
 *   stats        per opcode: count and a latency histogram (powers of
 *                two in microseconds)
 */
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>

#include "internal.h"

static struct dentry *sealfs_debugfs_root;

static int sealfs_dbg_requests_show(struct seq_file *m, void *v)
{
	struct sealfs_fs *fs = m->private;
	struct sealfs_conn *c;
	unsigned long id;
	struct rb_node *n;

	seq_puts(m, "id op server age_ms\n");
	xa_for_each(&fs->conns, id, c) {
		spin_lock(&c->req_lock);
		for (n = rb_first(&c->reqs); n; n = rb_next(n)) {
			struct sealfs_req *r = rb_entry(n, struct sealfs_req,
							node);

			seq_printf(m, "%llu %s %u %u\n", r->id,
				   sealfs_op_name(r->opcode), c->server_id,
				   jiffies_to_msecs(jiffies - r->sent));
		}
		spin_unlock(&c->req_lock);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sealfs_dbg_requests);

static int sealfs_dbg_connections_show(struct seq_file *m, void *v)
{
	struct sealfs_fs *fs = m->private;
	struct sealfs_conn *c;
	unsigned long id;

	seq_puts(m, "server state address inflight connects unknown_replies boot_id\n");
	xa_for_each(&fs->conns, id, c)
		seq_printf(m, "%u %s %pISpc %u %llu %llu %016llx\n",
			   c->server_id,
			   READ_ONCE(c->state) == SEALFS_CONN_UP ? "up" : "down",
			   &c->addr.sa, READ_ONCE(c->inflight), c->connects,
			   c->unknown_replies, c->boot_id);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sealfs_dbg_connections);

static int sealfs_dbg_map_show(struct seq_file *m, void *v)
{
	struct sealfs_fs *fs = m->private;
	struct sealfs_map *map;
	u32 i;

	rcu_read_lock();
	map = rcu_dereference(fs->map);
	seq_printf(m, "epoch %llu\nvolume %s id %u chunk_size %u\n",
		   map->epoch, fs->opts.volume, map->vol, map->chunk_size);
	for (i = 0; i < map->nsrv; i++)
		seq_printf(m, "server %u %s %pISpc\n", map->srv[i].id,
			   map->srv[i].state == SEALFS_SRV_UP ? "up" : "down",
			   &map->srv[i].addr.sa);
	rcu_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sealfs_dbg_map);

static int sealfs_dbg_stats_show(struct seq_file *m, void *v)
{
	struct sealfs_fs *fs = m->private;
	unsigned int op, b;

	seq_puts(m, "op count latency_us(<1 <2 <4 ... <16384 more)\n");
	for (op = 0; op < SEALFS_OP_MAX; op++) {
		u64 count = atomic64_read(&fs->op_count[op]);

		if (!count)
			continue;
		seq_printf(m, "%s %llu", sealfs_op_name(op), count);
		for (b = 0; b < ARRAY_SIZE(fs->op_lat[op]); b++)
			seq_printf(m, " %lld", atomic64_read(&fs->op_lat[op][b]));
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sealfs_dbg_stats);

/**
 * sealfs_debugfs_init() - create /sys/kernel/debug/sealfs (module init)
 */
void sealfs_debugfs_init(void)
{
	sealfs_debugfs_root = debugfs_create_dir("sealfs", NULL);
}

/**
 * sealfs_debugfs_exit() - remove it (module exit)
 */
void sealfs_debugfs_exit(void)
{
	debugfs_remove_recursive(sealfs_debugfs_root);
}

/**
 * sealfs_debugfs_mount() - a mount's debugfs directory
 * @fs: the mount
 * @name: directory name (the super block's id)
 */
void sealfs_debugfs_mount(struct sealfs_fs *fs, const char *name)
{
	struct dentry *d;

	d = debugfs_create_dir(name, sealfs_debugfs_root);
	fs->debugfs = d;
	debugfs_create_file("requests", 0400, d, fs, &sealfs_dbg_requests_fops);
	debugfs_create_file("connections", 0400, d, fs,
			    &sealfs_dbg_connections_fops);
	debugfs_create_file("map", 0400, d, fs, &sealfs_dbg_map_fops);
	debugfs_create_file("stats", 0400, d, fs, &sealfs_dbg_stats_fops);
}

/**
 * sealfs_debugfs_umount() - remove a mount's debugfs directory
 * @fs: the mount
 */
void sealfs_debugfs_umount(struct sealfs_fs *fs)
{
	debugfs_remove_recursive(fs->debugfs);
	fs->debugfs = NULL;
}
