#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster test on the host: a real sealfs-manager and two sealfs-server
# processes on 127.0.0.1. A volume with a 1 MiB byte quota and a 20 inode
# quota refuses growth with EDQUOT through the client library: a 4 MiB
# write and creates past the inode quota (each server enforces its
# weighted share, so at most quota + one per server inodes exist).
# `sealfs-admin volume resize` raises both quotas, and the same growth
# then succeeds.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=quota
tmp=$(mktemp -d)
# shellcheck source=lib.bash
. tests/cluster/lib.bash
trap cleanup EXIT
NSRV=2 QINODES=20

step "manager and $NSRV servers, a volume with small quotas"
start_manager 2s
for i in $(seq 1 $NSRV); do srv_start "$i" --threads 2; done
wait_for "$NSRV servers up" servers_up $NSRV
admin volume create q --quota 1M --inodes $QINODES --chunk-size 64K >/dev/null || die "volume create"
sfs() { "$tools/sfsctl" -m "$mgr" -v q "$@"; }
wait_for "the volume's root" sfs stat /
sfs statfs | grep -q "quota_bytes=1048576 quota_inodes=$QINODES" || die "statfs: $(sfs statfs)"
head -c $((4 << 20)) /dev/urandom >"$tmp/big"

step "a write beyond the byte quota fails with EDQUOT"
rc=0
sfs write /big <"$tmp/big" 2>"$tmp/err" || rc=$?
[[ $rc == 1 ]] && grep -q "sfsctl: write /big: Disk quota exceeded" "$tmp/err" ||
	die "4 MiB write under a 1 MiB quota: status $rc: $(cat "$tmp/err")"
bytes=$(sfs statfs | sed -n 's/.*vol_bytes=\([0-9]*\).*/\1/p')
((bytes <= (1 << 20) + NSRV * 4096)) || die "the volume holds $bytes bytes, beyond its quota"

step "creates beyond the inode quota fail with EDQUOT"
for i in $(seq -w 1 $((2 * QINODES))); do echo "create /f$i"; done >"$tmp/creates"
rc=0
sfs batch <"$tmp/creates" 2>"$tmp/create.err" || rc=$?
[[ $rc == 1 ]] || die "$((2 * QINODES)) creates under an inode quota of $QINODES: status $rc"
failed=$(grep -c . "$tmp/create.err")
[[ $(grep -c 'Disk quota exceeded$' "$tmp/create.err") == "$failed" ]] ||
	die "other errors than EDQUOT: $(grep -v 'quota' "$tmp/create.err" | head -n 3)"
inodes=$(sfs statfs | sed -n 's/.*vol_inodes=\([0-9]*\).*/\1/p')
((inodes <= QINODES + NSRV)) || die "the volume has $inodes inodes under a quota of $QINODES"
(($(sfs ls / | wc -l) == 2 * QINODES + 1 - failed)) || die "ls / does not show the files created"

step "volume resize raises the quotas: the same growth succeeds"
admin volume resize q --quota 100M --inodes 1000 >/dev/null || die "volume resize"
sfs write /big <"$tmp/big" 2>"$tmp/err" || die "4 MiB write after the resize: $(cat "$tmp/err")"
sfs cat /big | cmp -s - "$tmp/big" || die "/big reads back different data"
sed -n 's|^sfsctl: create \(/f[0-9]*\): Disk quota exceeded$|create \1|p' "$tmp/create.err" >"$tmp/again"
[[ $(grep -c . "$tmp/again") == "$failed" ]] || die "cannot tell which creates failed"
sfs batch <"$tmp/again" 2>"$tmp/err" || die "creates after the resize: $(head -n 3 "$tmp/err")"
(($(sfs ls / | wc -l) == 2 * QINODES + 1)) || die "ls / does not show all $((2 * QINODES)) files and /big"
sfs statfs | grep -q "quota_bytes=104857600 quota_inodes=1000" || die "statfs after the resize: $(sfs statfs)"

step "servers and manager stop cleanly"
for i in $(seq 1 $NSRV); do
	srv_stop "$i"
done
stop_manager
step "ok"
