// SPDX-License-Identifier: Apache-2.0
/*
 * srvbench: metadata operations per second of a SealFS cluster through the
 * client library (utils/lib/scli.h), for tests/bench/server.
 *
 *   srvbench -m MANAGER -v VOLUME [-n COUNT] [-j THREADS] [-r REPEATS]
 *            [-P READ_PASSES] [-p SERVER_PID] [-o OUT.jsonl]
 *
 * Each repeat runs the phases create, stat, getattr, rename, unlink,
 * mkdir and rmdir on COUNT names, first in one thread and then in THREADS
 * threads (COUNT / THREADS names each; 0 skips the concurrent run). Every
 * thread has its own client (a client is used by one thread at a time)
 * and its own directory /srvbench-R-T-I, opened and created before the
 * clock starts; a phase is timed from a barrier that starts every thread
 * to the last thread's end. stat and getattr go over the names
 * READ_PASSES times (default 5), so that reads last long enough for the
 * CPU figure's resolution. The operations:
 *
 *   create   CREATE of an empty regular file, exclusive
 *   stat     LOOKUP of the file's name (the reply carries its attributes)
 *   getattr  GETATTR of the file's inode
 *   rename   RENAME of the file to another name in its directory
 *   unlink   UNLINK of that name
 *   mkdir    CREATE of a directory
 *   rmdir    RMDIR of it
 *
 * With -p, the server's CPU time (utime + stime of /proc/PID/stat, all its
 * threads, in clock ticks) is read before and after each phase and
 * divided by the phase's operations.
 *
 * Output: one JSON Lines record per figure, samples in repeat order:
 * group "server" (ops/s, higher is better) and group "server-cpu" (us/op,
 * lower is better), system "server"; names are the operations above, with
 * "-Nt" appended for the run in N threads. A human-readable line per
 * phase goes to standard error. Exit status 0, 1 on a failed operation,
 * 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "scli.h"

enum { P_CREATE, P_STAT, P_GETATTR, P_RENAME, P_UNLINK, P_MKDIR, P_RMDIR, NPHASE };

static const char *const phase_name[NPHASE] = {
	"create", "stat", "getattr", "rename", "unlink", "mkdir", "rmdir",
};

#define MAX_THREADS	64
#define MAX_REPEATS	100

struct worker {
	pthread_t th;
	struct scli *cl;
	u64 dir;
	u64 *ino;		/* inode of each file, from create */
	unsigned int count;
	unsigned int passes;	/* of the read phases */
	int phase;
	int rc;
	char what[80];
};

static const char *manager, *volume;
static pthread_barrier_t start_bar, end_bar;
static volatile int cur_phase;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* utime + stime of @pid in clock ticks, -1 when unreadable. */
static long long proc_cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the command name may hold blanks */
	if (!p)
		return -1;
	/* after ")": state(3) ... utime(14) stime(15) */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

static int one_op(struct worker *w, int phase, unsigned int i)
{
	char name[32], other[32];
	struct scli_attr a;
	int rc = 0;

	snprintf(name, sizeof(name), "f%07u", i);
	snprintf(other, sizeof(other), "g%07u", i);
	switch (phase) {
	case P_CREATE:
		rc = scli_create(w->cl, w->dir, name, S_IFREG | 0644, 0, true, &a);
		if (!rc)
			w->ino[i] = a.ino;
		break;
	case P_STAT:
		rc = scli_lookup(w->cl, w->dir, name, &a);
		break;
	case P_GETATTR:
		rc = scli_getattr(w->cl, w->ino[i], &a);
		break;
	case P_RENAME:
		rc = scli_rename(w->cl, w->dir, name, w->dir, other, 0);
		break;
	case P_UNLINK:
		rc = scli_unlink(w->cl, w->dir, other);
		break;
	case P_MKDIR:
		snprintf(name, sizeof(name), "d%07u", i);
		rc = scli_create(w->cl, w->dir, name, S_IFDIR | 0755, 0, true, NULL);
		break;
	case P_RMDIR:
		snprintf(name, sizeof(name), "d%07u", i);
		rc = scli_rmdir(w->cl, w->dir, name);
		break;
	}
	if (rc)
		snprintf(w->what, sizeof(w->what), "%s %s: %s", phase_name[phase],
			 name, scli_error(w->cl));
	return rc;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int i, p, passes;
	int phase;

	for (;;) {
		pthread_barrier_wait(&start_bar);
		phase = cur_phase;
		if (phase < 0)
			break;
		passes = phase == P_STAT || phase == P_GETATTR ? w->passes : 1;
		for (p = 0; p < passes; p++)
			for (i = 0; i < w->count && !w->rc; i++)
				w->rc = one_op(w, phase, i);
		pthread_barrier_wait(&end_bar);
	}
	return NULL;
}

struct figure {
	double ops[MAX_REPEATS];
	double cpu_us[MAX_REPEATS];
	bool has_cpu;
};

/* fig[threads_index][phase] */
static struct figure fig[2][NPHASE];

/* One run of every phase in @nthreads threads, repeat @rep. */
static int run(unsigned int nthreads, unsigned int count, unsigned int passes,
	       int rep, int ti, pid_t srv)
{
	struct worker w[MAX_THREADS];
	char err[SCLI_ERR_MAX], dname[64];
	unsigned int t, per = count / nthreads;
	struct scli_attr a;
	int phase, rc = 0;

	memset(w, 0, sizeof(w));
	for (t = 0; t < nthreads; t++) {
		w[t].count = per;
		w[t].passes = passes;
		w[t].ino = calloc(per ? per : 1, sizeof(u64));
		if (!w[t].ino)
			return -ENOMEM;
		rc = scli_open(manager, volume, NULL, &w[t].cl, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "srvbench: open %s: %s\n", volume, err);
			return rc;
		}
		snprintf(dname, sizeof(dname), "srvbench-%d-%u-%u", rep, nthreads, t);
		rc = scli_create(w[t].cl, SEALFS_ROOT_INO, dname, S_IFDIR | 0755, 0,
				 true, &a);
		if (rc) {
			fprintf(stderr, "srvbench: mkdir /%s: %s\n", dname,
				scli_error(w[t].cl));
			return rc;
		}
		w[t].dir = a.ino;
	}
	pthread_barrier_init(&start_bar, NULL, nthreads + 1);
	pthread_barrier_init(&end_bar, NULL, nthreads + 1);
	for (t = 0; t < nthreads; t++)
		pthread_create(&w[t].th, NULL, worker_main, &w[t]);
	for (phase = 0; phase < NPHASE && !rc; phase++) {
		long long c0 = srv ? proc_cpu_ticks(srv) : -1, c1;
		double t0, t1, ops;
		unsigned int total = per * nthreads *
			(phase == P_STAT || phase == P_GETATTR ? passes : 1);

		cur_phase = phase;
		t0 = now_s();
		pthread_barrier_wait(&start_bar);
		pthread_barrier_wait(&end_bar);
		t1 = now_s();
		c1 = srv ? proc_cpu_ticks(srv) : -1;
		for (t = 0; t < nthreads; t++)
			if (w[t].rc && !rc) {
				fprintf(stderr, "srvbench: %s\n", w[t].what);
				rc = w[t].rc;
			}
		if (rc)
			break;
		ops = total / (t1 - t0);
		fig[ti][phase].ops[rep] = ops;
		fprintf(stderr, "  %-8s %2u thread%s %7u ops %8.3f s %10.0f ops/s",
			phase_name[phase], nthreads, nthreads == 1 ? " " : "s", total,
			t1 - t0, ops);
		if (c0 >= 0 && c1 >= 0) {
			double us = (c1 - c0) * 1e6 / sysconf(_SC_CLK_TCK) / total;

			fig[ti][phase].cpu_us[rep] = us;
			fig[ti][phase].has_cpu = true;
			fprintf(stderr, " %8.1f us server CPU/op", us);
		}
		fputc('\n', stderr);
	}
	cur_phase = -1;
	pthread_barrier_wait(&start_bar);
	for (t = 0; t < nthreads; t++) {
		pthread_join(w[t].th, NULL);
		snprintf(dname, sizeof(dname), "srvbench-%d-%u-%u", rep, nthreads, t);
		if (!rc) {
			rc = scli_rmdir(w[t].cl, SEALFS_ROOT_INO, dname);
			if (rc)
				fprintf(stderr, "srvbench: rmdir /%s: %s\n", dname,
					scli_error(w[t].cl));
		}
		scli_close(w[t].cl);
		free(w[t].ino);
	}
	pthread_barrier_destroy(&start_bar);
	pthread_barrier_destroy(&end_bar);
	return rc;
}

static void emit(FILE *out, const char *group, const char *name,
		 unsigned int nthreads, const char *unit, const char *better,
		 const double *v, int n)
{
	int i;

	fprintf(out, "{\"group\": \"%s\", \"name\": \"%s", group, name);
	if (nthreads > 1)
		fprintf(out, "-%ut", nthreads);
	fprintf(out, "\", \"system\": \"server\", \"unit\": \"%s\", \"better\": \"%s\", "
		"\"threads\": %u, \"samples\": [", unit, better, nthreads);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%.6g", i ? ", " : "", v[i]);
	fprintf(out, "]}\n");
}

static int usage(void)
{
	fprintf(stderr, "usage: srvbench -m MANAGER -v VOLUME [-n COUNT] [-j THREADS] "
		"[-r REPEATS] [-P READ_PASSES] [-p SERVER_PID] [-o OUT.jsonl]\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned int count = 1000, threads = 4, passes = 5, th[2];
	int repeats = 3, c, rep, ti, nt, phase;
	const char *outpath = NULL;
	FILE *out = stdout;
	pid_t srv = 0;

	while ((c = getopt(argc, argv, "m:v:n:j:r:P:p:o:h")) != -1) {
		switch (c) {
		case 'm': manager = optarg; break;
		case 'v': volume = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 'j': threads = strtoul(optarg, NULL, 10); break;
		case 'r': repeats = atoi(optarg); break;
		case 'P': passes = strtoul(optarg, NULL, 10); break;
		case 'p': srv = atoi(optarg); break;
		case 'o': outpath = optarg; break;
		default: return usage();
		}
	}
	if (!manager || !volume || optind != argc || !count ||
	    !passes || threads > MAX_THREADS || repeats < 1 || repeats > MAX_REPEATS ||
	    (threads > 1 && count < threads))
		return usage();
	if (srv && proc_cpu_ticks(srv) < 0) {
		fprintf(stderr, "srvbench: cannot read /proc/%d/stat\n", (int)srv);
		return 1;
	}
	th[0] = 1;
	th[1] = threads;
	nt = threads > 1 ? 2 : 1;
	for (rep = 0; rep < repeats; rep++) {
		for (ti = 0; ti < nt; ti++) {
			fprintf(stderr, "srvbench: repeat %d/%d, %u thread%s\n", rep + 1,
				repeats, th[ti], th[ti] == 1 ? "" : "s");
			if (run(th[ti], count, passes, rep, ti, srv))
				return 1;
		}
	}
	if (outpath) {
		out = fopen(outpath, "a");
		if (!out) {
			fprintf(stderr, "srvbench: %s: %s\n", outpath, strerror(errno));
			return 1;
		}
	}
	for (ti = 0; ti < nt; ti++)
		for (phase = 0; phase < NPHASE; phase++)
			emit(out, "server", phase_name[phase], th[ti], "ops/s", "higher",
			     fig[ti][phase].ops, repeats);
	for (ti = 0; ti < nt; ti++)
		for (phase = 0; phase < NPHASE; phase++)
			if (fig[ti][phase].has_cpu)
				emit(out, "server-cpu", phase_name[phase], th[ti], "us/op",
				     "lower", fig[ti][phase].cpu_us, repeats);
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "srvbench: %s: %s\n", outpath, strerror(errno));
		return 1;
	}
	return 0;
}
