#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster test on the host: a real sealfs-manager and three sealfs-server
# processes on 127.0.0.1. A volume with some files; the manager stops
# (SIGTERM) and starts again on the same state directory: the volume is
# intact, the three servers register again, and the files read back
# through the client library, both from a new client and from one that
# stayed open across the restart.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=manager_restart
tmp=$(mktemp -d)
# shellcheck source=lib.bash
. tests/cluster/lib.bash
batch_pid=''
cleanup() {
	local p
	exec 3>&- 2>/dev/null || true
	for p in $batch_pid "${srv_pid[@]}" $mgr_pid; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
vol_json() { admin --json volume list | json "[(v['id'], v['quota_bytes'], v['quota_inodes'], v['chunk_size'], v['state']) for v in d if v['name']=='$1']"; }
# The open client's answers: lines of its output, waited for.
batch_lines() { [[ $(grep -c . "$tmp/batch.out") -ge $1 ]]; }

step "manager and three servers, a volume with files"
start_manager 2s
for i in 1 2 3; do srv_start "$i" --threads 2; done
wait_for "3 servers up" servers_up 3
admin volume create keep --quota 1G --inodes 1000 --chunk-size 64K >/dev/null || die "volume create"
sfs() { "$tools/sfsctl" -m "$mgr" -v keep "$@"; }
wait_for "the volume's root" sfs stat /
before=$(vol_json keep)
sfs mkdir /d || die "mkdir /d"
for i in 1 2 3 4 5; do
	head -c $((i * 50000)) /dev/urandom >"$tmp/f$i"
	sfs write "/d/f$i" <"$tmp/f$i" || die "write /d/f$i"
done
sfs symlink /d/f1 /d/link || die "symlink"

step "a client opened before the restart reads a file"
mkfifo "$tmp/cmds"
sfs batch <"$tmp/cmds" >"$tmp/batch.out" 2>"$tmp/batch.err" &
batch_pid=$!
exec 3>"$tmp/cmds"
echo "readlink /d/link" >&3
wait_for "the open client's answer" batch_lines 1
[[ $(cat "$tmp/batch.out") == /d/f1 ]] || die "readlink through the open client: $(cat "$tmp/batch.out" "$tmp/batch.err")"

step "stop the manager with SIGTERM and start it on the same state directory"
stop_manager
sfs ls /d >/dev/null 2>&1 && die "a new client opened the volume without a manager"
# Without the open client's pipe: it must see its end when we close it.
{ start_manager 2s; } 3>&-
[[ $(vol_json keep) == "$before" ]] || die "volume changed across the restart: $before -> $(vol_json keep)"

step "the three servers register again"
wait_for "3 servers up after the restart" servers_up 3

step "the files read back through a new client"
[[ $(sfs ls /d | sort | tr '\n' ' ') == "f1 f2 f3 f4 f5 link " ]] || die "ls /d: $(sfs ls /d)"
for i in 1 2 3 4 5; do
	sfs cat "/d/f$i" | cmp -s - "$tmp/f$i" || die "/d/f$i reads back wrong"
done
sfs create /d/after || die "create after the restart"

step "the client opened before the restart still works"
echo "stat /d/after" >&3
echo "ls /d" >&3
exec 3>&-
rc=0; wait "$batch_pid" || rc=$?
batch_pid=''
[[ $rc == 0 ]] || die "the open client failed: $(cat "$tmp/batch.err")"
grep -q '^ino=.* type=- ' "$tmp/batch.out" || die "stat through the open client: $(cat "$tmp/batch.out")"
[[ $(tail -n 7 "$tmp/batch.out" | sort | tr '\n' ' ') == "after f1 f2 f3 f4 f5 link " ]] ||
	die "ls through the open client: $(cat "$tmp/batch.out")"

step "servers and manager stop cleanly"
for i in 1 2 3; do
	srv_stop "$i"
done
stop_manager
step "ok"
