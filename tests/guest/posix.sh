#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/posix.sh): a manager and three
# servers in the guest, a volume mounted through sealfs.ko, and the POSIX
# conformance suite build/tests/posix_suite run as root in /mnt/a/posix.
# Fails when any check of the suite fails (its TAP output is printed in
# full), when the mount cannot be set up, or when the module does not
# unload afterwards. Kernel warnings fail the run through the harness.
# guest-kernels: 6.1 6.12
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=posix
bin=$PWD/build/bin
suite=$PWD/build/tests/posix_suite
t=$(mktemp -d /tmp/posix.XXXXXX)
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
	umount /mnt/a 2>/dev/null || true
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

[[ -x $suite ]] || die "$suite is not built (make build/tests/posix_suite)"

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
# The suite writes a sparse 5 GiB file; only allocated bytes count.
admin volume create vol1 --quota 2G >/dev/null
modprobe sealfs
mkdir -p /mnt/a
mount -t sealfs 127.0.0.1:/vol1 /mnt/a
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
echo "$TEST: ok"
