#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/cluster_up.sh): a manager and
# three servers run inside the guest (tests/guest/lib/cluster.bash) and
# show up in `sealfs-admin cluster status` with their addresses; a volume
# is created and listed; with sealfs.ko loaded, mount.sealfs rewrites
# "localhost" into 127.0.0.1 before the kernel sees the source, both with
# -f -v and through a real mount(2), also when run by mount(8); the
# cluster stops cleanly.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source-path=SCRIPTDIR source=lib/cluster.bash
. tests/guest/lib/cluster.bash

step() { echo "cluster_up: $*"; }
fail() {
	echo "cluster_up: FAIL: $*" >&2
	cluster_dump_logs
	exit 1
}
helper=build/bin/mount.sealfs
[[ -x $helper ]] || fail "no $helper (make)"
mnt='' sbin_helper=''
# Whatever happens, leave no mount and no helper in /sbin behind (other
# tests may run in the same guest).
cleanup() {
	local rc=$?
	[[ -z $mnt ]] || ! grep -qw "$mnt" /proc/mounts || umount "$mnt" 2>/dev/null
	[[ -z $sbin_helper ]] || rm -f "$sbin_helper"
	(exit "$rc")
	cluster_cleanup
}
trap cleanup EXIT

step "start a manager and 3 servers"
cluster_start 3
status=$(cluster_admin cluster status)
echo "$status"
[[ $(grep -cE '^[0-9]+ +up ' <<<"$status") == 3 ]] || fail "cluster status does not show 3 servers up"
for i in 1 2 3; do
	grep -qE "^[0-9]+ +up +${CLUSTER_SRV_ADDR[i]} " <<<"$status" ||
		fail "cluster status does not show server $i up at ${CLUSTER_SRV_ADDR[i]}"
done

step "create and list a volume"
cluster_volume_create vol1 --quota 1G
vols=$(cluster_admin volume list)
echo "$vols"
grep -qE '^[0-9]+ +vol1 +active ' <<<"$vols" || fail "volume list does not show vol1 active"

step "kill -9 server 2, see it marked down, restart it"
cluster_kill_server 2
cluster_wait_up 2
cluster_restart_server 2
cluster_wait_up 3

step "load sealfs.ko"
err=$CLUSTER_DIR/err
modprobe sealfs
grep -qE '^nodev[[:space:]]+sealfs$' /proc/filesystems || fail "sealfs not registered"
mnt=$CLUSTER_DIR/mnt
mkdir -p "$mnt"
src=localhost:$CLUSTER_MGR_PORT:/vol1
want=127.0.0.1:$CLUSTER_MGR_PORT:/vol1

step "mount.sealfs -f -v $src $mnt"
out=$("$helper" -f -v "$src" "$mnt" -o soft,noatime,_netdev) || fail "mount.sealfs -f: status $?"
echo "$out"
grep -qF "resolved localhost to 127.0.0.1" <<<"$out" || fail "-v does not say how localhost resolved"
grep -qF "source=$want target=$mnt type=sealfs flags=0x400 data=soft " <<<"$out" ||
	fail "-f -v does not show the mount(2) call with source $want"
! grep -qw "$mnt" /proc/mounts || fail "-f mounted something"

step "mount.sealfs: a host name that does not resolve, a malformed source"
rc=0
"$helper" -f nohost.invalid:/vol1 "$mnt" 2>"$err" || rc=$?
[[ $rc == 32 ]] && grep -q '^mount.sealfs: cannot resolve nohost.invalid: ' "$err" ||
	fail "unresolvable host: status $rc: $(cat "$err")"
rc=0
"$helper" -f localhost:/a/b "$mnt" 2>"$err" || rc=$?
[[ $rc == 1 ]] && grep -q 'bad volume name' "$err" || fail "bad volume: status $rc: $(cat "$err")"

# try CMD...: a real mount of $src. The kernel must get the numeric source.
# A sealfs.ko that mounts volumes mounts it (and /proc/mounts shows the
# numeric source); one that does not yet refuses it with EOPNOTSUPP.
try() {
	local rc=0
	dmesg -C
	"$@" 2>"$err" || rc=$?
	cat "$err"
	! dmesg | grep -qF 'IPv4 or [IPv6]' || fail "$*: the kernel got a source with a host name"
	if ((rc == 0)); then
		grep -qF "$want $mnt sealfs " /proc/mounts ||
			fail "$*: status 0 but no mount of $want on $mnt in /proc/mounts"
		umount "$mnt"
		step "$*: mounted"
		return
	fi
	[[ $rc == 32 ]] && grep -qF 'Operation not supported' "$err" ||
		fail "$*: status $rc"
	dmesg | grep -qF 'mounting volumes is not available' ||
		fail "$*: no 'mounting volumes is not available' in the kernel log"
	step "$*: EOPNOTSUPP, as expected until mounting lands"
}
step "mount.sealfs $src $mnt"
try "$helper" "$src" "$mnt" -o soft,timeo=50

# mount(8) runs /sbin/mount.sealfs; /sbin is the guest's writable overlay.
if [[ ${SEALFS_VM:-} == 1 ]]; then
	step "mount -t sealfs $src $mnt"
	sbin_helper=/sbin/mount.sealfs
	[[ ! -e $sbin_helper ]] || fail "$sbin_helper exists already"
	install -m 0755 "$helper" "$sbin_helper"
	try mount -t sealfs -o soft "$src" "$mnt"
	rm -f "$sbin_helper"
	sbin_helper=''
fi
rmmod sealfs

step "stop the cluster"
cluster_stop
step "ok"
