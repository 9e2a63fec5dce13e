#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/module_smoke.sh): sealfs.ko loads
# through modprobe, registers the file system type, survives being loaded
# and unloaded repeatedly (100 times; 25 on the debug kernel), and leaves
# nothing behind.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/scale.bash
. "$(dirname "$0")/lib/scale.bash"
cycles=$(guest_scale 100 25)

step() { echo "module_smoke: $*"; }
die() { echo "module_smoke: FAIL: $*" >&2; exit 1; }
registered() { grep -qE '^nodev[[:space:]]+sealfs$' /proc/filesystems; }

! registered || die "sealfs registered before the module was loaded"
modinfo sealfs >/dev/null || die "modprobe cannot find sealfs.ko for $(uname -r)"
[[ $(modinfo -F vermagic sealfs) == "$(uname -r) "* ]] || die "vermagic does not match $(uname -r)"
[[ $(modinfo -F license sealfs) == GPL* ]] || die "module licence is not GPL"
for p in steer_max readdir_bytes; do
	modinfo -F parm sealfs | grep -q "^$p:" || die "modinfo does not document parameter $p"
done

step "modprobe sealfs"
modprobe sealfs
registered || die "sealfs missing from /proc/filesystems after modprobe"
grep -qw '^sealfs' /proc/modules || die "sealfs missing from /proc/modules"

step "rmmod sealfs"
rmmod sealfs
! registered || die "sealfs still registered after rmmod"
! grep -qw '^sealfs' /proc/modules || die "sealfs still loaded after rmmod"

step "load and unload $cycles times"
ko=$(modinfo -n sealfs)
for _ in $(seq "$cycles"); do
	insmod "$ko"
	rmmod sealfs
done
! registered || die "sealfs registered after the load/unload loop"
step "ok"
