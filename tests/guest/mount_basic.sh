#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/mount_basic.sh): a manager and
# three servers in the guest, a volume mounted through sealfs.ko: mount
# errors (unknown volume, manager not listening), options in /proc/mounts
# and remount, the namespace and data basics, a second mount of the same
# volume seeing what the first wrote and closed, persistence across
# umount, debugfs, and a clean rmmod.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source-path=SCRIPTDIR source=lib/cluster.bash
. tests/guest/lib/cluster.bash
TEST=mount_basic
t=$(mktemp -d /tmp/mount_basic.XXXXXX)

step() { echo "$TEST: $*"; }
die() { dmesg | tail -n 30 >&2; cluster_die "$TEST: $*"; }
cleanup() {
	umount /mnt/a /mnt/b 2>/dev/null || true
	rm -rf "$t"
	cluster_cleanup
}
trap cleanup EXIT
expect() { # WANT COMMAND...: the command's output must be WANT
	local got
	got=$("${@:2}" 2>&1) || true
	[[ $got == "$1" ]] || die "$*: got '$got'"
}

step "cluster: manager and three servers"
cluster_start 3
cluster_volume_create vol1 --quota 1G
mgr=$CLUSTER_MGR
modprobe sealfs
mkdir -p /mnt/a /mnt/b

step "mount errors: unknown volume, no manager listening"
expect "mount: /mnt/a: special device $mgr:/nosuch does not exist." \
	bash -c "mount -t sealfs $mgr:/nosuch /mnt/a 2>&1 | head -n 1"
dmesg | grep -q "volume nosuch: no such volume" || die "no message for an unknown volume"
start=$SECONDS
closed=$(cluster_free_ports 1)
! mount -t sealfs "127.0.0.1:$closed:/vol1" /mnt/a -o timeo=10,retrans=1 2>/dev/null ||
	die "mounted with no manager listening"
((SECONDS - start < 30)) || die "a mount without manager took $((SECONDS - start)) s"
dmesg | grep -q "cannot fetch the cluster map" || die "no message for an unreachable manager"

step "mount, options in /proc/mounts, remount"
mount -t sealfs $mgr:/vol1 /mnt/a -o acregmin=1,acregmax=2
opts=$(awk '$2 == "/mnt/a" { print $1, $3, $4 }' /proc/mounts)
[[ $opts == "$mgr:/vol1 sealfs rw,"*"acregmin=1,acregmax=2,"*"hard" ]] ||
	die "/proc/mounts: $opts"
mount -o remount,soft,timeo=100 /mnt/a
grep -E "^$mgr:/vol1 /mnt/a sealfs .*timeo=100,.*soft" /proc/mounts >/dev/null ||
	die "remount did not apply: $(grep /mnt/a /proc/mounts)"

step "namespace and data basics"
cd /mnt/a
echo hello >a.txt
expect hello cat a.txt
mkdir -p d1/d2
echo x >d1/d2/f
expect "d1/d2/f" find d1 -type f
dd if=/dev/urandom of="$t/big" bs=1M count=5 status=none
cp "$t/big" big
cmp "$t/big" big || die "5 MiB copy differs"
dd if="$t/big" of=direct bs=1M count=3 oflag=direct status=none
cmp -n 3145728 "$t/big" direct || die "O_DIRECT write differs"
dd if=direct of="$t/direct" bs=64k iflag=direct status=none
cmp "$t/direct" direct || die "O_DIRECT read differs"
expect 3145728 stat -c %s direct
rm direct
ln -s a.txt sl
expect a.txt readlink sl
expect hello cat sl
mkfifo ff
[[ $(stat -c %F ff) == fifo ]] || die "mkfifo made a $(stat -c %F ff)"
truncate -s 100 big
expect 100 stat -c %s big
cmp -n 100 "$t/big" big || die "truncated file lost its first bytes"
truncate -s 10000 big
expect 10000 stat -c %s big
[[ $(tail -c 9900 big | tr -d '\0' | wc -c) == 0 ]] || die "extended part is not zeros"
setfattr -n user.color -v blue a.txt
expect blue getfattr --only-values -n user.color a.txt
chmod 640 a.txt
expect 640 stat -c %a a.txt
touch -d '2001-02-03 04:05:06' a.txt
expect 2001-02-03 date -r a.txt +%F
expect "a.txt big d1 ff sl" bash -c 'echo $(ls)'
[[ $(df --output=size -B1M /mnt/a | tail -n 1) -le 1024 ]] || die "statfs ignores the quota"
rm a.txt sl
rmdir d1/d2 2>/dev/null && die "rmdir of a non-empty directory succeeded"
rm d1/d2/f
rmdir d1/d2 d1
expect "big ff" bash -c 'echo $(ls)'

step "a second mount sees what the first wrote and closed"
mount -t sealfs $mgr:/vol1 /mnt/b
echo "from a" >/mnt/a/shared
expect "from a" cat /mnt/b/shared
echo "from b" >/mnt/b/shared
expect "from b" cat /mnt/a/shared
umount /mnt/b

step "persistence across umount and mount"
cd /
umount /mnt/a
mount -t sealfs $mgr:/vol1 /mnt/a
expect "big ff shared" bash -c 'echo $(ls /mnt/a)'
expect 10000 stat -c %s /mnt/a/big
cmp -n 100 "$t/big" /mnt/a/big || die "data changed across a remount"

step "debugfs"
d=$(ls -d /sys/kernel/debug/sealfs/*/ | head -n 1)
for f in requests connections map stats; do [[ -r $d/$f ]] || die "no debugfs file $f"; done
grep -q '^epoch [1-9]' "$d/map" || die "debugfs map: $(cat "$d/map")"
grep -q '^READ [1-9]' "$d/stats" || die "debugfs stats: $(cat "$d/stats")"
[[ $(grep -c ' up ' "$d/connections") -ge 1 ]] || die "debugfs connections: $(cat "$d/connections")"

step "umount and rmmod"
rm -f /mnt/a/big /mnt/a/ff /mnt/a/shared
umount /mnt/a
rmmod sealfs
! grep -qw sealfs /proc/modules || die "sealfs still loaded"
cluster_stop
echo "$TEST: ok"
