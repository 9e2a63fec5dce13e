#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster test on the host: a real sealfs-manager and three sealfs-server
# processes on 127.0.0.1, each with a single worker thread. RMDIR is a
# transaction: the entry's owner freezes the directory on every other
# server (DIR_FREEZE) and waits for their answers. Many RMDIRs at once,
# coordinated by every server, must all succeed without a call between
# servers failing: the requests of other servers have threads of their
# own, so a server whose only worker waits for another server's answer
# still answers that server. Checked through the servers' logs (a failed
# call between servers is logged, then answered AGAIN and retried by the
# client library) and the namespace afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=rmdir_parallel
tmp=$(mktemp -d)
# shellcheck source=lib.bash
. tests/cluster/lib.bash
trap cleanup EXIT
NSRV=3 NDIR=24

step "manager and $NSRV servers with one worker thread each"
start_manager 5s
for i in $(seq 1 $NSRV); do SRV_LOG_LEVEL=debug srv_start "$i" --threads 1; done
wait_for "$NSRV servers up" servers_up $NSRV
admin volume create par --quota 1G >/dev/null || die "volume create"
sfs() { "$tools/sfsctl" -m "$mgr" -v par "$@"; }
wait_for "the volume's root" sfs stat /

step "$NDIR directories, then $NDIR rmdirs at once"
for i in $(seq 1 $NDIR); do
	sfs mkdir "/d$i" || die "mkdir /d$i"
done
[[ $(sfs ls / | grep -c '^d') == "$NDIR" ]] || die "ls /: $(sfs ls /)"
pids=()
for i in $(seq 1 $NDIR); do
	sfs rmdir "/d$i" 2>"$tmp/rmdir$i.err" &
	pids+=($!)
done
bad=0
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || { bad=$((bad + 1)); cat "$tmp/rmdir$((i + 1)).err" >&2; }
done
((bad == 0)) || die "$bad of $NDIR rmdirs failed"

step "every directory is gone, and no call between servers failed"
[[ -z $(sfs ls /) ]] || die "left in /: $(sfs ls /)"
if grep -E '(DIR_FREEZE|ENTRY_PREPARE|TXN_FINISH|TXN_QUERY|INODE_UPDATE) to server [0-9]+: ' \
	"$tmp"/srv*.log >"$tmp/peer-failures"; then
	head -n 5 "$tmp/peer-failures" >&2
	die "$(wc -l <"$tmp/peer-failures") calls between servers failed"
fi
for i in $(seq 1 $NSRV); do
	srv_stop "$i"
done
stop_manager
step "ok"
