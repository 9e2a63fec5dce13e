#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/concurrency.sh): a manager and
# three servers in the guest, one volume mounted twice through sealfs.ko (at
# /mnt/a and /mnt/b), and the checks of fsconc (tests/tools/fsconc.c):
# 4 processes creating files in one directory, then listing, stat, content
# and parallel removal; 4 parallel writers of 8 MiB files each; and
# close-to-open coherence between the two mounts.
#
# Under QEMU's TCG emulation creating, checking and removing a file costs
# about 50 ms on the stock kernels and a seventh of a second or more on the
# debug kernel. The create check runs with 2,000 files per process (8,000
# in one directory, about 7 minutes) on Debian's 6.1, 300 per process on
# 6.12 and 40 on the debug kernel, so that the whole guest tier stays
# within CI's time; FSCONC_FILES sets the count.
#
# Needs build/tests/fsconc (make build/tests/fsconc, or any target that
# builds TEST_TOOLS). FSCONC_SEED overrides the seed.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=concurrency
fsconc=$PWD/build/tests/fsconc
seed=${FSCONC_SEED:-20261123}
t=$(mktemp -d /tmp/concurrency.XXXXXX)
case $(uname -r) in
*-sealfs-debug) files=40 ;;
6.1.*) files=2000 ;;
*) files=300 ;;
esac
files=${FSCONC_FILES:-$files}
# shellcheck source-path=SCRIPTDIR source=lib/cluster.bash
. tests/guest/lib/cluster.bash

step() { echo "$TEST: $*"; }
die() {
	dmesg | tail -n 30 >&2
	cluster_die "$TEST: $*"
}
cleanup() {
	cd /
	umount /mnt/a /mnt/b 2>/dev/null || true
	rm -rf "$t"
	cluster_cleanup
}
trap cleanup EXIT

[[ -x $fsconc ]] || die "no $fsconc: run make build/tests/fsconc first"

step "cluster: manager and three servers"
cluster_start 3
cluster_volume_create vol1 --quota 1G
modprobe sealfs
mkdir -p /mnt/a /mnt/b
mount -t sealfs "$CLUSTER_MGR:/vol1" /mnt/a
mount -t sealfs "$CLUSTER_MGR:/vol1" /mnt/b

failed=()
# run NAME ARGS...: one fsconc check; its TAP output is shown as it runs.
run() {
	local name=$1 start=$SECONDS
	shift
	step "fsconc $name"
	if ! "$fsconc" -s "$seed" "$@"; then
		failed+=("$name")
	fi
	step "fsconc $name took $((SECONDS - start)) s"
}
run create -f "$files" create /mnt/a
run writers writers /mnt/a
run coherence coherence /mnt/a /mnt/b
((${#failed[@]} == 0)) || die "fsconc checks failed: ${failed[*]}"

cd /
umount /mnt/b
umount /mnt/a
rmmod sealfs
cluster_stop
echo "$TEST: ok"
