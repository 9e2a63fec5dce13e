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
# Under QEMU's TCG emulation with the debug kernel, creating, checking and
# removing a file costs about a seventh of a second, so the create check
# runs with 300 files per process (1,200 in the directory) to finish in a
# few minutes; FSCONC_FILES=2000 runs fsconc's full 8,000.
#
# Needs build/tests/fsconc (make build/tests/fsconc, or any target that
# builds TEST_TOOLS). FSCONC_SEED overrides the seed.
# guest-kernels: 6.1 6.12
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=concurrency
bin=$PWD/build/bin
fsconc=$PWD/build/tests/fsconc
seed=${FSCONC_SEED:-20261123}
files=${FSCONC_FILES:-300}
t=$(mktemp -d /tmp/concurrency.XXXXXX)
pids=()

step() { echo "$TEST: $*"; }
die() {
	local f
	echo "$TEST: FAIL: $*" >&2
	for f in "$t"/*.log; do sed "s|^|  $(basename "$f"): |" "$f" | tail -n 20 >&2; done
	dmesg | tail -n 30 >&2
	exit 1
}
cleanup() {
	cd /
	umount /mnt/a /mnt/b 2>/dev/null || true
	kill "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
}
trap cleanup EXIT
admin() { "$bin/sealfs-admin" -c utils/conf/admin.conf --manager 127.0.0.1:7420 --timeout 5s "$@"; }
servers_up() {
	[[ $(admin --json cluster status | python3 -c \
		'import json,sys; print(sum(s["state"] == "up" for s in json.load(sys.stdin)["servers"]))') == "$1" ]]
}
wait_for() { # WHAT COMMAND...: polls observable state for up to 30 s
	local what=$1 i
	shift
	for ((i = 0; i < 300; i++)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	die "timed out waiting for $what"
}

[[ -x $fsconc ]] || die "no $fsconc: run make build/tests/fsconc first"

step "cluster: manager and three servers"
"$bin/sealfs-manager" -c utils/conf/manager.conf --listen 127.0.0.1:7420 --state-dir "$t/state" \
	--heartbeat 200ms --failure-timeout 3s 2>"$t/mgr.log" &
pids+=($!)
for i in 1 2 3; do
	"$bin/sealfs-server" -c utils/conf/server.conf --manager 127.0.0.1:7420 \
		--listen "127.0.0.1:$((7500 + i))" --meta-dir "$t/meta$i" --data-dir "$t/data$i" \
		--threads 2 2>"$t/srv$i.log" &
	pids+=($!)
done
wait_for "three servers up" servers_up 3
admin volume create vol1 --quota 1G >/dev/null
modprobe sealfs
mkdir -p /mnt/a /mnt/b
mount -t sealfs 127.0.0.1:/vol1 /mnt/a
mount -t sealfs 127.0.0.1:/vol1 /mnt/b

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
echo "$TEST: ok"
