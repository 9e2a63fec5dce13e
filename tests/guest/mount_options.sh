#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/mount_options.sh): the mount
# source and options are checked before anything else, with EINVAL and a
# reason in the kernel log for what is wrong; a well-formed mount whose
# managers cannot be reached fails with the network's error. On kernels with
# KUnit, sealfs.ko's "sealfs_options" suite must pass as well.
set -euo pipefail

fail() { echo "mount_options: FAIL: $*" >&2; exit 1; }
modprobe sealfs
mkdir -p /tmp/mnt
dmesg -C

# try SOURCE OPTIONS ERRNO REASON: mount(2) must fail with ERRNO and the
# kernel log must carry REASON.
try() {
	local got
	got=$(python3 - "$1" "$2" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.mount(sys.argv[1].encode(), b"/tmp/mnt", b"sealfs", 0, sys.argv[2].encode())
print(0 if r == 0 else os.strerror(ctypes.get_errno()))
PY
)
	[[ $got == "$3" ]] || fail "mount '$1' -o '$2': '$got', expected '$3'"
	dmesg | grep -qF -- "$4" || fail "mount '$1' -o '$2': no '$4' in the kernel log"
	echo "mount_options: '$1' -o '$2': $got ($4)"
	dmesg -C
}

try none "" "Invalid argument" "source must be"
try 10.0.0.1 "" "Invalid argument" "source must be"
try 10.0.0.1:/bad/name "" "Invalid argument" "bad volume name"
try host.example:/vol "" "Invalid argument" "IPv4 or [IPv6]"
try 10.0.0.1:99999:/vol "" "Invalid argument" "IPv4 or [IPv6]"
try 10.0.0.1:/vol acregmax=4000 "Invalid argument" "acregmax: cache lifetimes"
try 10.0.0.1:/vol acregmin=30,acregmax=10 "Invalid argument" "must not exceed"
try 10.0.0.1:/vol rsize=100 "Invalid argument" "rsize and wsize"
try 10.0.0.1:/vol transport=carrier-pigeon "Invalid argument" "transport"
try 10.0.0.1:/vol bogus=1 "Invalid argument" "bogus"
# Well-formed, but no manager is reachable (the guest has no route): the
# mount fails within its time-out and says why.
try "10.0.0.1:7000,[fd00::1]:7001:/vol1" "actimeo=5,soft,timeo=20,retrans=2,wsize=65536" \
	"Network is unreachable" "cannot fetch the cluster map"
! grep -qw /tmp/mnt /proc/mounts || fail "something got mounted"

rmmod sealfs
modprobe sealfs
if dmesg | grep -q '# Subtest: sealfs_options'; then
	ktap=$(dmesg | sed 's/^\[[ 0-9.]*\] //' | sed -n '/# Subtest: sealfs_options/,/^ok [0-9]* sealfs_options$/p')
	echo "$ktap"
	! grep -q 'not ok' <<<"$ktap" || fail "KUnit suite sealfs_options has failures"
	grep -qE "^ok [0-9]+ sealfs_options$" <<<"$ktap" || fail "no sealfs_options suite result"
fi
rmmod sealfs
echo "mount_options: ok"
