#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/hostile.sh): sealfs.ko mounted
# from a hostile server (tests/guest/hostile_server.py) that answers
# lookups with malformed replies. Each broken reply must fail only its own
# call with EIO (or be ignored when it is harmless), AGAIN must be retried
# (with a new request id, a bounded number of times), never crash, leak or
# hang the client: the guest log stays clean (the harness checks it, and
# kmemleak on the debug kernel), a hard mount's waits stay killable, and
# umount and rmmod work afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=hostile
port=7430

step() { echo "$TEST: $*"; }
die() { echo "$TEST: FAIL: $*" >&2; dmesg | tail -n 30 >&2; exit 1; }
cleanup() {
	umount -f /mnt/h 2>/dev/null || true
	[[ -z ${srv:-} ]] || kill "$srv" 2>/dev/null || true
}
trap cleanup EXIT

python3 tests/guest/hostile_server.py "$port" >/tmp/hostile.out 2>&1 &
srv=$!
for ((i = 0; i < 100; i++)); do
	grep -q listening /tmp/hostile.out 2>/dev/null && break
	sleep 0.1
done
grep -q listening /tmp/hostile.out || die "hostile server did not start"
modprobe sealfs
mkdir -p /mnt/h

# result NAME: "ok" or the error stat(1) reports for /mnt/h/NAME.
result() {
	local out
	if out=$(stat -c %i "/mnt/h/$1" 2>&1); then echo "ok $out"; else echo "${out##*: }"; fi
}
expect() { # NAME WANT
	local got
	got=$(result "$1")
	[[ $got == "$2" ]] || die "stat $1: '$got', expected '$2'"
	echo "$TEST: $1: $got"
}

step "soft mount: every broken reply fails its call alone"
mount -t sealfs "127.0.0.1:$port:/vol1" /mnt/h -o soft,timeo=5,retrans=1,actimeo=0,negtimeo=0
expect ok "ok 2"
expect missing "No such file or directory"
for name in badstatus shortbody badmagic hugelen closemid badtype silent wrongop; do
	expect "$name" "Input/output error"
	expect ok "ok 2"
done
expect unknownid "ok 2"
expect dup "ok 2"
# AGAIN is retried with a new request id, steer_max times at most.
expect again3 "ok 2"
steer=$(cat /sys/module/sealfs/parameters/steer_max)
echo 4 >/sys/module/sealfs/parameters/steer_max
expect againever "Resource temporarily unavailable"
echo "$steer" >/sys/module/sealfs/parameters/steer_max
d=$(ls -d /sys/kernel/debug/sealfs/*/ | head -n 1)
awk 'NR > 1 && $6 < 2 { exit 1 }' "$d/connections" ||
	die "stray replies not counted: $(cat "$d/connections")"
umount /mnt/h

step "hard mount: a request the server never answers stays killable"
mount -t sealfs "127.0.0.1:$port:/vol1" /mnt/h -o hard,timeo=5,actimeo=0
stat /mnt/h/silent >/dev/null 2>&1 &
victim=$!
for ((i = 0; i < 100; i++)); do
	cat /sys/kernel/debug/sealfs/*/requests 2>/dev/null | grep -q LOOKUP && break
	sleep 0.1
done
cat /sys/kernel/debug/sealfs/*/requests | grep -q LOOKUP || die "the request never showed in debugfs"
kill -KILL "$victim"
wait "$victim" 2>/dev/null && die "stat of a silent server succeeded"
echo "$TEST: killed a waiting stat"
umount /mnt/h

step "umount -f with the server gone"
mount -t sealfs "127.0.0.1:$port:/vol1" /mnt/h -o hard,timeo=5,actimeo=0
expect ok "ok 2"
kill "$srv"
wait "$srv" 2>/dev/null || true
srv=''
umount -f /mnt/h || umount /mnt/h || die "umount -f failed"
! grep -q /mnt/h /proc/mounts || die "still mounted"

rmmod sealfs
echo "$TEST: ok"
