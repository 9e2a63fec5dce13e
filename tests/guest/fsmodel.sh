#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/fsmodel.sh): a manager and three
# servers in the guest, a volume mounted through sealfs.ko at /mnt/a, and
# fsmodel (tests/tools/fsmodel.c) running 100,000 seeded random operations
# on a file in it: writes, reads, truncates, mmap reads and writes,
# fallocate, fsync, close and reopen, checked byte for byte against an
# in-memory model. Then fsmodel's self-test: a flipped model byte must be
# reported as a mismatch, proving the checker can fail.
#
# Under QEMU's TCG emulation with the debug kernel, an operation that goes
# to the servers (truncate, fsync, msync, close) costs 50-400 ms and a
# cached read or write 1-4 ms, so the run keeps the file small (256 KiB,
# operations up to 4 KiB) and weights reads and writes heavily, keeping
# every kind in the mix: about 3,000 mmap reads and 300 each of truncates,
# mmap writes, reopens and syncs in 100,000 operations (5,000 operations on
# the debug kernel).
#
# Needs build/tests/fsmodel (make build/tests/fsmodel, or any target that
# builds TEST_TOOLS). FSMODEL_SEED, FSMODEL_OPS, FSMODEL_MAXLEN,
# FSMODEL_OPLEN and FSMODEL_WEIGHTS (fsmodel -w) override the run's
# parameters.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=fsmodel
fsmodel=$PWD/build/tests/fsmodel
seed=${FSMODEL_SEED:-20261123}
# shellcheck source-path=SCRIPTDIR source=lib/scale.bash
. tests/guest/lib/scale.bash
ops=${FSMODEL_OPS:-$(guest_scale 100000 5000)}
maxlen=${FSMODEL_MAXLEN:-256k}
oplen=${FSMODEL_OPLEN:-4k}
weights=${FSMODEL_WEIGHTS:-write=470,read=470,truncate=3,mapread=30,mapwrite=3,fallocate=10,fsync=2,fdatasync=2,reopen=3}
t=$(mktemp -d /tmp/fsmodel.XXXXXX)
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

[[ -x $fsmodel ]] || die "no $fsmodel: run make build/tests/fsmodel first"

step "cluster: manager and three servers"
cluster_start 3
cluster_volume_create vol1 --quota 1G
modprobe sealfs
mkdir -p /mnt/a
mount -t sealfs "$CLUSTER_MGR:/vol1" /mnt/a

step "self-test: a corrupted model byte must be reported"
start=$SECONDS
rc=0
"$fsmodel" -s "$seed" -n 2000 -l "$maxlen" -o "$oplen" -w "$weights" \
	--self-test-corrupt=1000 /mnt/a/selftest >"$t/selftest.out" 2>&1 || rc=$?
cat "$t/selftest.out"
((rc == 1)) || die "fsmodel --self-test-corrupt exited $rc, expected 1"
off=$(sed -n 's/^fsmodel: self-test: flipping model byte at \(0x[0-9a-f]*\) .*/\1/p' "$t/selftest.out")
[[ -n $off ]] || die "the self-test did not corrupt the model"
grep -q "^fsmodel: verify mismatch in /mnt/a/selftest at file offset $off " "$t/selftest.out" ||
	die "the self-test's mismatch was not reported at $off"
grep -q "^fsmodel: FAIL: seed $seed op 1000: verify: data mismatch at file offset $off\$" \
	"$t/selftest.out" || die "no FAIL line for the self-test at op 1000"
rm -f /mnt/a/selftest
step "self-test took $((SECONDS - start)) s"

step "fsmodel: seed $seed, $ops operations, max size $maxlen, max op length $oplen, $weights"
start=$SECONDS
"$fsmodel" -s "$seed" -n "$ops" -l "$maxlen" -o "$oplen" -w "$weights" -P 10000 \
	/mnt/a/model 2>&1 ||
	die "fsmodel found a difference from the model (seed $seed), see above"
step "fsmodel took $((SECONDS - start)) s"
[[ ! -e /mnt/a/model ]] || die "fsmodel left its file behind"

cd /
umount /mnt/a
rmmod sealfs
cluster_stop
echo "$TEST: ok"
