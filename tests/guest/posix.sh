#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/posix.sh): a manager and three
# servers in the guest, a volume mounted through sealfs.ko, and the POSIX
# conformance suite build/tests/posix_suite run as root in /mnt/a/posix.
# Fails when any check of the suite fails (its TAP output is printed in
# full), when the mount cannot be set up, or when the module does not
# unload afterwards. Kernel warnings fail the run through the harness.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=posix
suite=$PWD/build/tests/posix_suite
t=$(mktemp -d /tmp/posix.XXXXXX)
# shellcheck source-path=SCRIPTDIR source=lib/cluster.bash
. tests/guest/lib/cluster.bash

step() { echo "$TEST: $*"; }
die() {
	dmesg | tail -n 30 >&2
	cluster_die "$TEST: $*"
}
cleanup() {
	cd /
	umount /mnt/a 2>/dev/null || true
	rm -rf "$t"
	cluster_cleanup
}
trap cleanup EXIT

[[ -x $suite ]] || die "$suite is not built (make build/tests/posix_suite)"

step "cluster: manager and three servers"
cluster_start 3
# The suite writes a sparse 5 GiB file; only allocated bytes count.
cluster_volume_create vol1 --quota 2G
modprobe sealfs
mkdir -p /mnt/a
mount -t sealfs "$CLUSTER_MGR:/vol1" /mnt/a
mkdir -p /mnt/a/posix

step "posix_suite /mnt/a/posix"
rc=0
"$suite" /mnt/a/posix >"$t/tap" 2>&1 || rc=$?
cat "$t/tap"
summary=$(grep -E '^# [0-9]+ checks, [0-9]+ failed$' "$t/tap" || true)
[[ -n $summary ]] || die "posix_suite did not finish (exit status $rc)"
((rc == 0)) || die "posix_suite: ${summary#\# } (exit status $rc)"

step "umount and rmmod"
rmdir /mnt/a/posix || die "rmdir /mnt/a/posix: the suite left something behind"
umount /mnt/a
rmmod sealfs
! grep -qw sealfs /proc/modules || die "sealfs still loaded"
cluster_stop
echo "$TEST: ok"
