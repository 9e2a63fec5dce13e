#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster test on the host: a real sealfs-manager and three sealfs-server
# processes on 127.0.0.1. 10,000 entries are created in one directory
# through the client library (sfsctl batch, four clients at once); the listing merged over all
# servers returns exactly those names, each once, with ls -l attributes;
# after removing them all the directory lists empty.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=readdir_big
tmp=$(mktemp -d)
# shellcheck source=lib.bash
. tests/cluster/lib.bash
trap cleanup EXIT
N=10000
# Runs "$1 /d/NAME" for every name, in 4 concurrent clients (one batch each).
each_name() {
	local op=$1 k pids=() rc=0
	split -n l/4 -d "$tmp/names" "$tmp/part."
	for k in "$tmp"/part.*; do
		sed "s|^|$op /d/|" "$k" | sfs batch 2>>"$tmp/$op.err" &
		pids+=($!)
	done
	for k in "${pids[@]}"; do wait "$k" || rc=1; done
	rm -f "$tmp"/part.*
	return $rc
}

step "manager and three servers"
start_manager 2s
for i in 1 2 3; do srv_start "$i" --threads 2; done
wait_for "3 servers up" servers_up 3
admin volume create big --quota 10G --chunk-size 64K >/dev/null || die "volume create"
sfs() { "$tools/sfsctl" -m "$mgr" -v big "$@"; }
wait_for "the volume's root" sfs stat /

step "create $N files in one directory"
sfs mkdir /d || die "mkdir /d"
seq -f 'f%05g' 1 "$N" >"$tmp/names"
each_name create ||
	die "creating the files: $(head -n 5 "$tmp/create.err")"

step "the merged listing returns every name exactly once"
sfs ls /d >"$tmp/ls" || die "ls /d"
[[ $(wc -l <"$tmp/ls") == "$N" ]] || die "ls /d returned $(wc -l <"$tmp/ls") entries, not $N"
[[ -z $(sort "$tmp/ls" | uniq -d | head -n 1) ]] || die "ls /d returned duplicates: $(sort "$tmp/ls" | uniq -d | head -n 3)"
sort "$tmp/ls" | cmp -s - "$tmp/names" || die "ls /d: names differ from those created"

step "ls -l carries the attributes of every entry"
sfs ls -l /d >"$tmp/lsl" || die "ls -l /d"
# Lines: TYPEMODE NLINK UID GID SIZE INO NAME
bad=$(awk -v uid="$(id -u)" '$1 != "-0644" || $2 != 1 || $3 != uid || $5 != 0 || $6 == 0' "$tmp/lsl" | head -n 3)
[[ -z $bad ]] || die "entries with wrong attributes: $bad"
[[ $(awk '{print $6}' "$tmp/lsl" | sort -u | wc -l) == "$N" ]] || die "inode numbers are not unique"
awk '{print $7}' "$tmp/lsl" | sort | cmp -s - "$tmp/names" || die "ls -l /d: names differ"

step "statfs summed over the three servers counts them"
used=$(sfs statfs) || die "statfs"
[[ $used == *servers=3* ]] || die "statfs: $used"
[[ $used == *"vol_inodes=$((N + 2))"* ]] || die "statfs does not count $N files, a directory and the root: $used"

step "remove them all: the directory lists empty"
each_name rm || die "removing the files: $(head -n 5 "$tmp/rm.err")"
sfs ls /d >"$tmp/ls" || die "ls /d after the removal"
[[ ! -s $tmp/ls ]] || die "ls /d after the removal: $(head -n 3 "$tmp/ls")"
sfs stat /d/f00001 2>/dev/null && die "a removed name still resolves"

step "servers and manager stop cleanly"
for i in 1 2 3; do
	srv_stop "$i"
done
stop_manager
step "ok"
