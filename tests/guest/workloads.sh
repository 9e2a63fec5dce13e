#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/workloads.sh): real work on a
# SealFS volume (three servers in the guest): unpack part of Debian's
# linux-source-6.1 (utils/setup makes the tar) and compare it with a local
# copy (diff -r), clone this checkout with git and build a C library from
# it (the shared protocol code) on the mount, commit, branch, check out and log with git, then
# rm -rf everything. On the debug kernel (tests/guest/lib/scale.bash) the
# unpacked part is four directories of the tar instead of all of it.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source-path=SCRIPTDIR source=lib/cluster.bash
. tests/guest/lib/cluster.bash
# shellcheck source-path=SCRIPTDIR source=lib/scale.bash
. tests/guest/lib/scale.bash
TEST=workloads
mnt=/mnt/w
tarball=${SEALFS_CACHE:-$HOME/.cache/sealfs}/workload/linux-subset.tar
step() { echo "$TEST: $*"; }
die() { cluster_die "$TEST: $*"; }
cleanup() {
	umount -f "$mnt" 2>/dev/null || true
	cluster_cleanup
}
trap cleanup EXIT
[[ -f $tarball ]] || die "no $tarball (run utils/setup)"

cluster_start 3
cluster_volume_create work --quota 4G
modprobe sealfs
mkdir -p "$mnt"
mount -t sealfs "$CLUSTER_MGR:/work" "$mnt"

# Which members of the tar to unpack: all, or a few directories.
read -ra members <<<"$(guest_scale '' "$(printf 'linux-source-6.1/fs/%s ' 9p ext2 fuse ramfs)")"
step "unpack $(tar -tf "$tarball" "${members[@]}" | wc -l) entries of linux-source-6.1 and diff -r"
local_copy=$(mktemp -d /tmp/workloads.XXXXXX)
tar -xf "$tarball" -C "$local_copy" "${members[@]}"
mkdir "$mnt/src"
start=$SECONDS
tar -xf "$tarball" -C "$mnt/src" "${members[@]}"
step "unpacked in $((SECONDS - start)) s"
diff -r "$local_copy" "$mnt/src" || die "the unpacked tree differs"
echo 3 >/proc/sys/vm/drop_caches
diff -r "$local_copy" "$mnt/src" || die "the unpacked tree differs when read from the servers"
rm -rf "$local_copy"

step "git clone this checkout onto the mount and build a C library there"
git config --global user.email test@sealfs.invalid
git config --global user.name "SealFS test"
git config --global --add safe.directory '*'
# --no-local: the objects arrive as one pack written on the mount, however
# this checkout stores them.
git clone -q --no-local "$PWD" "$mnt/repo"
start=$SECONDS
make -C "$mnt/repo" -j2 -s build/lib/libsealfs-common.a >/dev/null ||
	die "building libsealfs-common.a on the mount failed"
[[ -s $mnt/repo/build/lib/libsealfs-common.a ]] || die "no library built"
step "built in $((SECONDS - start)) s"

step "git: commit, branch, checkout, log"
cd "$mnt/repo"
git checkout -q -b work
echo "changed on SealFS" >>README.md
git commit -q -am "a change made on SealFS"
git checkout -q -
grep -q "changed on SealFS" README.md && die "checkout did not restore README.md"
git checkout -q work
grep -q "changed on SealFS" README.md || die "checkout of the branch lost the change"
[[ $(git log -1 --format=%s) == "a change made on SealFS" ]] || die "git log: $(git log -1 --oneline)"
git fsck --no-progress >/dev/null || die "git fsck found problems"
cd /

step "rm -rf everything"
rm -rf "$mnt/src" "$mnt/repo"
[[ -z $(ls -A "$mnt") ]] || die "left behind: $(ls -A "$mnt")"
umount "$mnt"
rmmod sealfs
cluster_stop
echo "$TEST: ok"
